//! Settings of logreader (docs/spec/logreader.md §2): every variable is also a flag, parsed once in
//! `main` and passed down. Invalid values stop start-up with clap's message (exit code 2),
//! which names the variable through the value placeholder (`<LOGREADER_PORT>`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use clap::Parser;
use common::config::{parse_bool, parse_integer, parse_seconds, MongoSettings};
use common::telemetry::LogFormat;
use tracing::level_filters::LevelFilter;

use crate::replay::ReplaySettings;

/// Default client application name reported to MongoDB.
pub const DEFAULT_APP_NAME: &str = "LogReader";

/// Everything logreader can be configured with.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "logreader",
    version,
    about = "HTTP read and export API over the SimCES simulation logs.",
    long_about = "HTTP read and export API over the SimCES simulation logs. Without a command \
                  it serves the API; `logreader replay` publishes a stored run to an exchange."
)]
pub struct Settings {
    /// Serve the API (no command), or another task.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// MongoDB connection and collection names.
    #[command(flatten)]
    pub mongo: MongoSettings,
    /// Client application name reported to MongoDB [default: LogReader].
    #[arg(long, env = "MONGODB_APPNAME")]
    pub mongodb_appname: Option<String>,
    /// Listen address: `*` for every interface (IPv6 dual-stack, else IPv4), or a host/IP.
    #[arg(long, env = "LOGREADER_HOST", default_value = "*")]
    pub logreader_host: String,
    /// Listen port (0-65535); 0 picks a free port.
    #[arg(long, env = "LOGREADER_PORT", default_value = "8080", value_parser = parse_listen_port)]
    pub logreader_port: u16,
    /// DEBUG logging when true, INFO otherwise.
    #[arg(long, env = "LOGREADER_DEBUG", default_value = "false", value_parser = parse_bool,
          num_args = 0..=1, default_missing_value = "true")]
    pub logreader_debug: bool,
    /// One Apache combined-format access-log line per request.
    #[arg(long, env = "LOGREADER_ACCESS_LOGGING", default_value = "true", value_parser = parse_bool,
          num_args = 0..=1, default_missing_value = "true")]
    pub logreader_access_logging: bool,
    /// CORS origins: unset for none, `*` for any, or a comma-separated list of exact origins.
    #[arg(long, env = "LOGREADER_CORS_ORIGINS")]
    pub logreader_cors_origins: Option<String>,
    /// Seconds (0.1-3600) a connection may wait for the first byte of a request, after it
    /// opens or after its last response; then it is closed.
    #[arg(long, env = "LOGREADER_IDLE_TIMEOUT", default_value = "60", value_parser = parse_seconds)]
    pub logreader_idle_timeout: f64,
    /// Seconds (0.1-3600) from the first byte of a request to the end of its head; a client
    /// slower than that is disconnected.
    #[arg(long, env = "LOGREADER_REQUEST_HEAD_TIMEOUT", default_value = "10",
          value_parser = parse_seconds)]
    pub logreader_request_head_timeout: f64,
    /// Seconds (0.1-3600) from the end of a request's head to the start of its response (a
    /// streamed body may take longer); then the answer is a 503.
    #[arg(long, env = "LOGREADER_REQUEST_TIMEOUT", default_value = "120",
          value_parser = parse_seconds)]
    pub logreader_request_timeout: f64,
    /// Seconds (0.001-3600) of database work each query may take (its `maxTimeMS`); then the
    /// answer is a 503, or a streamed body is cut off.
    #[arg(long, env = "LOGREADER_QUERY_TIMEOUT", default_value = "60",
          value_parser = parse_query_timeout)]
    pub logreader_query_timeout: f64,
    /// MiB (0-65536) of memory for the health boards of finished runs, so a board is read
    /// from the database once (0: none kept).
    #[arg(long, env = "LOGREADER_BOARD_CACHE", default_value = "32", value_parser = parse_board_cache)]
    pub logreader_board_cache: u64,
    /// Runs (0-1000): the boards of this many runs that finished last (latest `EndTime`) are
    /// computed in the background before anyone asks for them (0: only when asked).
    #[arg(long, env = "LOGREADER_BOARD_WARMUP", default_value = "4",
          value_parser = parse_board_warmup)]
    pub logreader_board_warmup: u32,
    /// Log line format: `text` or `json`.
    #[arg(long, env = "LOGREADER_LOG_FORMAT", default_value = "text", value_parser = parse_log_format)]
    pub logreader_log_format: LogFormatSetting,
}

