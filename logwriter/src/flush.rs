//! Writing a buffer (docs/spec/logwriter.md §7) as the core plans it (`core::batch`): indexes
//! first, then one unordered `insert_many` per collection, duplicates counted as stored,
//! transient failures retried with backoff, and documents the server rejects moved to the
//! invalid collection with the same `_id` (`rejected.rs`). Only when every document of the
//! flush is settled are its deliveries marked for the ack.

use std::time::Instant;

use bson::RawDocumentBuf;
use common::schema::UNKNOWN_SIMULATION;
use tracing::{debug, warn};

use crate::core::batch::{self, Batch, Counted, DocumentOutcome, Progress};
use crate::core::buffer::{Entry, Kind};
use crate::core::state::log_limited;
use crate::driver::Driver;
use crate::io::error::StoreError;

impl Driver {
    /// Flushes one simulation's buffer.
    pub async fn flush(&mut self, sim_id: &str) {
        let entries = self.core.buffers.take(sim_id);
        if !entries.is_empty() {
            self.write(sim_id, entries).await;
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
        let count = entries.len();
        self.write(UNKNOWN_SIMULATION, entries).await;
        let collection = self.names.invalid_messages(UNKNOWN_SIMULATION);
        warn!("{count} invalid messages stored in {collection} because no simulation id is known.");
    }

    /// Writes `entries` as the core plans them (valid ones to `simulation_<sim_id>`,
    /// invalid ones to `invalid_simulation_<sim_id>`, the indexes first), counts the
    /// outcomes, takes each refused document through its fallbacks, then marks every
    /// delivery settled.
    async fn write(&mut self, sim_id: &str, entries: Vec<Entry>) {
        let started = Instant::now();
        self.ensure_metadata_indexes().await;
        for (collection, invalid) in batch::collections(sim_id, &entries, &self.names) {
            self.ensure_indexes(&collection, invalid).await;
        }
        let server = self.server().await;
        let batch = Batch::plan(sim_id, entries, server, &self.names);
        let mut refused = Vec::new();
        for insert in &batch.inserts {
            let outcomes = self
                .insert_settled(&insert.collection, &batch.documents(insert))
                .await;
            for (&position, outcome) in insert.positions.iter().zip(outcomes) {
                let entry = &batch.entries[position];
                match self.core.count_outcome(sim_id, entry, outcome) {
                    Counted::Refused(why) => refused.push((position, why)),
                    counted => self.publish(counted, entry, &insert.collection),
                }
            }
        }
        refused.extend(batch.refused.iter().copied());
        for (position, why) in refused {
            self.store_rejected(sim_id, &batch.entries[position], why)
                .await;
        }
        self.core.settle(&batch);
        self.metrics
            .flush_duration
            .observe_duration(started.elapsed());
        let valid_count = batch
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Valid)
            .count();
        debug!(
            simulation_id = %sim_id,
            "{valid_count} valid and {} invalid documents written to simulation {sim_id}.",
            batch.entries.len() - valid_count
        );
    }

    /// Inserts `docs` until every one is inserted, a duplicate or permanently rejected,
    /// retrying the transient failures with backoff. Never returns `Transient`.
    pub(crate) async fn insert_settled(
        &mut self,
        collection: &str,
        docs: &[&RawDocumentBuf],
    ) -> Vec<DocumentOutcome> {
        let mut progress = Progress::new(docs.len());
        loop {
            let to_send = progress.to_send();
            if to_send.is_empty() {
                return progress.outcomes();
            }
            let batch: Vec<&RawDocumentBuf> = to_send.iter().map(|i| docs[*i]).collect();
            match self.store.insert(collection, &batch).await {
                Ok(outcomes) => {
                    self.succeeded(());
                    let left = progress.record(&to_send, &outcomes);
                    if left > 0 {
                        self.wait_to_retry(&StoreError::Documents(left)).await;
                    }
                }
                Err(error) => self.wait_to_retry(&error).await,
            }
        }
    }

    /// Publishes what counting found: the metric, and the line of an invalid document
    /// (WARN up to the limit) or of a duplicate (DEBUG when the broker said redelivered).
    pub(crate) fn publish(&self, counted: Counted, entry: &Entry, collection: &str) {
        match counted {
            Counted::Valid => {
                self.metrics.stored_valid.inc();
            }
            Counted::Invalid { reason, loud } => {
                self.metrics.count_invalid(reason);
                let text = format!(
                    "Invalid message on topic '{}' stored in {collection}: {}.",
                    entry.topic,
                    reason.code()
                );
                log_limited(loud, &text);
            }
            Counted::Duplicate => {
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
            Counted::Refused(_) => {}
        }
    }
}
