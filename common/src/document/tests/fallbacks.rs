//! The server-rejected fallbacks of docs/spec/logwriter.md §7.5.

use bson::doc;

use super::*;

fn fixed_id() -> bson::oid::ObjectId {
    bson::oid::ObjectId::from_bytes([7; 12])
}

#[test]
fn server_rejected_valid_message_keeps_id_and_own_timestamp() {
    let body =
        format!(r#"{{"Type":"x","SimulationId":"{SIM}","Timestamp":"2020-06-03T04:01:53.9999Z"}}"#);
    let doc = plain(&server_rejected_document(
        fixed_id(),
        b"a.b",
        body.as_bytes(),
        now(),
    ));
    let expected = doc! {
        "_id": fixed_id(), "Timestamp": date("2020-06-03T04:01:53.999Z"), "InvalidJsonMessage": body.as_str(),
        "Topic": "a.b",
    };
    assert_same(&doc, &expected);
}

#[test]
fn server_rejected_without_parseable_timestamp_uses_now() {
    for body in [
        r#"{"Type":"x","Timestamp":5}"#,
        r#"{"Timestamp":"yesterday"}"#,
        "[1]",
        "Ready",
        "",
    ] {
        let doc = plain(&server_rejected_document(
            fixed_id(),
            b"t",
            body.as_bytes(),
            now(),
        ));
        assert_eq!(doc.get("Timestamp"), Some(&now_date()), "{body}");
        assert_eq!(doc.get_str("InvalidJsonMessage").unwrap(), body);
    }
}

#[test]
fn server_rejected_non_utf8_body_is_base64() {
    let doc = plain(&server_rejected_document(
        fixed_id(),
        b"x\xff",
        b"\xff",
        now(),
    ));
    let expected = doc! {
        "_id": fixed_id(), "Timestamp": now_date(), "InvalidJsonMessage": "/w==", "Encoding": "base64",
        "Topic": "x\u{fffd}",
    };
    assert_same(&doc, &expected);
}

#[test]
fn server_rejected_long_text_is_truncated() {
    let body = format!("{}é", "a".repeat(MAX_TEXT_BYTES));
    let doc = plain(&server_rejected_document(
        fixed_id(),
        b"t",
        body.as_bytes(),
        now(),
    ));
    assert_eq!(
        doc.get_str("InvalidJsonMessage").unwrap().len(),
        MAX_TEXT_BYTES
    );
    assert_eq!(
        doc.get("OriginalSize"),
        Some(&Bson::Int64(body.len() as i64))
    );
}

#[test]
fn minimal_document_keeps_the_first_1024_bytes_on_a_char_boundary() {
    // "€" is 3 bytes: 341 of them end at byte 1023, the 342nd straddles byte 1024.
    let body = format!(r#"{{"Timestamp":"{SIM}"}}{}"#, "€".repeat(600));
    let doc = plain(&minimal_invalid_document(
        fixed_id(),
        b"t",
        body.as_bytes(),
        now(),
    ));
    let kept = doc.get_str("InvalidJsonMessage").unwrap();
    assert!(kept.len() <= MINIMAL_TEXT_BYTES && kept.len() > MINIMAL_TEXT_BYTES - 3);
    assert!(body.starts_with(kept));
    let expected = doc! {
        "_id": fixed_id(), "Timestamp": now_date(), "InvalidJsonMessage": kept,
        "OriginalSize": body.len() as i64, "Topic": "t",
    };
    assert_same(&doc, &expected);
}

#[test]
fn minimal_document_of_a_short_body_keeps_it_whole() {
    let doc = plain(&minimal_invalid_document(fixed_id(), b"t", b"Ready", now()));
    let expected = doc! {
        "_id": fixed_id(), "Timestamp": now_date(), "InvalidJsonMessage": "Ready", "OriginalSize": 5_i64,
        "Topic": "t",
    };
    assert_same(&doc, &expected);
}

#[test]
fn minimal_document_of_a_non_utf8_body_uses_replacement_characters() {
    let body = [vec![b'a'; 1023], vec![0xff; 10]].concat();
    let doc = plain(&minimal_invalid_document(fixed_id(), b"t", &body, now()));
    let kept = doc.get_str("InvalidJsonMessage").unwrap();
    assert_eq!(kept, "a".repeat(1023));
    let doc = plain(&minimal_invalid_document(
        fixed_id(),
        b"t",
        b"\xffok",
        now(),
    ));
    assert_eq!(doc.get_str("InvalidJsonMessage").unwrap(), "\u{fffd}ok");
    assert_eq!(doc.get("OriginalSize"), Some(&Bson::Int64(3)));
}
