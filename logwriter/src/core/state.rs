//! What logwriter remembers per simulation (docs/spec/logwriter.md §5.3, §8.4) and the counters of the
//! statistics block (§12). Pure; it survives broker reconnects and ends with the process.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bson::{doc, Bson, Document};
use chrono::{DateTime, Utc};
use common::document::Role;
use common::schema::metadata as meta;

use crate::core::gaps::MessageNumbers;

/// After this many WARN lines for one (simulation, reason), further ones go to DEBUG.
pub const WARN_LIMIT: u32 = 100;

/// One simulation's state.
#[derive(Debug, Clone, Default)]
pub struct Simulation {
    /// A well-formed SimState `running` was handled.
    pub running: bool,
    /// A well-formed SimState `stopped` was handled.
    pub stopped: bool,
    /// Latest SimState `Name` string.
    pub name: Option<String>,
    /// Latest SimState `Description` string.
    pub description: Option<String>,
    /// Minimum valid `Timestamp`.
    pub start: Option<DateTime<Utc>>,
    /// Maximum valid `Timestamp`.
    pub end: Option<DateTime<Utc>>,
    /// Minimum and maximum `EpochNumber` of well-formed Epoch/Status/Result messages.
    pub epochs: Option<(i64, i64)>,
    /// Processes (seed ∪ seen), sorted by code point.
    pub processes: BTreeSet<String>,
    /// Valid documents per topic (seed + stored by this process).
    pub topics: BTreeMap<String, i64>,
    /// Valid documents (seed + stored by this process).
    pub messages: i64,
    /// Invalid documents in this simulation's invalid collection (seed + stored).
    pub invalid_messages: i64,
    /// Message numbers received per process (this process's; recounted at the stop when
    /// an earlier process stored some too).
    pub numbers: MessageNumbers,
    /// The metadata document exists (seeded or written).
    pub metadata_exists: bool,
    /// The counts started from a stored metadata document (an earlier process's).
    pub seeded: bool,
    /// Indexes of the valid and invalid collections were ensured.
    pub indexes_ensured: bool,
    /// Indexes of the invalid collection were ensured.
    pub invalid_indexes_ensured: bool,
    warnings: HashMap<String, u32>,
}

impl Simulation {
    /// Takes a valid message into account (§4.5 roles): timestamps, processes, epochs, names.
    pub fn observe(&mut self, timestamp: DateTime<Utc>, role: &Role) {
        self.start = Some(self.start.map_or(timestamp, |t| t.min(timestamp)));
        self.end = Some(self.end.map_or(timestamp, |t| t.max(timestamp)));
        match role {
            Role::SimState {
                stopped,
                source_process_id,
                name,
                description,
            } => {
                if *stopped {
                    self.stopped = true;
                } else {
                    self.running = true;
                }
                self.name = name.clone().or(self.name.take());
                self.description = description.clone().or(self.description.take());
                self.processes.insert(source_process_id.clone());
            }
            Role::Epoch {
                epoch_number,
                source_process_id,
            }
            | Role::StatusOrResult {
                epoch_number,
                source_process_id,
            } => {
                let n = *epoch_number;
                self.epochs = Some(
                    self.epochs
                        .map_or((n, n), |(lo, hi)| (lo.min(n), hi.max(n))),
                );
                self.processes.insert(source_process_id.clone());
            }
            Role::Generic { .. } => {}
        }
    }

    /// Counts a valid document stored by this process.
    pub fn count_valid(&mut self, topic: &str) {
        self.messages += 1;
        *self.topics.entry(topic.to_owned()).or_default() += 1;
    }

    /// Whether the next WARN line for `reason` should still be a WARN (the first 100 are).
    pub fn warn_allowed(&mut self, reason: &str) -> bool {
        let count = self.warnings.entry(reason.to_owned()).or_default();
        *count = count.saturating_add(1);
        *count <= WARN_LIMIT
    }

    /// Takes the seed of §8.4 from a stored metadata document.
    pub fn seed(&mut self, stored: &Document) {
        self.metadata_exists = true;
        self.seeded = true;
        if let Ok(processes) = stored.get_array(meta::PROCESSES) {
            let strings = processes.iter().filter_map(Bson::as_str).map(str::to_owned);
            self.processes.extend(strings);
        }
        self.messages = integer(stored.get(meta::MESSAGES));
        self.invalid_messages = integer(stored.get(meta::INVALID_MESSAGES));
        if let Ok(topics) = stored.get_array(meta::TOPICS) {
            for item in topics.iter().filter_map(Bson::as_document) {
                if let Ok(topic) = item.get_str("Topic") {
                    self.topics
                        .insert(topic.to_owned(), integer(item.get("Messages")));
                }
            }
        }
    }

    /// The `Topics` array: `{Topic, Messages}` sorted by topic.
    pub fn topics_array(&self) -> Vec<Document> {
        self.topics
            .iter()
            .map(|(topic, count)| doc! {"Topic": topic, "Messages": *count})
            .collect()
    }
}

fn integer(value: Option<&Bson>) -> i64 {
    match value {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Double(n)) if n.is_finite() => *n as i64,
        _ => 0,
    }
}

/// Process-wide counters for the statistics block.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// Deliveries received.
    pub deliveries: u64,
    /// Valid documents stored.
    pub valid_stored: u64,
    /// Invalid documents stored, by reason code.
    pub invalid_stored: BTreeMap<&'static str, u64>,
    /// Duplicate `_id`s (already stored).
    pub duplicates: u64,
    /// Malformed known-type messages, by `Type.Attribute`.
    pub malformed: BTreeMap<&'static str, u64>,
    /// Documents the server rejected (stored as invalid instead).
    pub server_rejected: u64,
    /// Deliveries settled without being stored (§7.5).
    pub lost: u64,
    /// Broker reconnections.
    pub reconnects: u64,
}

/// Logs a line of a kind that is limited per (simulation, reason): at WARN while
/// [`Simulation::warn_allowed`] allows it (`loud`), then at DEBUG.
pub fn log_limited(loud: bool, text: &str) {
    if loud {
        tracing::warn!("{text}");
    } else {
        tracing::debug!("{text}");
    }
}

#[cfg(test)]
mod tests;
