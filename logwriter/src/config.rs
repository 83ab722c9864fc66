//! Validated configuration: the rules of docs/spec/logwriter.md §1.1–§1.2 that go beyond parsing one
//! value (required exchange, TLS versions, queue name length, clamping, effective prefetch,
//! the normalised run simulation id). A [`Config`] is ready to use; building it does no I/O
//! apart from reading the CA file.

use std::time::Duration;

use common::config::MongoSettings;

use crate::settings::{QueueMode, QueueType, Settings};

pub use common::broker::{Endpoint, ExchangeFlags, Node, Tls};
pub use common::config::ConfigError;

/// Upper clamp of MESSAGE_BUFFER_MAX_DOCUMENTS.
pub const MAX_BUFFER_DOCUMENTS: i64 = 32767;

/// Longest effective MESSAGE_BUFFER_MAX_INTERVAL (one year).
const MAX_INTERVAL: Duration = Duration::from_secs(365 * 24 * 3600);

/// How the queue is declared (§2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Queue {
    /// Named, durable, with `x-expires` in milliseconds when non-zero.
    Durable {
        /// Queue name.
        name: String,
        /// `x-expires` in milliseconds; 0 means none.
        expires_ms: u64,
        /// `x-queue-type`.
        kind: QueueType,
    },
    /// Server-named, exclusive, auto-delete.
    Exclusive,
}

/// Broker settings, validated.
#[derive(Debug, Clone)]
pub struct Broker {
    /// The nodes, the credentials and TLS.
    pub endpoint: Endpoint,
    /// The run's topic exchange.
    pub exchange: String,
    /// How the exchange is declared.
    pub exchange_flags: ExchangeFlags,
    /// Queue declaration.
    pub queue: Queue,
    /// Effective prefetch count.
    pub prefetch: u16,
}

/// The whole validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Broker side.
    pub broker: Broker,
    /// MongoDB side.
    pub mongo: MongoSettings,
    /// MongoDB application name.
    pub app_name: String,
    /// Effective MESSAGE_BUFFER_MAX_DOCUMENTS.
    pub max_documents: usize,
    /// Effective MESSAGE_BUFFER_MAX_INTERVAL.
    pub max_interval: Duration,
    /// LOGWRITER_SHUTDOWN_TIMEOUT.
    pub shutdown_timeout: Duration,
    /// LOGWRITER_MAX_IN_FLIGHT: batches written at once.
    pub max_in_flight: usize,
    /// `(LOGWRITER_HTTP_HOST, LOGWRITER_HTTP_PORT)` of the health and metrics endpoints;
    /// `None` when the port is unset (no listener).
    pub http: Option<(String, u16)>,
    /// Run simulation id from SIMULATION_ID (normalised when it parses).
    pub run_simulation_id: Option<String>,
    /// Statistics period; `None` disables the periodic block.
    pub statistics_interval: Option<Duration>,
    /// WARN lines to log once logging is set up (clamped values).
    pub warnings: Vec<String>,
    /// INFO lines to log once logging is set up (raised prefetch, URI overrides).
    pub notes: Vec<String>,
    /// The effective settings for the start-up line, secrets as `***`.
    pub summary: String,
}

/// `min(65535, max(requested, 2 × buffer))`: acks wait for a whole batch to be stored, so a
/// window smaller than two batches would stall the consumer until the deadline fires.
pub fn effective_prefetch(requested: u16, max_documents: usize) -> u16 {
    let floor = max_documents.saturating_mul(2).min(65535) as u16;
    requested.max(floor)
}

impl Settings {
    /// Applies the cross-setting rules and clamps; the error names the variable.
    pub fn validate(self) -> Result<Config, ConfigError> {
        let exchange = self.rabbitmq_exchange.clone().unwrap_or_default();
        if exchange.is_empty() {
            return Err(ConfigError::new(
                "RABBITMQ_EXCHANGE",
                "",
                "the run's exchange must be set",
            ));
        }
        let endpoint = self.broker.endpoint()?;
        let queue = self.queue(&exchange, endpoint.nodes.len())?;
        let mut warnings = Vec::new();
        let max_documents = clamp_documents(self.message_buffer_max_documents, &mut warnings);
        let max_interval = clamp_interval(self.message_buffer_max_interval, &mut warnings);
        let prefetch = effective_prefetch(self.logwriter_prefetch, max_documents);
        let mut notes = Vec::new();
        if prefetch != self.logwriter_prefetch {
            notes.push(format!(
                "Prefetch raised from {} to {prefetch}.",
                self.logwriter_prefetch
            ));
        }
        let overridden = self.mongo.overridden_by_uri();
        if !overridden.is_empty() {
            notes.push(format!(
                "MONGODB_URI is set; ignoring {}.",
                overridden.join(", ")
            ));
        }
        let run_simulation_id = self
            .simulation_id
            .as_deref()
            .map(|id| common::time::normalise(id).unwrap_or_else(|| id.to_owned()));
        let statistics_interval = u64::try_from(self.statistics_display_interval)
            .ok()
            .filter(|s| *s > 0)
            .map(Duration::from_secs);
        let shown: Vec<String> = endpoint.nodes.iter().map(Node::to_string).collect();
        let summary = self.summary(&shown.join(","), prefetch, max_documents, max_interval);
        Ok(Config {
            broker: Broker {
                endpoint,
                exchange,
                exchange_flags: self.exchange,
                queue,
                prefetch,
            },
            mongo: self.mongo,
            app_name: self.mongodb_appname,
            max_documents,
            max_interval,
            shutdown_timeout: Duration::from_secs_f64(self.logwriter_shutdown_timeout),
            max_in_flight: self.logwriter_max_in_flight,
            http: self
                .logwriter_http_port
                .map(|port| (self.logwriter_http_host.trim().to_owned(), port)),
            run_simulation_id,
            statistics_interval,
            warnings,
            notes,
            summary,
        })
    }

    fn queue(&self, exchange: &str, nodes: usize) -> Result<Queue, ConfigError> {
        if self.logwriter_queue_mode == QueueMode::Exclusive {
            return Ok(Queue::Exclusive);
        }
        let (name, variable) = match &self.logwriter_queue {
            Some(name) => (name.clone(), "LOGWRITER_QUEUE"),
            None => (format!("logwriter.{exchange}"), "RABBITMQ_EXCHANGE"),
        };
        if name.len() > 255 {
            let reason = "the queue name would exceed 255 bytes; set LOGWRITER_QUEUE";
            return Err(ConfigError::new(variable, &name, reason));
        }
        Ok(Queue::Durable {
            name,
            expires_ms: u64::from(self.logwriter_queue_expires) * 1000,
            kind: self.logwriter_queue_type.resolve(nodes),
        })
    }
}

fn clamp_documents(value: i64, warnings: &mut Vec<String>) -> usize {
    let clamped = value.clamp(1, MAX_BUFFER_DOCUMENTS);
    if clamped != value {
        warnings.push(format!(
            "MESSAGE_BUFFER_MAX_DOCUMENTS={value} is out of range; using {clamped}."
        ));
    }
    clamped as usize
}

fn clamp_interval(value: f64, warnings: &mut Vec<String>) -> Duration {
    if value < 0.0 {
        warnings.push(format!(
            "MESSAGE_BUFFER_MAX_INTERVAL={value} is out of range; using 0."
        ));
        return Duration::ZERO;
    }
    // Anything beyond a year means "never" in practice, and keeps deadline arithmetic finite.
    Duration::try_from_secs_f64(value)
        .unwrap_or(MAX_INTERVAL)
        .min(MAX_INTERVAL)
}

#[cfg(test)]
mod tests;
