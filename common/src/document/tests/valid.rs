//! Valid documents (docs/spec/messages.md §6.1) and the JSON to BSON mapping.

use bson::{doc, Bson};

use super::*;

#[test]
fn the_spec_example_is_reproduced_exactly() {
    let body = r#"{"Type": "Result", "SimulationId": "2020-06-03T04:01:52.345Z", "SourceProcessId": "battery1",
 "MessageId": "battery1-1", "EpochNumber": 1, "TriggeringMessageIds": ["SimulationManager-2"],
 "Warnings": [], "batteryState": {"TimeIndex": ["2020-06-03T13:00:00Z"],
 "Series": {"chargePercentage": {"UnitOfMeasure": "%", "Values": [90]}}}}"#;
    let ingested = run("energy.storage.state", body);
    let id = message_id(b"energy.storage.state", body.as_bytes());
    let expected = doc! {
        "_id": id, "Type": "Result", "SimulationId": "2020-06-03T04:01:52.345Z",
        "SourceProcessId": "battery1", "MessageId": "battery1-1", "EpochNumber": 1_i32,
        "TriggeringMessageIds": ["SimulationManager-2"], "Warnings": [],
        "batteryState": { "TimeIndex": ["2020-06-03T13:00:00Z"],
            "Series": { "chargePercentage": { "UnitOfMeasure": "%", "Values": [90_i32] } } },
        "Timestamp": now_date(), "Topic": "energy.storage.state",
    };
    let Outcome::Valid {
        doc,
        simulation_id,
        timestamp,
        role,
    } = ingested.outcome
    else {
        panic!("valid")
    };
    // Built once as raw BSON: the very bytes the `Document` encoder gives, key order included.
    assert_eq!(doc.as_bytes(), bson::to_vec(&expected).unwrap().as_slice());
    assert_same(&plain(&doc), &expected);
    assert_eq!(simulation_id, SIM);
    assert_eq!(Bson::DateTime(timestamp.into()), now_date());
    let role_expected = Role::StatusOrResult {
        epoch_number: 1,
        source_process_id: "battery1".into(),
    };
    assert_eq!(role, role_expected);
    assert_eq!(ingested.topic, "energy.storage.state");
}

#[test]
fn ids_timestamps_and_epoch_times_are_converted_in_place() {
    let body = r#"{"StartTime":"2020-06-03T13:00:00+01:00","Timestamp":"2020-06-03T04:01:52.3456789+03:00",
        "Type":"Epoch","EndTime":"2020-06-03T14:00:00","SimulationId":"2020-06-03T04:01:52Z","x":1}"#;
    let expected = doc! {
        "_id": message_id(b"t", body.as_bytes()), "StartTime": date("2020-06-03T12:00:00Z"),
        "Timestamp": date("2020-06-03T01:01:52.345Z"), "Type": "Epoch",
        "EndTime": date("2020-06-03T14:00:00Z"), "SimulationId": "2020-06-03T04:01:52.000Z", "x": 1,
        "Topic": "t",
    };
    assert_same(&valid_doc(body), &expected);
    let Outcome::Valid {
        simulation_id,
        timestamp,
        ..
    } = run("t", body).outcome
    else {
        panic!()
    };
    assert_eq!(simulation_id, "2020-06-03T04:01:52.000Z");
    assert_eq!(
        crate::time::format_normalised(timestamp),
        "2020-06-03T01:01:52.345Z"
    );
}

#[test]
fn epoch_times_that_do_not_parse_or_are_nested_stay_as_sent() {
    let body = format!(
        r#"{{"Type":"Epoch","SimulationId":"{SIM}","StartTime":"soon","EndTime":5,
        "block":{{"StartTime":"2020-06-03T13:00:00Z","TimeIndex":["2020-06-03T13:00:00Z"]}}}}"#
    );
    let doc = valid_doc(&body);
    assert_eq!(doc.get("StartTime"), Some(&Bson::String("soon".into())));
    assert_eq!(doc.get("EndTime"), Some(&Bson::Int32(5)));
    let block = doc.get_document("block").unwrap();
    assert_same(
        block,
        &doc! {"StartTime": "2020-06-03T13:00:00Z", "TimeIndex": ["2020-06-03T13:00:00Z"]},
    );
}

