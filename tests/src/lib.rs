//! Shared harness of the integration tests: where the real test servers are, unique names,
//! and clean-up. `scripts/services up` starts the servers; the tests never start a fake.
//!
//! The servers are found through the same variables the programs read: `MONGODB_URI` (or
//! `MONGODB_HOST`/`MONGODB_PORT`) and `RABBITMQ_HOST`/`RABBITMQ_PORT`, defaulting to
//! 127.0.0.1 and the standard ports.

pub mod raw_amqp;
pub mod simgen;

use std::path::PathBuf;
use std::time::Duration;

use mongodb::{Client, Database};

/// MongoDB connection string of the test server.
pub fn mongo_uri() -> String {
    if let Ok(uri) = std::env::var("MONGODB_URI") {
        if !uri.is_empty() {
            return uri;
        }
    }
    let host = env_or("MONGODB_HOST", "127.0.0.1");
    let port = env_or("MONGODB_PORT", "27017");
    format!("mongodb://{host}:{port}/")
}

/// AMQP URI of the test broker (guest/guest on `/`).
pub fn amqp_uri() -> String {
    let host = env_or("RABBITMQ_HOST", "127.0.0.1");
    let port = env_or("RABBITMQ_PORT", "5672");
    format!("amqp://guest:guest@{host}:{port}/%2f")
}

/// Broker host and port, for settings that take them separately.
pub fn rabbit_host_port() -> (String, u16) {
    let port = env_or("RABBITMQ_PORT", "5672").parse().unwrap_or(5672);
    (env_or("RABBITMQ_HOST", "127.0.0.1"), port)
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// A recognisable unique name (`it_<prefix>_<random>`) for a database, exchange or queue;
/// `scripts/test` sweeps leftover `it_*` names of crashed runs.
pub fn unique_name(prefix: &str) -> String {
    format!("it_{prefix}_{:016x}", fastrand::u64(..))
}

/// A fresh database on the test server. Fails with a message naming `scripts/services` when
/// the server cannot be reached, so a missing server never looks like a pass.
pub async fn fresh_database(prefix: &str) -> Database {
    let uri = mongo_uri();
    let mut options = mongodb::options::ClientOptions::parse(&uri)
        .await
        .expect("MONGODB_URI parses");
    options.server_selection_timeout = Some(Duration::from_secs(5));
    let client = Client::with_options(options).expect("mongodb client");
    let database = client.database(&unique_name(prefix));
    if let Err(error) = database.run_command(bson::doc! {"ping": 1}).await {
        panic!(
            "MongoDB-wire server at {uri} is not reachable ({error}); run `scripts/services up`"
        );
    }
    database
}

/// Connects to the test broker, or fails naming `scripts/services`.
pub async fn broker_connection() -> lapin::Connection {
    let uri = amqp_uri();
    match lapin::Connection::connect(&uri, lapin::ConnectionProperties::default()).await {
        Ok(connection) => connection,
        Err(error) => {
            panic!("RabbitMQ at {uri} is not reachable ({error}); run `scripts/services up`")
        }
    }
}

/// The repository root (for scripts and the conformance fixtures).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The conformance fixtures directory shipped in the repository (`tests/fixtures/conformance`).
pub fn conformance_dir() -> PathBuf {
    repo_root().join("tests/fixtures/conformance")
}

/// Starts logreader on 127.0.0.1:0 against `database`; returns its base URL and the token
/// sender that stops it.
pub async fn start_logreader(database: &str) -> (String, tokio::sync::oneshot::Sender<()>) {
    let uri = mongo_uri();
    let settings = <logreader::Settings as clap::Parser>::try_parse_from([
        "logreader",
        "--mongodb-uri",
        &uri,
        "--mongodb-database",
        database,
        "--logreader-host",
        "127.0.0.1",
        "--logreader-port",
        "0",
        "--logreader-access-logging",
        "false",
    ])
    .expect("settings");
    let application = logreader::Application::build(&settings)
        .await
        .expect("build logreader");
    let base = format!("http://{}", application.address());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(application.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    (base, stop)
}

/// Binds `queue` to every topic of `exchange` (`#`), as the writer binds its queue.
pub async fn bind_every_topic(
    channel: &lapin::Channel,
    queue: &str,
    exchange: &str,
) -> lapin::Result<()> {
    channel
        .queue_bind(
            queue.into(),
            exchange.into(),
            "#".into(),
            lapin::options::QueueBindOptions::default(),
            lapin::types::FieldTable::default(),
        )
        .await
}
