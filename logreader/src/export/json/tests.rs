use bson::{doc, oid::ObjectId, spec::BinarySubtype, Binary, Bson, Decimal128, Regex, Timestamp};

use super::*;

fn nested() -> Document {
    doc! {
        "b": [1, {"z": [], "a": {}}, [2, [3]]],
        "a": "x",
        "B": {"k": Bson::Null, "j": true},
    }
}

/// The same value as `json.dumps(v, indent=4, sort_keys=True)` writes it.
const NESTED_PRETTY: &str = r#"{
    "B": {
        "j": true,
        "k": null
    },
    "a": "x",
    "b": [
        1,
        {
            "a": {},
            "z": []
        },
        [
            2,
            [
                3
            ]
        ]
    ]
}"#;

#[test]
fn compact_output_sorts_keys_and_has_no_whitespace() {
    assert_eq!(
        document_to_json(&nested(), false),
        r#"{"B":{"j":true,"k":null},"a":"x","b":[1,{"a":{},"z":[]},[2,[3]]]}"#
    );
}

#[test]
fn pretty_output_is_the_original_layout() {
    assert_eq!(document_to_json(&nested(), true), NESTED_PRETTY);
}

#[test]
fn pretty_array_of_the_spec_example_is_byte_identical() {
    let message = doc! {
        "Warnings": [],
        "Timestamp": bson::DateTime::from_millis(1_591_156_916_000),
        "EpochNumber": 1,
    };
    let mut out = String::new();
    let mut writer = ArrayWriter::new(true);
    writer.open(&mut out);
    writer.push_document(&mut out, &message);
    writer.close(&mut out);
    let expected = "[\n    {\n        \"EpochNumber\": 1,\n        \"Timestamp\": \
                    \"2020-06-03T04:01:56Z\",\n        \"Warnings\": []\n    }\n]";
    assert_eq!(out, expected);
}

#[test]
fn array_writer_matches_the_whole_array_serialisation() {
    let docs = [nested(), Document::new()];
    for pretty in [false, true] {
        let mut streamed = String::new();
        let mut writer = ArrayWriter::new(pretty);
        writer.open(&mut streamed);
        for doc in &docs {
            writer.push_document(&mut streamed, doc);
        }
        assert_eq!(writer.len(), 2);
        writer.close(&mut streamed);
        let whole = Bson::Array(docs.iter().cloned().map(Bson::Document).collect());
        assert_eq!(streamed, to_json(&whole, pretty));
    }
}

#[test]
fn empty_arrays_are_brackets_in_both_layouts() {
    for pretty in [false, true] {
        let mut out = String::new();
        let writer = ArrayWriter::new(pretty);
        assert!(writer.is_empty());
        writer.open(&mut out);
        writer.close(&mut out);
        assert_eq!(out, "[]");
    }
}

#[test]
fn keys_sort_by_code_point() {
    let doc = doc! {"é": 1, "b": 2, "Z": 3, "_": 4, "a": 5, "": 6};
    assert_eq!(
        document_to_json(&doc, false),
        r#"{"":6,"Z":3,"_":4,"a":5,"b":2,"é":1}"#
    );
}

#[test]
fn strings_use_the_spec_escapes() {
    let text = "\u{0}\u{1f}\u{7f}/é\u{2028}\"\\\u{8}\u{c}\n\r\t";
    assert_eq!(
        to_json(&Bson::String(text.into()), false),
        "\"\\u0000\\u001f\u{7f}/é\u{2028}\\\"\\\\\\b\\f\\n\\r\\t\""
    );
}

#[test]
fn control_escapes_use_lowercase_hex() {
    assert_eq!(
        to_json(&Bson::String("\u{1b}".into()), false),
        r#""\u001b""#
    );
}

#[test]
fn numbers_keep_their_bson_type() {
    let doc = doc! {"a": 90, "b": -3_i64, "c": 9_007_199_254_740_993_i64, "d": 5.0, "e": 1e16};
    assert_eq!(
        document_to_json(&doc, false),
        r#"{"a":90,"b":-3,"c":9007199254740993,"d":5.0,"e":1e+16}"#
    );
}

#[test]
fn non_finite_doubles_are_null() {
    let array = bson::bson!([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0]);
    assert_eq!(to_json(&array, false), "[null,null,null,-0.0]");
}

#[test]
fn dates_follow_the_datetime_format() {
    let array = bson::bson!([
        bson::DateTime::from_millis(1_591_156_912_345),
        bson::DateTime::from_millis(1_591_156_913_000),
        bson::DateTime::from_millis(i64::MAX),
        bson::DateTime::from_millis(-62_135_596_800_001),
    ]);
    assert_eq!(
        to_json(&array, false),
        r#"["2020-06-03T04:01:52.345000Z","2020-06-03T04:01:53Z",null,null]"#
    );
}

#[test]
fn special_bson_values_have_their_json_forms() {
    let id = ObjectId::parse_str("5ed6f8d0e4b0a1b2c3d4e5f6").unwrap_or_default();
    let decimal: Decimal128 = "1.0E+3".parse().unwrap_or_else(|_| panic!("decimal"));
    let binary = Binary {
        subtype: BinarySubtype::UserDefined(0x80),
        bytes: b"foob".to_vec(),
    };
    let code = bson::JavaScriptCodeWithScope {
        code: "f()".into(),
        scope: doc! {"x": 1},
    };
    let array = Bson::Array(vec![
        Bson::ObjectId(id),
        Bson::Decimal128(decimal),
        Bson::Binary(binary),
        Bson::Symbol("sym".into()),
        Bson::JavaScriptCode("g()".into()),
        Bson::JavaScriptCodeWithScope(code),
        Bson::Boolean(false),
    ]);
    assert_eq!(
        to_json(&array, false),
        r#"["5ed6f8d0e4b0a1b2c3d4e5f6","1.0E+3","Zm9vYg==","sym","g()","f()",false]"#
    );
}

#[test]
fn unrepresentable_bson_values_are_null() {
    let array = Bson::Array(vec![
        Bson::RegularExpression(Regex {
            pattern: "a.*".into(),
            options: "i".into(),
        }),
        Bson::Timestamp(Timestamp {
            time: 1,
            increment: 2,
        }),
        Bson::MinKey,
        Bson::MaxKey,
        Bson::Undefined,
        Bson::Null,
    ]);
    assert_eq!(to_json(&array, false), "[null,null,null,null,null,null]");
}

#[test]
fn nested_documents_inside_arrays_are_sorted_too() {
    let value = bson::bson!([{"b": 1, "a": [{"d": 1, "c": 2}]}]);
    assert_eq!(to_json(&value, false), r#"[{"a":[{"c":2,"d":1}],"b":1}]"#);
}

#[test]
fn write_document_indents_from_the_given_level() {
    let mut out = String::new();
    write_document(&mut out, &doc! {"a": 1}, true, 2);
    assert_eq!(out, "{\n            \"a\": 1\n        }");
}
