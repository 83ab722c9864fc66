//! Logging set-up, the only place a tracing subscriber is installed (docs/spec/logwriter.md §13,
//! docs/spec/logreader.md §14).
//!
//! Lines go to stdout and, when a log file is configured, to that file as well, each through
//! `tracing-appender`'s non-blocking writer (a background thread per destination). The text
//! layout is a Python-logging style pattern (`%(asctime)s --- %(levelname)8s --- %(message)s`)
//! so operators' existing log parsing keeps working; `json` gives one object per line.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::path::PathBuf;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::writer::MakeWriterExt as _;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// The original writer's default line layout.
pub const DEFAULT_PATTERN: &str = "%(asctime)s --- %(levelname)8s --- %(message)s";

/// How log lines look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogFormat {
    /// A Python-logging style pattern with `%(asctime)s`, `%(levelname)s` (optionally with a
    /// width, right-aligned), `%(message)s` and `%(name)s`; other text is copied.
    Pattern(String),
    /// One JSON object per line: timestamp, level, target, message and the fields.
    Json,
}

/// What [`init`] installs.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// Threshold; `RUST_LOG`, when set, replaces it.
    pub level: LevelFilter,
    /// Line layout.
    pub format: LogFormat,
    /// Also append lines to this file.
    pub file: Option<PathBuf>,
}

/// Keeps the logging threads of [`init`] running. Dropping it writes out every line logged
/// so far (waiting up to about a second) and stops them, so hold it in `main` until the
/// process ends, and drop it before any `std::process::exit`.
#[must_use = "dropping the guard stops logging"]
#[derive(Debug)]
pub struct LogGuard {
    _stdout: WorkerGuard,
    _file: Option<WorkerGuard>,
}

/// Installs the global subscriber. Lines are formatted on the calling thread and written by
/// a background thread per destination (stdout, the log file), so a slow terminal or disk
/// never stalls the caller beyond a full queue; none is dropped (the queue is not lossy).
/// Returns the guard that flushes them, and a warning to log when the log file could not
/// be opened (logging then continues on stdout only). Calling it twice keeps the first
/// set-up, which is what in-process tests need.
pub fn init(options: LogOptions) -> (LogGuard, Option<String>) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => EnvFilter::new(directives),
        _ => EnvFilter::default().add_directive(options.level.into()),
    };
    let (file, warning) = match &options.file {
        None => (None, None),
        Some(path) => match OpenOptions::new().create(true).append(true).open(path) {
            Ok(file) => (Some(file), None),
            Err(error) => (
                None,
                Some(format!(
                    "Cannot open log file {}: {error}; logging to stdout only.",
                    path.display()
                )),
            ),
        },
    };
    let (stdout, stdout_guard) = non_blocking("log-stdout", std::io::stdout());
    let file_guard = match file {
        None => {
            install(filter, options.format, stdout);
            None
        }
        Some(file) => {
            let (file, guard) = non_blocking("log-file", file);
            install(filter, options.format, stdout.and(file));
            Some(guard)
        }
    };
    let guard = LogGuard {
        _stdout: stdout_guard,
        _file: file_guard,
    };
    (guard, warning)
}

/// A writer thread for `destination` that never drops a line: a full queue makes the
/// logging thread wait instead.
fn non_blocking(
    name: &str,
    destination: impl std::io::Write + Send + 'static,
) -> (NonBlocking, WorkerGuard) {
    NonBlockingBuilder::default()
        .lossy(false)
        .thread_name(name)
        .finish(destination)
}

/// Sets the global subscriber, unless one is already set (a second in-process start in
/// tests, which is fine).
fn install<W>(filter: EnvFilter, format: LogFormat, writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let result = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Pattern(pattern) => builder.event_format(PatternFormat { pattern }).try_init(),
    };
    drop(result);
}

