//! The run health board (docs/spec/logreader.md §16): for every process of a run, its status
//! in each epoch from its `Status` messages, the log of its changes and the condensed history.
//! Pure: stored documents in, board out, in any order. Memory grows with processes × epochs
//! and topics, never with the number of messages; a finished board keeps only the counts per
//! epoch and the changes, so it is small enough to cache (`crate::board_cache`).

use std::collections::BTreeMap;
use std::ops::Bound;

use bson::{doc, oid::ObjectId, Bson, Document, RawDocumentBuf};
use common::schema::field;

use crate::stored::epoch_number;

mod grid;
pub use grid::{Cell, Grid, GridRow};

/// The status of a process in the epochs after its last `Status` message.
pub const SILENT: &str = "silent";

/// The `Status` message that decides a process's status in one epoch: its last one, in the
/// order of §8 (`Timestamp`, then `_id`). One is held per (process, epoch) until the end,
/// so it is kept small: about 100 bytes instead of three `Bson` values and a `String`.
#[derive(Debug, Clone)]
struct StatusMessage {
    /// Its `Value`, as an index into [`BoardBuilder::values`].
    value: u32,
    order: (Option<bson::DateTime>, Option<ObjectId>),
    /// Its `MessageId`, `Description` and `Warnings` where present, as raw BSON: read back
    /// only for the few statuses that become changes.
    details: RawDocumentBuf,
}

/// How many messages, and how many with warnings.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    messages: u64,
    warnings: u64,
}

/// What one process has sent so far.
#[derive(Debug, Default)]
struct Tally {
    total: Counts,
    /// The counts per integral `EpochNumber` (the grid's cells, §16.3).
    per_epoch: BTreeMap<i64, Counts>,
    first: Option<bson::DateTime>,
    last: Option<bson::DateTime>,
    topics: BTreeMap<String, u64>,
    statuses: BTreeMap<i64, StatusMessage>,
}

/// Folds a run's messages into the board.
#[derive(Debug)]
pub struct BoardBuilder {
    /// The run's epochs (numbers of its `Epoch` messages in the requested range) and their
    /// start times.
    epochs: BTreeMap<i64, Option<bson::DateTime>>,
    processes: BTreeMap<String, Tally>,
    /// Every distinct status `Value` seen (there are a handful).
    values: Vec<String>,
}

/// One change of a process's status.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The epoch from which the status holds.
    pub epoch: i64,
    /// The `Status` message's `Timestamp`, or for `silent` the epoch's start.
    pub timestamp: Option<bson::DateTime>,
    /// `ready`, `error`, any other `Value`, or `silent`.
    pub status: String,
    message_id: Option<Bson>,
    description: Option<Bson>,
    warnings: Option<Bson>,
}

/// A run of epochs with one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// First epoch.
    pub from: i64,
    /// Last epoch.
    pub to: i64,
    /// The status.
    pub status: String,
}

/// One process of the board.
#[derive(Debug)]
pub struct ProcessBoard {
    id: String,
    /// Its tally, without the `Status` messages (folded into `changes`).
    tally: Tally,
    /// The epoch of its last `Status` message.
    status_epoch: Option<i64>,
    /// The run's last epoch in the requested range.
    last_epoch: Option<i64>,
    /// Every change in epoch order.
    pub changes: Vec<Change>,
}

/// A whole board: the run's selected epochs and every process, by `ProcessId`.
#[derive(Debug)]
pub struct Board {
    /// The numbers of the run's epoch documents in the selection, ascending.
    pub epochs: Vec<i64>,
    /// The processes.
    pub processes: Vec<ProcessBoard>,
}

impl BoardBuilder {
    /// A builder for a run whose `Epoch` messages (in the requested range) have these
    /// numbers and start times.
    pub fn new(epochs: impl IntoIterator<Item = (i64, Option<bson::DateTime>)>) -> Self {
        Self {
            epochs: epochs.into_iter().collect(),
            processes: BTreeMap::new(),
            values: Vec::new(),
        }
    }

    /// Counts one stored message. Messages without a string `SourceProcessId` belong to no
    /// process and are left out.
    pub fn push(&mut self, message: &Document) {
        let Ok(process) = message.get_str(field::SOURCE_PROCESS_ID) else {
            return;
        };
        // Looked up before `entry`, which would allocate the key for every message.
        if !self.processes.contains_key(process) {
            self.processes.insert(process.to_owned(), Tally::default());
        }
        if let Some(tally) = self.processes.get_mut(process) {
            tally.count(message, &mut self.values);
        }
    }

