//! The invalid wrappers (docs/spec/messages.md §6.2) and the server-rejected fallbacks
//! (docs/spec/logwriter.md §7.5).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bson::oid::ObjectId;
use bson::{RawBson, RawDocumentBuf};
use chrono::{DateTime, Utc};

use super::mapping::{check_size, to_raw_document, Content};
use super::InvalidReason;
use crate::classify::Object;
use crate::schema::field;

/// Longest `InvalidJsonMessage` string before truncation (docs/spec/messages.md §6.2 (d)): 15 MiB.
pub const MAX_TEXT_BYTES: usize = 15 * 1024 * 1024;

/// Length of the `InvalidJsonMessage` text of the last-resort document (docs/spec/logwriter.md §7.5).
pub const MINIMAL_TEXT_BYTES: usize = 1024;

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub(super) fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn size_as_i64(len: usize) -> i64 {
    i64::try_from(len).unwrap_or(i64::MAX)
}

/// Assembles a wrapper in the fixed field order `_id, Timestamp, <content…>, Topic`.
fn wrapper(
    id: ObjectId,
    timestamp: DateTime<Utc>,
    content: Vec<(&str, RawBson)>,
    topic: &str,
) -> RawDocumentBuf {
    let mut doc = RawDocumentBuf::new();
    doc.append(field::ID, id);
    doc.append(field::TIMESTAMP, bson::DateTime::from_chrono(timestamp));
    for (key, value) in content {
        doc.append(key, value);
    }
    doc.append(field::TOPIC, topic);
    doc
}

/// Shape (b), or (d) when the text is longer than 15 MiB.
pub(super) fn text_document(
    id: ObjectId,
    timestamp: DateTime<Utc>,
    text: &str,
    topic: &str,
) -> RawDocumentBuf {
    let kept = cut_at_char_boundary(text, MAX_TEXT_BYTES);
    let mut content = vec![(field::INVALID_JSON_MESSAGE, RawBson::from(kept))];
    if kept.len() < text.len() {
        content.push((field::ORIGINAL_SIZE, size_as_i64(text.len()).into()));
    }
    wrapper(id, timestamp, content, topic)
}

/// Shape (c), or (d) when the base64 text is longer than 15 MiB. Only the body prefix that
/// survives the cut is encoded: 3 body bytes give 4 characters, so 15 MiB of characters
/// (a multiple of 4) is exactly the encoding of the first 15 MiB × 3/4 body bytes.
pub(super) fn bytes_document(
    id: ObjectId,
    timestamp: DateTime<Utc>,
    body: &[u8],
    topic: &str,
) -> RawDocumentBuf {
    let max_body = MAX_TEXT_BYTES / 4 * 3;
    let kept = &body[..body.len().min(max_body)];
    let mut content = vec![
        (
            field::INVALID_JSON_MESSAGE,
            RawBson::from(STANDARD.encode(kept)),
        ),
        (field::ENCODING, RawBson::from("base64")),
    ];
    if kept.len() < body.len() {
        content.push((field::ORIGINAL_SIZE, size_as_i64(body.len()).into()));
    }
    wrapper(id, timestamp, content, topic)
}

/// Shape (b)/(c)/(d) for any body: the §5 raw-text document.
pub(super) fn raw_document(
    id: ObjectId,
    timestamp: DateTime<Utc>,
    body: &[u8],
    topic: &str,
) -> RawDocumentBuf {
    match std::str::from_utf8(body) {
        Ok(text) => text_document(id, timestamp, text, topic),
        Err(_) => bytes_document(id, timestamp, body, topic),
    }
}

/// Shape (a): the object inside `InvalidMessage`, mapped per §6.1 and otherwise unchanged.
/// Fails with the §5 reason when MongoDB would refuse it.
pub(super) fn object_document(
    id: ObjectId,
    timestamp: DateTime<Utc>,
    object: Object,
    topic: &str,
) -> Result<RawDocumentBuf, InvalidReason> {
    let content = Content::of(&object);
    if content.refused_key {
        return Err(InvalidReason::RefusedKey);
    }
    if content.big_integer {
        return Err(InvalidReason::IntegerOutOfRange);
    }
    let inner = RawBson::Document(to_raw_document(object)?);
    let doc = wrapper(id, timestamp, vec![(field::INVALID_MESSAGE, inner)], topic);
    check_size(&doc)?;
    Ok(doc)
}

/// The last-resort document of docs/spec/logwriter.md §7.5. It has no `Encoding` field, so a body
/// that is not UTF-8 is shown with U+FFFD replacements (and the cut still keeps at most
/// 1024 bytes of text).
pub(super) fn minimal_document(
    id: ObjectId,
    timestamp: DateTime<Utc>,
    body: &[u8],
    topic: &str,
) -> RawDocumentBuf {
    // A few extra bytes let a character that straddles byte 1024 decode whole before the cut.
    let head = &body[..body.len().min(MINIMAL_TEXT_BYTES + 3)];
    let head = String::from_utf8_lossy(head);
    let content = vec![
        (
            field::INVALID_JSON_MESSAGE,
            RawBson::from(cut_at_char_boundary(&head, MINIMAL_TEXT_BYTES)),
        ),
        (field::ORIGINAL_SIZE, size_as_i64(body.len()).into()),
    ];
    wrapper(id, timestamp, content, topic)
}
