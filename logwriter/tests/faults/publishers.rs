//! Publishers that close their connection right after publishing (docs/operations.md,
//! "Choosing the queue type"). 104 connections publish 29 messages each and close at once:
//! 26 processes, each publishing through 4 connections one after the other, as a process
//! that reconnects would. Each process's last message is then published with confirms, so a
//! loss anywhere before it is a gap the writer can see. With confirms nothing may be lost;
//! without, every message that is not stored must be reported in `MissingMessages`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bson::Document;
use futures_util::future::join_all;
use integration_tests::simgen::Message;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::BasicProperties;
use serde_json::json;

use crate::harness::{assert_stored_once, Run, SIMULATION_ID};
use crate::process;

const PROCESSES: usize = 26;
const CONNECTIONS_PER_PROCESS: u64 = 4;
const MESSAGES_PER_CONNECTION: u64 = 29;

fn status(process: &str, n: u64) -> Message {
    let body = json!({"Type": "Status", "SimulationId": SIMULATION_ID,
        "Timestamp": "2020-06-03T04:01:52.345Z", "SourceProcessId": process,
        "MessageId": format!("{process}-{n}"), "EpochNumber": 1,
        "TriggeringMessageIds": ["SimulationManager-2"], "Value": "ready"});
    Message {
        routing_key: "Status.Ready".to_owned(),
        body: body.to_string().into_bytes(),
    }
}

fn simstate(state: &str, n: u64) -> Message {
    let body = json!({"Type": "SimState", "SimulationId": SIMULATION_ID,
        "Timestamp": "2020-06-03T04:01:52.345Z", "SourceProcessId": "SimulationManager",
        "MessageId": format!("SimulationManager-{n}"), "SimulationState": state});
    Message {
        routing_key: "SimState".to_owned(),
        body: body.to_string().into_bytes(),
    }
}

/// One connection: publishes `messages`, with or without confirms, and closes at once.
async fn publish_and_close(exchange: &str, messages: &[Message], confirms: bool) {
    let connection = integration_tests::broker_connection().await;
    let channel = connection.create_channel().await.expect("channel");
    if confirms {
        let options = ConfirmSelectOptions::default();
        channel.confirm_select(options).await.expect("confirms");
    }
    let mut pending = Vec::new();
    for message in messages {
        let confirm = channel
            .basic_publish(
                exchange.into(),
                message.routing_key.as_str().into(),
                BasicPublishOptions::default(),
                &message.body,
                BasicProperties::default(),
            )
            .await
            .expect("published");
        pending.push(confirm);
    }
    if confirms {
        for confirm in pending {
            confirm.await.expect("confirmed");
        }
    }
    connection.close(200, "OK".into()).await.expect("closed");
}

/// Runs the scenario against a writer with `vars`; returns every message published.
async fn closing_publishers(run: &Run, vars: &[(&str, &str)], confirms: bool) -> Vec<Message> {
    let writer = process::start(run, vars).await;
    let mut all = vec![simstate("running", 1)];
    run.publish(&all).await;
    let processes: Vec<String> = (1..=PROCESSES).map(|p| format!("publisher{p}")).collect();
    let per_process = processes.iter().map(|process| async move {
        let mut sent = Vec::new();
        for c in 0..CONNECTIONS_PER_PROCESS {
            let first = c * MESSAGES_PER_CONNECTION + 1;
            let batch: Vec<Message> = (first..first + MESSAGES_PER_CONNECTION)
                .map(|n| status(process, n))
                .collect();
            publish_and_close(&run.exchange, &batch, confirms).await;
            sent.extend(batch);
        }
        sent
    });
    all.extend(join_all(per_process).await.into_iter().flatten());
    let last = CONNECTIONS_PER_PROCESS * MESSAGES_PER_CONNECTION + 1;
    let mut tail: Vec<Message> = processes.iter().map(|p| status(p, last)).collect();
    tail.push(simstate("stopped", 2));
    run.publish(&tail).await;
    all.extend(tail);
    assert_eq!(writer.exit_within(Duration::from_secs(60)).await, 0);
    all
}

