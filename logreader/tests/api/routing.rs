//! Routing and method rules (docs/spec/logreader.md §3.1).

use crate::harness::{spawn_app, SIM};

#[tokio::test]
async fn unknown_routes_are_empty_json_404s() {
    let app = spawn_app().await;
    for target in [
        "/simulations/x/y",
        "/foo.txt",
        "/simulations/x/messages/",
        "/simulations/x/timeseries/",
        "/simulations/x/messages/invalid/",
        "/index.htm",
        "/health/",
        "/simulations/x/",
        "/metrics/",
        "/metrics.txt",
        "//simulations",
        "/Simulations",
        "/simulation%73",
    ] {
        for method in ["GET", "POST", "HEAD"] {
            let reply = app.request(method, target, &[]).await;
            assert_eq!(reply.status, 404, "{method} {target}");
            assert!(reply.body.is_empty(), "{method} {target}");
            assert_eq!(
                reply.header("Content-Type"),
                Some("application/json"),
                "{target}"
            );
            assert_eq!(reply.header("Content-Length"), Some("0"), "{target}");
        }
    }
    app.cleanup().await;
}

#[tokio::test]
async fn other_methods_get_405_with_allow_and_options_gets_200() {
    let app = spawn_app().await;
    for target in [
        "/simulations",
        "/simulations/x",
        "/health",
        "/",
        "/openapi.json",
    ] {
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let reply = app
                .request(method, target, &[("Content-Length", "0")])
                .await;
            assert_eq!(reply.status, 405, "{method} {target}");
            assert_eq!(reply.header("Allow"), Some("GET, HEAD, OPTIONS"));
            assert_eq!(reply.header("Content-Type"), Some("application/json"));
            assert_eq!(reply.header("Content-Length"), Some("0"));
            assert!(reply.body.is_empty());
        }
        let reply = app.request("OPTIONS", target, &[]).await;
        assert_eq!(reply.status, 200, "OPTIONS {target}");
        assert_eq!(reply.header("Allow"), Some("GET, HEAD, OPTIONS"));
        assert!(reply.body.is_empty());
    }
    app.cleanup().await;
}

#[tokio::test]
async fn head_returns_the_get_headers_without_a_body() {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    for target in [
        "/simulations",
        "/health",
        "/",
        &format!("/simulations/{SIM}/messages"),
        &format!("/simulations/{SIM}/timeseries?attrs=batteryState&format=csv"),
    ] {
        let get = app.get(target).await;
        let head = app.request("HEAD", target, &[]).await;
        assert_eq!(head.status, 200, "{target}");
        assert!(head.body.is_empty(), "{target}");
        assert_eq!(
            head.header("Content-Type"),
            get.header("Content-Type"),
            "{target}"
        );
        for name in ["Content-Length", "X-Skipped-Values"] {
            assert_eq!(head.header(name), get.header(name), "{target} {name}");
        }
    }
    let head = app.request("HEAD", "/simulations/foo", &[]).await;
    assert_eq!(head.status, 404);
    assert!(head.body.is_empty());
    app.cleanup().await;
}

#[tokio::test]
async fn path_parameters_are_percent_decoded() {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    let reply = app.get("/simulations/2020-06-03T04%3A01%3A52.345Z").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["SimulationId"], SIM);
    let reply = app
        .get("/simulations/2020-06-03T04%3A01%3A52.345Z/messages?limit=1")
        .await;
    assert_eq!(reply.json().as_array().map(Vec::len), Some(1));
    let reply = app.get("/simulations/a+b").await;
    assert!(reply.text().contains("Simulation with id a+b not found."));
    app.cleanup().await;
}

/// The empty `simId` is an id, and a `simId` is percent-decoded lossily with `+` kept
/// (§3.1): these reach the endpoint, whose 404 has the JSON body, unlike an unknown route.
#[tokio::test]
async fn empty_and_undecodable_simulation_ids_reach_their_endpoints() {
    let app = spawn_app().await;
    for (target, id) in [
        ("/simulations/", ""),
        ("/simulations//messages", ""),
        ("/simulations//messages/invalid", ""),
        ("/simulations//timeseries?attrs=a", ""),
        ("/simulations/a+b%FF", "a+b\\ufffd"),
        ("/simulations/a%2Fb/messages", "a/b"),
    ] {
        let reply = app.get(target).await;
        assert_eq!(reply.status, 404, "{target}");
        let expected = format!(
            r#"{{"title": "Simulation not found.", "description": "Simulation with id {id} not found."}}"#
        );
        assert_eq!(reply.text(), expected, "{target}");
    }
    let metrics = app.get("/metrics").await.text();
    let label = r#"route="/simulations/{simId}/messages/invalid",method="GET",status="404""#;
    assert!(metrics.contains(label), "{metrics}");
    app.cleanup().await;
}
