//! The writer's state and the decisions that need no I/O (docs/spec/logwriter.md §4–§8):
//! the buffers and the unknown-id list, the per-simulation state and totals, the ack
//! watermark, which collections are indexed, the counting of stored, invalid and duplicate
//! documents, the stop, and the delivery path as event -> actions (`delivery.rs`). The
//! driver (`crate::driver`) owns the handles (store, broker, metrics, signal) and does what
//! these methods decide; the retry schedule is `core::retry`'s, kept by the database side.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use common::document::InvalidReason;

use crate::core::ack::Watermark;
use crate::core::batch::{Batch, Counted, DocumentOutcome, FallbackStep};
use crate::core::buffer::{Buffers, Entry, Kind, Pending};
use crate::core::refusal::{Refusal, Server};
use crate::core::state::{Simulation, Totals};

mod delivery;
pub use delivery::{Action, Class};

/// Everything the writer keeps between deliveries, apart from its handles.
#[derive(Debug)]
pub struct Writer {
    pub(crate) buffers: Buffers,
    pub(crate) pending: Pending,
    pub(crate) sims: BTreeMap<String, Simulation>,
    pub(crate) totals: Totals,
    pub(crate) run_id: Option<String>,
    pub(crate) watermark: Watermark,
    pub(crate) prefetch: usize,
    /// Collections whose indexes were ensured by this process (true: an invalid collection).
    pub(crate) indexed: HashMap<String, bool>,
    /// Collections that did not exist before this process first wrote to them: all their
    /// documents were stored by this process, so its own counts of them are exact.
    pub(crate) created: HashSet<String>,
    /// The server kind, once asked (before the first insert).
    pub(crate) server: Option<Server>,
    /// A well-formed SimState `stopped` of the run was handled (§6.2).
    pub(crate) stop_requested: bool,
    /// The delivery waiting for its simulation's metadata seed ([`Action::ReadSeed`]).
    parked: Option<delivery::Parked>,
    /// Simulations with a metadata upsert in flight, and whether another was asked for
    /// meanwhile (§8.2: at most one in flight per simulation, the rest coalesced).
    upserting: BTreeMap<String, bool>,
}

impl Writer {
    /// Empty state: buffers of `max_documents` documents or `max_interval`, an unknown-id
    /// list bounded by `prefetch`, and the run id when SIMULATION_ID gave it.
    pub fn new(
        max_documents: usize,
        max_interval: Duration,
        prefetch: usize,
        run_id: Option<String>,
    ) -> Self {
        Self {
            buffers: Buffers::new(max_documents, max_interval),
            pending: Pending::default(),
            sims: BTreeMap::new(),
            totals: Totals::default(),
            run_id,
            watermark: Watermark::new(),
            prefetch,
            indexed: HashMap::new(),
            created: HashSet::new(),
            server: None,
            stop_requested: false,
            parked: None,
            upserting: BTreeMap::new(),
        }
    }

    /// The state of a simulation, created on demand.
    pub fn sim(&mut self, sim_id: &str) -> &mut Simulation {
        // Looked up several times per delivery: the id is copied only the first time.
        if !self.sims.contains_key(sim_id) {
            self.sims.insert(sim_id.to_owned(), Simulation::default());
        }
        self.sims.get_mut(sim_id).expect("inserted above")
    }

    /// The earliest buffer or pending-list deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        match (self.buffers.next_deadline(), self.pending.deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// An upsert of `sim_id`'s metadata is asked for ([`Action::UpsertMetadata`]): whether
    /// to send it now. While one is in flight, the requests are coalesced into a single
    /// follow-up, sent when it is stored, so a simulation's updates never overtake each
    /// other and the follow-up carries the state of the latest request.
    pub fn upsert_wanted(&mut self, sim_id: &str) -> bool {
        match self.upserting.get_mut(sim_id) {
            Some(again) => {
                *again = true;
                false
            }
            None => {
                self.upserting.insert(sim_id.to_owned(), false);
                true
            }
        }
    }