/// Per process, the numbers published and not stored.
async fn lost_per_process(run: &Run, published: &[Message]) -> BTreeMap<String, u64> {
    let stored: BTreeSet<String> = run
        .documents(&format!("simulation_{SIMULATION_ID}"))
        .await
        .iter()
        .filter_map(|d| d.get_str("MessageId").ok().map(str::to_owned))
        .collect();
    let mut lost = BTreeMap::new();
    for message in published {
        let body: serde_json::Value = serde_json::from_slice(&message.body).expect("json");
        let id = body["MessageId"].as_str().expect("MessageId");
        if !stored.contains(id) {
            let process = body["SourceProcessId"].as_str().expect("process");
            *lost.entry(process.to_owned()).or_default() += 1;
        }
    }
    lost
}

/// The run's `MissingMessages`, as process → count.
async fn reported(run: &Run) -> BTreeMap<String, u64> {
    let metadata: Vec<Document> = run.documents("simulations").await;
    let [run_metadata] = metadata.as_slice() else {
        panic!("one metadata document: {metadata:?}");
    };
    let Ok(missing) = run_metadata.get_array("MissingMessages") else {
        return BTreeMap::new();
    };
    missing
        .iter()
        .map(|item| {
            let item = item.as_document().expect("a document");
            let count = item.get_i64("Count").expect("Count");
            (
                item.get_str("ProcessId").expect("ProcessId").to_owned(),
                count as u64,
            )
        })
        .collect()
}

/// Runs the scenario and checks that `MissingMessages` names every loss; returns how many
/// messages were lost.
async fn every_loss_is_reported(prefix: &str, vars: &[(&str, &str)], confirms: bool) -> u64 {
    let run = Run::new(prefix).await;
    let published = closing_publishers(&run, vars, confirms).await;
    let lost = lost_per_process(&run, &published).await;
    let total: u64 = lost.values().sum();
    eprintln!(
        "{prefix} ({vars:?}, confirms {confirms}): {total} of {} messages lost",
        published.len()
    );
    assert_eq!(reported(&run).await, lost, "MissingMessages is the loss");
    if total == 0 {
        assert_stored_once(&run.db, &published).await;
    }
    run.cleanup().await;
    total
}

#[tokio::test(flavor = "multi_thread")]
async fn default_publishers_with_confirms_lose_nothing() {
    assert_eq!(
        every_loss_is_reported("faults_pub_default_confirms", &[], true).await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn default_publishers_without_confirms_lose_nothing() {
    assert_eq!(
        every_loss_is_reported("faults_pub_default_plain", &[], false).await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn quorum_publishers_with_confirms_lose_nothing() {
    let quorum = [("LOGWRITER_QUEUE_TYPE", "quorum")];
    let lost = every_loss_is_reported("faults_pub_quorum_confirms", &quorum, true).await;
    assert_eq!(lost, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn quorum_publishers_without_confirms_have_every_loss_reported() {
    let quorum = [("LOGWRITER_QUEUE_TYPE", "quorum")];
    every_loss_is_reported("faults_pub_quorum_plain", &quorum, false).await;
}

/// After a restart the writer knows only its own messages: at the stop it reads the numbers
/// from the stored run instead, so gaps are counted once, over the whole run.
#[tokio::test(flavor = "multi_thread")]
async fn gaps_are_counted_over_the_whole_run_across_a_restart() {
    let run = Run::new("faults_pub_restart").await;
    let vars = [("MESSAGE_BUFFER_MAX_INTERVAL", "0.2")];
    let first = process::start(&run, &vars).await;
    let before = [simstate("running", 1), status("p", 1), status("p", 3)];
    run.publish(&before).await;
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(run.wait_count(&valid, 3, Duration::from_secs(30)).await, 3);
    first.terminate();
    assert_eq!(first.exit_within(Duration::from_secs(30)).await, 0);

    let second = process::start(&run, &vars).await;
    let after = [status("p", 4), status("p", 6), simstate("stopped", 2)];
    run.publish(&after).await;
    let log = second.log.clone();
    assert_eq!(second.exit_within(Duration::from_secs(30)).await, 0);
    let expected = BTreeMap::from([("p".to_owned(), 2)]);
    assert_eq!(reported(&run).await, expected, "p-2 and p-5");
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let line = text
        .lines()
        .find(|l| l.contains("never arrived"))
        .unwrap_or_else(|| panic!("no report in:\n{text}"));
    assert!(
        line.contains("WARN") && line.contains("first missing ids: p-2, p-5"),
        "{line}"
    );
    run.cleanup().await;
}