/// The tasks besides serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Publish a stored run's valid messages to a topic exchange, in stored order, each
    /// with its Topic as routing key and a body the writer stores as the same document.
    /// Exit code 0 when every message reached a queue, 1 otherwise, 2 on a bad setting.
    Replay(ReplaySettings),
}

/// The two values of `LOGREADER_LOG_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormatSetting {
    /// The Python-logging style text line.
    Text,
    /// One JSON object per line.
    Json,
}

/// The CORS policy selected by `LOGREADER_CORS_ORIGINS` (docs/spec/logreader.md §13.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// No CORS headers at all.
    Off,
    /// Every origin (`*`).
    Any,
    /// Exactly these origins.
    List(Vec<String>),
}

impl Settings {
    /// Threshold selected by `LOGREADER_DEBUG`.
    pub fn log_level(&self) -> LevelFilter {
        if self.logreader_debug {
            LevelFilter::DEBUG
        } else {
            LevelFilter::INFO
        }
    }

    /// The telemetry line layout.
    pub fn log_format(&self) -> LogFormat {
        match self.logreader_log_format {
            LogFormatSetting::Json => LogFormat::Json,
            LogFormatSetting::Text => {
                LogFormat::Pattern(common::telemetry::DEFAULT_PATTERN.to_owned())
            }
        }
    }

    /// The CORS policy; blank entries of the list are ignored.
    pub fn cors_origins(&self) -> CorsOrigins {
        let Some(value) = self.logreader_cors_origins.as_deref() else {
            return CorsOrigins::Off;
        };
        let origins: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(str::to_owned)
            .collect();
        if origins.iter().any(|origin| origin == "*") {
            CorsOrigins::Any
        } else if origins.is_empty() {
            CorsOrigins::Off
        } else {
            CorsOrigins::List(origins)
        }
    }

    /// Addresses to try in order: `*` is `[::]` (dual-stack) and then `0.0.0.0`.
    pub fn listen_hosts(&self) -> Vec<String> {
        if self.logreader_host == "*" {
            vec![
                IpAddr::V6(Ipv6Addr::UNSPECIFIED).to_string(),
                IpAddr::V4(Ipv4Addr::UNSPECIFIED).to_string(),
            ]
        } else {
            vec![self.logreader_host.clone()]
        }
    }

    /// One line describing the effective settings, secrets redacted.
    pub fn redacted(&self) -> String {
        format!(
            "{} appname={} host={} port={} debug={} access_logging={} cors_origins={} \
             idle_timeout={}s request_head_timeout={}s request_timeout={}s query_timeout={}s \
             board_cache={}MiB board_warmup={} log_format={:?}",
            self.mongo.redacted(),
            self.mongodb_appname.as_deref().unwrap_or(DEFAULT_APP_NAME),
            self.logreader_host,
            self.logreader_port,
            self.logreader_debug,
            self.logreader_access_logging,
            self.logreader_cors_origins.as_deref().unwrap_or("(off)"),
            self.logreader_idle_timeout,
            self.logreader_request_head_timeout,
            self.logreader_request_timeout,
            self.logreader_query_timeout,
            self.logreader_board_cache,
            self.logreader_board_warmup,
            self.logreader_log_format,
        )
    }
}

/// Listen port: an integer 0–65535 (0 picks a free port).
fn parse_listen_port(value: &str) -> Result<u16, String> {
    let port = parse_integer(value)?;
    u16::try_from(port).map_err(|_| format!("expected a port number 0-65535, got '{value}'"))
}

