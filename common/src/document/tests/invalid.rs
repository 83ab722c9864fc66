//! Invalid wrappers (docs/spec/messages.md §6.2) for rows 1–9 of the decision table.

use bson::doc;

use super::*;

fn id(topic: &str, body: &[u8]) -> bson::oid::ObjectId {
    message_id(topic.as_bytes(), body)
}

#[test]
fn spec_example_object_wrapper() {
    let body = br#"{"Type": "Epoch", "EpochNumber": 1, "StartTime": "2020-06-03T13:00:00Z", "Timestamp": "2020-06-03T04:01:53Z"}"#;
    let (doc, reason) = invalid_doc("Epoch", body);
    let expected = doc! {
        "_id": id("Epoch", body), "Timestamp": date("2020-06-03T04:01:53.000Z"),
        "InvalidMessage": { "Type": "Epoch", "EpochNumber": 1, "StartTime": "2020-06-03T13:00:00Z",
            "Timestamp": "2020-06-03T04:01:53Z" },
        "Topic": "Epoch",
    };
    assert_same(&doc, &expected);
    assert_eq!(reason, InvalidReason::SimulationIdMissing);
}

#[test]
fn spec_example_text_wrapper() {
    let (doc, reason) = invalid_doc("Status.Ready", b"Ready");
    let expected = doc! {
        "_id": id("Status.Ready", b"Ready"), "Timestamp": now_date(), "InvalidJsonMessage": "Ready",
        "Topic": "Status.Ready",
    };
    assert_same(&doc, &expected);
    assert_eq!(reason, InvalidReason::NotJson);
}

#[test]
fn spec_example_bytes_wrapper() {
    let (doc, reason) = invalid_doc("x", b"\xff");
    let expected = doc! {
        "_id": id("x", b"\xff"), "Timestamp": now_date(), "InvalidJsonMessage": "/w==",
        "Encoding": "base64", "Topic": "x",
    };
    assert_same(&doc, &expected);
    assert_eq!(reason, InvalidReason::NotUtf8);
}

#[test]
fn row_1_non_utf8_body_is_stored_as_padded_base64() {
    let (doc, _) = invalid_doc("t", b"\xff\xfe");
    assert_eq!(doc.get_str("InvalidJsonMessage").unwrap(), "//4=");
    assert_eq!(
        keys(&doc),
        [
            "_id",
            "Timestamp",
            "InvalidJsonMessage",
            "Encoding",
            "Topic"
        ]
    );
    let (doc, _) = invalid_doc("t", b"{\"a\":\"\xc0\xaf\"}");
    assert_eq!(
        doc.get_str("InvalidJsonMessage").unwrap(),
        "eyJhIjoiwK8ifQ=="
    );
}

#[test]
fn rows_2_to_4_store_the_exact_text() {
    let cases = [
        ("", InvalidReason::NotJson),
        ("\u{feff}{}", InvalidReason::NotJson),
        (" [1,2] ", InvalidReason::NotObject),
        ("\"x\"", InvalidReason::NotObject),
        ("42", InvalidReason::NotObject),
        ("true", InvalidReason::NotObject),
        ("null", InvalidReason::NotObject),
    ];
    for (text, reason) in cases {
        let (doc, got) = invalid_doc("t", text.as_bytes());
        let expected = doc! {
            "_id": id("t", text.as_bytes()), "Timestamp": now_date(), "InvalidJsonMessage": text, "Topic": "t",
        };
        assert_same(&doc, &expected);
        assert_eq!(got, reason, "{text:?}");
    }
}

#[test]
fn row_3_too_deep_stores_the_text() {
    let body = format!(
        r#"{{"Type":"x","SimulationId":"{SIM}","a":{}1{}}}"#,
        "[".repeat(90),
        "]".repeat(90)
    );
    let (doc, reason) = invalid_doc("t", body.as_bytes());
    assert_eq!(reason, InvalidReason::TooDeep);
    assert_eq!(doc.get_str("InvalidJsonMessage").unwrap(), body);
    assert_eq!(
        keys(&doc),
        ["_id", "Timestamp", "InvalidJsonMessage", "Topic"]
    );
}

