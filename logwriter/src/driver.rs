//! The driver: the writer's handles (store, metrics, signal) around its state and decisions
//! (`core::writer`), and delivery handling (docs/spec/logwriter.md §4–§6): classify, update
//! the simulation's state, buffer, and flush when a trigger holds. One delivery at a time,
//! in arrival order; a flush (including its retries) finishes before the next delivery is
//! handled. The database steps are in `flush.rs`, `metadata.rs`, `rejected.rs`,
//! `indexes.rs` and `retry.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use chrono::Utc;
use common::document::{ingest, Outcome, Role};
use common::schema::{field, CollectionNames};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::core;
use crate::core::buffer::{Entry, Kind};
use crate::core::state::{log_limited, Simulation};
use crate::io::broker::raw::Unusual;
use crate::io::store::Store;
use crate::metrics::Metrics;

/// The document field that keeps a delivery's unusual parts (docs/spec/logwriter.md §2.3).
pub const DELIVERY_ISSUES: &str = "DeliveryIssues";

/// A delivery as the writer needs it: the AMQP frame details are dropped on entry.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Delivery tag on the current channel.
    pub tag: u64,
    /// Routing key bytes.
    pub routing_key: Vec<u8>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// The broker's redelivered flag.
    pub redelivered: bool,
    /// Parts a strict AMQP parser would have refused (docs/spec/logwriter.md §2.3).
    pub unusual: Vec<Unusual>,
}

/// The writer's handles (store, metrics, signal) around its state and decisions
/// ([`core::writer::Writer`]), which it carries out.
#[derive(Debug)]
pub struct Driver {
    pub(crate) store: Store,
    pub(crate) names: CollectionNames,
    /// The state and the decisions, without I/O.
    pub(crate) core: core::writer::Writer,
    /// Deliveries received and not acknowledged, for the drain-timeout message.
    pub(crate) unacknowledged: Arc<AtomicU64>,
    /// Set by the start-up attempt or the first write.
    pub(crate) metadata_indexed: Arc<tokio::sync::Mutex<bool>>,
    /// The lifecycle state and the Prometheus metrics, shared with the HTTP endpoints.
    pub(crate) metrics: Arc<Metrics>,
    /// SIGTERM/SIGINT; a retry's backoff sleep watches it (see `retry.rs`).
    pub(crate) shutdown: CancellationToken,
}

impl Driver {
    /// A driver with empty state. The signal a retry's sleep watches is set when the run
    /// starts (`app::run`).
    pub fn new(store: Store, names: CollectionNames, config: &crate::config::Config) -> Self {
        let prefetch = config.broker.prefetch;
        let core = core::writer::Writer::new(
            config.max_documents,
            config.max_interval,
            usize::from(prefetch),
            config.run_simulation_id.clone(),
        );
        let metrics = Metrics::new();
        metrics.prefetch.set(i64::from(prefetch));
        Self {
            store,
            names,
            core,
            unacknowledged: Arc::new(AtomicU64::new(0)),
            metadata_indexed: Arc::new(tokio::sync::Mutex::new(false)),
            metrics: Arc::new(metrics),
            shutdown: CancellationToken::new(),
        }
    }

    /// Logs `Shutdown requested.` and enters the drain state, once, wherever the signal is
    /// first seen: between deliveries, while connecting, or during a retry.
    pub(crate) fn note_shutdown(&mut self) {
        if self.core.note_shutdown() {
            info!("Shutdown requested.");
            self.metrics.set_state(crate::metrics::Lifecycle::Draining);
        }
    }

