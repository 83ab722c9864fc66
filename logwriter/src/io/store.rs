//! The MongoDB side: one attempt of each storage operation, with errors classified
//! (docs/spec/logwriter.md §7–§9). Retrying is the caller's business, so every method here is a single
//! driver call (or a short fixed sequence) that always runs to completion: the writer never
//! drops an in-flight driver future.

use bson::{doc, Bson, Document, RawDocumentBuf};
use futures_util::TryStreamExt;
use mongodb::error::ErrorKind;
use mongodb::options::UpdateOptions;
use mongodb::{Collection, Database};
use tracing::warn;

use common::schema::{field, IndexSpec};

use crate::core::gaps::MessageNumbers;
use crate::core::refusal::Server;
use crate::io::error::{insert_outcomes, DocumentOutcome, StoreError};

/// Code MongoDB answers for an index option it does not know, and codes of an existing index
/// with the same name or keys but another definition.
const INDEX_CONFLICT_CODES: &[i32] = &[85, 86];
/// "Collection does not exist".
const NAMESPACE_NOT_FOUND: i32 = 26;

/// The database handle plus the operations the writer needs.
#[derive(Debug, Clone)]
pub struct Store {
    db: Database,
}

impl Store {
    /// Wraps a (lazily connecting) database handle.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database name, for log lines.
    pub fn name(&self) -> &str {
        self.db.name()
    }

    fn collection(&self, name: &str) -> Collection<Document> {
        self.db.collection(name)
    }

    /// Which server this is: FerretDB answers `buildInfo` with a `ferretdbVersion` key.
    pub async fn server(&self) -> Result<Server, StoreError> {
        let info = self
            .db
            .run_command(doc! {"buildInfo": 1})
            .await
            .map_err(StoreError::from_driver)?;
        Ok(if info.contains_key("ferretdbVersion") {
            Server::FerretDb
        } else {
            Server::MongoDb
        })
    }

    /// One unordered `insert_many` of `docs`: the outcome of each document, or a
    /// whole-command error (outcome unknown; retry the whole batch). The documents are raw
    /// BSON, so the driver copies their bytes instead of encoding them again.
    pub async fn insert(
        &self,
        collection: &str,
        docs: &[&RawDocumentBuf],
    ) -> Result<Vec<DocumentOutcome>, StoreError> {
        let result = self
            .db
            .collection::<RawDocumentBuf>(collection)
            .insert_many(docs.iter().copied())
            .ordered(false)
            .await
            .map(drop);
        insert_outcomes(docs.len(), result)
    }

    /// Creates the missing `specs` on `collection` in one `createIndexes` command, and says
    /// whether the collection did not exist before (it had no index at all, not even `_id`),
    /// so that every document in it was written after this call. An option
    /// the server refuses is dropped with a WARN; a conflicting or otherwise refused index is
    /// skipped with a WARN. Only a transient failure is returned, for a retry with the next
    /// write: index problems never block writes.
    ///
    /// Existing indexes are listed first and left alone. MongoDB would accept the repeated
    /// definition, but FerretDB 1.24 fails the connection when asked to create a compound
    /// index that already exists.
    pub async fn ensure_indexes(
        &self,
        collection: &str,
        specs: &[IndexSpec],
    ) -> Result<bool, StoreError> {
        let existing = self.existing_indexes(collection).await?;
        let created = existing.is_empty();
        let mut missing = Vec::new();
        for spec in specs {
            match existing.iter().find(|(name, _)| name == spec.name) {
                None => missing.push(spec.clone()),
                Some((_, keys)) if *keys == spec.key_document() => {}
                Some(_) => {
                    warn!(index = spec.name, collection,
                    "Index {} on {collection} not created: an index with this name and another \
                     definition exists.", spec.name)
                }
            }
        }
        if missing.is_empty() {
            return Ok(created);
        }
        let models = missing.iter().map(|s| s.model(true));
        let error = match self.collection(collection).create_indexes(models).await {
            Ok(_) => return Ok(created),
            Err(error) => StoreError::from_driver(error),
        };
        if error.is_transient() {
            return Err(error);
        }
        // One refused index fails the whole command: create them one by one to keep the rest.
        for spec in &missing {
            self.ensure_one_index(collection, spec).await?;
        }
        Ok(created)
    }

    /// `(name, keys)` of the collection's indexes; none when the collection does not exist.
    async fn existing_indexes(
        &self,
        collection: &str,
    ) -> Result<Vec<(String, Document)>, StoreError> {
        let cursor = match self.collection(collection).list_indexes().await {
            Ok(cursor) => cursor,
            Err(error) if codes(&error).contains(&NAMESPACE_NOT_FOUND) => return Ok(Vec::new()),
            Err(error) => return Err(StoreError::from_driver(error)),
        };
        let models: Vec<mongodb::IndexModel> = cursor
            .try_collect()
            .await
            .map_err(StoreError::from_driver)?;
        Ok(models
            .into_iter()
            .filter_map(|m| Some((m.options?.name?, m.keys)))
            .collect())
    }

