//! The delivery path, table by table: each event and the actions it calls for.

use std::time::{Duration, Instant};

use bson::{doc, rawdoc};
use common::document::{InvalidReason, Malformed, Role};

use super::*;
use crate::core::buffer::{Kind, MAX_BUFFER_BYTES};
use crate::core::state::WARN_LIMIT;

const SIM: &str = "2020-06-03T04:01:52.345Z";

fn core(max_documents: usize, interval: Duration, prefetch: usize) -> Writer {
    Writer::new(max_documents, interval, prefetch, None)
}

fn entry(tag: u64, kind: Kind) -> Entry {
    let doc = rawdoc! {"MessageId": format!("p-{tag}"), "SourceProcessId": "p"};
    Entry::for_test(tag, kind, doc)
}

fn valid(sim: &str, role: Role) -> Class {
    Class::Valid {
        sim_id: sim.to_owned(),
        timestamp: chrono::Utc::now(),
        role,
    }
}

fn status() -> Role {
    Role::StatusOrResult {
        epoch_number: 1,
        source_process_id: "p".to_owned(),
    }
}

fn sim_state(stopped: bool) -> Role {
    Role::SimState {
        stopped,
        source_process_id: "manager".to_owned(),
        name: None,
        description: None,
    }
}

/// A core that knows `SIM` already (its seed was read).
fn seeded(max_documents: usize, interval: Duration, prefetch: usize) -> Writer {
    let mut core = core(max_documents, interval, prefetch);
    let now = Instant::now();
    assert_eq!(
        core.on_delivery(entry(1, Kind::Valid), valid(SIM, status()), now),
        [Action::ReadSeed(SIM.to_owned())]
    );
    core.on_seed(SIM, None, now);
    core
}

fn flush() -> Action {
    Action::Flush(SIM.to_owned())
}

#[test]
fn the_first_delivery_of_a_simulation_waits_for_its_seed() {
    let mut core = core(20, Duration::from_secs(10), 40);
    let now = Instant::now();
    let actions = core.on_delivery(entry(1, Kind::Valid), valid(SIM, status()), now);
    assert_eq!(actions, [Action::ReadSeed(SIM.to_owned())]);
    assert!(
        core.buffers.is_empty(),
        "nothing is buffered before the seed"
    );
    assert_eq!(
        core.watermark.unacknowledged(),
        1,
        "but the tag is received"
    );
    let stored = doc! {"Processes": ["earlier"]};
    assert_eq!(core.on_seed(SIM, Some(&stored), now), []);
    let sim = &core.sims[SIM];
    assert!(sim.seeded);
    assert!(sim.processes.contains("earlier") && sim.processes.contains("p"));
    assert_eq!(core.buffers.len(), 1);
    let second = core.on_delivery(entry(2, Kind::Valid), valid(SIM, status()), now);
    assert_eq!(second, [], "the seed is read once");
    assert_eq!(core.totals.deliveries, 2);
}

#[test]
fn each_trigger_flushes_and_roles_update_the_metadata() {
    let upsert = || Action::UpsertMetadata(SIM.to_owned());
    let ten = Duration::from_secs(10);
    let big = |tag| {
        let mut entry = entry(tag, Kind::Valid);
        entry.size = MAX_BUFFER_BYTES;
        entry
    };
    // (documents, interval, the second delivery, its role, expected actions)
    let table: Vec<(usize, Duration, Entry, Role, Vec<Action>)> = vec![
        (20, ten, entry(2, Kind::Valid), status(), vec![]),
        (2, ten, entry(2, Kind::Valid), status(), vec![flush()]),
        (
            20,
            ten,
            entry(2, Kind::Valid),
            sim_state(false),
            vec![flush(), upsert()],
        ),
        (
            20,
            ten,
            entry(2, Kind::Valid),
            Role::Epoch {
                epoch_number: 1,
                source_process_id: "manager".to_owned(),
            },
            vec![flush(), upsert()],
        ),
        (20, ten, big(2), status(), vec![flush()]),
        (
            20,
            Duration::ZERO,
            entry(2, Kind::Valid),
            status(),
            vec![flush()],
        ),
    ];
    for (documents, interval, second, role, expected) in table {
        let mut core = seeded(documents, interval, 40);
        let actions = core.on_delivery(second, valid(SIM, role.clone()), Instant::now());
        assert_eq!(
            actions, expected,
            "{documents} documents, {interval:?}, {role:?}"
        );
    }
}