/// `LOGREADER_QUERY_TIMEOUT`: 0.001 to 3600 seconds, because `maxTimeMS` counts milliseconds.
fn parse_query_timeout(value: &str) -> Result<f64, String> {
    let seconds = common::config::parse_float(value)?;
    if (0.001..=3600.0).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(format!(
            "expected seconds from 0.001 to 3600, got '{value}'"
        ))
    }
}

/// `LOGREADER_BOARD_CACHE`: 0 to 65536 MiB.
fn parse_board_cache(value: &str) -> Result<u64, String> {
    let mib = parse_integer(value)?;
    u64::try_from(mib)
        .ok()
        .filter(|mib| *mib <= 65_536)
        .ok_or_else(|| format!("expected MiB from 0 to 65536, got '{value}'"))
}

/// `LOGREADER_BOARD_WARMUP`: 0 to 1000 runs.
fn parse_board_warmup(value: &str) -> Result<u32, String> {
    let runs = parse_integer(value)?;
    u32::try_from(runs)
        .ok()
        .filter(|runs| *runs <= 1000)
        .ok_or_else(|| format!("expected a number of runs from 0 to 1000, got '{value}'"))
}

fn parse_log_format(value: &str) -> Result<LogFormatSetting, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormatSetting::Text),
        "json" => Ok(LogFormatSetting::Json),
        _ => Err(format!("expected text or json, got '{value}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Settings, clap::Error> {
        Settings::try_parse_from(std::iter::once("logreader").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_follow_the_spec() {
        let settings = parse(&[]).unwrap();
        assert_eq!(settings.logreader_host, "*");
        assert_eq!(settings.logreader_port, 8080);
        assert!(!settings.logreader_debug);
        assert!(settings.logreader_access_logging);
        assert_eq!(settings.cors_origins(), CorsOrigins::Off);
        assert_eq!(settings.logreader_log_format, LogFormatSetting::Text);
        assert_eq!(settings.listen_hosts(), ["::", "0.0.0.0"]);
        assert_eq!(settings.logreader_request_timeout, 120.0);
        assert_eq!(settings.logreader_board_cache, 32);
        assert_eq!(settings.logreader_board_warmup, 4);
        assert_eq!(settings.logreader_query_timeout, 60.0);
    }

    #[test]
    fn invalid_values_are_errors_that_name_the_variable() {
        for args in [
            &["--logreader-port", "65536"][..],
            &["--logreader-port", "x"],
            &["--logreader-debug", "yes"],
            &["--logreader-log-format", "xml"],
            &["--logreader-request-timeout", "0"],
            &["--logreader-query-timeout", "0.0001"],
            &["--logreader-board-cache", "1.5"],
            &["--logreader-board-cache", "65537"],
            &["--logreader-board-warmup", "soon"],
            &["--logreader-board-warmup", "1001"],
        ] {
            let error = parse(args).unwrap_err();
            assert_eq!(error.exit_code(), 2);
            let variable = args[0]
                .trim_start_matches("--")
                .replace('-', "_")
                .to_uppercase();
            assert!(error.to_string().contains(&variable), "{error}");
        }
        assert_eq!(parse(&["--logreader-port", "0"]).unwrap().logreader_port, 0);
        let off = parse(&["--logreader-board-cache", "0"]).unwrap();
        assert_eq!(off.logreader_board_cache, 0);
        assert!(
            parse(&["--logreader-debug", "TRUE"])
                .unwrap()
                .logreader_debug
        );
    }

    #[test]
    fn cors_origins_are_parsed() {
        let any = parse(&["--logreader-cors-origins", "*"]).unwrap();
        assert_eq!(any.cors_origins(), CorsOrigins::Any);
        let list = parse(&[
            "--logreader-cors-origins",
            "https://a.example, http://localhost:3000",
        ])
        .unwrap();
        assert_eq!(
            list.cors_origins(),
            CorsOrigins::List(vec![
                "https://a.example".into(),
                "http://localhost:3000".into()
            ])
        );
    }
}
