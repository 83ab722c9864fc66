//! The valid document (docs/spec/messages.md §6.1).

use bson::oid::ObjectId;
use bson::{RawBson, RawDocumentBuf};
use chrono::{DateTime, Utc};

use super::mapping::{check_size, to_raw, Content};
use super::InvalidReason;
use crate::classify::Object;
use crate::json::Json;
use crate::schema::field;
use crate::time::parse_message_datetime;

/// What the valid document is built from.
#[derive(Debug)]
pub(super) struct ValidParts<'a> {
    pub(super) id: ObjectId,
    pub(super) topic: &'a str,
    /// The normalised `SimulationId`.
    pub(super) simulation_id: &'a str,
    /// The stored `Timestamp`: the message's own, or now.
    pub(super) timestamp: DateTime<Utc>,
}

/// Builds the valid document: `_id` first, `SimulationId`, `Timestamp`, top-level
/// `StartTime`/`EndTime` and `Topic` replaced in place, `Timestamp` then `Topic` appended
/// when absent. Fails with the §5 reason when MongoDB would refuse the document.
pub(super) fn valid_document(
    parts: &ValidParts<'_>,
    object: Object,
) -> Result<RawDocumentBuf, InvalidReason> {
    let content = Content::of(&object);
    if content.refused_key {
        return Err(InvalidReason::RefusedKey);
    }
    if object.iter().any(|(key, _)| key == field::ID) {
        return Err(InvalidReason::ReservedId);
    }
    if content.big_integer {
        return Err(InvalidReason::IntegerOutOfRange);
    }
    let mut doc = RawDocumentBuf::new();
    doc.append(field::ID, parts.id);
    // The parser keeps one entry per key, so each key is appended once.
    let (mut has_timestamp, mut has_topic) = (false, false);
    for (key, value) in object {
        has_timestamp |= key == field::TIMESTAMP;
        has_topic |= key == field::TOPIC;
        let value = top_level_value(parts, &key, value)?;
        doc.append(key, value);
    }
    if !has_timestamp {
        doc.append(
            field::TIMESTAMP,
            bson::DateTime::from_chrono(parts.timestamp),
        );
    }
    if !has_topic {
        doc.append(field::TOPIC, parts.topic);
    }
    check_size(&doc)?;
    Ok(doc)
}

/// The stored value of one top-level attribute.
fn top_level_value(
    parts: &ValidParts<'_>,
    key: &str,
    value: Json,
) -> Result<RawBson, InvalidReason> {
    let date = |t: DateTime<Utc>| RawBson::DateTime(bson::DateTime::from_chrono(t));
    Ok(match key {
        field::SIMULATION_ID => RawBson::String(parts.simulation_id.to_owned()),
        field::TIMESTAMP => date(parts.timestamp),
        field::TOPIC => RawBson::String(parts.topic.to_owned()),
        field::START_TIME | field::END_TIME => {
            match value.as_str().and_then(parse_message_datetime) {
                Some(t) => date(t),
                None => to_raw(value)?,
            }
        }
        _ => to_raw(value)?,
    })
}
