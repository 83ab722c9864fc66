//! The consumer loop (docs/spec/logwriter.md §3–§4, §10–§12): next delivery, next buffer
//! deadline, a batch or metadata upsert written in the background, statistics tick or
//! cancellation → handle → flush → ack.
//!
//! Only the *wait* is raced against cancellation. Handling a delivery, planning a flush,
//! settling a written batch and an ack always run to completion, and the inserts and
//! upserts run as tasks of their own, because dropping an in-flight MongoDB operation
//! leaves its outcome unknown (driver cancellation warning). The signal deadline is applied
//! from outside, to the task's `JoinHandle` (see `app.rs`).

use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::{Instant, Interval};
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::core::drain::{QueueDrain, Step};
use crate::core::stats;
use crate::driver::{Driver, Incoming};
use crate::io::broker::{self, raw, Session};
use crate::metrics::Lifecycle;

/// Why the consumer stream ended.
#[derive(Debug)]
pub enum Ended {
    /// A well-formed `stopped` was handled and the stream drained (§10.1).
    Stop,
    /// SIGTERM/SIGINT, and the stream drained (§10.2).
    Signal,
    /// The connection or channel was lost.
    Lost(String),
}

/// Consumes until the run stops, a signal arrives, or the channel is lost. After the run's
/// `stopped`, the queue is emptied for at most `drain_limit` before the consumer is
/// cancelled (§10.1 step 2).
pub async fn consume(
    writer: &mut Driver,
    session: &mut Session,
    token: &CancellationToken,
    statistics: &mut Option<Interval>,
    drain_limit: Duration,
) -> Ended {
    let mut stopping: Option<Ended> = None;
    let mut drain: Option<QueueDrain> = None;
    loop {
        let deadline = writer.next_deadline().map(Instant::from_std);
        let drain_deadline = drain.as_ref().map(|d| Instant::from_std(d.deadline()));
        tokio::select! {
            biased;
            () = token.cancelled(), if stopping.is_none() || drain.is_some() => {
                writer.note_shutdown();
                // A signal during the queue drain ends the drain: §10.2 takes over.
                drain = None;
                stopping.get_or_insert(Ended::Signal);
                cancel(session).await;
            }
            () = sleep_until(deadline) => writer.flush_due().await,
            Some(done) = writer.writes.batches.join_next(), if !writer.writes.batches.is_empty() => {
                writer.on_written(done).await;
            }
            Some(done) = writer.upserts.join_next(), if !writer.upserts.is_empty() => {
                writer.on_upserted(done);
            }
            () = sleep_until(drain_deadline) => {
                follow(Step::Cancel, &mut drain, session).await;
            }
            () = tick(statistics) => log_statistics(writer),
            next = session.consumer.next() => match next {
                Some(Ok(delivery)) => {
                    writer.handle(incoming(delivery)).await;
                    writer.relieve_window_pressure().await;
                    let now = std::time::Instant::now();
                    if writer.core.stop_requested && stopping.is_none() {
                        info!("Stopping the log writer.");
                        writer.metrics.set_state(Lifecycle::Draining);
                        stopping = Some(Ended::Stop);
                        let started = QueueDrain::start(now, drain_limit);
                        let step = started.first_step(now);
                        drain = Some(started);
                        follow(step, &mut drain, session).await;
                    } else if let Some(active) = drain.as_mut() {
                        let step = active.delivered(now);
                        follow(step, &mut drain, session).await;
                    }
                }
                Some(Err(error)) => {
                    if broker::is_parse_error(&error) {
                        writer.metrics.unparsable.inc();
                        error!(error = %error, "RabbitMQ sent a frame the AMQP parser cannot read: {error}; the delivery stays queued (docs/operations.md).");
                    }
                    return stopping.unwrap_or(Ended::Lost(error.to_string()));
                }
                None => {
                    return stopping.unwrap_or_else(|| Ended::Lost("the broker cancelled the consumer".to_owned()))
                }
            },
        }
        ack(writer, session).await;
    }
}

/// A delivery as the writer takes it: the routing key's bytes as sent, and the parts a
/// strict AMQP parser would have refused (§2.3).
fn incoming(delivery: lapin::message::Delivery) -> Incoming {
    let (routing_key, escaped) = raw::short_string_bytes(delivery.routing_key.as_str());
    let mut unusual = raw::unusual_properties(&delivery.properties);
    if escaped {
        let (reason, bytes) = (raw::NOT_UTF8, routing_key.clone());
        unusual.insert(
            0,
            raw::Unusual {
                property: "routing_key",
                reason,
                bytes,
            },
        );
    }
    Incoming {
        tag: delivery.delivery_tag,
        routing_key,
        body: delivery.data,
        redelivered: delivery.redelivered,
        unusual,
    }
}

/// Carries out the drain's steps until it says to consume; cancelling ends the drain.
async fn follow(mut step: Step, drain: &mut Option<QueueDrain>, session: &Session) {
    loop {
        match step {
            Step::Consume => return,
            Step::Check => {
                let ready = session.ready_messages().await.unwrap_or_else(|error| {
                    warn!(error = %error, "Counting the queued messages failed: {error}; stopping now.");
                    0
                });
                let Some(active) = drain.as_mut() else { return };
                step = active.checked(ready, std::time::Instant::now());
            }
            Step::Cancel => {
                *drain = None;
                cancel(session).await;
                return;
            }
        }
    }
}

async fn cancel(session: &Session) {
    if let Err(error) = session.cancel().await {
        warn!(error = %error, "Cancelling the consumer failed: {error}.");
    }
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

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

async fn tick(interval: &mut Option<Interval>) {
    match interval {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// The periodic statistics timer; the first block comes one period after start-up.
pub fn statistics_timer(period: Option<Duration>) -> Option<Interval> {
    period.map(|period| {
        let mut interval = tokio::time::interval_at(Instant::now() + period, period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval
    })
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
