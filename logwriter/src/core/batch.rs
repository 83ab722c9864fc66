//! A flush planned as a batch (docs/spec/logwriter.md §7), pure: which collections it
//! writes, which documents go to which `insert_many` and which are refused before they are
//! sent (FerretDB's non-finite doubles, `core::refusal`), how far the retries of an insert
//! have come, and the §7.5 fallback chain of a document the server refuses. The driver
//! sends what the plan says and reports the outcomes back.

use bson::RawDocumentBuf;
use chrono::{DateTime, Utc};
use common::document::{minimal_invalid_document, server_rejected_document, InvalidReason};
use common::schema::CollectionNames;

use crate::core::buffer::{Entry, Kind};
use crate::core::refusal::{fails_the_command, Refusal, Server};

/// What happened to one document of an `insert_many`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentOutcome {
    /// Inserted now.
    Inserted,
    /// Already stored (duplicate `_id`): settled (§7.3).
    Duplicate,
    /// Failed transiently: retry this document.
    Transient,
    /// Rejected for good with this server code: move it to the invalid collection (§7.5).
    Permanent(i32),
}

/// What counting one document's final outcome found, for the driver to publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// A valid document stored.
    Valid,
    /// An invalid document stored; `loud`: its line is still a WARN (§12.2 limit).
    Invalid {
        /// Why it is invalid.
        reason: InvalidReason,
        /// Whether the line is a WARN (else DEBUG).
        loud: bool,
    },
    /// Already stored: a duplicate, not stored again.
    Duplicate,
    /// Refused for good: on to the fallbacks (§7.5).
    Refused(Refusal),
}

/// One `insert_many` of a batch: a collection and the positions of its documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    /// The target collection.
    pub collection: String,
    /// Positions in [`Batch::entries`], in arrival order.
    pub positions: Vec<usize>,
}

/// A simulation's buffer, planned.
#[derive(Debug)]
pub struct Batch {
    /// The simulation whose collections it writes (or the unknown-id name, §6.3).
    pub sim_id: String,
    /// The documents, in arrival order.
    pub entries: Vec<Entry>,
    /// The valid documents, then the invalid ones; an insert without documents is left out.
    pub inserts: Vec<Insert>,
    /// Documents never sent, because the server would fail the whole command on them.
    pub refused: Vec<(usize, Refusal)>,
}

/// The collections a flush of `entries` writes, with whether each is an invalid
/// collection, in the order their indexes are ensured: the valid one when there are valid
/// documents, and the invalid one always (it exists from the first write of either kind,
/// §7.2).
pub fn collections(
    sim_id: &str,
    entries: &[Entry],
    names: &CollectionNames,
) -> Vec<(String, bool)> {
    let mut collections = Vec::new();
    if entries.iter().any(|e| e.kind == Kind::Valid) {
        collections.push((names.messages(sim_id), false));
    }
    collections.push((names.invalid_messages(sim_id), true));
    collections
}

impl Batch {
    /// Plans the flush of `entries` for a `server`.
    pub fn plan(
        sim_id: &str,
        entries: Vec<Entry>,
        server: Server,
        names: &CollectionNames,
    ) -> Self {
        let mut valid = Vec::new();
        let mut invalid = Vec::new();
        let mut refused = Vec::new();
        for (position, entry) in entries.iter().enumerate() {
            if fails_the_command(server, &entry.doc) {
                refused.push((position, Refusal::NonFinite));
            } else if entry.kind == Kind::Valid {
                valid.push(position);
            } else {
                invalid.push(position);
            }
        }
        let inserts = [
            (names.messages(sim_id), valid),
            (names.invalid_messages(sim_id), invalid),
        ]
        .into_iter()
        .filter(|(_, positions)| !positions.is_empty())
        .map(|(collection, positions)| Insert {
            collection,
            positions,
        })
        .collect();
        Self {
            sim_id: sim_id.to_owned(),
            entries,
            inserts,
            refused,
        }
    }

