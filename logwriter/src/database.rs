//! The database side of the driver: every MongoDB step the core's decisions call for, each
//! retried until it succeeds (docs/spec/logwriter.md §7.6, §13.2) as `core::retry::Retries`
//! decides (the one-time "Connected" line, the delay, the ERROR-once-per-30-s level). The
//! retry state is the database side's own, not the core's, so an attempt needs no access to
//! the writer's state. One retry loop, `Database::retried`, serves every step but the batch
//! insert, which keeps its own loop because a partial answer settles part of the batch
//! (`core::batch::Progress`). The metadata steps are in `metadata.rs`.
//!
//! Index creation (§9): once per collection and process, before the first insert, again at
//! stop; the metadata indexes before the first write unless start-up managed them. Index
//! problems are logged by the store and never block writes; only an unreachable server is
//! retried, like any write.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bson::RawDocumentBuf;
use common::schema::{self, CollectionNames};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use crate::core::batch::{Batch, DocumentOutcome, Progress};
use crate::core::refusal::Server;
use crate::core::retry::{Retries, RetryLog};
use crate::core::writer::Writer;
use crate::io::error::StoreError;
use crate::io::store::Store;
use crate::metrics::{Lifecycle, Metrics};

/// The store and what a retry needs: its schedule, the metrics, the signal its backoff
/// sleep watches; and the lock of the metadata indexes.
#[derive(Debug)]
pub struct Database {
    store: Store,
    /// The collection names of §1.
    pub(crate) names: CollectionNames,
    pub(crate) metrics: Arc<Metrics>,
    /// SIGTERM/SIGINT, followed from when the run starts ([`Self::watch_signal`]).
    shutdown: CancellationToken,
    /// Set by the start-up attempt or the first write.
    metadata_indexed: Arc<tokio::sync::Mutex<bool>>,
    /// The retry schedule and log levels; locked only to ask it, never across an await.
    retries: Mutex<Retries>,
    /// The signal was logged (`Shutdown requested.` comes once).
    signal_noted: AtomicBool,
}

impl Database {
    /// The database side over `store`; a retry's sleep watches no signal until
    /// [`Self::watch_signal`].
    pub fn new(store: Store, names: CollectionNames, metrics: Arc<Metrics>) -> Self {
        Self {
            store,
            names,
            metrics,
            shutdown: CancellationToken::new(),
            metadata_indexed: Arc::new(tokio::sync::Mutex::new(false)),
            retries: Mutex::new(Retries::new()),
            signal_noted: AtomicBool::new(false),
        }
    }

    /// The signal that ends a retry's backoff sleep, in every step and background upsert
    /// from now on (the database side is shared with those, so its own token follows it).
    pub fn watch_signal(&self, signal: CancellationToken) {
        let own = self.shutdown.clone();
        tokio::spawn(async move {
            signal.cancelled().await;
            own.cancel();
        });
    }

    /// Logs `Shutdown requested.` and enters the drain state, once, wherever the signal is
    /// first seen: between deliveries, while connecting, or during a retry.
    pub(crate) fn note_shutdown(&self) {
        if !self.signal_noted.swap(true, Ordering::Relaxed) {
            info!("Shutdown requested.");
            self.metrics.set_state(Lifecycle::Draining);
        }
    }

