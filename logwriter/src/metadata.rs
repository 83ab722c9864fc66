//! The metadata document (docs/spec/logwriter.md §8): one atomic upsert with `$min`/`$max`/`$set`
//! (never a read-modify-write), the final recount at stop, and the update document as a pure
//! function.

use bson::{doc, Bson, Document};
use common::schema::metadata as meta;
use common::schema::metadata_filter;
use tracing::{debug, info, warn};

use crate::core::gaps::Gap;
use crate::core::state::Simulation;
use crate::writer::Writer;

/// The update of §8.3 for a simulation's current state. `EndTime` only once `stopped` was
/// handled; `Epochs` only once known; `Name`/`Description` only when strings.
pub fn update_document(sim: &Simulation) -> Document {
    let mut min = Document::new();
    if let Some(start) = sim.start {
        min.insert(meta::START_TIME, bson::DateTime::from_chrono(start));
    }
    let mut max = Document::new();
    if let (true, Some(end)) = (sim.stopped, sim.end) {
        max.insert(meta::END_TIME, bson::DateTime::from_chrono(end));
    }
    if let Some((_, highest)) = sim.epochs {
        max.insert(meta::EPOCHS, highest);
    }
    let mut set = Document::new();
    if let Some(name) = &sim.name {
        set.insert(meta::NAME, name);
    }
    if let Some(description) = &sim.description {
        set.insert(meta::DESCRIPTION, description);
    }
    let processes: Vec<Bson> = sim.processes.iter().cloned().map(Bson::String).collect();
    set.insert(meta::PROCESSES, processes);
    set.insert(meta::MESSAGES, sim.messages);
    set.insert(meta::INVALID_MESSAGES, sim.invalid_messages);
    set.insert(meta::TOPICS, sim.topics_array());
    let mut update = Document::new();
    for (operator, fields) in [("$min", min), ("$max", max), ("$set", set)] {
        if !fields.is_empty() {
            update.insert(operator, fields);
        }
    }
    update
}

/// The final update (§10): [`update_document`] plus, once the run stopped, the processes
/// with message numbers that never arrived (§8.5), or the removal of an earlier process's
/// report when there are none now.
pub fn final_document(sim: &Simulation, gaps: &[Gap]) -> Document {
    let mut update = update_document(sim);
    if !sim.stopped {
        return update;
    }
    if gaps.is_empty() {
        update.insert("$unset", doc! {meta::MISSING_MESSAGES: ""});
        return update;
    }
    let missing: Vec<Document> = gaps
        .iter()
        .map(|gap| {
            let count = i64::try_from(gap.count).unwrap_or(i64::MAX);
            doc! {"ProcessId": &gap.process, "Count": count}
        })
        .collect();
    if let Ok(set) = update.get_document_mut("$set") {
        set.insert(meta::MISSING_MESSAGES, missing);
    }
    update
}

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

impl Writer {
    /// Writes the simulation's metadata. With `recount`, the counters are first recounted
    /// from the collections (the final update of §10), so they are exact after a restart.
    pub async fn update_metadata(&mut self, sim_id: &str, recount: bool) {
        if recount {
            self.recount(sim_id).await;
        }
        let Some(sim) = self.sims.get(sim_id) else {
            return;
        };
        let update = if recount {
            let gaps = sim.numbers.gaps();
            if sim.stopped {
                report_gaps(sim_id, &gaps);
                let total = gaps.iter().map(|gap| gap.count).sum::<u64>();
                self.metrics
                    .missing
                    .set(i64::try_from(total).unwrap_or(i64::MAX));
            }
            final_document(sim, &gaps)
        } else {
            update_document(sim)
        };
        let filter = metadata_filter(&self.names.identifier, sim_id);
        let collection = self.names.metadata.clone();
        // Retried like a batch insert: transient errors quietly, any other one at ERROR, but
        // never given up, because the caller acknowledges (and at the stop deletes the queue
        // and exits) only once this returns.
        let mut warned = false;
        loop {
            match self
                .store
                .upsert_metadata(&collection, filter.clone(), update.clone())
                .await
            {
                Ok(()) => {
                    self.succeeded(());
                    self.sim(sim_id).metadata_exists = true;
                    info!(simulation_id = %sim_id, "Database metadata update successful for '{sim_id}'");
                    return;
                }
                Err(error) => {
                    if !error.is_transient() && !warned {
                        warned = true;
                        warn!(simulation_id = %sim_id, error = %error, "Database metadata update failed for '{sim_id}': {error}");
                    }
                    self.wait_to_retry(&error).await;
                }
            }
        }
    }

