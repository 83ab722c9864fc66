//! The logreader binary: settings → telemetry → build → serve until SIGINT/SIGTERM.
//! Exit codes: 0 after a graceful stop, 1 when the address cannot be bound, 2 on a
//! configuration error (clap).

use clap::{CommandFactory, Parser};
use common::telemetry::{self, LogOptions};
use logreader::{Application, Settings};

fn main() -> anyhow::Result<()> {
    // Edits the environment, so it runs before the runtime starts any thread.
    common::config::unset_empty_variables(&Settings::command());
    let settings = Settings::parse();
    telemetry::init(LogOptions {
        level: settings.log_level(),
        format: settings.log_format(),
        file: None,
    });
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(settings))
}

async fn run(settings: Settings) -> anyhow::Result<()> {
    let application = match Application::build(&settings).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "Cannot start LogReader.");
            std::process::exit(1);
        }
    };
    application
        .run_until_stopped(common::shutdown::signal())
        .await
}
