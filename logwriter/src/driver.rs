//! The driver: the writer's state and decisions (`core::writer`) with the database side
//! that carries them out (`database.rs`), and delivery handling (docs/spec/logwriter.md
//! §4–§6): classify, update the simulation's state, buffer, and flush when a trigger holds.
//! One delivery at a time, in arrival order; a flush is planned before the next delivery
//! is handled, and its inserts (with their retries) and the metadata upserts run in the
//! background (`crate::writes`). Writing a buffer is `flush.rs`'s.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use chrono::Utc;
use common::document::{ingest, Outcome};
use common::schema::CollectionNames;
use tokio::task::{JoinError, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, warn};

use crate::core;
use crate::core::buffer::{Entry, Kind};
use crate::core::metadata::update_document;
use crate::core::writer::{Action, Class};
use crate::database::Database;
use crate::io::broker::raw::Unusual;
use crate::io::store::Store;
use crate::metrics::Metrics;
use crate::writes::Writes;

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

/// The writer's state and decisions ([`core::writer::Writer`]) and the database side that
/// carries them out.
#[derive(Debug)]
pub struct Driver {
    /// The state and the decisions, without I/O.
    pub(crate) core: core::writer::Writer,
    /// Every database step, retried; shared with the metadata upserts in flight.
    pub(crate) db: Arc<Database>,
    /// The metadata upserts in flight (§8.2), each yielding its simulation's id.
    pub(crate) upserts: JoinSet<String>,
    /// The batches being written (`LOGWRITER_MAX_IN_FLIGHT`).
    pub(crate) writes: Writes,
    /// Deliveries received and not acknowledged, for the drain-timeout message.
    pub(crate) unacknowledged: Arc<AtomicU64>,
    /// The lifecycle state and the Prometheus metrics, shared with the HTTP endpoints.
    pub(crate) metrics: Arc<Metrics>,
}

impl Driver {
    /// A driver with empty state. The signal a retry's sleep watches is set when the run
    /// starts ([`Self::watch_signal`]).
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
        let metrics = Arc::new(metrics);
        Self {
            core,
            db: Arc::new(Database::new(store, names, Arc::clone(&metrics))),
            upserts: JoinSet::new(),
            writes: Writes::new(config.max_in_flight),
            unacknowledged: Arc::new(AtomicU64::new(0)),
            metrics,
        }
    }

    /// The signal (SIGTERM/SIGINT) that ends a retry's backoff sleep.
    pub fn watch_signal(&self, shutdown: CancellationToken) {
        self.db.watch_signal(shutdown);
    }

    /// Logs `Shutdown requested.` and enters the drain state, once, wherever the signal is
    /// first seen: between deliveries, while connecting, or during a retry.
    pub(crate) fn note_shutdown(&mut self) {
        self.db.note_shutdown();
    }

    /// The final metadata update of every run whose document exists (§10.1 step 4), once
    /// the upserts in flight are stored (their coalesced follow-ups are superseded by it).
    pub async fn final_metadata(&mut self) {
        while let Some(done) = self.upserts.join_next().await {
            if let Some(sim_id) = upserted(done) {
                self.core.upsert_done(&sim_id);
            }
        }
        self.db.final_metadata(&mut self.core).await;
    }

    /// A metadata upsert in flight is stored: sends its coalesced follow-up, if one was
    /// asked for meanwhile.
    pub fn on_upserted(&mut self, done: Result<String, JoinError>) {
        if let Some(sim_id) = upserted(done) {
            if self.core.upsert_done(&sim_id) {
                self.send_upsert(sim_id);
            }
        }
    }

    /// An upsert of `sim_id`'s metadata is due: sent now, or coalesced into the follow-up
    /// of the one in flight.
    pub(crate) fn request_upsert(&mut self, sim_id: String) {
        if self.core.upsert_wanted(&sim_id) {
            self.send_upsert(sim_id);
        }
    }

    /// Starts the upsert of `sim_id`'s metadata as it stands now, in the background: the
    /// next deliveries are handled meanwhile (§8.2).
    fn send_upsert(&mut self, sim_id: String) {
        let Some(sim) = self.core.sims.get(&sim_id) else {
            return;
        };
        let update = update_document(sim);
        let db = Arc::clone(&self.db);
        self.upserts.spawn(async move {
            db.upsert(&sim_id, update).await;
            sim_id
        });
    }

    /// The indexes again on every collection this process indexed (§10.1 step 6).
    pub async fn reensure_indexes(&mut self) {
        self.db.reensure_indexes(&mut self.core).await;
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

    /// Handles one delivery: classification here, then the core's decisions (state,
    /// buffering, triggers), then what they call for (seed read, flushes, metadata), in
    /// order, before the next delivery (a flush's inserts and an upsert then go on in the
    /// background).
    pub async fn handle(&mut self, delivery: Incoming) {
        self.metrics.consumed.inc();
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
        let (mut doc, class) = match ingested.outcome {
            Outcome::Valid {
                doc,
                simulation_id,
                timestamp,
                role,
            } => {
                let class = Class::Valid {
                    sim_id: simulation_id,
                    timestamp,
                    role,
                };
                (doc, class)
            }
            Outcome::Invalid { doc, reason } => {
                debug!(topic = %entry.topic, reason = reason.code(), "{} : invalid : {}", entry.topic, reason.code());
                entry.kind = Kind::Invalid(reason);
                (doc, Class::Invalid)
            }
        };
        self.note_unusual(&entry.topic, &mut doc, &delivery.unusual);
        entry.size = doc.as_bytes().len();
        entry.doc = doc;
        let actions = self.core.on_delivery(entry, class, Instant::now());
        // Now, not after the flush: a drain that times out while this delivery's flush is
        // being retried must count it as unacknowledged.
        self.update_gauge();
        self.carry_out(actions).await;
    }

    /// Carries out the core's actions one at a time, in order; a seed read resumes the
    /// waiting delivery, whose actions come next.
    pub(crate) async fn carry_out(&mut self, actions: Vec<Action>) {
        let mut queue = VecDeque::from(actions);
        while let Some(action) = queue.pop_front() {
            match action {
                Action::ReadSeed(sim_id) => {
                    let stored = self.db.read_seed(&sim_id).await;
                    let next = self.core.on_seed(&sim_id, stored.as_ref(), Instant::now());
                    for action in next.into_iter().rev() {
                        queue.push_front(action);
                    }
                }
                Action::Flush(sim_id) => self.flush(&sim_id).await,
                Action::FlushPendingUnknown => self.flush_pending_unknown().await,
                Action::UpsertMetadata(sim_id) => self.upsert_after_writes(sim_id),
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

    /// After a channel loss, once [`Self::flush_everything`] stored what was buffered:
    /// forgets the tags of the old channel (they mean nothing on the next one).
    pub fn forget_channel(&mut self) {
        self.core.forget_channel();
        self.update_gauge();
    }
}

/// The simulation of a finished upsert task. An upsert is retried until it is stored and
/// never panics; a task that did anyway is logged, and the final update covers its run.
fn upserted(done: Result<String, JoinError>) -> Option<String> {
    done.map_err(|error| error!(error = %error, "A metadata upsert task failed: {error}."))
        .ok()
}
