//! SIGTERM/SIGINT (docs/spec/logwriter.md §10.2): everything received is stored, exit 0, the durable
//! queue is kept, and a restarted writer continues the run.

use std::time::{Duration, Instant};

use integration_tests::simgen::{generate, Message};

use crate::full_run::number;
use crate::harness::{run_spec, Run, SIMULATION_ID};

async fn wait_delivered(run: &Run) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if run.queue_state().await.is_some_and(|(ready, _)| ready == 0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the writer did not take every message");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_mid_run_stores_what_was_received_keeps_the_queue_and_a_restart_continues() {
    let run = Run::new("e2e_sigterm").await;
    let spec = run_spec(30, 5, 0);
    let messages = generate(&spec);
    let (first, rest) = messages.split_at(messages.len() / 2);
    let writer = run
        .start(&[
            "--message-buffer-max-interval",
            "10",
            "--logwriter-prefetch",
            "2000",
        ])
        .await;
    run.publish(first).await;
    wait_delivered(&run).await;
    assert_eq!(writer.terminate().await, 0);
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(
        run.count(&valid).await as usize,
        first.len(),
        "everything received stored"
    );
    let (ready, consumers) = run.queue_state().await.expect("durable queue kept");
    assert_eq!((ready, consumers), (0, 0), "everything acknowledged");

    run.publish(rest).await;
    assert_eq!(
        run.queue_state().await.map(|(ready, _)| ready as usize),
        Some(rest.len())
    );
    let writer = run.start(&["--message-buffer-max-interval", "1"]).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    assert_eq!(
        run.count(&valid).await as usize,
        messages.len(),
        "nothing lost, nothing twice"
    );
    let metadata = &run.documents("simulations").await[0];
    assert_eq!(
        number(metadata.get("Messages")),
        messages.len() as i64,
        "final recount"
    );
    assert!(run.queue_state().await.is_none());
    run.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_only_run_stopped_by_a_signal_lands_in_the_unknown_collection() {
    let run = Run::new("e2e_unknown").await;
    let writer = run.start(&["--message-buffer-max-interval", "1"]).await;
    let messages: Vec<Message> = (0..3)
        .map(|n| Message {
            routing_key: format!("x.{n}"),
            body: b"Ready".to_vec(),
        })
        .collect();
    run.publish(&messages).await;
    wait_delivered(&run).await;
    assert_eq!(
        run.count("invalid_simulation_unknown").await,
        0,
        "pending until the id is known"
    );
    assert_eq!(writer.terminate().await, 0);
    assert_eq!(run.count("invalid_simulation_unknown").await, 3);
    assert!(
        run.documents("simulations").await.is_empty(),
        "no metadata for invalid-only"
    );
    run.cleanup().await;
}
