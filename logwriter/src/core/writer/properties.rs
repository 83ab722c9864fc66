//! The core under random event sequences, driven by a fake executor that carries out its
//! actions the way the driver does, with random server answers per document (inserted,
//! already stored, transient, refused for good, and so the §7.5 fallbacks): whatever the
//! interleaving of deliveries of several runs, invalid messages, `stopped`, deadlines,
//! window pressure and lost channels (after which tags start again at 1), and whichever
//! way the run ends (its `stopped` or a signal, `core::ending`):
//! * every delivery ends exactly once (stored, duplicate, fallback-stored or lost), in
//!   arrival order within its collection;
//! * an ack names a tag of the current channel, never one acked before, and never passes
//!   a delivery that has not ended;
//! * at the end everything received is written before the final metadata update, and the
//!   last ack covers every delivery of the channel;
//! * a metadata update carries `EndTime` only once the simulation's `stopped` was handled,
//!   and at most one per simulation is in flight (stored at a later tick, or before the
//!   final update);
//! * only the run's own `stopped` stops.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bson::rawdoc;
use common::document::{InvalidReason, Role};
use common::schema::{CollectionNames, UNKNOWN_SIMULATION};
use proptest::prelude::*;

use super::{Action, Class, Writer};
use crate::core::batch::{Batch, Counted, DocumentOutcome, Fallback, Progress};
use crate::core::buffer::{Entry, Kind};
use crate::core::ending::{self, Ending, Step};
use crate::core::metadata::update_document;
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
    ChannelLost,
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        12 => (0..SIMS.len(), 0..4_u8).prop_map(|(sim, role)| Event::Valid { sim, role }),
        4 => Just(Event::Invalid),
        2 => (1..400_u64).prop_map(Event::Tick),
        1 => Just(Event::ChannelLost),
    ]
}

/// A delivery as the model knows it: its channel (counted from 0) and its tag there.
type Delivery = (u64, u64);

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

/// What the fake executor saw, and the server's answers it gives.
#[derive(Debug, Default)]
struct Executed {
    /// The current channel.
    channel: u64,
    /// Deliveries stored (or already stored), per collection, in insert order.
    stored: BTreeMap<String, Vec<Delivery>>,
    /// Deliveries whose document and fallbacks were all refused.
    lost: Vec<Delivery>,
    seeds: BTreeSet<String>,
    upserts_before_seed: usize,
    /// Simulations whose `stopped` was delivered, and metadata updates with `EndTime`
    /// for any other.
    stopped: BTreeSet<String>,
    early_end_times: usize,
    /// Metadata upserts in flight, oldest first, and how often a second one of the same
    /// simulation was sent while one was.
    upserting: Vec<String>,
    doubled_upserts: usize,
    /// The server's answers, one per document sent, used in turn.
    answers: Vec<u8>,
    next_answer: usize,
}

impl Executed {
    /// The server's answer to one document: mostly inserted, sometimes already stored,
    /// failed transiently or refused for good.
    fn answer(&mut self) -> DocumentOutcome {
        let code = self.answers[self.next_answer % self.answers.len()];
        self.next_answer += 1;
        match code {
            0..=11 => DocumentOutcome::Inserted,
            12 => DocumentOutcome::Duplicate,
            13 | 14 => DocumentOutcome::Transient,
            _ => DocumentOutcome::Permanent(121),
        }
    }

    /// Sends documents until each has a final outcome, as `Database::insert_settled` does:
    /// an attempt may fail as a whole (the command never answered: everything is sent
    /// again) or answer per document. A transient failure lasts at most three attempts:
    /// the server comes back.
    fn insert(&mut self, len: usize) -> Vec<DocumentOutcome> {
        let mut progress = Progress::new(len);
        for attempt in 0.. {
            let to_send = progress.to_send();
            if to_send.is_empty() {
                break;
            }
            if attempt < 3 && self.answers[self.next_answer % self.answers.len()] == 14 {
                self.next_answer += 1;
                continue;
            }
            let answers: Vec<DocumentOutcome> = to_send
                .iter()
                .map(|_| match self.answer() {
                    DocumentOutcome::Transient if attempt >= 3 => DocumentOutcome::Inserted,
                    answer => answer,
                })
                .collect();
            progress.record(&to_send, &answers);
        }
        progress.outcomes()
    }

    fn ended(&mut self, collection: &str, tag: u64) {
        let delivery = (self.channel, tag);
        self.stored
            .entry(collection.to_owned())
            .or_default()
            .push(delivery);
    }

