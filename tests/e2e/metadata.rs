//! The metadata document through a run with a mid-run restart and a late second run
//! (docs/spec/logwriter.md §8; acceptance items 58–65): fields after `running`, `Epochs` and
//! `Processes` from well-formed known types only, `$min`/`$max` semantics, invalid messages
//! without influence, exact final counts and kept `Processes` after a restart.

use std::time::{Duration, Instant};

use bson::{Bson, Document};
use serde_json::{json, Value};

use crate::full_run::{number, topic_counts_of};
use crate::harness::{Run, SIMULATION_ID};
use integration_tests::simgen::Message;

fn msg(topic: &str, mut body: Value) -> Message {
    body["SimulationId"] = json!(SIMULATION_ID);
    Message {
        routing_key: topic.to_owned(),
        body: body.to_string().into_bytes(),
    }
}

fn simstate(state: &str, at: &str, named: bool) -> Message {
    let mut body = json!({"Type": "SimState", "Timestamp": at, "SourceProcessId": "sm",
                          "MessageId": format!("sm-{state}-{at}"), "SimulationState": state});
    if named {
        body["Name"] = json!("n");
        body["Description"] = json!("d");
    }
    msg("SimState", body)
}

fn epoch(n: i64, at: &str) -> Message {
    msg(
        "Epoch",
        json!({"Type": "Epoch", "Timestamp": at, "SourceProcessId": "sm",
        "MessageId": format!("sm-e{n}-{at}"), "EpochNumber": n, "TriggeringMessageIds": ["x"],
        "StartTime": "2020-06-03T13:00:00Z", "EndTime": "2020-06-03T14:00:00Z"}),
    )
}

fn status(process: &str, n: i64, value: &str) -> Message {
    msg(
        "Status.Ready",
        json!({"Type": "Status", "Timestamp": "2020-06-03T04:04:00Z",
        "SourceProcessId": process, "MessageId": format!("{process}-s{n}"), "EpochNumber": n,
        "TriggeringMessageIds": ["x"], "Value": value}),
    )
}

fn date(doc: &Document, key: &str) -> Option<String> {
    doc.get_datetime(key)
        .ok()
        .map(|d| common::time::format_normalised(d.to_chrono()))
}

fn strings(doc: &Document, key: &str) -> Vec<String> {
    doc.get_array(key)
        .unwrap()
        .iter()
        .filter_map(Bson::as_str)
        .map(str::to_owned)
        .collect()
}

