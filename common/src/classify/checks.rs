//! The full checks of the known types (docs/spec/messages.md §4.3) and the role they give (§4.5).
//!
//! Each type has a table of `(check name, check)` in the order of the §4.3 table; the first
//! failing check makes the message valid generic.

use super::{Malformed, Role};
use crate::json::{lookup, Json};
use crate::time::parse_message_datetime;

type Entries = [(String, Json)];
type Check = fn(&Entries) -> Result<(), String>;

/// Accepted prefixes of `Warnings` items (a prefix test).
const WARNING_PREFIXES: [&str; 6] = [
    "warning.convergence",
    "warning.input",
    "warning.input-range",
    "warning.input-unreliable",
    "warning.internal",
    "warning.other",
];

const SIMSTATE: &[(&str, Check)] = &[
    ("SimState.SourceProcessId", source_process_id),
    ("SimState.MessageId", message_id),
    ("SimState.SimulationState", simulation_state),
    ("SimState.Name", name),
    ("SimState.Description", description),
];

const EPOCH: &[(&str, Check)] = &[
    ("Epoch.SourceProcessId", source_process_id),
    ("Epoch.MessageId", message_id),
    ("Epoch.EpochNumber", epoch_number),
    ("Epoch.LastUpdatedInEpoch", last_updated_in_epoch),
    ("Epoch.TriggeringMessageIds", triggering_message_ids),
    ("Epoch.Warnings", warnings),
    ("Epoch.IterationStatus", iteration_status),
    ("Epoch.StartTime", start_time),
    ("Epoch.EndTime", end_time),
];

const STATUS: &[(&str, Check)] = &[
    ("Status.SourceProcessId", source_process_id),
    ("Status.MessageId", message_id),
    ("Status.EpochNumber", epoch_number),
    ("Status.LastUpdatedInEpoch", last_updated_in_epoch),
    ("Status.TriggeringMessageIds", triggering_message_ids),
    ("Status.Warnings", warnings),
    ("Status.IterationStatus", iteration_status),
    ("Status.Value", status_value),
    ("Status.Description", description),
];

const RESULT: &[(&str, Check)] = &[
    ("Result.SourceProcessId", source_process_id),
    ("Result.MessageId", message_id),
    ("Result.EpochNumber", epoch_number),
    ("Result.LastUpdatedInEpoch", last_updated_in_epoch),
    ("Result.TriggeringMessageIds", triggering_message_ids),
    ("Result.Warnings", warnings),
    ("Result.IterationStatus", iteration_status),
];

/// The role of a valid message: runs the checks of its type and builds the role.
pub(super) fn role(object: &Entries) -> Role {
    let type_name = lookup(object, "Type").and_then(Json::as_str).unwrap_or("");
    let checks = match type_name {
        "SimState" => SIMSTATE,
        "Epoch" => EPOCH,
        "Status" => STATUS,
        "Result" => RESULT,
        _ => return Role::Generic { malformed: None },
    };
    for (check, run) in checks {
        if let Err(detail) = run(object) {
            let message_id = string(object, "MessageId").map(str::to_owned);
            let type_name = type_name.to_owned();
            let malformed = Malformed {
                type_name,
                check,
                detail,
                message_id,
            };
            return Role::Generic {
                malformed: Some(malformed),
            };
        }
    }
    well_formed_role(type_name, object)
}

/// The role of a message that passed every check of its type. The checks guarantee the
/// attributes read here, so the defaults are never used.
fn well_formed_role(type_name: &str, object: &Entries) -> Role {
    let source_process_id = string(object, "SourceProcessId")
        .unwrap_or_default()
        .to_owned();
    let epoch_number = match lookup(object, "EpochNumber") {
        Some(Json::Int(n)) => *n,
        _ => 0,
    };
    match type_name {
        "SimState" => Role::SimState {
            stopped: string(object, "SimulationState") == Some("stopped"),
            source_process_id,
            name: string(object, "Name").map(str::to_owned),
            description: string(object, "Description").map(str::to_owned),
        },
        "Epoch" => Role::Epoch {
            epoch_number,
            source_process_id,
        },
        _ => Role::StatusOrResult {
            epoch_number,
            source_process_id,
        },
    }
}

fn string<'a>(object: &'a Entries, key: &str) -> Option<&'a str> {
    lookup(object, key).and_then(Json::as_str)
}

/// A short description of a value for the failed-check text; strings are quoted and cut.
fn describe(value: Option<&Json>) -> String {
    match value {
        None => "it is missing".to_owned(),
        Some(Json::Null) => "got null".to_owned(),
        Some(Json::Bool(b)) => format!("got {b}"),
        Some(Json::Int(n)) => format!("got {n}"),
        Some(Json::BigInt(n)) => format!("got {n}, outside the 64-bit range"),
        Some(Json::Double(d)) => format!("got the double {d}"),
        Some(Json::String(s)) if s.chars().count() > 40 => {
            format!("got \"{}…\"", s.chars().take(40).collect::<String>())
        }
        Some(Json::String(s)) => format!("got \"{s}\""),
        Some(Json::Array(_)) => "got an array".to_owned(),
        Some(Json::Object(_)) => "got an object".to_owned(),
    }
}

