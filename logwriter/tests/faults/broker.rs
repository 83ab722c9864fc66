//! A second writer on the same durable queue (acceptance item 41); the RabbitMQ restart
//! mid-run (item 57) is in the outages target.

use std::time::Duration;

use integration_tests::simgen::{generate, RunSpec};

use crate::harness::{run_spec, Run, SIMULATION_ID};
use crate::process;

fn spec() -> RunSpec {
    run_spec(20, 3, 0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_writer_on_the_same_queue_is_refused_and_logs_errors_while_the_first_finishes() {
    let run = Run::new("faults_second").await;
    let vars = [("MESSAGE_BUFFER_MAX_INTERVAL", "0.2")];
    let first = process::start(&run, &vars).await;
    let second = process::spawn(process::command(Some(&run), &vars), &run.exchange);
    assert!(
        second
            .wait_log("Connecting to RabbitMQ failed", Duration::from_secs(10))
            .await,
        "the second writer is refused:\n{}",
        second.log_text()
    );
    let refusal = second.log_text();
    let line = refusal
        .lines()
        .find(|l| l.contains("Connecting to RabbitMQ failed"))
        .expect("line");
    assert!(line.contains("ERROR"), "an operator must act: {line}");
    assert!(line.contains("retrying in"), "{line}");
    assert_eq!(
        run.queue_state().await.map(|(_, c)| c),
        Some(1),
        "one consumer"
    );

    let messages = generate(&spec());
    run.publish(&messages).await;
    assert_eq!(first.exit_within(Duration::from_secs(30)).await, 0);
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(run.count(&valid).await as usize, messages.len());
    second.terminate();
    assert_eq!(second.exit_within(Duration::from_secs(10)).await, 0);
    run.cleanup().await;
}
