//! Classification of a delivery body (docs/spec/messages.md §4): valid, valid generic or invalid,
//! with the reason.
//!
//! [`classify`] applies rows 1–12 of the decision table (§4.4) to the body alone. The §5
//! checks need the built document, so they live in [`crate::document`], which also turns a
//! [`Classified`] into the stored document.

mod checks;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use crate::json::{self, lookup, Json, ParseError};
use crate::schema::field;
use crate::time::{format_normalised, parse_message_datetime};

/// The entries of a parsed JSON object, in order.
pub type Object = Vec<(String, Json)>;

/// What a body is, by the decision table of docs/spec/messages.md §4.4 (rows 1–12).
#[derive(Debug, Clone, PartialEq)]
pub enum Classified<'a> {
    /// Row 1: the body is not UTF-8 (stored as base64).
    NotUtf8,
    /// Rows 2–4: stored as the body text.
    Text {
        /// The body, decoded.
        text: &'a str,
        /// `NotJson`, `TooDeep` or `NotObject`.
        reason: InvalidReason,
    },
    /// Rows 5–9: the object, stored inside an `InvalidMessage` wrapper.
    InvalidObject(InvalidObject<'a>),
    /// Rows 10–12: a valid message.
    Valid(ValidMessage<'a>),
}

/// A parsed object that fails the validity rule (rows 5–9).
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidObject<'a> {
    /// The parsed object.
    pub object: Object,
    /// Which of rows 5–9 matched.
    pub reason: InvalidReason,
    /// The object's own `Timestamp`, when it is a string that parses.
    pub timestamp: Option<DateTime<Utc>>,
    /// The body, decoded (the §5 raw-text fallback stores it).
    pub text: &'a str,
}

/// A valid message (rows 10–12).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidMessage<'a> {
    /// The parsed object.
    pub object: Object,
    /// The normalised `SimulationId`.
    pub simulation_id: String,
    /// The normalised `Timestamp`, when present.
    pub timestamp: Option<DateTime<Utc>>,
    /// The special role, or why a known type is generic.
    pub role: Role,
    /// The body, decoded (the §5 raw-text fallback stores it).
    pub text: &'a str,
}

/// Classifies one delivery body (docs/spec/messages.md §4.1–§4.4, rows 1–12).
pub fn classify(body: &[u8]) -> Classified<'_> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Classified::NotUtf8;
    };
    let text_only = |reason| Classified::Text { text, reason };
    let object = match json::parse(text) {
        Ok(Json::Object(object)) => object,
        Ok(_) => return text_only(InvalidReason::NotObject),
        Err(ParseError::NotJson) => return text_only(InvalidReason::NotJson),
        Err(ParseError::TooDeep) => return text_only(InvalidReason::TooDeep),
    };
    match base_attributes(&object) {
        Ok((simulation_id, timestamp)) => Classified::Valid(ValidMessage {
            role: checks::role(&object),
            object,
            simulation_id,
            timestamp,
            text,
        }),
        Err(reason) => Classified::InvalidObject(InvalidObject {
            timestamp: object_timestamp(&object),
            object,
            reason,
            text,
        }),
    }
}

/// The object's `Timestamp` when it is a string that parses: the wrapper `Timestamp` of
/// rows 5–9 and of the §5 fallback (rows 8–9 never have one, so they get now).
pub fn object_timestamp(object: &[(String, Json)]) -> Option<DateTime<Utc>> {
    lookup(object, field::TIMESTAMP)
        .and_then(Json::as_str)
        .and_then(parse_message_datetime)
}

