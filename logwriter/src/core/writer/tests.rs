//! The writer's decisions without a database: counting, the WARN limit, a lost channel,
//! settling and the stop. (The retry schedule's are in `core::retry`.)

use std::time::{Duration, Instant};

use common::document::InvalidReason;

use super::*;
use crate::core::batch::{Batch, Counted, DocumentOutcome, FallbackStep};
use crate::core::buffer::{Entry, Kind};
use crate::core::refusal::{Refusal, Server};
use crate::core::state::WARN_LIMIT;

fn writer() -> Writer {
    Writer::new(20, Duration::from_secs(10), 40, None)
}

fn entry(tag: u64) -> Entry {
    Entry::for_test(tag, Kind::Valid, bson::RawDocumentBuf::new())
}

#[test]
fn a_duplicate_is_counted_as_a_duplicate_not_as_stored() {
    let mut core = writer();
    core.sim("s");
    core.count_valid("s", "a.b");
    core.count_duplicate();
    core.count_duplicate();
    assert_eq!(core.totals.valid_stored, 1);
    assert_eq!(core.totals.duplicates, 2);
    let sim = &core.sims["s"];
    assert_eq!(sim.messages, 1);
    assert_eq!(sim.topics.get("a.b"), Some(&1));
}

#[test]
fn invalid_documents_are_counted_per_reason_and_simulation() {
    let mut core = writer();
    core.sim("s");
    core.count_invalid("s", InvalidReason::NotJson);
    core.count_invalid("s", InvalidReason::NotJson);
    core.count_invalid("unknown", InvalidReason::NotUtf8);
    assert_eq!(core.totals.invalid_stored[InvalidReason::NotJson.code()], 2);
    assert_eq!(core.totals.invalid_stored[InvalidReason::NotUtf8.code()], 1);
    assert_eq!(core.sims["s"].invalid_messages, 2);
    assert!(
        !core.sims.contains_key("unknown"),
        "counting creates no simulation"
    );
}

#[test]
fn the_warn_limit_holds_per_simulation_and_reason() {
    let mut core = writer();
    core.sim("a");
    core.sim("b");
    let loud: Vec<bool> = (0..WARN_LIMIT + 2)
        .map(|_| core.count_invalid("a", InvalidReason::NotJson))
        .collect();
    assert!(loud[..WARN_LIMIT as usize].iter().all(|l| *l));
    assert!(!loud[WARN_LIMIT as usize] && !loud[WARN_LIMIT as usize + 1]);
    assert!(
        core.count_invalid("b", InvalidReason::NotJson),
        "another simulation"
    );
    assert!(
        core.count_invalid("a", InvalidReason::NotUtf8),
        "another reason"
    );
    assert!(
        core.count_invalid("gone", InvalidReason::NotJson),
        "no state: always WARN"
    );
}

#[test]
fn a_lost_channel_resets_the_watermark_and_forgets_what_was_buffered() {
    let mut core = writer();
    let now = Instant::now();
    for tag in 1..=3 {
        core.watermark.receive(tag);
        core.buffers.push("s", entry(tag), false, now);
    }
    core.watermark.receive(4);
    core.pending.push(entry(4), 40, now);
    core.watermark.settle(1);
    assert_eq!(core.watermark.unacknowledged(), 4);
    core.forget_channel();
    assert_eq!(core.watermark.unacknowledged(), 0);
    assert_eq!(core.watermark.take_ack(), None);
    assert!(core.buffers.is_empty() && core.pending.is_empty());
    assert_eq!(core.next_deadline(), None);
    core.watermark.receive(1);
    core.watermark.settle(1);
    assert_eq!(
        core.watermark.take_ack(),
        Some(1),
        "tags start again on the new channel"
    );
}

#[test]
fn the_next_deadline_is_the_earlier_of_buffers_and_pending() {
    let mut core = writer();
    let now = Instant::now();
    core.pending.push(entry(1), 40, now);
    let pending = core.next_deadline().expect("the pending list has one");
    core.buffers.push("s", entry(2), false, now);
    let both = core.next_deadline().expect("a deadline");
    assert!(both <= pending);
    assert_eq!(both, now + Duration::from_secs(10));
}

#[test]
fn only_the_runs_own_stopped_ends_the_run() {
    let mut core = Writer::new(20, Duration::from_secs(10), 40, Some("run".to_owned()));
    assert!(!core.note_stopped("other"));
    assert!(!core.stop_requested);
    assert!(core.note_stopped("run"));
    assert!(core.stop_requested);
    let mut unknown = writer();
    assert!(!unknown.note_stopped("run"), "no run id: no stop");
}

fn batch_of(kinds: &[Kind]) -> Batch {
    let entries = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| Entry {
            kind: *kind,
            ..entry(i as u64 + 1)
        })
        .collect();
    let names = common::schema::CollectionNames::default();
    Batch::plan("s", entries, Server::MongoDb, &names)
}

#[test]
fn a_batchs_outcomes_are_counted_document_by_document() {
    use DocumentOutcome::*;
    let invalid = Kind::Invalid(InvalidReason::NotJson);
    let batch = batch_of(&[Kind::Valid, Kind::Valid, invalid, Kind::Valid]);
    let mut core = writer();
    core.sim("s");
    let outcomes = [Inserted, Duplicate, Inserted, Permanent(121)];
    let counted: Vec<Counted> = batch
        .entries
        .iter()
        .zip(outcomes)
        .map(|(entry, outcome)| core.count_outcome("s", entry, outcome))
        .collect();
    let reason = InvalidReason::NotJson;
    assert_eq!(
        counted,
        [
            Counted::Valid,
            Counted::Duplicate,
            Counted::Invalid { reason, loud: true },
            Counted::Refused(Refusal::Code(121)),
        ]
    );
    assert_eq!(
        core.totals.valid_stored, 1,
        "the duplicate and the refused one are not"
    );
    assert_eq!(core.totals.duplicates, 1);
    assert_eq!(core.sims["s"].messages, 1);
    assert_eq!(core.sims["s"].invalid_messages, 1);
}

