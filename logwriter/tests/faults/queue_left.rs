//! A queue of the other type (or other arguments) left by an earlier version or setting is
//! consumed as it is, with a WARN, instead of wedging the start-up.

use std::time::Duration;

use integration_tests::simgen::{generate, RunSpec};
use lapin::types::{AMQPValue, FieldTable};

use crate::harness::{assert_stored_once, run_spec, Run};
use crate::process;

fn spec(epochs: u32) -> RunSpec {
    run_spec(epochs, 3, 4)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_classic_queue_left_by_an_earlier_version_is_consumed_as_it_is() {
    let mut arguments = FieldTable::default();
    arguments.insert("x-expires".into(), AMQPValue::LongLongInt(86_400_000));
    queue_left_behind("faults_quorum_old", arguments, "quorum").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quorum_queue_left_by_the_previous_default_is_consumed_as_it_is() {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    queue_left_behind("faults_quorum_left", arguments, "auto").await;
}

/// A durable queue declared with `arguments` before the writer starts with
/// `LOGWRITER_QUEUE_TYPE=setting`: it is consumed as it is, and a WARN line names it.
async fn queue_left_behind(prefix: &str, arguments: FieldTable, setting: &str) {
    let run = Run::new(prefix).await;
    run.declare_queue(arguments).await;
    let messages = generate(&spec(4));
    let vars = [
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.2"),
        ("LOGWRITER_QUEUE_TYPE", setting),
    ];
    let writer = process::start(&run, &vars).await;
    run.publish(&messages).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let line = text
        .lines()
        .find(|l| l.contains("exists with other arguments"))
        .unwrap_or_else(|| panic!("no migration line in:\n{text}"));
    assert!(line.contains("WARN") && line.contains(&run.queue), "{line}");
    assert_stored_once(&run.db, &messages).await;
    run.cleanup().await;
}
