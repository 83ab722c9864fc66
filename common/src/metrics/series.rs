//! The single time series: [`Counter`], [`Gauge`] and [`Histogram`].

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::{text, Collect};

/// Upper bounds of the histogram buckets, in seconds (`+Inf` is implicit). They span a fast
/// HTTP answer (1 ms) to a slow batch store (10 s).
pub const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A value that only goes up. Updates are relaxed atomics: each counter stands alone, so no
/// ordering with other memory is needed.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// Adds `amount`.
    pub fn inc_by(&self, amount: u64) {
        self.0.fetch_add(amount, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down: a level (buffered messages) or a state code.
#[derive(Debug, Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    /// Replaces the value.
    pub fn set(&self, value: i64) {
        self.0.store(value, Ordering::Relaxed);
    }

    /// Adds `delta` (which may be negative).
    pub fn add(&self, delta: i64) {
        self.0.fetch_add(delta, Ordering::Relaxed);
    }

    /// Adds one.
    pub fn inc(&self) {
        self.add(1);
    }

    /// Subtracts one.
    pub fn dec(&self) {
        self.add(-1);
    }

    /// The current value.
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Observations in seconds, counted into [`BUCKETS`]. One mutex guards all fields so a scrape
/// never sees a `_count` that disagrees with the `+Inf` bucket.
#[derive(Debug, Default)]
pub struct Histogram(Mutex<Buckets>);

#[derive(Debug, Default, Clone, Copy)]
struct Buckets {
    /// Per bucket, not cumulative; observations above the last bound are only in `count`.
    hits: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    /// Records one observation. A non-finite value is dropped: it would turn `_sum` into
    /// `NaN` or `Inf` for the rest of the process.
    pub fn observe(&self, seconds: f64) {
        if !seconds.is_finite() {
            return;
        }
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            state.hits[bucket] += 1;
        }
        state.count += 1;
        state.sum += seconds;
    }

    /// Records an elapsed time.
    pub fn observe_duration(&self, elapsed: Duration) {
        self.observe(elapsed.as_secs_f64());
    }

    /// How many observations were recorded.
    pub fn count(&self) -> u64 {
        self.snapshot().count
    }

    /// The sum of the observations, in seconds.
    pub fn sum(&self) -> f64 {
        self.snapshot().sum
    }

    fn snapshot(&self) -> Buckets {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A lone series is collected with no labels.
impl<T: Labelled> Collect for T {
    fn type_name(&self) -> &'static str {
        T::TYPE
    }

    fn write(&self, name: &str, out: &mut String) {
        self.write_labelled(name, &[], out);
    }
}

/// A series that can be written with a family's labels.
pub(super) trait Labelled: Default + Send + Sync + std::fmt::Debug + 'static {
    /// The family's `# TYPE`.
    const TYPE: &'static str;
    /// Appends the sample lines under `labels`.
    fn write_labelled(&self, name: &str, labels: &[(&str, &str)], out: &mut String);
}

impl Labelled for Counter {
    const TYPE: &'static str = "counter";
    fn write_labelled(&self, name: &str, labels: &[(&str, &str)], out: &mut String) {
        text::sample(out, name, "", labels, None, self.get());
    }
}

impl Labelled for Gauge {
    const TYPE: &'static str = "gauge";
    fn write_labelled(&self, name: &str, labels: &[(&str, &str)], out: &mut String) {
        text::sample(out, name, "", labels, None, self.get());
    }
}

impl Labelled for Histogram {
    const TYPE: &'static str = "histogram";
    fn write_labelled(&self, name: &str, labels: &[(&str, &str)], out: &mut String) {
        let state = self.snapshot();
        let mut cumulative = 0;
        for (bound, hits) in BUCKETS.iter().zip(state.hits) {
            cumulative += hits;
            let le = text::float(*bound);
            text::sample(out, name, "_bucket", labels, Some(&le), cumulative);
        }
        text::sample(out, name, "_bucket", labels, Some("+Inf"), state.count);
        text::sample(out, name, "_sum", labels, None, text::float(state.sum));
        text::sample(out, name, "_count", labels, None, state.count);
    }
}
