//! The raw settings (docs/spec/logwriter.md §1.2): every variable of the original Python LogWriter
//! plus the `LOGWRITER_…` extensions, each also a flag. Values are parsed here; rules that
//! involve several settings, clamping and defaults derived from other values live in
//! [`crate::config`].

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use common::broker::{BrokerSettings, ExchangeFlags};
use common::config::{parse_bool, parse_float, parse_integer, parse_port, MongoSettings};
use common::telemetry::DEFAULT_PATTERN;
use secrecy::ExposeSecret as _;

/// Queue mode (docs/spec/logwriter.md §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueueMode {
    /// A named durable queue `logwriter.<exchange>`: nothing is lost across restarts.
    Durable,
    /// The original's server-named exclusive queue.
    Exclusive,
}

/// The type of the durable queue (x-queue-type), as declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueType {
    /// A replicated quorum queue: it keeps transient messages across broker restarts and
    /// node losses, but drops what a publisher without confirms sent just before closing.
    Quorum,
    /// A classic queue: it keeps everything its publishers send, but a broker restart drops
    /// the transient messages it holds, and it lives on one node of a cluster.
    Classic,
}

/// `LOGWRITER_QUEUE_TYPE`: the queue type, or `auto` (docs/operations.md, "Choosing the
/// queue type", has the measurements behind it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueueTypeChoice {
    /// Classic with one broker node, quorum when RABBITMQ_HOST lists several.
    Auto,
    /// Always a quorum queue.
    Quorum,
    /// Always a classic queue.
    Classic,
}

impl QueueTypeChoice {
    /// The type declared for a broker of `nodes` nodes.
    pub fn resolve(self, nodes: usize) -> QueueType {
        match self {
            Self::Quorum => QueueType::Quorum,
            Self::Classic => QueueType::Classic,
            Self::Auto if nodes > 1 => QueueType::Quorum,
            Self::Auto => QueueType::Classic,
        }
    }
}

/// logwriter's settings, as environment variables or flags (flag wins).
#[derive(Debug, Clone, Parser)]
#[command(name = "logwriter", version, about, max_term_width = 100)]
pub struct Settings {
    /// How to reach the broker (RABBITMQ_HOST, _PORT, _LOGIN, _PASSWORD, _SSL, _SSL_VERSION,
    /// _SSL_CA_FILE).
    #[command(flatten)]
    pub broker: BrokerSettings,
    /// The run's topic exchange (required).
    #[arg(long, env = "RABBITMQ_EXCHANGE")]
    pub rabbitmq_exchange: Option<String>,
    /// How the exchange is declared (RABBITMQ_EXCHANGE_AUTODELETE, _DURABLE).
    #[command(flatten)]
    pub exchange: ExchangeFlags,
    /// Queue mode: durable or exclusive (extension).
    #[arg(
        long,
        env = "LOGWRITER_QUEUE_MODE",
        default_value = "durable",
        ignore_case = true
    )]
    pub logwriter_queue_mode: QueueMode,
    /// Type of the durable queue: auto (classic on one node, quorum on a cluster), quorum
    /// or classic. A quorum queue drops messages that a publisher without confirms sent just
    /// before closing; a classic queue loses its transient messages when the broker restarts
    /// and stops with its node (extension; see docs/operations.md).
    #[arg(
        long,
        env = "LOGWRITER_QUEUE_TYPE",
        default_value = "auto",
        ignore_case = true
    )]
    pub logwriter_queue_type: QueueTypeChoice,
    /// Durable queue name, at most 255 bytes [default: logwriter.<RABBITMQ_EXCHANGE>].
    #[arg(long, env = "LOGWRITER_QUEUE")]
    pub logwriter_queue: Option<String>,
    /// Durable queue x-expires in seconds, 0-4294967; 0 means no expiry (extension).
    #[arg(long, env = "LOGWRITER_QUEUE_EXPIRES", default_value = "86400",
          value_parser = parse_expires)]
    pub logwriter_queue_expires: u32,
    /// Requested prefetch count, 0-65535; raised to 2 x MESSAGE_BUFFER_MAX_DOCUMENTS
    /// (extension).
    #[arg(long, env = "LOGWRITER_PREFETCH", default_value = "0", value_parser = parse_prefetch)]
    pub logwriter_prefetch: u16,
    /// Time limit in seconds of the drain after SIGTERM/SIGINT, and of emptying the queue
    /// after the run's stopped (extension).
    #[arg(long, env = "LOGWRITER_SHUTDOWN_TIMEOUT", default_value = "8",
          value_parser = parse_positive_float)]
    pub logwriter_shutdown_timeout: f64,
    /// Batches (1-64) being written at once while the next deliveries are handled; 1 writes
    /// one batch after another (extension).
    #[arg(long, env = "LOGWRITER_MAX_IN_FLIGHT", default_value = "1",
          value_parser = parse_max_in_flight)]
    pub logwriter_max_in_flight: usize,
    /// Port of the /health, /ready and /metrics endpoints, 1-65535; unset means no HTTP
    /// listener (extension).
    #[arg(long, env = "LOGWRITER_HTTP_PORT", value_parser = parse_port)]
    pub logwriter_http_port: Option<u16>,
    /// Address the HTTP endpoints listen on; only used with LOGWRITER_HTTP_PORT (extension).
    #[arg(long, env = "LOGWRITER_HTTP_HOST", default_value = "0.0.0.0")]
    pub logwriter_http_host: String,
    /// MongoDB connection and collections.
    #[command(flatten)]
    pub mongo: MongoSettings,
    /// MongoDB client application name.
    #[arg(long, env = "MONGODB_APPNAME", default_value = "log_writer")]
    pub mongodb_appname: String,
    /// Accepted for compatibility; dates are always UTC instants.
    #[arg(long, env = "MONGODB_TZ_AWARE", default_value = "true", value_parser = parse_bool,
          num_args = 0..=1, default_missing_value = "true")]
    pub mongodb_tz_aware: bool,
    /// Flush a simulation's buffer at this many documents (clamped to 1-32767).
    #[arg(long, env = "MESSAGE_BUFFER_MAX_DOCUMENTS", default_value = "20",
          value_parser = parse_integer, allow_hyphen_values = true)]
    pub message_buffer_max_documents: i64,
    /// Longest time in seconds a document waits in a buffer (negative is clamped to 0).
    #[arg(long, env = "MESSAGE_BUFFER_MAX_INTERVAL", default_value = "10.0",
          value_parser = parse_float, allow_hyphen_values = true)]
    pub message_buffer_max_interval: f64,
    /// Run simulation id for invalid messages [default: the first valid message's].
    #[arg(long, env = "SIMULATION_ID")]
    pub simulation_id: Option<String>,
    /// Period in seconds of the statistics block; 0 or less disables it.
    #[arg(long, env = "STATISTICS_DISPLAY_INTERVAL", default_value = "60",
          value_parser = parse_integer, allow_hyphen_values = true)]
    pub statistics_display_interval: i64,
    /// Log threshold: Python logging number or DEBUG/INFO/WARNING/ERROR/CRITICAL.
    #[arg(long, env = "SIMULATION_LOG_LEVEL", default_value = "20",
          value_parser = common::telemetry::parse_python_level)]
    pub simulation_log_level: tracing::level_filters::LevelFilter,
    /// Also append log lines to this file.
    #[arg(long, env = "SIMULATION_LOG_FILE")]
    pub simulation_log_file: Option<PathBuf>,
    /// Text line format with %(asctime)s, %(levelname)s, %(message)s, %(name)s; or json.
    #[arg(long, env = "SIMULATION_LOG_FORMAT", default_value = DEFAULT_PATTERN)]
    pub simulation_log_format: String,
}

