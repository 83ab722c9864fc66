//! `logwriter`: parse the settings (exit 2 on an invalid value, before connecting to
//! anything), set up logging, then run until the run stops or a signal drains it.

use std::process::ExitCode;

use common::telemetry::{LogFormat, LogOptions};
use logwriter::{LogWriter, Settings};
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

fn main() -> ExitCode {
    let settings = match Settings::parse_environment() {
        Ok(settings) => settings,
        Err(line) => {
            eprintln!("{line}");
            return ExitCode::from(2);
        }
    };
    let log_options = log_options(&settings);
    let config = match settings.validate() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    // One thread: the writer handles one delivery at a time, so worker threads only added
    // wake-ups and cross-thread handoffs (lapin reads the socket on a thread of its own
    // anyway). Measured with scripts/bench's drain: 16 % less CPU per message (issue 21).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    // Held to the end of main: every exit, exit code 1 after a drain timeout or a second
    // signal included, returns from here, and dropping the guard writes out the last lines.
    let (log_guard, log_warning) = common::telemetry::init(log_options);
    let code = runtime.block_on(run(config, log_warning));
    // Do not wait for background tasks (a drain that timed out): exit now.
    runtime.shutdown_background();
    drop(log_guard);
    ExitCode::from(code)
}

fn log_options(settings: &Settings) -> LogOptions {
    let format = if settings
        .simulation_log_format
        .trim()
        .eq_ignore_ascii_case("json")
    {
        LogFormat::Json
    } else {
        LogFormat::Pattern(settings.simulation_log_format.clone())
    };
    LogOptions {
        level: settings.simulation_log_level,
        format,
        file: settings.simulation_log_file.clone(),
    }
}

async fn run(config: logwriter::Config, log_warning: Option<String>) -> u8 {
    if let Some(warning) = log_warning {
        warn!("{warning}");
    }
    info!(
        "Starting logwriter {} with settings: {}",
        env!("CARGO_PKG_VERSION"),
        config.summary
    );
    for warning in &config.warnings {
        warn!("{warning}");
    }
    for note in &config.notes {
        info!("{note}");
    }
    let app = match LogWriter::build(config).await {
        Ok(app) => app,
        Err(error) => {
            error!("Cannot start: {error:#}");
            return 1;
        }
    };
    let shutdown = CancellationToken::new();
    let force = app.force_token();
    let signals = shutdown.clone();
    tokio::spawn(async move {
        common::shutdown::signal().await;
        signals.cancel();
        common::shutdown::signal().await;
        force.cancel();
    });
    u8::try_from(app.run_until_stopped(shutdown).await).unwrap_or(1)
}
