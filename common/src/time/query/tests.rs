//! Reader grammar: every row of docs/spec/logreader.md §5.2's tables, then the edge cases around it.

use chrono::{DateTime, Utc};

use crate::time::parse_query_datetime;

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("test instants are RFC 3339")
}

/// One test per input that must parse to the given UTC instant.
macro_rules! accepts {
    ($($name:ident: $input:expr => $instant:expr;)*) => {$(
        #[test]
        fn $name() {
            let value = parse_query_datetime($input);
            assert_eq!(value.map(|v| v.instant()), Some(utc($instant)), "input {:?}", $input);
        }
    )*};
}

/// One test per input that must not parse.
macro_rules! rejects {
    ($($name:ident: $input:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(parse_query_datetime($input), None, "input {:?}", $input);
        }
    )*};
}

// docs/spec/logreader.md §5.2, "Accepted" table.
accepts! {
    row_extended_with_z: "2020-06-03T10:01:52.345Z" => "2020-06-03T10:01:52.345Z";
    row_comma_fraction_and_hour_offset: "2020-06-03T10:01:52,5+02" => "2020-06-03T08:01:52.5Z";
    row_nine_digits_lowercase_z: "2020-06-03 10:01:52.123456789z" => "2020-06-03T10:01:52.123456Z";
    row_basic_time_and_offset: "2020-06-03T1001+0530" => "2020-06-03T04:31:00Z";
    row_hour_only: "2020-06-03T10" => "2020-06-03T10:00:00Z";
    row_date_only: "2020-06-03" => "2020-06-03T00:00:00Z";
    row_year_month: "2020-06" => "2020-06-01T00:00:00Z";
    row_year: "2020" => "2020-01-01T00:00:00Z";
    row_basic_date: "20200603" => "2020-06-03T00:00:00Z";
    row_hour_24: "2020-06-03T24:00" => "2020-06-04T00:00:00Z";
    row_week_date: "2020-W23-3" => "2020-06-03T00:00:00Z";
    row_basic_ordinal: "2020155" => "2020-06-03T00:00:00Z";
    row_extended_ordinal: "2020-155" => "2020-06-03T00:00:00Z";
    row_digit_separator: "2020-06-03110:00" => "2020-06-03T10:00:00Z";
}

// docs/spec/logreader.md §5.2, "Rejected" table.
rejects! {
    row_digit_separator_then_bad_hour: "2020-06-0310:01:52.345Z";
    row_month_13: "2020-13-01";
    row_february_30: "2020-02-30";
    row_year_zero: "0000-01-01";
    row_hour_25: "2020-06-03T25:00";
    row_hour_24_with_minutes: "2020-06-03T24:01";
    row_inconsistent_colons: "2020-06-03T10:0130";
    row_space_before_offset: "2020-06-03T10:01:52 +02:00";
    row_fraction_without_digits: "2020-06-03T10:01:52.";
    row_fraction_of_hour: "2020-06-03T10.5";
    row_offset_hour_24: "2020-06-03T10:01:52+24:00";
    row_offset_minute_60: "2020-06-03T10:01:52+0160";
    row_year_and_month_basic: "202006";
    row_dotted_date: "03.06.2020";
    row_separator_without_time: "2020-06-03T";
    row_non_ascii_separator: "2020-06-03é10:00";
    row_non_ascii_digits: "２０２０-06-03";
    row_non_breaking_space: "2020-06-03T10:00\u{a0}";
}

// Calendar, week and ordinal dates.
accepts! {
    leap_day: "2020-02-29" => "2020-02-29T00:00:00Z";
    basic_leap_day: "20000229" => "2000-02-29T00:00:00Z";
    basic_week_without_day: "2020W23" => "2020-06-01T00:00:00Z";
    extended_week_without_day: "2020-W23" => "2020-06-01T00:00:00Z";
    basic_week_with_day: "2020W233" => "2020-06-03T00:00:00Z";
    week_date_with_time: "2020-W23-3T10:00" => "2020-06-03T10:00:00Z";
    basic_week_date_with_time: "2020W233T10:00" => "2020-06-03T10:00:00Z";
    week_one_starts_in_previous_year: "2020-W01-1" => "2019-12-30T00:00:00Z";
    week_53_in_a_53_week_year: "2020-W53-5" => "2021-01-01T00:00:00Z";
    week_53_sunday_in_next_year: "2015-W53-7" => "2016-01-03T00:00:00Z";
    ordinal_366_in_leap_year: "2020-366" => "2020-12-31T00:00:00Z";
    ordinal_365_in_common_year: "2021365" => "2021-12-31T00:00:00Z";
    ordinal_with_time: "2020-155T10:00" => "2020-06-03T10:00:00Z";
    basic_ordinal_with_time: "2020155T10" => "2020-06-03T10:00:00Z";
    seven_digits_are_an_ordinal_not_a_short_date: "2020061" => "2020-03-01T00:00:00Z";
    first_day: "0001-01-01" => "0001-01-01T00:00:00Z";
    last_ordinal_day: "9999-365" => "9999-12-31T00:00:00Z";
}

