//! Store errors and their classification (docs/spec/logwriter.md §7.4): what the write loop asks of an
//! error is only "retry it, and how loudly?", and of a per-document failure "stored, retry,
//! or move it to the invalid collection?". Both answers come from here, so the loop never
//! matches on driver variants.

use mongodb::error::{Error as MongoError, ErrorKind, WriteFailure};

/// Server codes that mean "try again later" (network, elections, shutdown, timeouts).
const TRANSIENT_CODES: &[i32] = &[
    6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
];
/// Duplicate key codes: the document is already stored.
const DUPLICATE_CODES: &[i32] = &[11000, 11001, 12582];

/// A MongoDB failure that is not tied to one document. Both kinds are retried with backoff;
/// operational ones are also reported at ERROR because an operator must act.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Network, timeout, server selection, election, write concern: retry.
    #[error("{0}")]
    Transient(MongoError),
    /// Authentication, authorisation, or a failed command: retry, and tell an operator.
    #[error("{0}")]
    Operational(MongoError),
    /// Some documents of a batch failed with a transient per-document error: retry them.
    #[error("{0} documents failed transiently")]
    Documents(usize),
}

impl StoreError {
    /// Classifies a driver error that concerns a whole command.
    pub fn from_driver(error: MongoError) -> Self {
        if is_transient(&error) {
            Self::Transient(error)
        } else {
            Self::Operational(error)
        }
    }

    /// Worth retrying quietly (network, no primary, retryable-write label)? Operational
    /// errors are retried too, but logged at ERROR.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_) | Self::Documents(_))
    }
}

fn is_transient(error: &MongoError) -> bool {
    if error.contains_label("RetryableWriteError") || error.contains_label("NetworkError") {
        return true;
    }
    match error.kind.as_ref() {
        ErrorKind::Io(_)
        | ErrorKind::ServerSelection { .. }
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::DnsResolve { .. } => true,
        ErrorKind::Command(command) => TRANSIENT_CODES.contains(&command.code),
        ErrorKind::Write(WriteFailure::WriteConcernError(_)) => true,
        ErrorKind::InsertMany(insert) => insert.write_concern_error.is_some(),
        _ => false,
    }
}

pub use crate::core::batch::DocumentOutcome;

/// Classifies a per-document write error code.
pub fn document_outcome(code: i32) -> DocumentOutcome {
    if DUPLICATE_CODES.contains(&code) {
        DocumentOutcome::Duplicate
    } else if TRANSIENT_CODES.contains(&code) {
        DocumentOutcome::Transient
    } else {
        DocumentOutcome::Permanent(code)
    }
}

/// The outcome of every document of an unordered batch of `len` documents, given the
/// per-document `(index, code)` write errors the server reported: documents without an
/// error were inserted.
pub fn split_write_errors(len: usize, errors: &[(usize, i32)]) -> Vec<DocumentOutcome> {
    let mut outcomes = vec![DocumentOutcome::Inserted; len];
    for &(index, code) in errors {
        if let Some(outcome) = outcomes.get_mut(index) {
            *outcome = document_outcome(code);
        }
    }
    outcomes
}

/// The outcome of one `insert_many` attempt: per-document outcomes, or a whole-command error
/// (the outcome of every document unknown, so the whole batch is retried).
pub fn insert_outcomes(
    len: usize,
    result: Result<(), MongoError>,
) -> Result<Vec<DocumentOutcome>, StoreError> {
    let error = match result {
        Ok(()) => return Ok(vec![DocumentOutcome::Inserted; len]),
        Err(error) => error,
    };
    if let ErrorKind::InsertMany(insert) = error.kind.as_ref() {
        if insert.write_concern_error.is_none() {
            if let Some(write_errors) = &insert.write_errors {
                let pairs: Vec<(usize, i32)> =
                    write_errors.iter().map(|e| (e.index, e.code)).collect();
                return Ok(split_write_errors(len, &pairs));
            }
        }
    }
    if let ErrorKind::Write(WriteFailure::WriteError(write)) = error.kind.as_ref() {
        if len == 1 {
            return Ok(vec![document_outcome(write.code)]);
        }
    }
    Err(StoreError::from_driver(error))
}

#[cfg(test)]
mod tests {
    use super::DocumentOutcome::*;
    use super::*;

    #[test]
    fn write_errors_split_into_duplicate_transient_and_permanent() {
        let errors = [
            (1, 11000),
            (2, 91),
            (4, 2),
            (5, 10334),
            (6, 12582),
            (7, 17280),
        ];
        assert_eq!(
            split_write_errors(8, &errors),
            [
                Inserted,
                Duplicate,
                Transient,
                Inserted,
                Permanent(2),
                Permanent(10334),
                Duplicate,
                Permanent(17280)
            ]
        );
    }

    #[test]
    fn out_of_range_indexes_are_ignored() {
        assert_eq!(split_write_errors(1, &[(3, 11000)]), [Inserted]);
        assert!(split_write_errors(0, &[]).is_empty());
    }

    #[test]
    fn codes_follow_the_classification_table() {
        for code in [11000, 11001, 12582] {
            assert_eq!(document_outcome(code), Duplicate);
        }
        for code in TRANSIENT_CODES {
            assert_eq!(document_outcome(*code), Transient);
        }
        for code in [2, 121, 10334, 17419, 17280, 13, 18] {
            assert_eq!(document_outcome(code), Permanent(code));
        }
    }

    #[test]
    fn a_successful_insert_settles_every_document() {
        assert_eq!(insert_outcomes(2, Ok(())).unwrap(), [Inserted, Inserted]);
    }
}
