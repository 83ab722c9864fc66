//! Writing a buffer (docs/spec/logwriter.md §7) as the core plans it (`core::batch`): indexes
//! first, then one unordered `insert_many` per collection, duplicates counted as stored,
//! transient failures retried with backoff, and documents the server refuses taken through
//! the fallback chain of §7.4–§7.5 (`core::batch::Fallback`: the raw-text document with the
//! same `_id`, then the minimal one). Only when every document of the flush is settled are
//! its deliveries marked for the ack. The database steps are `database.rs`'s.
//!
//! The inserts of a batch run while the next deliveries are handled, up to
//! `LOGWRITER_MAX_IN_FLIGHT` batches at once (`crate::writes`); with 1, batches are still
//! written one after another. A metadata upsert asked for by a batch's message waits until
//! that batch (and every one before it) is written, so it counts it.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use common::schema::UNKNOWN_SIMULATION;
use tokio::task::JoinError;
use tracing::{debug, error, warn};

use crate::core::batch::{self, Batch, Counted, DocumentOutcome, Fallback};
use crate::core::buffer::{Entry, Kind};
use crate::core::refusal::Refusal;
use crate::core::state::log_limited;
use crate::driver::Driver;
use crate::metrics::Metrics;
use crate::writes::Written;

impl Driver {
    /// Flushes one simulation's buffer.
    pub async fn flush(&mut self, sim_id: &str) {
        let entries = self.core.buffers.take(sim_id);
        if !entries.is_empty() {
            self.write(sim_id, entries).await;
        }
    }

    /// Writes the pending unknown-id invalid messages and every buffer, and waits until
    /// every batch in flight is written (the first step of every ending: stop, signal and
    /// connection loss).
    pub async fn flush_everything(&mut self) {
        let actions = self.core.write_everything();
        self.carry_out(actions).await;
        while !self.writes.batches.is_empty() {
            self.wait_for_a_batch().await;
        }
    }

