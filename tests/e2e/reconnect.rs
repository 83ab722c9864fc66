//! Broker connection loss (docs/spec/logwriter.md §11.1): the writer reconnects, the broker redelivers
//! what was unsettled, and nothing is lost or stored twice.

use std::time::{Duration, Instant};

use integration_tests::simgen::generate;

use crate::full_run::number;
use crate::harness::{run_spec, Run, SIMULATION_ID};

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_connection_is_reopened_and_nothing_is_lost() {
    let run = Run::new("e2e_reconnect").await;
    let spec = run_spec(40, 5, 3);
    let messages = generate(&spec);
    // Split inside an epoch, so the Results and Statuses after its Epoch are still buffered
    // (unsettled) when the connection goes.
    let (first, rest) = messages.split_at(messages.len() / 2 + 5);
    let writer = run
        .start(&[
            "--message-buffer-max-interval",
            "5",
            "--message-buffer-max-documents",
            "100",
        ])
        .await;
    run.publish(first).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    run.close_writer_connection();
    let closed = Instant::now();
    run.publish(rest).await;
    assert_eq!(writer.exit_within(Duration::from_secs(40)).await, 0);
    assert!(
        closed.elapsed() < Duration::from_secs(30),
        "reconnected promptly"
    );
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(run.count(&valid).await as usize, messages.len() - 3);
    assert_eq!(
        run.count(&format!("invalid_simulation_{SIMULATION_ID}"))
            .await,
        3
    );
    let metadata = &run.documents("simulations").await[0];
    assert_eq!(
        number(metadata.get("Messages")),
        (messages.len() - 3) as i64
    );
    run.cleanup().await;
}
