use serde_json::{json, Value};

use super::*;

#[test]
fn row_12_other_types_are_generic_whatever_they_hold() {
    for ty in ["ResourceState", "General", "epoch", "SIMSTATE", "Result "] {
        let v = json!({"Type": ty, "SimulationId": SIM, "EpochNumber": -1});
        assert_eq!(role_of(&v), Role::Generic { malformed: None }, "{ty}");
    }
}

#[test]
fn row_11_well_formed_roles() {
    let role = role_of(&base("SimState"));
    let expected = Role::SimState {
        stopped: false,
        source_process_id: "p1".into(),
        name: Some("n".into()),
        description: Some("d".into()),
    };
    assert_eq!(role, expected);
    let mut stopped = with("SimState", "SimulationState", Some(json!("stopped")));
    stopped["Name"] = json!(null);
    stopped.as_object_mut().unwrap().remove("Description");
    let expected = Role::SimState {
        stopped: true,
        source_process_id: "p1".into(),
        name: None,
        description: None,
    };
    assert_eq!(role_of(&stopped), expected);
    let epoch = with("Epoch", "EpochNumber", Some(json!(7)));
    assert_eq!(
        role_of(&epoch),
        Role::Epoch {
            epoch_number: 7,
            source_process_id: "p1".into()
        }
    );
    for ty in ["Status", "Result"] {
        let v = with(ty, "EpochNumber", Some(json!(0)));
        assert_eq!(
            role_of(&v),
            Role::StatusOrResult {
                epoch_number: 0,
                source_process_id: "p1".into()
            }
        );
    }
}

#[test]
fn row_11_optional_attributes_pass_when_absent_null_or_valid() {
    let passing: &[(&str, &str, Option<Value>)] = &[
        ("SimState", "Name", None),
        ("SimState", "Name", Some(json!(null))),
        ("SimState", "Description", Some(json!(null))),
        ("SimState", "Description", Some(json!(""))),
        ("Status", "Description", Some(json!("why"))),
        ("Status", "Description", Some(json!(null))),
        ("Result", "Warnings", Some(json!([]))),
        ("Result", "Warnings", Some(json!(null))),
        ("Epoch", "Warnings", Some(json!(["warning.convergenceXYZ"]))),
        (
            "Status",
            "Warnings",
            Some(json!([
                "warning.convergence",
                "warning.input",
                "warning.input-range",
                "warning.input-unreliable",
                "warning.internal",
                "warning.other",
                "warning.other.x"
            ])),
        ),
        ("Result", "LastUpdatedInEpoch", Some(json!(0))),
        (
            "Result",
            "LastUpdatedInEpoch",
            Some(json!(9_000_000_000_i64)),
        ),
        ("Epoch", "LastUpdatedInEpoch", Some(json!(null))),
        ("Result", "IterationStatus", Some(json!("intermediate"))),
        ("Status", "IterationStatus", Some(json!("final"))),
        ("Epoch", "IterationStatus", Some(json!(null))),
        ("Result", "EpochNumber", Some(json!(0))),
        ("Result", "MessageId", Some(json!("any format"))),
        ("Result", "TriggeringMessageIds", Some(json!(["a", "b"]))),
        ("Status", "Value", Some(json!("error"))),
        (
            "Epoch",
            "StartTime",
            Some(json!("2020-06-03T13:59:59.999+00:00")),
        ),
        ("Result", "extra", Some(json!({"anything": [1, null]}))),
    ];
    for (ty, key, value) in passing {
        assert_well_formed(&with(ty, key, value.clone()));
    }
}

