//! A small Prometheus registry both programs share, rendered in the text exposition format
//! 0.0.4. It is written by hand because it is small and the programs need only counters,
//! gauges and one histogram shape.
//!
//! # Use
//!
//! Register every metric **once at start-up**, keep the returned `Arc`s in the component
//! that updates them, and render the registry when scraped. Registering a name again returns
//! the metric already registered, so a reconnect path that re-registers changes nothing.
//!
//! ```
//! use common::metrics::Registry;
//!
//! let registry = Registry::default();
//! let stored = registry.counter("logwriter_messages_stored_total", "Messages stored.");
//! let invalid = registry.counter_vec(
//!     "logwriter_messages_invalid_total",
//!     "Messages stored as invalid, by reason.",
//!     ["reason"],
//! );
//! let buffered = registry.gauge("logwriter_buffered_messages", "Deliveries held unacked.");
//! let flush = registry.histogram("logwriter_flush_duration_seconds", "Time to store a batch.");
//!
//! stored.inc_by(3);
//! invalid.with_labels(["NotJson"]).inc();
//! buffered.set(12);
//! flush.observe(0.02);
//! assert!(registry.render().contains("logwriter_messages_stored_total 3\n"));
//! ```
//!
//! A lifecycle state is a [`Gauge`] whose help text lists the codes (for example
//! `0 starting, 1 consuming, 2 draining, 3 stopped`).
//!
//! **Label values must come from a small fixed set**: enum names, route templates, status
//! codes. Every distinct combination is kept for the life of the process, so a value taken
//! from input (a simulation id, a raw path) would grow memory and every scrape without bound.
//!
//! Names follow Prometheus: counters end in `_total`, durations are `_seconds`. Names are
//! `&'static str` on purpose: they are fixed in code, never built at run time.

mod family;
mod series;
mod text;

use std::any::Any;
use std::collections::btree_map::{BTreeMap, Entry};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

pub use family::{CounterVec, Family, GaugeVec, HistogramVec};
pub use series::{Counter, Gauge, Histogram, BUCKETS};

/// The `Content-Type` of [`Registry::render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// What the registry needs from a registered metric. `Any` lets a second registration of the
/// same name hand back the first metric with its concrete type.
trait Collect: Any + Send + Sync + fmt::Debug {
    /// `counter`, `gauge` or `histogram`.
    fn type_name(&self) -> &'static str;
    /// Appends the sample lines (not the `# HELP`/`# TYPE` lines).
    fn write(&self, name: &str, out: &mut String);
}

#[derive(Debug)]
struct Registered {
    help: &'static str,
    metric: Arc<dyn Collect>,
}

/// The metrics of one process, rendered in name order.
#[derive(Debug, Default)]
pub struct Registry {
    families: Mutex<BTreeMap<&'static str, Registered>>,
}

impl Registry {
    /// A counter without labels.
    pub fn counter(&self, name: &'static str, help: &'static str) -> Arc<Counter> {
        self.register(name, help, Counter::default)
    }

    /// A gauge without labels.
    pub fn gauge(&self, name: &'static str, help: &'static str) -> Arc<Gauge> {
        self.register(name, help, Gauge::default)
    }

    /// A histogram without labels, with the fixed [`BUCKETS`].
    pub fn histogram(&self, name: &'static str, help: &'static str) -> Arc<Histogram> {
        self.register(name, help, Histogram::default)
    }

    /// Counters keyed by the values of `labels` (see [`Family::with_labels`]).
    pub fn counter_vec<const N: usize>(
        &self,
        name: &'static str,
        help: &'static str,
        labels: [&'static str; N],
    ) -> Arc<CounterVec<N>> {
        self.register(name, help, || Family::new(labels))
    }

    /// Gauges keyed by the values of `labels`.
    pub fn gauge_vec<const N: usize>(
        &self,
        name: &'static str,
        help: &'static str,
        labels: [&'static str; N],
    ) -> Arc<GaugeVec<N>> {
        self.register(name, help, || Family::new(labels))
    }

    /// Histograms keyed by the values of `labels` (`le` is reserved).
    pub fn histogram_vec<const N: usize>(
        &self,
        name: &'static str,
        help: &'static str,
        labels: [&'static str; N],
    ) -> Arc<HistogramVec<N>> {
        self.register(name, help, || Family::new(labels))
    }

    /// Every metric in the text exposition format 0.0.4, families sorted by name.
    pub fn render(&self) -> String {
        let families = self.families.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = String::new();
        for (name, registered) in families.iter() {
            text::family_head(
                &mut out,
                name,
                registered.help,
                registered.metric.type_name(),
            );
            registered.metric.write(name, &mut out);
        }
        out
    }

    /// Adds `name`, or returns what is already registered under it. A name taken by another
    /// type is a programming error; the new metric then works but is not exported, and a
    /// warning says so, rather than stopping the program over its telemetry.
    fn register<M: Collect>(
        &self,
        name: &'static str,
        help: &'static str,
        make: impl FnOnce() -> M,
    ) -> Arc<M> {
        debug_assert!(text::is_metric_name(name), "invalid metric name {name:?}");
        let mut families = self.families.lock().unwrap_or_else(PoisonError::into_inner);
        match families.entry(name) {
            Entry::Vacant(slot) => {
                let metric = Arc::new(make());
                slot.insert(Registered {
                    help,
                    metric: metric.clone(),
                });
                metric
            }
            Entry::Occupied(slot) => {
                let existing: Arc<dyn Any + Send + Sync> = slot.get().metric.clone();
                existing.downcast::<M>().unwrap_or_else(|_| {
                    tracing::warn!(
                        metric = name,
                        "Metric name taken by another type; not exported."
                    );
                    Arc::new(make())
                })
            }
        }
    }
}

#[cfg(test)]
mod tests;