    /// A gauge of the deliveries received and not yet acknowledged.
    pub fn unacknowledged_gauge(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.unacknowledged)
    }

    /// The lifecycle state and metrics, for the HTTP endpoints.
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }

    /// Publishes the unacknowledged and buffered counts to the gauges.
    pub(crate) fn update_gauge(&self) {
        let count = self.core.watermark.unacknowledged();
        self.unacknowledged.store(count, Ordering::Relaxed);
        let buffered = self
            .core
            .buffers
            .len()
            .saturating_add(self.core.pending.len());
        self.metrics.publish_levels(count, buffered as u64);
    }

    /// Handles one delivery: classification, state, buffering, and any flush it triggers.
    pub async fn handle(&mut self, delivery: Incoming) {
        self.core.totals.deliveries += 1;
        self.metrics.consumed.inc();
        self.core.watermark.receive(delivery.tag);
        // Now, not after the flush: a drain that times out while this delivery's flush is
        // being retried must count it as unacknowledged.
        self.update_gauge();
        let ingested = ingest(&delivery.routing_key, &delivery.body, Utc::now());
        let mut entry = Entry {
            tag: delivery.tag,
            id: ingested.id,
            topic: ingested.topic,
            routing_key: delivery.routing_key,
            body: delivery.body,
            doc: bson::RawDocumentBuf::new(),
            kind: Kind::Valid,
            redelivered: delivery.redelivered,
            size: 0,
        };
        match ingested.outcome {
            Outcome::Valid {
                mut doc,
                simulation_id,
                timestamp,
                role,
            } => {
                self.note_unusual(&entry.topic, &mut doc, &delivery.unusual);
                entry.size = doc.as_bytes().len();
                entry.doc = doc;
                self.handle_valid(entry, simulation_id, timestamp, role)
                    .await;
            }
            Outcome::Invalid { mut doc, reason } => {
                debug!(topic = %entry.topic, reason = reason.code(), "{} : invalid : {}", entry.topic, reason.code());
                self.note_unusual(&entry.topic, &mut doc, &delivery.unusual);
                entry.size = doc.as_bytes().len();
                entry.doc = doc;
                entry.kind = Kind::Invalid(reason);
                self.handle_invalid(entry).await;
            }
        }
    }

    /// Stores the unusual parts of a delivery with its document, as `DeliveryIssues`, and
    /// says so at WARN.
    fn note_unusual(&mut self, topic: &str, doc: &mut bson::RawDocumentBuf, unusual: &[Unusual]) {
        if unusual.is_empty() {
            return;
        }
        self.metrics.unusual.inc();
        let mut issues = bson::RawArrayBuf::new();
        let mut named = Vec::new();
        for part in unusual {
            let bytes = base64::engine::general_purpose::STANDARD.encode(&part.bytes);
            issues.push(
                bson::rawdoc! {"Property": part.property, "Reason": part.reason, "Bytes": bytes},
            );
            named.push(format!(
                "{} is {}",
                part.property.replace('_', " "),
                part.reason
            ));
        }
        doc.append(DELIVERY_ISSUES, issues);
        let named = named.join(", ");
        warn!(topic = %topic, "Delivery on topic '{topic}': {named}; stored with its bytes in {DELIVERY_ISSUES}.");
    }

    async fn handle_valid(
        &mut self,
        entry: Entry,
        sim_id: String,
        timestamp: chrono::DateTime<Utc>,
        role: Role,
    ) {
        let message_id = entry.doc.get_str(field::MESSAGE_ID).unwrap_or("-");
        debug!(topic = %entry.topic, simulation_id = %sim_id, "{} : {sim_id} : {message_id}", entry.topic);
        self.ensure_simulation(&sim_id).await;
        if let Role::Generic {
            malformed: Some(malformed),
        } = &role
        {
            *self
                .core
                .totals
                .malformed
                .entry(malformed.check)
                .or_default() += 1;
            let loud = self.sim(&sim_id).warn_allowed(malformed.check);
            let id = malformed.message_id.as_deref().unwrap_or("-");
            let text = format!(
                "Malformed {} message {id} in simulation {sim_id} stored as a generic message: {}.",
                malformed.type_name, malformed.detail
            );
            log_limited(loud, &text);
        }
        let process = entry.doc.get_str(field::SOURCE_PROCESS_ID).ok();
        if let Some(process) = process {
            self.sim(&sim_id).numbers.record(process, message_id);
        }
        self.sim(&sim_id).observe(timestamp, &role);
        if self.core.run_id.is_none() {
            info!(simulation_id = %sim_id, "Run simulation id is '{sim_id}' (from the first valid message).");
            self.core.run_id = Some(sim_id.clone());
            let now = Instant::now();
            for pending in self.core.pending.take() {
                self.core.buffers.push(&sim_id, pending, false, now);
            }
        }
        let role_flush = matches!(role, Role::SimState { .. } | Role::Epoch { .. });
        if self
            .core
            .buffers
            .push(&sim_id, entry, role_flush, Instant::now())
            .is_some()
        {
            self.flush(&sim_id).await;
        }
        if role_flush {
            self.update_metadata(&sim_id, false).await;
        }
        if matches!(role, Role::SimState { stopped: true, .. }) {
            self.note_stopped(&sim_id);
        }
    }

    /// Only the run's own `stopped` ends the run (§6.2); the run id is known by now.
    fn note_stopped(&mut self, sim_id: &str) {
        if !self.core.note_stopped(sim_id) {
            let run_id = self.core.run_id.as_deref().unwrap_or("-");
            warn!(simulation_id = %sim_id, run_simulation_id = %run_id,
                  "SimState stopped of simulation '{sim_id}', not the run's ('{run_id}'): stored; the run goes on.");
        }
    }

    async fn handle_invalid(&mut self, entry: Entry) {
        match self.core.run_id.clone() {
            Some(run_id) => {
                self.ensure_simulation(&run_id).await;
                if self
                    .core
                    .buffers
                    .push(&run_id, entry, false, Instant::now())
                    .is_some()
                {
                    self.flush(&run_id).await;
                }
            }
            None => {
                if self
                    .core
                    .pending
                    .push(entry, self.core.prefetch, Instant::now())
                {
                    self.flush_pending_unknown().await;
                }
            }
        }
    }

    /// The first document of a simulation creates its state and reads its metadata seed.
    async fn ensure_simulation(&mut self, sim_id: &str) {
        if self.core.sims.contains_key(sim_id) {
            return;
        }
        info!(simulation_id = %sim_id, "New simulation started: '{sim_id}'");
        let filter = common::schema::metadata_filter(&self.names.identifier, sim_id);
        let stored = loop {
            match self
                .store
                .read_metadata(&self.names.metadata, filter.clone())
                .await
            {
                Ok(stored) => break self.succeeded(stored),
                Err(error) => self.wait_to_retry(&error).await,
            }
        };
        let mut sim = Simulation::default();
        if let Some(stored) = stored {
            sim.seed(&stored);
        }
        self.core.sims.insert(sim_id.to_owned(), sim);
    }

    /// The state of a known simulation (created on demand, which only happens for ids that
    /// [`Self::ensure_simulation`] has seen).
    pub(crate) fn sim(&mut self, sim_id: &str) -> &mut Simulation {
        self.core.sim(sim_id)
    }

    /// After a channel loss, once [`Self::flush_everything`] stored what was buffered:
    /// forgets the tags of the old channel (they mean nothing on the next one).
    pub fn forget_channel(&mut self) {
        self.core.forget_channel();
        self.update_gauge();
    }
}
