//! Fields of stored documents that more than one core reads. Pure, and below both
//! [`crate::query`] and [`crate::export`], so neither has to depend on the other.

use bson::{Bson, Document};

/// The `EpochNumber` of a document when it is numeric and integral (int32, int64, or a
/// double or Decimal128 with an integral value), as MongoDB's numeric comparison sees it.
/// Values outside the signed 64-bit range count as not integral, since no epoch can have
/// them. Use the same rule for the epoch documents that give start times.
pub fn epoch_number(doc: &Document) -> Option<i64> {
    match doc.get("EpochNumber")? {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        Bson::Double(x) => integral_double(*x),
        Bson::Decimal128(d) => integral_decimal(&d.to_string()),
        _ => None,
    }
}

fn integral_double(x: f64) -> Option<i64> {
    // -2^63 is exact as a double, 2^63 is the first value out of range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (x.is_finite() && x.fract() == 0.0 && (-LIMIT..LIMIT).contains(&x)).then_some(x as i64)
}

/// Reads a canonical Decimal128 string (`12`, `-1.50`, `1.2E+3`, `0E-8`) as an exact integer.
fn integral_decimal(text: &str) -> Option<i64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.split_once('E') {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None; // NaN, Infinity
    }
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some(0);
    }
    let scale = exponent - i64::try_from(fraction.len()).ok()?;
    let digits = if scale < 0 {
        let cut = digits.len().checked_sub(usize::try_from(-scale).ok()?)?;
        let (kept, dropped) = digits.split_at(cut);
        if !dropped.bytes().all(|b| b == b'0') {
            return None;
        }
        kept
    } else {
        digits
    };
    let mut value: i128 = digits.parse().ok()?;
    for _ in 0..scale.max(0) {
        value = value.checked_mul(10)?;
    }
    let value = if negative { -value } else { value };
    i64::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use bson::{doc, Decimal128};

    use super::*;

    fn epoch_of(value: Bson) -> Option<i64> {
        epoch_number(&doc! {"EpochNumber": value})
    }

    fn decimal(text: &str) -> Bson {
        Bson::Decimal128(text.parse::<Decimal128>().unwrap())
    }

    #[test]
    fn integer_epoch_numbers_are_taken_as_is() {
        assert_eq!(epoch_of(Bson::Int32(3)), Some(3));
        assert_eq!(epoch_of(Bson::Int64(-1)), Some(-1));
    }

    #[test]
    fn integral_doubles_count_and_fractions_do_not() {
        assert_eq!(epoch_of(Bson::Double(2.0)), Some(2));
        assert_eq!(epoch_of(Bson::Double(-0.0)), Some(0));
        assert_eq!(epoch_of(Bson::Double(2.5)), None);
        assert_eq!(epoch_of(Bson::Double(f64::NAN)), None);
        assert_eq!(epoch_of(Bson::Double(1e19)), None);
        assert_eq!(epoch_of(Bson::Double(i64::MIN as f64)), Some(i64::MIN));
    }

    #[test]
    fn integral_decimals_count() {
        assert_eq!(epoch_of(decimal("2")), Some(2));
        assert_eq!(epoch_of(decimal("-2.000")), Some(-2));
        assert_eq!(epoch_of(decimal("1.2E+3")), Some(1200));
        assert_eq!(epoch_of(decimal("0E-8")), Some(0));
        assert_eq!(epoch_of(decimal("0E+30")), Some(0));
        assert_eq!(epoch_of(decimal("2.5")), None);
        assert_eq!(epoch_of(decimal("1E-7")), None);
        assert_eq!(epoch_of(decimal("1E+30")), None);
        assert_eq!(epoch_of(decimal("NaN")), None);
        assert_eq!(epoch_of(decimal("-Infinity")), None);
    }

    #[test]
    fn other_types_and_missing_epoch_numbers_do_not_count() {
        assert_eq!(epoch_of(Bson::String("1".into())), None);
        assert_eq!(epoch_of(Bson::Null), None);
        assert_eq!(epoch_number(&doc! {}), None);
    }
}
