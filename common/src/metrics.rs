//! Prometheus metrics of both programs on `prometheus-client`: buckets, naming, text format.
//!
//! # Use
//!
//! Register every metric **once at start-up** with [`register`], keep the handles (they are
//! cheap clones sharing one value) in the component that updates them, and [`render`] the
//! registry when scraped.
//!
//! ```
//! use common::metrics::{register, render, Counter, Family, Gauge, Histogram, Registry};
//!
//! let mut registry = Registry::default();
//! let stored = Counter::default();
//! register(&mut registry, "logwriter_messages_stored_total", "Messages stored.", stored.clone());
//! let invalid = Family::<[(&str, &str); 1], Counter>::default();
//! register(
//!     &mut registry,
//!     "logwriter_messages_invalid_total",
//!     "Messages stored as invalid, by reason.",
//!     invalid.clone(),
//! );
//! let buffered = Gauge::default();
//! register(&mut registry, "logwriter_buffered_messages", "Deliveries held unacked.", buffered.clone());
//! let flush = Histogram::default();
//! register(&mut registry, "logwriter_flush_duration_seconds", "Time to store a batch.", flush.clone());
//!
//! stored.inc_by(3);
//! invalid.get_or_create(&[("reason", "not-json")]).inc();
//! buffered.set(12);
//! flush.observe(0.02);
//! assert!(render(&registry).contains("logwriter_messages_stored_total 3\n"));
//! ```
//!
//! A lifecycle state is a [`Family`] of gauges with one label, one series per state, set to 1
//! for the current one.
//!
//! **Label values must come from a small fixed set**: enum names, route templates, status
//! codes. Every distinct combination is kept for the life of the process, so a value taken
//! from input (a simulation id, a raw path) would grow memory and every scrape without bound.
//!
//! Names follow Prometheus: counters end in `_total`, durations are `_seconds`. Callers give
//! the exported name and help text exactly as scraped; [`register`] adapts them to the
//! crate's conventions. The text is format 0.0.4 ([`CONTENT_TYPE`]); families appear in
//! registration order, and the series of a labelled family in no fixed order.

use std::time::Duration;

use prometheus_client::encoding::{prometheus_text, EncodeMetric, MetricEncoder};
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::Metric;

pub use prometheus_client::metrics::family::Family;
pub use prometheus_client::registry::Registry;

/// A value that only goes up, updated with relaxed atomics.
pub type Counter = prometheus_client::metrics::counter::Counter<u64>;
/// A value that goes up and down: a level (buffered documents) or a state flag.
pub type Gauge = prometheus_client::metrics::gauge::Gauge<i64>;

/// The `Content-Type` of [`render`]'s output. The crate's own constant adds
/// `; charset=utf-8`; the programs have always answered without it.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// Upper bounds of the histogram buckets, in seconds (`+Inf` is implicit). They span a fast
/// HTTP answer (1 ms) to a slow batch store (10 s).
pub const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Adds `metric` to `registry` under its exported `name` and `help`. The encoder appends
/// `_total` to a counter's name and a full stop to every help text, so both are taken off
/// here: the names and texts in the code are the ones a scrape shows.
pub fn register(
    registry: &mut Registry,
    name: &'static str,
    help: &'static str,
    metric: impl Metric,
) {
    let name = match metric.metric_type() {
        MetricType::Counter => {
            debug_assert!(name.ends_with("_total"), "counter {name:?} without _total");
            name.strip_suffix("_total").unwrap_or(name)
        }
        _ => name,
    };
    debug_assert!(help.ends_with('.'), "help of {name:?} without a full stop");
    registry.register(name, help.strip_suffix('.').unwrap_or(help), metric);
}

/// Every registered metric in the text exposition format 0.0.4.
pub fn render(registry: &Registry) -> String {
    let mut text = String::new();
    // Writing to a String cannot fail; only a metric that cannot be encoded can, and then
    // the scrape shows what was encoded before it.
    if let Err(error) = prometheus_text::encode(&mut text, registry) {
        tracing::warn!(error = %error, "A metric could not be rendered.");
    }
    text
}

/// A histogram of seconds with the fixed [`BUCKETS`]. A non-finite observation is dropped:
/// it would turn `_sum` into `NaN` or `Inf` for the rest of the process.
#[derive(Debug, Clone)]
pub struct Histogram(prometheus_client::metrics::histogram::Histogram);

impl Default for Histogram {
    fn default() -> Self {
        Self(prometheus_client::metrics::histogram::Histogram::new(
            BUCKETS,
        ))
    }
}

impl Histogram {
    /// Records one observation, in seconds.
    pub fn observe(&self, seconds: f64) {
        if seconds.is_finite() {
            self.0.observe(seconds);
        }
    }

    /// Records an elapsed time.
    pub fn observe_duration(&self, elapsed: Duration) {
        self.observe(elapsed.as_secs_f64());
    }
}

impl TypedMetric for Histogram {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for Histogram {
    fn encode(&self, encoder: MetricEncoder<'_>) -> Result<(), std::fmt::Error> {
        self.0.encode(encoder)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests;
