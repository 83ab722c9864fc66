//! The reader's ISO 8601 grammar (docs/spec/logreader.md §5.2), for query parameters and block
//! `TimeIndex` items.
//!
//! The grammar is "ISO 8601 as the original LogReader accepted it", and the original used
//! `dateutil.parser.isoparse`. So the parse is deterministic in the same way: the calendar
//! forms (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYYMMDD`) are tried first and, once they match
//! syntactically, are final; only when they do not match are week and ordinal dates tried.
//! `YYYY` and `YYYY-MM` are complete values on their own and never take a time. That is
//! what makes `202006` invalid rather than "2020, separator `0`, hour 06", and
//! `2020-06-03110:00` valid with the separator `1`.

use chrono::{FixedOffset, NaiveDate, NaiveTime, TimeDelta, Weekday};

use super::cursor::Cursor;
use super::QueryDateTime;

/// Parses `s` with the reader grammar.
pub(super) fn parse(s: &str) -> Option<QueryDateTime> {
    if !s.is_ascii() {
        return None;
    }
    let text: Vec<char> = s.chars().collect();
    let mut c = Cursor::new(&text);
    let date = date(&mut c)?;
    if c.is_end() {
        return QueryDateTime::new(date.and_time(NaiveTime::MIN), None);
    }
    // The separator is any single (ASCII) character, even a digit.
    c.next()?;
    let time = time(&mut c)?;
    if !c.is_end() {
        return None;
    }
    let mut local = date.and_time(time.clock);
    if time.next_day {
        local = local.checked_add_signed(TimeDelta::days(1))?;
    }
    QueryDateTime::new(local, time.offset)
}

/// Calendar forms first; when they do not match syntactically, week and ordinal dates.
fn date(c: &mut Cursor<'_>) -> Option<NaiveDate> {
    let mut attempt = c.clone();
    match calendar_fields(&mut attempt) {
        Some((year, month, day)) => {
            *c = attempt;
            NaiveDate::from_ymd_opt(year_of(year)?, month, day)
        }
        None => week_or_ordinal_date(c),
    }
}

/// `YYYY` (whole value) / `YYYY-MM` (whole value) / `YYYY-MM-DD` / `YYYYMMDD`, unchecked.
fn calendar_fields(c: &mut Cursor<'_>) -> Option<(u32, u32, u32)> {
    let year = c.digits(4)?;
    if c.is_end() {
        return Some((year, 1, 1));
    }
    let extended = c.eat('-');
    let month = c.digits(2)?;
    if c.is_end() {
        return extended.then_some((year, month, 1));
    }
    if extended {
        c.expect('-')?;
    }
    let day = c.digits(2)?;
    Some((year, month, day))
}

/// `YYYY ["-"] "W" ww [["-"] D]` with a consistent `-`, or `YYYY ["-"] DDD`.
fn week_or_ordinal_date(c: &mut Cursor<'_>) -> Option<NaiveDate> {
    let year = year_of(c.digits(4)?)?;
    let extended = c.eat('-');
    if !c.eat('W') {
        return NaiveDate::from_yo_opt(year, c.digits(3)?);
    }
    let week = c.digits(2)?;
    let mut day = 1;
    // Anything after the week number must be the day digit, so a week date followed by
    // a time needs its day (`2020-W23-3T10:00`).
    if !c.is_end() {
        if extended {
            c.expect('-')?;
        }
        day = c.digits(1)?;
    }
    let weekday = Weekday::try_from(u8::try_from(day.checked_sub(1)?).ok()?).ok()?;
    // chrono accepts week 53 only in years that have one.
    NaiveDate::from_isoywd_opt(year, week, weekday)
}

/// Years 0001–9999 (four digits can't exceed 9999, but can be 0000).
fn year_of(year: u32) -> Option<i32> {
    (year >= 1).then(|| i32::try_from(year).ok()).flatten()
}

/// The parsed `time` production.
#[derive(Debug)]
struct Time {
    clock: NaiveTime,
    /// `24:00…` was written: the clock is 00:00 of the following day.
    next_day: bool,
    offset: Option<FixedOffset>,
}

/// `HH [[":"] MM [[":"] SS [("." / ",") 1*DIGIT]]] [tz]`, `:` between all fields or none.
fn time(c: &mut Cursor<'_>) -> Option<Time> {
    let hour = c.digits(2)?;
    let (mut minute, mut second, mut micros) = (0, 0, 0);
    if !at_zone_or_end(c) {
        let colons = c.eat(':');
        minute = c.digits(2)?;
        if !at_zone_or_end(c) {
            if colons {
                c.expect(':')?;
            }
            second = c.digits(2)?;
            if c.eat('.') || c.eat(',') {
                let (count, value) = c.fraction_digits();
                if count == 0 {
                    return None;
                }
                micros = value;
            }
        }
    }
    let offset = if c.is_end() { None } else { Some(zone(c)?) };
    // Hour 24 is midnight at the end of the day, so every other field must be zero
    // (after the fraction was truncated to microseconds).
    let next_day = hour == 24;
    if next_day && (minute, second, micros) != (0, 0, 0) {
        return None;
    }
    let clock_hour = if next_day { 0 } else { hour };
    Some(Time {
        clock: NaiveTime::from_hms_micro_opt(clock_hour, minute, second, micros)?,
        next_day,
        offset,
    })
}

fn at_zone_or_end(c: &Cursor<'_>) -> bool {
    matches!(c.peek(), None | Some('+' | '-' | 'Z' | 'z'))
}

/// `"Z" / "z" / ("+" / "-") OH [[":"] OM]`; all zero offsets are UTC.
fn zone(c: &mut Cursor<'_>) -> Option<FixedOffset> {
    let sign = match c.next()? {
        'Z' | 'z' => return FixedOffset::east_opt(0),
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let hours = c.digits(2)?;
    let mut minutes = 0;
    if !c.is_end() {
        c.eat(':');
        minutes = c.digits(2)?;
    }
    if hours > 23 || minutes > 59 {
        return None;
    }
    let seconds = i32::try_from((hours * 60 + minutes) * 60).ok()?;
    FixedOffset::east_opt(sign * seconds)
}

#[cfg(test)]
mod tests;
