//! The delivery path as event -> actions (docs/spec/logwriter.md §4–§6): a classified
//! delivery goes into the state and the buffers, and what must happen next comes back as
//! [`Action`]s, which the driver carries out in order before the next delivery. The time is
//! passed in.

use std::time::Instant;

use bson::Document;
use chrono::{DateTime, Utc};
use common::document::Role;
use common::schema::field;
use tracing::{debug, info, warn};

use super::Writer;
use crate::core::buffer::Entry;
use crate::core::state::{log_limited, Simulation};

/// What the driver must do next, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Read the metadata seed of a simulation seen for the first time (§8.4), then report
    /// it with [`Writer::on_seed`]; the delivery waits in the core meanwhile.
    ReadSeed(String),
    /// Write a simulation's buffer.
    Flush(String),
    /// Write the invalid messages waiting for the run id to `…unknown` (§6.3).
    FlushPendingUnknown,
    /// Upsert a simulation's metadata document (§8).
    UpsertMetadata(String),
}

/// What classification made of a delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Class {
    /// A valid message of simulation `sim_id`.
    Valid {
        /// The normalised `SimulationId`.
        sim_id: String,
        /// The stored `Timestamp`.
        timestamp: DateTime<Utc>,
        /// The special role (§4.5).
        role: Role,
    },
    /// An invalid message, stored for the run simulation.
    Invalid,
}

/// A delivery waiting for its simulation's metadata seed.
#[derive(Debug)]
pub(super) struct Parked {
    entry: Entry,
    class: Class,
}

impl Writer {
    /// A delivery arrives (its tag is received on the current channel).
    pub fn on_delivery(&mut self, entry: Entry, class: Class, now: Instant) -> Vec<Action> {
        self.totals.deliveries += 1;
        self.watermark.receive(entry.tag);
        self.accept(entry, class, now)
    }

    /// The metadata seed of `sim_id` was read (`None`: no document yet): the simulation's
    /// state starts from it and the delivery that waited for it goes on.
    pub fn on_seed(
        &mut self,
        sim_id: &str,
        stored: Option<&Document>,
        now: Instant,
    ) -> Vec<Action> {
        let mut sim = Simulation::default();
        if let Some(stored) = stored {
            sim.seed(stored);
        }
        self.sims.insert(sim_id.to_owned(), sim);
        match self.parked.take() {
            Some(Parked { entry, class }) => self.accept(entry, class, now),
            None => Vec::new(),
        }
    }

    /// The buffers whose deadline passed, then the unknown-id list if it is too old.
    pub fn due(&self, now: Instant) -> Vec<Action> {
        let mut actions: Vec<Action> = self
            .buffers
            .due(now)
            .into_iter()
            .map(Action::Flush)
            .collect();
        if self.pending.deadline().is_some_and(|d| d <= now) {
            actions.push(Action::FlushPendingUnknown);
        }
        actions
    }

    /// Trigger (f), window pressure (§5.2): once the unacknowledged deliveries fill the
    /// prefetch window, the broker sends nothing more, and with several simulations on the
    /// exchange no count trigger may ever hold again. Asked before each flush of the relief,
    /// it names the buffer holding the lowest unsettled delivery while more than half the
    /// window would stay unacknowledged (the caller then acks), so the broker sends again
    /// at once and batches stay large. `started` says whether the relief has begun: it only
    /// begins when the window is full.
    pub fn pressure(&self, started: bool) -> Option<String> {
        if !started && self.watermark.unacknowledged() < self.prefetch as u64 {
            return None;
        }
        if self.watermark.beyond_watermark() <= self.prefetch as u64 / 2 {
            return None;
        }
        // Invalid messages waiting for the run id have their own trigger (§6.3).
        self.buffers.holding(self.watermark.lowest_unsettled()?)
    }

    fn accept(&mut self, entry: Entry, class: Class, now: Instant) -> Vec<Action> {
        let target = match &class {
            Class::Valid { sim_id, .. } => Some(sim_id.clone()),
            Class::Invalid => self.run_id.clone(),
        };
        if let Some(sim_id) = target.filter(|id| !self.sims.contains_key(id)) {
            info!(simulation_id = %sim_id, "New simulation started: '{sim_id}'");
            self.parked = Some(Parked { entry, class });
            return vec![Action::ReadSeed(sim_id)];
        }
        match class {
            Class::Valid {
                sim_id,
                timestamp,
                role,
            } => self.accept_valid(entry, &sim_id, timestamp, &role, now),
            Class::Invalid => self.accept_invalid(entry, now),
        }
    }

    fn accept_valid(
        &mut self,
        entry: Entry,
        sim_id: &str,
        timestamp: DateTime<Utc>,
        role: &Role,
        now: Instant,
    ) -> Vec<Action> {
        let message_id = entry
            .doc
            .get_str(field::MESSAGE_ID)
            .unwrap_or("-")
            .to_owned();
        debug!(topic = %entry.topic, simulation_id = %sim_id, "{} : {sim_id} : {message_id}", entry.topic);
        if let Role::Generic {
            malformed: Some(malformed),
        } = role
        {
            *self.totals.malformed.entry(malformed.check).or_default() += 1;
            let loud = self.sim(sim_id).warn_allowed(malformed.check);
            let id = malformed.message_id.as_deref().unwrap_or("-");
            let text = format!(
                "Malformed {} message {id} in simulation {sim_id} stored as a generic message: {}.",
                malformed.type_name, malformed.detail
            );
            log_limited(loud, &text);
        }
        if let Ok(process) = entry.doc.get_str(field::SOURCE_PROCESS_ID) {
            self.sim(sim_id).numbers.record(process, &message_id);
        }
        self.sim(sim_id).observe(timestamp, role);
        if self.run_id.is_none() {
            info!(simulation_id = %sim_id, "Run simulation id is '{sim_id}' (from the first valid message).");
            self.run_id = Some(sim_id.to_owned());
            for pending in self.pending.take() {
                self.buffers.push(sim_id, pending, false, now);
            }
        }
        let role_flush = matches!(role, Role::SimState { .. } | Role::Epoch { .. });
        let mut actions = Vec::new();
        if self.buffers.push(sim_id, entry, role_flush, now).is_some() {
            actions.push(Action::Flush(sim_id.to_owned()));
        }
        if role_flush {
            actions.push(Action::UpsertMetadata(sim_id.to_owned()));
        }
        if matches!(role, Role::SimState { stopped: true, .. }) && !self.note_stopped(sim_id) {
            let run_id = self.run_id.as_deref().unwrap_or("-");
            warn!(simulation_id = %sim_id, run_simulation_id = %run_id,
                  "SimState stopped of simulation '{sim_id}', not the run's ('{run_id}'): stored; the run goes on.");
        }
        actions
    }

    fn accept_invalid(&mut self, entry: Entry, now: Instant) -> Vec<Action> {
        match self.run_id.clone() {
            Some(run_id) => match self.buffers.push(&run_id, entry, false, now) {
                Some(_) => vec![Action::Flush(run_id)],
                None => Vec::new(),
            },
            None if self.pending.push(entry, self.prefetch, now) => {
                vec![Action::FlushPendingUnknown]
            }
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
