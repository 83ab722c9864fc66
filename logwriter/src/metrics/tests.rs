use super::*;

#[test]
fn a_new_registry_is_connecting_with_every_series_at_zero() {
    let metrics = Metrics::new();
    assert_eq!(metrics.state(), Lifecycle::Connecting);
    let text = metrics.render();
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
    let text = metrics.render();
    assert!(text.contains("logwriter_state{state=\"connecting\"} 0\n"));
    assert!(text.contains("logwriter_state{state=\"consuming\"} 1\n"));
    metrics.set_state(Lifecycle::Connecting);
    assert_eq!(metrics.state(), Lifecycle::Connecting, "a reconnect");
    metrics.set_state(Lifecycle::Draining);
    metrics.set_state(Lifecycle::Stopped);
    let text = metrics.render();
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
    let text = metrics.render();
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
    let text = metrics.render();
    assert!(text.contains("logwriter_messages_invalid_total{reason=\"too-deep\"} 2\n"));
    assert!(text.contains("logwriter_messages_invalid_total{reason=\"not-utf8\"} 1\n"));
    assert!(text.contains("logwriter_messages_stored_total{collection=\"invalid\"} 3\n"));
}

#[test]
fn families_are_listed_in_name_order_with_their_help_and_type() {
    let text = Metrics::new().render();
    let heads: Vec<&str> = text.lines().filter(|line| line.starts_with('#')).collect();
    assert_eq!(
        heads,
        [
            "# HELP logwriter_buffered_documents Documents waiting in the buffers to be written.",
            "# TYPE logwriter_buffered_documents gauge",
            "# HELP logwriter_duplicates_total Documents already stored (duplicate _id), not stored again.",
            "# TYPE logwriter_duplicates_total counter",
            "# HELP logwriter_flush_duration_seconds Time to store one batch, retries included.",
            "# TYPE logwriter_flush_duration_seconds histogram",
            "# HELP logwriter_flush_retries_total MongoDB operations retried after a failure.",
            "# TYPE logwriter_flush_retries_total counter",
            "# HELP logwriter_messages_consumed_total Deliveries received from RabbitMQ, redeliveries included.",
            "# TYPE logwriter_messages_consumed_total counter",
            "# HELP logwriter_messages_invalid_total Invalid documents stored, by reason code.",
            "# TYPE logwriter_messages_invalid_total counter",
            "# HELP logwriter_messages_stored_total Documents stored, by collection kind.",
            "# TYPE logwriter_messages_stored_total counter",
            "# HELP logwriter_missing_messages Message numbers of the run's processes that never arrived, found at the stop.",
            "# TYPE logwriter_missing_messages gauge",
            "# HELP logwriter_prefetch Effective prefetch count: the most deliveries RabbitMQ sends before acknowledgements.",
            "# TYPE logwriter_prefetch gauge",
            "# HELP logwriter_reconnects_total RabbitMQ reconnections after a connection or channel loss.",
            "# TYPE logwriter_reconnects_total counter",
            "# HELP logwriter_state 1 for the current lifecycle state, 0 for the others.",
            "# TYPE logwriter_state gauge",
            "# HELP logwriter_unacknowledged_deliveries Deliveries received and not yet acknowledged.",
            "# TYPE logwriter_unacknowledged_deliveries gauge",
            "# HELP logwriter_unparsable_frames_total Frames from RabbitMQ the AMQP parser could not read; the delivery stays queued.",
            "# TYPE logwriter_unparsable_frames_total counter",
            "# HELP logwriter_unusual_deliveries_total Deliveries with a short string that is not UTF-8 or headers nested too deep, stored with them.",
            "# TYPE logwriter_unusual_deliveries_total counter",
        ]
    );
    let series = text.lines().filter(|line| !line.starts_with('#')).count();
    // 4 states, 2 collections, 14 reasons, 10 plain series, 13 + 1 buckets, _sum and _count.
    assert_eq!(
        series,
        4 + 2 + reasons::REASONS.len() + 10 + 14 + 2,
        "{text}"
    );
}