#[test]
fn a_buffer_is_due_at_its_deadline() {
    let mut core = seeded(20, Duration::from_secs(10), 40);
    let pushed = Instant::now();
    core.on_delivery(entry(2, Kind::Valid), valid(SIM, status()), pushed);
    let deadline = core.next_deadline().expect("armed");
    assert_eq!(core.due(deadline - Duration::from_millis(1)), []);
    assert_eq!(core.due(deadline), [flush()]);
}

#[test]
fn invalid_messages_wait_for_the_run_id_and_go_first_into_its_buffer() {
    let mut core = core(20, Duration::from_secs(10), 40);
    let now = Instant::now();
    let invalid = Kind::Invalid(InvalidReason::NotJson);
    assert_eq!(core.on_delivery(entry(1, invalid), Class::Invalid, now), []);
    assert_eq!(core.pending.len(), 1);
    core.on_delivery(entry(2, Kind::Valid), valid(SIM, status()), now);
    core.on_seed(SIM, None, now);
    assert_eq!(core.run_id.as_deref(), Some(SIM));
    assert!(core.pending.is_empty());
    let tags: Vec<u64> = core.buffers.take(SIM).iter().map(|e| e.tag).collect();
    assert_eq!(tags, [1, 2], "the waiting invalid message first");
    assert_eq!(core.on_delivery(entry(3, invalid), Class::Invalid, now), []);
    assert_eq!(
        core.buffers.len(),
        1,
        "with a run id: into the run's buffer"
    );
}

#[test]
fn the_unknown_id_list_is_written_when_full_or_too_old() {
    let mut core = core(20, Duration::from_secs(10), 2);
    let now = Instant::now();
    let invalid = Kind::Invalid(InvalidReason::NotJson);
    assert_eq!(core.on_delivery(entry(1, invalid), Class::Invalid, now), []);
    assert_eq!(core.due(now + Duration::from_secs(299)), []);
    assert_eq!(
        core.due(now + Duration::from_secs(300)),
        [Action::FlushPendingUnknown]
    );
    let second = core.on_delivery(entry(2, invalid), Class::Invalid, now);
    assert_eq!(second, [Action::FlushPendingUnknown], "the prefetch limit");
}

#[test]
fn an_invalid_message_of_a_configured_run_waits_for_the_runs_seed() {
    let mut core = Writer::new(20, Duration::from_secs(10), 40, Some(SIM.to_owned()));
    let now = Instant::now();
    let invalid = Kind::Invalid(InvalidReason::NotUtf8);
    let actions = core.on_delivery(entry(1, invalid), Class::Invalid, now);
    assert_eq!(actions, [Action::ReadSeed(SIM.to_owned())]);
    assert_eq!(core.on_seed(SIM, None, now), []);
    assert_eq!(core.buffers.holding(1).as_deref(), Some(SIM));
}

#[test]
fn only_the_runs_own_stopped_requests_the_stop() {
    let mut core = seeded(20, Duration::from_secs(10), 40);
    let now = Instant::now();
    let other = "2021-01-01T00:00:00Z";
    assert_eq!(
        core.on_delivery(entry(2, Kind::Valid), valid(other, sim_state(true)), now),
        [Action::ReadSeed(other.to_owned())]
    );
    core.on_seed(other, None, now);
    assert!(!core.stop_requested, "another simulation's stopped");
    let actions = core.on_delivery(entry(3, Kind::Valid), valid(SIM, sim_state(true)), now);
    assert_eq!(actions, [flush(), Action::UpsertMetadata(SIM.to_owned())]);
    assert!(core.stop_requested);
    assert!(core.sims[SIM].stopped);
}

