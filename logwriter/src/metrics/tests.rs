use super::*;

#[test]
fn a_new_registry_is_connecting_with_every_series_at_zero() {
    let metrics = Metrics::new();
    assert_eq!(metrics.state(), Lifecycle::Connecting);
    let text = metrics.registry.render();
    for line in [
        "logwriter_state{state=\"connecting\"} 1\n",
        "logwriter_state{state=\"consuming\"} 0\n",
        "logwriter_state{state=\"stopped\"} 0\n",
        "logwriter_messages_consumed_total 0\n",
        "logwriter_messages_stored_total{collection=\"valid\"} 0\n",
        "logwriter_messages_stored_total{collection=\"invalid\"} 0\n",
        "logwriter_messages_invalid_total{reason=\"not-json\"} 0\n",
        "logwriter_messages_invalid_total{reason=\"server-rejected\"} 0\n",
        "logwriter_duplicates_total 0\n",
        "logwriter_flush_retries_total 0\n",
        "logwriter_reconnects_total 0\n",
        "logwriter_buffered_documents 0\n",
        "logwriter_unacknowledged_deliveries 0\n",
        "logwriter_flush_duration_seconds_count 0\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn the_state_gauges_follow_the_lifecycle() {
    let metrics = Metrics::new();
    metrics.set_state(Lifecycle::Consuming);
    let text = metrics.registry.render();
    assert!(text.contains("logwriter_state{state=\"connecting\"} 0\n"));
    assert!(text.contains("logwriter_state{state=\"consuming\"} 1\n"));
    metrics.set_state(Lifecycle::Connecting);
    assert_eq!(metrics.state(), Lifecycle::Connecting, "a reconnect");
    metrics.set_state(Lifecycle::Draining);
    metrics.set_state(Lifecycle::Stopped);
    let text = metrics.registry.render();
    assert!(text.contains("logwriter_state{state=\"stopped\"} 1\n"));
    assert!(text.contains("logwriter_state{state=\"draining\"} 0\n"));
}

#[test]
fn draining_and_stopped_are_never_left_for_an_earlier_state() {
    let metrics = Metrics::new();
    metrics.set_state(Lifecycle::Draining);
    metrics.set_state(Lifecycle::Consuming);
    metrics.set_state(Lifecycle::Connecting);
    assert_eq!(metrics.state(), Lifecycle::Draining);
    metrics.set_state(Lifecycle::Stopped);
    metrics.set_state(Lifecycle::Draining);
    assert_eq!(metrics.state(), Lifecycle::Stopped);
    let text = metrics.registry.render();
    assert!(text.contains("logwriter_state{state=\"consuming\"} 0\n"));
}

#[test]
fn every_reason_has_its_own_series() {
    for (i, reason) in reasons::REASONS.iter().enumerate() {
        assert_eq!(reasons::index(*reason), i, "{reason:?}");
    }
    let metrics = Metrics::new();
    metrics.count_invalid(InvalidReason::TooDeep);
    metrics.count_invalid(InvalidReason::TooDeep);
    metrics.count_invalid(InvalidReason::NotUtf8);
    let text = metrics.registry.render();
    assert!(text.contains("logwriter_messages_invalid_total{reason=\"too-deep\"} 2\n"));
    assert!(text.contains("logwriter_messages_invalid_total{reason=\"not-utf8\"} 1\n"));
    assert!(text.contains("logwriter_messages_stored_total{collection=\"invalid\"} 3\n"));
}
