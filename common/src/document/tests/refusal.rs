//! Documents MongoDB would refuse (docs/spec/messages.md §5): the raw-text fallback.

use bson::doc;

use super::*;

/// A valid message body with `extra` spliced in as further top-level attributes.
fn valid_with(extra: &str) -> String {
    format!(r#"{{"Type":"x","SimulationId":"{SIM}","Timestamp":"2020-06-03T04:01:53Z",{extra}}}"#)
}

/// An invalid (row 6) object body with `extra` spliced in.
fn invalid_with(extra: &str) -> String {
    format!(r#"{{"Type":"x","Timestamp":"2020-06-03T04:01:53Z",{extra}}}"#)
}

/// Asserts the body is stored as the raw-text document with `reason`, timestamped with the
/// message's own `Timestamp`.
fn assert_raw_text(body: &str, reason: InvalidReason) {
    let (doc, got) = invalid_doc("t", body.as_bytes());
    assert_eq!(got, reason, "{body}");
    let expected = doc! {
        "_id": message_id(b"t", body.as_bytes()), "Timestamp": date("2020-06-03T04:01:53Z"),
        "InvalidJsonMessage": body, "Topic": "t",
    };
    assert_same(&doc, &expected);
}

const REFUSED_KEYS: [&str; 10] = [
    r#""$x":1"#,
    r#""a.b":1"#,
    r#""a\u0000b":1"#,
    r#""n":{"$set":1}"#,
    r#""n":{"m":{"a.b":1}}"#,
    r#""n":[{"$x":1}]"#,
    r#""n":[[1,{"ok":{"x\u0000":1}}]]"#,
    r#""n":[{}, {"a":{".":2}}]"#,
    r#""$":1"#,
    r#""n":{"a":1,"$ref":"x"}"#,
];

#[test]
fn refused_keys_at_any_depth_make_valid_messages_raw_text() {
    for extra in REFUSED_KEYS {
        assert_raw_text(&valid_with(extra), InvalidReason::RefusedKey);
    }
}

#[test]
fn refused_keys_inside_invalid_message_make_raw_text() {
    for extra in REFUSED_KEYS {
        assert_raw_text(&invalid_with(extra), InvalidReason::RefusedKey);
    }
}

#[test]
fn allowed_keys_are_stored() {
    let doc = valid_doc(&valid_with(r#""":1,"a$":2,"n":[{"x$y":3}],"é":4"#));
    assert_eq!(doc.get("a$"), Some(&Bson::Int32(2)));
    assert_eq!(doc.get(""), Some(&Bson::Int32(1)));
}

#[test]
fn a_top_level_id_is_reserved_in_valid_messages_only() {
    assert_raw_text(&valid_with(r#""_id":"mine""#), InvalidReason::ReservedId);
    let doc = valid_doc(&valid_with(r#""n":{"_id":1},"l":[{"_id":2}]"#));
    assert_eq!(doc.get_document("n").unwrap(), &doc! {"_id": 1});
    let (doc, reason) = invalid_doc("t", invalid_with(r#""_id":"mine""#).as_bytes());
    assert_eq!(reason, InvalidReason::SimulationIdMissing);
    assert_eq!(
        doc.get_document("InvalidMessage")
            .unwrap()
            .get_str("_id")
            .unwrap(),
        "mine"
    );
    assert_ne!(doc.get("_id"), Some(&Bson::String("mine".into())));
}

#[test]
fn integers_outside_int64_make_raw_text() {
    for extra in [
        r#""n":9223372036854775808"#,
        r#""n":-9223372036854775809"#,
        r#""n":[1,[123456789012345678901234567890]]"#,
        r#""n":{"m":{"k":99999999999999999999}}"#,
    ] {
        assert_raw_text(&valid_with(extra), InvalidReason::IntegerOutOfRange);
        assert_raw_text(&invalid_with(extra), InvalidReason::IntegerOutOfRange);
    }
}

#[test]
fn refusals_are_reported_in_table_order() {
    let body = valid_with(r#""n":9223372036854775808,"_id":1,"m":{"$x":1}"#);
    assert_raw_text(&body, InvalidReason::RefusedKey);
    assert_raw_text(
        &valid_with(r#""n":9223372036854775808,"_id":1"#),
        InvalidReason::ReservedId,
    );
}

#[test]
fn raw_text_timestamp_is_now_without_a_parseable_timestamp() {
    let body = format!(r#"{{"Type":"x","SimulationId":"{SIM}","$x":1}}"#);
    let (doc, _) = invalid_doc("t", body.as_bytes());
    assert_eq!(doc.get("Timestamp"), Some(&now_date()));
    let body = r#"{"Type":"x","Timestamp":"nope","$x":1}"#;
    let (doc, reason) = invalid_doc("t", body.as_bytes());
    assert_eq!(
        (doc.get("Timestamp"), reason),
        (Some(&now_date()), InvalidReason::RefusedKey)
    );
}

/// A valid body whose document encodes to `MAX_DOCUMENT_BYTES + over` bytes.
fn body_of_document_size(over: usize) -> String {
    let probe = valid_doc(&valid_with(r#""pad":"""#));
    let base = bson::to_vec(&probe).unwrap().len();
    valid_with(&format!(
        r#""pad":"{}""#,
        "p".repeat(MAX_DOCUMENT_BYTES - base + over)
    ))
}

#[test]
fn documents_of_exactly_16_mib_are_stored() {
    let Outcome::Valid { doc, .. } = run("t", &body_of_document_size(0)).outcome else {
        panic!("a 16 MiB document is valid")
    };
    assert_eq!(doc.as_bytes().len(), MAX_DOCUMENT_BYTES);
}

#[test]
fn documents_over_16_mib_become_truncated_raw_text() {
    let body = body_of_document_size(1);
    let (doc, reason) = invalid_doc("t", body.as_bytes());
    assert_eq!(reason, InvalidReason::TooLarge);
    assert_eq!(
        doc.get_str("InvalidJsonMessage").unwrap(),
        &body[..MAX_TEXT_BYTES]
    );
    assert_eq!(
        doc.get("OriginalSize"),
        Some(&Bson::Int64(body.len() as i64))
    );
    assert_eq!(doc.get("Timestamp"), Some(&date("2020-06-03T04:01:53Z")));
}

#[test]
fn a_17_mib_message_is_stored_as_its_first_15_mib() {
    let size = 17 * 1024 * 1024;
    let head = valid_with(r#""pad":""#);
    // Multi-byte padding so that the 15 MiB cut falls inside a character.
    let pad = "€".repeat((size - head.len() - 2) / 3);
    let mut body = format!("{head}{pad}\"}}");
    body.push_str(&" ".repeat(size - body.len()));
    assert_eq!(body.len(), size);
    let (doc, reason) = invalid_doc("t", body.as_bytes());
    assert_eq!(reason, InvalidReason::TooLarge);
    let kept = doc.get_str("InvalidJsonMessage").unwrap();
    assert!(kept.len() <= MAX_TEXT_BYTES && kept.len() > MAX_TEXT_BYTES - 3);
    assert!(body.starts_with(kept));
    assert_eq!(doc.get("OriginalSize"), Some(&Bson::Int64(size as i64)));
    let order = [
        "_id",
        "Timestamp",
        "InvalidJsonMessage",
        "OriginalSize",
        "Topic",
    ];
    assert_eq!(keys(&doc), order);
}

#[test]
fn an_oversized_invalid_object_becomes_raw_text() {
    let body = invalid_with(&format!(r#""pad":"{}""#, "p".repeat(MAX_DOCUMENT_BYTES)));
    let (doc, reason) = invalid_doc("t", body.as_bytes());
    assert_eq!(reason, InvalidReason::TooLarge);
    assert!(doc.contains_key("OriginalSize") && doc.contains_key("InvalidJsonMessage"));
}
