//! The exact text the registry renders.

use std::sync::Arc;

use super::{text, Registry, CONTENT_TYPE};

#[test]
fn unlabelled_counter_and_gauge_render_help_type_and_value() {
    let registry = Registry::default();
    let stored = registry.counter("writer_stored_total", "Messages stored.");
    let buffered = registry.gauge("writer_buffered", "Deliveries held.");
    stored.inc();
    stored.inc_by(4);
    buffered.set(7);
    buffered.dec();
    buffered.add(-10);
    assert_eq!(
        registry.render(),
        "# HELP writer_buffered Deliveries held.\n\
         # TYPE writer_buffered gauge\n\
         writer_buffered -4\n\
         # HELP writer_stored_total Messages stored.\n\
         # TYPE writer_stored_total counter\n\
         writer_stored_total 5\n"
    );
}

#[test]
fn labelled_counters_are_sorted_and_escaped() {
    let registry = Registry::default();
    let requests = registry.counter_vec("http_total", "Requests.", ["route", "status"]);
    requests.with_labels(["/b", "200"]).inc();
    requests.with_labels(["/a", "404"]).inc_by(2);
    requests.with_labels(["/b", "200"]).inc();
    requests.with_labels(["q\"\\\n", "500"]).inc();
    assert_eq!(
        registry.render(),
        "# HELP http_total Requests.\n\
         # TYPE http_total counter\n\
         http_total{route=\"/a\",status=\"404\"} 2\n\
         http_total{route=\"/b\",status=\"200\"} 2\n\
         http_total{route=\"q\\\"\\\\\\n\",status=\"500\"} 1\n"
    );
}

#[test]
fn histogram_buckets_are_cumulative_with_inf_sum_and_count() {
    let registry = Registry::default();
    let flush = registry.histogram("flush_seconds", "Flush time.");
    // Binary fractions, so the sum is exact.
    for seconds in [0.0009765625, 0.25, 0.5, 16.0] {
        flush.observe(seconds);
    }
    let expected = "# HELP flush_seconds Flush time.\n\
         # TYPE flush_seconds histogram\n\
         flush_seconds_bucket{le=\"0.001\"} 1\n\
         flush_seconds_bucket{le=\"0.0025\"} 1\n\
         flush_seconds_bucket{le=\"0.005\"} 1\n\
         flush_seconds_bucket{le=\"0.01\"} 1\n\
         flush_seconds_bucket{le=\"0.025\"} 1\n\
         flush_seconds_bucket{le=\"0.05\"} 1\n\
         flush_seconds_bucket{le=\"0.1\"} 1\n\
         flush_seconds_bucket{le=\"0.25\"} 2\n\
         flush_seconds_bucket{le=\"0.5\"} 3\n\
         flush_seconds_bucket{le=\"1\"} 3\n\
         flush_seconds_bucket{le=\"2.5\"} 3\n\
         flush_seconds_bucket{le=\"5\"} 3\n\
         flush_seconds_bucket{le=\"10\"} 3\n\
         flush_seconds_bucket{le=\"+Inf\"} 4\n\
         flush_seconds_sum 16.7509765625\n\
         flush_seconds_count 4\n";
    assert_eq!(registry.render(), expected);
    assert_eq!(flush.count(), 4);
    assert_eq!(flush.sum(), 16.7509765625);
}

#[test]
fn labelled_histogram_puts_le_after_the_family_labels() {
    let registry = Registry::default();
    let latency = registry.histogram_vec("latency_seconds", "Latency.", ["route"]);
    latency
        .with_labels(["/x"])
        .observe_duration(std::time::Duration::from_millis(2));
    let text = registry.render();
    assert!(text.contains("latency_seconds_bucket{route=\"/x\",le=\"0.001\"} 0\n"));
    assert!(text.contains("latency_seconds_bucket{route=\"/x\",le=\"0.0025\"} 1\n"));
    assert!(text.contains("latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 1\n"));
    assert!(text.contains("latency_seconds_sum{route=\"/x\"} 0.002\n"));
    assert!(text.contains("latency_seconds_count{route=\"/x\"} 1\n"));
}

#[test]
fn non_finite_observations_are_dropped() {
    let registry = Registry::default();
    let histogram = registry.histogram("h_seconds", "H.");
    histogram.observe(f64::NAN);
    histogram.observe(f64::INFINITY);
    histogram.observe(1.0);
    assert_eq!(histogram.count(), 1);
    assert!(registry
        .render()
        .contains("h_seconds_sum 1\nh_seconds_count 1\n"));
}

#[test]
fn a_family_without_series_renders_only_its_header() {
    let registry = Registry::default();
    let _state = registry.gauge_vec("state", "Line one\nback\\slash.", ["name"]);
    assert_eq!(
        registry.render(),
        "# HELP state Line one\\nback\\\\slash.\n# TYPE state gauge\n"
    );
}

#[test]
fn registering_a_name_again_returns_the_same_metric() {
    let registry = Registry::default();
    let first = registry.counter("retries_total", "Retries.");
    let second = registry.counter("retries_total", "Retries.");
    assert!(Arc::ptr_eq(&first, &second));
    let vec = registry.counter_vec("invalid_total", "Invalid.", ["reason"]);
    let again = registry.counter_vec("invalid_total", "Invalid.", ["reason"]);
    assert!(Arc::ptr_eq(&vec, &again));
    assert!(Arc::ptr_eq(
        &vec.with_labels(["NotJson"]),
        &again.with_labels(["NotJson"])
    ));
}

#[test]
fn a_name_taken_by_another_type_is_not_exported_twice() {
    let registry = Registry::default();
    registry.counter("clash", "Counter.").inc();
    let gauge = registry.gauge("clash", "Gauge.");
    gauge.set(9);
    assert_eq!(gauge.get(), 9);
    assert_eq!(
        registry.render(),
        "# HELP clash Counter.\n# TYPE clash counter\nclash 1\n"
    );
}

#[test]
fn floats_use_prometheus_spelling() {
    assert_eq!(text::float(1.0), "1");
    assert_eq!(text::float(0.0025), "0.0025");
    assert_eq!(text::float(f64::INFINITY), "+Inf");
    assert_eq!(text::float(f64::NEG_INFINITY), "-Inf");
    assert_eq!(text::float(f64::NAN), "NaN");
}

#[test]
fn names_follow_the_prometheus_grammar() {
    assert!(text::is_metric_name("logreader_http_requests_total"));
    assert!(text::is_metric_name("ns:rule_total"));
    assert!(!text::is_metric_name("9lives"));
    assert!(!text::is_metric_name("has-dash"));
    assert!(!text::is_metric_name(""));
    assert!(text::is_label_name("route"));
    assert!(!text::is_label_name("le"));
    assert!(!text::is_label_name("__name"));
    assert!(!text::is_label_name("a:b"));
}

#[test]
fn content_type_is_the_text_format_version() {
    assert_eq!(CONTENT_TYPE, "text/plain; version=0.0.4");
}
