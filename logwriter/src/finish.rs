//! Carries out how consuming ends (`core::ending`'s steps, docs/spec/logwriter.md §10.1
//! steps 3–9, §10.2 steps 3–4, §11.1), with the two broker steps the event loop shares:
//! the ack and the statistics block.

use tracing::{info, warn};

use crate::config::{Config, Queue};
use crate::core::ending::{self, Ending, Step};
use crate::core::stats;
use crate::driver::Driver;
use crate::io::broker::{self, Session};
use crate::metrics::Lifecycle;

/// Carries out the steps of `ending` (`core::ending`) in order: §10.1 steps 3–9, §10.2
/// steps 3–4, or the writes before a reconnect (§11).
pub async fn end(writer: &mut Driver, session: Option<&Session>, config: &Config, ending: Ending) {
    for step in ending::steps(ending) {
        match (step, session) {
            (Step::WriteEverything, _) => writer.flush_everything().await,
            (Step::FinalMetadata, _) => writer.final_metadata().await,
            (Step::ReensureIndexes, _) => writer.reensure_indexes().await,
            (Step::Acknowledge, Some(session)) => ack(writer, session).await,
            (Step::DeleteQueue, Some(session)) => {
                if let Queue::Durable { name, .. } = &config.broker.queue {
                    delete(session, name, config).await;
                }
            }
            (Step::LogStatistics, _) => log_statistics(writer),
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

/// Sends `basic.ack(multiple)` when the watermark moved. A failed ack is only logged: the
/// channel is gone, and the broker will redeliver (the `_id` makes that harmless).
pub async fn ack(writer: &mut Driver, session: &Session) {
    if let Some(tag) = writer.core.watermark.take_ack() {
        if let Err(error) = session.ack(tag).await {
            warn!(error = %error, delivery_tag = tag, "Acknowledging deliveries up to {tag} failed: {error}.");
        }
    }
    writer.update_gauge();
}

/// Logs the statistics block (§12).
pub fn log_statistics(writer: &Driver) {
    let now = stats::Now {
        unacknowledged: writer.core.watermark.unacknowledged(),
        pending: writer.core.pending.len(),
        flush_retries: writer.db.retry_count(),
    };
    info!(
        "{}",
        stats::render(&writer.core.sims, &writer.core.totals, now)
    );
}
