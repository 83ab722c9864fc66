//! Writing a buffer (logwriter.md §7): indexes first, then one unordered `insert_many` per
//! collection, duplicates counted as stored, transient failures retried with backoff, and
//! documents the server rejects moved to the invalid collection with the same `_id`.
//! Only when every document of the flush is settled are its deliveries marked for the ack.

use std::sync::atomic::Ordering;

use bson::Document;
use chrono::Utc;
use common::document::{minimal_invalid_document, server_rejected_document, InvalidReason};
use common::schema::{self, UNKNOWN_SIMULATION};
use tracing::{debug, error, warn};

use crate::buffer::{Entry, Kind};
use crate::error::{DocumentOutcome, StoreError};
use crate::writer::{log, Writer};

impl Writer {
    /// Flushes one simulation's buffer.
    pub async fn flush(&mut self, sim_id: &str) {
        let entries = self.buffers.take(sim_id);
        if !entries.is_empty() {
            self.write(sim_id, &entries).await;
        }
    }

    /// Writes the pending unknown-id invalid messages to `<invalid prefix>unknown` (§6.3).
    pub async fn flush_pending_unknown(&mut self) {
        let entries = self.pending.take();
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
        self.ensure_metadata_indexes().await;
        let (valid, invalid): (Vec<&Entry>, Vec<&Entry>) =
            entries.iter().partition(|e| e.kind == Kind::Valid);
        let valid_collection = self.names.messages(sim_id);
        let invalid_collection = self.names.invalid_messages(sim_id);
        if !valid.is_empty() {
            self.ensure_indexes(&valid_collection, false).await;
            self.ensure_indexes(&invalid_collection, true).await;
        }
        if !invalid.is_empty() {
            self.ensure_indexes(&invalid_collection, true).await;
        }
        let mut rejected = self.insert_entries(sim_id, &valid_collection, &valid).await;
        rejected.extend(
            self.insert_entries(sim_id, &invalid_collection, &invalid)
                .await,
        );
        for (entry, code) in rejected {
            self.store_rejected(sim_id, entry, code).await;
        }
        for entry in entries {
            self.watermark.settle(entry.tag);
        }
        debug!(
            simulation_id = %sim_id,
            "{} valid and {} invalid documents written to simulation {sim_id}.",
            valid.len(),
            invalid.len()
        );
    }