    /// Runs a database operation until it succeeds, with the bookkeeping, the log line and
    /// the backoff sleep of §7.6 after each failure. `operation` gets its own handle on the
    /// store for each attempt.
    pub(crate) async fn retried<T, F, Fut>(&self, mut operation: F) -> T
    where
        F: FnMut(Store) -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        loop {
            match operation(self.store.clone()).await {
                Ok(value) => {
                    self.succeeded();
                    return value;
                }
                Err(error) => self.wait_to_retry(&error).await,
            }
        }
    }

    /// Bookkeeping after any successful MongoDB operation.
    fn succeeded(&self) {
        if self.retries().succeeded() {
            info!("Connected to MongoDB database '{}'.", self.store.name());
        }
    }

    /// Logs a failed MongoDB operation and sleeps the backoff delay (§7.6). Deliveries are
    /// not handled meanwhile, so the broker stops sending once the prefetch window is full.
    /// A signal during the sleep is logged at once and ends the sleep: the drain retries
    /// right away, until it succeeds or its deadline ends the process. Only the sleep races
    /// the signal; a driver call always runs to completion.
    async fn wait_to_retry(&self, error: &StoreError) {
        let (delay, level) = self.retries().failed(error.is_transient(), Instant::now());
        self.metrics.flush_retries.inc();
        let text = format!(
            "Writing to MongoDB failed: {error}; retrying in {:.1}s.",
            delay.as_secs_f64()
        );
        match level {
            RetryLog::Warn => warn!(error = %error, "{text}"),
            RetryLog::Error => error!(error = %error, "{text}"),
            RetryLog::Debug => debug!(error = %error, "{text}"),
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = self.shutdown.cancelled(), if !self.signal_noted.load(Ordering::Relaxed) => {
                self.note_shutdown();
            }
        }
    }

    /// The retry state, for one question (a poisoned lock still holds a usable schedule).
    fn retries(&self) -> std::sync::MutexGuard<'_, Retries> {
        self.retries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Failed attempts so far, for the statistics block.
    pub fn retry_count(&self) -> u64 {
        self.retries().count()
    }

    /// Inserts `docs` until every one is inserted, a duplicate or permanently rejected,
    /// retrying the transient failures with backoff. Never returns `Transient`. Its own
    /// loop, not [`Self::retried`]: an answer that settles part of the batch counts as a
    /// success (the backoff starts over) and only the rest is sent again.
    pub(crate) async fn insert_settled(
        &self,
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
                    self.succeeded();
                    let left = progress.record(&to_send, &outcomes);
                    if left > 0 {
                        self.wait_to_retry(&StoreError::Documents(left)).await;
                    }
                }
                Err(error) => self.wait_to_retry(&error).await,
            }
        }
    }

    /// Sends every insert of `batch` until each document has a final outcome: the
    /// outcomes of each insert, in its positions' order. Needs nothing of the writer's
    /// state, so it can run while the next deliveries are handled (issue 21, stage 7).
    pub(crate) async fn insert_batch(&self, batch: &Batch) -> Vec<Vec<DocumentOutcome>> {
        let mut outcomes = Vec::with_capacity(batch.inserts.len());
        for insert in &batch.inserts {
            let documents = batch.documents(insert);
            outcomes.push(self.insert_settled(&insert.collection, &documents).await);
        }
        outcomes
    }

    /// The metadata document of a simulation seen for the first time (§8.4).
    pub(crate) async fn read_seed(&self, sim_id: &str) -> Option<bson::Document> {
        let filter = schema::metadata_filter(&self.names.identifier, sim_id);
        let metadata = &self.names.metadata;
        self.retried(|store| {
            let filter = filter.clone();
            async move { store.read_metadata(metadata, filter).await }
        })
        .await
    }

    /// The server kind, asked once (`buildInfo`) before the first insert.
    pub(crate) async fn server(&self, core: &mut Writer) -> Server {
        if let Some(server) = core.server {
            return server;
        }
        let server = self
            .retried(|store| async move { store.server().await })
            .await;
        core.server = Some(server);
        server
    }

    /// Ensures the indexes of a collection once per process.
    pub(crate) async fn ensure_indexes(&self, core: &mut Writer, collection: &str, invalid: bool) {
        if core.indexed.contains_key(collection) {
            return;
        }
        let specs = if invalid {
            schema::invalid_message_indexes()
        } else {
            schema::message_indexes()
        };
        let specs = &specs;
        let created = self
            .retried(|store| async move { store.ensure_indexes(collection, specs).await })
            .await;
        if created {
            core.created.insert(collection.to_owned());
        }
        core.indexed.insert(collection.to_owned(), invalid);
    }

    /// Step 6 of §10.1: ensures the indexes again on every collection this process indexed.
    pub async fn reensure_indexes(&self, core: &mut Writer) {
        let mut collections: Vec<(String, bool)> = core.indexed.drain().collect();
        collections.sort();
        for (collection, invalid) in collections {
            self.ensure_indexes(core, &collection, invalid).await;
        }
    }

    /// Ensures the metadata indexes before the first write, unless start-up managed it
    /// (waiting for the start-up attempt if it is still running: never two at once).
    pub(crate) async fn ensure_metadata_indexes(&self) {
        let mut done = self.metadata_indexed.lock().await;
        if *done {
            return;
        }
        let specs = &schema::metadata_indexes(&self.names.identifier);
        let collection = &self.names.metadata;
        self.retried(|store| async move { store.ensure_indexes(collection, specs).await })
            .await;
        *done = true;
    }

    /// Tries the metadata indexes once in the background at start-up; the first write
    /// retries them if this attempt fails, so consuming is never delayed. The attempt holds
    /// the lock the first write takes too: FerretDB 1.24 panics on two index checks of one
    /// collection at the same moment, and the first write would otherwise race this task.
    pub fn spawn_metadata_indexes(&self) {
        let store = self.store.clone();
        let done = Arc::clone(&self.metadata_indexed);
        let specs = schema::metadata_indexes(&self.names.identifier);
        let collection = self.names.metadata.clone();
        tokio::spawn(async move {
            let mut done = done.lock().await;
            if !*done && store.ensure_indexes(&collection, &specs).await.is_ok() {
                *done = true;
            }
        });
    }
}
