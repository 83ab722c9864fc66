//! `GET /metrics`: request counts by route template, method and status, and the latency
//! histogram, in the Prometheus text format.

use std::collections::BTreeMap;

use crate::harness::{spawn_app, TestApp, SIM};

const COUNTER: &str = "logreader_http_requests_total";
const HISTOGRAM: &str = "logreader_http_request_duration_seconds";

/// The sample lines of one metric name (`name{` or `name ` prefixed), sorted: the series of
/// a family come in no fixed order.
fn samples(text: &str, name: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .map(str::to_owned)
        .collect();
    lines.sort_unstable();
    lines
}

/// The `route` label and the value of a sample line.
fn route_and_value(line: &str) -> (String, u64) {
    let route = line
        .split("route=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("route label");
    let value = line
        .rsplit(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("value");
    (route.to_owned(), value)
}

/// Sums sample values per route.
fn per_route(lines: &[String]) -> BTreeMap<String, u64> {
    let mut totals = BTreeMap::new();
    for line in lines {
        let (route, value) = route_and_value(line);
        *totals.entry(route).or_default() += value;
    }
    totals
}

/// One request of each interesting kind; returns nothing, the metrics tell.
async fn make_requests(app: &TestApp) {
    assert_eq!(app.get("/health").await.status, 200);
    let bad = app
        .get(&format!("/simulations/{SIM}/messages?epoch=x"))
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(app.get("/nope.txt").await.status, 404);
    let streamed = app.get(&format!("/simulations/{SIM}/messages")).await;
    assert_eq!(streamed.status, 200);
    assert!(streamed.chunked, "the list is streamed");
    let head = app
        .request("HEAD", &format!("/simulations/{SIM}/messages"), &[])
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(
        app.request("OPTIONS", "/simulations", &[]).await.status,
        200
    );
    assert_eq!(app.get("/simulations/no-such-run").await.status, 404);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_method_and_status() {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    make_requests(&app).await;

    let reply = app.get("/metrics").await;

    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("Content-Type"),
        Some("text/plain; version=0.0.4")
    );
    let text = reply.text();
    let m = "/simulations/{simId}/messages";
    assert_eq!(
        samples(&text, COUNTER),
        [
            format!("{COUNTER}{{route=\"/health\",method=\"GET\",status=\"200\"}} 1"),
            format!("{COUNTER}{{route=\"/simulations\",method=\"OPTIONS\",status=\"200\"}} 1"),
            format!(
                "{COUNTER}{{route=\"/simulations/{{simId}}\",method=\"GET\",status=\"404\"}} 1"
            ),
            format!("{COUNTER}{{route=\"{m}\",method=\"GET\",status=\"200\"}} 1"),
            format!("{COUNTER}{{route=\"{m}\",method=\"GET\",status=\"400\"}} 1"),
            format!("{COUNTER}{{route=\"{m}\",method=\"HEAD\",status=\"200\"}} 1"),
            format!("{COUNTER}{{route=\"other\",method=\"GET\",status=\"404\"}} 1"),
        ],
        "{text}"
    );
    assert!(text.contains(&format!("{HISTOGRAM}_count{{route=\"{m}\"}} 3\n")));
    assert!(text.contains(&format!(
        "{HISTOGRAM}_bucket{{route=\"{m}\",le=\"+Inf\"}} 3\n"
    )));
    assert!(text.contains(&format!("# TYPE {HISTOGRAM} histogram\n")));
    assert!(text.contains(&format!("# TYPE {COUNTER} counter\n")));
    assert_eq!(
        per_route(&samples(&text, &format!("{HISTOGRAM}_count"))),
        per_route(&samples(&text, COUNTER)),
        "every counted request is timed once"
    );
    assert!(!text.contains(SIM) && !text.contains("nope") && !text.contains("no-such-run"));
    app.cleanup().await;
}

#[tokio::test]
async fn a_scrape_is_counted_after_it_is_answered() {
    let app = spawn_app().await;
    let first = app.get("/metrics").await.text();
    assert!(!first.contains("route=\"/metrics\""), "{first}");

    let second = app.get("/metrics").await.text();

    assert_eq!(
        samples(&second, COUNTER),
        [format!(
            "{COUNTER}{{route=\"/metrics\",method=\"GET\",status=\"200\"}} 1"
        )]
    );
    app.cleanup().await;
}

#[tokio::test]
async fn metrics_is_a_literal_route_with_the_usual_method_rules() {
    let app = spawn_app().await;
    let head = app.request("HEAD", "/metrics", &[]).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("Content-Type"),
        Some("text/plain; version=0.0.4")
    );
    let post = app
        .request("POST", "/metrics", &[("Content-Length", "0")])
        .await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("Allow"), Some("GET, HEAD, OPTIONS"));
    for target in ["/metrics/", "/metrics.txt"] {
        let reply = app.get(target).await;
        assert_eq!(reply.status, 404, "{target}");
        assert!(reply.body.is_empty(), "{target}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn openapi_lists_the_metrics_endpoint() {
    let app = spawn_app().await;
    let document = app.get("/openapi.json").await.json();
    let content = &document["paths"]["/metrics"]["get"]["responses"]["200"]["content"];
    assert!(
        content.get("text/plain; version=0.0.4").is_some(),
        "{document}"
    );
    app.cleanup().await;
}