    /// Inserts the entries' documents and accounts for them; returns the ones the server
    /// rejected for good, with the server's code.
    async fn insert_entries<'e>(
        &mut self,
        sim_id: &str,
        collection: &str,
        entries: &[&'e Entry],
    ) -> Vec<(&'e Entry, i32)> {
        if entries.is_empty() {
            return Vec::new();
        }
        let docs: Vec<&Document> = entries.iter().map(|e| &e.doc).collect();
        let outcomes = self.insert_settled(collection, &docs).await;
        let mut rejected = Vec::new();
        for (entry, outcome) in entries.iter().zip(outcomes) {
            match outcome {
                DocumentOutcome::Inserted => self.count_stored(sim_id, collection, entry),
                DocumentOutcome::Duplicate => self.count_duplicate(entry),
                DocumentOutcome::Permanent(code) => rejected.push((*entry, code)),
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
        docs: &[&Document],
    ) -> Vec<DocumentOutcome> {
        let mut outcomes = vec![DocumentOutcome::Transient; docs.len()];
        loop {
            let todo: Vec<usize> = (0..docs.len())
                .filter(|i| outcomes[*i] == DocumentOutcome::Transient)
                .collect();
            if todo.is_empty() {
                return outcomes;
            }
            let batch: Vec<&Document> = todo.iter().map(|i| docs[*i]).collect();
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

    fn count_stored(&mut self, sim_id: &str, collection: &str, entry: &Entry) {
        match entry.kind {
            Kind::Valid => {
                self.totals.valid_stored += 1;
                self.sim(sim_id).count_valid(&entry.topic);
            }
            Kind::Invalid(reason) => self.count_invalid(sim_id, collection, entry, reason),
        }
    }

    fn count_invalid(
        &mut self,
        sim_id: &str,
        collection: &str,
        entry: &Entry,
        reason: InvalidReason,
    ) {
        *self.totals.invalid_stored.entry(reason.code()).or_default() += 1;
        let loud = match self.sims.get_mut(sim_id) {
            Some(sim) => {
                sim.invalid_messages += 1;
                sim.warn_allowed(reason.code())
            }
            None => true,
        };
        let text = format!(
            "Invalid message on topic '{}' stored in {collection}: {}.",
            entry.topic,
            reason.code()
        );
        log(loud, &text);
    }

    fn count_duplicate(&mut self, entry: &Entry) {
        self.totals.duplicates += 1;
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

    /// §7.5: the raw-text document with the same `_id` into the run simulation's invalid
    /// collection; then a minimal document; then, only if that is refused too, give up.
    async fn store_rejected(&mut self, sim_id: &str, entry: &Entry, code: i32) {
        warn!(topic = %entry.topic, code, "MongoDB rejected a document on topic '{}' ({code}); stored as invalid.", entry.topic);
        self.totals.server_rejected += 1;
        let target = self.run_id.clone().unwrap_or_else(|| sim_id.to_owned());
        let collection = self.names.invalid_messages(&target);
        self.ensure_indexes(&collection, true).await;
        let now = Utc::now();
        let fallbacks = [
            server_rejected_document(entry.id, &entry.routing_key, &entry.body, now),
            minimal_invalid_document(entry.id, &entry.routing_key, &entry.body, now),
        ];
        let mut last_code = code;
        for doc in &fallbacks {
            match self.insert_settled(&collection, &[doc]).await.first() {
                Some(DocumentOutcome::Permanent(code)) => last_code = *code,
                Some(DocumentOutcome::Duplicate) => return self.count_duplicate(entry),
                _ => {
                    return self.count_invalid(
                        &target,
                        &collection,
                        entry,
                        InvalidReason::ServerRejected,
                    )
                }
            }
        }
        self.totals.lost += 1;
        let head = String::from_utf8_lossy(&entry.body[..entry.body.len().min(1024)]).into_owned();
        error!(
            topic = %entry.topic,
            "Message on topic '{}' could not be stored and was discarded: server code {last_code}; \
             body size {} bytes, starting {head:?}.",
            entry.topic,
            entry.body.len()
        );
    }

    /// Ensures the indexes of a collection once per process (retrying transient failures).
    pub(crate) async fn ensure_indexes(&mut self, collection: &str, invalid: bool) {
        if self.indexed.contains_key(collection) {
            return;
        }
        let specs = if invalid {
            schema::invalid_message_indexes()
        } else {
            schema::message_indexes()
        };
        loop {
            match self.store.ensure_indexes(collection, &specs).await {
                Ok(()) => break self.succeeded(()),
                Err(error) => self.wait_to_retry(&error).await,
            }
        }
        self.indexed.insert(collection.to_owned(), invalid);
    }

    /// Step 6 of §10.1: ensures the indexes again on every collection this process indexed.
    pub async fn reensure_indexes(&mut self) {
        let mut collections: Vec<(String, bool)> = self.indexed.drain().collect();
        collections.sort();
        for (collection, invalid) in collections {
            self.ensure_indexes(&collection, invalid).await;
        }
    }

    /// Ensures the metadata indexes before the first write, unless start-up managed it.
    pub(crate) async fn ensure_metadata_indexes(&mut self) {
        if self.metadata_indexed.load(Ordering::Acquire) {
            return;
        }
        let specs = schema::metadata_indexes(&self.names.identifier);
        let collection = self.names.metadata.clone();
        loop {
            match self.store.ensure_indexes(&collection, &specs).await {
                Ok(()) => break self.succeeded(()),
                Err(error) => self.wait_to_retry(&error).await,
            }
        }
        self.metadata_indexed.store(true, Ordering::Release);
    }
}
