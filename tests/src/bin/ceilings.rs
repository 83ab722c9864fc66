//! `ceilings`: what the servers alone can do with a simgen run, so the writer's rate can be
//! compared with the rate it could reach at best (`scripts/bench`).
//!
//! * `broker`: a fresh topic exchange and a fresh durable queue (a quorum queue with the
//!   writer's arguments, unless `--queue-type classic`) bound with `#`; the run is published
//!   with publisher confirms *before* any consumer, then one consumer with a prefetch of
//!   2 × batch drains it, acknowledging with `multiple = true` once per batch and storing
//!   nothing. The drain rate is the broker ceiling.
//! * `database`: the run's documents, built with `common::document::ingest` exactly as the
//!   writer builds them (valid messages to `simulation_<id>`, invalid ones to
//!   `invalid_simulation_<run id>`), inserted into a fresh database whose collections carry
//!   the writer's indexes, with unordered `insert_many` of `batch` documents per
//!   collection, one batch in flight at a time (the writer's concurrency). The insert rate
//!   is the database ceiling. With `--cut writer` the documents are cut as the writer
//!   cuts them instead (one buffer for the run, written at `batch` documents and at every
//!   `Epoch` and `SimState`, docs/spec/logwriter.md §5.2 (a) and (b)), and each of those
//!   role flushes is followed by a metadata upsert of the writer's shape (§8): the rate the
//!   database allows for the writer's own sequence of requests, without the writer.
//! * `prefill`: the topology the writer declares (the exchange, and its durable queue
//!   `logwriter.<exchange>`: quorum, `x-expires` 86400000), then the whole run published with
//!   confirms, so a writer started afterwards drains a full queue.
//! * `cleanup`: deletes the exchanges, queues and databases a benchmark run left behind.
//!
//! Results are printed on stdout as one line of `key=value` pairs per command, for example
//! `ceiling=broker batch=20 messages=21012 seconds=1.52 rate=13823 publish_rate=9120`.
//!
//! ```text
//! ceilings broker --batch 20 --epochs 1000 --processes 10 --invalid 10
//! ceilings database --batch 200 --epochs 1000 --processes 10 --invalid 10
//! ceilings database --cut writer --batch 200 --epochs 1000 --processes 10 --invalid 10
//! ceilings prefill --exchange bench.x --epochs 1000 --processes 10 --invalid 10
//! ceilings cleanup --exchange bench.x --queue logwriter.bench.x --database it_bench_1
//! ```

use std::io::Write as _;
use std::time::Instant;

use anyhow::Context as _;
use bson::doc;
use clap::{Args, Parser, Subcommand, ValueEnum};
use common::document::{ingest, Outcome, Role};
use common::schema::{
    invalid_message_indexes, message_indexes, metadata_indexes, CollectionNames, IndexSpec,
};
use futures_util::StreamExt as _;
use integration_tests::simgen::{generate, publish, Message, RunSpec};
use integration_tests::{amqp_uri, mongo_uri, unique_name};
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicQosOptions, ExchangeDeclareOptions,
    ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};
use serde::Serialize;

/// The writer's default `x-expires` of its durable queue (LOGWRITER_QUEUE_EXPIRES = 1 day).
const WRITER_QUEUE_EXPIRES_MS: i64 = 86_400_000;

