//! Shared ground of the SimCES logging system: the pure rules both programs follow, and the
//! small amount of I/O set-up they share.
//!
//! # Layout
//!
//! * [`time`]: the writer datetime grammar (docs/spec/messages.md §3) and the reader's wider ISO 8601
//!   grammar for query parameters and block `TimeIndex` items (docs/spec/logreader.md §5.2).
//! * [`json`]: the message JSON parser (docs/spec/messages.md §4.1): `NaN`/`Infinity`, integers of any
//!   size, last-wins duplicate keys, a depth limit.
//! * [`classify`]: valid / valid generic / invalid, with the reason (docs/spec/messages.md §4).
//! * [`document`]: the stored documents (docs/spec/messages.md §5–§6): deterministic `_id`, valid and
//!   invalid shapes, and the checks for documents MongoDB would refuse.
//! * [`topic`]: AMQP topic pattern to an anchored, linear-time regular expression.
//! * [`schema`]: collection names, field names and index definitions.
//! * [`config`]: clap settings fragments shared by both programs and the shared value parsers.
//! * [`broker`]: the RabbitMQ connection settings, cluster nodes, TLS and connecting to a node.
//! * [`mongo`]: builds a MongoDB client from the settings.
//! * [`metrics`]: Prometheus metrics on `prometheus-client`: the shared buckets, naming and
//!   the text format.
//! * [`telemetry`] and [`shutdown`]: logging set-up and the stop signal.
#![warn(missing_docs)]

pub mod broker;
pub mod classify;
pub mod config;
pub mod document;
pub mod json;
pub mod metrics;
pub mod mongo;
pub mod schema;
pub mod shutdown;
pub mod telemetry;
pub mod time;
pub mod topic;
