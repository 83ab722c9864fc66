//! Time series from message attributes (docs/spec/logreader.md §10): the builder, its result tree and
//! its JSON (§10.6) and CSV (§11) renderings.
//!
//! The caller fetches the source messages (§10.1 epoch, `process` and `topic` filters, §8
//! order) and the epoch start times, then calls [`build`] (or feeds a
//! [`TimeSeriesBuilder`] as documents arrive). The builder applies the §10.1 exclusions
//! itself, so documents without an integral `EpochNumber` or without string `Topic` /
//! `SourceProcessId` may be passed and are ignored. It never panics, whatever the input.
//!
//! # Layout
//!
//! * `source`: exclusions, epoch numbers, and trimming each document to the reachable fields.
//! * `block`: value kinds, usable blocks and time points.
//! * `tree`: the ordered result tree.
//! * `gather` and `merge`: the two phases run for each epoch.
//! * `render`: JSON output and the CSV columns.

use std::collections::{BTreeMap, HashMap, HashSet};

use bson::Document;

mod block;
mod gather;
mod merge;
mod render;
mod source;
mod tree;

pub use render::Column;
pub use source::epoch_number;

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

    /// The §10.6 JSON body (keys sorted at every level, compact or the `pretty` layout).
    pub fn to_json(&self, pretty: bool) -> String {
        render::to_json(&self.tree, &self.rows, pretty)
    }

    /// The §11 CSV body, every line ending in CRLF.
    pub fn to_csv(&self) -> String {
        crate::export::csv::timeseries_to_csv(self)
    }

    /// The CSV header: `epoch`, `timestamp`, then the column names in insertion order.
    pub fn csv_header(&self) -> Vec<String> {
        let columns = self.columns().into_iter().map(|column| column.name);
        ["epoch".to_owned(), "timestamp".to_owned()]
            .into_iter()
            .chain(columns)
            .collect()
    }

    /// One column per values list, in insertion order (topics, processes, nodes, series).
    pub fn columns(&self) -> Vec<Column<'_>> {
        render::columns(&self.tree)
    }
}

/// Builds the time series of `messages` (in §8 order) for the paths `attrs` (see
/// [`parse_attrs`]). `epoch_starts` maps an epoch number to its start time in milliseconds
/// since the Unix epoch (a BSON date); an epoch missing from it has no start time.
pub fn build(
    messages: impl IntoIterator<Item = Document>,
    attrs: &[Vec<String>],
    epoch_starts: &HashMap<i64, i64>,
) -> TimeSeries {
    let mut builder = TimeSeriesBuilder::new(attrs, epoch_starts);
    for message in messages {
        builder.push(message);
    }
    builder.finish()
}

/// Incremental form of [`build`], for feeding documents straight from a database cursor.
///
/// Messages are grouped by epoch number as they arrive, keeping their arrival order inside
/// an epoch, so only the within-epoch order has to follow §8. Only the fields the paths can
/// reach are kept.
#[derive(Debug)]
pub struct TimeSeriesBuilder<'a> {
    attrs: &'a [Vec<String>],
    epoch_starts: &'a HashMap<i64, i64>,
    first_parts: HashSet<&'a str>,
    epochs: BTreeMap<i64, Vec<Source>>,
}

impl<'a> TimeSeriesBuilder<'a> {
    /// A builder for the paths `attrs` and the epoch start times (milliseconds) of [`build`].
    pub fn new(attrs: &'a [Vec<String>], epoch_starts: &'a HashMap<i64, i64>) -> Self {
        let first_parts = attrs
            .iter()
            .filter_map(|path| path.first().map(String::as_str))
            .collect();
        Self {
            attrs,
            epoch_starts,
            first_parts,
            epochs: BTreeMap::new(),
        }
    }

    /// Adds one source message; messages the §10.1 exclusions reject are dropped here.
    pub fn push(&mut self, message: Document) {
        if let Some((epoch, source)) = source::accept(message, &self.first_parts) {
            self.epochs.entry(epoch).or_default().push(source);
        }
    }

    /// Runs gather and merge for each epoch in ascending order, then pads every values list
    /// to the row count.
    pub fn finish(self) -> TimeSeries {
        let mut series = TimeSeries::default();
        for (epoch, messages) in &self.epochs {
            let start = self.epoch_starts.get(epoch).copied();
            let items = gather::gather(
                &mut series.tree,
                messages,
                self.attrs,
                start,
                &mut series.skipped,
            );
            merge::merge(&mut series.tree, &mut series.rows, *epoch, &items);
        }
        series.tree.pad_all(series.rows.len());
        series
    }
}

#[cfg(test)]
mod tests;