#[test]
fn malformed_messages_are_counted_and_warned_about_up_to_the_limit() {
    let mut core = seeded(100_000, Duration::from_secs(10), 100_000);
    let malformed = Role::Generic {
        malformed: Some(Malformed {
            type_name: "Epoch".to_owned(),
            check: "Epoch.EpochNumber",
            detail: "negative".to_owned(),
            message_id: None,
        }),
    };
    let now = Instant::now();
    for tag in 2..(2 + u64::from(WARN_LIMIT)) {
        core.on_delivery(entry(tag, Kind::Valid), valid(SIM, malformed.clone()), now);
    }
    assert_eq!(
        core.totals.malformed["Epoch.EpochNumber"],
        u64::from(WARN_LIMIT)
    );
    let sim = core.sim(SIM);
    assert!(
        !sim.warn_allowed("Epoch.EpochNumber"),
        "past the limit: DEBUG"
    );
    assert!(
        sim.warn_allowed("Status.Value"),
        "another check still warns"
    );
}

#[test]
fn window_pressure_writes_the_buffer_holding_the_lowest_unsettled_tag() {
    let mut core = seeded(20, Duration::from_secs(10), 4);
    let now = Instant::now();
    let other = "2021-01-01T00:00:00Z";
    core.on_delivery(entry(2, Kind::Valid), valid(other, status()), now);
    core.on_seed(other, None, now);
    core.on_delivery(entry(3, Kind::Valid), valid(SIM, status()), now);
    assert_eq!(core.pressure(false), None, "three of four: no pressure yet");
    core.on_delivery(entry(4, Kind::Valid), valid(other, status()), now);
    assert_eq!(
        core.pressure(false).as_deref(),
        Some(SIM),
        "tag 1 holds the watermark"
    );
    for entry in core.buffers.take(SIM) {
        core.watermark.settle(entry.tag);
    }
    assert_eq!(core.pressure(true).as_deref(), Some(other), "then tag 2");
    for entry in core.buffers.take(other) {
        core.watermark.settle(entry.tag);
    }
    assert_eq!(
        core.pressure(true),
        None,
        "nothing left beyond the watermark"
    );
}

#[test]
fn a_simstate_names_the_run_and_an_epoch_counts_in_its_next_metadata_update() {
    let mut core = seeded(20, Duration::from_secs(10), 40);
    let now = Instant::now();
    let named = Role::SimState {
        stopped: false,
        source_process_id: "manager".to_owned(),
        name: Some("Grid".to_owned()),
        description: Some("A test run".to_owned()),
    };
    core.on_delivery(entry(2, Kind::Valid), valid(SIM, named), now);
    let epoch = Role::Epoch {
        epoch_number: 7,
        source_process_id: "manager".to_owned(),
    };
    let actions = core.on_delivery(entry(3, Kind::Valid), valid(SIM, epoch), now);
    assert_eq!(actions, [flush(), Action::UpsertMetadata(SIM.to_owned())]);
    let update = crate::core::metadata::update_document(&core.sims[SIM]);
    let set = update.get_document("$set").unwrap();
    assert_eq!(set.get_str("Name").unwrap(), "Grid");
    assert_eq!(set.get_str("Description").unwrap(), "A test run");
    assert_eq!(
        update
            .get_document("$max")
            .unwrap()
            .get_i64("Epochs")
            .unwrap(),
        7
    );
}

