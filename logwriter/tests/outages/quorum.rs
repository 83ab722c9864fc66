//! With a quorum queue (`LOGWRITER_QUEUE_TYPE=quorum`, and the default on a cluster), a
//! RabbitMQ restart loses none of the platform's transient messages: neither those published
//! while the writer was down nor those unacknowledged in the writer's buffers.

use std::time::{Duration, Instant};

use integration_tests::simgen::{generate, Message, RunSpec};

use crate::harness::{assert_stored_once, rabbitmqctl_row, run_spec, Run};
use crate::process;
use crate::servers;

/// The setting these tests document.
const QUORUM: (&str, &str) = ("LOGWRITER_QUEUE_TYPE", "quorum");

fn spec(epochs: u32) -> RunSpec {
    run_spec(epochs, 3, 4)
}

/// One queue's column values from `rabbitmqctl list_queues`.
fn queue_columns(queue: &str, columns: &[&str]) -> Vec<String> {
    rabbitmqctl_row("list_queues", "name", queue, columns)
        .unwrap_or_else(|| panic!("no queue {queue}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_published_while_the_writer_is_down_survive_a_rabbitmq_restart() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let mut run = Run::new("faults_quorum_down").await;
    let messages = generate(&spec(10));
    let mut writer = process::start(&run, &[("MESSAGE_BUFFER_MAX_INTERVAL", "0.2"), QUORUM]).await;
    assert_eq!(queue_columns(&run.queue, &["type"]), ["quorum"]);
    writer.child.start_kill().expect("SIGKILL");
    writer.child.wait().await.expect("killed");
    run.publish(&messages).await;
    assert_eq!(
        run.queue_state().await.map(|(ready, _)| ready as usize),
        Some(messages.len()),
        "everything waits in the queue"
    );

    servers::restart("rabbitmq");
    run.connection = integration_tests::broker_connection().await;
    run.channel = run.connection.create_channel().await.expect("channel");
    // The platform's run exchange is not durable: the platform declares it again.
    run.declare_exchange().await;
    let writer = process::start(&run, &[("MESSAGE_BUFFER_MAX_INTERVAL", "0.2"), QUORUM]).await;
    assert_eq!(writer.exit_within(Duration::from_secs(60)).await, 0);
    assert_stored_once(&run.db, &messages).await;
    eprintln!(
        "quorum, writer down: {} messages published, RabbitMQ restarted, all stored once",
        messages.len()
    );
    run.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deliveries_unacknowledged_in_the_writer_survive_a_rabbitmq_restart() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let mut run = Run::new("faults_quorum_held").await;
    let messages = generate(&spec(10));
    let (held, rest) = messages.split_at(messages.len() - 1);
    // No Epoch or SimState before the end: nothing triggers a flush but the deadline.
    // Large buffers and a long deadline: the writer holds the deliveries unacknowledged.
    let vars = [
        ("MESSAGE_BUFFER_MAX_DOCUMENTS", "1000"),
        ("MESSAGE_BUFFER_MAX_INTERVAL", "120"),
        QUORUM,
    ];
    let writer = process::start(&run, &vars).await;
    let held: Vec<Message> = held
        .iter()
        .filter(|m| m.routing_key != "Epoch" && m.routing_key != "SimState")
        .cloned()
        .collect();
    run.publish(&held).await;
    let started = Instant::now();
    while queue_columns(&run.queue, &["messages_unacknowledged"]) != [held.len().to_string()] {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never all delivered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    servers::restart("rabbitmq");
    run.connection = integration_tests::broker_connection().await;
    run.channel = run.connection.create_channel().await.expect("channel");
    run.declare_exchange().await;
    run.wait_consumers(1).await;
    run.publish(rest).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(60)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert!(text.contains("RabbitMQ connection lost"), "{text}");
    let mut all = held.clone();
    all.extend_from_slice(rest);
    assert_stored_once(&run.db, &all).await;
    eprintln!(
        "quorum, writer holding {} unacknowledged deliveries: RabbitMQ restarted, all {} stored once",
        held.len(),
        all.len()
    );
    run.cleanup().await;
}
