//! Writer grammar: every example of docs/spec/messages.md §3.3, then the edge cases around it.

use crate::time::{normalise, parse_message_datetime};

/// One test per input that must normalise to the given text.
macro_rules! accepts {
    ($($name:ident: $input:expr => $expected:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(normalise($input).as_deref(), Some($expected), "input {:?}", $input);
        }
    )*};
}

/// One test per input that must not parse.
macro_rules! rejects {
    ($($name:ident: $input:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(parse_message_datetime($input), None, "input {:?}", $input);
        }
    )*};
}

// docs/spec/messages.md §3.3, first table.
accepts! {
    example_milliseconds_with_z: "2020-06-03T04:01:52.345Z" => "2020-06-03T04:01:52.345Z";
    example_no_fraction_gets_three_zero_digits: "2020-06-03T04:01:52Z" => "2020-06-03T04:01:52.000Z";
    example_seven_digits_are_truncated: "2020-06-03T04:01:52.3456789Z" => "2020-06-03T04:01:52.345Z";
    example_one_digit_is_tenths: "2020-06-03T04:01:52.1Z" => "2020-06-03T04:01:52.100Z";
    example_negative_half_hour_offset_truncates: "2020-06-03T04:01:52.999999-00:30" => "2020-06-03T04:31:52.999Z";
    example_space_separator_and_positive_offset: "2020-06-03 04:01:52+03:00" => "2020-06-03T01:01:52.000Z";
    example_offset_moves_to_next_day: "2020-06-03T23:30:00-01:00" => "2020-06-04T00:30:00.000Z";
    example_naive_is_utc: "2020-06-03T04:01:52" => "2020-06-03T04:01:52.000Z";
    example_hour_only: "2020-06-03T04" => "2020-06-03T04:00:00.000Z";
    example_hour_and_minute: "2020-06-03T04:01" => "2020-06-03T04:01:00.000Z";
    example_date_only_is_midnight: "2020-06-03" => "2020-06-03T00:00:00.000Z";
    example_any_separator: "2020-06-03X04:01:52" => "2020-06-03T04:01:52.000Z";
    example_date_then_z_is_midnight: "2020-06-03Z" => "2020-06-03T00:00:00.000Z";
    example_offset_with_seconds: "2020-06-03T04:01:52+05:30:15" => "2020-06-02T22:31:37.000Z";
}

// docs/spec/messages.md §3.3, second table.
rejects! {
    example_empty: "";
    example_leading_space: " 2020-06-03";
    example_separator_without_clock: "2020-06-03 ";
    example_single_digit_month_and_day: "2020-6-3";
    example_basic_date: "20200603";
    example_week_date: "2020-W23-3";
    example_ordinal_date: "2020-155";
    example_february_30: "2020-02-30";
    example_year_zero: "0000-01-01";
    example_month_13: "2020-13-01";
    example_hour_24: "2020-06-03T24:00:00Z";
    example_second_60: "2020-06-03T04:01:60Z";
    example_minute_60: "2020-06-03T04:60";
    example_comma_decimal_mark: "2020-06-03T04:01:52,345Z";
    example_no_fraction_digits: "2020-06-03T04:01:52.Z";
    example_ten_fraction_digits: "2020-06-03T04:01:52.1234567890Z";
    example_lowercase_z: "2020-06-03T04:01:52z";
    example_offset_without_colon: "2020-06-03T04:01:52+0300";
    example_offset_hours_only: "2020-06-03T04:01:52+03";
    example_offset_hour_24: "2020-06-03T04:01:52+24:00";
    example_two_zs: "2020-06-03T04:01:52ZZ";
    example_offset_after_z: "2020-06-03T04:01:52Z+01:00";
    example_digit_separator_leaves_malformed_clock: "2020-06-0310:01:52.345Z";
    example_instant_in_year_zero: "0001-01-01T00:00:00+01:00";
}

// Calendar rules.
accepts! {
    leap_day_in_leap_year: "2020-02-29" => "2020-02-29T00:00:00.000Z";
    leap_day_in_year_divisible_by_400: "2000-02-29T12" => "2000-02-29T12:00:00.000Z";
    last_day_of_month: "2021-04-30" => "2021-04-30T00:00:00.000Z";
    first_representable_instant: "0001-01-01T00:00:00Z" => "0001-01-01T00:00:00.000Z";
    last_representable_instant: "9999-12-31T23:59:59.999999Z" => "9999-12-31T23:59:59.999Z";
    offset_back_into_year_one: "0001-01-01T01:00:00+01:00" => "0001-01-01T00:00:00.000Z";
    negative_offset_at_year_one: "0001-01-01T00:00:00-01:00" => "0001-01-01T01:00:00.000Z";
    before_unix_epoch_truncates_towards_the_past: "1969-12-31T23:59:59.9999Z" => "1969-12-31T23:59:59.999Z";
}

rejects! {
    leap_day_in_common_year: "2019-02-29";
    leap_day_in_century_year: "1900-02-29";
    april_31: "2021-04-31";
    day_zero: "2021-04-00";
    month_zero: "2021-00-10";
    instant_in_year_zero_by_a_microsecond: "0001-01-01T00:59:59.999999+01:00";
    instant_in_year_10000: "9999-12-31T23:00:00-01:00";
    instant_in_year_10000_by_offset_seconds: "9999-12-31T23:59:59-00:00:01";
    five_digit_year: "10000-01-01";
    three_digit_year: "999-01-01";
    non_ascii_digits: "２０２０-06-03";
    arabic_indic_digits: "٢٠٢٠-06-03";
    signed_year: "+2020-06-03";
    slash_date: "2020/06/03";
}