/// Waits until the metadata document satisfies `ready`, and returns it.
async fn metadata_when(run: &Run, ready: impl Fn(&Document) -> bool) -> Document {
    let started = Instant::now();
    loop {
        if let Some(doc) = run.documents("simulations").await.into_iter().next() {
            if ready(&doc) {
                return doc;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "metadata never got there"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const FLAGS: [&str; 4] = [
    "--message-buffer-max-interval",
    "60",
    "--message-buffer-max-documents",
    "100",
];

#[tokio::test(flavor = "multi_thread")]
async fn metadata_follows_the_run_across_a_restart_and_only_ever_widens() {
    let run = Run::new("e2e_metadata").await;
    let writer = run.start(&FLAGS).await;
    run.publish(&[simstate("running", "2020-06-03T04:01:00Z", true)])
        .await;
    let m = metadata_when(&run, |_| true).await;
    assert_eq!(m.get_str("SimulationId").unwrap(), SIMULATION_ID);
    assert_eq!(
        date(&m, "StartTime").as_deref(),
        Some("2020-06-03T04:01:00.000Z")
    );
    assert_eq!(
        (
            m.get_str("Name").unwrap(),
            m.get_str("Description").unwrap()
        ),
        ("n", "d")
    );
    assert_eq!(strings(&m, "Processes"), ["sm"]);
    assert_eq!(
        (number(m.get("Messages")), number(m.get("InvalidMessages"))),
        (1, 0)
    );
    assert_eq!(m.get_array("Topics").unwrap().len(), 1);
    assert!(
        !m.contains_key("EndTime") && !m.contains_key("Epochs"),
        "{m}"
    );

    let resource = msg(
        "resource",
        json!({"Type": "ResourceState", "Timestamp": "2020-06-03T04:00:30Z",
        "SourceProcessId": "rs", "MessageId": "rs-1", "EpochNumber": 7}),
    );
    let invalid = Message {
        routing_key: "noise".to_owned(),
        body: b"Ready".to_vec(),
    };
    run.publish(&[
        resource,
        status("bad", 9, "ok"),
        status("r1", 2, "ready"),
        invalid,
    ])
    .await;
    run.publish(&[
        epoch(3, "2020-06-03T04:03:00Z"),
        epoch(1, "2020-06-03T04:03:30Z"),
    ])
    .await;
    let m = metadata_when(&run, |m| number(m.get("Messages")) == 6).await;
    assert_eq!(
        number(m.get("Epochs")),
        3,
        "max over well-formed only; later Epoch 1 ignored"
    );
    assert_eq!(
        strings(&m, "Processes"),
        ["r1", "sm"],
        "no ResourceState or malformed sender"
    );
    assert_eq!(
        date(&m, "StartTime").as_deref(),
        Some("2020-06-03T04:00:30.000Z"),
        "decreased"
    );
    assert!(!m.contains_key("EndTime"));
    assert_eq!(writer.terminate().await, 0);

    let writer = run.start(&FLAGS).await;
    run.publish(&[
        status("p2", 3, "ready"),
        simstate("stopped", "2020-06-03T04:09:00Z", false),
    ])
    .await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let m = &run.documents("simulations").await[0];
    assert_eq!(
        (
            m.get_str("Name").unwrap(),
            m.get_str("Description").unwrap()
        ),
        ("n", "d")
    );
    assert_eq!(
        date(m, "EndTime").as_deref(),
        Some("2020-06-03T04:09:00.000Z"),
        "max valid, not now"
    );
    assert_eq!(
        date(m, "StartTime").as_deref(),
        Some("2020-06-03T04:00:30.000Z")
    );
    assert_eq!(
        strings(m, "Processes"),
        ["p2", "r1", "sm"],
        "kept across the restart"
    );
    check_counts(&run, m).await;

    // A later writer with an earlier stop and a lower epoch narrows nothing.
    let writer = run.start(&FLAGS).await;
    run.publish(&[
        epoch(2, "2020-06-03T04:02:00Z"),
        simstate("stopped", "2020-06-03T04:05:00Z", false),
    ])
    .await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let m = &run.documents("simulations").await[0];
    assert_eq!(
        date(m, "EndTime").as_deref(),
        Some("2020-06-03T04:09:00.000Z"),
        "only increases"
    );
    assert_eq!(
        date(m, "StartTime").as_deref(),
        Some("2020-06-03T04:00:30.000Z")
    );
    assert_eq!(number(m.get("Epochs")), 3, "only increases");
    check_counts(&run, m).await;
    run.cleanup().await;
}

/// `Messages`, `InvalidMessages` and `Topics` equal the collections' actual counts.
async fn check_counts(run: &Run, m: &Document) {
    let valid = run.documents(&format!("simulation_{SIMULATION_ID}")).await;
    let invalid = run
        .count(&format!("invalid_simulation_{SIMULATION_ID}"))
        .await;
    assert_eq!(number(m.get("Messages")), valid.len() as i64);
    assert_eq!(number(m.get("InvalidMessages")), invalid as i64);
    assert_eq!(invalid, 1);
    let mut expected = std::collections::BTreeMap::new();
    for d in &valid {
        *expected
            .entry(d.get_str("Topic").unwrap().to_owned())
            .or_insert(0_i64) += 1;
    }
    let topics = topic_counts_of(m);
    assert_eq!(
        topics,
        expected.into_iter().collect::<Vec<_>>(),
        "sorted by Topic, exact"
    );
}