    /// Sends the upsert of `sim`'s metadata as the driver does, in the background: it is
    /// stored at a later event ([`Self::upserted`]).
    fn send_upsert(&mut self, core: &Writer, sim: String) {
        let update = update_document(&core.sims[&sim]);
        let end_time = update
            .get_document("$max")
            .is_ok_and(|max| max.contains_key("EndTime"));
        self.early_end_times += usize::from(end_time && !self.stopped.contains(&sim));
        self.doubled_upserts += usize::from(self.upserting.contains(&sim));
        self.upserting.push(sim);
    }

    /// The oldest upsert in flight is stored; its coalesced follow-up, if any, is sent.
    fn upserted(&mut self, core: &mut Writer) {
        if self.upserting.is_empty() {
            return;
        }
        let sim = self.upserting.remove(0);
        if core.upsert_done(&sim) {
            self.send_upsert(core, sim);
        }
    }

    /// Every delivery that ended, sorted.
    fn all_ended(&self) -> Vec<Delivery> {
        let mut ended: Vec<Delivery> = self
            .stored
            .values()
            .flatten()
            .chain(&self.lost)
            .copied()
            .collect();
        ended.sort_unstable();
        ended
    }
}

fn carry_out(core: &mut Writer, actions: Vec<Action>, now: Instant, seen: &mut Executed) {
    let names = CollectionNames::default();
    let mut queue = VecDeque::from(actions);
    while let Some(action) = queue.pop_front() {
        let (sim, entries) = match action {
            Action::ReadSeed(sim) => {
                seen.seeds.insert(sim.clone());
                for next in core.on_seed(&sim, None, now).into_iter().rev() {
                    queue.push_front(next);
                }
                continue;
            }
            Action::UpsertMetadata(sim) => {
                seen.upserts_before_seed += usize::from(!seen.seeds.contains(&sim));
                if core.upsert_wanted(&sim) {
                    seen.send_upsert(core, sim);
                }
                continue;
            }
            Action::Flush(sim) => {
                let entries = core.buffers.take(&sim);
                (sim, entries)
            }
            Action::FlushPendingUnknown => (UNKNOWN_SIMULATION.to_owned(), core.pending.take()),
        };
        let batch = Batch::plan(&sim, entries, Server::MongoDb, &names);
        write(core, &batch, &names, seen);
    }
}

/// Writes a batch as `Driver::write` does: its inserts, then the fallbacks of what was
/// refused, then the settling of its tags.
fn write(core: &mut Writer, batch: &Batch, names: &CollectionNames, seen: &mut Executed) {
    let mut refused = Vec::new();
    for insert in &batch.inserts {
        let outcomes = seen.insert(insert.positions.len());
        for (&position, outcome) in insert.positions.iter().zip(outcomes) {
            let entry = &batch.entries[position];
            match core.count_outcome(&batch.sim_id, entry, outcome) {
                Counted::Refused(why) => refused.push((entry, why)),
                _ => seen.ended(&insert.collection, entry.tag),
            }
        }
    }
    for (entry, why) in refused {
        let run_id = core.run_id.clone();
        let now = chrono::Utc::now();
        let mut chain = Fallback::new(entry, why, &batch.sim_id, run_id.as_deref(), names, now);
        let counted = loop {
            let step = chain.on_outcome(seen.insert(1)[0]);
            if let Some(counted) = core.count_fallback(&chain.target, step) {
                break counted;
            }
        };
        match counted {
            Counted::Refused(_) => seen.lost.push((seen.channel, entry.tag)),
            _ => seen.ended(&chain.collection, entry.tag),
        }
    }
    core.settle(batch);
}

/// Takes the ack the watermark allows, if any, and checks it: a tag of the current
/// channel, past the last one acked, with every delivery up to it ended.
fn acknowledge(
    core: &mut Writer,
    seen: &Executed,
    received: &[Delivery],
    acked: &mut u64,
) -> Result<(), TestCaseError> {
    let Some(ack) = core.watermark.take_ack() else {
        return Ok(());
    };
    let channel = seen.channel;
    prop_assert!(ack > *acked, "tag {} acked again (after {})", ack, acked);
    prop_assert!(
        received.contains(&(channel, ack)),
        "tag {} of this channel",
        ack
    );
    let ended: BTreeSet<Delivery> = seen.all_ended().into_iter().collect();
    let up_to_ack = received.iter().filter(|(c, t)| *c == channel && *t <= ack);
    prop_assert!(up_to_ack.clone().all(|delivery| ended.contains(delivery)));
    *acked = ack;
    Ok(())
}

