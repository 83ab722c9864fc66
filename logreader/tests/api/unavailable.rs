//! A database that cannot be reached answers 503, never 500 (docs/spec/logreader.md §2, §3.4).

use crate::harness::{fresh_database, spawn_on};

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
