use super::*;

fn repr(value: f64) -> String {
    format_double(value).unwrap_or_default()
}

#[test]
fn doubles_follow_the_spec_examples() {
    let cases = [
        (5.0, "5.0"),
        (0.2, "0.2"),
        (0.0001, "0.0001"),
        (1e-05, "1e-05"),
        (123_456_789.123, "123456789.123"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (1.5e16, "1.5e+16"),
        (2.5e-07, "2.5e-07"),
        (1e100, "1e+100"),
        (-0.0, "-0.0"),
    ];
    for (value, expected) in cases {
        assert_eq!(repr(value), expected, "repr of {value:e}");
    }
}

#[test]
fn doubles_match_python_repr_at_the_edges() {
    let cases = [
        (0.0, "0.0"),
        (f64::MAX, "1.7976931348623157e+308"),
        (5e-324, "5e-324"),
        (-1.5, "-1.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1234.5, "1234.5"),
        (12_345_678_901_234_567.0, "1.2345678901234568e+16"),
        (9_999_999_999_999_998.0, "9999999999999998.0"),
        (0.001, "0.001"),
        (100.0, "100.0"),
        (-1e-7, "-1e-07"),
    ];
    for (value, expected) in cases {
        assert_eq!(repr(value), expected, "repr of {value:e}");
    }
}

#[test]
fn non_finite_doubles_have_no_repr() {
    assert_eq!(format_double(f64::NAN), None);
    assert_eq!(format_double(f64::INFINITY), None);
    assert_eq!(format_double(f64::NEG_INFINITY), None);
}

#[test]
fn whole_second_dates_have_no_fraction() {
    // 2020-06-03T04:01:53Z
    assert_eq!(
        format_bson_date(1_591_156_913_000).as_deref(),
        Some("2020-06-03T04:01:53Z")
    );
}

#[test]
fn dates_with_milliseconds_have_six_fraction_digits() {
    assert_eq!(
        format_bson_date(1_591_156_912_345).as_deref(),
        Some("2020-06-03T04:01:52.345000Z")
    );
    assert_eq!(
        format_bson_date(1).as_deref(),
        Some("1970-01-01T00:00:00.001000Z")
    );
}

#[test]
fn dates_before_1970_keep_a_positive_fraction() {
    assert_eq!(
        format_bson_date(-1).as_deref(),
        Some("1969-12-31T23:59:59.999000Z")
    );
}

#[test]
fn dates_outside_years_1_to_9999_have_no_text() {
    assert_eq!(
        format_bson_date(MIN_DATE_MILLIS).as_deref(),
        Some("0001-01-01T00:00:00Z")
    );
    assert_eq!(
        format_bson_date(MAX_DATE_MILLIS).as_deref(),
        Some("9999-12-31T23:59:59.999000Z")
    );
    assert_eq!(format_bson_date(MIN_DATE_MILLIS - 1), None);
    assert_eq!(format_bson_date(MAX_DATE_MILLIS + 1), None);
    assert_eq!(format_bson_date(i64::MIN), None);
    assert_eq!(format_bson_date(i64::MAX), None);
}

/// Packs a Decimal128 from its fields, in the "01"/"10" form of the specification.
fn decimal(negative: bool, exponent: i32, coefficient: u128) -> Decimal128 {
    let biased = u128::try_from(exponent + 6176).unwrap_or(0);
    let bits = (u128::from(negative) << 127) | (biased << 113) | coefficient;
    Decimal128::from_bytes(bits.to_le_bytes())
}

#[test]
fn decimal128_uses_the_canonical_string() {
    let cases = [
        (decimal(false, -2, 123), "1.23"),
        (decimal(false, 2, 10), "1.0E+3"),
        (decimal(false, 0, 0), "0"),
        (decimal(true, 0, 0), "-0"),
        (decimal(false, -7, 1), "1E-7"),
        (decimal(false, -6, 1), "0.000001"),
        (decimal(false, -10, 12_345), "0.0000012345"),
        (decimal(false, -8, 0), "0E-8"),
        (decimal(false, 1, 1), "1E+1"),
        (decimal(true, -1, 15), "-1.5"),
        (decimal(false, 6111, 1), "1E+6111"),
        (
            decimal(false, 0, 9_999_999_999_999_999_999_999_999_999_999_999),
            "9999999999999999999999999999999999",
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(format_decimal128(&value), expected);
    }
}

#[test]
fn decimal128_special_values() {
    let nan = Decimal128::from_bytes((0x7c_u128 << 120).to_le_bytes());
    let negative_nan = Decimal128::from_bytes((0xfc_u128 << 120).to_le_bytes());
    let infinity = Decimal128::from_bytes((0x78_u128 << 120).to_le_bytes());
    let negative_infinity = Decimal128::from_bytes((0xf8_u128 << 120).to_le_bytes());
    assert_eq!(format_decimal128(&nan), "NaN");
    assert_eq!(format_decimal128(&negative_nan), "NaN");
    assert_eq!(format_decimal128(&infinity), "Infinity");
    assert_eq!(format_decimal128(&negative_infinity), "-Infinity");
}

#[test]
fn decimal128_non_canonical_coefficients_read_as_zero() {
    // A coefficient above 10^34 - 1 in the normal form.
    assert_eq!(format_decimal128(&decimal(false, 0, (1 << 113) - 1)), "0");
    // The "11" combination form always exceeds the maximum coefficient.
    let eleven_form = (0b011_u128 << 125) | (6176_u128 << 111) | 5;
    assert_eq!(
        format_decimal128(&Decimal128::from_bytes(eleven_form.to_le_bytes())),
        "0"
    );
}

#[test]
fn decimal128_parsed_strings_round_trip() {
    for text in [
        "1.23",
        "1.0E+3",
        "-0.0001",
        "1E-7",
        "12345678901234567890.5",
    ] {
        let value: Decimal128 = text.parse().unwrap_or_else(|_| panic!("parse {text}"));
        assert_eq!(format_decimal128(&value), text);
    }
}

#[test]
fn base64_is_standard_with_padding() {
    let cases: [(&[u8], &str); 8] = [
        (b"", ""),
        (b"f", "Zg=="),
        (b"fo", "Zm8="),
        (b"foo", "Zm9v"),
        (b"foob", "Zm9vYg=="),
        (b"fooba", "Zm9vYmE="),
        (b"foobar", "Zm9vYmFy"),
        (&[255, 254, 253], "//79"),
    ];
    for (bytes, expected) in cases {
        assert_eq!(format_base64(bytes), expected);
    }
}
