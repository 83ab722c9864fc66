//! The exact text the programs' metrics render as, through `prometheus-client`.

use std::time::Duration;

use super::{register, render, Counter, Family, Gauge, Histogram, Registry, CONTENT_TYPE};

/// The sample lines of `text` (no `#` lines), sorted: a family's series have no fixed order.
fn sorted_samples(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    lines.sort_unstable();
    lines
}

#[test]
fn unlabelled_counter_and_gauge_render_help_type_and_value() {
    let mut registry = Registry::default();
    let buffered = Gauge::default();
    register(
        &mut registry,
        "writer_buffered",
        "Deliveries held.",
        buffered.clone(),
    );
    let stored = Counter::default();
    register(
        &mut registry,
        "writer_stored_total",
        "Messages stored.",
        stored.clone(),
    );
    stored.inc();
    stored.inc_by(4);
    buffered.set(7);
    buffered.dec();
    buffered.dec_by(10);
    assert_eq!(
        render(&registry),
        "# HELP writer_buffered Deliveries held.\n\
         # TYPE writer_buffered gauge\n\
         writer_buffered -4\n\
         # HELP writer_stored_total Messages stored.\n\
         # TYPE writer_stored_total counter\n\
         writer_stored_total 5\n"
    );
}

#[test]
fn labelled_counters_keep_the_label_order_and_are_escaped() {
    let mut registry = Registry::default();
    let requests = Family::<[(&str, &str); 2], Counter>::default();
    register(&mut registry, "http_total", "Requests.", requests.clone());
    requests
        .get_or_create(&[("route", "/b"), ("status", "200")])
        .inc();
    requests
        .get_or_create(&[("route", "/a"), ("status", "404")])
        .inc_by(2);
    requests
        .get_or_create(&[("route", "/b"), ("status", "200")])
        .inc();
    requests
        .get_or_create(&[("route", "q\"\\\n"), ("status", "500")])
        .inc();
    let text = render(&registry);
    assert!(
        text.starts_with("# HELP http_total Requests.\n# TYPE http_total counter\n"),
        "{text}"
    );
    assert_eq!(
        sorted_samples(&text),
        [
            "http_total{route=\"/a\",status=\"404\"} 2",
            "http_total{route=\"/b\",status=\"200\"} 2",
            "http_total{route=\"q\\\"\\\\\\n\",status=\"500\"} 1",
        ]
    );
}

#[test]
fn histogram_buckets_are_cumulative_with_inf_sum_and_count() {
    let mut registry = Registry::default();
    let flush = Histogram::default();
    register(&mut registry, "flush_seconds", "Flush time.", flush.clone());
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
    assert_eq!(render(&registry), expected);
}

#[test]
fn labelled_histogram_puts_le_after_the_family_labels() {
    let mut registry = Registry::default();
    let latency = Family::<[(&str, &str); 1], Histogram>::default();
    register(
        &mut registry,
        "latency_seconds",
        "Latency.",
        latency.clone(),
    );
    latency
        .get_or_create(&[("route", "/x")])
        .observe_duration(Duration::from_millis(2));
    let text = render(&registry);
    for line in [
        "latency_seconds_bucket{route=\"/x\",le=\"0.001\"} 0\n",
        "latency_seconds_bucket{route=\"/x\",le=\"0.0025\"} 1\n",
        "latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 1\n",
        "latency_seconds_sum{route=\"/x\"} 0.002\n",
        "latency_seconds_count{route=\"/x\"} 1\n",
    ] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }
}

#[test]
fn non_finite_observations_are_dropped() {
    let mut registry = Registry::default();
    let histogram = Histogram::default();
    register(&mut registry, "h_seconds", "H.", histogram.clone());
    histogram.observe(f64::NAN);
    histogram.observe(f64::INFINITY);
    histogram.observe(1.0);
    let text = render(&registry);
    // The crate spells a whole float with a fraction: `1.0`, which Prometheus reads as 1.
    assert!(
        text.contains("h_seconds_bucket{le=\"+Inf\"} 1\nh_seconds_sum 1.0\nh_seconds_count 1\n"),
        "{text}"
    );
}

#[test]
fn help_is_escaped_and_a_family_shows_once_it_has_a_series() {
    let mut registry = Registry::default();
    let state = Family::<[(&str, &str); 1], Gauge>::default();
    register(
        &mut registry,
        "state",
        "Line one\nback\\slash.",
        state.clone(),
    );
    assert_eq!(render(&registry), "", "no series yet, no header");
    state.get_or_create(&[("name", "a")]).set(1);
    assert_eq!(
        render(&registry),
        "# HELP state Line one\\nback\\\\slash.\n# TYPE state gauge\nstate{name=\"a\"} 1\n"
    );
}

#[test]
fn a_clone_is_a_handle_on_the_same_series() {
    let mut registry = Registry::default();
    let retries = Counter::default();
    register(&mut registry, "retries_total", "Retries.", retries.clone());
    let handle = retries.clone();
    handle.inc();
    assert_eq!(retries.get(), 1);
    let invalid = Family::<[(&str, &str); 1], Counter>::default();
    register(&mut registry, "invalid_total", "Invalid.", invalid.clone());
    let kept = invalid.get_or_create_owned(&[("reason", "not-json")]);
    kept.inc_by(2);
    assert_eq!(invalid.get_or_create(&[("reason", "not-json")]).get(), 2);
    assert!(render(&registry).contains("invalid_total{reason=\"not-json\"} 2\n"));
}

#[test]
fn content_type_is_the_text_format_version() {
    assert_eq!(CONTENT_TYPE, "text/plain; version=0.0.4");
}
