//! Writing a buffer (docs/spec/logwriter.md §7): indexes first, then one unordered `insert_many` per
//! collection, duplicates counted as stored, transient failures retried with backoff, and
//! documents the server rejects moved to the invalid collection with the same `_id`
//! (`rejected.rs`). Only when every document of the flush is settled are its deliveries
//! marked for the ack.

use std::time::Instant;

use bson::RawDocumentBuf;
use common::document::InvalidReason;
use common::schema::UNKNOWN_SIMULATION;
use tracing::{debug, warn};

use crate::core::buffer::{Entry, Kind};
use crate::core::refusal::{fails_the_command, Refusal};
use crate::core::state::log_limited;
use crate::driver::Driver;
use crate::io::error::{DocumentOutcome, StoreError};

impl Driver {
    /// Flushes one simulation's buffer.
    pub async fn flush(&mut self, sim_id: &str) {
        let entries = self.core.buffers.take(sim_id);
        if !entries.is_empty() {
            self.write(sim_id, &entries).await;
        }
    }

    /// Writes the pending unknown-id invalid messages and every buffer (stop, shutdown and
    /// connection loss).
    pub async fn flush_everything(&mut self) {
        self.flush_pending_unknown().await;
        for sim_id in self.core.buffers.non_empty() {
            self.flush(&sim_id).await;
        }
    }

    /// Trigger (f), window pressure (docs/spec/logwriter.md §5.2): writes the buffers the
    /// core names (`core::writer::Writer::pressure`), one after another.
    pub async fn relieve_window_pressure(&mut self) {
        let mut started = false;
        while let Some(sim_id) = self.core.pressure(started) {
            started = true;
            debug!(simulation_id = %sim_id, "The prefetch window is full; writing the buffer of {sim_id}.");
            self.flush(&sim_id).await;
        }
    }

