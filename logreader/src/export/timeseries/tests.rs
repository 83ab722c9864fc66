//! Unit tests of the time series builder: one test per row of the §10.3 "Consequences"
//! table, the exclusions of §10.1, and the JSON output of §10.6.

use std::collections::HashMap;

use bson::Document;

use super::*;

mod consequences;
mod output;
mod streaming;

/// Builds with the fixture's epoch start times (epochs 1 and 2).
fn build_fixture(messages: Vec<Document>, attrs: &str) -> TimeSeries {
    build_with(messages, attrs, &crate::export::fixtures::epoch_starts())
}

fn build_with(messages: Vec<Document>, attrs: &str, starts: &HashMap<i64, i64>) -> TimeSeries {
    build(messages, &parse_attrs(attrs), starts)
}

/// Compact JSON of the result.
fn json(series: &TimeSeries) -> String {
    series.to_json(false)
}