/// Broker and database ceilings for a simgen run.
#[derive(Debug, Parser)]
#[command(name = "ceilings", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Publish the run into a fresh queue, then drain it with an acking consumer.
    Broker {
        /// Documents per batch: acknowledge every `batch` deliveries, prefetch 2 × batch.
        #[arg(long, default_value_t = 20)]
        batch: u16,
        /// Type of the fresh durable queue.
        #[arg(long, value_enum, default_value_t = QueueType::Quorum)]
        queue_type: QueueType,
        #[command(flatten)]
        run: Run,
    },
    /// Insert the run's documents with unordered insert_many, one batch at a time.
    Database {
        /// Documents per insert_many.
        #[arg(long, default_value_t = 20)]
        batch: usize,
        /// How the documents are cut into batches: `fixed` (every `batch` documents per
        /// collection) or `writer` (as the writer cuts them, plus its metadata upserts).
        #[arg(long, value_enum, default_value_t = Cut::Fixed)]
        cut: Cut,
        /// Keep the database instead of dropping it at the end, with the run's final
        /// metadata document (an `EndTime`, as after `stopped`), for logreader to read.
        #[arg(long)]
        keep: bool,
        #[command(flatten)]
        run: Run,
    },
    /// Declare the writer's exchange and durable queue, then publish the run.
    Prefill {
        /// The run's exchange.
        #[arg(long)]
        exchange: String,
        /// The writer's queue [default: logwriter.<exchange>].
        #[arg(long)]
        queue: Option<String>,
        #[command(flatten)]
        run: Run,
    },
    /// Delete exchanges, queues and databases (what a benchmark left behind).
    Cleanup {
        /// An exchange to delete (repeatable).
        #[arg(long)]
        exchange: Vec<String>,
        /// A queue to delete (repeatable).
        #[arg(long)]
        queue: Vec<String>,
        /// A database to drop (repeatable).
        #[arg(long)]
        database: Vec<String>,
    },
}

/// The simgen run (the same arguments as `simgen`).
#[derive(Debug, Clone, Args)]
struct Run {
    /// Simulation id [default: now, normalised].
    #[arg(long)]
    simulation_id: Option<String>,
    /// Number of epochs.
    #[arg(long, default_value_t = 1000)]
    epochs: u32,
    /// Number of processes sending a Result and a Status per epoch.
    #[arg(long, default_value_t = 10)]
    processes: u32,
    /// Number of invalid messages.
    #[arg(long, default_value_t = 10)]
    invalid: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum QueueType {
    Quorum,
    Classic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Cut {
    Fixed,
    Writer,
}

impl Cut {
    fn name(self) -> &'static str {
        match self {
            Cut::Fixed => "fixed",
            Cut::Writer => "writer",
        }
    }
}

impl QueueType {
    /// The `x-queue-type` value.
    fn name(self) -> &'static str {
        match self {
            QueueType::Quorum => "quorum",
            QueueType::Classic => "classic",
        }
    }
}

