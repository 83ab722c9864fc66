//! The event loop (docs/spec/logwriter.md §3–§4, §10–§12): one `select!` owns every wait of
//! a run — the broker connection being opened, the next delivery, a buffer's deadline, a
//! batch or metadata upsert written in the background, the queue drain's deadline, the
//! statistics tick and the signal — and names what it saw as an [`Event`], which is then
//! handled to completion before the next wait.
//!
//! Only the *wait* is raced. Handling a delivery, planning a flush, settling a written batch
//! and an ack always run to completion, and the inserts and upserts run as tasks of their
//! own, because dropping an in-flight MongoDB operation leaves its outcome unknown (driver
//! cancellation warning). A connection attempt is the one operation a signal drops: it holds
//! nothing of the run's. The signal deadline is applied from outside, to the task's
//! `JoinHandle` (`app.rs`).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::task::JoinError;
use tokio::time::{Instant, Interval};
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::config::{Config, Queue};
use crate::core::drain::{QueueDrain, Step};
use crate::core::ending::Ending;
use crate::driver::{Driver, Incoming};
use crate::finish;
use crate::io::broker::{self, raw, Session};
use crate::metrics::Lifecycle;
use crate::writes::Written;

/// Runs the writer until the run's `stopped` or a signal has been carried through its
/// ending (exit code 0); a lost connection is written out and opened again, on the next
/// node of a cluster.
pub async fn run(config: Config, writer: Driver, token: CancellationToken) -> i32 {
    writer.watch_signal(token.clone());
    let mut run = EventLoop {
        statistics: statistics_timer(config.statistics_interval),
        phase: Phase::Closed,
        connected_before: false,
        config,
        writer,
        token,
    };
    run.phase = run.connecting(0);
    loop {
        let event = run.wait().await;
        if let Some(code) = run.handle(event).await {
            return code;
        }
    }
}

/// A connection being opened: the session and its node's index.
type Opening = Pin<Box<dyn Future<Output = (Session, usize)> + Send>>;

/// Where a run is.
enum Phase {
    /// Opening a session, node after node, with backoff between rounds (§11.1).
    Connecting(Opening),
    /// Consuming on a session.
    Consuming(Box<Consuming>),
    /// Nothing to wait for from the broker: the ending's steps are being carried out.
    Closed,
}

/// A session being consumed, and how its ending is coming.
struct Consuming {
    session: Session,
    node: usize,
    /// Decided once the run's `stopped` is handled or a signal came; the consumer is then
    /// cancelled, and the stream's end starts the ending's steps.
    stopping: Option<Stopping>,
    /// Emptying the queue after the run's `stopped` (§10.1 step 2).
    drain: Option<QueueDrain>,
}

/// Why consuming is ending.
#[derive(Debug, Clone, Copy)]
enum Stopping {
    /// The run's `stopped` (§10.1).
    Run,
    /// SIGTERM/SIGINT (§10.2).
    Signal,
}

/// What one wait of the loop saw.
enum Event {
    Signal,
    Opened(Session, usize),
    Delivery(Option<lapin::Result<lapin::message::Delivery>>),
    BufferDue,
    Written(Result<Written, JoinError>),
    Upserted(Result<String, JoinError>),
    DrainDue,
    StatisticsDue,
}

struct EventLoop {
    config: Config,
    writer: Driver,
    token: CancellationToken,
    statistics: Option<Interval>,
    phase: Phase,
    connected_before: bool,
}

impl EventLoop {
    /// The one wait of the loop: whichever comes first, the signal first among equals.
    async fn wait(&mut self) -> Event {
        let buffer_due = self.writer.next_deadline().map(Instant::from_std);
        let (signal_ends_something, drain_due) = match &self.phase {
            Phase::Consuming(c) => (
                c.stopping.is_none() || c.drain.is_some(),
                c.drain.as_ref().map(|d| Instant::from_std(d.deadline())),
            ),
            Phase::Connecting(_) => (true, None),
            Phase::Closed => (false, None),
        };
        let writing = !self.writer.writes.batches.is_empty();
        let upserting = !self.writer.upserts.is_empty();
        tokio::select! {
            biased;
            () = self.token.cancelled(), if signal_ends_something => Event::Signal,
            () = sleep_until(buffer_due) => Event::BufferDue,
            Some(done) = self.writer.writes.batches.join_next(), if writing => Event::Written(done),
            Some(done) = self.writer.upserts.join_next(), if upserting => Event::Upserted(done),
            () = sleep_until(drain_due) => Event::DrainDue,
            () = tick(&mut self.statistics) => Event::StatisticsDue,
            event = self.phase.next() => event,
        }
    }

    /// Handles one event to completion, then acknowledges what it settled; the exit code
    /// once the run is over.
    async fn handle(&mut self, event: Event) -> Option<i32> {
        match event {
            Event::Signal => return self.on_signal().await,
            Event::Opened(session, node) => self.on_opened(session, node),
            Event::Delivery(Some(Ok(delivery))) => self.on_delivery(delivery).await,
            Event::Delivery(Some(Err(error))) => {
                if broker::is_parse_error(&error) {
                    self.writer.metrics.unparsable.inc();
                    error!(error = %error, "RabbitMQ sent a frame the AMQP parser cannot read: {error}; the delivery stays queued (docs/operations.md).");
                }
                return self.on_stream_end(error.to_string()).await;
            }
            Event::Delivery(None) => {
                return self
                    .on_stream_end("the broker cancelled the consumer".to_owned())
                    .await
            }
            Event::BufferDue => self.writer.flush_due().await,
            Event::Written(done) => self.writer.on_written(done).await,
            Event::Upserted(done) => self.writer.on_upserted(done),
            Event::DrainDue => {
                if let Phase::Consuming(c) = &mut self.phase {
                    follow(Step::Cancel, &mut c.drain, &c.session).await;
                }
            }
            Event::StatisticsDue => finish::log_statistics(&self.writer),
        }
        if let Phase::Consuming(c) = &self.phase {
            finish::ack(&mut self.writer, &c.session).await;
        }
        None
    }

