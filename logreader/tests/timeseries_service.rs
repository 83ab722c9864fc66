//! The eight `timeseries_service` scenarios of the conformance manifest, run against the time
//! series builder directly (no HTTP, no database), with the `json`, `csv` and `csv_headers`
//! comparison rules of the conformance README.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use bson::{Bson, Document};
use chrono::DateTime;
use logreader::export::timeseries::{build, epoch_number};
use serde_json::Value;

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/logreader")
}

fn read_json(relative: &str) -> Value {
    let path = conformance_dir().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn read_text(relative: &str) -> String {
    let path = conformance_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// `messages1.json` as Extended JSON, by `MessageId`.
fn fixture_messages() -> HashMap<String, Document> {
    let Value::Array(items) = read_json("data/messages1.json") else {
        panic!("messages1.json is not an array");
    };
    items
        .into_iter()
        .map(|item| match Bson::try_from(item) {
            Ok(Bson::Document(doc)) => {
                let id = doc.get_str("MessageId").expect("MessageId").to_owned();
                (id, doc)
            }
            other => panic!("not a document: {other:?}"),
        })
        .collect()
}

fn scenario(id: &str) -> Value {
    let cases = read_json("cases.json");
    let scenarios = cases["timeseries_service"]
        .as_array()
        .expect("timeseries_service");
    scenarios
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

fn millis(iso: &str) -> i64 {
    DateTime::parse_from_rfc3339(iso)
        .unwrap_or_else(|e| panic!("{iso}: {e}"))
        .timestamp_millis()
}

fn strings(value: &Value) -> Vec<String> {
    let items = value.as_array().expect("array of strings");
    items
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect()
}

fn run_scenario(id: &str) {
    let scenario = scenario(id);
    let all = fixture_messages();
    let messages: Vec<Document> = strings(&scenario["message_ids"])
        .iter()
        .map(|id| {
            all.get(id)
                .cloned()
                .unwrap_or_else(|| panic!("no message {id}"))
        })
        .collect();
    let attrs: Vec<Vec<String>> = strings(&scenario["attrs"])
        .iter()
        .map(|path| path.split('.').map(str::to_owned).collect())
        .collect();
    let starts: HashMap<i64, i64> = scenario["epoch_start_times"]
        .as_object()
        .expect("epoch_start_times")
        .iter()
        .map(|(epoch, time)| {
            (
                epoch.parse().expect("epoch"),
                millis(time.as_str().expect("time")),
            )
        })
        .collect();

    let epochs: BTreeSet<i64> = messages.iter().filter_map(epoch_number).collect();
    let expected_epochs: BTreeSet<i64> = scenario["epochs"]
        .as_array()
        .expect("epochs")
        .iter()
        .filter_map(Value::as_i64)
        .collect();
    assert_eq!(epochs, expected_epochs, "{id}: epochs");

    let series = build(messages, &attrs, &starts);
    assert_eq!(series.skipped(), 0, "{id}: skipped values");

    let actual: Value = serde_json::from_str(&series.to_json(false)).expect("valid JSON");
    let expected = read_json(scenario["json"].as_str().expect("json file"));
    assert_json_matches(&actual, &expected, id);
    assert_json_matches(
        &serde_json::from_str(&series.to_json(true)).expect("valid pretty JSON"),
        &expected,
        id,
    );

    let csv = series.to_csv();
    assert!(csv.ends_with("\r\n"), "{id}: CSV ends in CRLF");
    let expected_csv = read_text(scenario["csv"].as_str().expect("csv file"));
    assert_csv_matches(&csv, &expected_csv, id);
    // Stricter than the README's rule: §11 fixes the column order (insertion order), and the
    // fixture files follow it.
    assert_eq!(
        parse_csv(&csv).first(),
        parse_csv(&expected_csv).first(),
        "{id}: column order"
    );

    let expected_headers = read_text(scenario["csv_headers"].as_str().expect("header file"));
    let expected_header = parse_csv(&expected_headers)
        .into_iter()
        .next()
        .unwrap_or_default();
    let header: BTreeSet<String> = series.csv_header().into_iter().collect();
    assert_eq!(
        header,
        expected_header.into_iter().collect(),
        "{id}: CSV header"
    );
}

/// The README's `json` rule: same key sets, arrays in order, numbers by value, `{"$date"}`
/// equal to a string that denotes the same instant.
fn assert_json_matches(actual: &Value, expected: &Value, at: &str) {
    if let Some(date) = expected_date(expected) {
        let text = actual
            .as_str()
            .unwrap_or_else(|| panic!("{at}: {actual} is not a date"));
        assert_eq!(millis(text), millis(date), "{at}: {text} vs {date}");
        return;
    }
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let a_keys: BTreeSet<&String> = a.keys().collect();
            let e_keys: BTreeSet<&String> = e.keys().collect();
            assert_eq!(a_keys, e_keys, "{at}: keys");
            for (key, value) in e {
                assert_json_matches(&a[key], value, &format!("{at}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{at}: array length");
            for (index, (a, e)) in a.iter().zip(e).enumerate() {
                assert_json_matches(a, e, &format!("{at}[{index}]"));
            }
        }
        (Value::Number(a), Value::Number(e)) => {
            assert_eq!(a.as_f64(), e.as_f64(), "{at}: number");
        }
        _ => assert_eq!(actual, expected, "{at}"),
    }
}

fn expected_date(value: &Value) -> Option<&str> {
    let object = value.as_object()?;
    (object.len() == 1).then(|| object.get("$date")?.as_str())?
}

/// The README's `csv` rule: same header set, then the rows in order, each compared as a
/// mapping from column name to cell text.
fn assert_csv_matches(actual: &str, expected: &str, id: &str) {
    let actual = parse_csv(actual);
    let expected = parse_csv(expected);
    let (Some(actual_header), Some(expected_header)) = (actual.first(), expected.first()) else {
        panic!("{id}: CSV without a header");
    };
    let header_set = |h: &Vec<String>| h.iter().cloned().collect::<BTreeSet<_>>();
    assert_eq!(
        header_set(actual_header),
        header_set(expected_header),
        "{id}: header"
    );
    assert_eq!(actual.len(), expected.len(), "{id}: row count");
    for (index, (a, e)) in actual.iter().zip(&expected).enumerate().skip(1) {
        let as_map = |header: &Vec<String>, row: &Vec<String>| {
            assert_eq!(header.len(), row.len(), "{id}: row {index} width");
            header
                .iter()
                .cloned()
                .zip(row.iter().cloned())
                .collect::<HashMap<_, _>>()
        };
        assert_eq!(
            as_map(actual_header, a),
            as_map(expected_header, e),
            "{id}: row {index}"
        );
    }
}

/// Parses `;`-delimited CSV with `"` quoting; CRLF and LF both end a record.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ';') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[test]
#[should_panic(expected = "number")]
fn json_rule_compares_numbers_by_value() {
    let expected = serde_json::json!({"a": [5.0, {"$date": "2020-06-03T13:00:00Z"}]});
    assert_json_matches(
        &serde_json::json!({"a": [5, "2020-06-03T13:00:00Z"]}),
        &expected,
        "ok",
    );
    assert_json_matches(
        &serde_json::json!({"a": [6, "2020-06-03T13:00:00Z"]}),
        &expected,
        "x",
    );
}

#[test]
#[should_panic(expected = "2020-06-03T13:00:01Z")]
fn json_rule_compares_dates_as_instants() {
    let expected = serde_json::json!({"$date": "2020-06-03T13:00:00Z"});
    assert_json_matches(
        &serde_json::json!("2020-06-03T15:00:00+02:00"),
        &expected,
        "ok",
    );
    assert_json_matches(&serde_json::json!("2020-06-03T13:00:01Z"), &expected, "x");
}

#[test]
#[should_panic(expected = "row 1")]
fn csv_rule_compares_cells_by_column_name() {
    assert_csv_matches("a;b\r\n1;2\r\n", "b;a\n2;1\n", "ok");
    assert_csv_matches("a;b\r\n5.0;2\r\n", "a;b\n5;2\n", "x");
}

#[test]
fn csv_parser_handles_quotes_and_empty_cells() {
    let parsed = parse_csv("\"a;\"\"b\";;c\r\n;\r\n");
    assert_eq!(parsed, [vec!["a;\"b", "", "c"], vec!["", ""]]);
}

#[test]
fn every_manifest_scenario_has_a_test() {
    let cases = read_json("cases.json");
    let ids: BTreeSet<String> = cases["timeseries_service"]
        .as_array()
        .expect("timeseries_service")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .collect();
    let covered: BTreeSet<String> = SCENARIOS.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(ids, covered);
}

/// One test per manifest scenario, named after it.
macro_rules! scenarios {
    ($($name:ident => $id:literal,)*) => {
        const SCENARIOS: &[&str] = &[$($id),*];
        $(
            #[test]
            fn $name() {
                run_scenario($id);
            }
        )*
    };
}

scenarios! {
    battery_state_from_battery_1_and_2 => "svc-battery-state-from-battery-1-and-2",
    real_power_from_solar_plant_1 => "svc-real-power-from-solar-plant-1",
    real_and_reactive_power_from_solar_plant_1 => "svc-real-and-reactive-power-from-solar-plant-1",
    charge_percentage_from_battery_1_and_2 => "svc-charge-percentage-from-battery-1-and-2",
    missing_attributes_from_battery_3 => "svc-missing-attributes-from-battery-3",
    battery_state_from_battery_1_and_2_with_missing_data =>
        "svc-battery-state-from-battery-1-and-2-with-missing-data",
    battery_state_from_battery_1_and_2_with_missing_data_2 =>
        "svc-battery-state-from-battery-1-and-2-with-missing-data-2",
    different_time_indexes => "svc-different-time-indexes",
}
