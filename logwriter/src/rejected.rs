//! Documents the server refuses (docs/spec/logwriter.md §7.4–§7.5): the raw-text fallback with the same
//! `_id`, the minimal last resort, and asking which server it is. The decisions (which
//! server refuses what) are `core::refusal`'s.

use chrono::Utc;
use common::document::{minimal_invalid_document, server_rejected_document, InvalidReason};
use tracing::{error, warn};

use crate::core::buffer::Entry;
use crate::core::refusal::{Refusal, Server};
use crate::driver::Driver;
use crate::io::error::DocumentOutcome;

impl Driver {
    /// §7.5: the raw-text document with the same `_id` into the run simulation's invalid
    /// collection; then a minimal document; then, only if that is refused too, give up.
    pub(crate) async fn store_rejected(&mut self, sim_id: &str, entry: &Entry, why: Refusal) {
        warn!(topic = %entry.topic, reason = %why,
              "MongoDB rejected a document on topic '{}' ({why}); stored as invalid.", entry.topic);
        self.core.totals.server_rejected += 1;
        let target = self
            .core
            .run_id
            .clone()
            .unwrap_or_else(|| sim_id.to_owned());
        let collection = self.names.invalid_messages(&target);
        self.ensure_indexes(&collection, true).await;
        let now = Utc::now();
        let fallbacks = [
            server_rejected_document(entry.id, &entry.routing_key, &entry.body, now),
            minimal_invalid_document(entry.id, &entry.routing_key, &entry.body, now),
        ];
        let mut last = why;
        for doc in &fallbacks {
            match self.insert_settled(&collection, &[doc]).await.first() {
                Some(DocumentOutcome::Permanent(code)) => last = Refusal::Code(*code),
                Some(DocumentOutcome::Duplicate) => return self.count_duplicate(entry),
                _ => {
                    let reason = InvalidReason::ServerRejected;
                    return self.count_invalid(&target, &collection, entry, reason);
                }
            }
        }
        self.core.totals.lost += 1;
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
        let server = loop {
            match self.store.server().await {
                Ok(server) => break self.succeeded(server),
                Err(error) => self.wait_to_retry(&error).await,
            }
        };
        self.core.server = Some(server);
        server
    }
}