    /// Starts opening a session, from node `first` on.
    fn connecting(&self, first: usize) -> Phase {
        self.writer.metrics.set_state(Lifecycle::Connecting);
        let broker = self.config.broker.clone();
        let unparsable = self.writer.metrics.unparsable.clone();
        Phase::Connecting(Box::pin(async move {
            broker::open_with_retry(&broker, first, &unparsable).await
        }))
    }

    fn on_opened(&mut self, session: Session, node: usize) {
        self.writer.metrics.set_state(Lifecycle::Consuming);
        if self.connected_before {
            self.writer.core.totals.reconnects += 1;
            self.writer.metrics.reconnects.inc();
            info!("Reconnected to RabbitMQ.");
        } else {
            // After the topology, so MongoDB never delays binding the queue.
            self.writer.db.spawn_metadata_indexes();
        }
        self.connected_before = true;
        self.phase = Phase::Consuming(Box::new(Consuming {
            session,
            node,
            stopping: None,
            drain: None,
        }));
    }

    /// Handles a delivery, then starts or follows the queue drain of §10.1 step 2.
    async fn on_delivery(&mut self, delivery: lapin::message::Delivery) {
        let Phase::Consuming(c) = &mut self.phase else {
            return;
        };
        self.writer.handle(incoming(delivery)).await;
        self.writer.relieve_window_pressure().await;
        let now = std::time::Instant::now();
        if self.writer.core.stop_requested && c.stopping.is_none() {
            info!("Stopping the log writer.");
            self.writer.metrics.set_state(Lifecycle::Draining);
            c.stopping = Some(Stopping::Run);
            let started = QueueDrain::start(now, self.config.shutdown_timeout);
            let step = started.first_step(now);
            c.drain = Some(started);
            follow(step, &mut c.drain, &c.session).await;
        } else if let Some(active) = c.drain.as_mut() {
            let step = active.delivered(now);
            follow(step, &mut c.drain, &c.session).await;
        }
    }

    /// SIGTERM/SIGINT: while consuming, the consumer is cancelled and the stream's end
    /// carries out §10.2 (a signal during the queue drain ends the drain); while connecting,
    /// the attempt is dropped and what was received is written at once.
    async fn on_signal(&mut self) -> Option<i32> {
        self.writer.note_shutdown();
        match &mut self.phase {
            Phase::Consuming(c) => {
                c.drain = None;
                c.stopping.get_or_insert(Stopping::Signal);
                cancel(&c.session).await;
                None
            }
            Phase::Connecting(_) | Phase::Closed => {
                self.phase = Phase::Closed;
                let ending = Ending::SignalWhileConnecting;
                finish::end(&mut self.writer, None, &self.config, ending).await;
                info!("Shutdown complete.");
                Some(0)
            }
        }
    }

    /// The consumer's stream ended: after a stop or a signal, their steps (§10.1, §10.2);
    /// otherwise the connection was lost (§11.1): what was received is written, and the
    /// next node is tried.
    async fn on_stream_end(&mut self, lost: String) -> Option<i32> {
        let Phase::Consuming(c) = &mut self.phase else {
            return None;
        };
        let ending = match c.stopping {
            Some(Stopping::Run) => {
                let durable = matches!(self.config.broker.queue, Queue::Durable { .. });
                let delete_queue = durable && !self.token.is_cancelled();
                Ending::Stopped { delete_queue }
            }
            Some(Stopping::Signal) => Ending::Signal,
            None => {
                let unsettled = self.writer.core.watermark.unsettled();
                warn!(error = %lost, "RabbitMQ connection lost: {lost}; storing the {unsettled} unsettled deliveries before reconnecting.");
                // An exclusive queue died with the connection, so the broker can never
                // redeliver what is buffered: store it now (idempotent, so safe in both
                // modes; in durable mode the broker's redeliveries are then duplicates).
                Ending::ChannelLost
            }
        };
        finish::end(&mut self.writer, Some(&c.session), &self.config, ending).await;
        match ending {
            Ending::ChannelLost => {
                // On to the next node of a cluster; a single broker is simply tried again.
                let next = (c.node + 1) % self.config.broker.endpoint.nodes.len();
                self.phase = self.connecting(next);
                None
            }
            Ending::Signal | Ending::SignalWhileConnecting => {
                info!("Shutdown complete.");
                Some(0)
            }
            Ending::Stopped { .. } => Some(0),
        }
    }
}

impl Phase {
    /// The broker's side of the wait: the session opened, or the next delivery.
    async fn next(&mut self) -> Event {
        match self {
            Phase::Connecting(opening) => {
                let (session, node) = opening.as_mut().await;
                Event::Opened(session, node)
            }
            Phase::Consuming(c) => Event::Delivery(c.session.consumer.next().await),
            Phase::Closed => std::future::pending().await,
        }
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
fn statistics_timer(period: Option<Duration>) -> Option<Interval> {
    period.map(|period| {
        let mut interval = tokio::time::interval_at(Instant::now() + period, period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval
    })
}