rejects! {
    leap_day_in_common_year: "2019-02-29";
    leap_day_in_century_year: "19000229";
    week_53_in_a_52_week_year: "2021-W53-1";
    week_00: "2020-W00-1";
    week_54: "2020-W54-1";
    weekday_0: "2020-W23-0";
    weekday_8: "2020-W23-8";
    week_dash_only_before_w: "2020-W233";
    week_dash_only_before_day: "2020W23-3";
    week_date_time_without_day: "2020-W23T10:00";
    basic_week_date_time_without_day: "2020W23T10";
    lowercase_week_marker: "2020-w23-3";
    ordinal_366_in_common_year: "2021-366";
    ordinal_366_in_century_year: "1900366";
    ordinal_000: "2020-000";
    ordinal_367: "2020367";
    week_date_in_year_zero: "0000-W01-1";
    ordinal_in_year_zero: "0000-001";
    year_only_takes_no_time: "2020T10";
    year_month_takes_no_time: "2020-06T10";
    single_digit_day: "2020-06-3";
    mixed_basic_and_extended_date: "2020-0603";
    signed_year: "+2020-06-03";
    underscore_in_field: "2020-0_-03";
    space_in_field: "2020-06- 3";
    empty: "";
    leading_space: " 2020-06-03";
    trailing_separator_only: "2020-06-03 ";
}

// Hour 24.
accepts! {
    hour_24_basic: "2020-06-03T2400" => "2020-06-04T00:00:00Z";
    hour_24_alone: "2020-06-03T24" => "2020-06-04T00:00:00Z";
    hour_24_with_seconds: "2020-06-03T24:00:00" => "2020-06-04T00:00:00Z";
    hour_24_with_zero_fraction: "2020-06-03T24:00:00.000" => "2020-06-04T00:00:00Z";
    hour_24_fraction_truncated_to_zero: "2020-06-03T24:00:00.0000009" => "2020-06-04T00:00:00Z";
    hour_24_rolls_over_the_year: "2020-12-31T24:00" => "2021-01-01T00:00:00Z";
    hour_24_onto_leap_day: "2020-02-28T24:00" => "2020-02-29T00:00:00Z";
    hour_24_with_offset: "2020-06-03T24:00+02:00" => "2020-06-03T22:00:00Z";
}

rejects! {
    hour_24_with_seconds_set: "2020-06-03T24:00:01";
    hour_24_with_microsecond: "2020-06-03T24:00:00.000001";
    hour_24_into_year_10000: "9999-12-31T24:00";
    hour_99: "2020-06-03T99";
}

// Clock, colons and fractions.
accepts! {
    extended_seconds: "2020-06-03T10:01:52" => "2020-06-03T10:01:52Z";
    basic_seconds: "2020-06-03T100152" => "2020-06-03T10:01:52Z";
    basic_comma_fraction: "2020-06-03T100152,123" => "2020-06-03T10:01:52.123Z";
    fraction_is_never_rounded_up: "2020-06-03T23:59:59.9999999" => "2020-06-03T23:59:59.999999Z";
    many_fraction_digits: "2020-06-03T10:01:52.12345678901234567890" => "2020-06-03T10:01:52.123456Z";
    dash_separator: "2020-06-03-10:00" => "2020-06-03T10:00:00Z";
    basic_date_with_time: "20200603T10" => "2020-06-03T10:00:00Z";
}

rejects! {
    colon_missing_before_seconds: "2020-06-03T10:0152";
    colon_only_before_seconds: "2020-06-03T1001:52";
    fraction_of_minute_extended: "2020-06-03T10:01.5";
    fraction_of_minute_basic: "2020-06-03T1001.5";
    single_digit_hour: "2020-06-03T1";
    single_digit_minute: "2020-06-03T10:1";
    second_60: "2020-06-03T10:01:60";
    minute_60: "2020-06-03T10:60";
    trailing_colon: "2020-06-03T10:";
    time_is_only_an_offset: "2020-06-03T+02:00";
    time_is_only_z: "2020-06-03TZ";
    basic_date_digit_separator_bad_hour: "2020060310:00";
    two_fractions: "2020-06-03T10:01:52.1.2";
}

// Offsets.
accepts! {
    z_after_hour: "2020-06-03T10Z" => "2020-06-03T10:00:00Z";
    offset_after_hour: "2020-06-03T10+02" => "2020-06-03T08:00:00Z";
    offset_after_minutes: "2020-06-03T10:01-05:30" => "2020-06-03T15:31:00Z";
    negative_zero_offset: "2020-06-03T10:00-00:00" => "2020-06-03T10:00:00Z";
    largest_offset: "2020-06-03T10:00+23:59" => "2020-06-02T10:01:00Z";
    offset_back_into_year_one: "0001-01-01T01:00+01:00" => "0001-01-01T00:00:00Z";
}

rejects! {
    offset_single_digit_hour: "2020-06-03T10:00+2";
    offset_three_digits: "2020-06-03T10:00+020";
    offset_single_digit_minute: "2020-06-03T10:00+02:3";
    offset_three_minute_digits: "2020-06-03T10:00+02:300";
    offset_seconds: "2020-06-03T10:00+02:00:00";
    text_after_z: "2020-06-03T10:00Zx";
    two_zs: "2020-06-03T10:00ZZ";
    offset_without_sign: "2020-06-03T10:00 02:00";
    offset_into_year_zero: "0001-01-01T00:00+01:00";
    offset_into_year_10000: "9999-12-31T23:00-01:00";
}
