//! §10.1 inputs, tree shapes and the §10.6 JSON output.

use std::collections::HashMap;

use bson::{doc, Bson};

use super::{build_fixture, build_with, json};
use crate::export::fixtures::{battery, ints, message, solar};
use crate::export::timeseries::{parse_attrs, Row, TimeSeries};

const T13: &str = "2020-06-03T13:00:00Z";

/// The §10.6 example, byte for byte.
const SOLAR_PRETTY: &str = r#"{
    "TimeIndex": [
        {
            "epoch": 1,
            "timestamp": "2020-06-03T13:00:00Z"
        },
        {
            "epoch": 2,
            "timestamp": "2020-06-03T14:00:00Z"
        }
    ],
    "energy.production.solar": {
        "solarPlant1": {
            "ReactivePower": [
                0.2,
                0.5
            ],
            "RealPower": [
                5.0,
                8.0
            ]
        }
    }
}"#;

#[test]
fn spec_example_is_byte_identical_in_pretty_layout() {
    let messages = vec![solar(1, 5.0, 0.2), solar(2, 8.0, 0.5)];
    let series = build_fixture(messages, "RealPower,ReactivePower");
    assert_eq!(series.to_json(true), SOLAR_PRETTY);
}

#[test]
fn no_source_messages_give_an_empty_time_index() {
    let series = build_fixture(Vec::new(), "batteryState");
    assert_eq!(series.to_json(false), r#"{"TimeIndex":[]}"#);
    assert_eq!(series.to_json(true), "{\n    \"TimeIndex\": []\n}");
    assert_eq!(series.skipped(), 0);
    assert_eq!(series.csv_header(), ["epoch", "timestamp"]);
}

#[test]
fn time_index_sorts_among_topics_by_code_point() {
    let messages = vec![
        message(1, "a", "p", doc! {}),
        message(1, "A", "p", doc! {}),
        message(1, "Z", "p", doc! {}),
    ];
    let series = build_fixture(messages, "x");
    assert_eq!(
        json(&series),
        r#"{"A":{"p":{}},"TimeIndex":[],"Z":{"p":{}},"a":{"p":{}}}"#
    );
}

#[test]
fn topics_and_processes_without_data_appear_empty() {
    let messages = vec![
        message(1, "weather.current", "weatherDivinity", doc! {}),
        solar(1, 5.0, 0.2),
    ];
    let series = build_fixture(messages, "RealPower");
    assert!(json(&series).ends_with(r#""weather.current":{"weatherDivinity":{}}}"#));
    assert_eq!(series.csv_header().len(), 3);
}

#[test]
fn excluded_messages_take_no_part() {
    let mut no_epoch = solar(1, 5.0, 0.2);
    no_epoch.remove("EpochNumber");
    let mut fractional_epoch = solar(1, 5.0, 0.2);
    fractional_epoch.insert("EpochNumber", 1.5);
    let mut numeric_topic = solar(1, 5.0, 0.2);
    numeric_topic.insert("Topic", 7);
    let mut time_index_topic = solar(1, 5.0, 0.2);
    time_index_topic.insert("Topic", "TimeIndex");
    let mut missing_process = solar(1, 5.0, 0.2);
    missing_process.remove("SourceProcessId");
    let messages = vec![
        no_epoch,
        fractional_epoch,
        numeric_topic,
        time_index_topic,
        missing_process,
    ];
    let series = build_fixture(messages, "RealPower");
    assert_eq!(json(&series), r#"{"TimeIndex":[]}"#);
}

#[test]
fn integral_double_epoch_numbers_count() {
    let mut msg = solar(1, 5.0, 0.2);
    msg.insert("EpochNumber", 1.0);
    let series = build_fixture(vec![msg], "RealPower");
    assert_eq!(series.rows().len(), 1);
}

#[test]
fn epochs_run_in_ascending_order_whatever_the_input_order() {
    let messages = vec![solar(2, 8.0, 0.5), solar(1, 5.0, 0.2)];
    let series = build_fixture(messages, "RealPower");
    let epochs: Vec<i64> = series.rows().iter().map(|r| r.epoch).collect();
    assert_eq!(epochs, [1, 2]);
    assert!(json(&series).contains(r#""RealPower":[5.0,8.0]"#));
}

#[test]
fn a_node_keeps_its_first_kind() {
    let as_block = message(
        1,
        "t",
        "p",
        doc! {"x": crate::export::fixtures::block(&[T13], &[("s", ints(&[1]))])},
    );
    let as_simple = message(1, "t", "p", doc! {"x": 5});
    let as_container = message(1, "t", "p", doc! {"x": {"y": 6}});
    let series = build_fixture(vec![as_block, as_simple, as_container], "x,x.y");
    assert!(json(&series).ends_with(r#""t":{"p":{"x":{"s":[1]}}}}"#));
}

#[test]
fn a_non_empty_branch_takes_no_item_data() {
    let as_container = message(1, "t", "p", doc! {"x": {"y": 6}});
    let as_simple = message(1, "t", "p", doc! {"x": 5});
    let series = build_fixture(vec![as_container, as_simple], "x.y,x");
    assert!(json(&series).ends_with(r#""t":{"p":{"x":{"y":[6]}}}}"#));
}

#[test]
fn two_paths_to_one_block_do_not_double_its_points() {
    let msg = battery(
        1,
        "battery1",
        &[T13],
        &[("a", ints(&[1])), ("b", ints(&[2])), ("c", ints(&[3]))],
    );
    let series = build_fixture(vec![msg], "batteryState.b,batteryState.a,batteryState.b");
    assert_eq!(series.rows().len(), 1);
    let header = series.csv_header();
    assert_eq!(
        header[2..],
        [
            "energy.storage.state:battery1.batteryState.b",
            "energy.storage.state:battery1.batteryState.a"
        ]
    );
}

#[test]
fn bson_date_time_points_use_the_bson_date_format() {
    let attributes = doc! {"b": {
        "TimeIndex": [bson::DateTime::from_millis(1_591_189_200_345)],
        "Series": {"s": {"Values": [1]}},
    }};
    let series = build_fixture(vec![message(1, "t", "p", attributes)], "b");
    let expected = Row {
        epoch: 1,
        timestamp: Some("2020-06-03T13:00:00.345000Z".to_owned()),
    };
    assert_eq!(series.rows(), [expected]);
}

#[test]
fn quantity_block_values_are_taken_as_is() {
    let attributes = doc! {
        "q": {"Value": {"b": 1, "a": [2]}, "UnitOfMeasure": "x"},
        "n": {"Value": Bson::Null, "UnitOfMeasure": "x"},
    };
    let series = build_fixture(vec![message(1, "t", "p", attributes)], "q,n");
    assert!(json(&series).ends_with(r#""t":{"p":{"n":[null],"q":[{"a":[2],"b":1}]}}}"#));
}

#[test]
fn epoch_start_outside_years_1_to_9999_gives_a_null_timestamp() {
    let starts = HashMap::from([(1, i64::MAX)]);
    let series = build_with(vec![solar(1, 5.0, 0.2)], "RealPower", &starts);
    assert!(json(&series).starts_with(r#"{"TimeIndex":[{"epoch":1,"timestamp":null}]"#));
}

#[test]
fn attrs_split_on_commas_then_dots_keeping_empty_items() {
    let expected: Vec<Vec<String>> = vec![
        vec!["a".into()],
        vec!["".into()],
        vec!["b".into(), "".into(), "c".into()],
        vec![" d ".into()],
    ];
    assert_eq!(parse_attrs("a,,b..c, d "), expected);
}

#[test]
fn empty_and_odd_paths_find_nothing_without_failing() {
    let series = build_fixture(vec![solar(1, 5.0, 0.2)], ",.,..,RealPower.,.RealPower");
    assert!(series.rows().is_empty());
    assert_eq!(TimeSeries::default().to_json(false), r#"{"TimeIndex":[]}"#);
}
