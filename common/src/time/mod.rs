//! The two datetime grammars: the writer's (messages.md §3) and the reader's ISO 8601
//! grammar for query parameters and block `TimeIndex` items (logreader.md §5.2).
//!
//! Provisional bodies: the signatures are final, the parsers follow.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};

/// Parses a message datetime (messages.md §3.1) and normalises it (§3.2).
pub fn parse_message_datetime(s: &str) -> Option<DateTime<Utc>> {
    let _ = s;
    None
}

/// Formats an instant as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_normalised(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// [`parse_message_datetime`] followed by [`format_normalised`].
pub fn normalise(s: &str) -> Option<String> {
    parse_message_datetime(s).map(format_normalised)
}

/// A value parsed with the reader's ISO 8601 grammar (logreader.md §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryDateTime {
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
}

impl QueryDateTime {
    /// The UTC instant; a naive value is taken as UTC.
    pub fn instant(&self) -> DateTime<Utc> {
        let off = self.offset.map_or(0, |o| o.local_minus_utc());
        (self.local - chrono::TimeDelta::seconds(i64::from(off))).and_utc()
    }

    /// Block time-point display (logreader.md §9.4).
    pub fn display(&self) -> String {
        self.local.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// Parses a reader datetime (logreader.md §5.2).
pub fn parse_query_datetime(s: &str) -> Option<QueryDateTime> {
    let _ = s;
    None
}