    /// The board, processes sorted by id.
    pub fn finish(self) -> Board {
        let last_epoch = self.epochs.keys().next_back().copied();
        let processes = self
            .processes
            .into_iter()
            .map(|(id, mut tally)| {
                let changes = changes(&tally, &self.epochs, &self.values);
                let statuses = std::mem::take(&mut tally.statuses);
                ProcessBoard {
                    id,
                    tally,
                    status_epoch: statuses.keys().next_back().copied(),
                    last_epoch,
                    changes,
                }
            })
            .collect();
        Board {
            epochs: self.epochs.into_keys().collect(),
            processes,
        }
    }
}

impl Tally {
    fn count(&mut self, message: &Document, values: &mut Vec<String>) {
        let warned =
            matches!(message.get(field::WARNINGS), Some(Bson::Array(items)) if !items.is_empty());
        self.total.add(warned);
        if let Some(epoch) = epoch_number(message) {
            self.per_epoch.entry(epoch).or_default().add(warned);
        }
        let timestamp = message.get_datetime(field::TIMESTAMP).ok().copied();
        if let Some(time) = timestamp {
            self.first = Some(self.first.map_or(time, |first| first.min(time)));
            self.last = Some(self.last.map_or(time, |last| last.max(time)));
        }
        if let Ok(topic) = message.get_str(field::TOPIC) {
            match self.topics.get_mut(topic) {
                Some(count) => *count += 1,
                None => {
                    self.topics.insert(topic.to_owned(), 1);
                }
            }
        }
        self.note_status(message, timestamp, values);
    }

    /// Keeps a `Status` message with a string `Value` and an epoch if it is the last one of
    /// its epoch so far.
    fn note_status(
        &mut self,
        message: &Document,
        timestamp: Option<bson::DateTime>,
        values: &mut Vec<String>,
    ) {
        if message.get_str(field::TYPE) != Ok("Status") {
            return;
        }
        let (Ok(status), Some(epoch)) = (message.get_str("Value"), epoch_number(message)) else {
            return;
        };
        let order = (timestamp, message.get_object_id(field::ID).ok());
        let later = self
            .statuses
            .get(&epoch)
            .is_none_or(|kept| order >= kept.order);
        if later {
            let status = StatusMessage {
                value: intern(values, status),
                order,
                details: details(message),
            };
            self.statuses.insert(epoch, status);
        }
    }
}

