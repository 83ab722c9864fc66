//! Planning a batch, following an insert's retries and a refused document's fallbacks.

use bson::{rawdoc, RawDocumentBuf};
use common::document::InvalidReason;
use common::schema::CollectionNames;

use super::*;

fn names() -> CollectionNames {
    CollectionNames::default()
}

fn entry(tag: u64, kind: Kind, doc: RawDocumentBuf) -> Entry {
    Entry::for_test(tag, kind, doc)
}

fn mixed() -> Vec<Entry> {
    let invalid = Kind::Invalid(InvalidReason::NotJson);
    vec![
        entry(1, Kind::Valid, rawdoc! {"v": 1.0}),
        entry(2, invalid, rawdoc! {"i": 1}),
        entry(3, Kind::Valid, rawdoc! {"v": f64::NAN}),
        entry(4, Kind::Valid, rawdoc! {"v": [f64::INFINITY]}),
        entry(5, Kind::Valid, rawdoc! {"v": 2}),
    ]
}

#[test]
fn valid_and_invalid_documents_go_to_their_collections_in_arrival_order() {
    let batch = Batch::plan("s", mixed(), Server::MongoDb, &names());
    let planned: Vec<(&str, &[usize])> = batch
        .inserts
        .iter()
        .map(|i| (i.collection.as_str(), i.positions.as_slice()))
        .collect();
    assert_eq!(
        planned,
        [
            ("simulation_s", &[0, 2, 3, 4][..]),
            ("invalid_simulation_s", &[1][..])
        ]
    );
    assert!(
        batch.refused.is_empty(),
        "MongoDB stores non-finite doubles"
    );
    assert_eq!(batch.documents(&batch.inserts[1]), [&batch.entries[1].doc]);
}

#[test]
fn on_ferretdb_what_would_fail_the_command_is_never_sent() {
    let batch = Batch::plan("s", mixed(), Server::FerretDb, &names());
    assert_eq!(batch.inserts[0].positions, [0, 4]);
    assert_eq!(
        batch.refused,
        [(2, Refusal::NonFinite), (3, Refusal::NonFinite)]
    );
}

#[test]
fn an_insert_without_documents_is_left_out_but_the_invalid_collection_is_indexed() {
    let only_valid = vec![entry(1, Kind::Valid, rawdoc! {"v": 1})];
    let batch = Batch::plan("s", only_valid, Server::MongoDb, &names());
    assert_eq!(batch.inserts.len(), 1);
    let invalid = vec![entry(1, Kind::Invalid(InvalidReason::NotUtf8), rawdoc! {})];
    assert_eq!(
        collections("s", &invalid, &names()),
        [("invalid_simulation_s".to_owned(), true)]
    );
    let both = collections("s", &mixed(), &names());
    assert_eq!(both[0], ("simulation_s".to_owned(), false));
    assert_eq!(both.len(), 2);
}

#[test]
fn transient_failures_are_sent_again_until_every_document_has_an_outcome() {
    use DocumentOutcome::*;
    let mut progress = Progress::new(4);
    assert_eq!(progress.to_send(), [0, 1, 2, 3]);
    let first = [Inserted, Transient, Duplicate, Transient];
    assert_eq!(progress.record(&[0, 1, 2, 3], &first), 2);
    assert_eq!(progress.to_send(), [1, 3]);
    assert_eq!(progress.record(&[1, 3], &[Transient, Permanent(121)]), 1);
    assert_eq!(progress.record(&[1], &[Inserted]), 0);
    assert!(progress.to_send().is_empty());
    assert_eq!(
        progress.outcomes(),
        [Inserted, Inserted, Duplicate, Permanent(121)]
    );
}

#[test]
fn a_refused_document_falls_back_to_raw_text_then_minimal_then_is_lost() {
    let refused = entry(7, Kind::Valid, rawdoc! {"v": 1});
    let mut chain = Fallback::new(
        &refused,
        Refusal::Code(2),
        "s",
        Some("run"),
        &names(),
        chrono::Utc::now(),
    );
    assert_eq!(
        chain.target, "run",
        "the run's invalid collection, not the batch's"
    );
    assert_eq!(chain.collection, "invalid_simulation_run");
    let first = chain.next_document().expect("raw text").clone();
    assert!(first.get("InvalidJsonMessage").unwrap().is_some());
    assert_eq!(
        first.get_object_id("_id").unwrap(),
        refused.id,
        "the same _id"
    );
    assert_eq!(
        chain.on_outcome(DocumentOutcome::Permanent(10334)),
        FallbackStep::Next
    );
    let second = chain.next_document().expect("minimal").clone();
    assert_ne!(second, first);
    let lost = chain.on_outcome(DocumentOutcome::Permanent(17419));
    assert_eq!(lost, FallbackStep::Lost(Refusal::Code(17419)));
    assert_eq!(chain.next_document(), None);
}

#[test]
fn a_fallback_ends_stored_or_as_a_duplicate() {
    let refused = entry(7, Kind::Valid, rawdoc! {"v": 1});
    let now = chrono::Utc::now();
    let mut stored = Fallback::new(&refused, Refusal::NonFinite, "s", None, &names(), now);
    assert_eq!(stored.target, "s", "no run id: the batch's simulation");
    assert_eq!(
        stored.on_outcome(DocumentOutcome::Inserted),
        FallbackStep::Stored
    );
    let mut duplicate = Fallback::new(&refused, Refusal::NonFinite, "s", None, &names(), now);
    assert_eq!(
        duplicate.on_outcome(DocumentOutcome::Duplicate),
        FallbackStep::Duplicate
    );
}

#[test]
fn a_reply_shorter_than_the_batch_leaves_the_rest_to_send_again() {
    use DocumentOutcome::*;
    let mut progress = Progress::new(3);
    assert_eq!(progress.record(&[0, 1, 2], &[Inserted]), 2);
    assert_eq!(progress.to_send(), [1, 2]);
}

#[test]
fn the_unknown_id_list_is_planned_as_one_insert_into_its_invalid_collection() {
    let invalid = Kind::Invalid(InvalidReason::NotJson);
    let entries = vec![entry(1, invalid, rawdoc! {}), entry(2, invalid, rawdoc! {})];
    let batch = Batch::plan("unknown", entries, Server::FerretDb, &names());
    assert_eq!(batch.inserts.len(), 1);
    assert_eq!(batch.inserts[0].collection, "invalid_simulation_unknown");
    assert_eq!(batch.inserts[0].positions, [0, 1]);
}
