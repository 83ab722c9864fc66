//! A whole simgen run: counts per collection and topic, sample documents of every class,
//! the metadata document, the indexes, queue deletion and exit code 0.

use std::time::Duration;

use bson::{Bson, Document};
use integration_tests::simgen::{generate, topic_counts, RunSpec};

use crate::harness::{run_spec, Run, SIMULATION_ID};

fn spec() -> RunSpec {
    run_spec(5, 3, 0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_run_is_stored_exactly_and_the_writer_exits_cleanly() {
    let run = Run::new("e2e_full").await;
    let writer = run.start(&["--message-buffer-max-interval", "1"]).await;
    let messages = generate(&spec());
    run.publish(&messages).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);

    let valid = format!("simulation_{SIMULATION_ID}");
    let docs = run.documents(&valid).await;
    assert_eq!(docs.len(), messages.len(), "every message stored once");
    let mut stored_topics = std::collections::BTreeMap::new();
    for d in &docs {
        *stored_topics
            .entry(d.get_str("Topic").unwrap().to_owned())
            .or_insert(0) += 1;
    }
    assert_eq!(stored_topics, topic_counts(&messages));
    check_samples(&docs);
    check_metadata(&run, messages.len()).await;
    check_indexes(&run).await;
    assert_eq!(
        run.count(&format!("invalid_simulation_{SIMULATION_ID}"))
            .await,
        0
    );
    assert!(
        run.queue_state().await.is_none(),
        "durable queue deleted after stop"
    );
    run.cleanup().await;
}

fn find<'a>(docs: &'a [Document], message_id: &str) -> &'a Document {
    docs.iter()
        .find(|d| d.get_str("MessageId") == Ok(message_id))
        .unwrap_or_else(|| panic!("{message_id} stored"))
}

fn check_samples(docs: &[Document]) {
    let keys = |d: &Document| d.keys().cloned().collect::<Vec<_>>();
    let simstate = find(docs, "SimulationManager-1");
    assert_eq!(
        keys(simstate),
        [
            "_id",
            "Type",
            "SimulationId",
            "Timestamp",
            "SourceProcessId",
            "MessageId",
            "SimulationState",
            "Name",
            "Description",
            "Topic"
        ]
    );
    assert_eq!(simstate.get_str("SimulationId").unwrap(), SIMULATION_ID);
    assert!(matches!(simstate.get("Timestamp"), Some(Bson::DateTime(_))));
    assert_eq!(simstate.get_str("Topic").unwrap(), "SimState");
    assert!(matches!(simstate.get("_id"), Some(Bson::ObjectId(_))));

    let epoch = find(docs, "SimulationManager-2");
    assert_eq!(epoch.get_str("Type").unwrap(), "Epoch");
    assert_eq!(epoch.get_i32("EpochNumber").unwrap(), 1);
    assert!(
        matches!(epoch.get("StartTime"), Some(Bson::DateTime(_))),
        "StartTime converted"
    );
    assert!(matches!(epoch.get("EndTime"), Some(Bson::DateTime(_))));

    let result = find(docs, "process2-r3");
    assert_eq!(
        result.get_str("Topic").unwrap(),
        "energy.production.process2"
    );
    assert_eq!(
        result.get_array("Warnings").unwrap().len(),
        0,
        "empty Warnings kept"
    );
    let power = result.get_document("RealPower").unwrap();
    assert_eq!(power.get_f64("Value").unwrap(), 6.0);
    let forecast = result.get_document("Forecast").unwrap();
    let index = forecast.get_array("TimeIndex").unwrap();
    assert!(
        matches!(index[0], Bson::String(_)),
        "nested dates stay strings"
    );

    let status = find(docs, "process1-s5");
    assert_eq!(status.get_str("Value").unwrap(), "ready");
    assert_eq!(status.get_str("Topic").unwrap(), "Status.Ready");
    let stopped = find(docs, "SimulationManager-7");
    assert_eq!(stopped.get_str("SimulationState").unwrap(), "stopped");
}

async fn check_metadata(run: &Run, total: usize) {
    let metadata = run.documents("simulations").await;
    assert_eq!(metadata.len(), 1);
    let m = &metadata[0];
    assert_eq!(m.get_str("SimulationId").unwrap(), SIMULATION_ID);
    assert_eq!(m.get_str("Name").unwrap(), "simgen run");
    assert_eq!(m.get_str("Description").unwrap(), "synthetic run");
    let start = m.get_datetime("StartTime").unwrap().to_chrono();
    assert_eq!(common::time::format_normalised(start), SIMULATION_ID);
    let end = m.get_datetime("EndTime").unwrap().to_chrono();
    assert_eq!(
        common::time::format_normalised(end),
        "2020-06-03T04:11:52.345Z"
    );
    assert_eq!(number(m.get("Epochs")), 5);
    let processes: Vec<&str> = m
        .get_array("Processes")
        .unwrap()
        .iter()
        .filter_map(Bson::as_str)
        .collect();
    assert_eq!(
        processes,
        ["SimulationManager", "process1", "process2", "process3"]
    );
    assert_eq!(number(m.get("Messages")), total as i64);
    assert_eq!(number(m.get("InvalidMessages")), 0);
    let topics = topic_counts_of(m);
    assert_eq!(
        topics,
        [
            ("Epoch".to_owned(), 5),
            ("SimState".to_owned(), 2),
            ("Status.Ready".to_owned(), 15),
            ("energy.production.process1".to_owned(), 5),
            ("energy.production.process2".to_owned(), 5),
            ("energy.production.process3".to_owned(), 5),
        ]
    );
}

/// The metadata document's `Topics` as `(Topic, Messages)` pairs, in stored order.
pub fn topic_counts_of(metadata: &Document) -> Vec<(String, i64)> {
    let topics = metadata.get_array("Topics").expect("Topics array");
    let entry = |t: &Document| {
        (
            t.get_str("Topic").expect("Topic").to_owned(),
            number(t.get("Messages")),
        )
    };
    topics
        .iter()
        .filter_map(Bson::as_document)
        .map(entry)
        .collect()
}

/// An integer field, whatever its BSON width.
pub fn number(value: Option<&Bson>) -> i64 {
    match value {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

async fn check_indexes(run: &Run) {
    let valid = run
        .index_names(&format!("simulation_{SIMULATION_ID}"))
        .await;
    assert_eq!(
        valid,
        [
            "_id_",
            "epoch_index",
            "epoch_order_index",
            "order_index",
            "process_index",
            "topic_index"
        ]
    );
    let invalid = run
        .index_names(&format!("invalid_simulation_{SIMULATION_ID}"))
        .await;
    assert_eq!(invalid, ["_id_", "order_index", "topic_index"]);
    let metadata = run.index_names("simulations").await;
    assert_eq!(
        metadata,
        [
            "_id_",
            "end_time_index",
            "simulation_id_index",
            "start_time_index"
        ]
    );
}
