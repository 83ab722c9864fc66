//! Epoch and simulated-time filtering (docs/spec/logreader.md §7): turns the epoch parameters, or the
//! simulated-time parameters resolved against the epoch documents, into one condition on
//! `EpochNumber`. Pure: the epoch documents are passed in.

use std::collections::HashMap;

use bson::{oid::ObjectId, Bson, Document};
use chrono::{DateTime, Utc};
use common::schema::field;

/// What the epoch parameters select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochCondition {
    /// No condition on `EpochNumber`.
    All,
    /// `EpochNumber ≥ min` and/or `≤ max` (at least one is set).
    Range {
        /// Inclusive lower bound.
        min: Option<i64>,
        /// Inclusive upper bound.
        max: Option<i64>,
    },
    /// No message can match.
    Empty,
}

impl EpochCondition {
    /// Whether epoch `number` satisfies the condition.
    pub fn contains(&self, number: i64) -> bool {
        match *self {
            Self::All => true,
            Self::Range { min, max } => {
                min.is_none_or(|min| number >= min) && max.is_none_or(|max| number <= max)
            }
            Self::Empty => false,
        }
    }
}

/// The epoch parameters of a request: numbers (§7.1) or simulated times (§7.2), which win.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochRequest {
    /// `epoch`, `startEpoch`, `endEpoch`.
    Numbers {
        /// `epoch`.
        epoch: Option<i64>,
        /// `startEpoch`.
        start: Option<i64>,
        /// `endEpoch`.
        end: Option<i64>,
    },
    /// `fromSimDate` and/or `toSimDate` (at least one is set).
    SimTime {
        /// `fromSimDate`.
        from: Option<DateTime<Utc>>,
        /// `toSimDate`.
        to: Option<DateTime<Utc>>,
    },
}

impl EpochRequest {
    /// The request without epoch or simulated-time parameters: every epoch.
    pub fn everything() -> Self {
        Self::Numbers {
            epoch: None,
            start: None,
            end: None,
        }
    }

    /// Whether the request selects every epoch (no epoch or simulated-time parameter).
    pub fn is_everything(&self) -> bool {
        matches!(
            self,
            Self::Numbers {
                epoch: None,
                start: None,
                end: None
            }
        )
    }

    /// Whether resolving needs the epoch documents.
    pub fn needs_epoch_documents(&self) -> bool {
        matches!(self, Self::SimTime { .. })
    }

    /// The condition, given the simulation's epoch documents (only read for `SimTime`).
    pub fn resolve(&self, epochs: &[EpochDocument]) -> EpochCondition {
        match *self {
            Self::Numbers { epoch, start, end } => number_condition(epoch, start, end),
            Self::SimTime { from, to } => {
                let lower = from.map_or(Bound::Open, |from| lower_bound(epochs, from));
                let upper = to.map_or(Bound::Open, |to| upper_bound(epochs, to));
                combine(lower, upper)
            }
        }
    }
}

/// The table of §7.1.
fn number_condition(epoch: Option<i64>, start: Option<i64>, end: Option<i64>) -> EpochCondition {
    let (min, max) = match (epoch, start, end) {
        (_, Some(start), end) => (Some(start), end),
        (Some(epoch), None, Some(end)) if epoch > end => return EpochCondition::Empty,
        (Some(epoch), None, _) => (Some(epoch), Some(epoch)),
        (None, None, end) => (None, end),
    };
    range(min, max)
}

fn range(min: Option<i64>, max: Option<i64>) -> EpochCondition {
    match (min, max) {
        (None, None) => EpochCondition::All,
        (Some(min), Some(max)) if min > max => EpochCondition::Empty,
        _ => EpochCondition::Range { min, max },
    }
}

/// One side of a simulated-time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Open,
    Epoch(i64),
    Empty,
}

