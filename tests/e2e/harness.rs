//! The e2e harness: a unique exchange, queue and database per test, the real logwriter run
//! in-process through its library, and the real broker and MongoDB-wire server.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use bson::oid::ObjectId;

use bson::{doc, Document};
use clap::Parser;
use futures_util::TryStreamExt;
use integration_tests::simgen::{Message, RunSpec};
use lapin::options::{ExchangeDeclareOptions, QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection, ExchangeKind};
use logwriter::{CancellationToken, LogWriter, Settings};
use mongodb::error::ErrorKind;
use mongodb::Database;
use tokio::task::JoinHandle;

/// The simulation id of the generated runs.
pub const SIMULATION_ID: &str = "2020-06-03T04:01:52.345Z";

/// A generated run of [`SIMULATION_ID`].
pub fn run_spec(epochs: u32, processes: u32, invalid: u32) -> RunSpec {
    RunSpec {
        simulation_id: SIMULATION_ID.to_owned(),
        epochs,
        processes,
        invalid,
    }
}

/// One test's broker and database resources.
pub struct Run {
    pub exchange: String,
    pub queue: String,
    pub db: Database,
    pub connection: Connection,
    pub channel: Channel,
}

/// A logwriter running in-process.
pub struct Running {
    pub token: CancellationToken,
    pub handle: JoinHandle<i32>,
}

impl Running {
    /// Sends the "signal" and waits for the exit code.
    pub async fn terminate(self) -> i32 {
        self.token.cancel();
        self.exit_within(Duration::from_secs(30)).await
    }

    /// Waits for the writer to exit on its own.
    pub async fn exit_within(self, limit: Duration) -> i32 {
        match tokio::time::timeout(limit, self.handle).await {
            Ok(Ok(code)) => code,
            Ok(Err(error)) => panic!("logwriter task failed: {error}"),
            Err(_) => panic!("logwriter did not exit within {limit:?}"),
        }
    }
}

/// With TEST_LOG set, the writers' logs on stdout; the guard lives as long as the test binary.
fn init_logging() {
    static LOGGING: std::sync::OnceLock<common::telemetry::LogGuard> = std::sync::OnceLock::new();
    if std::env::var_os("TEST_LOG").is_some() {
        LOGGING.get_or_init(|| {
            let (guard, _no_file_warning) =
                common::telemetry::init(common::telemetry::LogOptions {
                    level: common::telemetry::parse_python_level("DEBUG").expect("DEBUG parses"),
                    format: common::telemetry::LogFormat::Pattern(
                        common::telemetry::DEFAULT_PATTERN.to_owned(),
                    ),
                    file: None,
                });
            guard
        });
    }
}

impl Run {
    /// Declares a fresh exchange (logwriter's default flags) and picks a fresh database.
    pub async fn new(prefix: &str) -> Self {
        init_logging();
        let exchange = integration_tests::unique_name(prefix);
        let db = integration_tests::fresh_database(prefix).await;
        let connection = integration_tests::broker_connection().await;
        let channel = connection.create_channel().await.expect("channel");
        let queue = format!("logwriter.{exchange}");
        let run = Self {
            exchange,
            queue,
            db,
            connection,
            channel,
        };
        run.declare_exchange().await;
        run
    }

    /// Declares the run's topic exchange with logwriter's default flags (as the platform
    /// does; again after a broker restart, since it is not durable).
    pub async fn declare_exchange(&self) {
        self.channel
            .exchange_declare(
                self.exchange.as_str().into(),
                ExchangeKind::Topic,
                ExchangeDeclareOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("exchange declared");
    }

    /// Declares the writer's durable queue as the writer would on one broker (classic,
    /// 24 h expiry, bound with `#`) and publishes `messages` into it, so a writer started
    /// afterwards finds them queued and nothing is published while it works.
    #[allow(dead_code)] // used by the fault tests, which share this harness
    pub async fn prefill(&self, messages: &[Message]) {
        let mut arguments = FieldTable::default();
        arguments.insert("x-expires".into(), AMQPValue::LongLongInt(86_400_000));
        arguments.insert(
            "x-queue-type".into(),
            AMQPValue::LongString("classic".into()),
        );
        self.declare_queue(arguments).await;
        integration_tests::bind_every_topic(&self.channel, &self.queue, &self.exchange)
            .await
            .expect("queue bound");
        self.publish(messages).await;
    }

    /// Declares the run's durable queue with `arguments`, before any writer does.
    #[allow(dead_code)] // used by the fault tests, which share this harness
    pub async fn declare_queue(&self, arguments: FieldTable) {
        let options = QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        };
        self.channel
            .queue_declare(self.queue.as_str().into(), options, arguments)
            .await
            .expect("queue declared");
    }

