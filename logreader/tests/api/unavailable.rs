//! A database that cannot be reached answers 503, never 500 (docs/spec/logreader.md §2, §3.4).

use crate::harness::{fresh_database, spawn_app_with, spawn_on};

const UNAVAILABLE: &str =
    r#"{"title": "Service unavailable.", "description": "The database is not available."}"#;

#[tokio::test]
async fn unreachable_database_gives_503_while_health_stays_200() {
    // Port 1 has no server; a short selection timeout keeps the test fast.
    let db = fresh_database().await;
    let uri = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300";
    let app = spawn_on(db, uri, &[]).await;
    let health = app.get("/health").await;
    assert_eq!(
        (health.status, health.text()),
        (200, r#"{"status":"ok"}"#.to_owned())
    );
    let ready = app.get("/ready").await;
    assert_eq!(
        (ready.status, ready.text()),
        (503, r#"{"status":"unavailable"}"#.to_owned())
    );
    for target in [
        "/simulations",
        "/simulations/x",
        "/simulations/x/messages",
        "/simulations/x/messages/invalid",
        "/simulations/x/timeseries?attrs=a",
    ] {
        let reply = app.get(target).await;
        assert_eq!(reply.status, 503, "{target}");
        assert_eq!(reply.text(), UNAVAILABLE, "{target}");
        assert_eq!(reply.header("Content-Type"), Some("application/json"));
    }
    // Validation still answers first.
    assert_eq!(app.get("/simulations/x/messages?epoch=x").await.status, 400);
    app.cleanup().await;
}

const TIMED_OUT: &str = r#"{"title": "Request timed out.", "description": "The request took longer than the server allows. Narrow it or try again."}"#;

/// A database that accepts connections and never answers: only the request time limit can
/// end the request, long before the driver's own 30 s limits.
#[tokio::test]
async fn request_time_limit_answers_503_when_the_database_never_answers() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut connections = Vec::new();
        while let Ok((connection, _)) = silent.accept().await {
            connections.push(connection);
        }
    });
    let db = fresh_database().await;
    let uri = format!(
        "mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=30000&connectTimeoutMS=30000"
    );
    let app = spawn_on(db, &uri, &["--logreader-request-timeout", "0.2"]).await;
    for target in ["/simulations", "/simulations/x/messages"] {
        let reply = app.get(target).await;
        assert_eq!(reply.status, 503, "{target}");
        assert_eq!(reply.text(), TIMED_OUT, "{target}");
        assert_eq!(reply.header("Content-Type"), Some("application/json"));
    }
    assert_eq!(app.get("/health").await.status, 200);
    held.abort();
    app.cleanup().await;
}

/// Every query carries `maxTimeMS`: with one millisecond, sorting thousands of documents
/// runs over it on the server, which answers MaxTimeMSExpired, and the client gets a 503.
#[tokio::test]
async fn query_time_limit_answers_503() {
    let app = spawn_app_with(&["--logreader-query-timeout", "0.001"]).await;
    let documents = (0..20_000_i64)
        .map(|i| bson::doc! {"MessageId": i, "Timestamp": bson::DateTime::from_millis(-i), "Topic": "t"})
        .collect();
    app.insert("simulation_q", documents).await;
    let reply = app.get("/simulations/q/messages?topic=t&limit=1").await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.text(), TIMED_OUT);
    app.cleanup().await;
}
