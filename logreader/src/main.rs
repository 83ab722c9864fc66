//! The logreader binary: settings → telemetry → build → serve until SIGINT/SIGTERM, or
//! `logreader replay`. Exit codes: 0 after a graceful stop (or a replay of which every
//! message reached a queue), 1 when the address cannot be bound (or the replay failed or
//! was incomplete), 2 on a configuration error.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use common::telemetry::{self, LogOptions};
use logreader::settings::Command;
use logreader::{replay, Application, Settings};

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
    if let Some(Command::Replay(replay)) = &settings.command {
        return Ok(run_replay(replay).await);
    }
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

async fn run_replay(settings: &replay::ReplaySettings) -> ExitCode {
    match replay::run(settings).await {
        Ok(summary) if summary.is_complete() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => match error.downcast_ref::<common::config::ConfigError>() {
            Some(error) => {
                tracing::error!("{error}");
                ExitCode::from(2)
            }
            None => {
                tracing::error!(error = format!("{error:#}"), "Replay failed.");
                ExitCode::from(1)
            }
        },
    }
}
