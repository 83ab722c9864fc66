//! MongoDB retries (docs/spec/logwriter.md §7.6, §13.2): the one-time "Connected" line after a
//! success, and the log line plus backoff sleep after a failure. The delay and the level
//! (ERROR at most once per 30 s) are decided by `core::writer::Writer::failed`.

use std::future::Future;
use std::time::Instant;

use tracing::{debug, error, info, warn};

use crate::core::writer::RetryLog;
use crate::driver::Driver;
use crate::io::error::StoreError;
use crate::io::store::Store;

impl Driver {
    /// Runs a database operation until it succeeds, with the bookkeeping, the log line and
    /// the backoff sleep of §7.6 after each failure. `operation` gets its own handle on the
    /// store for each attempt.
    pub(crate) async fn retried<T, F, Fut>(&mut self, mut operation: F) -> T
    where
        F: FnMut(Store) -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        loop {
            match operation(self.store.clone()).await {
                Ok(value) => return self.succeeded(value),
                Err(error) => self.wait_to_retry(&error).await,
            }
        }
    }

    /// Bookkeeping after any successful MongoDB operation.
    pub(crate) fn succeeded<T>(&mut self, value: T) -> T {
        if self.core.succeeded() {
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
        let (delay, level) = self.core.failed(error.is_transient(), Instant::now());
        self.metrics.flush_retries.inc();
        let text = format!(
            "Writing to MongoDB failed: {error}; retrying in {:.1}s.",
            delay.as_secs_f64()
        );
        match level {
            RetryLog::Warn => warn!(error = %error, "{text}"),
            RetryLog::Error => error!(error = %error, "{text}"),
            RetryLog::Debug => debug!(error = %error, "{text}"),
        }
        let shutdown = self.shutdown.clone();
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = shutdown.cancelled(), if !self.core.shutdown_noted() => self.note_shutdown(),
        }
    }
}
