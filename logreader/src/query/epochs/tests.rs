use super::*;
use chrono::TimeZone;

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 6, 3, hour, minute, 0).unwrap()
}

fn epoch(number: i64, start: (u32, u32), end: (u32, u32)) -> EpochDocument {
    EpochDocument {
        number,
        start: at(start.0, start.1),
        end: at(end.0, end.1),
        timestamp: None,
        id: None,
    }
}

/// The conformance fixture: epochs 1–4 = 13:00–14:00 … 16:00–17:00.
fn fixture() -> Vec<EpochDocument> {
    (1..=4)
        .map(|n| epoch(n, (12 + n as u32, 0), (13 + n as u32, 0)))
        .collect()
}

fn sim(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> EpochCondition {
    EpochRequest::SimTime { from, to }.resolve(&fixture())
}

fn range(min: Option<i64>, max: Option<i64>) -> EpochCondition {
    EpochCondition::Range { min, max }
}

fn numbers(epoch: Option<i64>, start: Option<i64>, end: Option<i64>) -> EpochCondition {
    EpochRequest::Numbers { epoch, start, end }.resolve(&[])
}

#[test]
fn number_parameters_follow_the_table() {
    assert_eq!(numbers(None, None, None), EpochCondition::All);
    assert_eq!(numbers(Some(1), None, None), range(Some(1), Some(1)));
    assert_eq!(numbers(Some(1), Some(3), None), range(Some(3), None));
    assert_eq!(numbers(None, None, Some(2)), range(None, Some(2)));
    assert_eq!(numbers(Some(9), Some(2), Some(3)), range(Some(2), Some(3)));
    assert_eq!(numbers(Some(2), None, Some(3)), range(Some(2), Some(2)));
    assert_eq!(numbers(Some(3), None, Some(2)), EpochCondition::Empty);
    assert_eq!(numbers(None, Some(3), Some(2)), EpochCondition::Empty);
}

#[test]
fn simulated_times_follow_the_spec_examples() {
    assert_eq!(sim(Some(at(14, 0)), None), range(Some(2), None));
    assert_eq!(sim(None, Some(at(15, 0))), range(None, Some(2)));
    assert_eq!(sim(None, Some(at(14, 0))), range(None, Some(1)));
    assert_eq!(
        sim(Some(at(14, 0)), Some(at(16, 0))),
        range(Some(2), Some(3))
    );
    assert_eq!(sim(Some(at(12, 0)), None), EpochCondition::All);
    assert_eq!(sim(Some(at(17, 0)), None), EpochCondition::Empty);
    assert_eq!(sim(None, Some(at(18, 0))), EpochCondition::All);
    assert_eq!(sim(None, Some(at(13, 0))), EpochCondition::Empty);
    assert_eq!(sim(Some(at(17, 0)), Some(at(18, 0))), EpochCondition::Empty);
    assert_eq!(
        sim(Some(at(16, 30)), Some(at(14, 30))),
        EpochCondition::Empty
    );
}

#[test]
fn gaps_use_the_next_and_previous_epoch() {
    let epochs = vec![epoch(1, (13, 0), (14, 0)), epoch(2, (15, 0), (16, 0))];
    let request = EpochRequest::SimTime {
        from: Some(at(14, 30)),
        to: None,
    };
    assert_eq!(request.resolve(&epochs), range(Some(2), None));
    let request = EpochRequest::SimTime {
        from: None,
        to: Some(at(14, 30)),
    };
    assert_eq!(request.resolve(&epochs), range(None, Some(1)));
}

#[test]
fn no_epoch_documents_means_no_bounds() {
    let request = EpochRequest::SimTime {
        from: Some(at(14, 0)),
        to: Some(at(15, 0)),
    };
    assert_eq!(request.resolve(&[]), EpochCondition::All);
}

#[test]
fn overlapping_epochs_pick_by_start_then_id() {
    let mut a = epoch(7, (13, 0), (15, 0));
    let mut b = epoch(8, (13, 0), (15, 0));
    a.id = Some(ObjectId::from_bytes([2; 12]));
    b.id = Some(ObjectId::from_bytes([1; 12]));
    let epochs = vec![a, b, epoch(9, (14, 0), (15, 0))];
    let from = EpochRequest::SimTime {
        from: Some(at(14, 30)),
        to: None,
    };
    assert_eq!(from.resolve(&epochs), range(Some(8), None));
    let to = EpochRequest::SimTime {
        from: None,
        to: Some(at(14, 30)),
    };
    assert_eq!(to.resolve(&epochs), range(None, Some(9)));
}

#[test]
fn epoch_documents_need_integral_numbers_and_dates() {
    let start = bson::DateTime::from_chrono(at(13, 0));
    let end = bson::DateTime::from_chrono(at(14, 0));
    let good = bson::doc! {"EpochNumber": 2.0, "StartTime": start, "EndTime": end};
    assert_eq!(
        EpochDocument::from_document(&good).map(|e| e.number),
        Some(2)
    );
    for bad in [
        bson::doc! {"EpochNumber": 2.5, "StartTime": start, "EndTime": end},
        bson::doc! {"EpochNumber": "2", "StartTime": start, "EndTime": end},
        bson::doc! {"EpochNumber": 2, "StartTime": "2020-06-03T13:00:00Z", "EndTime": end},
        bson::doc! {"EpochNumber": 2, "StartTime": start},
    ] {
        assert_eq!(EpochDocument::from_document(&bad), None, "{bad}");
    }
}

#[test]
fn start_times_prefer_the_latest_timestamp() {
    let mut old = epoch(1, (13, 0), (14, 0));
    old.timestamp = Some(at(1, 0));
    let mut new = epoch(1, (13, 30), (14, 0));
    new.timestamp = Some(at(2, 0));
    let times = start_times(&[new, old, epoch(2, (14, 0), (15, 0))]);
    assert_eq!(times.get(&1), Some(&at(13, 30).timestamp_millis()));
    assert_eq!(times.get(&2), Some(&at(14, 0).timestamp_millis()));
}