    /// Recounts from the collections, unless this process's own counts are exact: no seed
    /// from an earlier process, and both collections created by this process, so every
    /// document in them was counted when it was stored (duplicates are not stored twice).
    /// On FerretDB the recount of a 21,000-message run takes seconds.
    async fn recount(&mut self, sim_id: &str) {
        let valid = self.names.messages(sim_id);
        let invalid = self.names.invalid_messages(sim_id);
        let seeded = self.sims.get(sim_id).is_none_or(|sim| sim.seeded);
        if !seeded && self.created.contains(&valid) && self.created.contains(&invalid) {
            debug!(simulation_id = %sim_id, "Counts of '{sim_id}' are exact: no recount.");
            return;
        }
        let messages = loop {
            match self.store.count(&valid).await {
                Ok(n) => break self.succeeded(n),
                Err(error) => self.wait_to_retry(&error).await,
            }
        };
        let invalid_messages = loop {
            match self.store.count(&invalid).await {
                Ok(n) => break self.succeeded(n),
                Err(error) => self.wait_to_retry(&error).await,
            }
        };
        let topics = loop {
            match self.store.count_by_topic(&valid).await {
                Ok(topics) => break self.succeeded(topics),
                Err(error) => self.wait_to_retry(&error).await,
            }
        };
        let numbers = loop {
            match self.store.message_numbers(&valid).await {
                Ok(numbers) => break self.succeeded(numbers),
                Err(error) => self.wait_to_retry(&error).await,
            }
        };
        let sim = self.sim(sim_id);
        sim.numbers = numbers;
        sim.messages = messages;
        sim.invalid_messages = invalid_messages;
        sim.topics = topics.into_iter().collect();
    }

    /// The final metadata update for every simulation whose metadata document exists.
    pub async fn final_metadata(&mut self) {
        let ids: Vec<String> = self
            .sims
            .iter()
            .filter(|(_, sim)| sim.metadata_exists)
            .map(|(id, _)| id.clone())
            .collect();
        for sim_id in ids {
            self.update_metadata(&sim_id, true).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use common::document::Role;

    #[test]
    fn running_simulation_gets_min_start_set_fields_and_no_end_time() {
        let mut sim = Simulation::default();
        let t = common::time::parse_message_datetime("2020-06-03T04:01:52.345Z").unwrap();
        sim.observe(
            t,
            &Role::SimState {
                stopped: false,
                source_process_id: "sm".to_owned(),
                name: Some("n".to_owned()),
                description: Some("d".to_owned()),
            },
        );
        sim.count_valid("SimState");
        let update = update_document(&sim);
        assert_eq!(
            update,
            doc! {
                "$min": {"StartTime": bson::DateTime::from_chrono(t)},
                "$set": {
                    "Name": "n", "Description": "d", "Processes": ["sm"], "Messages": 1_i64,
                    "InvalidMessages": 0_i64, "Topics": [{"Topic": "SimState", "Messages": 1_i64}],
                },
            }
        );
    }

    #[test]
    fn stopped_simulation_gets_max_end_time_and_epochs() {
        let mut sim = Simulation::default();
        let t0 = common::time::parse_message_datetime("2020-06-03T04:01:52Z").unwrap();
        let t1 = common::time::parse_message_datetime("2020-06-03T05:00:00Z").unwrap();
        let epoch = Role::Epoch {
            epoch_number: 4,
            source_process_id: "sm".to_owned(),
        };
        sim.observe(t0, &epoch);
        let stopped = Role::SimState {
            stopped: true,
            source_process_id: "sm".to_owned(),
            name: None,
            description: None,
        };
        sim.observe(t1, &stopped);
        let update = update_document(&sim);
        let max = update.get_document("$max").unwrap();
        assert_eq!(
            max.get_datetime("EndTime").unwrap(),
            &bson::DateTime::from_chrono(t1)
        );
        assert_eq!(max.get_i64("Epochs").unwrap(), 4);
        assert!(!update.get_document("$set").unwrap().contains_key("Name"));
    }

    fn stopped_simulation() -> Simulation {
        let mut sim = Simulation::default();
        let t = common::time::parse_message_datetime("2020-06-03T04:01:52Z").unwrap();
        let stopped = Role::SimState {
            stopped: true,
            source_process_id: "sm".to_owned(),
            name: None,
            description: None,
        };
        sim.observe(t, &stopped);
        sim
    }

    #[test]
    fn the_final_update_lists_processes_with_gaps_sorted() {
        let mut sim = stopped_simulation();
        for (process, id) in [("z", "z-3"), ("a", "a-1"), ("a", "a-5"), ("sm", "sm-1")] {
            sim.numbers.record(process, id);
        }
        let update = final_document(&sim, &sim.numbers.gaps());
        assert_eq!(
            update
                .get_document("$set")
                .unwrap()
                .get_array("MissingMessages")
                .unwrap(),
            &vec![
                Bson::Document(doc! {"ProcessId": "a", "Count": 3_i64}),
                Bson::Document(doc! {"ProcessId": "z", "Count": 2_i64}),
            ]
        );
        assert!(!update.contains_key("$unset"));
    }

    #[test]
    fn without_gaps_the_final_update_removes_an_earlier_report() {
        let mut sim = stopped_simulation();
        sim.numbers.record("sm", "sm-1");
        let update = final_document(&sim, &sim.numbers.gaps());
        assert_eq!(
            update.get_document("$unset").unwrap(),
            &doc! {"MissingMessages": ""}
        );
        assert!(!update
            .get_document("$set")
            .unwrap()
            .contains_key("MissingMessages"));
    }

    #[test]
    fn a_running_simulation_gets_no_report() {
        let mut sim = Simulation::default();
        sim.numbers.record("a", "a-3");
        let update = final_document(&sim, &sim.numbers.gaps());
        assert_eq!(update, update_document(&sim));
    }
}