#[test]
fn epoch_times_convert_for_every_valid_type() {
    let body = format!(r#"{{"Type":"General","SimulationId":"{SIM}","EndTime":"2020-06-03"}}"#);
    assert_eq!(
        valid_doc(&body).get("EndTime"),
        Some(&date("2020-06-03T00:00:00Z"))
    );
}

#[test]
fn missing_timestamp_is_appended_before_the_appended_topic() {
    let body = format!(r#"{{"Type":"x","SimulationId":"{SIM}","z":null}}"#);
    let doc = valid_doc(&body);
    assert_eq!(
        keys(&doc),
        ["_id", "Type", "SimulationId", "z", "Timestamp", "Topic"]
    );
    assert_eq!(doc.get("Timestamp"), Some(&now_date()));
    assert_eq!(doc.get("z"), Some(&Bson::Null));
}

#[test]
fn an_existing_topic_is_overwritten_in_place() {
    let body = format!(r#"{{"Topic":{{"a":1}},"Type":"x","SimulationId":"{SIM}"}}"#);
    let doc = valid_doc(&body);
    assert_eq!(
        keys(&doc),
        ["_id", "Topic", "Type", "SimulationId", "Timestamp"]
    );
    assert_eq!(doc.get_str("Topic").unwrap(), "t");
    let body = format!(r#"{{"Type":"x","Timestamp":"{SIM}","SimulationId":"{SIM}"}}"#);
    assert_eq!(
        keys(&valid_doc(&body)),
        ["_id", "Type", "Timestamp", "SimulationId", "Topic"]
    );
}

#[test]
fn known_types_keep_extras_nulls_and_empty_warnings_in_order() {
    let body = format!(
        r#"{{"zeta":1,"Type":"SimState","SimulationId":"{SIM}","SourceProcessId":"sm","MessageId":"sm-1",
        "SimulationState":"running","Name":null,"Description":"d","extra":[true,false,null]}}"#
    );
    let doc = valid_doc(&body);
    let expected = [
        "_id",
        "zeta",
        "Type",
        "SimulationId",
        "SourceProcessId",
        "MessageId",
        "SimulationState",
        "Name",
        "Description",
        "extra",
        "Timestamp",
        "Topic",
    ];
    assert_eq!(keys(&doc), expected);
    assert_eq!(doc.get("Name"), Some(&Bson::Null));
    assert_eq!(
        doc.get_array("extra").unwrap(),
        &vec![Bson::Boolean(true), Bson::Boolean(false), Bson::Null]
    );
}

#[test]
fn integers_map_to_int32_or_int64_and_fractions_to_double() {
    let body = format!(
        r#"{{"Type":"x","SimulationId":"{SIM}","a":2147483647,"b":2147483648,"c":-2147483648,
        "d":-2147483649,"e":1.0,"f":-0,"g":9223372036854775807,"h":-9223372036854775808,"i":1e2,"j":-0.0}}"#
    );
    let doc = valid_doc(&body);
    assert_eq!(doc.get("a"), Some(&Bson::Int32(i32::MAX)));
    assert_eq!(doc.get("b"), Some(&Bson::Int64(2_147_483_648)));
    assert_eq!(doc.get("c"), Some(&Bson::Int32(i32::MIN)));
    assert_eq!(doc.get("d"), Some(&Bson::Int64(-2_147_483_649)));
    assert_eq!(doc.get("e"), Some(&Bson::Double(1.0)));
    assert_eq!(doc.get("f"), Some(&Bson::Int32(0)));
    assert_eq!(doc.get("g"), Some(&Bson::Int64(i64::MAX)));
    assert_eq!(doc.get("h"), Some(&Bson::Int64(i64::MIN)));
    assert_eq!(doc.get("i"), Some(&Bson::Double(100.0)));
    assert!(matches!(doc.get("j"), Some(Bson::Double(z)) if *z == 0.0 && z.is_sign_negative()));
}

#[test]
fn nan_infinity_and_overflow_are_stored_as_doubles() {
    let body = format!(
        r#"{{"Type":"x","SimulationId":"{SIM}","n":NaN,"p":Infinity,"m":-Infinity,"big":1e400,"l":[-1e400]}}"#
    );
    let doc = valid_doc(&body);
    assert!(matches!(doc.get("n"), Some(Bson::Double(d)) if d.is_nan()));
    assert_eq!(doc.get("p"), Some(&Bson::Double(f64::INFINITY)));
    assert_eq!(doc.get("m"), Some(&Bson::Double(f64::NEG_INFINITY)));
    assert_eq!(doc.get("big"), Some(&Bson::Double(f64::INFINITY)));
    assert_eq!(
        doc.get_array("l").unwrap(),
        &vec![Bson::Double(f64::NEG_INFINITY)]
    );
}

#[test]
fn duplicate_keys_store_the_last_value_at_the_first_position() {
    let body = format!(r#"{{"a":1,"Type":"x","b":2,"SimulationId":"{SIM}","a":3}}"#);
    let doc = valid_doc(&body);
    assert_eq!(
        keys(&doc),
        [
            "_id",
            "a",
            "Type",
            "b",
            "SimulationId",
            "Timestamp",
            "Topic"
        ]
    );
    assert_eq!(doc.get("a"), Some(&Bson::Int32(3)));
}

#[test]
fn strings_keep_unicode_nul_and_escapes() {
    let body = format!(
        r#"{{"Type":"x","SimulationId":"{SIM}","s":"é\u0000\ud83d\ude00\n","":"empty key"}}"#
    );
    let doc = valid_doc(&body);
    assert_eq!(doc.get_str("s").unwrap(), "é\0😀\n");
    assert_eq!(doc.get_str("").unwrap(), "empty key");
}

#[test]
fn nesting_90_levels_deep_is_stored() {
    // The top-level object is level 1, so 89 nested arrays reach level 90.
    let body = format!(
        r#"{{"Type":"x","SimulationId":"{SIM}","a":{}1{}}}"#,
        "[".repeat(89),
        "]".repeat(89)
    );
    let mut value = valid_doc(&body).get("a").cloned().unwrap();
    let mut levels = 1;
    while let Bson::Array(items) = value {
        levels += 1;
        value = items.into_iter().next().unwrap();
    }
    assert_eq!((levels, value), (90, Bson::Int32(1)));
}

#[test]
fn now_is_truncated_to_milliseconds() {
    let body = format!(r#"{{"Type":"x","SimulationId":"{SIM}"}}"#);
    let Outcome::Valid { timestamp, doc, .. } = run("t", &body).outcome else {
        panic!()
    };
    assert_eq!(timestamp.timestamp_subsec_nanos(), 678_000_000);
    assert_eq!(plain(&doc).get("Timestamp"), Some(&now_date()));
}
