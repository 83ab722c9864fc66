//! Names fixed by the storage contract: collections, document fields and indexes
//! (docs/spec/messages.md §6, docs/spec/logwriter.md §8–§9). Both programs use these constants so the writer and
//! the reader can never disagree on a spelling.

use bson::{doc, Document};
use mongodb::options::IndexOptions;
use mongodb::IndexModel;

/// Default metadata collection (`MONGODB_METADATA_COLLECTION`).
pub const DEFAULT_METADATA_COLLECTION: &str = "simulations";
/// Default valid-message collection prefix (`MONGODB_MESSAGES_COLLECTION_PREFIX`).
pub const DEFAULT_MESSAGES_PREFIX: &str = "simulation_";
/// Default invalid-message collection prefix (`MONGODB_INVALID_MESSAGES_COLLECTION_PREFIX`).
pub const DEFAULT_INVALID_MESSAGES_PREFIX: &str = "invalid_simulation_";
/// Default simulation-id key of the metadata document (`MONGODB_COLLECTION_IDENTIFIER`).
pub const DEFAULT_COLLECTION_IDENTIFIER: &str = "SimulationId";
/// Default database of both programs (compatibility.md item 1).
pub const DEFAULT_DATABASE: &str = "logs";
/// Suffix of the invalid collection used while no run simulation id is known (docs/spec/logwriter.md §6.3).
pub const UNKNOWN_SIMULATION: &str = "unknown";

/// Message document fields.
pub mod field {
    /// Primary key.
    pub const ID: &str = "_id";
    /// Message type.
    pub const TYPE: &str = "Type";
    /// Simulation id of a message.
    pub const SIMULATION_ID: &str = "SimulationId";
    /// Message timestamp (BSON date once stored).
    pub const TIMESTAMP: &str = "Timestamp";
    /// Routing key the message was published with.
    pub const TOPIC: &str = "Topic";
    /// Epoch a result-type message belongs to.
    pub const EPOCH_NUMBER: &str = "EpochNumber";
    /// Sender of a message.
    pub const SOURCE_PROCESS_ID: &str = "SourceProcessId";
    /// Message id.
    pub const MESSAGE_ID: &str = "MessageId";
    /// Warning list of result-type messages.
    pub const WARNINGS: &str = "Warnings";
    /// Epoch start (simulated time); also the metadata start time.
    pub const START_TIME: &str = "StartTime";
    /// Epoch end (simulated time); also the metadata end time.
    pub const END_TIME: &str = "EndTime";
    /// Invalid wrapper: the parsed object.
    pub const INVALID_MESSAGE: &str = "InvalidMessage";
    /// Invalid wrapper: the body text (or base64).
    pub const INVALID_JSON_MESSAGE: &str = "InvalidJsonMessage";
    /// Invalid wrapper: `"base64"` for non-UTF-8 bodies.
    pub const ENCODING: &str = "Encoding";
    /// Invalid wrapper: body length when the text was truncated.
    pub const ORIGINAL_SIZE: &str = "OriginalSize";
}

/// Metadata document fields (docs/spec/logwriter.md §8.1); the id key itself is configurable.
pub mod metadata {
    /// Minimum valid `Timestamp`.
    pub const START_TIME: &str = "StartTime";
    /// Maximum valid `Timestamp`, once `stopped` was handled.
    pub const END_TIME: &str = "EndTime";
    /// Latest SimState `Name`.
    pub const NAME: &str = "Name";
    /// Latest SimState `Description`.
    pub const DESCRIPTION: &str = "Description";
    /// Maximum `EpochNumber`.
    pub const EPOCHS: &str = "Epochs";
    /// Sorted, duplicate-free process ids.
    pub const PROCESSES: &str = "Processes";
    /// Valid document count (extension).
    pub const MESSAGES: &str = "Messages";
    /// Invalid document count (extension).
    pub const INVALID_MESSAGES: &str = "InvalidMessages";
    /// Per-topic valid document counts (extension).
    pub const TOPICS: &str = "Topics";
    /// Per-process counts of message numbers that never arrived, at the stop (extension).
    pub const MISSING_MESSAGES: &str = "MissingMessages";
}

/// Collection names derived from the configured prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionNames {
    /// Metadata collection.
    pub metadata: String,
    /// Prefix of `simulation_<id>`.
    pub messages_prefix: String,
    /// Prefix of `invalid_simulation_<id>`.
    pub invalid_messages_prefix: String,
    /// Key of the simulation id in the metadata document.
    pub identifier: String,
}

impl Default for CollectionNames {
    fn default() -> Self {
        Self {
            metadata: DEFAULT_METADATA_COLLECTION.to_owned(),
            messages_prefix: DEFAULT_MESSAGES_PREFIX.to_owned(),
            invalid_messages_prefix: DEFAULT_INVALID_MESSAGES_PREFIX.to_owned(),
            identifier: DEFAULT_COLLECTION_IDENTIFIER.to_owned(),
        }
    }
}

impl CollectionNames {
    /// Valid-message collection of a simulation.
    pub fn messages(&self, simulation_id: &str) -> String {
        format!("{}{simulation_id}", self.messages_prefix)
    }

    /// Invalid-message collection of a simulation.
    pub fn invalid_messages(&self, simulation_id: &str) -> String {
        format!("{}{simulation_id}", self.invalid_messages_prefix)
    }
}