#[test]
fn the_counts_go_on_from_the_seed_of_an_earlier_writer() {
    let mut core = core(20, Duration::from_secs(10), 40);
    let now = Instant::now();
    core.on_delivery(entry(1, Kind::Valid), valid(SIM, status()), now);
    let stored = doc! {
        "Processes": ["earlier"], "Messages": 5_i64, "InvalidMessages": 2_i64,
        "Topics": [{"Topic": "t", "Messages": 5_i64}],
    };
    core.on_seed(SIM, Some(&stored), now);
    core.count_valid(SIM, "t");
    let update = crate::core::metadata::update_document(&core.sims[SIM]);
    let set = update.get_document("$set").unwrap();
    assert_eq!(set.get_i64("Messages").unwrap(), 6);
    assert_eq!(set.get_i64("InvalidMessages").unwrap(), 2);
    assert_eq!(
        set.get_array("Processes").unwrap().len(),
        2,
        "earlier and p"
    );
    let topics = set.get_array("Topics").unwrap();
    assert_eq!(
        topics[0]
            .as_document()
            .unwrap()
            .get_i64("Messages")
            .unwrap(),
        6
    );
}

#[test]
fn due_buffers_are_written_in_deadline_order() {
    let mut core = seeded(20, Duration::from_secs(10), 40);
    let start = Instant::now();
    let other = "2021-01-01T00:00:00Z";
    let later = start + Duration::from_secs(3);
    core.on_delivery(entry(2, Kind::Valid), valid(other, status()), later);
    core.on_seed(other, None, later);
    let all = core.due(later + Duration::from_secs(10));
    assert_eq!(all, [flush(), Action::Flush(other.to_owned())]);
}

#[test]
fn deliveries_after_the_runs_stopped_are_still_buffered_and_written() {
    let mut core = seeded(2, Duration::from_secs(10), 40);
    let now = Instant::now();
    let stopped = core.on_delivery(entry(2, Kind::Valid), valid(SIM, sim_state(true)), now);
    assert_eq!(stopped, [flush(), Action::UpsertMetadata(SIM.to_owned())]);
    assert_eq!(core.buffers.take(SIM).len(), 2, "the driver writes it");
    // Published before the stop, delivered after it while the queue drains (§10.1).
    let later = core.on_delivery(entry(3, Kind::Valid), valid(SIM, status()), now);
    assert_eq!(later, []);
    let count = core.on_delivery(entry(4, Kind::Valid), valid(SIM, status()), now);
    assert_eq!(count, [flush()], "the count trigger as before");
    assert!(core.stop_requested);
    assert_eq!(core.watermark.unacknowledged(), 4);
}

#[test]
fn another_simulation_is_recorded_apart_and_does_not_become_the_run() {
    let mut core = seeded(20, Duration::from_secs(10), 40);
    let now = Instant::now();
    let other = "2021-01-01T00:00:00.000Z";
    let first = core.on_delivery(entry(2, Kind::Valid), valid(other, status()), now);
    assert_eq!(first, [Action::ReadSeed(other.to_owned())]);
    assert_eq!(core.on_seed(other, None, now), []);
    assert_eq!(core.buffers.holding(2).as_deref(), Some(other));
    assert_eq!(core.buffers.holding(1).as_deref(), Some(SIM));
    assert_eq!(
        core.run_id.as_deref(),
        Some(SIM),
        "the first valid message's run"
    );
    let stopped = core.on_delivery(entry(3, Kind::Valid), valid(other, sim_state(true)), now);
    assert_eq!(
        stopped,
        [
            Action::Flush(other.to_owned()),
            Action::UpsertMetadata(other.to_owned())
        ]
    );
    assert!(!core.stop_requested, "its stopped does not end this run");
}

#[test]
fn a_seed_read_with_no_delivery_waiting_only_records_the_simulation() {
    let mut core = core(20, Duration::from_secs(10), 40);
    let stored = doc! {"Messages": 7_i64, "InvalidMessages": 1_i64};
    assert_eq!(core.on_seed(SIM, Some(&stored), Instant::now()), []);
    assert!(core.buffers.is_empty());
    assert_eq!(core.totals.deliveries, 0);
    assert!(core.sims[SIM].seeded);
}
