//! The logreader binary: settings → telemetry → build → serve until SIGINT/SIGTERM.
//! Exit codes: 0 after a graceful stop, 1 when the address cannot be bound, 2 on a
//! configuration error (clap).

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use common::telemetry::{self, LogOptions};
use logreader::{Application, Settings};

fn main() -> anyhow::Result<ExitCode> {
    // Edits the environment, so it runs before the runtime starts any thread.
    common::config::unset_empty_variables(&Settings::command());
    let settings = Settings::parse();
    let (log_guard, _no_file_warning) = telemetry::init(LogOptions {
        level: settings.log_level(),
        format: settings.log_format(),
        file: None,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(run(settings));
    drop(runtime);
    // Every exit, exit code 1 included, returns through here: dropping the guard writes out
    // the last lines.
    drop(log_guard);
    result
}

async fn run(settings: Settings) -> anyhow::Result<ExitCode> {
    let application = match Application::build(&settings).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "Cannot start LogReader.");
            return Ok(ExitCode::from(1));
        }
    };
    application
        .run_until_stopped(common::shutdown::signal())
        .await?;
    Ok(ExitCode::SUCCESS)
}
