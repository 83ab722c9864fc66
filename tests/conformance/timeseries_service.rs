//! The eight `timeseries_service` scenarios of the manifest, run against the time-series
//! builder directly (no HTTP, no database), with the same `json`, `csv` and header rules as
//! the HTTP cases.

use std::collections::{BTreeSet, HashMap};

use bson::{Bson, Document};
use chrono::DateTime;
use integration_tests::conformance_dir;
use logreader::export::timeseries::build;
use logreader::stored::epoch_number;
use serde_json::Value;

use crate::checks::{csv_equal, parse_csv, structurally_equal};
use crate::fixtures::read_json;

fn read(relative: &str) -> Value {
    read_json(&conformance_dir().join(relative))
}

fn read_text(relative: &str) -> String {
    let path = conformance_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// `messages1.json` as Extended JSON, by `MessageId`.
fn fixture_messages() -> HashMap<String, Document> {
    let items = read("data/messages1.json")
        .as_array()
        .cloned()
        .expect("messages1.json is an array");
    items
        .into_iter()
        .map(|item| match Bson::try_from(item) {
            Ok(Bson::Document(doc)) => {
                (doc.get_str("MessageId").expect("MessageId").to_owned(), doc)
            }
            other => panic!("not a document: {other:?}"),
        })
        .collect()
}

fn scenarios() -> Vec<Value> {
    read("cases.json")["timeseries_service"]
        .as_array()
        .cloned()
        .expect("timeseries_service")
}

fn strings(value: &Value) -> Vec<String> {
    let items = value.as_array().expect("array of strings");
    items
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect()
}

fn epoch_starts(scenario: &Value) -> HashMap<i64, i64> {
    let starts = scenario["epoch_start_times"]
        .as_object()
        .expect("epoch_start_times");
    let millis = |iso: &str| {
        DateTime::parse_from_rfc3339(iso)
            .expect("RFC 3339 time")
            .timestamp_millis()
    };
    starts
        .iter()
        .map(|(epoch, time)| {
            (
                epoch.parse().expect("epoch"),
                millis(time.as_str().expect("time")),
            )
        })
        .collect()
}

/// Runs one scenario; returns what differs from its expectation files.
fn run(scenario: &Value, all: &HashMap<String, Document>) -> Result<(), String> {
    let messages: Vec<Document> = strings(&scenario["message_ids"])
        .iter()
        .map(|id| all.get(id).cloned().expect("fixture message"))
        .collect();
    let attrs: Vec<Vec<String>> = strings(&scenario["attrs"])
        .iter()
        .map(|path| path.split('.').map(str::to_owned).collect())
        .collect();
    let epochs: BTreeSet<i64> = messages.iter().filter_map(epoch_number).collect();
    let expected_epochs: BTreeSet<i64> = scenario["epochs"]
        .as_array()
        .expect("epochs")
        .iter()
        .filter_map(Value::as_i64)
        .collect();
    if epochs != expected_epochs {
        return Err(format!("epochs {epochs:?} instead of {expected_epochs:?}"));
    }

    let series = build(messages, &attrs, &epoch_starts(scenario));
    if series.skipped() != 0 {
        return Err(format!("{} skipped values", series.skipped()));
    }
    let expected = read(scenario["json"].as_str().expect("json file"));
    for pretty in [false, true] {
        let actual: Value =
            serde_json::from_str(&series.to_json(pretty)).map_err(|e| e.to_string())?;
        structurally_equal(&expected, &actual, "$")?;
    }

    let csv = series.to_csv();
    let expected_csv = read_text(scenario["csv"].as_str().expect("csv file"));
    csv_equal(&expected_csv, &csv)?;
    // Stricter than the README's rule: §11 fixes the column order (insertion order), and the
    // fixture files follow it; and every line ends in CRLF.
    if parse_csv(&csv).first() != parse_csv(&expected_csv).first() || !csv.ends_with("\r\n") {
        return Err(format!("column order or line ends: {csv:?}"));
    }
    let headers = read_text(scenario["csv_headers"].as_str().expect("header file"));
    let expected_header: BTreeSet<String> = parse_csv(&headers)
        .into_iter()
        .next()
        .unwrap_or_default()
        .into_iter()
        .collect();
    let header: BTreeSet<String> = series.csv_header().into_iter().collect();
    if header != expected_header {
        return Err(format!(
            "CSV header {header:?} instead of {expected_header:?}"
        ));
    }
    Ok(())
}

#[test]
fn every_timeseries_service_scenario_matches_its_expected_json_and_csv() {
    let all = fixture_messages();
    let scenarios = scenarios();
    assert_eq!(scenarios.len(), 8, "the manifest's eight builder scenarios");
    let failures: Vec<String> = scenarios
        .iter()
        .filter_map(|s| {
            run(s, &all)
                .err()
                .map(|e| format!("{}: {e}", s["id"].as_str().unwrap_or("?")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
