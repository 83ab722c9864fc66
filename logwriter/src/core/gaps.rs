//! Which message numbers of each process never arrived (docs/spec/logwriter.md §8.5).
//!
//! SimCES message ids are `<SourceProcessId>-<n>`, numbered from 1 by each process
//! (simulation-tools' `get_next_message_id`). The numbers received are kept as ranges, so a
//! run whose processes lose nothing costs one range per process whatever its length. At the
//! stop, a number below a process's highest one that never arrived is missing: lost on the
//! way (by a publisher, or by the broker). A lost tail (the last numbers of a process) leaves
//! no gap and cannot be seen. Ids that do not follow the pattern are not checked.

use std::collections::BTreeMap;

use rangemap::RangeInclusiveSet;

/// How many missing ids a report lists per process.
pub const LISTED: usize = 10;

/// The numbers received, per process.
#[derive(Debug, Clone, Default)]
pub struct MessageNumbers {
    received: BTreeMap<String, RangeInclusiveSet<u64>>,
}

/// One process's missing numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The `SourceProcessId`.
    pub process: String,
    /// How many numbers between 1 and the highest received never arrived.
    pub count: u64,
    /// The first [`LISTED`] of them, ascending.
    pub first: Vec<u64>,
}

impl Gap {
    /// The first missing message ids, as the publisher wrote them.
    pub fn first_ids(&self) -> Vec<String> {
        let process = &self.process;
        self.first
            .iter()
            .map(|n| format!("{process}-{n}"))
            .collect()
    }
}

impl MessageNumbers {
    /// Notes a message of `process` with id `message_id`; ids not of the form
    /// `<process>-<n>` (n a decimal number from 1, no leading zero) are ignored.
    pub fn record(&mut self, process: &str, message_id: &str) {
        if let Some(n) = number(process, message_id) {
            let ranges = self.received.entry(process.to_owned()).or_default();
            ranges.insert(n..=n);
        }
    }

    /// Every process with a gap, sorted by process id.
    pub fn gaps(&self) -> Vec<Gap> {
        self.received
            .iter()
            .filter_map(|(process, ranges)| gap(process, ranges))
            .collect()
    }
}

fn gap(process: &str, ranges: &RangeInclusiveSet<u64>) -> Option<Gap> {
    let highest = *ranges.last()?.end();
    let mut count = 0;
    let mut first = Vec::new();
    for missing in ranges.gaps(&(1..=highest)) {
        count += missing.end() - missing.start() + 1;
        let room = LISTED - first.len();
        first.extend(missing.take(room));
    }
    (count > 0).then(|| Gap {
        process: process.to_owned(),
        count,
        first,
    })
}

/// `n` of `<process>-<n>`.
fn number(process: &str, message_id: &str) -> Option<u64> {
    let digits = message_id.strip_prefix(process)?.strip_prefix('-')?;
    let plain = !digits.is_empty()
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit());
    plain.then(|| digits.parse().ok()).flatten()
}

#[cfg(test)]
mod tests;