fn fail<T>(key: &str, rule: &str, value: Option<&Json>) -> Result<T, String> {
    Err(format!("{key} must be {rule}; {}", describe(value)))
}

fn required_non_empty_string(object: &Entries, key: &str) -> Result<(), String> {
    match lookup(object, key) {
        Some(Json::String(s)) if !s.is_empty() => Ok(()),
        other => fail(key, "a non-empty string", other),
    }
}

fn optional_string(object: &Entries, key: &str) -> Result<(), String> {
    match lookup(object, key) {
        None | Some(Json::Null | Json::String(_)) => Ok(()),
        other => fail(key, "a string or null", other),
    }
}

fn one_of(object: &Entries, key: &str, allowed: &[&str], optional: bool) -> Result<(), String> {
    match lookup(object, key) {
        None | Some(Json::Null) if optional => Ok(()),
        Some(Json::String(s)) if allowed.contains(&s.as_str()) => Ok(()),
        other => fail(key, &format!("one of {allowed:?}"), other),
    }
}

/// A JSON integer ≥ 0. An integer beyond 64 bits fails here too; such a message is refused
/// by the §5 check anyway, so this changes no stored outcome.
fn non_negative_integer(object: &Entries, key: &str, optional: bool) -> Result<(), String> {
    match lookup(object, key) {
        None | Some(Json::Null) if optional => Ok(()),
        Some(Json::Int(n)) if *n >= 0 => Ok(()),
        other => fail(key, "a JSON integer >= 0", other),
    }
}

fn source_process_id(object: &Entries) -> Result<(), String> {
    required_non_empty_string(object, "SourceProcessId")
}

fn message_id(object: &Entries) -> Result<(), String> {
    required_non_empty_string(object, "MessageId")
}

fn simulation_state(object: &Entries) -> Result<(), String> {
    one_of(object, "SimulationState", &["running", "stopped"], false)
}

fn name(object: &Entries) -> Result<(), String> {
    optional_string(object, "Name")
}

fn description(object: &Entries) -> Result<(), String> {
    optional_string(object, "Description")
}

fn epoch_number(object: &Entries) -> Result<(), String> {
    non_negative_integer(object, "EpochNumber", false)
}

fn last_updated_in_epoch(object: &Entries) -> Result<(), String> {
    non_negative_integer(object, "LastUpdatedInEpoch", true)
}

fn triggering_message_ids(object: &Entries) -> Result<(), String> {
    const KEY: &str = "TriggeringMessageIds";
    let value = lookup(object, KEY);
    match value {
        Some(Json::Array(items))
            if !items.is_empty()
                && items
                    .iter()
                    .all(|i| matches!(i, Json::String(s) if !s.is_empty())) =>
        {
            Ok(())
        }
        Some(Json::Array(items)) if items.is_empty() => fail(KEY, "a non-empty array", value),
        Some(Json::Array(_)) => Err(format!("{KEY} items must be non-empty strings")),
        _ => fail(KEY, "a non-empty array of non-empty strings", value),
    }
}

fn warnings(object: &Entries) -> Result<(), String> {
    const KEY: &str = "Warnings";
    let known = |item: &Json| {
        item.as_str()
            .is_some_and(|s| WARNING_PREFIXES.iter().any(|p| s.starts_with(p)))
    };
    match lookup(object, KEY) {
        None | Some(Json::Null) => Ok(()),
        Some(Json::Array(items)) => match items.iter().find(|item| !known(item)) {
            None => Ok(()),
            Some(item) => fail(
                &format!("{KEY} items"),
                "strings starting with warning.<kind>",
                Some(item),
            ),
        },
        other => fail(KEY, "an array", other),
    }
}

fn iteration_status(object: &Entries) -> Result<(), String> {
    one_of(object, "IterationStatus", &["intermediate", "final"], true)
}

fn datetime(object: &Entries, key: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let value = lookup(object, key);
    match value
        .and_then(Json::as_str)
        .and_then(parse_message_datetime)
    {
        Some(t) => Ok(t),
        None => fail(key, "a datetime string", value),
    }
}

fn start_time(object: &Entries) -> Result<(), String> {
    datetime(object, "StartTime").map(drop)
}

/// `EndTime` parses and is later than `StartTime` (equal fails). Runs after `StartTime`.
fn end_time(object: &Entries) -> Result<(), String> {
    let end = datetime(object, "EndTime")?;
    match datetime(object, "StartTime") {
        Ok(start) if start < end => Ok(()),
        Ok(_) => Err("EndTime must be later than StartTime".to_owned()),
        Err(e) => Err(e),
    }
}

fn status_value(object: &Entries) -> Result<(), String> {
    one_of(object, "Value", &["ready", "error"], false)
}
