//! MongoDB unreachable around a signal or at start-up (docs/spec/logwriter.md §10.2, §11.2): the
//! signal is logged at once, even while a flush is being retried, and a drain
//! that cannot store exits 1 after LOGWRITER_SHUTDOWN_TIMEOUT (or at once on a second signal)
//! and leaves the unstored messages in the durable queue; messages published before MongoDB
//! is reachable are stored once it is (acceptance items 43 and 72).

use std::time::{Duration, Instant};

use integration_tests::simgen::{generate, RunSpec};

use crate::harness::{Run, SIMULATION_ID};
use crate::process;
use crate::servers::Stopped;

fn spec(epochs: u32) -> RunSpec {
    RunSpec {
        simulation_id: SIMULATION_ID.to_owned(),
        epochs,
        processes: 2,
        invalid: 0,
    }
}

/// Waits until the durable queue holds `n` ready messages (no consumer has them).
async fn wait_ready(run: &Run, n: u32) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if run.queue_state().await.is_some_and(|(ready, _)| ready == n) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the queue never held {n} ready messages: {:?}",
        run.queue_state().await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_while_mongodb_is_down_exits_1_at_the_timeout_and_keeps_the_messages() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let run = Run::new("faults_drain").await;
    let messages = generate(&spec(3));
    let (first, rest) = messages.split_at(4);
    let vars = [
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.2"),
        ("LOGWRITER_SHUTDOWN_TIMEOUT", "2"),
    ];
    let writer = process::start(&run, &vars).await;
    run.publish(first).await;
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(run.wait_count(&valid, 4, Duration::from_secs(10)).await, 4);

    let outage = Stopped::service("ferretdb");
    run.publish(rest).await;
    assert!(
        writer
            .wait_log("Writing to MongoDB failed", Duration::from_secs(10))
            .await,
        "the writer is retrying"
    );
    let signalled = Instant::now();
    writer.terminate();
    // Logged at once, although the flush being retried holds the consumer.
    assert!(
        writer
            .wait_log("Shutdown requested.", Duration::from_millis(1000))
            .await,
        "{}",
        writer.log_text()
    );
    let log = writer.log.clone();
    let code = writer.exit_within(Duration::from_secs(10)).await;
    let took = signalled.elapsed();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(code, 1, "{text}");
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_millis(3500),
        "exit {took:?} after SIGTERM with a 2 s timeout"
    );
    let line = text
        .lines()
        .find(|l| l.contains("Shutdown timed out;"))
        .unwrap_or_else(|| panic!("timeout line in:\n{text}"));
    assert!(line.contains("ERROR"), "{line}");
    let n: u32 = line
        .split("Shutdown timed out; ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(n > 0, "{line}");
    let unstored = rest.len() as u32;
    wait_ready(&run, unstored).await;

    // A second signal ends the drain at once, whatever the timeout.
    let writer = process::start(&run, &[("LOGWRITER_SHUTDOWN_TIMEOUT", "30")]).await;
    assert!(
        writer
            .wait_log("Writing to MongoDB failed", Duration::from_secs(10))
            .await
    );
    writer.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    writer.terminate();
    let second = Instant::now();
    assert_eq!(writer.exit_within(Duration::from_secs(5)).await, 1);
    let after_second = second.elapsed();
    assert!(
        after_second < Duration::from_millis(500),
        "{after_second:?}"
    );
    wait_ready(&run, unstored).await;

    drop(outage);
    let writer = process::start(&run, &[("MESSAGE_BUFFER_MAX_INTERVAL", "0.2")]).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    assert_eq!(
        run.count(&valid).await as usize,
        messages.len(),
        "all stored once"
    );
    eprintln!("drain: exit 1 {took:?} after SIGTERM (timeout 2 s), {after_second:?} after a second signal");
    run.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_published_before_mongodb_is_reachable_are_stored_once_it_is() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let run = Run::new("faults_late_db").await;
    let messages = generate(&spec(3));
    let outage = Stopped::service("ferretdb");
    let writer = process::start(&run, &[("MESSAGE_BUFFER_MAX_INTERVAL", "0.2")]).await;
    run.publish(&messages).await;
    assert!(
        writer
            .wait_log("Writing to MongoDB failed", Duration::from_secs(10))
            .await
    );
    let (ready, consumers) = run.queue_state().await.expect("queue");
    assert_eq!(consumers, 1, "consuming although MongoDB is down");
    assert!(
        (ready as usize) < messages.len(),
        "deliveries taken and held unacknowledged"
    );
    drop(outage);
    let back = Instant::now();
    assert_eq!(writer.exit_within(Duration::from_secs(45)).await, 0);
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(run.count(&valid).await as usize, messages.len());
    eprintln!(
        "late MongoDB: run finished {:?} after the server came back",
        back.elapsed()
    );
    run.cleanup().await;
}
