//! Documents the server refuses (docs/spec/logwriter.md §7.4–§7.5): sending the fallback chain
//! (`core::batch::Fallback`: the raw-text document with the same `_id`, then the minimal
//! one) and asking which server it is. The decisions are the core's.

use chrono::Utc;
use tracing::{error, warn};

use crate::core::batch::{Counted, DocumentOutcome, Fallback};
use crate::core::buffer::Entry;
use crate::core::refusal::{Refusal, Server};
use crate::driver::Driver;

impl Driver {
    /// §7.5: the raw-text document with the same `_id` into the run simulation's invalid
    /// collection; then a minimal document; then, only if that is refused too, give up.
    pub(crate) async fn store_rejected(&mut self, sim_id: &str, entry: &Entry, why: Refusal) {
        warn!(topic = %entry.topic, reason = %why,
              "MongoDB rejected a document on topic '{}' ({why}); stored as invalid.", entry.topic);
        self.core.totals.server_rejected += 1;
        let run_id = self.core.run_id.as_deref();
        let mut chain = Fallback::new(entry, why, sim_id, run_id, &self.names, Utc::now());
        self.ensure_indexes(&chain.collection, true).await;
        let counted = loop {
            let Some(doc) = chain.next_document() else {
                return;
            };
            let outcomes = self.insert_settled(&chain.collection, &[doc]).await;
            let outcome = outcomes
                .first()
                .copied()
                .unwrap_or(DocumentOutcome::Inserted);
            let step = chain.on_outcome(outcome);
            if let Some(counted) = self.core.count_fallback(&chain.target, step) {
                break counted;
            }
        };
        let Counted::Refused(last) = counted else {
            return self.publish(counted, entry, &chain.collection);
        };
        let head = String::from_utf8_lossy(&entry.body[..entry.body.len().min(1024)]).into_owned();
        error!(
            topic = %entry.topic,
            "Message on topic '{}' could not be stored and was discarded: server code {last}; \
             body size {} bytes, starting {head:?}.",
            entry.topic,
            entry.body.len()
        );
    }

    /// The server kind, asked once (`buildInfo`) before the first insert and retried like a
    /// write while MongoDB is unreachable.
    pub(crate) async fn server(&mut self) -> Server {
        if let Some(server) = self.core.server {
            return server;
        }
        let server = self
            .retried(|store| async move { store.server().await })
            .await;
        self.core.server = Some(server);
        server
    }
}
