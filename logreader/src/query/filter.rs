//! MongoDB filters, sorts and projections of each endpoint (docs/spec/logreader.md §4, §6–§8).
//! Pure: values in, BSON documents out.

use bson::{doc, Bson, Document};
use chrono::{DateTime, Utc};
use common::schema::{field, metadata};

use super::epochs::EpochCondition;
use super::field_filter::FieldFilter;

/// Which valid messages a `/messages` or `/timeseries` request selects.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageSelection {
    /// The resolved epoch condition.
    pub epochs: EpochCondition,
    /// `process`: allowed `SourceProcessId`s.
    pub processes: Option<Vec<String>>,
    /// `topic`: the AMQP pattern.
    pub topic: Option<String>,
    /// `onlyWarnings=true`.
    pub only_warnings: bool,
    /// `where`.
    pub fields: Option<FieldFilter>,
}

/// `/simulations`: `StartTime` ≥ from and/or < to.
pub fn simulations_filter(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Document {
    let mut range = Document::new();
    if let Some(from) = from {
        range.insert("$gte", first_millisecond_from(from));
    }
    if let Some(to) = to {
        range.insert("$lt", first_millisecond_from(to));
    }
    if range.is_empty() {
        Document::new()
    } else {
        doc! { metadata::START_TIME: range }
    }
}

/// The first BSON date (millisecond precision) at or after `instant`. Both bounds round up:
/// a stored date is ≥ 10.0005 ms exactly when it is ≥ 11 ms, and < 10.0005 ms exactly when it
/// is < 11 ms. (`bson::DateTime::from_chrono` truncates, which would wrongly include 10 ms
/// in `fromDate` and exclude it from `toDate`.)
fn first_millisecond_from(instant: DateTime<Utc>) -> bson::DateTime {
    let millis = instant.timestamp_millis();
    let exact = instant.timestamp_subsec_nanos().is_multiple_of(1_000_000);
    bson::DateTime::from_millis(if exact { millis } else { millis + 1 })
}

/// The filter on the valid collection, or `None` when the epoch condition is empty and no
/// document can match.
pub fn message_filter(selection: &MessageSelection) -> Option<Document> {
    let mut filter = Document::new();
    match selection.epochs {
        EpochCondition::Empty => return None,
        EpochCondition::All => {}
        EpochCondition::Range { min, max } => {
            let mut range = Document::new();
            if let Some(min) = min {
                range.insert("$gte", min);
            }
            if let Some(max) = max {
                range.insert("$lte", max);
            }
            filter.insert(field::EPOCH_NUMBER, range);
        }
    }
    if let Some(processes) = &selection.processes {
        filter.insert(field::SOURCE_PROCESS_ID, doc! { "$in": processes.clone() });
    }
    if selection.only_warnings {
        // Present, not null and not an empty array: `$nin` with null also excludes a
        // missing field.
        filter.insert(
            field::WARNINGS,
            doc! { "$nin": [Bson::Null, Bson::Array(Vec::new())] },
        );
    }
    if let Some(condition) = selection.topic.as_deref().and_then(topic_condition) {
        filter.insert(field::TOPIC, condition);
    }
    add_fields(&mut filter, selection.fields.as_ref());
    Some(filter)
}

/// `/messages/invalid`: only the topic condition.
pub fn invalid_filter(topic: Option<&str>, fields: Option<&FieldFilter>) -> Document {
    let mut filter = Document::new();
    if let Some(condition) = topic.and_then(topic_condition) {
        filter.insert(field::TOPIC, condition);
    }
    add_fields(&mut filter, fields);
    filter
}

/// The `where` conditions, under `$and` beside the other parameters' fields.
fn add_fields(filter: &mut Document, fields: Option<&FieldFilter>) {
    if let Some(fields) = fields {
        filter.insert("$and", fields.to_mongo());
    }
}

/// `{$regex: <expr>, $ne: ""}` for a pattern, or `None` when the database applies no topic
/// condition. For a pattern with several `#` words this is only a superset: see
/// [`TopicCheck`].
pub fn topic_condition(pattern: &str) -> Option<Document> {
    let regex = common::topic::database_topic(pattern).regex;
    regex.map(|regex| doc! { "$regex": regex, "$ne": "" })
}

/// A topic pattern the database matches only as a superset (several `#` words, §6): the
/// reader confirms every document it returns, and then applies `skip` and `limit` itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicCheck {
    pattern: String,
}

impl TopicCheck {
    /// The check a request's `topic` needs, or `None` when the database condition is exact.
    pub fn for_pattern(pattern: Option<&str>) -> Option<Self> {
        let pattern = pattern?;
        common::topic::database_topic(pattern)
            .confirm
            .then(|| Self {
                pattern: pattern.to_owned(),
            })
    }

    /// Whether the document's `Topic` is a string the pattern matches.
    pub fn accepts(&self, document: &Document) -> bool {
        document
            .get_str(field::TOPIC)
            .is_ok_and(|topic| common::topic::topic_matches(&self.pattern, topic))
    }
}

/// The epoch documents of a valid collection (§7.2); the caller checks their shape.
pub fn epoch_documents_filter() -> Document {
    doc! { field::TOPIC: "Epoch" }
}

/// Order of `/messages` and `/messages/invalid` (§8): `Timestamp`, then `_id`.
pub fn message_sort() -> Document {
    doc! { field::TIMESTAMP: 1, field::ID: 1 }
}

/// Order of the time series source messages (§8).
pub fn timeseries_sort() -> Document {
    doc! { field::EPOCH_NUMBER: 1, field::TIMESTAMP: 1, field::ID: 1 }
}

