use std::collections::HashMap;

use bson::{doc, oid::ObjectId, spec::BinarySubtype, Binary, Decimal128, Regex};

use super::*;
use crate::export::fixtures::{self, message, solar};
use crate::export::timeseries::{build, parse_attrs};

fn record(fields: &[&str]) -> String {
    let mut out = String::new();
    write_record(&mut out, fields);
    out
}

#[test]
fn plain_fields_are_not_quoted_and_lines_end_in_crlf() {
    assert_eq!(record(&["a", "", "b c", "é'"]), "a;;b c;é'\r\n");
}

#[test]
fn fields_with_delimiter_quote_cr_or_lf_are_quoted() {
    assert_eq!(record(&["a;b"]), "\"a;b\"\r\n");
    assert_eq!(record(&["a\"b"]), "\"a\"\"b\"\r\n");
    assert_eq!(record(&["a\rb"]), "\"a\rb\"\r\n");
    assert_eq!(record(&["a\nb", "c"]), "\"a\nb\";c\r\n");
    assert_eq!(record(&["\"", ","]), "\"\"\"\";,\r\n");
}

#[test]
fn scalar_cells_use_python_like_text() {
    let cases = [
        (Bson::Null, ""),
        (Bson::Int32(90), "90"),
        (Bson::Int64(-9_007_199_254_740_993), "-9007199254740993"),
        (Bson::Double(5.0), "5.0"),
        (Bson::Double(0.2), "0.2"),
        (Bson::Double(1e16), "1e+16"),
        (Bson::Double(f64::NAN), "nan"),
        (Bson::Double(f64::INFINITY), "inf"),
        (Bson::Double(f64::NEG_INFINITY), "-inf"),
        (Bson::Boolean(true), "True"),
        (Bson::Boolean(false), "False"),
        (Bson::String("a;b".into()), "a;b"),
    ];
    for (value, expected) in cases {
        assert_eq!(format_cell(&value), expected, "{value:?}");
    }
}

#[test]
fn dates_use_the_datetime_format() {
    let date = Bson::DateTime(bson::DateTime::from_millis(1_591_156_912_345));
    assert_eq!(format_cell(&date), "2020-06-03T04:01:52.345000Z");
    let whole = Bson::DateTime(bson::DateTime::from_millis(1_591_156_913_000));
    assert_eq!(format_cell(&whole), "2020-06-03T04:01:53Z");
    let out_of_range = Bson::DateTime(bson::DateTime::from_millis(i64::MIN));
    assert_eq!(format_cell(&out_of_range), "");
}

