//! The writer grammar (docs/spec/messages.md §3.1) and normalisation (§3.2).
//!
//! ```text
//! datetime = date [ sep clock [ offset ] ]       (after every "Z" became "+00:00")
//! date     = YYYY "-" MM "-" DD
//! sep      = any one Unicode scalar value
//! clock    = HH [ ":" MI [ ":" SS [ "." 1*9DIGIT ] ] ]
//! offset   = ( "+" / "-" ) OH ":" OM [ ":" OS [ "." 6DIGIT ] ]
//! ```

use chrono::{DateTime, NaiveDate, NaiveTime, SubsecRound, TimeDelta, Utc};

use super::cursor::Cursor;
use super::in_supported_years;

/// Microseconds in one second, the unit offsets are computed in.
const MICROS_PER_SECOND: i64 = 1_000_000;

/// Parses `s` with the writer grammar and returns the instant truncated to milliseconds.
pub(super) fn parse(s: &str) -> Option<DateTime<Utc>> {
    // Every `Z`, wherever it is, becomes `+00:00` before parsing (§3.1). This is what makes
    // `2020-06-03Z` valid (separator `+`, clock `00:00`) and `…52ZZ` invalid.
    let text: Vec<char> = s.replace('Z', "+00:00").chars().collect();
    let mut c = Cursor::new(&text);
    let date = date(&mut c)?;
    let (time, offset_micros) = if c.is_end() {
        (NaiveTime::MIN, 0)
    } else {
        // The separator is any single character, even a digit: a clock must follow it.
        c.next()?;
        let time = clock(&mut c)?;
        let offset = if c.is_end() { 0 } else { offset(&mut c)? };
        (time, offset)
    };
    if !c.is_end() {
        return None;
    }
    let local = date.and_time(time);
    let instant = local
        .checked_sub_signed(TimeDelta::microseconds(offset_micros))?
        .and_utc();
    in_supported_years(instant).then(|| instant.trunc_subsecs(3))
}

/// `YYYY "-" MM "-" DD`, a real calendar date in years 0001–9999.
fn date(c: &mut Cursor<'_>) -> Option<NaiveDate> {
    let year = c.digits(4)?;
    c.expect('-')?;
    let month = c.digits(2)?;
    c.expect('-')?;
    let day = c.digits(2)?;
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// `HH [ ":" MI [ ":" SS [ "." FRAC ] ] ]`; hour 24 and second 60 are out of range.
fn clock(c: &mut Cursor<'_>) -> Option<NaiveTime> {
    let hour = c.digits(2)?;
    let (mut minute, mut second, mut micros) = (0, 0, 0);
    if c.eat(':') {
        minute = c.digits(2)?;
        if c.eat(':') {
            second = c.digits(2)?;
            if c.eat('.') {
                let (count, value) = c.fraction_digits();
                if !(1..=9).contains(&count) {
                    return None;
                }
                micros = value;
            }
        }
    }
    // chrono would read second 59 with micros ≥ 1 000 000 as a leap second; ours are < 10^6.
    NaiveTime::from_hms_micro_opt(hour, minute, second, micros)
}

/// `("+" / "-") OH ":" OM [ ":" OS [ "." 6DIGIT ] ]`, returned as signed microseconds.
fn offset(c: &mut Cursor<'_>) -> Option<i64> {
    let sign = match c.next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let hours = c.digits(2)?;
    c.expect(':')?;
    let minutes = c.digits(2)?;
    let (mut seconds, mut micros) = (0, 0);
    if c.eat(':') {
        seconds = c.digits(2)?;
        if c.eat('.') {
            let (count, value) = c.fraction_digits();
            if count != 6 {
                return None;
            }
            micros = value;
        }
    }
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    let whole = i64::from((hours * 60 + minutes) * 60 + seconds);
    Some(sign * (whole * MICROS_PER_SECOND + i64::from(micros)))
}

#[cfg(test)]
mod tests;
