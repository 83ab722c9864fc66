use amq_protocol_types::parsing::{parse_field_table, parse_short_string};
use amq_protocol_types::{AMQPValue, FieldTable, ShortString};
use integration_tests::raw_amqp::nested_table;
use lapin::BasicProperties;
use proptest::prelude::*;

use super::*;

/// `len` + bytes, as on the wire.
fn wire_short_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![u8::try_from(bytes.len()).unwrap()];
    out.extend_from_slice(bytes);
    out
}

#[test]
fn a_short_string_that_is_not_utf8_parses_and_its_bytes_come_back() {
    let sent = b"bad.\xff\xfe";
    let wire = wire_short_string(sent);
    let (rest, parsed) = parse_short_string(&wire[..]).expect("parses");
    assert!(rest.is_empty());
    assert_eq!(short_string_bytes(parsed.as_str()), (sent.to_vec(), true));
}

#[test]
fn utf8_short_strings_are_unchanged() {
    let sent = "energy.prodüction.€".as_bytes();
    let (_, parsed) = parse_short_string(&wire_short_string(sent)[..]).expect("parses");
    assert_eq!(parsed.as_str().as_bytes(), sent);
    assert_eq!(short_string_bytes(parsed.as_str()), (sent.to_vec(), false));
}

#[test]
fn a_code_point_of_the_escape_range_sent_as_such_comes_back_as_sent() {
    // U+10FF00 is the escape of byte 0: sent literally, it must not read as that byte.
    for sent in ["\u{10FF00}", "a.\u{10FFFF}.b", "\u{10FF41}\u{10FF41}"] {
        let (_, parsed) =
            parse_short_string(&wire_short_string(sent.as_bytes())[..]).expect("parses");
        assert_eq!(
            short_string_bytes(parsed.as_str()),
            (sent.as_bytes().to_vec(), false)
        );
    }
}

proptest! {
    /// Whatever bytes are sent, the parser accepts them and the bytes come back exactly.
    #[test]
    fn any_short_string_bytes_come_back(sent in prop::collection::vec(any::<u8>(), 0..255)) {
        let (_, parsed) = parse_short_string(&wire_short_string(&sent)[..]).expect("parses");
        let (bytes, escaped) = short_string_bytes(parsed.as_str());
        prop_assert_eq!(&bytes, &sent);
        prop_assert_eq!(escaped, std::str::from_utf8(&sent).is_err());
    }
}

#[test]
fn a_table_nested_thousands_deep_parses_without_recursing_that_deep() {
    // On a 2 MiB stack, as lapin's I/O thread has: without the limit, 2,000 levels overflowed it.
    let parsed = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let wire = nested_table(5_000);
            let (rest, table) = parse_field_table(&wire[..]).expect("parses");
            assert!(rest.is_empty());
            table
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
    let properties = BasicProperties::default().with_headers(parsed);
    let found = unusual_properties(&properties);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].property, found[0].reason), ("headers", TOO_DEEP));
}

#[test]
fn tables_within_the_limit_are_parsed_whole_and_not_reported() {
    let wire = nested_table(MAX_NESTING as usize);
    let (_, table) = parse_field_table(&wire[..]).expect("parses");
    let properties = BasicProperties::default().with_headers(table);
    assert_eq!(unusual_properties(&properties), []);
}

#[test]
fn properties_and_header_keys_that_are_not_utf8_are_named() {
    let bad = |s: &[u8]| {
        let (_, parsed) = parse_short_string(&wire_short_string(s)[..]).expect("parses");
        parsed
    };
    let mut headers = FieldTable::default();
    headers.insert(bad(b"k\xff"), AMQPValue::LongString("v".into()));
    headers.insert(
        ShortString::from("ok"),
        AMQPValue::ShortString(bad(b"\xfe")),
    );
    let properties = BasicProperties::default()
        .with_content_type(bad(b"text/\xff"))
        .with_app_id(ShortString::from("fine"))
        .with_headers(headers);
    let found: Vec<(&str, &str, Vec<u8>)> = unusual_properties(&properties)
        .into_iter()
        .map(|u| (u.property, u.reason, u.bytes))
        .collect();
    assert_eq!(
        found,
        [
            ("content_type", NOT_UTF8, b"text/\xff".to_vec()),
            ("headers", NOT_UTF8, b"k\xff".to_vec()),
            ("headers", NOT_UTF8, b"\xfe".to_vec()),
        ]
    );
}