    /// The upsert of `sim_id` in flight is stored: whether to send the coalesced follow-up
    /// now (then it is the one in flight).
    pub fn upsert_done(&mut self, sim_id: &str) -> bool {
        self.sim(sim_id).metadata_exists = true;
        match self.upserting.get_mut(sim_id) {
            Some(again) if *again => {
                *again = false;
                true
            }
            _ => {
                self.upserting.remove(sim_id);
                false
            }
        }
    }

    /// What [`crate::core::ending::Step::WriteEverything`] writes: the pending unknown-id
    /// messages first (they may be older than any buffer), then every buffer.
    pub fn write_everything(&self) -> Vec<Action> {
        let pending = (!self.pending.is_empty()).then_some(Action::FlushPendingUnknown);
        let buffers = self.buffers.non_empty().into_iter().map(Action::Flush);
        pending.into_iter().chain(buffers).collect()
    }

    /// After a channel loss, once everything buffered was stored: forgets the old channel's
    /// tags, which mean nothing on the next one.
    pub fn forget_channel(&mut self) {
        self.buffers.clear();
        self.pending.take();
        self.watermark = Watermark::new();
    }

    /// Whether `sim_id`'s `stopped` ends the run: only the run's own does (§6.2).
    pub fn note_stopped(&mut self, sim_id: &str) -> bool {
        let ends_the_run = self.run_id.as_deref() == Some(sim_id);
        self.stop_requested |= ends_the_run;
        ends_the_run
    }

    /// A valid document of `sim_id` stored by this process.
    pub fn count_valid(&mut self, sim_id: &str, topic: &str) {
        self.totals.valid_stored += 1;
        self.sim(sim_id).count_valid(topic);
    }

    /// An invalid document stored for `sim_id` with `reason`; whether its line is still a
    /// WARN (the first [`crate::core::state::WARN_LIMIT`] per simulation and reason are).
    pub fn count_invalid(&mut self, sim_id: &str, reason: InvalidReason) -> bool {
        *self.totals.invalid_stored.entry(reason.code()).or_default() += 1;
        match self.sims.get_mut(sim_id) {
            Some(sim) => {
                sim.invalid_messages += 1;
                sim.warn_allowed(reason.code())
            }
            None => true,
        }
    }

    /// A document that was already stored: counted as a duplicate, not as stored.
    pub fn count_duplicate(&mut self) {
        self.totals.duplicates += 1;
    }

    /// Counts the final outcome of one document of a batch of `sim_id` (never `Transient`:
    /// it was retried until it had another).
    pub fn count_outcome(
        &mut self,
        sim_id: &str,
        entry: &Entry,
        outcome: DocumentOutcome,
    ) -> Counted {
        match (outcome, entry.kind) {
            (DocumentOutcome::Inserted | DocumentOutcome::Transient, Kind::Valid) => {
                self.count_valid(sim_id, &entry.topic);
                Counted::Valid
            }
            (DocumentOutcome::Inserted | DocumentOutcome::Transient, Kind::Invalid(reason)) => {
                let loud = self.count_invalid(sim_id, reason);
                Counted::Invalid { reason, loud }
            }
            (DocumentOutcome::Duplicate, _) => {
                self.count_duplicate();
                Counted::Duplicate
            }
            (DocumentOutcome::Permanent(code), _) => Counted::Refused(Refusal::Code(code)),
        }
    }

    /// Counts where a refused document's fallback chain ended (§7.5): stored as an invalid
    /// document of the `target` simulation, a duplicate, or lost. `None` while it goes on.
    pub fn count_fallback(&mut self, target: &str, step: FallbackStep) -> Option<Counted> {
        match step {
            FallbackStep::Stored => {
                let reason = InvalidReason::ServerRejected;
                let loud = self.count_invalid(target, reason);
                Some(Counted::Invalid { reason, loud })
            }
            FallbackStep::Duplicate => {
                self.count_duplicate();
                Some(Counted::Duplicate)
            }
            FallbackStep::Lost(why) => {
                self.totals.lost += 1;
                Some(Counted::Refused(why))
            }
            FallbackStep::Next => None,
        }
    }

    /// Every delivery of a written batch is settled: the watermark may pass it.
    pub fn settle(&mut self, batch: &Batch) {
        for entry in &batch.entries {
            self.watermark.settle(entry.tag);
        }
    }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
