//! Value kinds met while walking a path (§10.2), usable blocks and their time points.

use bson::{Bson, Document};

use crate::export::scalar;

/// One time point: the instant to order by and the text its row shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Point {
    /// Microseconds since the Unix epoch. `i128` so that any BSON date (i64 milliseconds)
    /// converts without overflow.
    pub instant: i128,
    /// The row `timestamp` (§9.4), `None` for a BSON date outside years 0001–9999.
    pub display: Option<String>,
}

impl Point {
    /// A BSON date point: an epoch start time or a BSON date `TimeIndex` item.
    pub fn from_bson_date(millis: i64) -> Self {
        Self {
            instant: i128::from(millis) * 1000,
            display: scalar::format_bson_date(millis),
        }
    }

    /// A `TimeIndex` item: a string in the §5.2 grammar or a BSON date.
    fn from_time_index_item(item: &Bson) -> Option<Self> {
        match item {
            Bson::String(text) => {
                let time = common::time::parse_query_datetime(text)?;
                Some(Self {
                    instant: i128::from(time.instant().timestamp_micros()),
                    display: Some(time.display()),
                })
            }
            Bson::DateTime(date) => Some(Self::from_bson_date(date.timestamp_millis())),
            _ => None,
        }
    }
}

/// The §10.2 kind of a value that is present (not missing, not `null`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind<'a> {
    /// A document with both `TimeIndex` and `Series`, usable or not.
    Block(&'a Document),
    /// A scalar, or a QuantityBlock's `Value` as is.
    Simple(&'a Bson),
    /// Any other document: the walk descends into it.
    Container(&'a Document),
    /// Arrays, dates and the other BSON types: the walk ends without data.
    Terminal,
}

/// Classifies a present value. The block test comes first, so a document with `TimeIndex`,
/// `Series`, `Value` and `UnitOfMeasure` is a block.
pub(super) fn classify(value: &Bson) -> Kind<'_> {
    match value {
        Bson::Document(doc) if doc.contains_key("TimeIndex") && doc.contains_key("Series") => {
            Kind::Block(doc)
        }
        Bson::Document(doc) if doc.contains_key("Value") && doc.contains_key("UnitOfMeasure") => {
            Kind::Simple(doc.get("Value").unwrap_or(&Bson::Null))
        }
        Bson::Document(doc) => Kind::Container(doc),
        Bson::String(_) | Bson::Boolean(_) | Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) => {
            Kind::Simple(value)
        }
        _ => Kind::Terminal,
    }
}

/// The points of a usable block's `TimeIndex`, or `None` when it is not a non-empty array
/// of parseable items (or `Series` is not a document).
pub(super) fn points(block: &Document) -> Option<Vec<Point>> {
    if !matches!(block.get("Series"), Some(Bson::Document(_))) {
        return None;
    }
    let Some(Bson::Array(items)) = block.get("TimeIndex") else {
        return None;
    };
    if items.is_empty() {
        return None;
    }
    items.iter().map(Point::from_time_index_item).collect()
}

/// The series a path selects from a block (§10.3): every usable entry when the path ends on
/// the block (`rest` empty), the entry named by the next part when exactly one part
/// follows, and nothing when the path goes past the series.
pub(super) fn select_series<'a>(
    block: &'a Document,
    rest: &'a [String],
) -> Vec<(&'a str, &'a [Bson])> {
    let Some(Bson::Document(series)) = block.get("Series") else {
        return Vec::new();
    };
    match rest {
        [] => series
            .iter()
            .filter_map(|(key, entry)| Some((key.as_str(), usable_values(entry)?)))
            .collect(),
        [name] => series
            .get(name)
            .and_then(usable_values)
            .map(|values| (name.as_str(), values))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The `Values` of a usable series entry: a document whose `Values` is an array.
fn usable_values(entry: &Bson) -> Option<&[Bson]> {
    match entry {
        Bson::Document(doc) => match doc.get("Values") {
            Some(Bson::Array(values)) => Some(values.as_slice()),
            _ => None,
        },
        _ => None,
    }
}
