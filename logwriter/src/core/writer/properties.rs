//! The core under random event sequences, driven by a fake executor that carries out its
//! actions the way the driver does (every insert succeeds): whatever the interleaving of
//! deliveries of several runs, invalid messages, `stopped`, deadlines and window pressure,
//! every delivery is stored exactly once, in arrival order within its collection, the ack
//! watermark never passes an unstored delivery, and only the run's own `stopped` stops.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bson::rawdoc;
use common::document::{InvalidReason, Role};
use common::schema::{CollectionNames, UNKNOWN_SIMULATION};
use proptest::prelude::*;

use super::{Action, Class, Writer};
use crate::core::batch::{Batch, DocumentOutcome};
use crate::core::buffer::{Entry, Kind};
use crate::core::refusal::Server;

const SIMS: [&str; 3] = [
    "2020-01-01T00:00:00Z",
    "2020-01-02T00:00:00Z",
    "2020-01-03T00:00:00Z",
];

#[derive(Debug, Clone)]
enum Event {
    Valid { sim: usize, role: u8 },
    Invalid,
    Tick(u64),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        6 => (0..SIMS.len(), 0..4_u8).prop_map(|(sim, role)| Event::Valid { sim, role }),
        2 => Just(Event::Invalid),
        1 => (1..400_u64).prop_map(Event::Tick),
    ]
}

fn role(code: u8) -> Role {
    match code {
        0 | 1 => Role::StatusOrResult {
            epoch_number: 1,
            source_process_id: "p".to_owned(),
        },
        2 => Role::Epoch {
            epoch_number: 1,
            source_process_id: "m".to_owned(),
        },
        _ => Role::SimState {
            stopped: true,
            source_process_id: "m".to_owned(),
            name: None,
            description: None,
        },
    }
}

/// What the fake executor saw.
#[derive(Debug, Default)]
struct Executed {
    /// Tags stored, per collection, in insert order.
    stored: BTreeMap<String, Vec<u64>>,
    seeds: BTreeSet<String>,
    upserts_before_seed: usize,
}

fn carry_out(core: &mut Writer, actions: Vec<Action>, now: Instant, seen: &mut Executed) {
    let names = CollectionNames::default();
    let mut queue = VecDeque::from(actions);
    while let Some(action) = queue.pop_front() {
        let entries = match action {
            Action::ReadSeed(sim) => {
                seen.seeds.insert(sim.clone());
                for next in core.on_seed(&sim, None, now).into_iter().rev() {
                    queue.push_front(next);
                }
                continue;
            }
            Action::UpsertMetadata(sim) => {
                seen.upserts_before_seed += usize::from(!seen.seeds.contains(&sim));
                continue;
            }
            Action::Flush(sim) => (sim.clone(), core.buffers.take(&sim)),
            Action::FlushPendingUnknown => (UNKNOWN_SIMULATION.to_owned(), core.pending.take()),
        };
        write(core, entries, &names, seen);
    }
}

fn write(
    core: &mut Writer,
    (sim, entries): (String, Vec<Entry>),
    names: &CollectionNames,
    seen: &mut Executed,
) {
    let batch = Batch::plan(&sim, entries, Server::MongoDb, names);
    for insert in &batch.inserts {
        for &position in &insert.positions {
            let entry = &batch.entries[position];
            core.count_outcome(&sim, entry, DocumentOutcome::Inserted);
            seen.stored
                .entry(insert.collection.clone())
                .or_default()
                .push(entry.tag);
        }
    }
    core.settle(&batch);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_delivery_is_stored_once_in_order_and_acked_only_when_stored(
        events in proptest::collection::vec(event(), 1..120),
        max_documents in 1..6_usize,
        prefetch in 2..40_usize,
    ) {
        let mut core = Writer::new(max_documents, Duration::from_secs(10), prefetch, None);
        let start = Instant::now();
        let mut now = start;
        let mut seen = Executed::default();
        let mut received = Vec::new();
        let mut acked = 0;
        let mut run_stopped = false;
        let mut first_valid: Option<&str> = None;
        for (n, event) in events.iter().enumerate() {
            let tag = n as u64 + 1;
            let actions = match event {
                Event::Tick(seconds) => {
                    now += Duration::from_secs(*seconds);
                    core.due(now)
                }
                Event::Valid { sim, role: code } => {
                    received.push(tag);
                    first_valid.get_or_insert(SIMS[*sim]);
                    run_stopped |= *code == 3 && first_valid == Some(SIMS[*sim]);
                    let doc = rawdoc! {"MessageId": format!("p-{tag}"), "SourceProcessId": "p"};
                    let class = Class::Valid {
                        sim_id: SIMS[*sim].to_owned(),
                        timestamp: chrono::Utc::now(),
                        role: role(*code),
                    };
                    core.on_delivery(Entry::for_test(tag, Kind::Valid, doc), class, now)
                }
                Event::Invalid => {
                    received.push(tag);
                    let kind = Kind::Invalid(InvalidReason::NotJson);
                    core.on_delivery(Entry::for_test(tag, kind, rawdoc! {}), Class::Invalid, now)
                }
            };
            carry_out(&mut core, actions, now, &mut seen);
            let mut started = false;
            while let Some(sim) = core.pressure(started) {
                started = true;
                carry_out(&mut core, vec![Action::Flush(sim)], now, &mut seen);
            }
            // The ack watermark never passes a delivery that is not stored yet.
            if let Some(ack) = core.watermark.take_ack() {
                prop_assert!(ack > acked);
                let stored: BTreeSet<u64> = seen.stored.values().flatten().copied().collect();
                prop_assert!((1..=ack).filter(|t| received.contains(t)).all(|t| stored.contains(&t)));
                acked = ack;
            }
        }
        // The stop sequence writes everything left.
        let mut rest = vec![Action::FlushPendingUnknown];
        rest.extend(core.buffers.non_empty().into_iter().map(Action::Flush));
        carry_out(&mut core, rest, now, &mut seen);

        let mut stored: Vec<u64> = seen.stored.values().flatten().copied().collect();
        stored.sort_unstable();
        prop_assert_eq!(&stored, &received, "each delivery stored exactly once");
        for tags in seen.stored.values() {
            prop_assert!(tags.windows(2).all(|w| w[0] < w[1]), "arrival order: {:?}", tags);
        }
        prop_assert_eq!(seen.upserts_before_seed, 0);
        prop_assert_eq!(core.stop_requested, run_stopped);
        prop_assert_eq!(core.watermark.unsettled(), 0);
        let counted = core.totals.valid_stored
            + core.totals.invalid_stored.values().sum::<u64>();
        prop_assert_eq!(counted, received.len() as u64);
    }
}
