//! Every invalid-reason code, so each `logwriter_messages_invalid_total{reason}` series exists
//! from start-up and counting one is a plain array index (no lock, no allocation).

use common::document::InvalidReason;

/// The reasons, in the order of [`index`].
pub(super) const REASONS: [InvalidReason; 14] = [
    InvalidReason::NotUtf8,
    InvalidReason::NotJson,
    InvalidReason::TooDeep,
    InvalidReason::NotObject,
    InvalidReason::TypeMissing,
    InvalidReason::SimulationIdMissing,
    InvalidReason::SimulationIdUnparseable,
    InvalidReason::TimestampNotString,
    InvalidReason::TimestampUnparseable,
    InvalidReason::RefusedKey,
    InvalidReason::ReservedId,
    InvalidReason::IntegerOutOfRange,
    InvalidReason::TooLarge,
    InvalidReason::ServerRejected,
];

/// The position of `reason` in [`REASONS`]. The match is exhaustive on purpose: a reason
/// added in `common` does not compile here until it is listed.
pub(super) fn index(reason: InvalidReason) -> usize {
    match reason {
        InvalidReason::NotUtf8 => 0,
        InvalidReason::NotJson => 1,
        InvalidReason::TooDeep => 2,
        InvalidReason::NotObject => 3,
        InvalidReason::TypeMissing => 4,
        InvalidReason::SimulationIdMissing => 5,
        InvalidReason::SimulationIdUnparseable => 6,
        InvalidReason::TimestampNotString => 7,
        InvalidReason::TimestampUnparseable => 8,
        InvalidReason::RefusedKey => 9,
        InvalidReason::ReservedId => 10,
        InvalidReason::IntegerOutOfRange => 11,
        InvalidReason::TooLarge => 12,
        InvalidReason::ServerRejected => 13,
    }
}
