//! Text forms of single BSON values shared by the JSON (§9) and CSV (§11) writers: the
//! Python `repr` double, BSON dates, Decimal128 and base64.

use bson::Decimal128;
use chrono::{DateTime, Datelike, Timelike};

/// 0001-01-01T00:00:00Z in milliseconds since the Unix epoch.
const MIN_DATE_MILLIS: i64 = -62_135_596_800_000;
/// 9999-12-31T23:59:59.999Z in milliseconds since the Unix epoch.
const MAX_DATE_MILLIS: i64 = 253_402_300_799_999;

/// A double in Python `repr` form (§9.3), or `None` for NaN and ±infinity, which each
/// output format spells in its own way.
pub(crate) fn format_double(value: f64) -> Option<String> {
    value.is_finite().then(|| repr_finite(value))
}

/// Python `repr` of a finite double. Rust's `{:e}` already yields the shortest digit string
/// that reads back as the same double, so only the layout has to be rebuilt from it.
fn repr_finite(value: f64) -> String {
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // `{:e}` gives d.ddd × 10^e, the spec counts the point as 0.dddd × 10^p.
    let point = exponent.parse::<i32>().unwrap_or(0) + 1;
    let sign = if value.is_sign_negative() { "-" } else { "" };
    format!("{sign}{}", layout_digits(&digits, point))
}

/// Places the decimal point in `digits` (value = 0.digits × 10^point) the way `repr` does.
fn layout_digits(digits: &str, point: i32) -> String {
    let count = digits.len() as i32;
    if point > -4 && point <= 16 {
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point < count {
            let (whole, fraction) = digits.split_at(point as usize);
            format!("{whole}.{fraction}")
        } else {
            format!("{digits}{}.0", "0".repeat((point - count) as usize))
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent = point - 1;
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{first}{fraction}e{exponent_sign}{:02}",
            exponent.unsigned_abs()
        )
    }
}

/// A BSON date per §9.4: `YYYY-MM-DDTHH:MM:SSZ`, or with `.ffffffZ` when the milliseconds
/// are not 0. `None` outside years 0001–9999, which the JSON form writes as `null`.
pub(crate) fn format_bson_date(millis: i64) -> Option<String> {
    if !(MIN_DATE_MILLIS..=MAX_DATE_MILLIS).contains(&millis) {
        return None;
    }
    let time = DateTime::from_timestamp_millis(millis)?;
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        time.year(),
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    );
    let fraction_millis = millis.rem_euclid(1000);
    if fraction_millis != 0 {
        text.push_str(&format!(".{:06}", fraction_millis * 1000));
    }
    text.push('Z');
    Some(text)
}

/// The canonical Decimal128 string (`1.23`, `1.0E+3`, `NaN`, `-Infinity`).
///
/// bson's `Display` follows the Decimal128 specification's to-string algorithm, including the
/// "non-canonical coefficient reads as zero" rule; the unit tests pin that down.
pub(crate) fn format_decimal128(value: &Decimal128) -> String {
    value.to_string()
}

/// Standard base64 with `=` padding (RFC 4648 §4).
pub(crate) fn format_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests;