/// One index of the product: a name, ascending keys and whether it is unique or sparse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSpec {
    /// Index name, fixed by docs/spec/logwriter.md §9.
    pub name: &'static str,
    /// Key fields, all ascending.
    pub keys: Vec<String>,
    /// `unique: true`.
    pub unique: bool,
    /// `sparse: true`.
    pub sparse: bool,
}

impl IndexSpec {
    fn new(name: &'static str, keys: &[&str]) -> Self {
        let keys = keys.iter().map(|key| (*key).to_owned()).collect();
        Self {
            name,
            keys,
            unique: false,
            sparse: false,
        }
    }

    /// The key document `{k1: 1, k2: 1, …}`.
    pub fn key_document(&self) -> Document {
        self.keys
            .iter()
            .map(|key| (key.clone(), bson::Bson::Int32(1)))
            .collect()
    }

    /// The driver's model; `with_sparse = false` drops the option for servers that refuse it.
    pub fn model(&self, with_sparse: bool) -> IndexModel {
        let mut options = IndexOptions::builder().name(self.name.to_owned()).build();
        if self.unique {
            options.unique = Some(true);
        }
        if self.sparse && with_sparse {
            options.sparse = Some(true);
        }
        IndexModel::builder()
            .keys(self.key_document())
            .options(options)
            .build()
    }
}

/// Indexes of the metadata collection (created at writer start-up).
pub fn metadata_indexes(identifier: &str) -> Vec<IndexSpec> {
    let mut by_id = IndexSpec::new("simulation_id_index", &[identifier]);
    by_id.unique = true;
    let mut end = IndexSpec::new("end_time_index", &[metadata::END_TIME]);
    end.sparse = true;
    vec![
        by_id,
        IndexSpec::new(
            "start_time_index",
            &[metadata::START_TIME, metadata::END_TIME],
        ),
        end,
    ]
}

/// Indexes of a valid-message collection `simulation_<id>`. The last two give the reader's
/// two orders (`/messages` by time then `_id`, the time series by epoch, time, `_id`), so a
/// request reads in index order instead of sorting the whole filtered set first.
pub fn message_indexes() -> Vec<IndexSpec> {
    use field::*;
    vec![
        IndexSpec::new("epoch_index", &[EPOCH_NUMBER, SOURCE_PROCESS_ID, TOPIC]),
        IndexSpec::new("process_index", &[SOURCE_PROCESS_ID, TOPIC]),
        IndexSpec::new("topic_index", &[TOPIC, TIMESTAMP]),
        IndexSpec::new("order_index", &[TIMESTAMP, ID]),
        IndexSpec::new("epoch_order_index", &[EPOCH_NUMBER, TIMESTAMP, ID]),
    ]
}

/// Indexes of an invalid-message collection `invalid_simulation_<id>`; `order_index` gives
/// the reader's order.
pub fn invalid_message_indexes() -> Vec<IndexSpec> {
    use field::*;
    vec![
        IndexSpec::new("topic_index", &[TOPIC, TIMESTAMP]),
        IndexSpec::new("order_index", &[TIMESTAMP, ID]),
    ]
}

/// The metadata filter `{<identifier>: <id>}`.
pub fn metadata_filter(identifier: &str, simulation_id: &str) -> Document {
    doc! { identifier: simulation_id }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_names_use_the_configured_prefixes() {
        let names = CollectionNames::default();
        let id = "2020-06-03T04:01:52.345Z";
        assert_eq!(names.messages(id), "simulation_2020-06-03T04:01:52.345Z");
        assert_eq!(
            names.invalid_messages(id),
            "invalid_simulation_2020-06-03T04:01:52.345Z"
        );
        assert_eq!(names.metadata, "simulations");
    }

    #[test]
    fn metadata_indexes_follow_the_spec_table() {
        let specs = metadata_indexes("SimId");
        let names: Vec<_> = specs.iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            ["simulation_id_index", "start_time_index", "end_time_index"]
        );
        assert_eq!(specs[0].key_document(), doc! {"SimId": 1});
        assert!(specs[0].unique && !specs[0].sparse);
        assert_eq!(specs[1].key_document(), doc! {"StartTime": 1, "EndTime": 1});
        assert!(specs[2].sparse && !specs[2].unique);
    }

    #[test]
    fn message_indexes_follow_the_spec_table() {
        let keys: Vec<_> = message_indexes()
            .iter()
            .map(IndexSpec::key_document)
            .collect();
        assert_eq!(
            keys,
            [
                doc! {"EpochNumber": 1, "SourceProcessId": 1, "Topic": 1},
                doc! {"SourceProcessId": 1, "Topic": 1},
                doc! {"Topic": 1, "Timestamp": 1},
                doc! {"Timestamp": 1, "_id": 1},
                doc! {"EpochNumber": 1, "Timestamp": 1, "_id": 1},
            ]
        );
        let invalid: Vec<_> = invalid_message_indexes().iter().map(|s| s.name).collect();
        assert_eq!(invalid, ["topic_index", "order_index"]);
    }

    #[test]
    fn sparse_option_can_be_dropped_for_servers_without_it() {
        let end = &metadata_indexes("SimulationId")[2];
        let with = end.model(true);
        let without = end.model(false);
        assert_eq!(with.options.and_then(|o| o.sparse), Some(true));
        assert_eq!(without.options.and_then(|o| o.sparse), None);
    }
}