    /// The documents of `insert`, in its order.
    pub fn documents<'b>(&'b self, insert: &Insert) -> Vec<&'b RawDocumentBuf> {
        insert
            .positions
            .iter()
            .map(|&p| &self.entries[p].doc)
            .collect()
    }
}

/// The outcomes of one insert while its transient failures are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    outcomes: Vec<DocumentOutcome>,
}

impl Progress {
    /// `len` documents, none sent yet.
    pub fn new(len: usize) -> Self {
        Self {
            outcomes: vec![DocumentOutcome::Transient; len],
        }
    }

    /// The positions still to send: the documents without a final outcome.
    pub fn to_send(&self) -> Vec<usize> {
        let pending =
            |(i, o): (usize, &DocumentOutcome)| (*o == DocumentOutcome::Transient).then_some(i);
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(pending)
            .collect()
    }

    /// Records the outcomes of sending `sent` (as [`Self::to_send`] gave them); returns how
    /// many failed transiently and are sent again.
    pub fn record(&mut self, sent: &[usize], outcomes: &[DocumentOutcome]) -> usize {
        for (&position, &outcome) in sent.iter().zip(outcomes) {
            self.outcomes[position] = outcome;
        }
        self.to_send().len()
    }

    /// The final outcomes, once [`Self::to_send`] is empty.
    pub fn outcomes(self) -> Vec<DocumentOutcome> {
        self.outcomes
    }
}

/// The §7.5 chain of a document the server refused: its raw-text document with the same
/// `_id`, then a minimal one, both into the run simulation's invalid collection.
#[derive(Debug, Clone)]
pub struct Fallback {
    /// The simulation whose invalid collection receives it: the run's, else the batch's.
    pub target: String,
    /// That collection.
    pub collection: String,
    documents: Vec<RawDocumentBuf>,
    next: usize,
    last: Refusal,
}

/// Where a fallback stands after an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackStep {
    /// The fallback document is stored: an invalid document of reason `server-rejected`.
    Stored,
    /// A fallback document with this `_id` is already stored: a duplicate.
    Duplicate,
    /// Refused too: send [`Fallback::next_document`].
    Next,
    /// Every fallback was refused; the message is lost (the last refusal, for the ERROR).
    Lost(Refusal),
}

impl Fallback {
    /// The chain for `entry` of a batch of `sim_id`, refused for `why`, at `now`.
    pub fn new(
        entry: &Entry,
        why: Refusal,
        sim_id: &str,
        run_id: Option<&str>,
        names: &CollectionNames,
        now: DateTime<Utc>,
    ) -> Self {
        let target = run_id.unwrap_or(sim_id).to_owned();
        let (id, key, body) = (entry.id, &entry.routing_key, &entry.body);
        Self {
            collection: names.invalid_messages(&target),
            target,
            documents: vec![
                server_rejected_document(id, key, body, now),
                minimal_invalid_document(id, key, body, now),
            ],
            next: 0,
            last: why,
        }
    }

    /// The document to send now.
    pub fn next_document(&self) -> Option<&RawDocumentBuf> {
        self.documents.get(self.next)
    }

    /// The outcome of sending [`Self::next_document`] (never `Transient`: it is retried).
    pub fn on_outcome(&mut self, outcome: DocumentOutcome) -> FallbackStep {
        match outcome {
            DocumentOutcome::Duplicate => FallbackStep::Duplicate,
            DocumentOutcome::Permanent(code) => {
                self.last = Refusal::Code(code);
                self.next += 1;
                if self.next < self.documents.len() {
                    FallbackStep::Next
                } else {
                    FallbackStep::Lost(self.last)
                }
            }
            DocumentOutcome::Inserted | DocumentOutcome::Transient => FallbackStep::Stored,
        }
    }
}

#[cfg(test)]
mod tests;
