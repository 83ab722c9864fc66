//! MongoDB retry bookkeeping (docs/spec/logwriter.md §7.6, §13.2): the backoff reset and the one-time
//! "Connected" line after a success, and the log line plus backoff sleep after a failure.
//! Operational errors are logged at ERROR at most once per 30 s, because an operator must act
//! but a log line per retry would bury everything else.

use std::time::Instant;

use tracing::{debug, error, info, warn};

use crate::io::error::StoreError;
use crate::writer::Writer;

impl Writer {
    /// Bookkeeping after any successful MongoDB operation.
    pub(crate) fn succeeded<T>(&mut self, value: T) -> T {
        self.backoff.reset();
        if !self.mongo_seen {
            self.mongo_seen = true;
            info!("Connected to MongoDB database '{}'.", self.store.name());
        }
        value
    }

    /// Logs a failed MongoDB operation and sleeps the backoff delay (§7.6). Deliveries are
    /// not handled meanwhile, so the broker stops sending once the prefetch window is full.
    /// A signal during the sleep is logged at once and ends the sleep: the drain retries
    /// right away, until it succeeds or its deadline ends the process. Only the sleep races
    /// the signal; a driver call always runs to completion.
    pub(crate) async fn wait_to_retry(&mut self, error: &StoreError) {
        let delay = self.backoff.next_delay();
        self.totals.flush_retries += 1;
        self.metrics.flush_retries.inc();
        let text = format!(
            "Writing to MongoDB failed: {error}; retrying in {:.1}s.",
            delay.as_secs_f64()
        );
        if error.is_transient() {
            warn!(error = %error, "{text}");
        } else if self
            .last_error_log
            .is_none_or(|t| t.elapsed().as_secs() >= 30)
        {
            self.last_error_log = Some(Instant::now());
            error!(error = %error, "{text}");
        } else {
            debug!(error = %error, "{text}");
        }
        let shutdown = self.shutdown.clone();
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = shutdown.cancelled(), if !self.shutdown_noted => self.note_shutdown(),
        }
    }
}