// Separator: exactly one Unicode scalar value, of any kind.
accepts! {
    digit_separator: "2020-06-03104:01" => "2020-06-03T04:01:00.000Z";
    lowercase_t_separator: "2020-06-03t04:01" => "2020-06-03T04:01:00.000Z";
    multibyte_separator: "2020-06-03é04:01:52" => "2020-06-03T04:01:52.000Z";
    four_byte_separator: "2020-06-03😀04:01:52" => "2020-06-03T04:01:52.000Z";
    dash_separator: "2020-06-03-04:01" => "2020-06-03T04:01:00.000Z";
    plus_separator_reads_as_clock: "2020-06-03+01:00" => "2020-06-03T01:00:00.000Z";
    plus_separator_then_clock_then_offset: "2020-06-03+01:00+01:00" => "2020-06-03T00:00:00.000Z";
}

rejects! {
    two_character_separator: "2020-06-03TT04:01";
    separator_of_two_scalar_values: "2020-06-03e\u{301}04:01";
    z_separator_becomes_offset_text: "2020-06-03Z04:01";
    separator_then_offset_without_clock: "2020-06-03T+01:00";
}

// Clock and fraction.
accepts! {
    last_second_of_day: "2020-06-03T23:59:59" => "2020-06-03T23:59:59.000Z";
    nine_fraction_digits_are_truncated: "2020-06-03T04:01:52.123456789Z" => "2020-06-03T04:01:52.123Z";
    fraction_is_never_rounded_up: "2020-06-03T23:59:59.9999999Z" => "2020-06-03T23:59:59.999Z";
    sub_millisecond_fraction_is_dropped: "2020-06-03T04:01:52.0009" => "2020-06-03T04:01:52.000Z";
    z_after_hour: "2020-06-03T04Z" => "2020-06-03T04:00:00.000Z";
    z_after_minute: "2020-06-03T04:01Z" => "2020-06-03T04:01:00.000Z";
    offset_after_hour: "2020-06-03T04+01:00" => "2020-06-03T03:00:00.000Z";
}

rejects! {
    single_digit_hour: "2020-06-03T4:01";
    single_digit_minute: "2020-06-03T04:1";
    single_digit_second: "2020-06-03T04:01:5";
    basic_clock: "2020-06-03T040152";
    fraction_after_minutes: "2020-06-03T04:01.5";
    trailing_colon: "2020-06-03T04:";
    trailing_newline: "2020-06-03T04:01:52\n";
    second_fraction_mark: "2020-06-03T04:01:52.1.2";
}

// Offsets.
accepts! {
    negative_zero_offset: "2020-06-03T04:01:52-00:00" => "2020-06-03T04:01:52.000Z";
    largest_offset: "2020-06-03T04:01:52+23:59:59.999999" => "2020-06-02T04:01:52.000Z";
    offset_with_microseconds: "2020-06-03T04:01:52+05:30:15.123456" => "2020-06-02T22:31:36.876Z";
    negative_offset_with_seconds: "2020-06-03T04:01:52-05:30:15" => "2020-06-03T09:32:07.000Z";
    offset_with_zero_microseconds: "2020-06-03T04:01:52.5+03:00:00.000000" => "2020-06-03T01:01:52.500Z";
    z_inside_offset_position_after_fraction: "2020-06-03T04:01:52.5Z" => "2020-06-03T04:01:52.500Z";
}

rejects! {
    offset_minute_60: "2020-06-03T04:01:52+05:60";
    offset_second_60: "2020-06-03T04:01:52+05:30:60";
    offset_fraction_five_digits: "2020-06-03T04:01:52+05:30:15.12345";
    offset_fraction_seven_digits: "2020-06-03T04:01:52+05:30:15.1234567";
    offset_fraction_without_seconds: "2020-06-03T04:01:52+05:30.123456";
    offset_single_digit_hour: "2020-06-03T04:01:52+5:30";
    offset_trailing_colon: "2020-06-03T04:01:52+05:30:";
    offset_without_sign: "2020-06-03T04:01:52 05:30";
    unicode_minus_offset: "2020-06-03T04:01:52\u{2212}05:30";
    offset_on_date_only_is_a_malformed_clock: "2020-06-03+1:00";
}

#[test]
fn parse_returns_the_truncated_utc_instant() {
    let instant = parse_message_datetime("2020-06-03T04:01:52.3456789+02:00").unwrap();
    assert_eq!(instant.timestamp_millis(), 1_591_149_712_345);
    assert_eq!(instant.timestamp_subsec_nanos(), 345_000_000);
}

#[test]
fn every_z_is_rewritten_not_only_a_trailing_one() {
    // "Z" in the separator position becomes "+00:00": the clock is then "00:00", so the
    // value only parses when nothing follows.
    assert!(parse_message_datetime("2020-06-03Z").is_some());
    assert!(parse_message_datetime("2020-06-03T04Z").is_some());
    assert!(parse_message_datetime("2020-06-03TZ").is_none());
}
