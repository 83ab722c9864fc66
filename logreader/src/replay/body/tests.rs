//! The round trip the replay promises: a body the writer stored, read back and stored again,
//! gives the same document apart from `_id`.

use bson::RawDocumentBuf;
use chrono::{TimeZone, Utc};
use common::document::{ingest, Outcome};
use proptest::prelude::*;

use super::*;

/// What the writer stores for `body` under `topic`.
fn stored(topic: &str, body: &str) -> RawDocumentBuf {
    let now = Utc.with_ymd_and_hms(2021, 1, 2, 3, 4, 5).unwrap();
    match ingest(topic.as_bytes(), body.as_bytes(), now).outcome {
        Outcome::Valid { doc, .. } => doc,
        Outcome::Invalid { reason, .. } => panic!("{body} is invalid: {reason:?}"),
    }
}

/// The encoding of every field but `_id`, in order: equal bytes are equal types and
/// values, NaN included.
fn without_id(doc: &RawDocumentBuf) -> Vec<u8> {
    let mut rest = RawDocumentBuf::new();
    for element in doc {
        let (key, value) = element.expect("valid BSON");
        if key != "_id" {
            rest.append(key, value.to_raw_bson());
        }
    }
    rest.into_bytes()
}

fn assert_round_trip(topic: &str, body: &str) {
    let first = stored(topic, body);
    let again = replayed(&first).expect("publishable");
    assert_eq!(again.topic, topic);
    let second = stored(&again.topic, &again.body);
    assert_eq!(
        without_id(&second),
        without_id(&first),
        "{body}\n{}",
        again.body
    );
    // And a third time, byte for byte: the replayed body is a fixed point.
    assert_eq!(replayed(&second).unwrap().body, again.body);
}

const BASE: &str = r#""Type":"Result","SimulationId":"2020-06-03T04:01:52.345Z","SourceProcessId":"p1","MessageId":"p1-1""#;

#[test]
fn numbers_keep_their_bson_types() {
    assert_round_trip(
        "energy.p1",
        &format!(
            r#"{{{BASE},"Small":7,"Big":5000000000,"Neg":-2147483649,"One":1.0,"Tenth":0.1,
            "Huge":1e300,"Tiny":-2.5e-310,"NegZero":-0.0,"Nan":NaN,"Inf":Infinity,"NInf":-Infinity}}"#
        ),
    );
}

#[test]
fn dates_come_back_in_the_form_the_writer_parses() {
    assert_round_trip(
        "Epoch",
        &format!(
            r#"{{{BASE},"Timestamp":"2020-06-03T04:01:53+03:00","EpochNumber":1,
            "StartTime":"2020-06-03T13:00:00.5Z","EndTime":"2020-06-03T14:00:00Z","When":"2020-06-03T14:00:00Z"}}"#
        ),
    );
    let doc = stored(
        "Epoch",
        &format!(r#"{{{BASE},"Timestamp":"2020-06-03T04:01:53.2Z"}}"#),
    );
    let body = replayed(&doc).unwrap().body;
    assert!(
        body.contains(r#""Timestamp":"2020-06-03T04:01:53.200Z""#),
        "{body}"
    );
    assert!(!body.contains("_id"), "{body}");
}

#[test]
fn appended_fields_and_a_replaced_topic_come_back_in_place() {
    // No Timestamp (the writer appends now) and a Topic that differs from the routing key
    // (the writer replaces it with the routing key).
    assert_round_trip(
        "a.b",
        &format!(r#"{{{BASE},"Topic":"x.y","Value":"ready"}}"#),
    );
    assert_round_trip("a.b", &format!(r#"{{{BASE},"Value":"ready"}}"#));
}

#[test]
fn nested_values_strings_and_escapes_survive() {
    assert_round_trip(
        "energy.p1",
        &format!(
            r#"{{{BASE},"Series":{{"P":{{"Values":[1,2.5,null,true,"x"],"UnitOfMeasure":"kW"}}}},
            "Text":"tab\t quote\" back\\ nul\u0000 é 😀","Empty":{{}},"List":[[],[{{}}]],"":0}}"#
        ),
    );
}

#[test]
fn a_document_without_a_topic_string_is_not_publishable() {
    let mut doc = RawDocumentBuf::new();
    doc.append("Type", "Result");
    assert_eq!(replayed(&doc), Err(Unpublishable::NoTopic));
    doc.append("Topic", 5);
    assert_eq!(replayed(&doc), Err(Unpublishable::NoTopic));
}

#[test]
fn values_the_writer_never_stores_get_the_readers_json_form() {
    let mut doc = RawDocumentBuf::new();
    doc.append("Topic", "t");
    doc.append("Id", bson::oid::ObjectId::from_bytes([1; 12]));
    let body = replayed(&doc).unwrap().body;
    assert_eq!(body, r#"{"Topic":"t","Id":"010101010101010101010101"}"#);
}

proptest! {
    #[test]
    fn any_number_or_string_round_trips(
        int in any::<i64>(),
        float in any::<f64>(),
        text in any::<String>(),
    ) {
        let body = serde_json::json!({"Int": int, "Text": text}).to_string();
        let float = double(float);
        let body = format!("{{{BASE},\"Float\":{float},{}", &body[1..]);
        assert_round_trip("t.p", &body);
    }
}
