//! Classification of a delivery body (messages.md §4): valid, valid generic or invalid,
//! with the reason.

/// Why a delivery is stored as invalid (messages.md §4.4, §5; logwriter.md §7.5).
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
    /// logwriter.md §7.5: the server rejected the document with a permanent error.
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

/// The special role of a valid message (messages.md §4.5).
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
