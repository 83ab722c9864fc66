use serde_json::json;

use super::*;

#[test]
fn row_1_bodies_that_are_not_utf8() {
    for bytes in [
        &b"\xff\xfe"[..],
        b"\xc0\xaf",
        b"\xed\xa0\x80",
        b"{\"a\":\"\xe2\x82\"}",
        b"\xe2\x82",
        b"\xf8\x88\x80\x80\x80",
    ] {
        assert_eq!(classify(bytes), Classified::NotUtf8, "{bytes:?}");
    }
}

#[test]
fn row_2_text_that_is_not_json() {
    for text in [
        "",
        "Ready",
        "\u{feff}{}",
        "{'Type': 'x'}",
        "{} x",
        "{\"a\":1}}",
        "[1,]",
        "\"\\ud800\"",
        "\"a\u{1}\"",
    ] {
        assert_eq!(
            classify(text.as_bytes()),
            Classified::Text {
                text,
                reason: InvalidReason::NotJson
            }
        );
    }
}

#[test]
fn row_3_json_deeper_than_90_levels() {
    let deep = format!(
        "{{\"Type\":\"x\",\"a\":{}{}}}",
        "[".repeat(90),
        "]".repeat(90)
    );
    assert_eq!(invalid_reason(deep.as_bytes()), InvalidReason::TooDeep);
    let deep_and_broken = format!("{}{}x", "[".repeat(91), "]".repeat(91));
    assert_eq!(
        invalid_reason(deep_and_broken.as_bytes()),
        InvalidReason::NotJson
    );
}

#[test]
fn row_4_json_that_is_not_an_object() {
    for text in [
        "[1,2]", "\"x\"", "42", "true", "false", "null", "1.5", "NaN",
    ] {
        assert_eq!(
            classify(text.as_bytes()),
            Classified::Text {
                text,
                reason: InvalidReason::NotObject
            }
        );
    }
}

#[test]
fn row_5_type_missing_not_a_string_or_empty() {
    for ty in [
        None,
        Some(json!("")),
        Some(json!(5)),
        Some(json!(null)),
        Some(json!(["Epoch"])),
    ] {
        let v = with("Result", "Type", ty);
        assert_eq!(invalid_reason(&body(&v)), InvalidReason::TypeMissing, "{v}");
    }
}

#[test]
fn row_6_simulation_id_missing_or_not_a_string() {
    for id in [None, Some(json!(5)), Some(json!(null)), Some(json!({}))] {
        let v = with("Result", "SimulationId", id);
        assert_eq!(
            invalid_reason(&body(&v)),
            InvalidReason::SimulationIdMissing,
            "{v}"
        );
    }
}

#[test]
fn row_7_simulation_id_that_does_not_parse() {
    for id in [
        "not-a-date",
        "",
        "2020-06-03T24:00:00Z",
        "2020-06-03T04:01:52z",
    ] {
        let v = with("Result", "SimulationId", Some(json!(id)));
        assert_eq!(
            invalid_reason(&body(&v)),
            InvalidReason::SimulationIdUnparseable,
            "{v}"
        );
    }
}

#[test]
fn row_8_timestamp_that_is_not_a_string() {
    for ts in [json!(null), json!(123), json!([]), json!({}), json!(true)] {
        let v = with("Result", "Timestamp", Some(ts));
        assert_eq!(
            invalid_reason(&body(&v)),
            InvalidReason::TimestampNotString,
            "{v}"
        );
    }
}

#[test]
fn row_9_timestamp_that_does_not_parse() {
    let v = with("Result", "Timestamp", Some(json!("yesterday")));
    assert_eq!(
        invalid_reason(&body(&v)),
        InvalidReason::TimestampUnparseable
    );
}

#[test]
fn earlier_rows_win() {
    let v = json!({"Timestamp": 1, "SimulationId": 2});
    assert_eq!(invalid_reason(&body(&v)), InvalidReason::TypeMissing);
    let v = json!({"Type": "x", "Timestamp": 1, "SimulationId": "nope"});
    assert_eq!(
        invalid_reason(&body(&v)),
        InvalidReason::SimulationIdUnparseable
    );
    let v = json!({"Type": "x", "Timestamp": "nope", "SimulationId": 2});
    assert_eq!(
        invalid_reason(&body(&v)),
        InvalidReason::SimulationIdMissing
    );
}