    /// Asks for an upsert of `sim_id`'s metadata: now, or once the batches in flight (the
    /// one holding the triggering message among them) are written.
    pub(crate) fn upsert_after_writes(&mut self, sim_id: String) {
        if !self.writes.defer(&sim_id) {
            self.request_upsert(sim_id);
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
        self.write(UNKNOWN_SIMULATION, entries).await;
    }

    /// Writes `entries` as the core plans them (valid ones to `simulation_<sim_id>`,
    /// invalid ones to `invalid_simulation_<sim_id>`, the indexes first). Three parts: the
    /// preconditions and the plan, which need the core, here; the inserts
    /// (`Database::insert_batch`), which do not, in the background once a slot is free;
    /// the counting, fallbacks and settling when they are answered ([`Self::on_written`]).
    async fn write(&mut self, sim_id: &str, entries: Vec<Entry>) {
        let started = Instant::now();
        let batch = Arc::new(self.plan(sim_id, entries).await);
        while self.writes.full() {
            self.wait_for_a_batch().await;
        }
        let seq = self.writes.start();
        let db = Arc::clone(&self.db);
        self.writes.batches.spawn(async move {
            let outcomes = db.insert_batch(&batch).await;
            Written {
                seq,
                batch,
                outcomes,
                started,
            }
        });
    }

    /// Waits for the next batch in flight to be answered, and settles it.
    pub(crate) async fn wait_for_a_batch(&mut self) {
        if let Some(done) = self.writes.batches.join_next().await {
            self.on_written(done).await;
        }
    }

    /// A batch's inserts were answered: counts the outcomes, takes each refused document
    /// through its fallbacks, marks every delivery settled, then sends the metadata
    /// upserts that waited for it.
    pub(crate) async fn on_written(&mut self, done: Result<Written, JoinError>) {
        let written = match done {
            Ok(written) => written,
            // insert_batch retries until every document has an outcome and never panics;
            // were it to, its deliveries stay unacknowledged for the broker to redeliver.
            Err(error) => {
                return error!(error = %error, "A batch write task failed: {error}.");
            }
        };
        self.writes.finish(written.seq);
        self.settle_written(&written).await;
        for sim_id in self.writes.released() {
            self.request_upsert(sim_id);
        }
    }

    async fn settle_written(&mut self, written: &Written) {
        let batch = &written.batch;
        let sim_id = batch.sim_id.as_str();
        let mut refused = Vec::new();
        for (insert, outcomes) in batch.inserts.iter().zip(&written.outcomes) {
            for (&position, &outcome) in insert.positions.iter().zip(outcomes) {
                let entry = &batch.entries[position];
                match self.core.count_outcome(sim_id, entry, outcome) {
                    Counted::Refused(why) => refused.push((position, why)),
                    counted => publish(&self.metrics, counted, entry, &insert.collection),
                }
            }
        }
        refused.extend(batch.refused.iter().copied());
        for (position, why) in refused {
            self.store_rejected(sim_id, &batch.entries[position], why)
                .await;
        }
        self.core.settle(batch);
        self.metrics
            .flush_duration
            .observe_duration(written.started.elapsed());
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
        if sim_id == UNKNOWN_SIMULATION {
            let collection = self.db.names.invalid_messages(UNKNOWN_SIMULATION);
            let count = batch.entries.len();
            warn!("{count} invalid messages stored in {collection} because no simulation id is known.");
        }
    }

    /// The batch of `entries`, once what its inserts need is in place: the metadata
    /// indexes, the indexes of its collections (the first batch of a collection creates
    /// them, §9) and the server kind.
    async fn plan(&mut self, sim_id: &str, entries: Vec<Entry>) -> Batch {
        let (db, core) = (&self.db, &mut self.core);
        db.ensure_metadata_indexes().await;
        for (collection, invalid) in batch::collections(sim_id, &entries, &db.names) {
            db.ensure_indexes(core, &collection, invalid).await;
        }
        let server = db.server(core).await;
        Batch::plan(sim_id, entries, server, &db.names)
    }

    /// §7.5: the raw-text document with the same `_id` into the run simulation's invalid
    /// collection; then a minimal document; then, only if that is refused too, give up.
    async fn store_rejected(&mut self, sim_id: &str, entry: &Entry, why: Refusal) {
        warn!(topic = %entry.topic, reason = %why,
              "MongoDB rejected a document on topic '{}' ({why}); stored as invalid.", entry.topic);
        let (db, core) = (&self.db, &mut self.core);
        core.totals.server_rejected += 1;
        let run_id = core.run_id.as_deref();
        let mut chain = Fallback::new(entry, why, sim_id, run_id, &db.names, Utc::now());
        db.ensure_indexes(core, &chain.collection, true).await;
        let counted = loop {
            let Some(doc) = chain.next_document() else {
                return;
            };
            let outcomes = db.insert_settled(&chain.collection, &[doc]).await;
            let outcome = outcomes
                .first()
                .copied()
                .unwrap_or(DocumentOutcome::Inserted);
            let step = chain.on_outcome(outcome);
            if let Some(counted) = core.count_fallback(&chain.target, step) {
                break counted;
            }
        };
        let Counted::Refused(last) = counted else {
            return publish(&db.metrics, counted, entry, &chain.collection);
        };
        let head = String::from_utf8_lossy(&entry.body[..entry.body.len().min(1024)]).into_owned();
        error!(
            topic = %entry.topic,
            "Message on topic '{}' could not be stored and was discarded: server code {last}; \
             body size {} bytes, starting {head:?}.",
            entry.topic,
            entry.body.len()
        );
    }
}

/// Publishes what counting found: the metric, and the line of an invalid document (WARN up
/// to the limit) or of a duplicate (DEBUG when the broker said redelivered).
fn publish(metrics: &Metrics, counted: Counted, entry: &Entry, collection: &str) {
    match counted {
        Counted::Valid => {
            metrics.stored_valid.inc();
        }
        Counted::Invalid { reason, loud } => {
            metrics.count_invalid(reason);
            let text = format!(
                "Invalid message on topic '{}' stored in {collection}: {}.",
                entry.topic,
                reason.code()
            );
            log_limited(loud, &text);
        }
        Counted::Duplicate => {
            metrics.duplicates.inc();
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
