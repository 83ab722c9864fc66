//! The public surface: formatting, `QueryDateTime::instant` and `QueryDateTime::display`.

use chrono::{DateTime, NaiveDate, Utc};

use super::*;

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("test instants are RFC 3339")
}

fn display(input: &str) -> String {
    parse_query_datetime(input)
        .unwrap_or_else(|| panic!("{input:?} should parse"))
        .display()
}

#[test]
fn format_normalised_always_writes_three_millisecond_digits() {
    assert_eq!(
        format_normalised(utc("2020-06-03T04:01:52Z")),
        "2020-06-03T04:01:52.000Z"
    );
    assert_eq!(
        format_normalised(utc("2020-06-03T04:01:52.05Z")),
        "2020-06-03T04:01:52.050Z"
    );
    assert_eq!(
        format_normalised(DateTime::UNIX_EPOCH),
        "1970-01-01T00:00:00.000Z"
    );
}

#[test]
fn format_normalised_truncates_sub_millisecond_digits() {
    assert_eq!(
        format_normalised(utc("2020-06-03T04:01:52.999999999Z")),
        "2020-06-03T04:01:52.999Z"
    );
}

#[test]
fn format_normalised_pads_the_year_to_four_digits() {
    let first = NaiveDate::from_ymd_opt(1, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0);
    assert_eq!(
        format_normalised(first.unwrap().and_utc()),
        "0001-01-01T00:00:00.000Z"
    );
}

#[test]
fn normalise_is_parse_then_format() {
    assert_eq!(
        normalise("2020-06-03 04:01:52.3456+03:00").as_deref(),
        Some("2020-06-03T01:01:52.345Z")
    );
    assert_eq!(normalise("2020-06-03T24:00"), None);
}

#[test]
fn normalised_text_parses_back_to_the_same_instant() {
    for input in [
        "2020-06-03T04:01:52.3456789+05:30:15",
        "0001-01-01",
        "9999-12-31T23:59:59.9999",
    ] {
        let instant = parse_message_datetime(input).unwrap();
        let text = format_normalised(instant);
        assert_eq!(parse_message_datetime(&text), Some(instant), "{input}");
        assert_eq!(normalise(&text), Some(text));
    }
}

#[test]
fn display_of_naive_and_zero_offsets_ends_in_z() {
    for input in [
        "2020-01-01T00:00:00",
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00z",
        "2020-01-01T00:00:00+00:00",
        "2020-01-01T00:00:00-00:00",
        "2020-01-01T00:00:00+00",
        "2020-01-01T00:00:00-0000",
    ] {
        assert_eq!(display(input), "2020-01-01T00:00:00Z", "{input}");
    }
}

#[test]
fn display_keeps_the_local_time_and_offset_as_written() {
    assert_eq!(
        display("2020-01-01T00:00:00+02:00"),
        "2020-01-01T00:00:00+02:00"
    );
    assert_eq!(display("2020-01-01T0000+0530"), "2020-01-01T00:00:00+05:30");
    assert_eq!(display("2020-01-01T23:15-03"), "2020-01-01T23:15:00-03:00");
    assert_eq!(
        display("2020-01-01T23:15-00:30"),
        "2020-01-01T23:15:00-00:30"
    );
}

#[test]
fn display_shows_six_fraction_digits_only_when_microseconds_are_set() {
    assert_eq!(
        display("2020-06-03T10:01:52.5Z"),
        "2020-06-03T10:01:52.500000Z"
    );
    assert_eq!(
        display("2020-06-03T10:01:52,000001"),
        "2020-06-03T10:01:52.000001Z"
    );
    assert_eq!(
        display("2020-06-03T10:01:52.0000009"),
        "2020-06-03T10:01:52Z"
    );
    assert_eq!(
        display("2020-06-03T10:01:52.123456789+01:00"),
        "2020-06-03T10:01:52.123456+01:00"
    );
}

#[test]
fn display_completes_reduced_forms() {
    assert_eq!(display("2020"), "2020-01-01T00:00:00Z");
    assert_eq!(display("2020-06"), "2020-06-01T00:00:00Z");
    assert_eq!(display("2020-W23-3T10"), "2020-06-03T10:00:00Z");
    assert_eq!(display("0001-001"), "0001-01-01T00:00:00Z");
}

#[test]
fn display_of_hour_24_is_midnight_of_the_next_day() {
    assert_eq!(
        display("2020-06-03T24:00+02:00"),
        "2020-06-04T00:00:00+02:00"
    );
}

#[test]
fn instant_subtracts_the_offset() {
    let value = parse_query_datetime("2020-01-01T00:00:00+02:00").unwrap();
    assert_eq!(value.instant(), utc("2019-12-31T22:00:00Z"));
    let value = parse_query_datetime("2020-01-01T23:30-01:00").unwrap();
    assert_eq!(value.instant(), utc("2020-01-02T00:30:00Z"));
}

#[test]
fn instant_keeps_microseconds() {
    let value = parse_query_datetime("2020-06-03T10:01:52.1234567Z").unwrap();
    assert_eq!(value.instant().timestamp_subsec_nanos(), 123_456_000);
}

#[test]
fn values_with_the_same_instant_can_differ_in_how_they_were_written() {
    let naive = parse_query_datetime("2020-06-03T10:00").unwrap();
    let zulu = parse_query_datetime("2020-06-03T10:00Z").unwrap();
    let shifted = parse_query_datetime("2020-06-03T12:00+02:00").unwrap();
    assert_eq!(naive.instant(), zulu.instant());
    assert_eq!(naive.instant(), shifted.instant());
    assert_ne!(naive, shifted);
    assert_eq!(naive.display(), zulu.display());
    assert_eq!(
        zulu,
        parse_query_datetime("2020-06-03T10:00-00:00").unwrap()
    );
}

#[test]
fn the_two_grammars_differ_where_the_spec_says_so() {
    // Reader only: basic, week and ordinal dates, comma, hour 24, offsets without colon.
    for input in [
        "20200603",
        "2020-W23-3",
        "2020-155",
        "2020-06-03T10:00:00,5",
        "2020-06-03T24:00",
        "2020-06-03T10:00+0200",
    ] {
        assert!(parse_query_datetime(input).is_some(), "{input}");
        assert!(parse_message_datetime(input).is_none(), "{input}");
    }
    // Writer only: non-ASCII separators, offsets with seconds, `Z` as a separator.
    for input in [
        "2020-06-03é10:00",
        "2020-06-03T10:00+05:30:15",
        "2020-06-03Z",
    ] {
        assert!(parse_message_datetime(input).is_some(), "{input}");
        assert!(parse_query_datetime(input).is_none(), "{input}");
    }
}

proptest::proptest! {
    #[test]
    fn format_normalised_matches_the_strftime_pattern(
        seconds in -62_135_596_800_i64..253_402_300_799,
        nanos in 0_u32..1_000_000_000,
    ) {
        let t = DateTime::from_timestamp(seconds, nanos).unwrap();
        let expected = format!("{}.{:03}Z", t.format("%Y-%m-%dT%H:%M:%S"), t.timestamp_subsec_millis());
        proptest::prop_assert_eq!(format_normalised(t), expected);
    }
}