fn combine(lower: Bound, upper: Bound) -> EpochCondition {
    let side = |bound| match bound {
        Bound::Open => Some(None),
        Bound::Epoch(number) => Some(Some(number)),
        Bound::Empty => None,
    };
    match (side(lower), side(upper)) {
        (Some(min), Some(max)) => range(min, max),
        _ => EpochCondition::Empty,
    }
}

/// An epoch document (§7.2): `Topic` "Epoch", integral `EpochNumber`, date start and end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochDocument {
    /// `EpochNumber`.
    pub number: i64,
    /// `StartTime`.
    pub start: DateTime<Utc>,
    /// `EndTime`.
    pub end: DateTime<Utc>,
    /// `Timestamp`, when it is a date.
    pub timestamp: Option<DateTime<Utc>>,
    /// `_id`, when it is an ObjectId (tie-breaker).
    pub id: Option<ObjectId>,
}

impl EpochDocument {
    /// Reads an epoch document; `None` when it lacks a usable number or dates. The caller
    /// has already selected `Topic: "Epoch"`.
    pub fn from_document(doc: &Document) -> Option<Self> {
        let date = |key| match doc.get(key) {
            Some(Bson::DateTime(date)) => Some(date.to_chrono()),
            _ => None,
        };
        Some(Self {
            number: crate::stored::epoch_number(doc)?,
            start: date(field::START_TIME)?,
            end: date(field::END_TIME)?,
            timestamp: date(field::TIMESTAMP),
            id: doc.get_object_id(field::ID).ok(),
        })
    }
}

/// Lower bound from `fromSimDate` = `from` (§7.2, rules 1–4).
fn lower_bound(epochs: &[EpochDocument], from: DateTime<Utc>) -> Bound {
    let containing = epochs
        .iter()
        .filter(|e| e.start <= from && from < e.end)
        .min_by_key(|e| (e.start, e.id));
    if let Some(epoch) = containing {
        return Bound::Epoch(epoch.number);
    }
    if epochs.iter().all(|e| from < e.start) {
        return Bound::Open;
    }
    if epochs.iter().all(|e| from >= e.end) {
        return Bound::Empty;
    }
    epochs
        .iter()
        .filter(|e| e.start > from)
        .min_by_key(|e| (e.start, e.id))
        .map_or(Bound::Empty, |e| Bound::Epoch(e.number))
}

/// Upper bound from `toSimDate` = `to` (§7.2, rules 1–4).
fn upper_bound(epochs: &[EpochDocument], to: DateTime<Utc>) -> Bound {
    // Largest start, ties broken by the smallest id.
    let latest = |candidates: &mut dyn Iterator<Item = &EpochDocument>| {
        candidates
            .min_by(|a, b| b.start.cmp(&a.start).then(a.id.cmp(&b.id)))
            .map(|e| e.number)
    };
    let mut containing = epochs.iter().filter(|e| e.start < to && to <= e.end);
    if let Some(number) = latest(&mut containing) {
        return Bound::Epoch(number);
    }
    if epochs.iter().all(|e| to > e.end) {
        return Bound::Open;
    }
    if epochs.iter().all(|e| to <= e.start) {
        return Bound::Empty;
    }
    let mut before = epochs.iter().filter(|e| e.end < to);
    latest(&mut before).map_or(Bound::Empty, Bound::Epoch)
}

/// Epoch start times for the time series (§10.1): per epoch number, the `StartTime` of the
/// epoch document with the greatest `Timestamp`, then the greatest `_id`, in milliseconds
/// since the Unix epoch (the builder's unit).
pub fn start_times(epochs: &[EpochDocument]) -> HashMap<i64, i64> {
    let mut best: HashMap<i64, &EpochDocument> = HashMap::new();
    for epoch in epochs {
        let replace = best
            .get(&epoch.number)
            .is_none_or(|current| (epoch.timestamp, epoch.id) >= (current.timestamp, current.id));
        if replace {
            best.insert(epoch.number, epoch);
        }
    }
    best.into_iter()
        .map(|(number, e)| (number, e.start.timestamp_millis()))
        .collect()
}

#[cfg(test)]
mod tests;
