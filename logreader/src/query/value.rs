//! Parameter value grammars (docs/spec/logreader.md §5): integers, datetimes and the small enums.
//! Each parser returns the spec's error for its parameter, quoting the decoded value.

use chrono::{DateTime, Utc};

use super::QueryError;

/// Response format of `/timeseries`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// §10.6.
    Json,
    /// §11.
    Csv,
}

/// Table layout of a CSV time series (§11.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// One row per time point, one column per attribute (§11).
    #[default]
    Wide,
    /// One row per value: `epoch;timestamp;topic;process;attribute;value` (§11.1).
    Long,
}

/// Response format of the lists: `/simulations`, `/messages` and `/messages/invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// A JSON array (§9).
    #[default]
    Json,
    /// One compact JSON document per line (§9.5).
    Ndjson,
}

/// The §5.1 integer grammar: trimmed ASCII whitespace, optional sign, ASCII digits with
/// single `_` between digits, within the signed 64-bit range.
pub fn parse_integer(value: &str) -> Option<i64> {
    let trimmed =
        value.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'));
    let (negative, body) = match trimmed.as_bytes().first()? {
        b'+' => (false, &trimmed[1..]),
        b'-' => (true, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let bytes = body.as_bytes();
    let well_formed = !bytes.is_empty()
        && bytes.first().is_some_and(u8::is_ascii_digit)
        && bytes.last().is_some_and(u8::is_ascii_digit)
        && bytes.iter().all(|b| b.is_ascii_digit() || *b == b'_')
        && !body.contains("__");
    if !well_formed {
        return None;
    }
    let digits: String = body.chars().filter(|c| *c != '_').collect();
    let text = if negative {
        format!("-{digits}")
    } else {
        digits
    };
    text.parse().ok()
}

/// `epoch`, `startEpoch` or `endEpoch`.
pub fn parse_epoch(param: &'static str, value: &str) -> Result<i64, QueryError> {
    parse_integer(value).ok_or_else(|| QueryError::InvalidInteger {
        param,
        value: value.to_owned(),
    })
}

/// `limit`: an integer ≥ 1.
pub fn parse_limit(value: &str) -> Result<u64, QueryError> {
    parse_integer(value)
        .filter(|limit| *limit >= 1)
        .and_then(|limit| u64::try_from(limit).ok())
        .ok_or_else(|| QueryError::InvalidLimit(value.to_owned()))
}

/// `skip`: an integer ≥ 0.
pub fn parse_skip(value: &str) -> Result<u64, QueryError> {
    parse_integer(value)
        .and_then(|skip| u64::try_from(skip).ok())
        .ok_or_else(|| QueryError::InvalidSkip(value.to_owned()))
}

/// A §5.2 datetime parameter, as its UTC instant.
pub fn parse_datetime(param: &'static str, value: &str) -> Result<DateTime<Utc>, QueryError> {
    common::time::parse_query_datetime(value)
        .map(|parsed| parsed.instant())
        .ok_or_else(|| QueryError::InvalidDatetime {
            param,
            value: value.to_owned(),
        })
}

/// `onlyWarnings`: exactly `true` or `false`.
pub fn parse_only_warnings(value: &str) -> Result<bool, QueryError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(QueryError::InvalidOnlyWarnings(value.to_owned())),
    }
}

/// `format`: exactly `json` or `csv`.
pub fn parse_format(value: &str) -> Result<Format, QueryError> {
    match value {
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        _ => Err(QueryError::InvalidFormat(value.to_owned())),
    }
}

/// `layout`: exactly `wide` or `long`; `long` only with CSV.
pub fn parse_layout(value: &str, format: Format) -> Result<Layout, QueryError> {
    match (value, format) {
        ("wide", _) => Ok(Layout::Wide),
        ("long", Format::Csv) => Ok(Layout::Long),
        _ => Err(QueryError::InvalidLayout(value.to_owned())),
    }
}

/// `format` on a list: exactly `json` or `ndjson`.
pub fn parse_list_format(value: &str) -> Result<ListFormat, QueryError> {
    match value {
        "json" => Ok(ListFormat::Json),
        "ndjson" => Ok(ListFormat::Ndjson),
        _ => Err(QueryError::InvalidListFormat(value.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_the_grammar() {
        for (text, expected) in [
            ("2", 2),
            (" 2 ", 2),
            ("\t\x0b2\x0c\r\n", 2),
            ("+2", 2),
            ("-1", -1),
            ("1_000", 1000),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ] {
            assert_eq!(parse_integer(text), Some(expected), "{text:?}");
        }
        for text in [
            "1.0",
            "1e2",
            "a",
            "_1",
            "1_",
            "1__0",
            "١",
            "٣",
            "99999999999999999999",
            " ",
            "",
            "+",
            "-",
            "+-1",
            "\u{a0}1",
            "1 2",
            "0x10",
        ] {
            assert_eq!(parse_integer(text), None, "{text:?}");
        }
    }

    #[test]
    fn limit_and_skip_have_their_own_ranges_and_errors() {
        assert_eq!(parse_limit("1").ok(), Some(1));
        assert!(matches!(parse_limit("0"), Err(QueryError::InvalidLimit(v)) if v == "0"));
        assert!(matches!(parse_limit("x"), Err(QueryError::InvalidLimit(_))));
        assert_eq!(parse_skip("0").ok(), Some(0));
        assert!(matches!(parse_skip("-1"), Err(QueryError::InvalidSkip(v)) if v == "-1"));
    }

    #[test]
    fn enums_are_case_sensitive() {
        assert!(parse_only_warnings("true").unwrap());
        assert!(!parse_only_warnings("false").unwrap());
        assert!(parse_only_warnings("True").is_err());
        assert_eq!(parse_format("csv").ok(), Some(Format::Csv));
        assert!(matches!(parse_format("CSV"), Err(QueryError::InvalidFormat(v)) if v == "CSV"));
    }
}