/// The index of `value` in `values`, added when new.
fn intern(values: &mut Vec<String>, value: &str) -> u32 {
    let index = values
        .iter()
        .position(|known| known == value)
        .unwrap_or_else(|| {
            values.push(value.to_owned());
            values.len() - 1
        });
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// The fields of a `Status` message a change reports, as raw BSON.
fn details(message: &Document) -> RawDocumentBuf {
    let mut details = Document::new();
    for key in CHANGE_DETAILS {
        if let Some(value) = message.get(key) {
            details.insert(key, value.clone());
        }
    }
    RawDocumentBuf::from_document(&details).unwrap_or_default()
}

/// The `Status` message's fields a change reports where present (§16.2).
const CHANGE_DETAILS: [&str; 3] = [field::MESSAGE_ID, "Description", field::WARNINGS];

impl StatusMessage {
    /// `MessageId`, `Description` and `Warnings` back from the raw details.
    fn detail(&self, key: &str) -> Option<Bson> {
        let value = self.details.get(key).ok()??;
        Bson::try_from(value.to_raw_bson()).ok()
    }
}

impl Counts {
    fn add(&mut self, warned: bool) {
        self.messages += 1;
        self.warnings += u64::from(warned);
    }
}

/// The changes of one process: each epoch whose status differs from the one before (the
/// first status is a change), then `silent` from the first epoch of the run after its last
/// `Status` message, when the run has one.
fn changes(
    tally: &Tally,
    epochs: &BTreeMap<i64, Option<bson::DateTime>>,
    values: &[String],
) -> Vec<Change> {
    let mut changes: Vec<Change> = Vec::new();
    let mut previous = None;
    for (&epoch, message) in &tally.statuses {
        if previous == Some(message.value) {
            continue;
        }
        previous = Some(message.value);
        let status = values
            .get(message.value as usize)
            .cloned()
            .unwrap_or_default();
        changes.push(Change {
            epoch,
            timestamp: message.order.0,
            status,
            message_id: message.detail(field::MESSAGE_ID),
            description: message.detail("Description"),
            warnings: message.detail(field::WARNINGS),
        });
    }
    if let Some(&last_status) = tally.statuses.keys().next_back() {
        // Excluded, not `last_status + 1..`: an epoch number may be `i64::MAX`.
        let mut after = epochs.range((Bound::Excluded(last_status), Bound::Unbounded));
        if let Some((&epoch, &start)) = after.next() {
            changes.push(Change {
                epoch,
                timestamp: start,
                status: SILENT.to_owned(),
                message_id: None,
                description: None,
                warnings: None,
            });
        }
    }
    changes
}

impl ProcessBoard {
    /// The process's `SourceProcessId`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The status now: the last change's, or `None` without any `Status` message.
    pub fn status(&self) -> Option<&str> {
        self.changes.last().map(|change| change.status.as_str())
    }

    /// The epoch of the last `Status` message.
    pub fn status_epoch(&self) -> Option<i64> {
        self.status_epoch
    }

    /// Runs of equal status: each change holds until the epoch before the next one; the
    /// last holds to the run's last epoch, or to the last `Status` message's if later.
    pub fn history(&self) -> Vec<Span> {
        let last_epoch = self.last_epoch;
        let mut spans = Vec::new();
        for (index, change) in self.changes.iter().enumerate() {
            let to = match self.changes.get(index + 1) {
                Some(next) => next.epoch - 1,
                None => {
                    let end = last_epoch.unwrap_or(change.epoch);
                    end.max(self.status_epoch().unwrap_or(change.epoch))
                }
            };
            spans.push(Span {
                from: change.epoch,
                to: to.max(change.epoch),
                status: change.status.clone(),
            });
        }
        spans
    }

    /// The summary fields of `/processes` (§16.1).
    pub fn summary(&self) -> Document {
        let topics: Document = self
            .tally
            .topics
            .iter()
            .map(|(topic, count)| (topic.clone(), Bson::Int64(count_of(*count))))
            .collect();
        let date = |time: Option<bson::DateTime>| time.map_or(Bson::Null, Bson::DateTime);
        doc! {
            "ProcessId": &self.id,
            "Status": self.status().map_or(Bson::Null, |s| Bson::String(s.to_owned())),
            "StatusEpoch": self.status_epoch().map_or(Bson::Null, Bson::Int64),
            "Messages": count_of(self.tally.total.messages),
            "Warnings": count_of(self.tally.total.warnings),
            "FirstTimestamp": date(self.tally.first),
            "LastTimestamp": date(self.tally.last),
            "Topics": topics,
        }
    }

    /// The summary plus `Changes` and `History` (§16.2).
    pub fn detail(&self) -> Document {
        let mut document = self.summary();
        let changes: Vec<Bson> = self.changes.iter().map(Change::to_bson).collect();
        let history: Vec<Bson> = self
            .history()
            .iter()
            .map(|span| {
                Bson::Document(doc! {
                    "FromEpoch": span.from, "ToEpoch": span.to, "Status": &span.status,
                })
            })
            .collect();
        document.insert("Changes", changes);
        document.insert("History", history);
        document
    }
}

impl Board {
    /// The process `id`, if it sent a message in the selection.
    pub fn process(&self, id: &str) -> Option<&ProcessBoard> {
        self.processes
            .binary_search_by(|process| process.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.processes[index])
    }

    /// About how many bytes the board holds: what the cache weighs it by. Counts the
    /// entries of its maps and lists at a fixed size each, allocator overhead included.
    pub fn estimated_bytes(&self) -> u64 {
        const ENTRY: u64 = 64;
        const CHANGE: u64 = 256;
        let entries = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        let processes = self.processes.iter().map(|process| {
            let tally = &process.tally;
            let names: usize = tally.topics.keys().map(String::len).sum();
            ENTRY * entries(tally.per_epoch.len() + tally.topics.len() + 2)
                + CHANGE * entries(process.changes.len())
                + entries(names + process.id.len())
        });
        processes.fold(ENTRY * entries(self.epochs.len()), u64::saturating_add)
    }
}

impl Change {
    fn to_bson(&self) -> Bson {
        let mut document = doc! {
            "EpochNumber": self.epoch,
            "Timestamp": self.timestamp.map_or(Bson::Null, Bson::DateTime),
            "Status": &self.status,
        };
        let optional = [
            ("MessageId", &self.message_id),
            ("Description", &self.description),
            ("Warnings", &self.warnings),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                document.insert(key, value.clone());
            }
        }
        Bson::Document(document)
    }
}

/// Counts as BSON int64 (a run never holds 2^63 messages).
fn count_of(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