    async fn ensure_one_index(&self, collection: &str, spec: &IndexSpec) -> Result<(), StoreError> {
        let coll = self.collection(collection);
        let mut error = match coll.create_index(spec.model(true)).await {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        if retry_without_sparse(spec.sparse, &error) {
            warn!(index = spec.name, collection, error = %error,
                  "Index {} on {collection} created without the sparse option: {error}.", spec.name);
            error = match coll.create_index(spec.model(false)).await {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
        }
        let error = StoreError::from_driver(error);
        if error.is_transient() {
            return Err(error);
        }
        warn!(index = spec.name, collection, error = %error,
              "Index {} on {collection} not created: {error}.", spec.name);
        Ok(())
    }

    /// Reads a simulation's metadata document (the seed of §8.4).
    pub async fn read_metadata(
        &self,
        collection: &str,
        filter: Document,
    ) -> Result<Option<Document>, StoreError> {
        self.collection(collection)
            .find_one(filter)
            .await
            .map_err(StoreError::from_driver)
    }

    /// The atomic metadata upsert of §8.3. A duplicate key on the upsert (a race on
    /// `simulation_id_index`) is retried once as a plain update; if that matches no document,
    /// the duplicate is about another key (some other unique index), and the upsert's error
    /// is returned: the document is not stored.
    pub async fn upsert_metadata(
        &self,
        collection: &str,
        filter: Document,
        update: Document,
    ) -> Result<(), StoreError> {
        let coll = self.collection(collection);
        let upsert = UpdateOptions::builder().upsert(true).build();
        let error = match coll
            .update_one(filter.clone(), update.clone())
            .with_options(upsert)
            .await
        {
            Ok(_) => return Ok(()),
            Err(error) if is_duplicate(&error) => error,
            Err(error) => return Err(StoreError::from_driver(error)),
        };
        match coll.update_one(filter, update).await {
            Ok(result) if result.matched_count > 0 => Ok(()),
            Ok(_) => Err(StoreError::from_driver(error)),
            Err(error) => Err(StoreError::from_driver(error)),
        }
    }

    /// Number of documents in a collection.
    pub async fn count(&self, collection: &str) -> Result<i64, StoreError> {
        let count = self
            .collection(collection)
            .count_documents(doc! {})
            .await
            .map_err(StoreError::from_driver)?;
        Ok(i64::try_from(count).unwrap_or(i64::MAX))
    }

    /// Document counts grouped by `Topic`, sorted by topic.
    pub async fn count_by_topic(&self, collection: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let pipeline = [
            doc! {"$group": {"_id": format!("${}", field::TOPIC), "n": {"$sum": 1}}},
            doc! {"$sort": {"_id": 1}},
        ];
        let cursor = self.collection(collection).aggregate(pipeline).await;
        let docs: Vec<Document> = match cursor {
            Ok(cursor) => cursor
                .try_collect()
                .await
                .map_err(StoreError::from_driver)?,
            Err(error) => return Err(StoreError::from_driver(error)),
        };
        let mut counts: Vec<(String, i64)> = docs
            .iter()
            .filter_map(|d| {
                let topic = d.get_str("_id").ok()?.to_owned();
                let n = match d.get("n") {
                    Some(Bson::Int32(n)) => i64::from(*n),
                    Some(Bson::Int64(n)) => *n,
                    Some(Bson::Double(n)) => *n as i64,
                    _ => 0,
                };
                Some((topic, n))
            })
            .collect();
        counts.sort();
        Ok(counts)
    }

    /// The message numbers of every document of `collection`, read through a cursor of
    /// `SourceProcessId` and `MessageId` only, so memory holds ranges, not documents.
    pub async fn message_numbers(&self, collection: &str) -> Result<MessageNumbers, StoreError> {
        let projection = doc! {field::SOURCE_PROCESS_ID: 1, field::MESSAGE_ID: 1, "_id": 0};
        let mut cursor = self
            .collection(collection)
            .find(doc! {})
            .projection(projection)
            .await
            .map_err(StoreError::from_driver)?;
        let mut numbers = MessageNumbers::default();
        while let Some(document) = cursor.try_next().await.map_err(StoreError::from_driver)? {
            if let (Ok(process), Ok(id)) = (
                document.get_str(field::SOURCE_PROCESS_ID),
                document.get_str(field::MESSAGE_ID),
            ) {
                numbers.record(process, id);
            }
        }
        Ok(numbers)
    }
}

fn codes(error: &mongodb::error::Error) -> Vec<i32> {
    match error.kind.as_ref() {
        ErrorKind::Command(command) => vec![command.code],
        ErrorKind::Write(mongodb::error::WriteFailure::WriteError(write)) => vec![write.code],
        _ => Vec::new(),
    }
}

/// §9: a sparse index the server refused for another reason than a conflicting definition
/// (85, 86) or an outage is created again without `sparse`, after a WARN line.
fn retry_without_sparse(sparse: bool, error: &mongodb::error::Error) -> bool {
    let conflict = codes(error)
        .iter()
        .any(|c| INDEX_CONFLICT_CODES.contains(c));
    sparse && !conflict && !StoreError::from_driver(error.clone()).is_transient()
}

fn is_duplicate(error: &mongodb::error::Error) -> bool {
    codes(error)
        .iter()
        .any(|c| [11000, 11001, 12582].contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command_error(code: i32) -> mongodb::error::Error {
        let reply = doc! {"ok": 0, "code": code, "codeName": "X", "errmsg": "refused"};
        let command: mongodb::error::CommandError =
            bson::from_document(reply).expect("a command error");
        mongodb::error::Error::from(ErrorKind::Command(command))
    }

    #[test]
    fn an_unknown_sparse_option_is_dropped_but_conflicts_and_outages_are_not() {
        // 67 CannotCreateIndex, 2 BadValue, 238 NotImplemented: the server lacks the option.
        for code in [67, 2, 238] {
            assert!(retry_without_sparse(true, &command_error(code)), "{code}");
            assert!(!retry_without_sparse(false, &command_error(code)), "{code}");
        }
        for code in [85, 86, 91, 11600] {
            assert!(!retry_without_sparse(true, &command_error(code)), "{code}");
        }
        let io = mongodb::error::Error::from(ErrorKind::Io(std::sync::Arc::new(
            std::io::ErrorKind::ConnectionReset.into(),
        )));
        assert!(!retry_without_sparse(true, &io));
    }
}
