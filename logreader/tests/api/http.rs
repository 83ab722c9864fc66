//! Compression (§13.3), CORS (§13.5), the UI files (§12), the OpenAPI document (§13.4) and
//! `X-Content-Type-Options: nosniff` on every response.

use std::io::Read;

use flate2::read::GzDecoder;

use crate::harness::{spawn_app, spawn_app_with, SIM};

#[tokio::test]
async fn gzip_is_used_when_accepted_and_only_for_larger_bodies() {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    let series = format!("/simulations/{SIM}/timeseries?attrs=batteryState&format=csv");
    for target in [format!("/simulations/{SIM}/messages"), series] {
        let plain = app.get(&target).await;
        assert_eq!(plain.header("Content-Encoding"), None);
        let gzip = app
            .request("GET", &target, &[("Accept-Encoding", "gzip")])
            .await;
        assert_eq!(gzip.header("Content-Encoding"), Some("gzip"), "{target}");
        assert!(gzip
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("vary") && v.contains("accept-encoding")));
        let mut decoded = Vec::new();
        GzDecoder::new(gzip.body.as_slice())
            .read_to_end(&mut decoded)
            .expect("gzip body");
        assert_eq!(decoded, plain.body, "{target}");
    }
    let target = format!("/simulations/{SIM}/messages");
    let plain = app.get(&target).await;
    let other = app
        .request("GET", &target, &[("Accept-Encoding", "br")])
        .await;
    assert_eq!(other.header("Content-Encoding"), None);
    assert_eq!(other.body, plain.body);
    let small = app
        .request("GET", "/health", &[("Accept-Encoding", "gzip")])
        .await;
    assert_eq!(
        small.header("Content-Encoding"),
        None,
        "bodies under 32 bytes stay plain"
    );
    let empty = app
        .request("GET", "/nope", &[("Accept-Encoding", "gzip")])
        .await;
    assert_eq!(empty.header("Content-Encoding"), None);
    app.cleanup().await;
}

#[tokio::test]
async fn cors_is_off_by_default() {
    let app = spawn_app().await;
    let reply = app
        .request("GET", "/health", &[("Origin", "http://a.example")])
        .await;
    assert!(!reply
        .headers
        .iter()
        .any(|(k, _)| k.to_ascii_lowercase().starts_with("access-control-")));
    let preflight = app
        .request(
            "OPTIONS",
            "/simulations",
            &[
                ("Origin", "http://a.example"),
                ("Access-Control-Request-Method", "GET"),
            ],
        )
        .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.header("Allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(preflight.header("Access-Control-Allow-Origin"), None);
    app.cleanup().await;
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = spawn_app_with(&[
        "--logreader-cors-origins",
        "http://a.example,http://b.example",
    ])
    .await;
    let allowed = app
        .request("GET", "/health", &[("Origin", "http://a.example")])
        .await;
    assert_eq!(
        allowed.header("Access-Control-Allow-Origin"),
        Some("http://a.example")
    );
    let exposed = allowed
        .header("Access-Control-Expose-Headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-skipped-values") && exposed.contains("content-disposition"));
    assert!(allowed
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("vary") && v.contains("origin")));
    assert_eq!(allowed.header("Access-Control-Allow-Credentials"), None);
    let other = app
        .request("GET", "/health", &[("Origin", "http://c.example")])
        .await;
    assert_eq!(other.header("Access-Control-Allow-Origin"), None);
    let preflight = app
        .request(
            "OPTIONS",
            "/simulations",
            &[
                ("Origin", "http://b.example"),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "x-custom"),
            ],
        )
        .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(
        preflight.header("Access-Control-Allow-Origin"),
        Some("http://b.example")
    );
    assert_eq!(
        preflight.header("Access-Control-Allow-Methods"),
        Some("GET,HEAD,OPTIONS")
    );
    assert_eq!(
        preflight.header("Access-Control-Allow-Headers"),
        Some("x-custom")
    );
    assert_eq!(preflight.header("Access-Control-Max-Age"), Some("3600"));
    app.cleanup().await;
    let any = spawn_app_with(&["--logreader-cors-origins", "*"]).await;
    let reply = any
        .request("GET", "/health", &[("Origin", "http://z.example")])
        .await;
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("*"));
    any.cleanup().await;
}

#[tokio::test]
async fn ui_files_have_exact_content_types() {
    let app = spawn_app().await;
    for (target, content_type, marker) in [
        ("/", "text/html", "<title>"),
        ("/index.html", "text/html", "main.js"),
        ("/api.html", "text/html", "<title>LogReader API</title>"),
        ("/main.js", "application/javascript", "encodeURIComponent"),
        ("/style.css", "text/css", "{"),
        ("/board.html", "text/html", "board.js"),
        ("/board.js", "application/javascript", "/board"),
        ("/openapi.json", "application/json", "openapi"),
    ] {
        let reply = app.get(target).await;
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("Content-Type"), Some(content_type), "{target}");
        assert!(reply.text().contains(marker), "{target} lacks {marker}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn every_response_says_nosniff() {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    let targets = [
        ("GET", "/".to_owned()),
        ("GET", "/main.js".to_owned()),
        ("GET", "/simulations".to_owned()),
        ("GET", format!("/simulations/{SIM}/messages")),
        ("GET", "/simulations?x=1".to_owned()),
        ("GET", "/simulations/nope/messages".to_owned()),
        ("GET", "/no/such/path".to_owned()),
        ("DELETE", "/simulations".to_owned()),
        ("HEAD", "/simulations".to_owned()),
        ("OPTIONS", "/simulations".to_owned()),
        ("GET", "/metrics".to_owned()),
    ];
    for (method, target) in targets {
        let reply = app.request(method, &target, &[]).await;
        let sniff = reply.header("X-Content-Type-Options");
        assert_eq!(
            sniff,
            Some("nosniff"),
            "{method} {target}: {}",
            reply.status
        );
    }
    app.cleanup().await;
}

#[tokio::test]
async fn openapi_describes_every_endpoint_and_parameter() {
    let app = spawn_app().await;
    let document = app.get("/openapi.json").await.json();
    assert!(document["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.1")));
    let paths = document["paths"].as_object().expect("paths");
    for path in [
        "/simulations",
        "/simulations/{simId}",
        "/simulations/{simId}/messages",
        "/simulations/{simId}/messages/invalid",
        "/simulations/{simId}/timeseries",
        "/health",
        "/ready",
        "/openapi.json",
        "/",
        "/api.html",
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get("get")).is_some(),
            "{path} missing"
        );
    }
    let text = document.to_string();
    for name in [
        "fromDate",
        "toDate",
        "epoch",
        "startEpoch",
        "endEpoch",
        "fromSimDate",
        "toSimDate",
        "process",
        "topic",
        "onlyWarnings",
        "limit",
        "skip",
        "attrs",
        "format",
        "pretty",
        "X-Skipped-Values",
        "text/csv",
    ] {
        assert!(text.contains(&format!("\"{name}\"")), "{name} missing");
    }
    assert!(document["components"]["schemas"]["Error"]["required"].is_array());
    app.cleanup().await;
}
