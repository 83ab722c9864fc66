//! The stored documents (docs/spec/messages.md §5–§6; docs/spec/logwriter.md §7.5).
//!
//! [`ingest`] is the whole pure path of one delivery: classify (§4), build the valid
//! document (§6.1) or the invalid wrapper (§6.2), and replace a document MongoDB would
//! refuse (§5) by the raw-text wrapper. [`server_rejected_document`] and
//! [`minimal_invalid_document`] are the two fallbacks for a document the server still
//! rejects.

mod invalid;
mod mapping;
#[cfg(test)]
mod tests;
mod valid;

use bson::oid::ObjectId;
use bson::RawDocumentBuf;
use chrono::{DateTime, Timelike, Utc};
use sha2::{Digest, Sha256};

use crate::classify::{classify, object_timestamp, Classified, InvalidObject, ValidMessage};
pub use crate::classify::{InvalidReason, Malformed, Role};
use crate::json::{self, Json};
pub use invalid::{MAX_TEXT_BYTES, MINIMAL_TEXT_BYTES};
pub use mapping::MAX_DOCUMENT_BYTES;
use valid::ValidParts;

/// The deterministic `_id` of a delivery (docs/spec/messages.md §6.3): the first 12 bytes of
/// SHA-256(u32 big-endian routing-key length ‖ routing key ‖ body).
///
/// A routing key longer than `u32::MAX` bytes cannot exist (AMQP limits it to 255), so the
/// length saturates rather than fails.
pub fn message_id(routing_key: &[u8], body: &[u8]) -> ObjectId {
    let key_len = u32::try_from(routing_key.len()).unwrap_or(u32::MAX);
    let digest = Sha256::new()
        .chain_update(key_len.to_be_bytes())
        .chain_update(routing_key)
        .chain_update(body)
        .finalize();
    let mut bytes = [0u8; 12];
    bytes.copy_from_slice(&digest[..12]);
    ObjectId::from_bytes(bytes)
}

/// The one document a delivery becomes, plus what the writer needs to route it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    /// The document `_id` (docs/spec/messages.md §6.3).
    pub id: ObjectId,
    /// The routing key, decoded as lossy UTF-8.
    pub topic: String,
    /// The class, the document and the role.
    pub outcome: Outcome,
}

/// What a delivery is stored as.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Goes to `<prefix><simulation_id>`.
    Valid {
        /// The document to insert (docs/spec/messages.md §6.1), encoded once.
        doc: RawDocumentBuf,
        /// The normalised `SimulationId`.
        simulation_id: String,
        /// The stored `Timestamp`: the message's own, or now when it had none.
        timestamp: DateTime<Utc>,
        /// The special role (docs/spec/messages.md §4.5).
        role: Role,
    },
    /// Goes to the run simulation's invalid collection (the writer decides which).
    Invalid {
        /// The wrapper document (docs/spec/messages.md §6.2), encoded once.
        doc: RawDocumentBuf,
        /// Why the delivery is invalid.
        reason: InvalidReason,
    },
}

/// Classifies and builds the document for one delivery (docs/spec/messages.md §4–§6). `now` is
/// truncated to whole milliseconds here.
pub fn ingest(routing_key: &[u8], body: &[u8], now: DateTime<Utc>) -> Ingested {
    let id = message_id(routing_key, body);
    let topic = String::from_utf8_lossy(routing_key).into_owned();
    let outcome = outcome(id, &topic, body, truncate_to_millis(now));
    Ingested { id, topic, outcome }
}

fn outcome(id: ObjectId, topic: &str, body: &[u8], now: DateTime<Utc>) -> Outcome {
    let invalid = |doc, reason| Outcome::Invalid { doc, reason };
    match classify(body) {
        Classified::NotUtf8 => invalid(
            invalid::bytes_document(id, now, body, topic),
            InvalidReason::NotUtf8,
        ),
        Classified::Text { text, reason } => {
            invalid(invalid::text_document(id, now, text, topic), reason)
        }
        Classified::InvalidObject(message) => invalid_object_outcome(id, topic, message, now),
        Classified::Valid(message) => valid_outcome(id, topic, message, now),
    }
}

/// Rows 5–9: the `InvalidMessage` wrapper, or the §5 raw-text document. Both take the
/// object's own `Timestamp` when it parses.
fn invalid_object_outcome(
    id: ObjectId,
    topic: &str,
    message: InvalidObject<'_>,
    now: DateTime<Utc>,
) -> Outcome {
    let timestamp = message.timestamp.unwrap_or(now);
    let (doc, reason) = match invalid::object_document(id, timestamp, message.object, topic) {
        Ok(doc) => (doc, message.reason),
        Err(refused) => (
            invalid::text_document(id, timestamp, message.text, topic),
            refused,
        ),
    };
    Outcome::Invalid { doc, reason }
}

/// Rows 10–12: the valid document, or the §5 raw-text document.
fn valid_outcome(
    id: ObjectId,
    topic: &str,
    message: ValidMessage<'_>,
    now: DateTime<Utc>,
) -> Outcome {
    let ValidMessage {
        object,
        simulation_id,
        timestamp,
        role,
        text,
    } = message;
    let timestamp = timestamp.unwrap_or(now);
    let parts = ValidParts {
        id,
        topic,
        simulation_id: &simulation_id,
        timestamp,
    };
    match valid::valid_document(&parts, object) {
        Ok(doc) => Outcome::Valid {
            doc,
            simulation_id,
            timestamp,
            role,
        },
        Err(reason) => {
            let doc = invalid::text_document(id, timestamp, text, topic);
            Outcome::Invalid { doc, reason }
        }
    }
}

/// Drops sub-millisecond digits: stored dates have millisecond precision (docs/spec/messages.md §1).
fn truncate_to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.nanosecond() / 1_000_000 * 1_000_000;
    // `nanos` is at most the original value, which is always accepted.
    t.with_nanosecond(nanos).unwrap_or(t)
}

/// docs/spec/logwriter.md §7.5 first fallback: the raw-text (or base64) invalid document with the
/// same `_id`, and the `Timestamp` rule of docs/spec/messages.md §5.
pub fn server_rejected_document(
    id: ObjectId,
    routing_key: &[u8],
    body: &[u8],
    now: DateTime<Utc>,
) -> RawDocumentBuf {
    let now = truncate_to_millis(now);
    let topic = String::from_utf8_lossy(routing_key);
    let timestamp = match std::str::from_utf8(body).map(json::parse) {
        Ok(Ok(Json::Object(object))) => object_timestamp(&object),
        _ => None,
    };
    invalid::raw_document(id, timestamp.unwrap_or(now), body, &topic)
}

/// docs/spec/logwriter.md §7.5 last resort: `{_id, Timestamp: now, InvalidJsonMessage: <first 1024
/// bytes of the text, cut at a character boundary>, OriginalSize, Topic}`.
pub fn minimal_invalid_document(
    id: ObjectId,
    routing_key: &[u8],
    body: &[u8],
    now: DateTime<Utc>,
) -> RawDocumentBuf {
    let topic = String::from_utf8_lossy(routing_key);
    invalid::minimal_document(id, truncate_to_millis(now), body, &topic)
}