/// Maps the Python logging numbers of SIMULATION_LOG_LEVEL (or a level name) to a filter:
/// ≤ 10 DEBUG, 11–20 INFO, 21–30 WARN, ≥ 31 ERROR.
pub fn parse_python_level(value: &str) -> Result<LevelFilter, String> {
    let trimmed = value.trim();
    if let Ok(number) = crate::config::parse_integer(trimmed) {
        return Ok(match number {
            i64::MIN..=10 => LevelFilter::DEBUG,
            11..=20 => LevelFilter::INFO,
            21..=30 => LevelFilter::WARN,
            _ => LevelFilter::ERROR,
        });
    }
    match trimmed.to_ascii_uppercase().as_str() {
        "DEBUG" => Ok(LevelFilter::DEBUG),
        "INFO" => Ok(LevelFilter::INFO),
        "WARNING" | "WARN" => Ok(LevelFilter::WARN),
        "ERROR" | "CRITICAL" => Ok(LevelFilter::ERROR),
        _ => Err(format!(
            "expected a level number or DEBUG/INFO/WARNING/ERROR/CRITICAL, got '{value}'"
        )),
    }
}

/// Renders events with a Python-logging style pattern.
#[derive(Debug)]
struct PatternFormat {
    pattern: String,
}

impl<S, N> FormatEvent<S, N> for PatternFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let mut message = MessageVisitor::default();
        event.record(&mut message);
        let meta = event.metadata();
        let now = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3f")
            .to_string();
        let line = render_pattern(
            &self.pattern,
            &now,
            level_name(*meta.level()),
            meta.target(),
            &message.text(),
        );
        writeln!(writer, "{line}")
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::ERROR => "ERROR",
        Level::WARN => "WARNING",
        Level::INFO => "INFO",
        _ => "DEBUG",
    }
}

/// Substitutes the placeholders of a pattern; unknown text is copied literally.
pub fn render_pattern(
    pattern: &str,
    asctime: &str,
    level: &str,
    name: &str,
    message: &str,
) -> String {
    let mut out = String::with_capacity(pattern.len() + message.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("%(") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(close) = after.find(')') else { break };
        let key = &after[..close];
        let spec = &after[close + 1..];
        let width_len = spec
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'-')
            .count();
        if spec.as_bytes().get(width_len) != Some(&b's') {
            out.push_str(&rest[start..start + 2]);
            rest = after;
            continue;
        }
        let value = match key {
            "asctime" => asctime,
            "levelname" => level,
            "message" => message,
            "name" => name,
            _ => {
                out.push_str(&rest[start..start + 2]);
                rest = after;
                continue;
            }
        };
        let width: i64 = spec[..width_len].parse().unwrap_or(0);
        let pad = (width.unsigned_abs() as usize).saturating_sub(value.chars().count());
        if width > 0 {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(value);
        if width < 0 {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        rest = &spec[width_len + 1..];
    }
    out.push_str(rest);
    out
}

/// Collects the message and the structured fields (`key=value`, after the message).
#[derive(Debug, Default)]
struct MessageVisitor {
    message: String,
    fields: String,
}

impl MessageVisitor {
    fn text(&self) -> String {
        if self.fields.is_empty() {
            self.message.clone()
        } else {
            format!("{}{}", self.message, self.fields)
        }
    }
}

impl Visit for MessageVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pattern_matches_the_original_layout() {
        let line = render_pattern(
            DEFAULT_PATTERN,
            "2020-06-03T04:01:52.345",
            "INFO",
            "x",
            "Hello",
        );
        assert_eq!(line, "2020-06-03T04:01:52.345 ---     INFO --- Hello");
    }

    #[test]
    fn pattern_supports_name_left_alignment_and_literal_text() {
        let line = render_pattern(
            "[%(name)s] %(levelname)-8s|%(message)s %(other)s 100%",
            "t",
            "WARNING",
            "mod",
            "m",
        );
        assert_eq!(line, "[mod] WARNING |m %(other)s 100%");
    }

    #[test]
    fn python_levels_map_to_filters() {
        assert_eq!(parse_python_level("10"), Ok(LevelFilter::DEBUG));
        assert_eq!(parse_python_level("20"), Ok(LevelFilter::INFO));
        assert_eq!(parse_python_level("11"), Ok(LevelFilter::INFO));
        assert_eq!(parse_python_level("30"), Ok(LevelFilter::WARN));
        assert_eq!(parse_python_level("31"), Ok(LevelFilter::ERROR));
        assert_eq!(parse_python_level("warning"), Ok(LevelFilter::WARN));
        assert_eq!(parse_python_level("Critical"), Ok(LevelFilter::ERROR));
        assert!(parse_python_level("loud").is_err());
    }
}