#[test]
fn a_fallback_chain_ends_counted_once() {
    let mut core = writer();
    core.sim("run");
    assert_eq!(core.count_fallback("run", FallbackStep::Next), None);
    let stored = core.count_fallback("run", FallbackStep::Stored);
    let reason = InvalidReason::ServerRejected;
    assert_eq!(stored, Some(Counted::Invalid { reason, loud: true }));
    assert_eq!(core.sims["run"].invalid_messages, 1);
    let duplicate = core.count_fallback("run", FallbackStep::Duplicate);
    assert_eq!(duplicate, Some(Counted::Duplicate));
    assert_eq!(core.totals.duplicates, 1);
    let lost = core.count_fallback("run", FallbackStep::Lost(Refusal::Code(17419)));
    assert_eq!(lost, Some(Counted::Refused(Refusal::Code(17419))));
    assert_eq!(core.totals.lost, 1);
}

#[test]
fn a_written_batch_settles_every_delivery_in_it() {
    let mut core = writer();
    let batch = batch_of(&[Kind::Valid, Kind::Valid, Kind::Valid]);
    for tag in 1..=4 {
        core.watermark.receive(tag);
    }
    core.settle(&batch);
    assert_eq!(
        core.watermark.take_ack(),
        Some(3),
        "tag 4 is not in the batch"
    );
    assert_eq!(core.watermark.unsettled(), 1);
}

#[test]
fn an_inserted_invalid_entry_is_counted_by_its_reason() {
    let mut core = writer();
    core.sim("s");
    let reason = InvalidReason::NotJson;
    let invalid = Entry::for_test(1, Kind::Invalid(reason), bson::RawDocumentBuf::new());
    let counted = core.count_outcome("s", &invalid, DocumentOutcome::Inserted);
    assert_eq!(counted, Counted::Invalid { reason, loud: true });
    assert_eq!(core.totals.valid_stored, 0);
    assert_eq!(core.sims["s"].invalid_messages, 1);
    assert_eq!(core.sims["s"].messages, 0);
}

#[test]
fn a_refused_document_is_counted_only_where_its_fallback_ends() {
    let mut core = writer();
    core.sim("s");
    let counted = core.count_outcome("s", &entry(1), DocumentOutcome::Permanent(2));
    assert_eq!(counted, Counted::Refused(Refusal::Code(2)));
    assert_eq!(core.totals.valid_stored, 0);
    assert_eq!(core.totals.lost, 0);
    assert_eq!(core.totals.duplicates, 0);
    assert_eq!(core.sims["s"].messages, 0);
    assert_eq!(core.sims["s"].invalid_messages, 0);
}

#[test]
fn a_lost_delivery_is_settled_so_it_never_holds_the_window() {
    let mut core = writer();
    core.sim("s");
    let batch = batch_of(&[Kind::Valid, Kind::Valid]);
    core.watermark.receive(1);
    core.watermark.receive(2);
    let lost = core.count_fallback("s", FallbackStep::Lost(Refusal::Code(2)));
    assert_eq!(lost, Some(Counted::Refused(Refusal::Code(2))));
    core.settle(&batch);
    assert_eq!(
        core.watermark.take_ack(),
        Some(2),
        "acknowledged, and logged as lost"
    );
    assert_eq!(core.totals.lost, 1);
}

#[test]
fn a_configured_run_is_ended_only_by_its_own_stopped() {
    let mut core = Writer::new(20, Duration::from_secs(10), 40, Some("run".to_owned()));
    assert!(!core.note_stopped("other"));
    assert!(!core.stop_requested);
    assert!(core.note_stopped("run"));
    assert!(core.stop_requested);
    assert!(core.note_stopped("run"), "a second stopped of the run");
    let mut unnamed = writer();
    assert!(!unnamed.note_stopped("run"), "no run id yet: nothing ends");
    assert!(!unnamed.stop_requested);
}

#[test]
fn an_invalid_message_stored_before_is_a_duplicate_not_another_invalid() {
    let mut core = writer();
    core.sim("s");
    let reason = InvalidReason::NotUtf8;
    let again = Entry::for_test(1, Kind::Invalid(reason), bson::RawDocumentBuf::new());
    for _ in 0..WARN_LIMIT + 1 {
        let counted = core.count_outcome("s", &again, DocumentOutcome::Duplicate);
        assert_eq!(counted, Counted::Duplicate);
    }
    assert_eq!(core.sims["s"].invalid_messages, 0);
    assert!(core.totals.invalid_stored.is_empty());
    assert!(
        core.count_invalid("s", reason),
        "duplicates use up none of the WARN lines"
    );
}

#[test]
fn metadata_upserts_of_a_simulation_are_coalesced_while_one_is_in_flight() {
    let mut core = writer();
    assert!(core.upsert_wanted("s"), "none in flight: send");
    assert!(core.upsert_wanted("t"), "another simulation: its own");
    assert!(!core.upsert_wanted("s"), "one in flight: wait");
    assert!(!core.upsert_wanted("s"), "and coalesce");
    assert!(core.upsert_done("s"), "one follow-up for both requests");
    assert!(core.sims["s"].metadata_exists);
    assert!(!core.upsert_done("s"), "nothing asked for meanwhile");
    assert!(!core.upsert_done("t"));
    assert!(core.upsert_wanted("s"), "free again");
}
