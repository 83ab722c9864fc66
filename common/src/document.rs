//! The stored documents (messages.md §5–§6; logwriter.md §7.5).

use bson::oid::ObjectId;
use bson::Document;
use chrono::{DateTime, Utc};

pub use crate::classify::{InvalidReason, Malformed, Role};

/// The deterministic `_id` of a delivery (messages.md §6.3): the first 12 bytes of
/// SHA-256(u32 big-endian routing-key length ‖ routing key ‖ body).
pub fn message_id(routing_key: &[u8], body: &[u8]) -> ObjectId {
    let _ = (routing_key, body);
    todo!()
}

/// The one document a delivery becomes, plus what the writer needs to route it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    /// The document `_id` (messages.md §6.3).
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
        /// The document to insert (messages.md §6.1).
        doc: Document,
        /// The normalised `SimulationId`.
        simulation_id: String,
        /// The stored `Timestamp`: the message's own, or now when it had none.
        timestamp: DateTime<Utc>,
        /// The special role (messages.md §4.5).
        role: Role,
    },
    /// Goes to the run simulation's invalid collection (the writer decides which).
    Invalid {
        /// The wrapper document (messages.md §6.2).
        doc: Document,
        /// Why the delivery is invalid.
        reason: InvalidReason,
    },
}

/// Classifies and builds the document for one delivery (messages.md §4–§6). `now` is
/// truncated to whole milliseconds here.
pub fn ingest(routing_key: &[u8], body: &[u8], now: DateTime<Utc>) -> Ingested {
    let _ = (routing_key, body, now);
    todo!()
}

/// logwriter.md §7.5 first fallback: the raw-text (or base64) invalid document with the
/// same `_id`, and the `Timestamp` rule of messages.md §5.
pub fn server_rejected_document(
    id: ObjectId,
    routing_key: &[u8],
    body: &[u8],
    now: DateTime<Utc>,
) -> Document {
    let _ = (id, routing_key, body, now);
    todo!()
}

/// logwriter.md §7.5 last resort: `{_id, Timestamp: now, InvalidJsonMessage: <first 1024
/// bytes of the text, cut at a character boundary>, OriginalSize, Topic}`.
pub fn minimal_invalid_document(
    id: ObjectId,
    routing_key: &[u8],
    body: &[u8],
    now: DateTime<Utc>,
) -> Document {
    let _ = (id, routing_key, body, now);
    todo!()
}
