//! The batches being written while the next deliveries are handled
//! (`LOGWRITER_MAX_IN_FLIGHT`, docs/spec/logwriter.md §4), and the metadata upserts that wait
//! for them: an upsert asked for by a message is sent once the batch holding it, and every
//! batch started before, is written (§8.2). The driver (`flush.rs`) starts and settles them.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

use crate::core::batch::{Batch, DocumentOutcome};

/// A batch whose inserts were answered, with what counting it needs.
#[derive(Debug)]
pub struct Written {
    /// Its number, in the order batches were started.
    pub seq: u64,
    /// The batch.
    pub batch: Arc<Batch>,
    /// The outcomes of each insert, in its positions' order.
    pub outcomes: Vec<Vec<DocumentOutcome>>,
    /// When its flush began.
    pub started: Instant,
}

/// The batches being written, and the metadata upserts waiting for them.
#[derive(Debug)]
pub struct Writes {
    /// The inserts in flight.
    pub(crate) batches: JoinSet<Written>,
    limit: usize,
    in_flight: BTreeSet<u64>,
    next: u64,
    /// Upserts asked for by a message of the batch with this number: sent once every batch
    /// up to it is written.
    deferred: Vec<(u64, String)>,
}

impl Writes {
    /// At most `limit` batches in flight.
    pub fn new(limit: usize) -> Self {
        Self {
            batches: JoinSet::new(),
            limit: limit.max(1),
            in_flight: BTreeSet::new(),
            next: 0,
            deferred: Vec::new(),
        }
    }

    /// Whether every slot is taken.
    pub fn full(&self) -> bool {
        self.batches.len() >= self.limit
    }

    /// Numbers a batch about to start.
    pub fn start(&mut self) -> u64 {
        let seq = self.next;
        self.next += 1;
        self.in_flight.insert(seq);
        seq
    }

    /// The batch `seq` is written.
    pub fn finish(&mut self, seq: u64) {
        self.in_flight.remove(&seq);
    }

    /// Whether an upsert of `sim_id` must wait for the batches in flight; then it does.
    pub fn defer(&mut self, sim_id: &str) -> bool {
        let Some(&last) = self.in_flight.last() else {
            return false;
        };
        self.deferred.push((last, sim_id.to_owned()));
        true
    }

    /// The deferred upserts whose batches are all written now.
    pub fn released(&mut self) -> Vec<String> {
        let oldest = self.in_flight.first().copied().unwrap_or(u64::MAX);
        let (ready, waiting) = std::mem::take(&mut self.deferred)
            .into_iter()
            .partition(|(after, _)| *after < oldest);
        self.deferred = waiting;
        ready.into_iter().map(|(_, sim_id)| sim_id).collect()
    }
}
