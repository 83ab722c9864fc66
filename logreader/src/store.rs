//! Database access: the only module that talks to MongoDB. Every method maps driver errors
//! through [`ApiError::from_database`], so an outage is a 503 and never a 500.

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Document, RawDocumentBuf};
use common::schema::{field, metadata, CollectionNames};
use futures_util::TryStreamExt;
use mongodb::options::FindOptions;
use mongodb::{Cursor, Database};

use crate::error::ApiError;
use crate::query::{filter, EpochDocument};

/// Time `/ready` waits for the `ping` answer.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// A concrete handle on the logs database and its collection names.
#[derive(Debug, Clone)]
pub struct Store {
    db: Database,
    names: Arc<CollectionNames>,
    /// Whether the server accepts `allowDiskUse` on `find`, asked once.
    disk_use: Arc<tokio::sync::OnceCell<bool>>,
    /// `maxTimeMS` of every query (`LOGREADER_QUERY_TIMEOUT`).
    query_timeout: Duration,
}

/// Paging of a list response: skip, then limit, applied after sorting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    /// Documents to skip first.
    pub skip: Option<u64>,
    /// Maximum number of documents.
    pub limit: Option<u64>,
}

impl Store {
    /// A store over `db` with the configured collection names; each query may take the
    /// server `query_timeout` of work (its `maxTimeMS`).
    pub fn new(db: Database, names: CollectionNames, query_timeout: Duration) -> Self {
        Self {
            db,
            names: Arc::new(names),
            disk_use: Arc::default(),
            query_timeout,
        }
    }

    /// Whether the valid or the invalid collection of `id` exists (docs/spec/logreader.md §1).
    pub async fn simulation_exists(&self, id: &str) -> Result<bool, ApiError> {
        let names = [self.names.messages(id), self.names.invalid_messages(id)];
        let found = self
            .db
            .list_collection_names()
            .filter(doc! { "name": { "$in": names.to_vec() } })
            .await
            .map_err(ApiError::from_database)?;
        Ok(found.iter().any(|name| names.contains(name)))
    }

    /// Metadata documents matching `filter`, natural order, without `_id`.
    pub async fn simulations(&self, filter: Document) -> Result<Cursor<Document>, ApiError> {
        self.metadata()
            .find(filter)
            .projection(filter::without_id())
            .max_time(self.query_timeout)
            .await
            .map_err(ApiError::from_database)
    }

    /// The `limit` finished runs (a date `EndTime`) with the latest `EndTime`, latest first:
    /// each run's id with its metadata document, without `_id`.
    pub async fn latest_finished(&self, limit: u32) -> Result<Vec<(String, Document)>, ApiError> {
        let found = self
            .metadata()
            .find(doc! { metadata::END_TIME: { "$type": "date" } })
            .sort(doc! { metadata::END_TIME: -1 })
            .limit(i64::from(limit))
            .projection(filter::without_id())
            .max_time(self.query_timeout)
            .await;
        let documents = all(found).await?;
        let identifier = self.names.identifier.as_str();
        Ok(documents
            .into_iter()
            .filter_map(|document| Some((document.get_str(identifier).ok()?.to_owned(), document)))
            .collect())
    }

    /// The metadata document of `id`, without `_id`.
    pub async fn simulation(&self, id: &str) -> Result<Option<Document>, ApiError> {
        self.metadata()
            .find_one(doc! { self.names.identifier.as_str(): id })
            .projection(filter::without_id())
            .max_time(self.query_timeout)
            .await
            .map_err(ApiError::from_database)
    }

    /// Valid messages of `id` matching `filter`, in §8 order, paged, without `_id`.
    pub async fn messages(
        &self,
        id: &str,
        filter: Document,
        page: Page,
    ) -> Result<Cursor<Document>, ApiError> {
        let collection = self.db.collection::<Document>(&self.names.messages(id));
        let found = Found::messages(page);
        self.find_sorted(&collection, filter, found).await
    }

    /// Invalid messages of `id` matching `filter`, in §8 order, paged, without `_id`.
    pub async fn invalid_messages(
        &self,
        id: &str,
        filter: Document,
        page: Page,
    ) -> Result<Cursor<Document>, ApiError> {
        let collection = self
            .db
            .collection::<Document>(&self.names.invalid_messages(id));
        let found = Found::messages(page);
        self.find_sorted(&collection, filter, found).await
    }

    /// Time series source messages of `id`: `filter`, ordered by epoch, time and `_id`,
    /// with only the fields of `projection`.
    pub async fn timeseries_sources(
        &self,
        id: &str,
        filter: Document,
        projection: Document,
    ) -> Result<Cursor<Document>, ApiError> {
        let collection = self.db.collection::<Document>(&self.names.messages(id));
        let sort = filter::timeseries_sort();
        let found = Found {
            sort,
            projection,
            page: Page::default(),
        };
        self.find_sorted(&collection, filter, found).await
    }

    /// The messages of `id` matching `filter` with the board's fields (§16), unsorted: the
    /// board does not depend on their order, so the server sorts nothing.
    pub async fn board_sources(
        &self,
        id: &str,
        filter: Document,
    ) -> Result<Cursor<Document>, ApiError> {
        self.db
            .collection::<Document>(&self.names.messages(id))
            .find(filter)
            .projection(filter::board_projection())
            .max_time(self.query_timeout)
            .await
            .map_err(ApiError::from_database)
    }

    /// The number of valid messages of `id` matching `filter`.
    pub async fn count_messages(&self, id: &str, filter: Document) -> Result<u64, ApiError> {
        self.db
            .collection::<Document>(&self.names.messages(id))
            .count_documents(filter)
            .max_time(self.query_timeout)
            .await
            .map_err(ApiError::from_database)
    }