/// Carries out the steps of `ending` as `finish::end` does, checking that everything received
/// is written before the final metadata and that the last ack covers the whole channel.
fn end(
    core: &mut Writer,
    ending: Ending,
    now: Instant,
    seen: &mut Executed,
    received: &[Delivery],
    acked: &mut u64,
) -> Result<(), TestCaseError> {
    for step in ending::steps(ending) {
        match step {
            Step::WriteEverything => {
                let actions = core.write_everything();
                carry_out(core, actions, now, seen);
            }
            Step::FinalMetadata => {
                // The upserts in flight are stored first; their follow-ups are superseded.
                while !seen.upserting.is_empty() {
                    let sim = seen.upserting.remove(0);
                    core.upsert_done(&sim);
                }
                prop_assert_eq!(
                    &seen.all_ended(),
                    received,
                    "all written before the final metadata"
                );
            }
            Step::Acknowledge => {
                acknowledge(core, seen, received, acked)?;
                prop_assert_eq!(
                    core.watermark.unacknowledged(),
                    0,
                    "the last ack covers all"
                );
            }
            Step::ForgetChannel => {
                core.forget_channel();
                seen.channel += 1;
                *acked = 0;
            }
            _ => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn every_delivery_ends_once_in_order_and_is_acked_only_then(
        events in proptest::collection::vec(event(), 1..120),
        max_documents in 1..6_usize,
        prefetch in 2..40_usize,
        answers in proptest::collection::vec(0..16_u8, 1..64),
    ) {
        let mut core = Writer::new(max_documents, Duration::from_secs(10), prefetch, None);
        let mut now = Instant::now();
        let refusals = answers.iter().any(|a| *a >= 15);
        let mut seen = Executed {
            answers,
            ..Executed::default()
        };
        let mut received: Vec<Delivery> = Vec::new();
        let (mut tag, mut acked) = (0, 0);
        let mut run_stopped = false;
        let mut first_valid: Option<&str> = None;
        for event in &events {
            let actions = match event {
                Event::Tick(seconds) => {
                    now += Duration::from_secs(*seconds);
                    seen.upserted(&mut core);
                    core.due(now)
                }
                Event::ChannelLost => {
                    end(&mut core, Ending::ChannelLost, now, &mut seen, &received, &mut acked)?;
                    tag = 0;
                    continue;
                }
                Event::Valid { sim, role: code } => {
                    tag += 1;
                    received.push((seen.channel, tag));
                    first_valid.get_or_insert(SIMS[*sim]);
                    run_stopped |= *code == 3 && first_valid == Some(SIMS[*sim]);
                    if *code == 3 {
                        seen.stopped.insert(SIMS[*sim].to_owned());
                    }
                    let doc = rawdoc! {"MessageId": format!("p-{tag}"), "SourceProcessId": "p"};
                    let class = Class::Valid {
                        sim_id: SIMS[*sim].to_owned(),
                        timestamp: chrono::Utc::now(),
                        role: role(*code),
                    };
                    core.on_delivery(Entry::for_test(tag, Kind::Valid, doc), class, now)
                }
                Event::Invalid => {
                    tag += 1;
                    received.push((seen.channel, tag));
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
            acknowledge(&mut core, &seen, &received, &mut acked)?;
        }
        // The run ends by its own stopped, or else by a signal.
        let ending = if core.stop_requested {
            Ending::Stopped { delete_queue: true }
        } else {
            Ending::Signal
        };
        end(&mut core, ending, now, &mut seen, &received, &mut acked)?;

        prop_assert_eq!(&seen.all_ended(), &received, "each delivery ends exactly once");
        for (collection, deliveries) in &seen.stored {
            // Fallbacks land in the run's invalid collection after the batch's own inserts.
            if !refusals || !collection.starts_with("invalid") {
                let ordered = deliveries.windows(2).all(|w| w[0] < w[1]);
                prop_assert!(ordered, "arrival order in {}: {:?}", collection, deliveries);
            }
        }
        prop_assert_eq!(seen.upserts_before_seed, 0);
        prop_assert_eq!(seen.early_end_times, 0, "EndTime before the stopped");
        prop_assert_eq!(seen.doubled_upserts, 0, "one upsert in flight per simulation");
        prop_assert_eq!(core.stop_requested, run_stopped);
        prop_assert_eq!(core.watermark.unsettled(), 0);
        let totals = &core.totals;
        let counted = totals.valid_stored
            + totals.invalid_stored.values().sum::<u64>()
            + totals.duplicates
            + totals.lost;
        prop_assert_eq!(counted, received.len() as u64, "stored, invalid, duplicate or lost");
        prop_assert_eq!(totals.lost, seen.lost.len() as u64);
    }
}
