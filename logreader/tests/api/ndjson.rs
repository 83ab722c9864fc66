//! `format=ndjson` on the lists (docs/spec/logreader.md §9.5): the same documents and value
//! rendering as the JSON arrays, one compact document per line.

use crate::harness::{spawn_app, TestApp, SIM};

async fn seeded() -> TestApp {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    app
}

/// The NDJSON body of `path` with `format=ndjson` added, checked against the JSON array of
/// `path`: every line is one element, byte for byte. Returns the number of lines.
async fn same_as_array(app: &TestApp, path: &str) -> usize {
    let array = app.get(path).await;
    assert_eq!(array.status, 200, "{path}");
    let separator = if path.contains('?') { '&' } else { '?' };
    let lines = app.get(&format!("{path}{separator}format=ndjson")).await;
    assert_eq!(lines.status, 200, "{path}");
    assert_eq!(lines.header("Content-Type"), Some("application/x-ndjson"));
    let text = lines.text();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "every line ends in \\n"
    );
    let documents: Vec<&str> = text.lines().collect();
    for line in &documents {
        let parsed: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert!(parsed.is_object(), "{line}");
    }
    assert_eq!(
        format!("[{}]", documents.join(",")),
        array.text(),
        "{path}: the lines are the array's elements"
    );
    documents.len()
}

#[tokio::test]
async fn every_list_streams_the_same_documents_as_lines() {
    let app = seeded().await;
    assert_eq!(same_as_array(&app, "/simulations").await, 3);
    let messages = format!("/simulations/{SIM}/messages");
    assert_eq!(same_as_array(&app, &messages).await, 18);
    let energy = format!("{messages}?topic=energy.%23&skip=1&limit=3");
    assert_eq!(same_as_array(&app, &energy).await, 3);
    let invalid = format!("/simulations/{SIM}/messages/invalid");
    assert!(same_as_array(&app, &invalid).await > 0);
    app.cleanup().await;
}

#[tokio::test]
async fn an_empty_list_is_an_empty_body_and_pretty_changes_nothing() {
    let app = seeded().await;
    let nothing = app
        .get(&format!(
            "/simulations/{SIM}/messages?startEpoch=5&endEpoch=2&format=ndjson"
        ))
        .await;
    assert_eq!(nothing.status, 200);
    assert_eq!(nothing.header("Content-Type"), Some("application/x-ndjson"));
    assert_eq!(nothing.text(), "");
    let compact = app.get("/simulations?format=ndjson").await.text();
    let pretty = app
        .get("/simulations?format=ndjson&pretty=true")
        .await
        .text();
    assert_eq!(compact, pretty, "NDJSON lines are always compact");
    app.cleanup().await;
}

#[tokio::test]
async fn another_format_is_a_400_after_the_other_parameters() {
    let app = seeded().await;
    for path in [
        "/simulations?format=csv".to_owned(),
        format!("/simulations/{SIM}/messages?format=NDJSON"),
        format!("/simulations/{SIM}/messages/invalid?format=xml"),
    ] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 400, "{path}");
        assert_eq!(reply.json()["title"], "Invalid result format.", "{path}");
    }
    let limit_first = app
        .get(&format!("/simulations/{SIM}/messages?format=xml&limit=0"))
        .await;
    assert_eq!(limit_first.json()["title"], "Invalid value for limit.");
    app.cleanup().await;
}
