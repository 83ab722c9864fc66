//! The two datetime grammars of the system.
//!
//! * The **writer grammar** (docs/spec/messages.md §3) reads `SimulationId`, `Timestamp`, `StartTime`,
//!   `EndTime` and the `SIMULATION_ID` setting, and normalises them to whole milliseconds in
//!   UTC: [`parse_message_datetime`], [`normalise`], [`format_normalised`].
//! * The **reader grammar** (docs/spec/logreader.md §5.2) is the wider ISO 8601 subset of the original
//!   LogReader, used for query parameters and block `TimeIndex` items. It keeps the offset
//!   as written, because block time points are displayed with it (§9.4):
//!   [`parse_query_datetime`], [`QueryDateTime`].
//!
//! Both are small hand-written parsers over a character cursor: the grammars are fixed-width,
//! and a hand-written parser states each rule exactly once. Naive values are UTC; the host
//! time zone never matters.

mod cursor;
mod query;
mod writer;

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, TimeDelta, Timelike, Utc};

/// Parses a message datetime with the writer grammar (docs/spec/messages.md §3.1) and normalises it
/// (§3.2): the UTC instant truncated (never rounded) to whole milliseconds.
///
/// Returns `None` when the string does not match the grammar, or when the instant falls
/// outside years 0001–9999 once the offset is applied (`0001-01-01T00:00:00+01:00`).
pub fn parse_message_datetime(s: &str) -> Option<DateTime<Utc>> {
    writer::parse(s)
}

/// Formats an instant as `YYYY-MM-DDTHH:MM:SS.mmmZ`, always with three millisecond digits.
///
/// Sub-millisecond digits are dropped, never rounded. Meant for instants in years 0001–9999,
/// which is all [`parse_message_datetime`] returns.
pub fn format_normalised(t: DateTime<Utc>) -> String {
    use chrono::{Datelike as _, Timelike as _};
    // A leap second (nanoseconds ≥ 10^9) is shown as the last millisecond of its second.
    let millis = t.timestamp_subsec_millis().min(999);
    // Field by field rather than through chrono's strftime, which parses its pattern on
    // every call: this runs once per stored message (`SimulationId`).
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// [`parse_message_datetime`] followed by [`format_normalised`]: the normalised text of a
/// message datetime, or `None` when it does not parse.
pub fn normalise(s: &str) -> Option<String> {
    parse_message_datetime(s).map(format_normalised)
}

/// A value parsed with the reader's ISO 8601 grammar (docs/spec/logreader.md §5.2): a query parameter
/// or a block `TimeIndex` item.
///
/// It keeps the local date-time as written (microsecond precision, with `24:00` already
/// turned into 00:00 of the next day) and the offset as written: `None` for a naive value,
/// `Some(+00:00)` for `Z`, `z`, `+00`, `+00:00` and `-00:00`. Derived equality compares
/// those parts; compare [`QueryDateTime::instant`]s to compare points in time. Both the
/// local date-time and the instant lie in years 0001–9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryDateTime {
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
}

impl QueryDateTime {
    /// Builds a value, refusing local date-times or instants outside years 0001–9999, so
    /// every value can be stored as a BSON date and displayed with four year digits.
    fn new(local: NaiveDateTime, offset: Option<FixedOffset>) -> Option<Self> {
        let value = Self { local, offset };
        let local_in_range = in_supported_years(local.and_utc());
        (local_in_range && in_supported_years(value.instant())).then_some(value)
    }

    /// The point in time: the local date-time minus the offset; a naive value is UTC.
    /// Microsecond precision.
    pub fn instant(&self) -> DateTime<Utc> {
        let offset = self.offset.map_or(0, |o| o.local_minus_utc());
        // Offsets are below 24 h and `new` keeps the result inside years 1–9999.
        (self.local - TimeDelta::seconds(i64::from(offset))).and_utc()
    }

    /// The block time-point display of docs/spec/logreader.md §9.4: the local date-time as written,
    /// `.ffffff` only when the microseconds are not 0, then `Z` for a naive value or a zero
    /// offset, otherwise `±HH:MM` (`2020-01-01T00:00:00+02:00`).
    pub fn display(&self) -> String {
        let mut out = self.local.format("%Y-%m-%dT%H:%M:%S").to_string();
        let micros = self.local.nanosecond() / 1_000;
        if micros != 0 {
            let _ = write!(out, ".{micros:06}");
        }
        match self.offset.map_or(0, |o| o.local_minus_utc()) {
            0 => out.push('Z'),
            seconds => {
                let sign = if seconds < 0 { '-' } else { '+' };
                let minutes = seconds.unsigned_abs() / 60;
                let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
            }
        }
        out
    }
}

/// Parses a value with the reader's ISO 8601 grammar (docs/spec/logreader.md §5.2); `None` when it
/// does not match, is not a real date or time, or lies outside years 0001–9999.
pub fn parse_query_datetime(s: &str) -> Option<QueryDateTime> {
    query::parse(s)
}

/// Whether an instant lies in the years both programs can store and print (0001–9999).
fn in_supported_years(t: DateTime<Utc>) -> bool {
    (1..=9999).contains(&t.year())
}

#[cfg(test)]
mod tests;
