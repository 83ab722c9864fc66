//! `spawn_app()`: the real logreader on 127.0.0.1:0 against a unique database
//! (`it_reader_<random>`) on the real MongoDB-wire server, seeded through the real driver.
//! Requests go over raw HTTP/1.1 so tests see exactly the bytes and headers sent.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use bson::{Bson, Document};
use mongodb::{Client, Database};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// The fixture simulation of the conformance data (`tests/fixtures/conformance`).
pub const SIM: &str = "2020-06-03T04:01:52.345Z";

/// Every query parameter an endpoint reads, and three that none does.
pub const PARAMETER_NAMES: [&str; 20] = [
    "fromDate",
    "toDate",
    "fromSimDate",
    "toSimDate",
    "epoch",
    "startEpoch",
    "endEpoch",
    "process",
    "topic",
    "onlyWarnings",
    "limit",
    "skip",
    "format",
    "layout",
    "where",
    "attrs",
    "pretty",
    "sortAttr",
    "simId",
    "csv",
];

/// A running logreader and its database.
#[derive(Debug)]
pub struct TestApp {
    /// Bound address.
    pub address: SocketAddr,
    /// The test's own database.
    pub db: Database,
    stop: Option<oneshot::Sender<()>>,
}

/// One HTTP response as received.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the body came with `Transfer-Encoding: chunked`.
    pub chunked: bool,
}

impl Reply {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// The test server's connection string (`MONGODB_URI`, else host/port, else localhost).
pub fn mongo_uri() -> String {
    match std::env::var("MONGODB_URI") {
        Ok(uri) if !uri.is_empty() => uri,
        _ => {
            let host = std::env::var("MONGODB_HOST").unwrap_or_else(|_| "127.0.0.1".into());
            let port = std::env::var("MONGODB_PORT").unwrap_or_else(|_| "27017".into());
            format!("mongodb://{host}:{port}/")
        }
    }
}

/// logreader against a fresh, empty database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// logreader with extra command-line settings.
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    let db = fresh_database().await;
    let uri = mongo_uri();
    spawn_on(db, &uri, extra).await
}

/// logreader against `uri` (which may point nowhere) with extra settings.
pub async fn spawn_on(db: Database, uri: &str, extra: &[&str]) -> TestApp {
    let mut args = vec![
        "logreader",
        "--mongodb-uri",
        uri,
        "--mongodb-database",
        db.name(),
        "--logreader-host",
        "127.0.0.1",
        "--logreader-port",
        "0",
    ];
    args.extend_from_slice(extra);
    let settings = <logreader::Settings as clap::Parser>::try_parse_from(args).expect("settings");
    let application = logreader::Application::build(&settings)
        .await
        .expect("build");
    let address = application.address();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(application.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        db,
        stop: Some(stop),
    }
}

/// A client on a unique database; panics naming `scripts/services` when unreachable.
pub async fn fresh_database() -> Database {
    let uri = mongo_uri();
    let mut options = mongodb::options::ClientOptions::parse(&uri)
        .await
        .expect("URI");
    options.server_selection_timeout = Some(Duration::from_secs(5));
    let client = Client::with_options(options).expect("client");
    let db = client.database(&format!("it_reader_{:016x}", fastrand::u64(..)));
    if let Err(error) = db.run_command(bson::doc! {"ping": 1}).await {
        panic!(
            "MongoDB-wire server at {uri} is not reachable ({error}); run `scripts/services up`"
        );
    }
    db
}

impl TestApp {
    /// `GET` with no extra headers.
    pub async fn get(&self, target: &str) -> Reply {
        self.request("GET", target, &[]).await
    }

    /// Any method and headers, over a fresh connection.
    pub async fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
        let mut stream = TcpStream::connect(self.address).await.expect("connect");
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("receive");
        parse_reply(&raw, method == "HEAD")
    }

    /// Sends `bytes` as they are over a fresh connection and reads the reply to the end.
    pub async fn raw(&self, bytes: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(self.address).await.expect("connect");
        stream.write_all(bytes).await.expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("receive");
        parse_reply(&raw, false)
    }

    /// Loads the conformance fixtures (metadata, messages, invalid messages).
    pub async fn seed_fixtures(&self) {
        let data = fixture_dir();
        self.insert_file("simulations", &data.join("simulations.json"))
            .await;
        self.insert_file(&format!("simulation_{SIM}"), &data.join("messages1.json"))
            .await;
        self.insert_file(
            &format!("invalid_simulation_{SIM}"),
            &data.join("invalid_messages.json"),
        )
        .await;
    }

    /// Inserts documents into a collection, in order.
    pub async fn insert(&self, collection: &str, documents: Vec<Document>) {
        self.db
            .collection::<Document>(collection)
            .insert_many(documents)
            .await
            .expect("insert");
    }

    async fn insert_file(&self, collection: &str, path: &std::path::Path) {
        let text = std::fs::read_to_string(path).expect("fixture file");
        let value: serde_json::Value = serde_json::from_str(&text).expect("fixture JSON");
        let documents = value
            .as_array()
            .expect("array")
            .iter()
            .map(|item| match Bson::try_from(item.clone()) {
                Ok(Bson::Document(doc)) => doc,
                other => panic!("not a document: {other:?}"),
            })
            .collect();
        self.insert(collection, documents).await;
    }

    /// Sends the stop signal (as SIGTERM would) without dropping the database.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Stops the server and drops the database.
    pub async fn cleanup(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.db.drop().await.expect("drop test database");
    }
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/conformance/data")
}

/// Splits a raw HTTP/1.1 response; decodes a chunked body.
fn parse_reply(raw: &[u8], head_request: bool) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let rest = &raw[split + 4..];
    let body = if chunked && !head_request {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Reply {
        status,
        headers,
        body,
        chunked,
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..end]).into_owned();
        let size = usize::from_str_radix(size_text.trim(), 16).expect("chunk size");
        rest = &rest[end + 2..];
        if size == 0 {
            break;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
    body
}
