//! Every invalid-message kind lands in the run's invalid collection with the right shape
//! (docs/spec/messages.md §4.4, §5, §6.2), including those that arrived before the run id was known.

use std::time::Duration;

use bson::{Bson, Document};
use integration_tests::simgen::{generate, invalid_bodies, Message};

use crate::full_run::number;
use crate::harness::{run_spec, Run, SIMULATION_ID};

fn shape(doc: &Document) -> Vec<String> {
    doc.keys().cloned().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_invalid_kind_is_stored_in_the_run_invalid_collection() {
    let run = Run::new("e2e_invalid").await;
    let writer = run.start(&["--message-buffer-max-interval", "1"]).await;
    let kinds = invalid_bodies(SIMULATION_ID);
    let early: Vec<Message> = ["early.1", "early.2"]
        .iter()
        .map(|topic| Message {
            routing_key: (*topic).to_owned(),
            body: b"Ready".to_vec(),
        })
        .collect();
    run.publish(&early).await;
    let spec = run_spec(1, 1, kinds.len() as u32);
    let messages = generate(&spec);
    run.publish(&messages).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);

    let invalid = run
        .documents(&format!("invalid_simulation_{SIMULATION_ID}"))
        .await;
    assert_eq!(invalid.len(), kinds.len() + 2);
    for (n, (reason, body)) in kinds.iter().enumerate() {
        let topic = format!("invalid.{n}");
        let doc = invalid
            .iter()
            .find(|d| d.get_str("Topic") == Ok(topic.as_str()))
            .expect("stored");
        check_kind(reason, body, doc);
    }
    let early_doc = invalid
        .iter()
        .find(|d| d.get_str("Topic") == Ok("early.1"))
        .expect("early stored");
    assert_eq!(early_doc.get_str("InvalidJsonMessage").unwrap(), "Ready");
    let valid = run.count(&format!("simulation_{SIMULATION_ID}")).await;
    assert_eq!(valid as usize, messages.len() - kinds.len());
    let metadata = &run.documents("simulations").await[0];
    assert_eq!(
        number(metadata.get("InvalidMessages")),
        (kinds.len() + 2) as i64
    );
    run.cleanup().await;
}

fn check_kind(reason: &str, body: &[u8], doc: &Document) {
    assert!(
        matches!(doc.get("Timestamp"), Some(Bson::DateTime(_))),
        "{reason}: Timestamp is a date"
    );
    let text = ["_id", "Timestamp", "InvalidJsonMessage", "Topic"];
    let object = ["_id", "Timestamp", "InvalidMessage", "Topic"];
    match reason {
        "not-utf8" => {
            assert_eq!(
                shape(doc),
                [
                    "_id",
                    "Timestamp",
                    "InvalidJsonMessage",
                    "Encoding",
                    "Topic"
                ]
            );
            assert_eq!(doc.get_str("InvalidJsonMessage").unwrap(), "//4=");
            assert_eq!(doc.get_str("Encoding").unwrap(), "base64");
        }
        "not-json"
        | "not-object"
        | "too-deep"
        | "refused-key"
        | "reserved-id"
        | "integer-out-of-range" => {
            assert_eq!(shape(doc), text, "{reason}");
            assert_eq!(
                doc.get_str("InvalidJsonMessage").unwrap().as_bytes(),
                body,
                "{reason}"
            );
        }
        _ => {
            assert_eq!(shape(doc), object, "{reason}");
            assert!(doc.get_document("InvalidMessage").is_ok(), "{reason}");
        }
    }
    if reason == "type-missing" {
        let at = doc.get_datetime("Timestamp").unwrap().to_chrono();
        assert_eq!(
            common::time::format_normalised(at),
            "2020-06-03T04:01:53.000Z"
        );
        let inner = doc.get_document("InvalidMessage").unwrap();
        assert_eq!(
            inner.get_str("Timestamp").unwrap(),
            "2020-06-03T04:01:53Z",
            "not converted"
        );
    }
}