/// The validity rule (§4.2), as rows 5–9: the normalised `SimulationId` and the parsed
/// `Timestamp` (if any), or the first row that matches.
fn base_attributes(
    object: &[(String, Json)],
) -> Result<(String, Option<DateTime<Utc>>), InvalidReason> {
    match lookup(object, field::TYPE) {
        Some(Json::String(t)) if !t.is_empty() => {}
        _ => return Err(InvalidReason::TypeMissing),
    }
    let Some(Json::String(simulation_id)) = lookup(object, field::SIMULATION_ID) else {
        return Err(InvalidReason::SimulationIdMissing);
    };
    let simulation_id = parse_message_datetime(simulation_id)
        .map(format_normalised)
        .ok_or(InvalidReason::SimulationIdUnparseable)?;
    let timestamp = match lookup(object, field::TIMESTAMP) {
        None => None,
        Some(Json::String(t)) => {
            Some(parse_message_datetime(t).ok_or(InvalidReason::TimestampUnparseable)?)
        }
        Some(_) => return Err(InvalidReason::TimestampNotString),
    };
    Ok((simulation_id, timestamp))
}

/// Why a delivery is stored as invalid (docs/spec/messages.md §4.4, §5; docs/spec/logwriter.md §7.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvalidReason {
    /// Row 1: the body is not UTF-8.
    NotUtf8,
    /// Row 2: the text is not JSON.
    NotJson,
    /// Row 3: the JSON nests deeper than 90 levels.
    TooDeep,
    /// Row 4: the JSON value is not an object.
    NotObject,
    /// Row 5: `Type` missing, not a string or empty.
    TypeMissing,
    /// Row 6: `SimulationId` missing or not a string.
    SimulationIdMissing,
    /// Row 7: `SimulationId` does not parse.
    SimulationIdUnparseable,
    /// Row 8: `Timestamp` present but not a string.
    TimestampNotString,
    /// Row 9: `Timestamp` does not parse.
    TimestampUnparseable,
    /// §5: a key starts with `$` or contains `.` or NUL.
    RefusedKey,
    /// §5: a valid message has a top-level `_id`.
    ReservedId,
    /// §5: an integer lies outside the signed 64-bit range.
    IntegerOutOfRange,
    /// §5: the encoded document is larger than 16 MiB.
    TooLarge,
    /// docs/spec/logwriter.md §7.5: the server rejected the document with a permanent error.
    ServerRejected,
}

impl InvalidReason {
    /// The reason code used in log lines and statistics.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotUtf8 => "not-utf8",
            Self::NotJson => "not-json",
            Self::TooDeep => "too-deep",
            Self::NotObject => "not-object",
            Self::TypeMissing => "type-missing",
            Self::SimulationIdMissing => "simulation-id-missing",
            Self::SimulationIdUnparseable => "simulation-id-unparseable",
            Self::TimestampNotString => "timestamp-not-string",
            Self::TimestampUnparseable => "timestamp-unparseable",
            Self::RefusedKey => "refused-key",
            Self::ReservedId => "reserved-id",
            Self::IntegerOutOfRange => "integer-out-of-range",
            Self::TooLarge => "too-large",
            Self::ServerRejected => "server-rejected",
        }
    }
}

/// The special role of a valid message (docs/spec/messages.md §4.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A well-formed `SimState`.
    SimState {
        /// `SimulationState` is `"stopped"`.
        stopped: bool,
        /// The sender.
        source_process_id: String,
        /// `Name`, when it is a string.
        name: Option<String>,
        /// `Description`, when it is a string.
        description: Option<String>,
    },
    /// A well-formed `Epoch`.
    Epoch {
        /// `EpochNumber`.
        epoch_number: i64,
        /// The sender.
        source_process_id: String,
    },
    /// A well-formed `Status` or `Result`.
    StatusOrResult {
        /// `EpochNumber`.
        epoch_number: i64,
        /// The sender.
        source_process_id: String,
    },
    /// Unknown type, or a known type that failed a §4.3 check (then `malformed` says which).
    Generic {
        /// The first failed check of a known type.
        malformed: Option<Malformed>,
    },
}

/// The first failed §4.3 check of a known-type message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The message `Type` (`SimState`, `Epoch`, `Status` or `Result`).
    pub type_name: String,
    /// The failed check as `Type.Attribute`, for example `Epoch.EpochNumber`.
    pub check: &'static str,
    /// What is wrong, in words.
    pub detail: String,
    /// `MessageId`, when it is a string.
    pub message_id: Option<String>,
}
