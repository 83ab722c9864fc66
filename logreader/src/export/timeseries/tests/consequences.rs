//! One test per row of the §10.3 "Consequences" table.

use bson::{doc, Bson};

use super::{build_fixture, build_with, json};
use crate::export::fixtures::{battery, block, epoch_starts, ints, message, solar};

const T13: &str = "2020-06-03T13:00:00Z";
const T1315: &str = "2020-06-03T13:15:00Z";
const T1330: &str = "2020-06-03T13:30:00Z";

/// The JSON of a result with no rows and only `batteryState: {}` for battery1.
const EMPTY_BATTERY_STATE: &str =
    r#"{"TimeIndex":[],"energy.storage.state":{"battery1":{"batteryState":{}}}}"#;

fn row(epoch: i64, time: &str) -> String {
    format!(r#"{{"epoch":{epoch},"timestamp":"{time}"}}"#)
}

fn battery1_two_series() -> bson::Document {
    battery(
        1,
        "battery1",
        &[T13, T1330],
        &[
            ("chargePercentage", ints(&[90, 88])),
            ("capacity", ints(&[300, 280])),
        ],
    )
}

#[test]
fn quantity_block_or_plain_value_gives_one_point_at_the_epoch_start() {
    let series = build_fixture(vec![solar(1, 5.0, 0.2)], "RealPower,bus");
    let expected = format!(
        r#"{{"TimeIndex":[{}],"energy.production.solar":{{"solarPlant1":{{"RealPower":[5.0],"bus":["bus1"]}}}}}}"#,
        row(1, T13)
    );
    assert_eq!(json(&series), expected);
    assert_eq!(series.skipped(), 0);
}

#[test]
fn simple_value_in_an_epoch_without_start_time_is_skipped_and_counted() {
    let series = build_fixture(vec![solar(0, 1.0, 0.1), solar(1, 5.0, 0.2)], "RealPower");
    let expected = format!(
        r#"{{"TimeIndex":[{}],"energy.production.solar":{{"solarPlant1":{{"RealPower":[5.0]}}}}}}"#,
        row(1, T13)
    );
    assert_eq!(json(&series), expected);
    assert_eq!(series.skipped(), 1);
}

#[test]
fn skipped_values_count_message_and_path_pairs() {
    let messages = vec![solar(0, 1.0, 0.1), solar(0, 2.0, 0.2), solar(1, 5.0, 0.2)];
    let series = build_fixture(messages, "RealPower,ReactivePower,missing");
    assert_eq!(series.skipped(), 4);
}

#[test]
fn path_past_a_simple_value_or_through_an_array_or_date_has_no_data() {
    let mut msg = solar(0, 5.0, 0.2);
    msg.insert("Warnings", vec!["someWarning"]);
    msg.insert("Timestamp", bson::DateTime::from_millis(0));
    let attrs = "RealPower.Value,bus.x,Warnings.0,Timestamp.x";
    let series = build_fixture(vec![msg], attrs);
    assert_eq!(
        json(&series),
        r#"{"TimeIndex":[],"energy.production.solar":{"solarPlant1":{"RealPower":{},"Timestamp":{},"Warnings":{},"bus":{}}}}"#
    );
    // Epoch 0 has no start time, but nothing was skipped: these paths never reach a value.
    assert_eq!(series.skipped(), 0);
}

#[test]
fn path_ending_on_a_container_or_a_date_has_no_data() {
    let attributes = doc! {
        "StartTime": bson::DateTime::from_millis(0),
        "info": {"a": {"b": 1}},
    };
    let series = build_fixture(
        vec![message(1, "t", "p", attributes)],
        "StartTime,info.a,info",
    );
    assert_eq!(
        json(&series),
        r#"{"TimeIndex":[],"t":{"p":{"StartTime":{},"info":{"a":{}}}}}"#
    );
}

#[test]
fn unusable_blocks_have_no_data() {
    let series_ok = doc! {"s": {"Values": [1]}};
    let blocks = [
        doc! {"TimeIndex": [], "Series": series_ok.clone()},
        doc! {"TimeIndex": ["not a date"], "Series": series_ok.clone()},
        doc! {"TimeIndex": [T13, 5], "Series": series_ok.clone()},
        doc! {"TimeIndex": [Bson::Null], "Series": series_ok.clone()},
        doc! {"TimeIndex": T13, "Series": series_ok.clone()},
        doc! {"TimeIndex": [T13], "Series": [series_ok.clone()]},
        doc! {"TimeIndex": [T13], "Series": {"s": {"Values": 5}}},
        doc! {"TimeIndex": [T13], "Series": {"s": [1]}},
        doc! {"TimeIndex": [T13], "Series": {"s": {"values": [1]}}},
    ];
    for unusable in blocks {
        for attrs in ["b", "b.s"] {
            let msg = message(1, "t", "p", doc! {"b": unusable.clone()});
            let series = build_fixture(vec![msg], attrs);
            assert_eq!(
                json(&series),
                r#"{"TimeIndex":[],"t":{"p":{"b":{}}}}"#,
                "{unusable} with {attrs}"
            );
        }
    }
}

#[test]
fn path_naming_a_missing_series_adds_no_rows() {
    let series = build_fixture(vec![battery1_two_series()], "batteryState.nonexistent");
    assert_eq!(json(&series), EMPTY_BATTERY_STATE);
    assert!(series.rows().is_empty());
}

#[test]
fn path_going_past_a_series_has_no_data() {
    let attrs = "batteryState.chargePercentage.x";
    let series = build_fixture(vec![battery1_two_series()], attrs);
    assert_eq!(json(&series), EMPTY_BATTERY_STATE);
}

#[test]
fn path_into_a_block_looks_up_the_next_part_not_the_last() {
    let attrs = "batteryState.x.chargePercentage";
    let series = build_fixture(vec![battery1_two_series()], attrs);
    assert_eq!(json(&series), EMPTY_BATTERY_STATE);
}

#[test]
fn two_messages_of_one_item_merge_by_time_and_equal_times_stay_separate() {
    let first = battery(1, "battery1", &[T13, T1330], &[("s", ints(&[1, 2]))]);
    let second = battery(1, "battery1", &[T13, T1315], &[("s", ints(&[3, 4]))]);
    let series = build_fixture(vec![first, second], "batteryState");
    let rows = [row(1, T13), row(1, T13), row(1, T1315), row(1, T1330)].join(",");
    let expected = format!(
        r#"{{"TimeIndex":[{rows}],"energy.storage.state":{{"battery1":{{"batteryState":{{"s":[1,3,4,2]}}}}}}}}"#
    );
    assert_eq!(json(&series), expected);
}

#[test]
fn series_missing_from_a_later_message_gives_null_at_its_points() {
    let first = battery(
        1,
        "battery1",
        &[T13],
        &[("s1", ints(&[1])), ("s2", ints(&[2]))],
    );
    let second = battery(
        1,
        "battery1",
        &[T1330],
        &[("s1", ints(&[3])), ("s3", ints(&[4]))],
    );
    let series = build_fixture(vec![first, second], "batteryState");
    let expected = format!(
        r#"{{"TimeIndex":[{},{}],"energy.storage.state":{{"battery1":{{"batteryState":{{"s1":[1,3],"s2":[2,null],"s3":[null,4]}}}}}}}}"#,
        row(1, T13),
        row(1, T1330)
    );
    assert_eq!(json(&series), expected);
    let header = series.csv_header();
    let names: Vec<&str> = header
        .iter()
        .map(|h| h.rsplit('.').next().unwrap())
        .collect();
    assert_eq!(names, ["epoch", "timestamp", "s1", "s2", "s3"]);
}

#[test]
fn series_missing_from_a_later_epoch_gives_null_there() {
    let first = battery(
        1,
        "battery1",
        &[T13],
        &[("s1", ints(&[1])), ("s2", ints(&[2]))],
    );
    let second = battery(
        2,
        "battery1",
        &["2020-06-03T14:00:00Z"],
        &[("s1", ints(&[3]))],
    );
    let series = build_fixture(vec![first, second], "batteryState");
    assert!(json(&series).contains(r#""s1":[1,3],"s2":[2,null]"#));
}

#[test]
fn naive_and_offset_points_compare_as_instants() {
    let offset = battery(
        1,
        "battery1",
        &["2020-01-01T00:00:00+02:00"],
        &[("s", ints(&[1]))],
    );
    let naive = battery(
        1,
        "battery2",
        &["2020-01-01T00:00:00"],
        &[("s", ints(&[2]))],
    );
    let series = build_fixture(vec![naive, offset], "batteryState");
    let expected = format!(
        r#"{{"TimeIndex":[{},{}],"energy.storage.state":{{"battery1":{{"batteryState":{{"s":[1,null]}}}},"battery2":{{"batteryState":{{"s":[null,2]}}}}}}}}"#,
        row(1, "2020-01-01T00:00:00+02:00"),
        row(1, "2020-01-01T00:00:00Z")
    );
    assert_eq!(json(&series), expected);
}

#[test]
fn equal_instants_of_different_items_share_a_row_shown_as_the_first_item_wrote_it() {
    let offset = battery(
        1,
        "battery1",
        &["2020-01-01T02:00:00+02:00"],
        &[("s", ints(&[1]))],
    );
    let naive = battery(
        1,
        "battery2",
        &["2020-01-01T00:00:00z"],
        &[("s", ints(&[2]))],
    );
    let series = build_fixture(vec![offset, naive], "batteryState");
    let rows: Vec<_> = series.rows().iter().map(|r| r.timestamp.clone()).collect();
    assert_eq!(rows, [Some("2020-01-01T02:00:00+02:00".to_owned())]);
    assert!(json(&series).contains(r#""battery2":{"batteryState":{"s":[2]}}"#));
}

#[test]
fn short_values_give_null_and_extra_values_are_ignored() {
    let short = battery(1, "battery1", &[T13, T1330], &[("s", ints(&[1]))]);
    let long = battery(1, "battery2", &[T13], &[("s", ints(&[5, 6, 7]))]);
    let series = build_with(vec![short, long], "batteryState.s", &epoch_starts());
    let expected = format!(
        r#"{{"TimeIndex":[{},{}],"energy.storage.state":{{"battery1":{{"batteryState":{{"s":[1,null]}}}},"battery2":{{"batteryState":{{"s":[5,null]}}}}}}}}"#,
        row(1, T13),
        row(1, T1330)
    );
    assert_eq!(json(&series), expected);
}

#[test]
fn block_test_comes_before_the_quantity_block_test() {
    let mut both = block(&[T13], &[("s", ints(&[1]))]);
    if let Bson::Document(doc) = &mut both {
        doc.insert("Value", 9);
        doc.insert("UnitOfMeasure", "kW");
    }
    let series = build_fixture(vec![message(1, "t", "p", doc! {"b": both})], "b");
    assert!(json(&series).ends_with(r#""t":{"p":{"b":{"s":[1]}}}}"#));
}
