//! Bad input of every parameter answers the spec's exact 400/404 body (docs/spec/logreader.md §3.4),
//! validation comes before the existence check, and no input ever produces a 500.

use crate::harness::{spawn_app, TestApp, PARAMETER_NAMES, SIM};

const DATETIME: &str = "Invalid datetime value";
const INTEGER: &str = "Invalid integer value";
const WARNINGS: &str = "Invalid value for onlyWarnings.";
const LIMIT: &str = "Invalid value for limit.";
const SKIP: &str = "Invalid value for skip.";
const FORMAT: &str = "Invalid time series result format.";
const NOT_FOUND: &str = "Simulation not found.";

fn body(title: &str, description: &str) -> String {
    format!(r#"{{"title": "{title}", "description": "{description}"}}"#)
}

/// (request target, status, exact body).
fn table() -> Vec<(String, u16, String)> {
    let invalid = format!("/simulations/{SIM}/messages/invalid");
    let series = format!("/simulations/{SIM}/timeseries");
    let mut rows = vec![
        (
            "/simulations?fromDate=x".to_owned(),
            400,
            body(DATETIME, "Invalid datetime value for fromDate: x"),
        ),
        (
            "/simulations?toDate=2020-06-0310:01:52.345Z".to_owned(),
            400,
            body(
                DATETIME,
                "Invalid datetime value for toDate: 2020-06-0310:01:52.345Z",
            ),
        ),
        (
            "/simulations?fromDate=a&toDate=b".to_owned(),
            400,
            body(DATETIME, "Invalid datetime value for fromDate: a"),
        ),
        (
            "/simulations/foo".to_owned(),
            404,
            body(NOT_FOUND, "Simulation with id foo not found."),
        ),
        (
            "/simulations/".to_owned(),
            404,
            body(NOT_FOUND, "Simulation with id  not found."),
        ),
        (
            "/simulations/%C3%A4%F0%9F%98%80".to_owned(),
            404,
            body(
                NOT_FOUND,
                r"Simulation with id \u00e4\ud83d\ude00 not found.",
            ),
        ),
        (
            "/simulations/foo/messages".to_owned(),
            404,
            body(NOT_FOUND, "Simulation with id foo not found."),
        ),
        (
            "/simulations/foo/messages/invalid".to_owned(),
            404,
            body(NOT_FOUND, "Simulation with id foo not found."),
        ),
        (
            "/simulations/foo/timeseries?attrs=batteryState".to_owned(),
            404,
            body(NOT_FOUND, "Simulation with id foo not found."),
        ),
        (
            format!("{invalid}?limit=0&skip=x"),
            400,
            body(LIMIT, "Value should be a positive integer but it was 0."),
        ),
        (
            format!("{invalid}?skip=-1"),
            400,
            body(
                SKIP,
                "Value should be a non-negative integer but it was -1.",
            ),
        ),
        (
            format!("{series}?format=xml&attrs=a"),
            400,
            body(FORMAT, "Format should be json or csv instead of xml."),
        ),
        (
            format!("{series}?format=CSV"),
            400,
            body(FORMAT, "Format should be json or csv instead of CSV."),
        ),
        (
            series.clone(),
            400,
            body(
                "Missing parameter",
                r#"The \"attrs\" parameter is required."#,
            ),
        ),
        (
            format!("{series}?attrs=&format="),
            400,
            body(
                "Missing parameter",
                r#"The \"attrs\" parameter is required."#,
            ),
        ),
        (
            format!("{series}?onlyWarnings=no&format=xml"),
            400,
            body(WARNINGS, "Value should be true or false but it was no."),
        ),
    ];
    // The message parameters, on both endpoints that take them, for an existing and an
    // unknown simulation (validation comes first).
    let bad = [
        (
            "fromSimDate=x",
            body(DATETIME, "Invalid datetime value for fromSimDate: x"),
        ),
        (
            "toSimDate=2020-13-01",
            body(DATETIME, "Invalid datetime value for toSimDate: 2020-13-01"),
        ),
        (
            "epoch=foo",
            body(INTEGER, "Invalid integer value for epoch: foo."),
        ),
        (
            "epoch=%20",
            body(INTEGER, "Invalid integer value for epoch:  ."),
        ),
        (
            "epoch=%D9%A3",
            body(INTEGER, r"Invalid integer value for epoch: \u0663."),
        ),
        (
            "startEpoch=1.0",
            body(INTEGER, "Invalid integer value for startEpoch: 1.0."),
        ),
        (
            "endEpoch=99999999999999999999",
            body(
                INTEGER,
                "Invalid integer value for endEpoch: 99999999999999999999.",
            ),
        ),
        (
            "onlyWarnings=True",
            body(WARNINGS, "Value should be true or false but it was True."),
        ),
        (
            "onlyWarnings=%22%5C%0A",
            body(
                WARNINGS,
                r#"Value should be true or false but it was \"\\\n."#,
            ),
        ),
        (
            "fromSimDate=x&epoch=y",
            body(DATETIME, "Invalid datetime value for fromSimDate: x"),
        ),
        (
            "epoch=y&onlyWarnings=z",
            body(INTEGER, "Invalid integer value for epoch: y."),
        ),
    ];
    for sim in [SIM, "foo"] {
        for (query, expected) in &bad {
            for (endpoint, extra) in [("messages", ""), ("timeseries", "&attrs=a")] {
                rows.push((
                    format!("/simulations/{sim}/{endpoint}?{query}{extra}"),
                    400,
                    expected.clone(),
                ));
            }
        }
        rows.push((
            format!("/simulations/{sim}/messages?limit=0"),
            400,
            body(LIMIT, "Value should be a positive integer but it was 0."),
        ));
        rows.push((
            format!("/simulations/{sim}/messages?limit=-5&skip=1"),
            400,
            body(LIMIT, "Value should be a positive integer but it was -5."),
        ));
        rows.push((
            format!("/simulations/{sim}/messages?skip=1_"),
            400,
            body(
                SKIP,
                "Value should be a non-negative integer but it was 1_.",
            ),
        ));
    }
    rows
}

async fn seeded() -> TestApp {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    app
}

#[tokio::test]
async fn bad_input_of_every_parameter_gives_the_exact_error_body() {
    let app = seeded().await;
    for (target, status, expected) in table() {
        for accept in ["*/*", "application/xml"] {
            let reply = app.request("GET", &target, &[("Accept", accept)]).await;
            assert_eq!(reply.status, status, "{target}: {}", reply.text());
            assert_eq!(reply.text(), expected, "{target}");
            assert_eq!(
                reply.header("Content-Type"),
                Some("application/json"),
                "{target}"
            );
            assert_eq!(reply.header("Vary"), Some("Accept"), "{target}");
        }
    }
    app.cleanup().await;
}

#[tokio::test]
async fn no_input_shape_produces_a_server_error() {
    let app = seeded().await;
    let values = [
        "",
        "%",
        "%FF",
        "%zz",
        "a(b",
        "a%5B",
        "%5C",
        "a.b%2Bc",
        "%23",
        "*",
        "+",
        "-1",
        "0",
        "1_0",
        "2020-W23-3",
        "%00",
        "true",
        "json",
        "csv",
        "\u{a0}",
    ];
    let endpoints = [
        "/simulations".to_owned(),
        format!("/simulations/{SIM}"),
        format!("/simulations/{SIM}/messages"),
        format!("/simulations/{SIM}/messages/invalid"),
        format!("/simulations/{SIM}/timeseries?attrs=batteryState"),
    ];
    for endpoint in &endpoints {
        let separator = if endpoint.contains('?') { '&' } else { '?' };
        for param in PARAMETER_NAMES {
            for value in values {
                let target = format!("{endpoint}{separator}{param}={value}");
                let reply = app.get(&target).await;
                assert!(
                    [200, 400, 404].contains(&reply.status),
                    "{target}: {}",
                    reply.status
                );
                if reply.status != 200 {
                    let json = reply.json();
                    assert!(
                        json["title"].is_string() && json["description"].is_string(),
                        "{target}"
                    );
                }
            }
        }
    }
    app.cleanup().await;
}
