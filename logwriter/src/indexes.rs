//! Index creation from the writer's side (docs/spec/logwriter.md §9): once per collection and process,
//! before the first insert, again at stop; the metadata indexes before the first write unless
//! start-up managed them. Index problems are logged by the store and never block writes; only
//! an unreachable server is retried, like any write.

use std::sync::Arc;

use common::schema;

use crate::driver::Driver;

impl Driver {
    /// Ensures the indexes of a collection once per process (retrying transient failures).
    pub(crate) async fn ensure_indexes(&mut self, collection: &str, invalid: bool) {
        if self.core.indexed.contains_key(collection) {
            return;
        }
        let specs = if invalid {
            schema::invalid_message_indexes()
        } else {
            schema::message_indexes()
        };
        let specs = &specs;
        let created = self
            .retried(|store| async move { store.ensure_indexes(collection, specs).await })
            .await;
        if created {
            self.core.created.insert(collection.to_owned());
        }
        self.core.indexed.insert(collection.to_owned(), invalid);
    }

    /// Step 6 of §10.1: ensures the indexes again on every collection this process indexed.
    pub async fn reensure_indexes(&mut self) {
        let mut collections: Vec<(String, bool)> = self.core.indexed.drain().collect();
        collections.sort();
        for (collection, invalid) in collections {
            self.ensure_indexes(&collection, invalid).await;
        }
    }

    /// Ensures the metadata indexes before the first write, unless start-up managed it
    /// (waiting for the start-up attempt if it is still running: never two at once).
    pub(crate) async fn ensure_metadata_indexes(&mut self) {
        let lock = Arc::clone(&self.metadata_indexed);
        let mut done = lock.lock().await;
        if *done {
            return;
        }
        let specs = schema::metadata_indexes(&self.names.identifier);
        let collection = self.names.metadata.clone();
        let (collection, specs) = (&collection, &specs);
        self.retried(|store| async move { store.ensure_indexes(collection, specs).await })
            .await;
        *done = true;
    }
}