    /// The valid messages of `id` matching `filter` for `logreader replay`, after the first
    /// `skip`: whole, raw, in stored (natural) order, which is the order the writer
    /// received them when it writes one batch at a time (its default). A paced replay reads for as long as the run lasted, so the cursor has
    /// no time limit (FerretDB refuses `noCursorTimeout`, so an idle cursor may still expire).
    pub async fn replay_sources(
        &self,
        id: &str,
        filter: Document,
        skip: u64,
    ) -> Result<Cursor<RawDocumentBuf>, ApiError> {
        self.db
            .collection::<RawDocumentBuf>(&self.names.messages(id))
            .find(filter)
            .skip(skip)
            .await
            .map_err(ApiError::from_database)
    }

    /// The usable epoch documents of `id` (§7.2); malformed ones are left out.
    pub async fn epoch_documents(&self, id: &str) -> Result<Vec<EpochDocument>, ApiError> {
        let projection = doc! {
            field::ID: 1, field::EPOCH_NUMBER: 1, field::START_TIME: 1,
            field::END_TIME: 1, field::TIMESTAMP: 1,
        };
        let found = self
            .db
            .collection::<Document>(&self.names.messages(id))
            .find(filter::epoch_documents_filter())
            .projection(projection)
            .max_time(self.query_timeout)
            .await;
        let documents = all(found).await?;
        Ok(documents
            .iter()
            .filter_map(EpochDocument::from_document)
            .collect())
    }

    /// Sends `ping`, waiting at most [`READY_TIMEOUT`]. The command runs in its own task
    /// and only the wait is timed out, so no driver future is dropped half-way.
    pub async fn ping(&self) -> bool {
        let db = self.db.clone();
        let task = tokio::spawn(async move { db.run_command(doc! { "ping": 1 }).await });
        matches!(
            tokio::time::timeout(READY_TIMEOUT, task).await,
            Ok(Ok(Ok(_)))
        )
    }

    fn metadata(&self) -> mongodb::Collection<Document> {
        self.db.collection(&self.names.metadata)
    }

    /// Whether the server accepts `allowDiskUse` on `find`, from its `maxWireVersion`
    /// (`isMaster`, which every supported version answers), asked at the first list request.
    async fn disk_use(&self) -> Result<bool, ApiError> {
        let ask = || async {
            let reply = self.db.run_command(doc! {"isMaster": 1}).await;
            let reply = reply.map_err(ApiError::from_database)?;
            let wire = match reply.get("maxWireVersion") {
                Some(bson::Bson::Int32(n)) => i64::from(*n),
                Some(bson::Bson::Int64(n)) => *n,
                _ => 0,
            };
            Ok::<_, ApiError>(accepts_allow_disk_use(wire))
        };
        self.disk_use.get_or_try_init(ask).await.copied()
    }

    /// `find` with a sort that ends in `_id` (a total order, so the server's sort stability
    /// does not matter). Both sorts are the keys of the writer's order indexes, so MongoDB
    /// reads in index order (docs/spec/logreader.md §8); for a collection without them,
    /// `allowDiskUse` where the server accepts it keeps a large result clear of MongoDB's
    /// in-memory sort limit. FerretDB 1.24 with SQLite pushes down neither the filter nor
    /// the sort (`explain` reports `sortPushdown: false`): it scans and sorts in its own
    /// memory, which costs time before the first byte (about 3 s for 100,000 messages) but
    /// never fails.
    async fn find_sorted(
        &self,
        collection: &mongodb::Collection<Document>,
        filter: Document,
        found: Found,
    ) -> Result<Cursor<Document>, ApiError> {
        let Found {
            sort,
            projection,
            page,
        } = found;
        let mut options = FindOptions::default();
        options.sort = Some(sort);
        options.projection = Some(projection);
        options.allow_disk_use = self.disk_use().await?.then_some(true);
        options.max_time = Some(self.query_timeout);
        options.skip = page.skip;
        options.limit = page
            .limit
            .map(|limit| i64::try_from(limit).unwrap_or(i64::MAX));
        collection
            .find(filter)
            .with_options(options)
            .await
            .map_err(ApiError::from_database)
    }
}

/// What a sorted `find` returns: its order, its fields and its page.
struct Found {
    sort: Document,
    projection: Document,
    page: Page,
}

impl Found {
    /// The §8 order of the message lists, every field but `_id`.
    fn messages(page: Page) -> Self {
        Self {
            sort: filter::message_sort(),
            projection: filter::without_id(),
            page,
        }
    }
}

/// Every document of a `find`, or the error of the query or of reading it.
async fn all(
    found: Result<Cursor<Document>, mongodb::error::Error>,
) -> Result<Vec<Document>, ApiError> {
    let cursor = found.map_err(ApiError::from_database)?;
    cursor.try_collect().await.map_err(ApiError::from_database)
}

/// `allowDiskUse` on `find` came with MongoDB 4.4 (wire version 9); MongoDB 4.2 refuses the
/// option, which would make every list request a 500 there.
pub fn accepts_allow_disk_use(max_wire_version: i64) -> bool {
    max_wire_version >= 9
}

#[cfg(test)]
mod tests {
    use super::accepts_allow_disk_use;

    #[test]
    fn allow_disk_use_only_from_mongodb_4_4() {
        // MongoDB 4.2 reports 8, 4.4 reports 9, FerretDB 1.24 reports 21.
        assert!(!accepts_allow_disk_use(8));
        assert!(accepts_allow_disk_use(9));
        assert!(accepts_allow_disk_use(21));
        assert!(!accepts_allow_disk_use(0));
    }
}
