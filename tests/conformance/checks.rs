//! The five check kinds of the fixture README: `ids`, `exact-json`, `json`, `csv` and
//! `status-only`. Each returns a description of the first difference it finds.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::fixtures::read_json;
use crate::Reply;

/// Checks the status, then the body by the case's check kind.
pub fn check(dir: &Path, expect: &Value, reply: &Reply) -> Result<(), String> {
    let status = expect["status"].as_u64().unwrap_or(0);
    if u64::from(reply.status) != status {
        return Err(format!(
            "status {} instead of {status}; body {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        ));
    }
    match expect["check"].as_str().unwrap_or("") {
        "status-only" => check_content_type(expect, reply),
        "ids" => check_ids(expect, &body_json(reply)?),
        "exact-json" => check_exact_json(dir, expect, &body_json(reply)?),
        "json" => {
            let expected = read_json(&dir.join(file(expect)?));
            structurally_equal(&expected, &body_json(reply)?, "$")
        }
        "csv" => check_csv(dir, expect, reply),
        other => Err(format!("unknown check kind {other:?}")),
    }
}

fn file(expect: &Value) -> Result<&str, String> {
    expect["file"]
        .as_str()
        .ok_or_else(|| "expect.file missing".to_owned())
}

fn body_json(reply: &Reply) -> Result<Value, String> {
    serde_json::from_slice(&reply.body).map_err(|error| {
        format!(
            "body is not JSON ({error}): {}",
            String::from_utf8_lossy(&reply.body)
        )
    })
}

fn check_content_type(expect: &Value, reply: &Reply) -> Result<(), String> {
    match expect["content_type"].as_str() {
        Some(expected) if reply.content_type.as_deref() != Some(expected) => Err(format!(
            "Content-Type {:?} instead of {expected:?}",
            reply.content_type
        )),
        _ => Ok(()),
    }
}

/// `element[key]` of every element, compared with `expect.ids` as a multiset.
fn check_ids(expect: &Value, body: &Value) -> Result<(), String> {
    let key = expect["key"].as_str().ok_or("expect.key missing")?;
    let elements = match body {
        Value::Array(items) => items.clone(),
        object @ Value::Object(_) => vec![object.clone()],
        other => return Err(format!("body is neither an array nor an object: {other}")),
    };
    let mut actual: Vec<String> = elements.iter().map(|e| e[key].to_string()).collect();
    let mut expected: Vec<String> = expect["ids"]
        .as_array()
        .ok_or("expect.ids missing")?
        .iter()
        .map(Value::to_string)
        .collect();
    actual.sort();
    expected.sort();
    if actual == expected {
        Ok(())
    } else {
        Err(format!("ids {actual:?} instead of {expected:?}"))
    }
}

/// The file (or the listed items), `$date`s replaced by the API's text, compared exactly.
fn check_exact_json(dir: &Path, expect: &Value, body: &Value) -> Result<(), String> {
    let whole = read_json(&dir.join(file(expect)?));
    let expected = match expect["items"].as_array() {
        Some(indexes) => Value::Array(
            indexes
                .iter()
                .map(|index| whole[index.as_u64().unwrap_or(0) as usize].clone())
                .collect(),
        ),
        None => whole,
    };
    let expected = replace_dates(expected)?;
    if &expected == body {
        Ok(())
    } else {
        Err(format!("body {body} instead of {expected}"))
    }
}

fn replace_dates(value: Value) -> Result<Value, String> {
    Ok(match value {
        Value::Object(map) => match date_of(&Value::Object(map.clone())) {
            Some(instant) => Value::String(api_date(instant?)),
            None => Value::Object(
                map.into_iter()
                    .map(|(k, v)| replace_dates(v).map(|v| (k, v)))
                    .collect::<Result<_, _>>()?,
            ),
        },
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(replace_dates)
                .collect::<Result<_, _>>()?,
        ),
        other => other,
    })
}

/// `Some(instant)` for an object of the exact form `{"$date": X}`.
fn date_of(value: &Value) -> Option<Result<DateTime<Utc>, String>> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let text = map.get("$date")?.as_str()?;
    Some(parse_instant(text))
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|error| format!("bad date {text:?}: {error}"))
}

