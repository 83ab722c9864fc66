//! Runs every case of `tests/fixtures/conformance/cases.json` through the real
//! logreader HTTP API (started in-process on port 0) against the real MongoDB-wire server,
//! with the fixtures loaded into a unique database. Each check kind follows the fixture
//! README exactly. The test fails, listing every failing case id, if any case fails.

mod checks;
mod fixtures;
mod timeseries_service;

use serde_json::Value;

/// One executed case: what came back over HTTP.
#[derive(Debug)]
pub struct Reply {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_conformance_case_passes_over_http() {
    let dir = integration_tests::conformance_dir();
    let manifest: Value = fixtures::read_json(&dir.join("cases.json"));
    let db = integration_tests::fresh_database("conformance").await;
    fixtures::load(&db, &dir, &manifest).await;
    let (base, stop) = integration_tests::start_logreader(db.name()).await;

    let client = reqwest::Client::new();
    let cases = manifest["cases"].as_array().expect("cases array");
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        let url = format!("{base}{}", request_target(&case["request"]));
        let reply = fetch(&client, &url).await;
        if let Err(reason) = checks::check(&dir, &case["expect"], &reply) {
            failures.push(format!("{id} (GET {url}): {reason}"));
        }
    }
    let _ = stop.send(());
    db.drop().await.expect("drop the conformance database");
    assert!(
        failures.is_empty(),
        "{} of {} conformance cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

async fn fetch(client: &reqwest::Client, url: &str) -> Reply {
    let response = client.get(url).send().await.expect("HTTP request");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let body = response.bytes().await.expect("response body").to_vec();
    Reply {
        status,
        content_type,
        body,
    }
}

/// The path (segments percent-encoded) and the query, every value encoded like
/// `encodeURIComponent`, so `#` becomes `%23`.
fn request_target(request: &Value) -> String {
    let path = request["path"].as_str().expect("request.path");
    let encoded_path: Vec<String> = path.split('/').map(encode).collect();
    let mut target = encoded_path.join("/");
    let query: Vec<String> = request["query"]
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(name, value)| {
                    format!("{}={}", encode(name), encode(value.as_str().unwrap_or("")))
                })
                .collect()
        })
        .unwrap_or_default();
    if !query.is_empty() {
        target.push('?');
        target.push_str(&query.join("&"));
    }
    target
}

/// Percent-encodes everything except the characters `encodeURIComponent` keeps.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