    /// The writer's settings for this run plus `extra` flags.
    pub fn settings(&self, extra: &[&str]) -> Settings {
        let (host, port) = integration_tests::rabbit_host_port();
        let port = port.to_string();
        let uri = integration_tests::mongo_uri();
        let mut args = vec![
            "logwriter",
            "--rabbitmq-host",
            &host,
            "--rabbitmq-port",
            &port,
            "--rabbitmq-exchange",
            &self.exchange,
            "--mongodb-uri",
            &uri,
            "--mongodb-database",
            self.db.name(),
            "--statistics-display-interval",
            "0",
        ];
        args.extend_from_slice(extra);
        Settings::try_parse_from(args).expect("test settings parse")
    }

    /// Starts logwriter in-process and waits until its queue has a consumer.
    pub async fn start(&self, extra: &[&str]) -> Running {
        let config = self
            .settings(extra)
            .validate()
            .expect("valid test settings");
        let app = LogWriter::build(config).await.expect("logwriter builds");
        let token = CancellationToken::new();
        let handle = tokio::spawn(app.run_until_stopped(token.clone()));
        // A writer may drain a pre-filled queue and delete it before a poll sees its
        // consumer; having finished counts as having consumed.
        let started = Instant::now();
        while !handle.is_finished() {
            if self
                .queue_state()
                .await
                .is_some_and(|(_, consumers)| consumers >= 1)
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "queue {} never got a consumer",
                self.queue
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Running { token, handle }
    }

    /// Waits until the durable queue has `n` consumers.
    pub async fn wait_consumers(&self, n: u32) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if self
                .queue_state()
                .await
                .is_some_and(|(_, consumers)| consumers >= n)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("queue {} never got {n} consumers", self.queue);
    }

    /// `(messages ready, consumers)` of the durable queue, or `None` if it does not exist.
    pub async fn queue_state(&self) -> Option<(u32, u32)> {
        // A passive declare of a missing queue closes the channel: use a throwaway one.
        let channel = self.connection.create_channel().await.ok()?;
        let options = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let queue = channel
            .queue_declare(self.queue.as_str().into(), options, FieldTable::default())
            .await
            .ok()?;
        let _ = channel.close(200, "OK".into()).await;
        Some((queue.message_count(), queue.consumer_count()))
    }

    /// Publishes with confirms, as fast as possible.
    pub async fn publish(&self, messages: &[Message]) {
        integration_tests::simgen::publish(&self.channel, &self.exchange, messages, None, |_| {})
            .await
            .expect("published");
    }

    /// Number of documents in a collection.
    pub async fn count(&self, collection: &str) -> u64 {
        self.db
            .collection::<Document>(collection)
            .count_documents(doc! {})
            .await
            .expect("count")
    }