    /// The earliest buffer or pending-list deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.core.next_deadline()
    }

    /// Flushes every buffer whose deadline passed, and the pending list if it is too old.
    pub async fn flush_due(&mut self) {
        let actions = self.core.due(Instant::now());
        self.carry_out(actions).await;
    }

    /// Writes the pending unknown-id invalid messages to `<invalid prefix>unknown` (§6.3).
    pub async fn flush_pending_unknown(&mut self) {
        let entries = self.core.pending.take();
        if entries.is_empty() {
            return;
        }
        self.write(UNKNOWN_SIMULATION, &entries).await;
        let collection = self.names.invalid_messages(UNKNOWN_SIMULATION);
        warn!(
            "{} invalid messages stored in {collection} because no simulation id is known.",
            entries.len()
        );
    }

    /// Writes `entries` (valid ones to `simulation_<sim_id>`, invalid ones to
    /// `invalid_simulation_<sim_id>`), then marks every delivery settled.
    async fn write(&mut self, sim_id: &str, entries: &[Entry]) {
        let started = Instant::now();
        self.ensure_metadata_indexes().await;
        let valid_collection = self.names.messages(sim_id);
        let invalid_collection = self.names.invalid_messages(sim_id);
        let valid_count = entries.iter().filter(|e| e.kind == Kind::Valid).count();
        if valid_count > 0 {
            self.ensure_indexes(&valid_collection, false).await;
        }
        // The invalid collection exists from the first write of either kind (§7.2).
        self.ensure_indexes(&invalid_collection, true).await;
        let server = self.server().await;
        let (refused, sendable): (Vec<&Entry>, Vec<&Entry>) = entries
            .iter()
            .partition(|e| fails_the_command(server, &e.doc));
        let (valid, invalid): (Vec<&Entry>, Vec<&Entry>) =
            sendable.into_iter().partition(|e| e.kind == Kind::Valid);
        let mut rejected = self.insert_entries(sim_id, &valid_collection, &valid).await;
        rejected.extend(
            self.insert_entries(sim_id, &invalid_collection, &invalid)
                .await,
        );
        rejected.extend(refused.into_iter().map(|e| (e, Refusal::NonFinite)));
        for (entry, why) in rejected {
            self.store_rejected(sim_id, entry, why).await;
        }
        for entry in entries {
            self.core.watermark.settle(entry.tag);
        }
        self.metrics
            .flush_duration
            .observe_duration(started.elapsed());
        debug!(
            simulation_id = %sim_id,
            "{valid_count} valid and {} invalid documents written to simulation {sim_id}.",
            entries.len() - valid_count
        );
    }

    /// Inserts the entries' documents and accounts for them; returns the ones the server
    /// rejected for good, with the server's code.
    async fn insert_entries<'e>(
        &mut self,
        sim_id: &str,
        collection: &str,
        entries: &[&'e Entry],
    ) -> Vec<(&'e Entry, Refusal)> {
        if entries.is_empty() {
            return Vec::new();
        }
        let docs: Vec<&RawDocumentBuf> = entries.iter().map(|e| &e.doc).collect();
        let outcomes = self.insert_settled(collection, &docs).await;
        let mut rejected = Vec::new();
        for (entry, outcome) in entries.iter().zip(outcomes) {
            match outcome {
                DocumentOutcome::Inserted => self.count_stored(sim_id, collection, entry),
                DocumentOutcome::Duplicate => self.count_duplicate(entry),
                DocumentOutcome::Permanent(code) => rejected.push((*entry, Refusal::Code(code))),
                DocumentOutcome::Transient => {}
            }
        }
        rejected
    }

    /// Inserts `docs` until every one is inserted, a duplicate or permanently rejected,
    /// retrying the transient failures with backoff. Never returns `Transient`.
    pub(crate) async fn insert_settled(
        &mut self,
        collection: &str,
        docs: &[&RawDocumentBuf],
    ) -> Vec<DocumentOutcome> {
        let mut outcomes = vec![DocumentOutcome::Transient; docs.len()];
        loop {
            let todo: Vec<usize> = (0..docs.len())
                .filter(|i| outcomes[*i] == DocumentOutcome::Transient)
                .collect();
            if todo.is_empty() {
                return outcomes;
            }
            let batch: Vec<&RawDocumentBuf> = todo.iter().map(|i| docs[*i]).collect();
            match self.store.insert(collection, &batch).await {
                Ok(result) => {
                    self.succeeded(());
                    for (i, outcome) in todo.iter().zip(result) {
                        outcomes[*i] = outcome;
                    }
                    let left = outcomes
                        .iter()
                        .filter(|o| **o == DocumentOutcome::Transient);
                    let left = left.count();
                    if left > 0 {
                        self.wait_to_retry(&StoreError::Documents(left)).await;
                    }
                }
                Err(error) => self.wait_to_retry(&error).await,
            }
        }
    }

    pub(crate) fn count_stored(&mut self, sim_id: &str, collection: &str, entry: &Entry) {
        match entry.kind {
            Kind::Valid => {
                self.core.count_valid(sim_id, &entry.topic);
                self.metrics.stored_valid.inc();
            }
            Kind::Invalid(reason) => self.count_invalid(sim_id, collection, entry, reason),
        }
    }

    pub(crate) fn count_invalid(
        &mut self,
        sim_id: &str,
        collection: &str,
        entry: &Entry,
        reason: InvalidReason,
    ) {
        let loud = self.core.count_invalid(sim_id, reason);
        self.metrics.count_invalid(reason);
        let text = format!(
            "Invalid message on topic '{}' stored in {collection}: {}.",
            entry.topic,
            reason.code()
        );
        log_limited(loud, &text);
    }

    pub(crate) fn count_duplicate(&mut self, entry: &Entry) {
        self.core.count_duplicate();
        self.metrics.duplicates.inc();
        let text = format!(
            "Identical message on topic '{}' already stored; not stored again.",
            entry.topic
        );
        if entry.redelivered {
            debug!("{text}");
        } else {
            warn!("{text}");
        }
    }
}