#[test]
fn invalid_objects_keep_a_parseable_timestamp() {
    let v = json!({"Type": "x", "Timestamp": "2020-06-03T04:01:53+01:00"});
    let Classified::InvalidObject(InvalidObject {
        timestamp, reason, ..
    }) = classify(&body(&v))
    else {
        panic!()
    };
    assert_eq!(reason, InvalidReason::SimulationIdMissing);
    assert_eq!(
        timestamp.map(format_normalised).as_deref(),
        Some("2020-06-03T03:01:53.000Z")
    );
    let v = json!({"Type": "x", "SimulationId": SIM, "Timestamp": "yesterday"});
    let Classified::InvalidObject(InvalidObject { timestamp, .. }) = classify(&body(&v)) else {
        panic!()
    };
    assert_eq!(timestamp, None);
}

#[test]
fn valid_messages_carry_the_normalised_ids() {
    let v = json!({"Type": "General", "SimulationId": "2020-06-03T04:01:52Z",
        "Timestamp": "2020-06-03T04:01:52.3456789+03:00"});
    let Classified::Valid(ValidMessage {
        simulation_id,
        timestamp,
        role,
        ..
    }) = classify(&body(&v))
    else {
        panic!()
    };
    assert_eq!(simulation_id, "2020-06-03T04:01:52.000Z");
    assert_eq!(
        timestamp.map(format_normalised).as_deref(),
        Some("2020-06-03T01:01:52.345Z")
    );
    assert_eq!(role, Role::Generic { malformed: None });
    let v = json!({"Type": "x", "SimulationId": SIM});
    assert!(matches!(
        classify(&body(&v)),
        Classified::Valid(ValidMessage {
            timestamp: None,
            ..
        })
    ));
}

#[test]
fn spec_datetime_examples_decide_validity_and_the_collection_id() {
    let accepted = [
        ("2020-06-03T04:01:52.345Z", "2020-06-03T04:01:52.345Z"),
        ("2020-06-03T04:01:52Z", "2020-06-03T04:01:52.000Z"),
        ("2020-06-03T04:01:52.3456789Z", "2020-06-03T04:01:52.345Z"),
        ("2020-06-03T04:01:52.1Z", "2020-06-03T04:01:52.100Z"),
        (
            "2020-06-03T04:01:52.999999-00:30",
            "2020-06-03T04:31:52.999Z",
        ),
        ("2020-06-03 04:01:52+03:00", "2020-06-03T01:01:52.000Z"),
        ("2020-06-03T23:30:00-01:00", "2020-06-04T00:30:00.000Z"),
        ("2020-06-03T04:01:52", "2020-06-03T04:01:52.000Z"),
        ("2020-06-03T04", "2020-06-03T04:00:00.000Z"),
        ("2020-06-03T04:01", "2020-06-03T04:01:00.000Z"),
        ("2020-06-03", "2020-06-03T00:00:00.000Z"),
        ("2020-06-03X04:01:52", "2020-06-03T04:01:52.000Z"),
        ("2020-06-03Z", "2020-06-03T00:00:00.000Z"),
        ("2020-06-03T04:01:52+05:30:15", "2020-06-02T22:31:37.000Z"),
    ];
    for (input, normalised) in accepted {
        let v = json!({"Type": "x", "SimulationId": input, "Timestamp": input});
        let Classified::Valid(ValidMessage {
            simulation_id,
            timestamp,
            ..
        }) = classify(&body(&v))
        else {
            panic!("{input} should be valid")
        };
        assert_eq!(simulation_id, normalised);
        assert_eq!(
            timestamp.map(format_normalised).as_deref(),
            Some(normalised)
        );
    }
    let rejected = [
        "",
        " 2020-06-03",
        "2020-06-03 ",
        "2020-6-3",
        "20200603",
        "2020-W23-3",
        "2020-155",
        "2020-02-30",
        "0000-01-01",
        "2020-13-01",
        "2020-06-03T24:00:00Z",
        "2020-06-03T04:01:60Z",
        "2020-06-03T04:60",
        "2020-06-03T04:01:52,345Z",
        "2020-06-03T04:01:52.Z",
        "2020-06-03T04:01:52.1234567890Z",
        "2020-06-03T04:01:52z",
        "2020-06-03T04:01:52+0300",
        "2020-06-03T04:01:52+03",
        "2020-06-03T04:01:52+24:00",
        "2020-06-03T04:01:52ZZ",
        "2020-06-03T04:01:52Z+01:00",
        "2020-06-0310:01:52.345Z",
        "0001-01-01T00:00:00+01:00",
    ];
    for input in rejected {
        let v = json!({"Type": "x", "SimulationId": input});
        assert_eq!(
            invalid_reason(&body(&v)),
            InvalidReason::SimulationIdUnparseable,
            "{input}"
        );
        let v = json!({"Type": "x", "SimulationId": SIM, "Timestamp": input});
        assert_eq!(
            invalid_reason(&body(&v)),
            InvalidReason::TimestampUnparseable,
            "{input}"
        );
    }
}