/// The fields the time series builder reads (§10.1): `EpochNumber`, `Topic`,
/// `SourceProcessId` and the first part of every path. A first part that is not safe as a
/// projection key could still name a stored field, so then whole documents are fetched, as
/// before projections: an empty part, one starting with `$` (an operator to the server) or
/// holding a NUL (no BSON key can), and one with leading or trailing whitespace, which
/// FerretDB 1.24 trims and then refuses as empty (code 15998).
pub fn timeseries_projection<'a>(first_parts: impl IntoIterator<Item = &'a &'a str>) -> Document {
    let mut projection = without_id();
    for part in first_parts {
        let unsafe_key =
            part.is_empty() || part.starts_with('$') || part.contains('\0') || part.trim() != *part;
        if unsafe_key {
            return without_id();
        }
        projection.insert(*part, 1);
    }
    for field in [field::EPOCH_NUMBER, field::TOPIC, field::SOURCE_PROCESS_ID] {
        projection.insert(field, 1);
    }
    projection
}

/// The fields the run health board reads (§16): `_id` (to order a process's `Status`
/// messages of one epoch) and the fields of the status rules and the counts.
pub fn board_projection() -> Document {
    doc! {
        field::ID: 1, field::SOURCE_PROCESS_ID: 1, field::TOPIC: 1, field::TIMESTAMP: 1,
        field::EPOCH_NUMBER: 1, field::TYPE: 1, "Value": 1, "Description": 1,
        field::WARNINGS: 1, field::MESSAGE_ID: 1,
    }
}

/// Every response leaves out `_id`.
pub fn without_id() -> Document {
    doc! { field::ID: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(epochs: EpochCondition) -> MessageSelection {
        MessageSelection {
            epochs,
            processes: None,
            topic: None,
            only_warnings: false,
            fields: None,
        }
    }

    #[test]
    fn empty_epoch_condition_matches_nothing() {
        assert_eq!(message_filter(&selection(EpochCondition::Empty)), None);
        assert_eq!(
            message_filter(&selection(EpochCondition::All)),
            Some(Document::new())
        );
    }

    #[test]
    fn every_condition_is_combined() {
        let mut s = selection(EpochCondition::Range {
            min: Some(2),
            max: Some(3),
        });
        s.processes = Some(vec!["a".into(), String::new()]);
        s.only_warnings = true;
        let filter = message_filter(&s).unwrap();
        assert_eq!(
            filter,
            doc! {
                "EpochNumber": {"$gte": 2_i64, "$lte": 3_i64},
                "SourceProcessId": {"$in": ["a", ""]},
                "Warnings": {"$nin": [Bson::Null, []]},
            }
        );
        let s = selection(EpochCondition::Range {
            min: None,
            max: Some(1),
        });
        assert_eq!(
            message_filter(&s).unwrap(),
            doc! {"EpochNumber": {"$lte": 1_i64}}
        );
    }

    #[test]
    fn simulations_filter_uses_inclusive_from_and_exclusive_to() {
        assert_eq!(simulations_filter(None, None), Document::new());
        let t = DateTime::<Utc>::from_timestamp(0, 0).unwrap();
        let date = bson::DateTime::from_chrono(t);
        assert_eq!(
            simulations_filter(Some(t), Some(t)),
            doc! {"StartTime": {"$gte": date, "$lt": date}}
        );
    }

    #[test]
    fn sub_millisecond_dates_round_up_at_both_ends() {
        let at = |micros| DateTime::<Utc>::from_timestamp_micros(micros).unwrap();
        let millis = bson::DateTime::from_millis;
        assert_eq!(
            simulations_filter(Some(at(10_500)), Some(at(20_001))),
            doc! {"StartTime": {"$gte": millis(11), "$lt": millis(21)}}
        );
        assert_eq!(
            simulations_filter(Some(at(10_000)), Some(at(-1_500))),
            doc! {"StartTime": {"$gte": millis(10), "$lt": millis(-1)}}
        );
    }

    #[test]
    fn only_patterns_with_several_hashes_are_checked_here() {
        assert_eq!(TopicCheck::for_pattern(None), None);
        assert_eq!(TopicCheck::for_pattern(Some("a.#.b")), None);
        let check = TopicCheck::for_pattern(Some("#.a.#.b.#")).expect("several #");
        assert!(check.accepts(&doc! {"Topic": "x.a.y.b"}));
        assert!(!check.accepts(&doc! {"Topic": "x.b.y.a"}));
        assert!(!check.accepts(&doc! {"Topic": 1}));
        assert!(!check.accepts(&doc! {}));
    }

    #[test]
    fn timeseries_projection_names_only_what_the_builder_reads() {
        let parts = ["RealPower", "EpochNumber"];
        assert_eq!(
            timeseries_projection(&parts),
            doc! {"_id": 0, "RealPower": 1, "EpochNumber": 1, "Topic": 1, "SourceProcessId": 1}
        );
        for unusable in ["", "$x", "a\0", " ", "a ", "\ta"] {
            let parts = ["a", unusable];
            assert_eq!(
                timeseries_projection(&parts),
                doc! {"_id": 0},
                "{unusable:?}"
            );
        }
    }

    #[test]
    fn sorts_break_ties_by_id() {
        assert_eq!(message_sort(), doc! {"Timestamp": 1, "_id": 1});
        assert_eq!(
            timeseries_sort().keys().last().map(String::as_str),
            Some("_id")
        );
    }
}