impl Run {
    fn spec(&self) -> RunSpec {
        let simulation_id = self
            .simulation_id
            .clone()
            .map(|id| common::time::normalise(&id).unwrap_or(id))
            .unwrap_or_else(|| common::time::format_normalised(chrono::Utc::now()));
        RunSpec {
            simulation_id,
            epochs: self.epochs,
            processes: self.processes,
            invalid: self.invalid,
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let line = match Cli::parse().command {
        Command::Broker {
            batch,
            queue_type,
            run,
        } => broker(batch, queue_type, &run.spec()).await?,
        Command::Database {
            batch,
            cut,
            keep,
            run,
        } => database(batch, cut, keep, &run.spec()).await?,
        Command::Prefill {
            exchange,
            queue,
            run,
        } => {
            let queue = queue.unwrap_or_else(|| format!("logwriter.{exchange}"));
            prefill(&exchange, &queue, &run.spec()).await?
        }
        Command::Cleanup {
            exchange,
            queue,
            database,
        } => cleanup(&exchange, &queue, &database).await?,
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    Ok(())
}

async fn connect() -> anyhow::Result<Connection> {
    let uri = amqp_uri();
    Connection::connect(&uri, ConnectionProperties::default())
        .await
        .with_context(|| format!("RabbitMQ at {uri} (run `scripts/services up`)"))
}

/// Messages per second.
fn rate(messages: usize, seconds: f64) -> f64 {
    messages as f64 / seconds.max(1e-9)
}

async fn declare_exchange(channel: &Channel, exchange: &str) -> lapin::Result<()> {
    // Topic, non-durable, not auto-delete: the writer's defaults.
    channel
        .exchange_declare(
            exchange.into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
}

/// A durable queue with the writer's arguments (logwriter/src/broker/queue.rs), bound to
/// `exchange` with `#`; returns how many messages it holds.
async fn declare_bound_queue(
    channel: &Channel,
    exchange: &str,
    queue: &str,
    kind: QueueType,
) -> lapin::Result<u32> {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-expires".into(),
        AMQPValue::LongLongInt(WRITER_QUEUE_EXPIRES_MS),
    );
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString(kind.name().into()),
    );
    let options = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    let declared = channel
        .queue_declare(queue.into(), options, arguments)
        .await?;
    integration_tests::bind_every_topic(channel, queue, exchange).await?;
    Ok(declared.message_count())
}

/// Publishes `messages` with confirms; returns the seconds it took.
async fn publish_all(
    channel: &Channel,
    exchange: &str,
    messages: &[Message],
) -> anyhow::Result<f64> {
    let started = Instant::now();
    publish(channel, exchange, messages, None, |_| {})
        .await
        .context("publishing the run")?;
    Ok(started.elapsed().as_secs_f64())
}

async fn broker(batch: u16, kind: QueueType, spec: &RunSpec) -> anyhow::Result<String> {
    anyhow::ensure!(batch > 0, "--batch must be at least 1");
    let messages = generate(spec);
    let total = messages.len();
    let connection = connect().await?;
    let channel = connection.create_channel().await?;
    let exchange = unique_name("ceiling");
    let queue = exchange.clone();
    declare_exchange(&channel, &exchange).await?;
    declare_bound_queue(&channel, &exchange, &queue, kind).await?;
    let outcome = async {
        let publish_seconds = publish_all(&channel, &exchange, &messages).await?;
        let held = declare_bound_queue(&channel, &exchange, &queue, kind).await?;
        anyhow::ensure!(
            held as usize == total,
            "the queue holds {held} messages, {total} were published"
        );
        let seconds = drain(&connection, &queue, batch, total).await?;
        Ok((publish_seconds, seconds))
    }
    .await;
    let _ = channel
        .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
        .await;
    let _ = channel
        .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
        .await;
    let _ = connection.close(200, "OK".into()).await;
    let (publish_seconds, seconds) = outcome?;
    Ok(format!(
        "ceiling=broker batch={batch} queue_type={} messages={total} seconds={seconds:.3} \
         rate={:.0} publish_seconds={publish_seconds:.3} publish_rate={:.0}",
        kind.name(),
        rate(total, seconds),
        rate(total, publish_seconds),
    ))
}

/// Consumes `total` deliveries from `queue` on a channel of its own, acknowledging every
/// `batch` (and the last); returns the seconds from basic.consume to the last ack.
async fn drain(
    connection: &Connection,
    queue: &str,
    batch: u16,
    total: usize,
) -> anyhow::Result<f64> {
    let channel = connection.create_channel().await?;
    let prefetch = batch.saturating_mul(2);
    channel
        .basic_qos(prefetch, BasicQosOptions { global: false })
        .await?;
    let started = Instant::now();
    let mut consumer = channel
        .basic_consume(
            queue.into(),
            "ceilings".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let mut received = 0usize;
    while received < total {
        let delivery = consumer
            .next()
            .await
            .context("the consumer ended before the queue was drained")??;
        received += 1;
        if received.is_multiple_of(usize::from(batch)) || received == total {
            channel
                .basic_ack(delivery.delivery_tag, BasicAckOptions { multiple: true })
                .await?;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let _ = channel.close(200, "OK".into()).await;
    Ok(seconds)
}

/// One message as the writer stores it.
#[derive(Debug)]
struct Stored<T> {
    /// The collection it goes to.
    collection: String,
    /// The document.
    doc: T,
    /// A well-formed `Epoch` or `SimState`: the writer flushes and updates the metadata.
    role_flush: bool,
    /// Valid (counted in `Messages`) or invalid (`InvalidMessages`).
    valid: bool,
    /// The routing key (counted in `Topics`).
    topic: String,
    /// The sender of a valid message (listed in `Processes`).
    process: Option<String>,
}

async fn database(batch: usize, cut: Cut, keep: bool, spec: &RunSpec) -> anyhow::Result<String> {
    anyhow::ensure!(batch > 0, "--batch must be at least 1");
    let messages = generate(spec);
    let total = messages.len();
    let names = CollectionNames::default();

    // Build every document first, exactly as the writer does, and time that too (one core).
    let started = Instant::now();
    let mut stored = Vec::with_capacity(total);
    for m in &messages {
        let ingested = ingest(m.routing_key.as_bytes(), &m.body, chrono::Utc::now());
        let topic = ingested.topic;
        stored.push(match ingested.outcome {
            Outcome::Valid {
                doc,
                simulation_id,
                role,
                ..
            } => Stored {
                collection: names.messages(&simulation_id),
                doc,
                role_flush: matches!(role, Role::Epoch { .. } | Role::SimState { .. }),
                valid: true,
                topic,
                process: match role {
                    Role::Epoch {
                        source_process_id, ..
                    }
                    | Role::SimState {
                        source_process_id, ..
                    }
                    | Role::StatusOrResult {
                        source_process_id, ..
                    } => Some(source_process_id),
                    _ => None,
                },
            },
            Outcome::Invalid { doc, .. } => Stored {
                collection: names.invalid_messages(&spec.simulation_id),
                doc,
                role_flush: false,
                valid: false,
                topic,
                process: None,
            },
        });
    }
    let ingest_seconds = started.elapsed().as_secs_f64();

    let client = mongodb::Client::with_uri_str(mongo_uri())
        .await
        .context("MongoDB client")?;
    let db = client.database(&unique_name("ceiling"));
    db.run_command(doc! {"ping": 1})
        .await
        .with_context(|| format!("MongoDB at {} (run `scripts/services up`)", mongo_uri()))?;
    let outcome = async {
        create_all_indexes(&db, &stored, &names, spec).await?;
        match cut {
            Cut::Fixed => insert_fixed(&db, stored, batch).await,
            Cut::Writer => insert_like_the_writer(&db, stored, batch, &names, spec).await,
        }
    }
    .await;
    if keep {
        mark_finished(&db, &names, spec, &messages).await?;
    } else {
        let _ = db.drop().await;
    }
    let (seconds, inserts, upserts) = outcome?;
    Ok(format!(
        "ceiling=database cut={} batch={batch} messages={total} seconds={seconds:.3} rate={:.0} \
         insert_many={inserts} metadata_upserts={upserts} ingest_seconds={ingest_seconds:.3} \
         ingest_rate={:.0} database={}{}",
        cut.name(),
        rate(total, seconds),
        rate(total, ingest_seconds),
        db.name(),
        if keep { ":kept" } else { ":dropped" },
    ))
}

/// The run's `StartTime`: its id read as a date, as the writer does.
fn run_start(spec: &RunSpec) -> bson::DateTime {
    common::time::parse_message_datetime(&spec.simulation_id)
        .map(bson::DateTime::from_chrono)
        .unwrap_or_else(|| bson::DateTime::from_millis(0))
}

/// The final metadata update of a kept run (untimed): `EndTime` and the counts, as the
/// writer leaves them after `stopped`, so logreader treats the run as finished.
async fn mark_finished(
    db: &mongodb::Database,
    names: &CollectionNames,
    spec: &RunSpec,
    messages: &[Message],
) -> anyhow::Result<()> {
    use common::schema::metadata as meta;
    let start = run_start(spec);
    let update = doc! {
        "$min": {meta::START_TIME: start},
        "$set": {
            meta::END_TIME: bson::DateTime::now(),
            meta::MESSAGES: i64::try_from(messages.len()).unwrap_or(i64::MAX),
        },
    };
    db.collection::<bson::Document>(&names.metadata)
        .update_one(
            common::schema::metadata_filter(&names.identifier, &spec.simulation_id),
            update,
        )
        .upsert(true)
        .await
        .context("final metadata update")?;
    Ok(())
}

/// The writer's indexes on every collection the run writes to (untimed).
async fn create_all_indexes<T>(
    db: &mongodb::Database,
    stored: &[Stored<T>],
    names: &CollectionNames,
    spec: &RunSpec,
) -> anyhow::Result<()> {
    let invalid_collection = names.invalid_messages(&spec.simulation_id);
    let mut collections: Vec<&str> = Vec::new();
    for s in stored {
        if !collections.contains(&s.collection.as_str()) {
            collections.push(&s.collection);
        }
    }
    for collection in collections {
        let specs = if collection == invalid_collection {
            invalid_message_indexes()
        } else {
            message_indexes()
        };
        create_indexes(db, collection, &specs).await?;
    }
    create_indexes(db, &names.metadata, &metadata_indexes(&names.identifier)).await
}

/// `--cut fixed`: in arrival order, each collection's buffer is written when it reaches
/// `batch`, the rest at the end, one insert_many at a time. Returns the seconds of the
/// inserts and the numbers of inserts and metadata upserts (none).
async fn insert_fixed<T>(
    db: &mongodb::Database,
    stored: Vec<Stored<T>>,
    batch: usize,
) -> anyhow::Result<(f64, usize, usize)>
where
    T: Serialize + Send + Sync,
{
    let mut buffers: Vec<(String, Vec<T>)> = Vec::new();
    let mut inserts = 0;
    let started = Instant::now();
    for s in stored {
        let index = match buffers.iter().position(|(c, _)| *c == s.collection) {
            Some(index) => index,
            None => {
                buffers.push((s.collection, Vec::new()));
                buffers.len() - 1
            }
        };
        let (collection, buffer) = &mut buffers[index];
        buffer.push(s.doc);
        if buffer.len() >= batch {
            insert(db, collection, std::mem::take(buffer)).await?;
            inserts += 1;
        }
    }
    for (collection, rest) in buffers {
        if !rest.is_empty() {
            insert(db, &collection, rest).await?;
            inserts += 1;
        }
    }
    Ok((started.elapsed().as_secs_f64(), inserts, 0))
}

/// `--cut writer`: the requests the writer sends for this run, without the writer. One
/// buffer for the run (docs/spec/logwriter.md §5.1), written when it holds `batch`
/// documents or the appended one is an `Epoch` or `SimState` (§5.2 (a), (b)), valid
/// documents then invalid ones; after each role flush one metadata upsert of the writer's
/// shape (§8: `$min` StartTime, `$max` Epochs, `$set` Name, Description, Processes, Messages,
/// InvalidMessages, Topics).
async fn insert_like_the_writer<T>(
    db: &mongodb::Database,
    stored: Vec<Stored<T>>,
    batch: usize,
    names: &CollectionNames,
    spec: &RunSpec,
) -> anyhow::Result<(f64, usize, usize)>
where
    T: Serialize + Send + Sync,
{
    use common::schema::metadata as meta;
    let valid_collection = names.messages(&spec.simulation_id);
    let invalid_collection = names.invalid_messages(&spec.simulation_id);
    let metadata = db.collection::<bson::Document>(&names.metadata);
    let filter = common::schema::metadata_filter(&names.identifier, &spec.simulation_id);
    let start = run_start(spec);
    let (mut valid, mut invalid) = (Vec::new(), Vec::new());
    let (mut messages, mut invalid_messages, mut epochs) = (0i64, 0i64, 0i64);
    let mut processes: Vec<String> = Vec::new();
    let mut topics: Vec<(String, i64)> = Vec::new();
    let (mut inserts, mut upserts) = (0, 0);
    let started = Instant::now();
    for s in stored {
        if s.valid {
            messages += 1;
            valid.push(s.doc);
        } else {
            invalid_messages += 1;
            invalid.push(s.doc);
        }
        if let Some(process) = s.process {
            if !processes.contains(&process) {
                processes.push(process);
            }
        }
        match topics.iter_mut().find(|(t, _)| *t == s.topic) {
            Some((_, n)) => *n += 1,
            None => topics.push((s.topic, 1)),
        }
        if !s.role_flush && valid.len() + invalid.len() < batch {
            continue;
        }
        for (collection, docs) in [
            (&valid_collection, &mut valid),
            (&invalid_collection, &mut invalid),
        ] {
            if !docs.is_empty() {
                insert(db, collection, std::mem::take(docs)).await?;
                inserts += 1;
            }
        }
        if s.role_flush {
            epochs += 1;
            let topics: Vec<bson::Document> = topics
                .iter()
                .map(|(topic, count)| doc! {"Topic": topic, "Messages": *count})
                .collect();
            let update = doc! {
                "$min": {meta::START_TIME: start},
                "$max": {meta::EPOCHS: epochs},
                "$set": {
                    meta::NAME: "simgen run",
                    meta::DESCRIPTION: "synthetic run",
                    meta::PROCESSES: processes.clone(),
                    meta::MESSAGES: messages,
                    meta::INVALID_MESSAGES: invalid_messages,
                    meta::TOPICS: topics,
                },
            };
            metadata
                .update_one(filter.clone(), update)
                .upsert(true)
                .await
                .context("metadata upsert")?;
            upserts += 1;
        }
    }
    for (collection, docs) in [(&valid_collection, valid), (&invalid_collection, invalid)] {
        if !docs.is_empty() {
            insert(db, collection, docs).await?;
            inserts += 1;
        }
    }
    Ok((started.elapsed().as_secs_f64(), inserts, upserts))
}

async fn insert<T>(db: &mongodb::Database, collection: &str, docs: Vec<T>) -> anyhow::Result<()>
where
    T: Serialize + Send + Sync,
{
    db.collection::<T>(collection)
        .insert_many(docs)
        .ordered(false)
        .await
        .with_context(|| format!("insert_many into {collection}"))?;
    Ok(())
}

async fn create_indexes(
    db: &mongodb::Database,
    collection: &str,
    specs: &[IndexSpec],
) -> anyhow::Result<()> {
    let models = specs.iter().map(|spec| spec.model(true));
    db.collection::<bson::Document>(collection)
        .create_indexes(models)
        .await
        .with_context(|| format!("indexes of {collection}"))?;
    Ok(())
}

async fn prefill(exchange: &str, queue: &str, spec: &RunSpec) -> anyhow::Result<String> {
    let messages = generate(spec);
    let connection = connect().await?;
    let channel = connection.create_channel().await?;
    declare_exchange(&channel, exchange).await?;
    let before = declare_bound_queue(&channel, exchange, queue, QueueType::Quorum).await?;
    anyhow::ensure!(before == 0, "queue {queue} already holds {before} messages");
    let seconds = publish_all(&channel, exchange, &messages).await?;
    let held = declare_bound_queue(&channel, exchange, queue, QueueType::Quorum).await?;
    let _ = connection.close(200, "OK".into()).await;
    anyhow::ensure!(
        held as usize == messages.len(),
        "queue {queue} holds {held} messages, {} were published",
        messages.len()
    );
    Ok(format!(
        "prefill exchange={exchange} queue={queue} simulation_id={} messages={} \
         publish_seconds={seconds:.3} publish_rate={:.0}",
        spec.simulation_id,
        messages.len(),
        rate(messages.len(), seconds),
    ))
}

async fn cleanup(
    exchanges: &[String],
    queues: &[String],
    databases: &[String],
) -> anyhow::Result<String> {
    let mut line = String::from("cleanup");
    if !exchanges.is_empty() || !queues.is_empty() {
        let connection = connect().await?;
        // A failed delete closes its channel: one channel per delete.
        for queue in queues {
            let channel = connection.create_channel().await?;
            let options = QueueDeleteOptions::default();
            match channel.queue_delete(queue.as_str().into(), options).await {
                Ok(dropped) => line += &format!(" queue={queue}:dropped_{dropped}"),
                Err(_) => line += &format!(" queue={queue}:absent"),
            }
        }
        for exchange in exchanges {
            let channel = connection.create_channel().await?;
            let options = ExchangeDeleteOptions::default();
            let deleted = channel
                .exchange_delete(exchange.as_str().into(), options)
                .await;
            line += &format!(
                " exchange={exchange}:{}",
                if deleted.is_ok() { "deleted" } else { "absent" }
            );
        }
        let _ = connection.close(200, "OK".into()).await;
    }
    if !databases.is_empty() {
        let client = mongodb::Client::with_uri_str(mongo_uri()).await?;
        for name in databases {
            client.database(name).drop().await?;
            line += &format!(" database={name}:dropped");
        }
    }
    Ok(line)
}
