//! Source messages (§10.1): the exclusions, the epoch number, and the part of each document
//! the paths can reach.

use std::collections::HashSet;

use bson::{Bson, Document};

use crate::stored::epoch_number;

/// A source message that passed the §10.1 exclusions.
#[derive(Debug)]
pub(super) struct Source {
    pub topic: String,
    pub process: String,
    /// Only the top-level fields named by the first part of some path; nothing else is ever
    /// read, so the rest is dropped to keep memory low.
    pub doc: Document,
}

/// Applies the §10.1 exclusions and returns the message's epoch number with the kept fields,
/// or `None` for a message that takes no part in the time series.
pub(super) fn accept(doc: Document, first_parts: &HashSet<&str>) -> Option<(i64, Source)> {
    let epoch = epoch_number(&doc)?;
    let topic = match doc.get("Topic") {
        Some(Bson::String(topic)) if topic != "TimeIndex" => topic.clone(),
        _ => return None,
    };
    let process = match doc.get("SourceProcessId") {
        Some(Bson::String(process)) => process.clone(),
        _ => return None,
    };
    let doc = doc
        .into_iter()
        .filter(|(key, _)| first_parts.contains(key.as_str()))
        .collect();
    Some((
        epoch,
        Source {
            topic,
            process,
            doc,
        },
    ))
}

#[cfg(test)]
mod tests {
    use bson::doc;

    use super::*;

    #[test]
    fn messages_need_string_topic_and_process() {
        let parts = HashSet::from(["a"]);
        let ok = doc! {"EpochNumber": 1, "Topic": "t", "SourceProcessId": "p", "a": 1, "b": 2};
        let (epoch, source) = accept(ok, &parts).unwrap();
        assert_eq!((epoch, source.topic.as_str()), (1, "t"));
        assert_eq!(source.doc, doc! {"a": 1});
        let time_index = doc! {"EpochNumber": 1, "Topic": "TimeIndex", "SourceProcessId": "p"};
        assert!(accept(time_index, &parts).is_none());
        let numeric_process = doc! {"EpochNumber": 1, "Topic": "t", "SourceProcessId": 5};
        assert!(accept(numeric_process, &parts).is_none());
        let no_epoch = doc! {"Topic": "t", "SourceProcessId": "p"};
        assert!(accept(no_epoch, &parts).is_none());
    }
}