/// Failing variants as (type, attribute, JSON value or "" to remove it, expected check).
const FAILING: &[(&str, &str, &str, &str)] = &[
    (
        "SimState",
        "SourceProcessId",
        "",
        "SimState.SourceProcessId",
    ),
    ("Epoch", "SourceProcessId", r#""""#, "Epoch.SourceProcessId"),
    ("Status", "SourceProcessId", "5", "Status.SourceProcessId"),
    (
        "Result",
        "SourceProcessId",
        "null",
        "Result.SourceProcessId",
    ),
    ("SimState", "MessageId", r#""""#, "SimState.MessageId"),
    ("Epoch", "MessageId", "", "Epoch.MessageId"),
    ("Status", "MessageId", "1", "Status.MessageId"),
    ("Result", "MessageId", "null", "Result.MessageId"),
    (
        "SimState",
        "SimulationState",
        r#""paused""#,
        "SimState.SimulationState",
    ),
    (
        "SimState",
        "SimulationState",
        r#""Running""#,
        "SimState.SimulationState",
    ),
    (
        "SimState",
        "SimulationState",
        "",
        "SimState.SimulationState",
    ),
    (
        "SimState",
        "SimulationState",
        "null",
        "SimState.SimulationState",
    ),
    ("SimState", "Name", "5", "SimState.Name"),
    (
        "SimState",
        "Description",
        r#"["d"]"#,
        "SimState.Description",
    ),
    ("Epoch", "EpochNumber", "-1", "Epoch.EpochNumber"),
    ("Epoch", "EpochNumber", "1.0", "Epoch.EpochNumber"),
    ("Epoch", "EpochNumber", "1e0", "Epoch.EpochNumber"),
    ("Status", "EpochNumber", "true", "Status.EpochNumber"),
    ("Status", "EpochNumber", "false", "Status.EpochNumber"),
    ("Result", "EpochNumber", r#""1""#, "Result.EpochNumber"),
    ("Result", "EpochNumber", "", "Result.EpochNumber"),
    ("Result", "EpochNumber", "null", "Result.EpochNumber"),
    (
        "Result",
        "EpochNumber",
        "9223372036854775808",
        "Result.EpochNumber",
    ),
    (
        "Epoch",
        "LastUpdatedInEpoch",
        "-1",
        "Epoch.LastUpdatedInEpoch",
    ),
    (
        "Status",
        "LastUpdatedInEpoch",
        "1.5",
        "Status.LastUpdatedInEpoch",
    ),
    (
        "Result",
        "LastUpdatedInEpoch",
        r#""1""#,
        "Result.LastUpdatedInEpoch",
    ),
    (
        "Epoch",
        "TriggeringMessageIds",
        "[]",
        "Epoch.TriggeringMessageIds",
    ),
    (
        "Status",
        "TriggeringMessageIds",
        "",
        "Status.TriggeringMessageIds",
    ),
    (
        "Result",
        "TriggeringMessageIds",
        r#"[""]"#,
        "Result.TriggeringMessageIds",
    ),
    (
        "Result",
        "TriggeringMessageIds",
        r#"["a", 1]"#,
        "Result.TriggeringMessageIds",
    ),
    (
        "Result",
        "TriggeringMessageIds",
        r#""a""#,
        "Result.TriggeringMessageIds",
    ),
    (
        "Result",
        "TriggeringMessageIds",
        "null",
        "Result.TriggeringMessageIds",
    ),
    ("Epoch", "Warnings", r#"["someWarning"]"#, "Epoch.Warnings"),
    ("Status", "Warnings", "[1]", "Status.Warnings"),
    (
        "Result",
        "Warnings",
        r#"["warning.other", null]"#,
        "Result.Warnings",
    ),
    (
        "Result",
        "Warnings",
        r#""warning.other""#,
        "Result.Warnings",
    ),
    (
        "Result",
        "Warnings",
        r#"["Warning.other"]"#,
        "Result.Warnings",
    ),
    ("Result", "Warnings", r#"["warning"]"#, "Result.Warnings"),
    (
        "Epoch",
        "IterationStatus",
        r#""done""#,
        "Epoch.IterationStatus",
    ),
    ("Result", "IterationStatus", "1", "Result.IterationStatus"),
    ("Epoch", "StartTime", "", "Epoch.StartTime"),
    ("Epoch", "StartTime", r#""tomorrow""#, "Epoch.StartTime"),
    ("Epoch", "StartTime", "5", "Epoch.StartTime"),
    ("Epoch", "StartTime", "null", "Epoch.StartTime"),
    ("Epoch", "EndTime", "", "Epoch.EndTime"),
    (
        "Epoch",
        "EndTime",
        r#""2020-06-03T25:00:00Z""#,
        "Epoch.EndTime",
    ),
    (
        "Epoch",
        "EndTime",
        r#""2020-06-03T13:00:00Z""#,
        "Epoch.EndTime",
    ),
    (
        "Epoch",
        "EndTime",
        r#""2020-06-03T12:59:59Z""#,
        "Epoch.EndTime",
    ),
    (
        "Epoch",
        "EndTime",
        r#""2020-06-03T14:00:00+01:00""#,
        "Epoch.EndTime",
    ),
    ("Status", "Value", r#""ok""#, "Status.Value"),
    ("Status", "Value", "", "Status.Value"),
    ("Status", "Description", "5", "Status.Description"),
];

/// `base(type_name)` with `key` replaced by the JSON text `value` ("" removes it). The text
/// is spliced in so that literals `serde_json` cannot hold (big integers, `1e0`) stay as
/// written.
fn body_with(type_name: &str, key: &str, value: &str) -> String {
    let mut v = with(type_name, key, None);
    if value.is_empty() {
        return v.to_string();
    }
    v[key] = json!("@@");
    v.to_string().replace(r#""@@""#, value)
}

#[test]
fn row_10_each_failed_check_is_named() {
    for (ty, key, value, check) in FAILING {
        let text = body_with(ty, key, value);
        match classify(text.as_bytes()) {
            Classified::Valid(ValidMessage {
                role: Role::Generic { malformed: Some(m) },
                ..
            }) => {
                assert_eq!(m.check, *check, "{text}");
                assert_eq!(m.type_name, *ty);
            }
            other => panic!("{text} should be malformed, got {other:?}"),
        }
    }
}

#[test]
fn row_10_only_the_first_failed_check_is_reported() {
    let mut v = with("Epoch", "EpochNumber", Some(json!(-1)));
    v["Warnings"] = json!(["bad"]);
    v["SourceProcessId"] = json!("");
    assert_eq!(failed_check(&v), "Epoch.SourceProcessId");
    v["SourceProcessId"] = json!("p1");
    assert_eq!(failed_check(&v), "Epoch.EpochNumber");
}

#[test]
fn malformed_reports_type_detail_and_message_id() {
    let v = with("SimState", "SimulationState", Some(json!("paused")));
    let Role::Generic { malformed: Some(m) } = role_of(&v) else {
        panic!()
    };
    assert_eq!(m.type_name, "SimState");
    assert_eq!(m.message_id.as_deref(), Some("p1-1"));
    assert!(
        m.detail.contains("SimulationState") && m.detail.contains("paused"),
        "{}",
        m.detail
    );
    let v = with("Result", "MessageId", Some(json!(7)));
    let Role::Generic { malformed: Some(m) } = role_of(&v) else {
        panic!()
    };
    assert_eq!((m.check, m.message_id), ("Result.MessageId", None));
    let v = with("Epoch", "EndTime", Some(json!("2020-06-03T13:00:00Z")));
    let Role::Generic { malformed: Some(m) } = role_of(&v) else {
        panic!()
    };
    assert!(m.detail.contains("later"), "{}", m.detail);
}
