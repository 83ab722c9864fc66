use super::*;

fn entry(tag: u64, size: usize) -> Entry {
    Entry {
        size,
        ..Entry::for_test(tag, Kind::Valid, RawDocumentBuf::new())
    }
}

const TEN_S: Duration = Duration::from_secs(10);

#[test]
fn the_nth_document_triggers_a_count_flush() {
    let now = Instant::now();
    let mut buffers = Buffers::new(3, TEN_S);
    assert_eq!(buffers.push("a", entry(1, 10), false, now), None);
    assert_eq!(buffers.push("a", entry(2, 10), false, now), None);
    assert_eq!(
        buffers.push("b", entry(3, 10), false, now),
        None,
        "per simulation"
    );
    assert_eq!(
        buffers.push("a", entry(4, 10), false, now),
        Some(Trigger::Count)
    );
    let tags: Vec<u64> = buffers.take("a").iter().map(|e| e.tag).collect();
    assert_eq!(tags, [1, 2, 4], "arrival order");
    assert_eq!(buffers.len(), 1);
}

#[test]
fn a_role_message_flushes_including_itself() {
    let mut buffers = Buffers::new(20, TEN_S);
    let now = Instant::now();
    buffers.push("a", entry(1, 10), false, now);
    assert_eq!(
        buffers.push("a", entry(2, 10), true, now),
        Some(Trigger::Role)
    );
    assert_eq!(buffers.take("a").len(), 2);
}

#[test]
fn size_triggers_at_sixteen_mebibytes() {
    let mut buffers = Buffers::new(20, TEN_S);
    let now = Instant::now();
    assert_eq!(
        buffers.push("a", entry(1, MAX_BUFFER_BYTES - 1), false, now),
        None
    );
    assert_eq!(
        buffers.push("a", entry(2, 1), false, now),
        Some(Trigger::Size)
    );
}

#[test]
fn one_deadline_per_buffer_armed_by_the_first_append_and_cleared_by_a_flush() {
    let t0 = Instant::now();
    let mut buffers = Buffers::new(20, TEN_S);
    assert_eq!(buffers.next_deadline(), None);
    buffers.push("a", entry(1, 1), false, t0);
    buffers.push("a", entry(2, 1), false, t0 + Duration::from_secs(5));
    assert_eq!(buffers.next_deadline(), Some(t0 + TEN_S), "not re-armed");
    buffers.push("b", entry(3, 1), false, t0 + Duration::from_secs(2));
    assert!(buffers.due(t0 + Duration::from_secs(9)).is_empty());
    assert_eq!(buffers.due(t0 + Duration::from_secs(12)), ["a", "b"]);
    buffers.take("a");
    assert_eq!(buffers.next_deadline(), Some(t0 + Duration::from_secs(12)));
    buffers.push("a", entry(4, 1), false, t0 + Duration::from_secs(20));
    assert_eq!(buffers.due(t0 + Duration::from_secs(29)), ["b"]);
}

#[test]
fn zero_interval_flushes_every_message() {
    let mut buffers = Buffers::new(20, Duration::ZERO);
    assert_eq!(
        buffers.push("a", entry(1, 1), false, Instant::now()),
        Some(Trigger::Deadline)
    );
}

#[test]
fn clearing_drops_everything_after_a_channel_loss() {
    let mut buffers = Buffers::new(20, TEN_S);
    let now = Instant::now();
    buffers.push("a", entry(1, 1), false, now);
    buffers.push("b", entry(2, 1), false, now);
    assert_eq!(buffers.non_empty(), ["a", "b"]);
    assert_eq!(buffers.clear(), 2);
    assert!(buffers.is_empty());
    assert_eq!(buffers.next_deadline(), None);
}

#[test]
fn pending_list_reports_the_prefetch_limit_and_its_age() {
    let t0 = Instant::now();
    let mut pending = Pending::default();
    assert!(!pending.push(entry(1, 1), 2, t0));
    assert_eq!(pending.deadline(), Some(t0 + PENDING_MAX_AGE));
    assert!(pending.push(entry(2, 1), 2, t0 + TEN_S));
    assert_eq!(
        pending.deadline(),
        Some(t0 + PENDING_MAX_AGE),
        "oldest entry counts"
    );
    assert_eq!(pending.take().len(), 2);
    assert!(pending.is_empty());
    assert_eq!(pending.deadline(), None);
}

#[test]
fn the_buffer_holding_a_delivery_is_found_by_its_tag() {
    let now = Instant::now();
    let mut buffers = Buffers::new(20, TEN_S);
    buffers.push("a", entry(1, 10), false, now);
    buffers.push("b", entry(2, 10), false, now);
    buffers.push("a", entry(3, 10), false, now);
    assert_eq!(buffers.holding(1).as_deref(), Some("a"));
    assert_eq!(buffers.holding(2).as_deref(), Some("b"));
    assert_eq!(buffers.holding(3).as_deref(), Some("a"));
    assert_eq!(buffers.holding(4), None);
    buffers.take("a");
    assert_eq!(buffers.holding(1), None);
}
