//! Per-simulation buffers and their flush triggers (docs/spec/logwriter.md §5), plus the pending list
//! of invalid messages that wait for the run simulation id (§6.3). Pure: no I/O, and time is
//! passed in.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bson::oid::ObjectId;
use bson::RawDocumentBuf;
use common::document::InvalidReason;

/// A buffer is flushed once its documents encode to this many bytes (trigger (d)).
pub const MAX_BUFFER_BYTES: usize = 16 * 1024 * 1024;
/// Pending invalid messages wait at most this long for a run simulation id (§6.3).
pub const PENDING_MAX_AGE: Duration = Duration::from_secs(300);

/// Which collection a buffered document goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The simulation's valid collection.
    Valid,
    /// The run simulation's invalid collection.
    Invalid(InvalidReason),
}

/// One buffered delivery: its document plus what the store needs for the fallbacks of §7.5
/// and the ack watermark.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Delivery tag on the current channel.
    pub tag: u64,
    /// The deterministic `_id`.
    pub id: ObjectId,
    /// Routing key as stored (`Topic`).
    pub topic: String,
    /// Raw routing key, for the raw-text fallback.
    pub routing_key: Vec<u8>,
    /// Raw body, for the raw-text fallback.
    pub body: Vec<u8>,
    /// The document to insert, encoded once (its length is `size`).
    pub doc: RawDocumentBuf,
    /// Valid or invalid.
    pub kind: Kind,
    /// Whether the broker flagged the delivery as redelivered.
    pub redelivered: bool,
    /// Encoded BSON size of `doc`, kept apart so the buffer's byte count needs no lookup.
    pub size: usize,
}

/// Why a buffer is flushed (§5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// (a) it holds MESSAGE_BUFFER_MAX_DOCUMENTS documents.
    Count,
    /// (b) the appended document is a well-formed SimState or Epoch.
    Role,
    /// (c) MESSAGE_BUFFER_MAX_INTERVAL has passed (or is 0).
    Deadline,
    /// (d) the documents encode to at least 16 MiB.
    Size,
}

#[derive(Debug, Default)]
struct Buffer {
    entries: Vec<Entry>,
    bytes: usize,
    deadline: Option<Instant>,
}

/// Every simulation's buffer. Each buffer has at most one deadline, armed by the append that
/// makes it non-empty and cleared by any flush (so no stray timers cause early flushes).
#[derive(Debug)]
pub struct Buffers {
    max_documents: usize,
    max_interval: Duration,
    buffers: HashMap<String, Buffer>,
}

impl Buffers {
    /// Buffers with the effective MESSAGE_BUFFER_MAX_DOCUMENTS (≥ 1) and _INTERVAL.
    pub fn new(max_documents: usize, max_interval: Duration) -> Self {
        Self {
            max_documents: max_documents.max(1),
            max_interval,
            buffers: HashMap::new(),
        }
    }

    /// Appends a document to `simulation`'s buffer and reports the first trigger that holds.
    pub fn push(
        &mut self,
        simulation: &str,
        entry: Entry,
        role: bool,
        now: Instant,
    ) -> Option<Trigger> {
        let buffer = self.buffers.entry(simulation.to_owned()).or_default();
        if buffer.entries.is_empty() {
            buffer.deadline = Some(now + self.max_interval);
        }
        buffer.bytes += entry.size;
        buffer.entries.push(entry);
        if buffer.entries.len() >= self.max_documents {
            Some(Trigger::Count)
        } else if role {
            Some(Trigger::Role)
        } else if buffer.bytes >= MAX_BUFFER_BYTES {
            Some(Trigger::Size)
        } else if self.max_interval.is_zero() {
            Some(Trigger::Deadline)
        } else {
            None
        }
    }

    /// Empties `simulation`'s buffer (clearing its deadline) and returns its documents in
    /// arrival order.
    pub fn take(&mut self, simulation: &str) -> Vec<Entry> {
        match self.buffers.get_mut(simulation) {
            Some(buffer) => {
                buffer.deadline = None;
                buffer.bytes = 0;
                std::mem::take(&mut buffer.entries)
            }
            None => Vec::new(),
        }
    }

    /// The earliest armed deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.buffers.values().filter_map(|b| b.deadline).min()
    }

    /// Simulations whose deadline has passed, earliest first.
    pub fn due(&self, now: Instant) -> Vec<String> {
        let mut due: Vec<(Instant, &String)> = self
            .buffers
            .iter()
            .filter_map(|(id, b)| b.deadline.filter(|d| *d <= now).map(|d| (d, id)))
            .collect();
        due.sort();
        due.into_iter().map(|(_, id)| id.clone()).collect()
    }

    /// The simulation whose buffer holds the delivery `tag`, if one does.
    pub fn holding(&self, tag: u64) -> Option<String> {
        self.buffers
            .iter()
            .find(|(_, b)| b.entries.iter().any(|e| e.tag == tag))
            .map(|(id, _)| id.clone())
    }

    /// Simulations with buffered documents.
    pub fn non_empty(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .buffers
            .iter()
            .filter(|(_, b)| !b.entries.is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// Drops every buffered document (after a channel loss the broker redelivers them) and
    /// returns how many there were.
    pub fn clear(&mut self) -> usize {
        let dropped = self.len();
        self.buffers.clear();
        dropped
    }

    /// Buffered documents in all buffers.
    pub fn len(&self) -> usize {
        self.buffers.values().map(|b| b.entries.len()).sum()
    }

    /// Whether no document is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Invalid messages waiting, unacknowledged and in arrival order, for the run simulation id.
#[derive(Debug, Default)]
pub struct Pending {
    entries: Vec<Entry>,
    oldest: Option<Instant>,
}

impl Pending {
    /// Appends an entry; returns whether the list must be written to `…unknown` now because it
    /// reached `limit` (the effective prefetch: no further delivery could arrive).
    pub fn push(&mut self, entry: Entry, limit: usize, now: Instant) -> bool {
        self.oldest.get_or_insert(now);
        self.entries.push(entry);
        self.entries.len() >= limit
    }

    /// When the oldest entry has waited [`PENDING_MAX_AGE`].
    pub fn deadline(&self) -> Option<Instant> {
        self.oldest.map(|t| t + PENDING_MAX_AGE)
    }

    /// Takes every entry, in arrival order.
    pub fn take(&mut self) -> Vec<Entry> {
        self.oldest = None;
        std::mem::take(&mut self.entries)
    }

    /// Number of waiting entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
impl Entry {
    /// A delivery for the core's unit tests: `tag` (also every byte of its `_id`), topic
    /// and routing key `t`, a small JSON body, and `doc` as its document.
    pub(crate) fn for_test(tag: u64, kind: Kind, doc: RawDocumentBuf) -> Self {
        Self {
            tag,
            id: ObjectId::from_bytes([tag as u8; 12]),
            topic: "t".to_owned(),
            routing_key: b"t".to_vec(),
            body: br#"{"Type":"x"}"#.to_vec(),
            size: doc.as_bytes().len(),
            doc,
            kind,
            redelivered: false,
        }
    }
}

#[cfg(test)]
mod tests;
