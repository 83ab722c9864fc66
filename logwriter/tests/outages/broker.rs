//! A RabbitMQ restart mid-run (acceptance item 57): the writer reconnects and every message
//! is stored once.

use std::time::{Duration, Instant};

use integration_tests::simgen::{generate, RunSpec};

use crate::harness::{run_spec, Run, SIMULATION_ID};
use crate::process;
use crate::servers;

fn spec() -> RunSpec {
    run_spec(20, 3, 0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rabbitmq_restart_mid_run_is_survived_and_every_message_is_stored_once() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let mut run = Run::new("faults_broker_restart").await;
    let messages = generate(&spec());
    let (first, rest) = messages.split_at(messages.len() / 2);
    let writer = process::start(&run, &[("MESSAGE_BUFFER_MAX_INTERVAL", "0.2")]).await;
    run.publish(first).await;
    let valid = format!("simulation_{SIMULATION_ID}");
    let stored = run
        .wait_count(&valid, first.len() as u64, Duration::from_secs(20))
        .await;
    assert_eq!(stored as usize, first.len());

    servers::restart("rabbitmq");
    let back = Instant::now();
    // The test's own connection died with the broker.
    run.connection = integration_tests::broker_connection().await;
    run.channel = run.connection.create_channel().await.expect("channel");
    run.wait_consumers(1).await;
    let reconnect = back.elapsed();
    assert!(
        reconnect < Duration::from_secs(30),
        "reconnected {reconnect:?} after the broker was back"
    );
    run.publish(rest).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert!(text.contains("RabbitMQ connection lost"), "{text}");
    assert!(text.contains("Reconnected to RabbitMQ."), "{text}");
    let docs = run.documents(&valid).await;
    assert_eq!(docs.len(), messages.len(), "every message exactly once");
    eprintln!("broker restart: writer consuming again {reconnect:?} after RabbitMQ was back");
    run.cleanup().await;
}
