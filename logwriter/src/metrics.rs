//! What the HTTP endpoints show (`http.rs`): the lifecycle state and the Prometheus metrics.
//!
//! Every value is updated in place by the consumer: `prometheus-client` atomics, and for the
//! histogram a mutex held only to add one observation or copy the buckets. So a scrape never waits for the
//! consumer's work and the consumer never waits for a scrape. The counters mirror
//! [`crate::core::state::Totals`] and are bumped at the same places.

mod reasons;

use std::sync::atomic::{AtomicU8, Ordering};

use common::document::InvalidReason;
use common::metrics::{register, Counter, Family, Gauge, Histogram, Registry};

use crate::core::lifecycle::allowed;
pub use crate::core::lifecycle::Lifecycle;

/// The registry and the handles the writer updates. Each handle shares its value with the
/// registry, so updating it is what the next scrape shows.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    state: AtomicU8,
    state_gauges: [Gauge; 4],
    /// Deliveries received.
    pub consumed: Counter,
    /// Valid documents stored.
    pub stored_valid: Counter,
    /// Invalid documents stored.
    pub stored_invalid: Counter,
    invalid: [Counter; reasons::REASONS.len()],
    /// Duplicate `_id`s (already stored).
    pub duplicates: Counter,
    /// Retried MongoDB attempts.
    pub flush_retries: Counter,
    /// Broker reconnections.
    pub reconnects: Counter,
    /// Documents in the buffers and the pending list.
    pub buffered: Gauge,
    /// Deliveries received and not yet acknowledged.
    pub unacknowledged: Gauge,
    /// Message numbers that never arrived, found at the run's stop.
    pub missing: Gauge,
    /// The effective prefetch count, set at start-up.
    pub prefetch: Gauge,
    /// Deliveries with parts a strict AMQP parser refuses.
    pub unusual: Counter,
    /// Frames from RabbitMQ the AMQP parser could not read.
    pub unparsable: Counter,
    /// Time to store one batch, retries included.
    pub flush_duration: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// One label, its values fixed in code.
type Labels = [(&'static str, &'static str); 1];

impl Metrics {
    /// Registers every metric at zero, in state `connecting`. Every label value is known
    /// here, so scrapes show the whole set from the start and none is created later.
    /// Families are registered in name order, so a scrape lists them sorted.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let buffered = Gauge::default();
        register(
            &mut registry,
            "logwriter_buffered_documents",
            "Documents waiting in the buffers to be written.",
            buffered.clone(),
        );
        let duplicates = Counter::default();
        register(
            &mut registry,
            "logwriter_duplicates_total",
            "Documents already stored (duplicate _id), not stored again.",
            duplicates.clone(),
        );
        let flush_duration = Histogram::default();
        register(
            &mut registry,
            "logwriter_flush_duration_seconds",
            "Time to store one batch, retries included.",
            flush_duration.clone(),
        );
        let flush_retries = Counter::default();
        register(
            &mut registry,
            "logwriter_flush_retries_total",
            "MongoDB operations retried after a failure.",
            flush_retries.clone(),
        );
        let consumed = Counter::default();
        register(
            &mut registry,
            "logwriter_messages_consumed_total",
            "Deliveries received from RabbitMQ, redeliveries included.",
            consumed.clone(),
        );
        let invalid = Family::<Labels, Counter>::default();
        register(
            &mut registry,
            "logwriter_messages_invalid_total",
            "Invalid documents stored, by reason code.",
            invalid.clone(),
        );
        let stored = Family::<Labels, Counter>::default();
        register(
            &mut registry,
            "logwriter_messages_stored_total",
            "Documents stored, by collection kind.",
            stored.clone(),
        );
        let missing = Gauge::default();
        register(
            &mut registry,
            "logwriter_missing_messages",
            "Message numbers of the run's processes that never arrived, found at the stop.",
            missing.clone(),
        );
        let prefetch = Gauge::default();
        register(
            &mut registry,
            "logwriter_prefetch",
            "Effective prefetch count: the most deliveries RabbitMQ sends before acknowledgements.",
            prefetch.clone(),
        );
        let reconnects = Counter::default();
        register(
            &mut registry,
            "logwriter_reconnects_total",
            "RabbitMQ reconnections after a connection or channel loss.",
            reconnects.clone(),
        );
        let states = Family::<Labels, Gauge>::default();
        register(
            &mut registry,
            "logwriter_state",
            "1 for the current lifecycle state, 0 for the others.",
            states.clone(),
        );
        let unacknowledged = Gauge::default();
        register(
            &mut registry,
            "logwriter_unacknowledged_deliveries",
            "Deliveries received and not yet acknowledged.",
            unacknowledged.clone(),
        );
        let unparsable = Counter::default();
        register(
            &mut registry,
            "logwriter_unparsable_frames_total",
            "Frames from RabbitMQ the AMQP parser could not read; the delivery stays queued.",
            unparsable.clone(),
        );
        let unusual = Counter::default();
        register(
            &mut registry,
            "logwriter_unusual_deliveries_total",
            "Deliveries with a short string that is not UTF-8 or headers nested too deep, stored with them.",
            unusual.clone(),
        );
        let series = |family: &Family<Labels, Counter>, label, value| {
            family.get_or_create_owned(&[(label, value)])
        };
        let metrics = Self {
            registry,
            state: AtomicU8::new(Lifecycle::Connecting as u8),
            state_gauges: Lifecycle::ALL
                .map(|state| states.get_or_create_owned(&[("state", state.as_str())])),
            consumed,
            stored_valid: series(&stored, "collection", "valid"),
            stored_invalid: series(&stored, "collection", "invalid"),
            invalid: reasons::REASONS.map(|reason| series(&invalid, "reason", reason.code())),
            duplicates,
            flush_retries,
            reconnects,
            buffered,
            unacknowledged,
            missing,
            prefetch,
            unusual,
            unparsable,
            flush_duration,
        };
        metrics.publish_state(Lifecycle::Connecting);
        metrics
    }

    /// Every metric in the Prometheus text format, for `/metrics`.
    pub fn render(&self) -> String {
        common::metrics::render(&self.registry)
    }

    /// The current lifecycle state.
    pub fn state(&self) -> Lifecycle {
        Lifecycle::from_code(self.state.load(Ordering::Acquire))
    }

    /// Moves to `next`. Draining and stopped are final phases: once in them, the process
    /// never goes back to connecting or consuming (a session that opens while a signal
    /// drain starts must not report `consuming` again), and stopped is never left.
    pub fn set_state(&self, next: Lifecycle) {
        let moved = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |code| {
                let current = Lifecycle::from_code(code);
                allowed(current, next).then_some(next as u8)
            });
        if moved.is_ok() {
            self.publish_state(next);
        }
    }

    /// Sets the state gauges. They are separate atomics, so a scrape racing a transition
    /// may see two states at 1 (or none) for an instant; `/health` reads the single atomic.
    fn publish_state(&self, current: Lifecycle) {
        for (state, gauge) in Lifecycle::ALL.iter().zip(&self.state_gauges) {
            gauge.set(i64::from(*state == current));
        }
    }

    /// Counts an invalid document stored with `reason`.
    pub fn count_invalid(&self, reason: InvalidReason) {
        self.stored_invalid.inc();
        self.invalid[reasons::index(reason)].inc();
    }

    /// Publishes the deliveries not yet acknowledged and the documents buffered.
    pub fn publish_levels(&self, unacknowledged: u64, buffered: u64) {
        let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.unacknowledged.set(gauge(unacknowledged));
        self.buffered.set(gauge(buffered));
    }
}

#[cfg(test)]
mod tests;
