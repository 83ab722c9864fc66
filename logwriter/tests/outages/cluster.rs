//! A real three-node RabbitMQ cluster (`scripts/cluster`): RABBITMQ_HOST lists the nodes, the
//! writer connects to the first that answers and, when its node is stopped, reconnects to the
//! next. The node it is connected to is stopped mid-run, later the node it moved to: every
//! message is stored once and the writer exits 0 after `stopped`. Which node the writer
//! lands on is the writer's choice (the next node may refuse it for a moment while the
//! cluster notices the loss), so the test follows it from its log and publishes each part
//! through another node, as the platform's processes would through a node of their own.

use std::process::Command;
use std::time::{Duration, Instant};

use integration_tests::simgen::{generate, publish, Message};
use lapin::options::{ExchangeDeclareOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::ExchangeKind;

use crate::harness::{assert_stored_once, run_spec, SIMULATION_ID};
use crate::process;

/// `scripts/cluster <args>`: its stdout; fails the test if it fails.
fn cluster(args: &[&str]) -> String {
    let script = integration_tests::repo_root().join("scripts/cluster");
    let output = Command::new(script)
        .args(args)
        .output()
        .expect("scripts/cluster runs");
    assert!(
        output.status.success(),
        "scripts/cluster {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A node stopped by the test, started again when dropped, even if the test fails.
struct StoppedNode(usize);

impl StoppedNode {
    fn stop(node: usize) -> Self {
        cluster(&["stop", &node.to_string()]);
        Self(node)
    }
}

impl Drop for StoppedNode {
    fn drop(&mut self) {
        cluster(&["start", &self.0.to_string()]);
    }
}

/// The cluster node (1-3) of the writer's latest "Connected to RabbitMQ at" line.
fn connected_node(log: &str) -> Option<usize> {
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains("Connected to RabbitMQ at 127.0.0.1:568"))?;
    let digit = line.split("127.0.0.1:568").nth(1)?.chars().next()?;
    digit.to_digit(10).map(|d| d as usize)
}

async fn wait_for<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `amqp://` of cluster node `node` (1-3).
fn node_uri(node: usize) -> String {
    format!("amqp://guest:guest@127.0.0.1:{}/%2f", 5680 + node)
}

/// A cluster node other than `writer`'s: the publisher's node for one part.
fn other_node(writer: usize) -> usize {
    if writer == 1 {
        2
    } else {
        1
    }
}

/// The queue's consumer count, on a throwaway channel: a passive declare of a queue that
/// does not exist yet closes its channel.
async fn consumers(connection: &lapin::Connection, queue: &str) -> Option<u32> {
    let channel = connection.create_channel().await.ok()?;
    let options = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let declared = channel
        .queue_declare(queue.into(), options, FieldTable::default())
        .await
        .ok()?;
    let _ = channel.close(200, "OK".into()).await;
    Some(declared.consumer_count())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_writer_rides_through_the_loss_of_two_cluster_nodes_in_turn() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let hosts = cluster(&["up"]);
    let hosts = hosts
        .lines()
        .find_map(|l| l.strip_prefix("RABBITMQ_HOST="))
        .expect("scripts/cluster prints RABBITMQ_HOST")
        .to_owned();
    let exchange = integration_tests::unique_name("faults_cluster");
    let queue = format!("logwriter.{exchange}");
    let db = integration_tests::fresh_database("faults_cluster").await;
    let connection = lapin::Connection::connect(&node_uri(1), Default::default())
        .await
        .expect("node 1");
    let channel = connection.create_channel().await.expect("channel");
    channel
        .exchange_declare(
            exchange.as_str().into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("exchange");
    let _ = connection.close(200, "OK".into()).await;

    let vars = [
        ("RABBITMQ_HOST", hosts.as_str()),
        ("RABBITMQ_EXCHANGE", exchange.as_str()),
        ("MONGODB_DATABASE", db.name()),
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.2"),
    ];
    let writer = process::spawn(process::command(None, &vars), &exchange);
    let messages = generate(&run_spec(30, 3, 6));
    let thirds: Vec<&[Message]> = messages.chunks(messages.len().div_ceil(3)).collect();
    let valid = format!("simulation_{SIMULATION_ID}");
    let invalid = format!("invalid_simulation_{SIMULATION_ID}");
    let stored = |n: usize| {
        let db = db.clone();
        let (valid, invalid) = (valid.clone(), invalid.clone());
        async move {
            let started = Instant::now();
            loop {
                let count = db
                    .collection::<bson::Document>(&valid)
                    .estimated_document_count()
                    .await
                    .unwrap_or(0)
                    + db.collection::<bson::Document>(&invalid)
                        .estimated_document_count()
                        .await
                        .unwrap_or(0);
                if count as usize >= n || started.elapsed() > Duration::from_secs(30) {
                    return count as usize;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };

    let mut published = 0;
    let mut lost = Vec::new();
    let limit = Duration::from_secs(60);
    for (round, part) in thirds.iter().enumerate() {
        let node = wait_for("the writer's node", limit, || {
            connected_node(&writer.log_text())
        })
        .await;
        let publisher = other_node(node);
        let connection = lapin::Connection::connect(&node_uri(publisher), Default::default())
            .await
            .expect("the publisher's node");
        let channel = connection.create_channel().await.expect("channel");
        let started = Instant::now();
        while consumers(&connection, &queue).await != Some(1) {
            assert!(
                started.elapsed() < limit,
                "no consumer:\n{}",
                writer.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        publish(&channel, &exchange, part, None, |_| {})
            .await
            .expect("published through another node than the writer's");
        let _ = connection.close(200, "OK".into()).await;
        published += part.len();
        if round == thirds.len() - 1 {
            break;
        }
        assert_eq!(stored(published).await, published, "{}", writer.log_text());
        let node = connected_node(&writer.log_text()).expect("connected to a node");
        let reconnects = writer
            .log_text()
            .matches("Reconnected to RabbitMQ.")
            .count();
        let stopped = StoppedNode::stop(node);
        wait_for("a reconnection", limit, || {
            let text = writer.log_text();
            (text.matches("Reconnected to RabbitMQ.").count() > reconnects).then_some(())
        })
        .await;
        lost.push(node);
        drop(stopped);
    }
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(limit).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert_eq!(lost.len(), 2, "two nodes lost in turn:\n{text}");
    assert_ne!(
        lost[0], lost[1],
        "the writer left the first lost node:\n{text}"
    );
    assert_ne!(connected_node(&text), Some(lost[1]), "{text}");

    assert_stored_once(&db, &messages).await;
    eprintln!(
        "cluster: {} messages stored once; nodes {lost:?} stopped under the writer in turn",
        messages.len()
    );
    db.drop().await.expect("database dropped");
    delete_exchange(&exchange).await;
}

/// Deletes the test's exchange through a node that is up at the end (every node is).
async fn delete_exchange(exchange: &str) {
    let Ok(connection) = lapin::Connection::connect(&node_uri(1), Default::default()).await else {
        return;
    };
    if let Ok(channel) = connection.create_channel().await {
        let _ = channel
            .exchange_delete(exchange.into(), Default::default())
            .await;
    }
    let _ = connection.close(200, "OK".into()).await;
}
