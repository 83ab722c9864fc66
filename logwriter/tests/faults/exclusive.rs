//! Exclusive mode (the original's server-named queue) keeps what it already received when
//! the broker closes the connection: the queue dies with the connection, so the broker can
//! never redeliver the buffered deliveries, and the writer stores them before reconnecting.

use std::time::{Duration, Instant};

use integration_tests::simgen::generate;

use crate::harness::{rabbitmqctl_row, run_spec, Run, SIMULATION_ID};
use crate::process;

/// The server-named queue bound to `exchange` (exclusive mode).
fn bound_queue(exchange: &str) -> Option<String> {
    let row = rabbitmqctl_row(
        "list_bindings",
        "source_name",
        exchange,
        &["destination_name"],
    );
    row.and_then(|cells| cells.into_iter().next())
}

fn unacknowledged(queue: &str) -> Option<usize> {
    let row = rabbitmqctl_row("list_queues", "name", queue, &["messages_unacknowledged"])?;
    row.first()?.trim().parse().ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_connection_in_exclusive_mode_loses_nothing_buffered() {
    let run = Run::new("faults_exclusive").await;
    let spec = run_spec(20, 3, 4);
    let messages = generate(&spec);
    // Only the SimState messages trigger a flush before the 120 s deadline.
    let (held, stop): (Vec<_>, Vec<_>) = messages
        .iter()
        .filter(|m| m.routing_key != "Epoch")
        .cloned()
        .partition(|m| !m.body.windows(9).any(|w| w == b"\"stopped\""));
    let vars = [
        ("LOGWRITER_QUEUE_MODE", "exclusive"),
        ("MESSAGE_BUFFER_MAX_DOCUMENTS", "1000"),
        ("MESSAGE_BUFFER_MAX_INTERVAL", "120"),
    ];
    let writer = process::spawn(process::command(Some(&run), &vars), &run.exchange);
    let started = Instant::now();
    let queue = loop {
        if let Some(queue) = bound_queue(&run.exchange) {
            break queue;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never bound");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    run.publish(&held).await;
    // Everything but the first SimState (flushed at once) is held unacknowledged.
    while unacknowledged(&queue) != Some(held.len() - 1) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never all delivered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(
        run.count(&valid).await,
        1,
        "only the first SimState is stored yet"
    );

    run.close_writer_connection();
    let started = Instant::now();
    while bound_queue(&run.exchange).is_none_or(|q| q == queue) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never reconnected"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    run.publish(&stop).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert!(text.contains("RabbitMQ connection lost"), "{text}");
    let invalid = format!("invalid_simulation_{SIMULATION_ID}");
    let stored = run.count(&valid).await + run.count(&invalid).await;
    assert_eq!(stored as usize, held.len() + stop.len(), "{text}");
    eprintln!(
        "exclusive mode: {} deliveries buffered when the connection was closed, all {} messages stored",
        held.len() - 1,
        stored
    );
    run.cleanup().await;
}
