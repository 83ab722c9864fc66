//! A RabbitMQ outage mid-run (acceptance item 57): the writer keeps its statistics period
//! while the broker is away (§12), reconnects, and every message is stored once.

use std::time::{Duration, Instant};

use integration_tests::simgen::{generate, RunSpec};

use crate::harness::{run_spec, Run, SIMULATION_ID};
use crate::process;
use crate::servers::Stopped;

const LOSS: &str = "RabbitMQ connection lost";
const STATISTICS: &str = "Simulations listened:";

fn spec() -> RunSpec {
    run_spec(20, 3, 0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rabbitmq_outage_mid_run_keeps_the_statistics_period_and_stores_every_message_once() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let mut run = Run::new("faults_broker_restart").await;
    let messages = generate(&spec());
    let (first, rest) = messages.split_at(messages.len() / 2);
    let vars = [
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.2"),
        ("STATISTICS_DISPLAY_INTERVAL", "1"),
    ];
    let writer = process::start(&run, &vars).await;
    run.publish(first).await;
    let valid = format!("simulation_{SIMULATION_ID}");
    let stored = run
        .wait_count(&valid, first.len() as u64, Duration::from_secs(20))
        .await;
    assert_eq!(stored as usize, first.len());

    let outage = Stopped::service("rabbitmq");
    let limit = Duration::from_secs(30);
    assert!(writer.wait_log(LOSS, limit).await, "{}", writer.log_text());
    let statistics_since_the_loss = || {
        let text = writer.log_text();
        text.find(LOSS)
            .is_some_and(|at| text[at..].contains(STATISTICS))
    };
    let waiting = Instant::now();
    while !statistics_since_the_loss() {
        assert!(waiting.elapsed() < limit, "{}", writer.log_text());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(outage);
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
    assert!(text.contains(LOSS), "{text}");
    assert!(text.contains("Reconnected to RabbitMQ."), "{text}");
    let docs = run.documents(&valid).await;
    assert_eq!(docs.len(), messages.len(), "every message exactly once");
    eprintln!("broker restart: writer consuming again {reconnect:?} after RabbitMQ was back");
    run.cleanup().await;
}
