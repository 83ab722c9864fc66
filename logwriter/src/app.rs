//! Wiring (the only place that knows every dependency): build the writer from a [`Config`],
//! run it until the run stops or a signal drains it, and bound the drain with
//! LOGWRITER_SHUTDOWN_TIMEOUT applied to the task's `JoinHandle`, never to a driver call.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::config::{Config, Queue};
use crate::consumer::{self, Ended};
use crate::core::ending::{self, Ending, Step};
use crate::driver::Driver;
use crate::io::broker::{self, Session};
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
        let mut task = tokio::spawn(run(self.config, self.writer, shutdown.clone()));
        tokio::select! {
            result = &mut task => return exit_code(result),
            () = shutdown.cancelled() => {}
        }
        // Also here, not only in the consumer: a flush being retried delays the consumer's
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

async fn run(config: Config, mut writer: Driver, token: CancellationToken) -> i32 {
    writer.watch_signal(token.clone());
    let mut statistics = consumer::statistics_timer(config.statistics_interval);
    let mut connected_before = false;
    let mut first_node = 0;
    loop {
        writer.metrics.set_state(Lifecycle::Connecting);
        let unparsable = &writer.metrics.unparsable;
        let opened = broker::open_with_retry(&config.broker, first_node, &token, unparsable).await;
        let Some((mut session, node)) = opened else {
            writer.note_shutdown();
            end(&mut writer, None, &config, Ending::SignalWhileConnecting).await;
            info!("Shutdown complete.");
            return 0;
        };
        writer.metrics.set_state(Lifecycle::Consuming);
        if connected_before {
            writer.core.totals.reconnects += 1;
            writer.metrics.reconnects.inc();
            info!("Reconnected to RabbitMQ.");
        } else {
            // After the topology, so MongoDB never delays binding the queue.
            writer.db.spawn_metadata_indexes();
        }
        connected_before = true;
        let drain_limit = config.shutdown_timeout;
        match consumer::consume(
            &mut writer,
            &mut session,
            &token,
            &mut statistics,
            drain_limit,
        )
        .await
        {
            Ended::Stop => {
                let durable = matches!(config.broker.queue, Queue::Durable { .. });
                let delete_queue = durable && !token.is_cancelled();
                end(
                    &mut writer,
                    Some(&session),
                    &config,
                    Ending::Stopped { delete_queue },
                )
                .await;
                return 0;
            }
            Ended::Signal => {
                end(&mut writer, Some(&session), &config, Ending::Signal).await;
                info!("Shutdown complete.");
                return 0;
            }
            Ended::Lost(error) => {
                let unsettled = writer.core.watermark.unsettled();
                warn!(error = %error, "RabbitMQ connection lost: {error}; storing the {unsettled} unsettled deliveries before reconnecting.");
                // An exclusive queue died with the connection, so the broker can never
                // redeliver what is buffered: store it now (idempotent, so safe in both modes;
                // in durable mode the broker's redeliveries are then duplicates).
                end(&mut writer, Some(&session), &config, Ending::ChannelLost).await;
                // On to the next node of a cluster; a single broker is simply tried again.
                first_node = (node + 1) % config.broker.endpoint.nodes.len();
            }
        }
    }
}

/// Carries out the steps of `ending` (`core::ending`) in order: §10.1 steps 3–9, §10.2
/// steps 3–4, or the writes before a reconnect (§11).
async fn end(writer: &mut Driver, session: Option<&Session>, config: &Config, ending: Ending) {
    for step in ending::steps(ending) {
        match (step, session) {
            (Step::WriteEverything, _) => writer.flush_everything().await,
            (Step::FinalMetadata, _) => writer.final_metadata().await,
            (Step::ReensureIndexes, _) => writer.reensure_indexes().await,
            (Step::Acknowledge, Some(session)) => consumer::ack(writer, session).await,
            (Step::DeleteQueue, Some(session)) => {
                if let Queue::Durable { name, .. } = &config.broker.queue {
                    delete(session, name, config).await;
                }
            }
            (Step::LogStatistics, _) => consumer::log_statistics(writer),
            // Everything is stored and acknowledged; only closing the connection is left.
            (Step::MarkStopped, _) => writer.metrics.set_state(Lifecycle::Stopped),
            (Step::Close, Some(session)) => session.close().await,
            (Step::ForgetChannel, _) => writer.forget_channel(),
            (Step::Acknowledge | Step::DeleteQueue | Step::Close, None) => {}
        }
    }
}

/// Step 8 of §10.1; if the channel is gone, one fresh connection within the shutdown timeout.
async fn delete(session: &Session, name: &str, config: &Config) {
    let deleted = match session.delete_queue().await {
        Ok(count) => Ok(count),
        Err(_) => {
            let attempt = delete_on_new_connection(session, name, config);
            match tokio::time::timeout(config.shutdown_timeout, attempt).await {
                Ok(result) => result,
                Err(_) => Err(anyhow::anyhow!("timed out reconnecting")),
            }
        }
    };
    match deleted {
        Ok(0) => info!("Deleted queue '{name}'."),
        Ok(count) => warn!(
            "Discarded {count} messages still queued when the run's queue was deleted (left at \
             LOGWRITER_SHUTDOWN_TIMEOUT, or published after the queue was found empty)."
        ),
        Err(error) => {
            warn!(error = %error, "Deleting queue '{name}' failed: {error:#}; x-expires will remove it.")
        }
    }
}

async fn delete_on_new_connection(
    session: &Session,
    name: &str,
    config: &Config,
) -> anyhow::Result<u32> {
    // The session's node first, then the others of a cluster.
    let nodes = &config.broker.endpoint.nodes;
    let start = nodes.iter().position(|n| *n == session.node).unwrap_or(0);
    let mut failure = None;
    for node in nodes.iter().cycle().skip(start).take(nodes.len()) {
        let connection = match broker::connect(&config.broker, node).await {
            Ok(connection) => connection,
            Err(error) => {
                failure = Some(error);
                continue;
            }
        };
        let channel = connection.create_channel().await?;
        let options = lapin::options::QueueDeleteOptions::default();
        let count = channel.queue_delete(name.into(), options).await?;
        let _ = connection.close(200, "OK".into()).await;
        return Ok(count);
    }
    Err(failure.map_or_else(|| anyhow::anyhow!("no node configured"), Into::into))
}
