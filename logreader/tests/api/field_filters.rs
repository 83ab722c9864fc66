//! `where=` on `/messages`, `/messages/invalid` and `/timeseries` (docs/spec/logreader.md
//! §5.4) over the conformance fixtures in the real database: what each operator selects,
//! dates compared as dates, combination with the other parameters, and a 400 naming the
//! position for every class of malformed expression.

use crate::harness::{spawn_app, Reply, TestApp, SIM};

async fn seeded() -> TestApp {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    app
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn messages(app: &TestApp, expression: &str, more: &str) -> Vec<String> {
    let path = format!(
        "/simulations/{SIM}/messages?where={}{more}",
        encode(expression)
    );
    let reply = app.get(&path).await;
    assert_eq!(reply.status, 200, "{expression}: {}", reply.text());
    ids(&reply)
}

fn ids(reply: &Reply) -> Vec<String> {
    reply
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|m| m["MessageId"].as_str().unwrap_or("-").to_owned())
        .collect()
}

#[tokio::test]
async fn each_operator_selects_by_stored_values() {
    let app = seeded().await;
    let solar = ["solarPlant1-1", "solarPlant1-2"];
    assert_eq!(messages(&app, "RealPower.Value >= 5", "").await, solar);
    assert_eq!(
        messages(&app, "RealPower.Value > 5", "").await,
        ["solarPlant1-2"]
    );
    assert_eq!(
        messages(&app, "RealPower.Value < 8.0", "").await,
        ["solarPlant1-1"]
    );
    assert_eq!(messages(&app, "RealPower.Value <= 8", "").await, solar);
    assert_eq!(
        messages(&app, "RealPower.Value = 8", "").await,
        ["solarPlant1-2"]
    );
    assert_eq!(
        messages(&app, "RealPower.UnitOfMeasure = \"kW\"", "").await,
        solar
    );
    assert_eq!(messages(&app, "RealPower exists", "").await, solar);
    assert_eq!(
        messages(&app, "SourceProcessId in [\"battery3\", \"nobody\"]", "").await,
        ["battery3-1", "battery3-2"]
    );
    let others = messages(&app, "SourceProcessId != \"weatherDivinity\"", "").await;
    assert_eq!(others.len(), 14, "18 messages, 4 of weatherDivinity");
    assert!(others.iter().all(|id| !id.starts_with("weatherDivinity")));
    app.cleanup().await;
}

#[tokio::test]
async fn datetime_strings_compare_with_stored_dates() {
    let app = seeded().await;
    let epochs = messages(&app, "StartTime >= \"2020-06-03T15:00:00Z\"", "").await;
    assert_eq!(epochs, ["SimulationManager-4", "SimulationManager-5"]);
    let naive = messages(&app, "StartTime < \"2020-06-03T14:00:00\"", "").await;
    assert_eq!(naive, ["SimulationManager-2"], "a naive datetime is UTC");
    let exact = messages(&app, "Timestamp = \"2020-06-03T04:01:56Z\"", "").await;
    assert_eq!(exact, ["solarPlant1-1", "battery1-1", "weatherDivinity-2"]);
    app.cleanup().await;
}

#[tokio::test]
async fn conditions_combine_with_and_and_with_the_other_parameters() {
    let app = seeded().await;
    let both = messages(&app, "RealPower exists and RealPower.Value > 5", "").await;
    assert_eq!(both, ["solarPlant1-2"]);
    let with_epoch = messages(&app, "SourceProcessId = \"battery1\"", "&epoch=2").await;
    assert_eq!(with_epoch, ["battery1-2"]);
    let paged = messages(&app, "Topic = \"energy.storage.state\"", "&skip=1&limit=2").await;
    assert_eq!(paged, ["battery2-1", "battery3-1"]);

    let invalid = app
        .get(&format!(
            "/simulations/{SIM}/messages/invalid?where={}",
            encode("InvalidJsonMessage exists")
        ))
        .await;
    assert_eq!(invalid.status, 200);
    let body = invalid.json();
    let topics: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Topic"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(topics, ["Status.Ready"]);

    let series = app
        .get(&format!(
            "/simulations/{SIM}/timeseries?attrs=RealPower&format=csv&where={}",
            encode("RealPower.Value > 5")
        ))
        .await;
    assert_eq!(series.status, 200);
    assert_eq!(
        series.text(),
        "epoch;timestamp;energy.production.solar:solarPlant1.RealPower\r\n\
         2;2020-06-03T14:00:00Z;8.0\r\n"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn malformed_expressions_are_400s_that_name_the_position() {
    let app = seeded().await;
    let cases = [
        ("a..b = 1", "At character 3: expected a path part"),
        (
            "$where = 1",
            "At character 1: expected a path part that does not start with `$`",
        ),
        ("a == 1", "At character 4: expected a value"),
        ("a = foo", "At character 5: expected a value"),
        (
            "a = \"open",
            "At character 5: expected a string closed by `\"`",
        ),
        ("a = 01", "At character 5: expected a JSON number"),
        (
            "a = 1 or b = 2",
            "At character 7: expected `and` or the end",
        ),
        ("a in [1", "At character 8: expected `,` or `]`"),
        ("a ~ 1", "At character 3: expected an operator"),
        ("a\u{0}b = 1", "At character 2: expected an operator"),
    ];
    for endpoint in ["messages", "messages/invalid", "timeseries?attrs=x&x=y"] {
        for (expression, description) in cases {
            let separator = if endpoint.contains('?') { '&' } else { '?' };
            let path = format!(
                "/simulations/{SIM}/{endpoint}{separator}where={}",
                encode(expression)
            );
            let reply = app.get(&path).await;
            assert_eq!(reply.status, 400, "{path}");
            let body = reply.json();
            assert_eq!(body["title"], "Invalid where expression.", "{path}");
            let text = body["description"].as_str().unwrap_or_default();
            assert!(text.starts_with(description), "{path}: {text}");
        }
    }
    let order = app
        .get(&format!("/simulations/{SIM}/messages?where=%3D&limit=0"))
        .await;
    assert_eq!(
        order.json()["title"],
        "Invalid value for limit.",
        "limit first"
    );
    app.cleanup().await;
}
