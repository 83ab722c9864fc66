//! `NaN`, `Infinity`, `-Infinity` and `1e400` are valid message content (docs/spec/messages.md §6.1,
//! acceptance item 23). MongoDB stores them as doubles. FerretDB 1.24 cannot: the writer
//! stores each such message as the raw-text invalid document with the same `_id`
//! (docs/spec/logwriter.md §7.5) and the rest of the batch normally, instead of retrying forever.

use std::time::Duration;

use bson::{Bson, Document};

use crate::harness::{id_of, message, Run, SIMULATION_ID};

fn body(id: &str, value: &str) -> String {
    format!(
        r#"{{"Type":"General","SimulationId":"{SIMULATION_ID}","MessageId":"{id}","Timestamp":"2020-06-03T04:05:00Z","Value":{value}}}"#
    )
}

fn simstate(state: &str, n: u32) -> String {
    format!(
        r#"{{"Type":"SimState","SimulationId":"{SIMULATION_ID}","SourceProcessId":"sm","MessageId":"sm-{n}","Timestamp":"2020-06-03T04:0{n}:00Z","SimulationState":"{state}"}}"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn non_finite_numbers_are_doubles_on_mongodb_and_raw_text_on_ferretdb() {
    let run = Run::new("e2e_nonfinite").await;
    let odd = [
        message("nan", &body("nan", "NaN")),
        message("inf", &body("inf", "Infinity")),
        message("neginf", &body("neginf", r#"{"deep":-Infinity}"#)),
        message("huge", &body("huge", "1e400")),
        message("infarray", &body("infarray", "[1, Infinity]")),
        message("nanarray", &body("nanarray", "[[NaN]]")),
    ];
    let mut messages = vec![message("SimState", &simstate("running", 1))];
    messages.push(message("fine", &body("fine-1", "1.5")));
    messages.extend(odd.iter().cloned());
    messages.push(message("fine", &body("fine-2", "2.5")));
    messages.push(message("SimState", &simstate("stopped", 9)));
    // One batch: the odd documents share their insert with the ordinary ones.
    let writer = run
        .start(&[
            "--message-buffer-max-documents",
            "100",
            "--message-buffer-max-interval",
            "60",
        ])
        .await;
    run.publish(&messages).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);

    let valid = run.documents(&format!("simulation_{SIMULATION_ID}")).await;
    let invalid = run
        .documents(&format!("invalid_simulation_{SIMULATION_ID}"))
        .await;
    let value = |docs: &[Document], topic: &str| -> Option<Bson> {
        let doc = docs.iter().find(|d| d.get_str("Topic") == Ok(topic))?;
        doc.get("Value").cloned()
    };
    assert_eq!(
        value(&valid, "fine"),
        Some(Bson::Double(1.5)),
        "rest of the batch stored"
    );
    if run.is_ferretdb().await {
        assert_eq!(valid.len(), 4, "running, two fine ones, stopped");
        assert_eq!(invalid.len(), odd.len());
        for sent in &odd {
            let doc = invalid
                .iter()
                .find(|d| d.get_object_id("_id") == Ok(id_of(sent)))
                .unwrap_or_else(|| panic!("{} stored with its own _id", sent.routing_key));
            let keys: Vec<&str> = doc.keys().map(String::as_str).collect();
            assert_eq!(keys, ["_id", "Timestamp", "InvalidJsonMessage", "Topic"]);
            assert_eq!(
                doc.get_str("InvalidJsonMessage").unwrap().as_bytes(),
                sent.body
            );
            assert_eq!(doc.get_str("Topic").unwrap(), sent.routing_key);
            let at = doc.get_datetime("Timestamp").unwrap().to_chrono();
            assert_eq!(
                common::time::format_normalised(at),
                "2020-06-03T04:05:00.000Z",
                "the message's own Timestamp (docs/spec/messages.md §5)"
            );
        }
        let metadata = &run.documents("simulations").await[0];
        assert_eq!(crate::full_run::number(metadata.get("InvalidMessages")), 6);
    } else {
        assert!(invalid.is_empty());
        assert!(value(&valid, "nan").unwrap().as_f64().unwrap().is_nan());
        assert_eq!(value(&valid, "inf"), Some(Bson::Double(f64::INFINITY)));
        assert_eq!(value(&valid, "huge"), Some(Bson::Double(f64::INFINITY)));
        let deep = value(&valid, "neginf").unwrap();
        assert_eq!(
            deep.as_document().unwrap().get_f64("deep").unwrap(),
            f64::NEG_INFINITY
        );
        assert_eq!(valid.len(), 4 + odd.len());
    }
    run.cleanup().await;
}
