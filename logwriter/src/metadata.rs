//! Writing the metadata document (docs/spec/logwriter.md §8): the upsert with its retries
//! (run in the background by the driver, §8.2), the final recount and update at the end,
//! and the missing-message report. The update documents themselves are `core::metadata`'s.

use std::sync::atomic::{AtomicBool, Ordering};

use bson::Document;
use common::schema::metadata_filter;
use tracing::{debug, info, warn};

use crate::core::gaps::Gap;
use crate::core::metadata::final_document;
use crate::core::writer::Writer;
use crate::database::Database;

/// One WARN line per process with a gap.
fn report_gaps(sim_id: &str, gaps: &[Gap]) {
    for gap in gaps {
        let (process, count) = (&gap.process, gap.count);
        let first = gap.first_ids().join(", ");
        warn!(simulation_id = %sim_id, process = %process, missing = count,
              "Simulation '{sim_id}': {count} messages of process '{process}' never arrived \
               (first missing ids: {first}).");
    }
}

impl Database {
    /// The final metadata update of a simulation (§10): its counters first recounted from
    /// the collections, unless they are exact, so they are right even after a restart.
    pub async fn final_update(&self, core: &mut Writer, sim_id: &str) {
        self.recount(core, sim_id).await;
        let Some(sim) = core.sims.get(sim_id) else {
            return;
        };
        let gaps = sim.numbers.gaps();
        if sim.stopped {
            report_gaps(sim_id, &gaps);
            let total = gaps.iter().map(|gap| gap.count).sum::<u64>();
            self.metrics
                .missing
                .set(i64::try_from(total).unwrap_or(i64::MAX));
        }
        self.upsert(sim_id, final_document(sim, &gaps)).await;
        core.sim(sim_id).metadata_exists = true;
    }

    /// Writes `update` to the simulation's metadata document, retried like a batch insert:
    /// transient errors quietly, the first other one also at WARN here, but never given up,
    /// because the final update (and at the stop the queue deletion and the exit) waits
    /// for it. Needs nothing of the writer's state, so it runs while the next deliveries
    /// are handled (§8.2).
    pub async fn upsert(&self, sim_id: &str, update: Document) {
        let filter = metadata_filter(&self.names.identifier, sim_id);
        let collection = &self.names.metadata;
        let warned = AtomicBool::new(false);
        self.retried(|store| {
            let (filter, update, warned) = (filter.clone(), update.clone(), &warned);
            async move {
                let result = store.upsert_metadata(collection, filter, update).await;
                if let Err(error) = &result {
                    if !error.is_transient() && !warned.swap(true, Ordering::Relaxed) {
                        warn!(simulation_id = %sim_id, error = %error, "Database metadata update failed for '{sim_id}': {error}");
                    }
                }
                result
            }
        })
        .await;
        info!(simulation_id = %sim_id, "Database metadata update successful for '{sim_id}'");
    }

    /// Recounts from the collections, unless this process's own counts are exact: no seed
    /// from an earlier process, and both collections created by this process, so every
    /// document in them was counted when it was stored (duplicates are not stored twice).
    /// On FerretDB the recount of a 21,000-message run takes seconds.
    async fn recount(&self, core: &mut Writer, sim_id: &str) {
        let valid = self.names.messages(sim_id);
        let invalid = self.names.invalid_messages(sim_id);
        let seeded = core.sims.get(sim_id).is_none_or(|sim| sim.seeded);
        if !seeded && core.created.contains(&valid) && core.created.contains(&invalid) {
            debug!(simulation_id = %sim_id, "Counts of '{sim_id}' are exact: no recount.");
            return;
        }
        let (valid, invalid) = (&valid, &invalid);
        let messages = self
            .retried(|store| async move { store.count(valid).await })
            .await;
        let invalid_messages = self
            .retried(|store| async move { store.count(invalid).await })
            .await;
        let topics = self
            .retried(|store| async move { store.count_by_topic(valid).await })
            .await;
        let numbers = self
            .retried(|store| async move { store.message_numbers(valid).await })
            .await;
        let sim = core.sim(sim_id);
        sim.numbers = numbers;
        sim.messages = messages;
        sim.invalid_messages = invalid_messages;
        sim.topics = topics.into_iter().collect();
    }

    /// The final metadata update for every simulation whose metadata document exists.
    pub async fn final_metadata(&self, core: &mut Writer) {
        let ids: Vec<String> = core
            .sims
            .iter()
            .filter(|(_, sim)| sim.metadata_exists)
            .map(|(id, _)| id.clone())
            .collect();
        for sim_id in ids {
            self.final_update(core, &sim_id).await;
        }
    }
}
