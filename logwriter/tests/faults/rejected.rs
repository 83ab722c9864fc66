//! A document the server rejects for good (docs/spec/logwriter.md §7.4–§7.5; acceptance item 56) is
//! stored as the raw-text invalid document with the same `_id`, and the rest of its batch is
//! stored. On FerretDB the real per-document write error is its code 2 for an infinity; on
//! MongoDB it is a collection validator's code 121.

use std::time::Duration;

use bson::doc;

use crate::harness::{id_of, message, Run, SIMULATION_ID};
use crate::process;

fn generic(topic: &str, value: &str) -> integration_tests::simgen::Message {
    let body = format!(
        r#"{{"Type":"General","SimulationId":"{SIMULATION_ID}","MessageId":"{topic}","Timestamp":"2020-06-03T04:02:00Z","Value":{value}}}"#
    );
    message(topic, &body)
}

fn simstate(state: &str) -> integration_tests::simgen::Message {
    let body = format!(
        r#"{{"Type":"SimState","SimulationId":"{SIMULATION_ID}","SourceProcessId":"sm","MessageId":"sm-{state}","Timestamp":"2020-06-03T04:05:00Z","SimulationState":"{state}"}}"#
    );
    message("SimState", &body)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanently_rejected_document_keeps_its_id_in_the_invalid_collection() {
    let run = Run::new("faults_rejected").await;
    let ferretdb = run.is_ferretdb().await;
    let valid = format!("simulation_{SIMULATION_ID}");
    let (refused, code) = if ferretdb {
        (generic("refused", "Infinity"), 2)
    } else {
        let validator =
            doc! {"$or": [{"Value": {"$exists": false}}, {"Value": {"$type": "number"}}]};
        run.db
            .create_collection(&valid)
            .validator(validator)
            .await
            .expect("collection with a validator");
        (generic("refused", r#""text""#), 121)
    };
    let mut messages = vec![simstate("running"), generic("fine", "1"), refused.clone()];
    if ferretdb {
        messages.push(generic("nan", "NaN"));
    }
    messages.push(generic("fine2", "2"));
    messages.push(simstate("stopped"));
    let vars = [
        ("MESSAGE_BUFFER_MAX_INTERVAL", "30"),
        ("MESSAGE_BUFFER_MAX_DOCUMENTS", "100"),
    ];
    let writer = process::start(&run, &vars).await;
    run.publish(&messages).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();

    let rejected =
        format!("MongoDB rejected a document on topic 'refused' ({code}); stored as invalid.");
    assert!(
        text.lines()
            .any(|l| l.contains(&rejected) && l.contains("WARNING")),
        "{text}"
    );
    assert!(text.contains("Invalid message on topic 'refused' stored in invalid_simulation_"));
    assert!(text.contains(": server-rejected."), "{text}");
    let invalid = run
        .documents(&format!("invalid_simulation_{SIMULATION_ID}"))
        .await;
    let doc = invalid
        .iter()
        .find(|d| d.get_object_id("_id") == Ok(id_of(&refused)))
        .expect("stored with the same _id");
    assert_eq!(
        doc.get_str("InvalidJsonMessage").unwrap().as_bytes(),
        refused.body
    );
    let stored: Vec<String> = run
        .documents(&valid)
        .await
        .iter()
        .map(|d| d.get_str("Topic").unwrap().to_owned())
        .collect();
    assert_eq!(stored.len(), 4, "the rest of the batch: {stored:?}");
    if ferretdb {
        assert!(
            text.contains("on topic 'nan' (FerretDB cannot store NaN"),
            "{text}"
        );
        assert_eq!(invalid.len(), 2);
    }
    run.cleanup().await;
}