fn parse_expires(value: &str) -> Result<u32, String> {
    let seconds = parse_integer(value)?;
    u32::try_from(seconds)
        .ok()
        .filter(|s| *s <= 4_294_967)
        .ok_or_else(|| format!("expected 0-4294967 seconds, got '{value}'"))
}

fn parse_prefetch(value: &str) -> Result<u16, String> {
    let count = parse_integer(value)?;
    u16::try_from(count).map_err(|_| format!("expected 0-65535, got '{value}'"))
}

fn parse_max_in_flight(value: &str) -> Result<usize, String> {
    let count = parse_integer(value)?;
    usize::try_from(count)
        .ok()
        .filter(|count| (1..=64).contains(count))
        .ok_or_else(|| format!("expected 1-64 batches, got '{value}'"))
}

fn parse_positive_float(value: &str) -> Result<f64, String> {
    let seconds = parse_float(value)?;
    if seconds > 0.0 {
        Ok(seconds)
    } else {
        Err(format!("expected a number of seconds > 0, got '{value}'"))
    }
}

impl Settings {
    /// Parses the process arguments and environment, treating empty variables as unset. On an
    /// invalid value, returns the one-line message for stderr. For `--help` and `--version`
    /// clap prints and exits.
    pub fn parse_environment() -> Result<Self, String> {
        use clap::CommandFactory;
        common::config::unset_empty_variables(&Self::command());
        Self::try_parse().map_err(|error| match error.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                error.exit()
            }
            _ => first_line(&error.to_string()),
        })
    }
}

/// The first non-empty line of a clap error, so configuration errors are one line.
pub fn first_line(text: &str) -> String {
    text.lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(text)
        .to_owned()
}

impl Settings {
    /// The effective settings for the start-up INFO line, with every secret as `***`.
    pub(crate) fn summary(
        &self,
        nodes: &str,
        prefetch: u16,
        documents: usize,
        interval: Duration,
    ) -> String {
        let secret = |s: &str| if s.is_empty() { "''" } else { "***" };
        format!(
            "rabbitmq={} login='{}' password={} ssl={} exchange='{}' exchange_durable={} \
             exchange_autodelete={} queue_mode={:?} queue_type={:?} queue={:?} queue_expires={} prefetch={prefetch} \
             shutdown_timeout={}s max_in_flight={} http={} {} appname='{}' buffer_documents={documents} \
             buffer_interval={}s simulation_id={:?} statistics_interval={} log_level={} \
             log_file={:?} log_format='{}'",
            nodes,
            self.broker.rabbitmq_login,
            secret(self.broker.rabbitmq_password.expose_secret()),
            self.broker.rabbitmq_ssl,
            self.rabbitmq_exchange.as_deref().unwrap_or(""),
            self.exchange.rabbitmq_exchange_durable,
            self.exchange.rabbitmq_exchange_autodelete,
            self.logwriter_queue_mode,
            self.logwriter_queue_type,
            self.logwriter_queue,
            self.logwriter_queue_expires,
            self.logwriter_shutdown_timeout,
            self.logwriter_max_in_flight,
            self.logwriter_http_port.map_or_else(
                || "off".to_owned(),
                |port| format!("{}:{port}", self.logwriter_http_host)
            ),
            self.mongo.redacted(),
            self.mongodb_appname,
            interval.as_secs_f64(),
            self.simulation_id,
            self.statistics_display_interval,
            self.simulation_log_level,
            self.simulation_log_file,
            self.simulation_log_format,
        )
    }
}
