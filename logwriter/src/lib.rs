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
//! * [`core`], the pure parts: [`core::writer`] (the writer's state and the decisions that
//!   need no I/O), [`core::buffer`] (buffers and flush triggers), [`core::ack`]
//!   (the ack watermark), [`core::backoff`] (the retry delays), [`core::retry`] (the retry
//!   bookkeeping the database side keeps), [`core::state`] (per-simulation state and
//!   counters), [`core::stats`] (the statistics block),
//!   [`core::gaps`] (message numbers that never arrived), [`core::drain`] (emptying the queue
//!   after the run's `stopped`), [`core::ending`] (the ordered steps of a stop, a signal and
//!   a lost channel), [`core::refusal`] (which server refuses which document
//!   before the insert), [`core::metadata`] (the metadata update documents),
//!   [`core::lifecycle`] (the lifecycle states and their transitions), [`core::batch`] (a
//!   flush planned as inserts, their retries and the fallbacks of a refused document).
//! * [`io`], the edges: [`io::broker`] (lapin connection, topology, reconnection over the
//!   cluster's nodes; settings, TLS and connecting are `common::broker`'s), [`io::store`] (single
//!   MongoDB operations) with [`io::error`] (their classification), [`io::http`]
//!   (`/health`, `/ready` and `/metrics` when LOGWRITER_HTTP_PORT is set).
//! * The loop that drives them: [`event_loop`] (one `select!` over every wait of a run:
//!   connecting, the next delivery, deadlines, writes finished, the signal → handle → ack),
//!   [`finish`] (carrying out how consuming ends), [`driver`] (`core::writer` and the
//!   database side, carrying out the core's decisions; one delivery: classification via
//!   `common::document`, state, buffering),
//!   [`flush`] (writing a buffer: inserts, counting, the fallbacks of refused documents),
//!   [`writes`] (the batches in flight and the metadata upserts waiting for them),
//!   [`database`] (every database step with the one retry loop, index creation) and
//!   [`metadata`] (the metadata upsert and the final recount), [`metrics`] (the published
//!   lifecycle state and Prometheus metrics).
//!
//! The layers point one way: `core` names no I/O crate and no module outside it; `io`
//! names only `core`, the configuration and `metrics`; the top-level modules form no cycle.
//! A test on the source text (`layering.rs`) keeps it so.

pub mod app;
pub mod config;
pub mod core;
pub mod database;
pub mod driver;
pub mod event_loop;
pub mod finish;
pub mod flush;
pub mod io;
#[cfg(test)]
mod layering;
pub mod metadata;
pub mod metrics;
pub mod settings;
pub mod writes;
pub use app::LogWriter;
pub use config::Config;
pub use settings::Settings;
/// The shutdown token [`LogWriter::run_until_stopped`] takes.
pub use tokio_util::sync::CancellationToken;
