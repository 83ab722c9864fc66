//! Time series from message attributes (docs/spec/logreader.md §10): the builder, its result tree and
//! its JSON (§10.6) and CSV (§11) renderings.
//!
//! The caller fetches the source messages (§10.1 epoch, `process` and `topic` filters, §8
//! order) and the epoch start times, then feeds a [`TimeSeriesBuilder`] as documents arrive
//! (or calls [`build`]). The builder applies the §10.1 exclusions itself, so documents
//! without an integral `EpochNumber` or without string `Topic` / `SourceProcessId` may be
//! passed and are ignored. It never panics, whatever the input.
//!
//! Memory: the builder holds the source messages of one epoch at a time, trimmed to the
//! fields the paths reach, and the result in a column store that keeps only the values
//! (`cells`). The renderings write into a buffer that the caller drains as they go.
//!
//! # Layout
//!
//! * `source`: exclusions, epoch numbers, and trimming each document to the reachable fields.
//! * `block`: value kinds, usable blocks and time points.
//! * `tree` and `cells`: the ordered result tree and its values lists.
//! * `gather` and `merge`: the two phases run for each epoch.
//! * `render`: JSON output and the CSV table.

use std::collections::{HashMap, HashSet};

use bson::Document;

use crate::stored::epoch_number;

mod block;
mod cells;
mod gather;
mod merge;
mod render;
mod source;
mod tree;

pub use render::Flush;

use source::Source;
use tree::Tree;

/// Splits the `attrs` parameter into paths: on `,`, then each item on `.`, with no trimming.
/// Empty items and parts are kept (`a..b` has an empty middle part); they simply find
/// nothing.
pub fn parse_attrs(attrs: &str) -> Vec<Vec<String>> {
    attrs
        .split(',')
        .map(|path| path.split('.').map(str::to_owned).collect())
        .collect()
}

/// One `TimeIndex` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The epoch number.
    pub epoch: i64,
    /// The §9.4 time text: a block time point as written, or a BSON date. `None` only for a
    /// BSON date outside years 0001–9999 (written as `null` in JSON, an empty CSV cell).
    pub timestamp: Option<String>,
}

/// The built time series: rows, result tree and the skipped-value count.
#[derive(Debug, Default)]
pub struct TimeSeries {
    tree: Tree,
    rows: Vec<Row>,
    skipped: u64,
}

impl TimeSeries {
    /// The `X-Skipped-Values` count (§10.4): (message, path) pairs whose simple value was
    /// dropped because its epoch has no start time.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The `TimeIndex` rows in order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Appends the §10.6 JSON body (keys sorted at every level, compact or the `pretty`
    /// layout) to `out`, calling `flush` between its elements.
    pub fn write_json(&self, pretty: bool, out: &mut String, flush: Flush<'_>) {
        render::write_json(&self.tree, &self.rows, pretty, out, flush);
    }

    /// Appends the §11 CSV body (every line ending in CRLF) to `out`, calling `flush` after
    /// each line.
    pub fn write_csv(&self, out: &mut String, flush: Flush<'_>) {
        render::write_csv(&self.tree, &self.rows, out, flush);
    }

    /// Appends the §11.1 long CSV body (one line per value), calling `flush` after each line.
    pub fn write_long_csv(&self, out: &mut String, flush: Flush<'_>) {
        render::write_long_csv(&self.tree, &self.rows, out, flush);
    }

    /// The whole §10.6 JSON body.
    pub fn to_json(&self, pretty: bool) -> String {
        let mut out = String::new();
        self.write_json(pretty, &mut out, &mut |_| {});
        out
    }

    /// The whole §11 CSV body.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        self.write_csv(&mut out, &mut |_| {});
        out
    }

    /// The whole §11.1 long CSV body.
    pub fn to_long_csv(&self) -> String {
        let mut out = String::new();
        self.write_long_csv(&mut out, &mut |_| {});
        out
    }

    /// The CSV header: `epoch`, `timestamp`, then the column names in insertion order.
    pub fn csv_header(&self) -> Vec<String> {
        render::csv_header(&self.tree)
    }
}

/// Builds the time series of `messages` for the paths `attrs` (see [`parse_attrs`]).
/// `epoch_starts` maps an epoch number to its start time in milliseconds since the Unix
/// epoch (a BSON date); an epoch missing from it has no start time. The messages are put in
/// epoch order first (stably), so within an epoch they only have to follow §8.
pub fn build(
    messages: impl IntoIterator<Item = Document>,
    attrs: &[Vec<String>],
    epoch_starts: &HashMap<i64, i64>,
) -> TimeSeries {
    let mut messages: Vec<Document> = messages.into_iter().collect();
    messages.sort_by_key(epoch_number);
    let mut builder = TimeSeriesBuilder::new(attrs, epoch_starts);
    for message in messages {
        builder.push(message);
    }
    builder.finish()
}

/// Incremental form of [`build`], for feeding documents straight from a database cursor in
/// §8 order (by epoch, then time).
///
/// It holds one epoch's messages, trimmed to the fields the paths can reach, and gathers and
/// merges them when a message of another epoch arrives (or at [`finish`](Self::finish)).
/// The database's order keeps an epoch's messages together; a message whose epoch number
/// is not the current one always starts a new group, so even an unordered input gives a
/// result (rows of one epoch may then appear more than once) and never a failure.
#[derive(Debug)]
pub struct TimeSeriesBuilder<'a> {
    attrs: &'a [Vec<String>],
    epoch_starts: &'a HashMap<i64, i64>,
    first_parts: HashSet<&'a str>,
    epoch: Option<(i64, Vec<Source>)>,
    series: TimeSeries,
}

impl<'a> TimeSeriesBuilder<'a> {
    /// A builder for the paths `attrs` and the epoch start times (milliseconds) of [`build`].
    pub fn new(attrs: &'a [Vec<String>], epoch_starts: &'a HashMap<i64, i64>) -> Self {
        Self {
            attrs,
            epoch_starts,
            first_parts: first_parts(attrs),
            epoch: None,
            series: TimeSeries::default(),
        }
    }

    /// Adds one source message; messages the §10.1 exclusions reject are dropped here.
    pub fn push(&mut self, message: Document) {
        let Some((epoch, source)) = source::accept(message, &self.first_parts) else {
            return;
        };
        match &mut self.epoch {
            Some((current, sources)) if *current == epoch => sources.push(source),
            _ => {
                self.finish_epoch();
                self.epoch = Some((epoch, vec![source]));
            }
        }
    }

    /// Merges the last epoch and returns the series.
    pub fn finish(mut self) -> TimeSeries {
        self.finish_epoch();
        self.series
    }

    /// Runs gather and merge over the held epoch, then frees its messages.
    fn finish_epoch(&mut self) {
        let Some((epoch, messages)) = self.epoch.take() else {
            return;
        };
        let series = &mut self.series;
        let start = self.epoch_starts.get(&epoch).copied();
        let items = gather::gather(
            &mut series.tree,
            &messages,
            self.attrs,
            start,
            &mut series.skipped,
        );
        merge::merge(&mut series.tree, &mut series.rows, epoch, &items);
    }
}

/// The top-level field names the paths start with: the only fields a source message needs
/// besides `EpochNumber`, `Topic` and `SourceProcessId`.
pub fn first_parts(attrs: &[Vec<String>]) -> HashSet<&str> {
    attrs
        .iter()
        .filter_map(|path| path.first().map(String::as_str))
        .collect()
}

#[cfg(test)]
mod tests;
