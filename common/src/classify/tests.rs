use serde_json::{json, Value};

use super::*;

mod decision;
mod known_types;

const SIM: &str = "2020-06-03T04:01:52.345Z";

fn body(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

fn base(type_name: &str) -> Value {
    let mut v = json!({"Type": type_name, "SimulationId": SIM, "SourceProcessId": "p1", "MessageId": "p1-1"});
    let extra = match type_name {
        "SimState" => json!({"SimulationState": "running", "Name": "n", "Description": "d"}),
        "Epoch" => json!({"EpochNumber": 1, "TriggeringMessageIds": ["m-1"],
            "StartTime": "2020-06-03T13:00:00Z", "EndTime": "2020-06-03T14:00:00Z"}),
        "Status" => json!({"EpochNumber": 1, "TriggeringMessageIds": ["m-1"], "Value": "ready"}),
        _ => json!({"EpochNumber": 1, "TriggeringMessageIds": ["m-1"]}),
    };
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    v
}

/// `base(type_name)` with `key` set to `value`, or removed when `value` is `None`.
fn with(type_name: &str, key: &str, value: Option<Value>) -> Value {
    let mut v = base(type_name);
    let map = v.as_object_mut().unwrap();
    match value {
        Some(value) => _ = map.insert(key.to_owned(), value),
        None => _ = map.remove(key),
    }
    v
}

fn role_of(value: &Value) -> Role {
    match classify(&body(value)) {
        Classified::Valid(ValidMessage { role, .. }) => role,
        other => panic!("{value} should be valid, got {other:?}"),
    }
}

fn invalid_reason(body: &[u8]) -> InvalidReason {
    match classify(body) {
        Classified::NotUtf8 => InvalidReason::NotUtf8,
        Classified::Text { reason, .. }
        | Classified::InvalidObject(InvalidObject { reason, .. }) => reason,
        other => panic!(
            "{:?} should be invalid, got {other:?}",
            String::from_utf8_lossy(body)
        ),
    }
}

fn failed_check(value: &Value) -> &'static str {
    match role_of(value) {
        Role::Generic { malformed: Some(m) } => m.check,
        other => panic!("{value} should be malformed, got {other:?}"),
    }
}

fn assert_well_formed(value: &Value) {
    let role = role_of(value);
    assert!(
        !matches!(role, Role::Generic { .. }),
        "{value} should be well-formed, got {role:?}"
    );
}

#[test]
fn reason_codes_are_the_spec_spellings() {
    use InvalidReason::*;
    let codes = [
        (NotUtf8, "not-utf8"),
        (NotJson, "not-json"),
        (TooDeep, "too-deep"),
        (NotObject, "not-object"),
        (TypeMissing, "type-missing"),
        (SimulationIdMissing, "simulation-id-missing"),
        (SimulationIdUnparseable, "simulation-id-unparseable"),
        (TimestampNotString, "timestamp-not-string"),
        (TimestampUnparseable, "timestamp-unparseable"),
        (RefusedKey, "refused-key"),
        (ReservedId, "reserved-id"),
        (IntegerOutOfRange, "integer-out-of-range"),
        (TooLarge, "too-large"),
        (ServerRejected, "server-rejected"),
    ];
    for (reason, code) in codes {
        assert_eq!(reason.code(), code);
    }
}