#[test]
fn documents_and_arrays_are_compact_sorted_json() {
    let value = Bson::Document(doc! {"b": [1, 2.5], "a": {"d": "x", "c": Bson::Null}});
    assert_eq!(
        format_cell(&value),
        r#"{"a":{"c":null,"d":"x"},"b":[1,2.5]}"#
    );
    assert_eq!(format_cell(&bson::bson!([true, "t"])), r#"[true,"t"]"#);
}

#[test]
fn other_types_use_their_json_text_without_quotes() {
    let id = ObjectId::parse_str("5ed6f8d0e4b0a1b2c3d4e5f6").unwrap();
    let decimal: Decimal128 = "1.0E+3".parse().unwrap();
    let binary = Binary {
        subtype: BinarySubtype::Generic,
        bytes: b"foo".to_vec(),
    };
    let cases = [
        (Bson::ObjectId(id), "5ed6f8d0e4b0a1b2c3d4e5f6"),
        (Bson::Decimal128(decimal), "1.0E+3"),
        (Bson::Binary(binary), "Zm9v"),
        (Bson::Symbol("sym".into()), "sym"),
        (Bson::JavaScriptCode("f()".into()), "f()"),
    ];
    for (value, expected) in cases {
        assert_eq!(format_cell(&value), expected);
    }
}

#[test]
fn values_without_json_text_give_empty_cells() {
    let regex = Bson::RegularExpression(Regex {
        pattern: "a".into(),
        options: String::new(),
    });
    assert_eq!(format_cell(&regex), "");
    assert_eq!(format_cell(&Bson::MinKey), "");
    assert_eq!(format_cell(&Bson::Undefined), "");
}

#[test]
fn no_source_messages_give_only_the_header() {
    let series = build(Vec::new(), &parse_attrs("RealPower"), &HashMap::new());
    assert_eq!(series.to_csv(), "epoch;timestamp\r\n");
}

/// The §11 integration example, byte for byte.
#[test]
fn integration_example_is_byte_identical() {
    let attrs = parse_attrs("batteryState.chargePercentage,batteryState.capacity");
    let messages = fixtures::fixture_epoch_2_batteries();
    let series = build(messages, &attrs, &fixtures::epoch_starts());
    let expected = "epoch;timestamp;\
        energy.storage.state:battery1.batteryState.chargePercentage;\
        energy.storage.state:battery1.batteryState.capacity;\
        energy.storage.state:battery2.batteryState.chargePercentage;\
        energy.storage.state:battery2.batteryState.capacity;\
        energy.storage.state:battery3.batteryState.chargePercentage\r\n\
        2;2020-06-03T14:00:00Z;87;260;45;140;57\r\n\
        2;2020-06-03T14:15:00Z;;;;;55\r\n\
        2;2020-06-03T14:30:00Z;91;310;48;160;55\r\n\
        2;2020-06-03T14:45:00Z;;;;;52\r\n";
    assert_eq!(series.to_csv(), expected);
}

#[test]
fn doubles_keep_their_repr_in_time_series_cells() {
    let messages = vec![solar(1, 5.0, 0.2), solar(2, 8.0, 0.5)];
    let series = build(
        messages,
        &parse_attrs("RealPower"),
        &fixtures::epoch_starts(),
    );
    assert_eq!(
        series.to_csv(),
        "epoch;timestamp;energy.production.solar:solarPlant1.RealPower\r\n\
         1;2020-06-03T13:00:00Z;5.0\r\n\
         2;2020-06-03T14:00:00Z;8.0\r\n"
    );
}

#[test]
fn header_follows_insertion_order_and_quotes_odd_names() {
    let messages = vec![
        message(1, "z;topic", "p", doc! {"b": true, "a": {"x": "q\"uote"}}),
        message(1, "a", "p", doc! {"c": 1}),
    ];
    let series = build(messages, &parse_attrs("b,a.x,c"), &fixtures::epoch_starts());
    assert_eq!(
        series.to_csv(),
        "epoch;timestamp;\"z;topic:p.b\";\"z;topic:p.a.x\";a:p.c\r\n\
         1;2020-06-03T13:00:00Z;True;\"q\"\"uote\";1\r\n"
    );
}

/// The §11.1 long layout of the §11 integration example: the wide table's non-empty cells,
/// row by row and column by column.
#[test]
fn long_layout_has_a_line_per_value_in_the_wide_order() {
    let attrs = parse_attrs("batteryState.chargePercentage,batteryState.capacity");
    let messages = fixtures::fixture_epoch_2_batteries();
    let series = build(messages, &attrs, &fixtures::epoch_starts());
    let expected = "epoch;timestamp;topic;process;attribute;value\r\n\
        2;2020-06-03T14:00:00Z;energy.storage.state;battery1;batteryState.chargePercentage;87\r\n\
        2;2020-06-03T14:00:00Z;energy.storage.state;battery1;batteryState.capacity;260\r\n\
        2;2020-06-03T14:00:00Z;energy.storage.state;battery2;batteryState.chargePercentage;45\r\n\
        2;2020-06-03T14:00:00Z;energy.storage.state;battery2;batteryState.capacity;140\r\n\
        2;2020-06-03T14:00:00Z;energy.storage.state;battery3;batteryState.chargePercentage;57\r\n\
        2;2020-06-03T14:15:00Z;energy.storage.state;battery3;batteryState.chargePercentage;55\r\n\
        2;2020-06-03T14:30:00Z;energy.storage.state;battery1;batteryState.chargePercentage;91\r\n\
        2;2020-06-03T14:30:00Z;energy.storage.state;battery1;batteryState.capacity;310\r\n\
        2;2020-06-03T14:30:00Z;energy.storage.state;battery2;batteryState.chargePercentage;48\r\n\
        2;2020-06-03T14:30:00Z;energy.storage.state;battery2;batteryState.capacity;160\r\n\
        2;2020-06-03T14:30:00Z;energy.storage.state;battery3;batteryState.chargePercentage;55\r\n\
        2;2020-06-03T14:45:00Z;energy.storage.state;battery3;batteryState.chargePercentage;52\r\n";
    assert_eq!(series.to_long_csv(), expected);
    let empty = build(Vec::new(), &attrs, &HashMap::new());
    assert_eq!(
        empty.to_long_csv(),
        "epoch;timestamp;topic;process;attribute;value\r\n"
    );
}

/// Every value of the wide table is one long line and nothing else is: the long body
/// melted back into (row, column) cells gives the wide body's non-empty cells.
#[test]
fn long_and_wide_hold_the_same_cells() {
    let messages = vec![solar(1, 5.0, 0.2), solar(2, 8.0, 0.5)];
    let attrs = parse_attrs("RealPower,ReactivePower,bus,missing");
    let series = build(messages, &attrs, &fixtures::epoch_starts());
    let wide = series.to_csv();
    let mut lines = wide.split("\r\n").filter(|line| !line.is_empty());
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let mut from_wide = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(';').collect();
        for (name, value) in header.iter().zip(&cells).skip(2) {
            if !value.is_empty() {
                from_wide.push(format!("{};{};{name};{value}", cells[0], cells[1]));
            }
        }
    }
    let long = series.to_long_csv();
    let from_long: Vec<String> = long
        .split("\r\n")
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(';').collect();
            format!("{};{};{}:{}.{};{}", f[0], f[1], f[2], f[3], f[4], f[5])
        })
        .collect();
    assert_eq!(from_long, from_wide);
    assert_eq!(from_long.len(), 6, "three attributes in two epochs");
}
