//! Shared helpers of the document tests; the cases live in the submodules.

use bson::{Bson, Document};
use chrono::{DateTime, Utc};

use super::*;
use crate::time::parse_message_datetime;

mod fallbacks;
mod invalid;
mod refusal;
mod valid;

const SIM: &str = "2020-06-03T04:01:52.345Z";

/// A wall clock with sub-millisecond digits, which the stored documents must drop.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2021-01-02T03:04:05.678912345Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// [`now`] as stored: truncated to whole milliseconds.
fn now_date() -> Bson {
    date("2021-01-02T03:04:05.678Z")
}

/// A BSON date from a writer-grammar string.
fn date(s: &str) -> Bson {
    let t = parse_message_datetime(s).unwrap_or_else(|| panic!("{s} parses"));
    Bson::DateTime(bson::DateTime::from_chrono(t))
}

fn run(topic: &str, body: &str) -> Ingested {
    ingest(topic.as_bytes(), body.as_bytes(), now())
}

/// A stored (raw) document as a `Document`, for comparisons and lookups.
fn plain(doc: &RawDocumentBuf) -> Document {
    doc.to_document().expect("a well-formed raw document")
}

/// The valid document of a body that must be valid.
fn valid_doc(body: &str) -> Document {
    match run("t", body).outcome {
        Outcome::Valid { doc, .. } => plain(&doc),
        Outcome::Invalid { reason, .. } => panic!("{body} should be valid, got {reason:?}"),
    }
}

/// The invalid document and reason of a body that must be invalid.
fn invalid_doc(topic: &str, body: &[u8]) -> (Document, InvalidReason) {
    match ingest(topic.as_bytes(), body, now()).outcome {
        Outcome::Invalid { doc, reason } => (plain(&doc), reason),
        Outcome::Valid { doc, .. } => panic!("should be invalid, got {:?}", plain(&doc)),
    }
}

fn keys(doc: &Document) -> Vec<&str> {
    doc.keys().map(String::as_str).collect()
}

/// Documents are equal in content *and* key order (`Document`'s `==` ignores the order),
/// so they are compared as encoded bytes.
fn assert_same(actual: &Document, expected: &Document) {
    let bytes = |doc: &Document| bson::to_vec(doc).unwrap();
    assert!(
        bytes(actual) == bytes(expected),
        "documents differ:\n actual:   {actual}\n expected: {expected}"
    );
}

#[test]
fn id_is_the_first_12_bytes_of_the_sha256_of_length_key_and_body() {
    // Computed independently: sha256(b"\0\0\0\x01" b"x" b"Ready")[:12], and so on.
    let vectors: [(&[u8], &[u8], &str); 3] = [
        (b"x", b"Ready", "c970ed7d6f23ccf5217ed74e"),
        (b"", b"", "df3f619804a92fdb4057192d"),
        (
            b"energy.storage.state",
            br#"{"a":1}"#,
            "deef183e99374872a7c73b47",
        ),
    ];
    for (key, body, hex) in vectors {
        assert_eq!(message_id(key, body).to_hex(), hex);
    }
}

#[test]
fn id_separates_routing_key_from_body() {
    assert_ne!(message_id(b"ab", b"c"), message_id(b"a", b"bc"));
}

#[test]
fn id_is_the_same_for_valid_and_invalid_documents() {
    let valid = format!(r#"{{"Type":"x","SimulationId":"{SIM}"}}"#);
    for body in [valid.as_bytes(), b"Ready", b"\xff", b"[1]"] {
        let ingested = ingest(b"a.b", body, now());
        let (Outcome::Valid { doc, .. } | Outcome::Invalid { doc, .. }) = &ingested.outcome;
        assert_eq!(ingested.id, message_id(b"a.b", body));
        assert_eq!(doc.get_object_id("_id").unwrap(), ingested.id);
        assert_eq!(keys(&plain(doc))[0], "_id");
    }
}

#[test]
fn topic_is_the_lossy_routing_key_but_the_id_uses_the_raw_bytes() {
    let a = ingest(b"a.\xff", b"Ready", now());
    let b = ingest(b"a.\xfe", b"Ready", now());
    assert_eq!(a.topic, "a.\u{fffd}");
    assert_eq!(a.topic, b.topic);
    assert_ne!(a.id, b.id);
    let (doc, _) = invalid_doc("a.\u{fffd}", b"Ready");
    assert_eq!(doc.get_str("Topic").unwrap(), a.topic);
}
