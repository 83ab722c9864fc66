//! logwriter records one SimCES simulation run: it binds a queue to the run's RabbitMQ topic
//! exchange and stores every delivery in MongoDB, at least once and never twice (the `_id` of
//! each document is a hash of the routing key and body, so a redelivery is a no-op).
//!
//! # Layout
//!
//! * [`settings`]: the raw settings (environment variables and flags), [`config`]: the
//!   validated configuration.
//! * [`app`]: [`LogWriter::build`] and [`LogWriter::run_until_stopped`], the only place that
//!   wires the broker, the store and the signal deadline together.
//! * [`broker`]: lapin connection, topology and reconnection with backoff.
//! * [`consumer`]: the loop: next delivery or deadline → handle → flush → ack.
//! * [`writer`]: handling one delivery (classification via `common::document`, state,
//!   buffering); [`flush`]: writing a buffer with retries and fallbacks;
//!   [`metadata`]: the metadata document.
//! * Pure cores: [`buffer`] (buffers and flush triggers), [`ack`] (the ack watermark),
//!   [`backoff`] (the retry schedule), [`state`] (per-simulation state and counters),
//!   [`stats`] (the statistics block), [`error`] (error classification).
//! * [`rejected`]: documents the server refuses (§7.5) and the FerretDB pre-check;
//!   [`indexes`]: index creation; [`retry`]: retry bookkeeping.
//! * [`store`]: single MongoDB operations with classified errors; [`tls`]: the broker TLS
//!   configuration (allowed protocol versions, trusted roots).
//! * [`metrics`]: the lifecycle state and Prometheus metrics; [`http`]: `/health`, `/ready`
//!   and `/metrics` when LOGWRITER_HTTP_PORT is set.

pub mod ack;
pub mod app;
pub mod backoff;
pub mod broker;
pub mod buffer;
pub mod config;
pub mod consumer;
pub mod error;
pub mod flush;
pub mod http;
pub mod indexes;
pub mod metadata;
pub mod metrics;
pub mod rejected;
pub mod retry;
pub mod settings;
pub mod state;
pub mod stats;
pub mod store;
pub mod tls;
pub mod writer;

pub use app::LogWriter;
pub use config::Config;
pub use settings::Settings;
/// The shutdown token [`LogWriter::run_until_stopped`] takes.
pub use tokio_util::sync::CancellationToken;
