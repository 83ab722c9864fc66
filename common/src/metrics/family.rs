//! Labelled metrics: one series per combination of label values.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::series::{Counter, Gauge, Histogram, Labelled};
use super::{text, Collect};

/// Counters keyed by `N` label values.
pub type CounterVec<const N: usize> = Family<Counter, N>;
/// Gauges keyed by `N` label values.
pub type GaugeVec<const N: usize> = Family<Gauge, N>;
/// Histograms keyed by `N` label values.
pub type HistogramVec<const N: usize> = Family<Histogram, N>;

/// A metric with `N` labels whose names are fixed at registration. The label count is part
/// of the type, so a call with the wrong number of values does not compile.
#[derive(Debug)]
pub struct Family<T, const N: usize> {
    labels: [&'static str; N],
    /// Sorted, so every scrape lists the series in the same order.
    series: Mutex<BTreeMap<[String; N], Arc<T>>>,
}

impl<T: Default, const N: usize> Family<T, N> {
    pub(super) fn new(labels: [&'static str; N]) -> Self {
        debug_assert!(
            labels.iter().all(|label| text::is_label_name(label)),
            "invalid label name in {labels:?}"
        );
        Self {
            labels,
            series: Mutex::new(BTreeMap::new()),
        }
    }

    /// The series for these label values, created at zero on first use. Keep the `Arc` when
    /// the values are known in advance; look it up per event otherwise. The values must come
    /// from a small fixed set (see the [module docs](super)).
    pub fn with_labels(&self, values: [&str; N]) -> Arc<T> {
        let key = values.map(str::to_owned);
        let mut series = self.series.lock().unwrap_or_else(PoisonError::into_inner);
        series.entry(key).or_default().clone()
    }
}

impl<T: Labelled, const N: usize> Collect for Family<T, N> {
    fn type_name(&self) -> &'static str {
        T::TYPE
    }

    fn write(&self, name: &str, out: &mut String) {
        let series = self.series.lock().unwrap_or_else(PoisonError::into_inner);
        for (values, metric) in series.iter() {
            let labels: Vec<(&str, &str)> = self
                .labels
                .iter()
                .copied()
                .zip(values.iter().map(String::as_str))
                .collect();
            metric.write_labelled(name, &labels, out);
        }
    }
}