    /// Waits until a collection holds at least `n` documents; returns the final count.
    pub async fn wait_count(&self, collection: &str, n: u64, limit: Duration) -> u64 {
        let started = Instant::now();
        loop {
            let count = self.count(collection).await;
            if count >= n || started.elapsed() > limit {
                return count;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every document of a collection, in `_id` order.
    pub async fn documents(&self, collection: &str) -> Vec<Document> {
        let cursor = self
            .db
            .collection::<Document>(collection)
            .find(doc! {})
            .sort(doc! {"_id": 1})
            .await
            .expect("find");
        cursor.try_collect().await.expect("documents")
    }

    /// Index names of a collection, sorted; none while the collection does not exist yet
    /// (NamespaceNotFound, code 26: the writer creates it with its indexes).
    pub async fn index_names(&self, collection: &str) -> Vec<String> {
        let listed = self
            .db
            .collection::<Document>(collection)
            .list_index_names()
            .await;
        let mut names = match listed {
            Ok(names) => names,
            Err(error) if matches!(&*error.kind, ErrorKind::Command(e) if e.code == 26) => {
                Vec::new()
            }
            Err(error) => panic!("listIndexes on {collection}: {error}"),
        };
        names.sort();
        names
    }

    /// Drops the database and deletes the queue and the exchange.
    pub async fn cleanup(self) {
        self.db.drop().await.expect("database dropped");
        let _ = self
            .channel
            .queue_delete(self.queue.as_str().into(), QueueDeleteOptions::default())
            .await;
        let channel = self.connection.create_channel().await.expect("channel");
        let _ = channel
            .exchange_delete(self.exchange.as_str().into(), Default::default())
            .await;
        let _ = self.connection.close(200, "OK".into()).await;
    }
}

/// Runs `rabbitmqctl` against the test node and returns its stdout.
pub fn rabbitmqctl(args: &[&str]) -> String {
    let output = std::process::Command::new("/usr/lib/rabbitmq/bin/rabbitmqctl")
        .args(["-n", "rabbit@localhost", "-q"])
        .args(args)
        .output()
        .expect("rabbitmqctl runs");
    assert!(
        output.status.success(),
        "rabbitmqctl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The row of `rabbitmqctl <listing> --no-table-headers <key> <columns…>` whose first
/// column is `value`: the other columns' values.
#[allow(dead_code)] // used by the fault tests, which share this harness
pub fn rabbitmqctl_row(
    listing: &str,
    key: &str,
    value: &str,
    columns: &[&str],
) -> Option<Vec<String>> {
    let mut args = vec![listing, "--no-table-headers", key];
    args.extend_from_slice(columns);
    let output = rabbitmqctl(&args);
    output.lines().find_map(|line| {
        let mut cells = line.split('\t');
        (cells.next() == Some(value)).then(|| cells.map(str::to_owned).collect())
    })
}

/// Asserts that `db` holds every message of `messages` exactly once, in the valid and
/// invalid collections of simulation `SIMULATION_ID`.
#[allow(dead_code)] // used by the fault tests, which share this harness
pub async fn assert_stored_once(db: &Database, messages: &[Message]) {
    let mut stored = Vec::new();
    for collection in [
        format!("simulation_{SIMULATION_ID}"),
        format!("invalid_simulation_{SIMULATION_ID}"),
    ] {
        let cursor = db
            .collection::<Document>(&collection)
            .find(doc! {})
            .await
            .expect("find");
        let docs: Vec<Document> = cursor.try_collect().await.expect("documents");
        stored.extend(
            docs.iter()
                .map(|d| d.get_object_id("_id").expect("ObjectId _id")),
        );
    }
    let unique: BTreeSet<ObjectId> = stored.iter().copied().collect();
    assert_eq!(stored.len(), unique.len(), "no message stored twice");
    let expected: BTreeSet<ObjectId> = messages.iter().map(id_of).collect();
    let missing = expected.difference(&unique).count();
    assert_eq!(missing, 0, "{missing} messages lost");
    assert_eq!(unique.len(), messages.len(), "nothing else stored");
}

impl Run {
    /// Closes the writer's broker connection (found by its `connection_name` property), as
    /// `rabbitmqctl close_all_connections` would, without disturbing other tests.
    pub fn close_writer_connection(&self) {
        let name = format!("logwriter {}", self.exchange);
        let listing = rabbitmqctl(&[
            "list_connections",
            "--no-table-headers",
            "pid",
            "client_properties",
        ]);
        let pid = listing
            .lines()
            .find(|line| line.contains(&name))
            .and_then(|line| line.split_whitespace().next())
            .unwrap_or_else(|| panic!("no connection named '{name}' in:\n{listing}"));
        rabbitmqctl(&["close_connection", pid, "e2e test"]);
    }
}

impl Run {
    /// Whether the test server is FerretDB (its `buildInfo` has `ferretdbVersion`).
    pub async fn is_ferretdb(&self) -> bool {
        let info = self
            .db
            .run_command(doc! {"buildInfo": 1})
            .await
            .expect("buildInfo");
        info.contains_key("ferretdbVersion")
    }

    /// The documents of a collection in natural (insertion) order.
    pub async fn documents_in_natural_order(&self, collection: &str) -> Vec<Document> {
        let cursor = self
            .db
            .collection::<Document>(collection)
            .find(doc! {})
            .await
            .expect("find");
        cursor.try_collect().await.expect("documents")
    }
}

/// A message from a JSON body.
pub fn message(routing_key: &str, body: &str) -> Message {
    Message {
        routing_key: routing_key.to_owned(),
        body: body.as_bytes().to_vec(),
    }
}

/// The deterministic `_id` of a message.
pub fn id_of(message: &Message) -> bson::oid::ObjectId {
    common::document::message_id(message.routing_key.as_bytes(), &message.body)
}
