//! The metadata update documents (docs/spec/logwriter.md §8.3, §8.5): one atomic upsert with
//! `$min`/`$max`/`$set` built from a simulation's state, never a read-modify-write.

use bson::{doc, Bson, Document};
use common::schema::metadata as meta;

use crate::core::gaps::Gap;
use crate::core::state::Simulation;

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