#[test]
fn rows_5_to_7_use_the_objects_parseable_timestamp() {
    let ts = "2020-06-03T04:01:53.1239+02:00";
    let cases = [
        (
            format!(r#"{{"Timestamp":"{ts}","SimulationId":"{SIM}"}}"#),
            InvalidReason::TypeMissing,
        ),
        (
            format!(r#"{{"Type":"","Timestamp":"{ts}"}}"#),
            InvalidReason::TypeMissing,
        ),
        (
            format!(r#"{{"Type":"x","Timestamp":"{ts}","SimulationId":5}}"#),
            InvalidReason::SimulationIdMissing,
        ),
        (
            format!(r#"{{"Type":"x","Timestamp":"{ts}","SimulationId":"no"}}"#),
            InvalidReason::SimulationIdUnparseable,
        ),
    ];
    for (body, reason) in cases {
        let (doc, got) = invalid_doc("t", body.as_bytes());
        assert_eq!(got, reason, "{body}");
        assert_eq!(
            doc.get("Timestamp"),
            Some(&date("2020-06-03T02:01:53.123Z")),
            "{body}"
        );
        assert_eq!(keys(&doc), ["_id", "Timestamp", "InvalidMessage", "Topic"]);
    }
    let (doc, _) = invalid_doc("t", br#"{"Type":5}"#);
    assert_eq!(doc.get("Timestamp"), Some(&now_date()));
}

#[test]
fn rows_8_and_9_use_now() {
    for ts in ["null", "123", "[]", "{}", "\"yesterday\""] {
        let body = format!(r#"{{"Type":"x","SimulationId":"{SIM}","Timestamp":{ts}}}"#);
        let (doc, reason) = invalid_doc("t", body.as_bytes());
        assert!(matches!(
            reason,
            InvalidReason::TimestampNotString | InvalidReason::TimestampUnparseable
        ));
        assert_eq!(doc.get("Timestamp"), Some(&now_date()), "{body}");
    }
}

#[test]
fn nothing_inside_invalid_message_is_converted() {
    let body = r#"{"Topic":"inner","b":2147483648,"SimulationId":"2020-06-03T04:01:52Z","Type":"",
        "Timestamp":"2020-06-03","StartTime":"2020-06-03T13:00:00Z","_id":"mine","d":[1.0,NaN],"a":1,"a":3}"#;
    let (doc, reason) = invalid_doc("t", body.as_bytes());
    assert_eq!(reason, InvalidReason::TypeMissing);
    let expected = doc! {
        "Topic": "inner", "b": 2_147_483_648_i64, "SimulationId": "2020-06-03T04:01:52Z", "Type": "",
        "Timestamp": "2020-06-03", "StartTime": "2020-06-03T13:00:00Z", "_id": "mine", "d": [1.0, f64::NAN],
        "a": 3,
    };
    assert_same(doc.get_document("InvalidMessage").unwrap(), &expected);
    assert_eq!(doc.get("Timestamp"), Some(&date("2020-06-03")));
    assert_eq!(doc.get_str("Topic").unwrap(), "t");
}

#[test]
fn text_over_15_mib_is_cut_at_a_char_boundary_with_the_original_size() {
    // "é" is two bytes; placed so that it straddles the limit.
    let mut text = "a".repeat(MAX_TEXT_BYTES - 1);
    text.push('é');
    text.push_str(&"b".repeat(100));
    let (doc, reason) = invalid_doc("t", text.as_bytes());
    assert_eq!(reason, InvalidReason::NotJson);
    let kept = doc.get_str("InvalidJsonMessage").unwrap();
    assert_eq!(kept.len(), MAX_TEXT_BYTES - 1);
    assert!(text.starts_with(kept));
    assert_eq!(
        doc.get("OriginalSize"),
        Some(&Bson::Int64(text.len() as i64))
    );
    assert_eq!(
        keys(&doc),
        [
            "_id",
            "Timestamp",
            "InvalidJsonMessage",
            "OriginalSize",
            "Topic"
        ]
    );
}

#[test]
fn text_of_exactly_15_mib_is_not_truncated() {
    let text = "x".repeat(MAX_TEXT_BYTES);
    let (doc, _) = invalid_doc("t", text.as_bytes());
    assert_eq!(
        doc.get_str("InvalidJsonMessage").unwrap().len(),
        MAX_TEXT_BYTES
    );
    assert!(!doc.contains_key("OriginalSize"));
}

#[test]
fn base64_over_15_mib_is_cut_on_a_multiple_of_4() {
    use base64::Engine as _;
    let limit_body = MAX_TEXT_BYTES / 4 * 3;
    let exact: Vec<u8> = (0..limit_body).map(|i| [0xff, 0x00, 0x41][i % 3]).collect();
    let (doc, _) = invalid_doc("t", &exact);
    assert_eq!(
        doc.get_str("InvalidJsonMessage").unwrap().len(),
        MAX_TEXT_BYTES
    );
    assert!(!doc.contains_key("OriginalSize"));

    let mut longer = exact.clone();
    longer.extend_from_slice(b"\xfe\xfd");
    let (doc, reason) = invalid_doc("t", &longer);
    assert_eq!(reason, InvalidReason::NotUtf8);
    let full = base64::engine::general_purpose::STANDARD.encode(&longer);
    let kept = doc.get_str("InvalidJsonMessage").unwrap();
    assert_eq!(kept.len(), MAX_TEXT_BYTES);
    assert_eq!(kept, &full[..MAX_TEXT_BYTES]);
    assert_eq!(
        doc.get("OriginalSize"),
        Some(&Bson::Int64(longer.len() as i64))
    );
    let order = [
        "_id",
        "Timestamp",
        "InvalidJsonMessage",
        "Encoding",
        "OriginalSize",
        "Topic",
    ];
    assert_eq!(keys(&doc), order);
}