/// The API's text for an instant: whole seconds `…SSZ`, otherwise six fraction digits.
fn api_date(instant: DateTime<Utc>) -> String {
    if instant.timestamp_subsec_nanos() == 0 {
        instant.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        instant.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

/// The `json` rule: same key sets, ordered arrays, numbers by value, `$date` by instant.
pub fn structurally_equal(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    if let Some(instant) = date_of(expected) {
        let instant = instant?;
        return match actual.as_str().map(parse_instant) {
            Some(Ok(found)) if found == instant => Ok(()),
            _ => Err(format!("{at}: {actual} is not the instant {instant}")),
        };
    }
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (x, y))| structurally_equal(x, y, &format!("{at}[{i}]"))),
        (Value::Object(a), Value::Object(b)) => {
            let keys_a: HashSet<&String> = a.keys().collect();
            let keys_b: HashSet<&String> = b.keys().collect();
            if keys_a != keys_b {
                return Err(format!("{at}: keys {keys_b:?} instead of {keys_a:?}"));
            }
            a.iter()
                .try_for_each(|(k, v)| structurally_equal(v, &b[k], &format!("{at}.{k}")))
        }
        (a, b) if a == b && !a.is_number() => Ok(()),
        _ => Err(format!("{at}: {actual} instead of {expected}")),
    }
}

/// The `csv` rule against an expectation file.
fn check_csv(dir: &Path, expect: &Value, reply: &Reply) -> Result<(), String> {
    let path = dir.join(file(expect)?);
    let expected = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    csv_equal(&expected, &String::from_utf8_lossy(&reply.body))
}

/// The `csv` rule: same header set, same row count, rows compared in order as maps from
/// column name to cell text.
pub fn csv_equal(expected_text: &str, actual_text: &str) -> Result<(), String> {
    let expected = parse_csv(expected_text);
    let actual = parse_csv(actual_text);
    let header = |rows: &[Vec<String>]| -> HashSet<String> {
        rows.first()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect()
    };
    if header(&expected) != header(&actual) {
        return Err(format!(
            "header {:?} instead of {:?}",
            actual.first(),
            expected.first()
        ));
    }
    if expected.len() != actual.len() {
        return Err(format!(
            "{} rows instead of {}",
            actual.len(),
            expected.len()
        ));
    }
    let as_map = |rows: &[Vec<String>], row: &[String]| -> BTreeMap<String, String> {
        rows[0].iter().cloned().zip(row.iter().cloned()).collect()
    };
    for (index, (e, a)) in expected.iter().zip(&actual).enumerate().skip(1) {
        if as_map(&expected, e) != as_map(&actual, a) {
            return Err(format!("row {index}: {a:?} instead of {e:?}"));
        }
    }
    Ok(())
}

/// Records of a `;`-delimited, `"`-quoted CSV text; line endings (CRLF or LF) are ignored.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, _) => field.push(c),
            (false, '"') => quoted = true,
            (false, ';') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, _) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_rule_compares_numbers_by_value_and_dates_as_instants() {
        let expected = json!({"a": [5.0, {"$date": "2020-06-03T13:00:00Z"}]});
        assert!(structurally_equal(
            &expected,
            &json!({"a": [5, "2020-06-03T15:00:00+02:00"]}),
            "$"
        )
        .is_ok());
        assert!(
            structurally_equal(&expected, &json!({"a": [6, "2020-06-03T13:00:00Z"]}), "$").is_err()
        );
        assert!(
            structurally_equal(&expected, &json!({"a": [5, "2020-06-03T13:00:01Z"]}), "$").is_err()
        );
        assert!(structurally_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2}), "$").is_err());
    }

    #[test]
    fn csv_rule_compares_cells_by_column_name() {
        assert!(csv_equal("b;a\n2;1\n", "a;b\r\n1;2\r\n").is_ok());
        assert!(
            csv_equal("a;b\n5;2\n", "a;b\r\n5.0;2\r\n").is_err(),
            "cells compare as text"
        );
        assert!(csv_equal("a;b\n1;2\n", "a;b\r\n").is_err(), "row count");
    }

    #[test]
    fn csv_parser_handles_quotes_and_empty_cells() {
        let parsed = parse_csv("\"a;\"\"b\";;c\r\n;\r\n");
        assert_eq!(parsed, [vec!["a;\"b", "", "c"], vec!["", ""]]);
    }
}
