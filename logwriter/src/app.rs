//! Wiring (the only place that knows every dependency): build the writer from a [`Config`],
//! run it until the run stops or a signal drains it, and bound the drain with
//! LOGWRITER_SHUTDOWN_TIMEOUT applied to the task's `JoinHandle`, never to a driver call.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::error;

use crate::config::Config;
use crate::driver::Driver;
use crate::event_loop;
use crate::io::store::Store;
use crate::metrics::{Lifecycle, Metrics};

/// Longest wait for the MongoDB client's orderly shutdown at the end of a run.
const CLIENT_SHUTDOWN: std::time::Duration = std::time::Duration::from_secs(2);

/// A ready-to-run logwriter: validated configuration, a lazily connecting MongoDB client and,
/// with LOGWRITER_HTTP_PORT, the bound listener of the HTTP endpoints.
#[derive(Debug)]
pub struct LogWriter {
    config: Config,
    writer: Driver,
    force: CancellationToken,
    listener: Option<TcpListener>,
    /// Shut down explicitly at the end (see [`LogWriter::run_until_stopped`]).
    client: mongodb::Client,
}

impl LogWriter {
    /// Builds the writer and binds the HTTP endpoints' port if one is set (a port that cannot
    /// be bound is an error). No connection is made here: MongoDB connects lazily, and the
    /// broker is contacted first when running.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let listener = match &config.http {
            Some((host, port)) => Some(crate::io::http::bind(host, *port).await?),
            None => None,
        };
        let db = common::mongo::connect(&config.mongo, Some(&config.app_name), "log_writer")
            .await
            .context("building the MongoDB client")?;
        let client = db.client().clone();
        let writer = Driver::new(Store::new(db), config.mongo.collection_names(), &config);
        Ok(Self {
            config,
            writer,
            force: CancellationToken::new(),
            listener,
            client,
        })
    }

    /// The lifecycle state and metrics (what the HTTP endpoints serve).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.writer.metrics()
    }

    /// The bound address of the HTTP endpoints, if enabled (useful with port 0).
    pub fn http_address(&self) -> Option<std::net::SocketAddr> {
        self.listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// A token that, once cancelled during the drain (a second signal), ends it at once with
    /// exit code 1.
    pub fn force_token(&self) -> CancellationToken {
        self.force.clone()
    }

    /// Runs until the run's `stopped` (exit 0) or `shutdown` is cancelled (drain: exit 0, or
    /// 1 if it exceeds the shutdown timeout or the force token is cancelled).
    pub async fn run_until_stopped(mut self, shutdown: CancellationToken) -> i32 {
        let metrics = self.writer.metrics();
        let server = self
            .listener
            .take()
            .map(|listener| crate::io::http::spawn(listener, Arc::clone(&metrics)));
        let client = self.client.clone();
        let code = self.run_with_deadline(shutdown).await;
        // After a clean run the driver's background work (connection pools, cursor clean-up)
        // ends here, in order, not while the runtime drops its tasks: a request racing that
        // teardown made the driver panic on a worker thread after the run was over (seen once
        // in 8 runs). Exit code 1 (a drain that timed out, a second signal) exits at once.
        if code == 0 {
            let closing = client.shutdown().immediate(true);
            let _ = tokio::time::timeout(CLIENT_SHUTDOWN, closing).await;
        }
        metrics.set_state(Lifecycle::Stopped);
        if let Some(server) = server {
            server.abort();
        }
        code
    }

    async fn run_with_deadline(self, shutdown: CancellationToken) -> i32 {
        let metrics = self.writer.metrics();
        let timeout = self.config.shutdown_timeout;
        let unacknowledged = self.writer.unacknowledged_gauge();
        let force = self.force.clone();
        let mut task = tokio::spawn(event_loop::run(self.config, self.writer, shutdown.clone()));
        tokio::select! {
            result = &mut task => return exit_code(result),
            () = shutdown.cancelled() => {}
        }
        // Also here, not only in the event loop: a flush being retried delays the loop's
        // own transition, and the process is draining from the signal on.
        metrics.set_state(Lifecycle::Draining);
        tokio::select! {
            result = &mut task => exit_code(result),
            () = tokio::time::sleep(timeout) => timed_out(task, unacknowledged.load(Ordering::Relaxed)),
            () = force.cancelled() => timed_out(task, unacknowledged.load(Ordering::Relaxed)),
        }
    }
}

fn exit_code(result: Result<i32, tokio::task::JoinError>) -> i32 {
    result.unwrap_or_else(|error| {
        error!(error = %error, "The log writer failed: {error}.");
        1
    })
}

/// Ends the drain: aborting the task drops the broker connection, and in durable mode the
/// broker keeps every unacknowledged message for the next writer.
fn timed_out(task: tokio::task::JoinHandle<i32>, unacknowledged: u64) -> i32 {
    error!("Shutdown timed out; {unacknowledged} deliveries left unacknowledged.");
    task.abort();
    1
}
