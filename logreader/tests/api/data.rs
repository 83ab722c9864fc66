//! Data endpoints over the conformance fixtures: paging, filters, layouts and headers.

use std::time::{Duration, Instant};

use bson::doc;
use serde_json::Value;

use crate::harness::{spawn_app, TestApp, SIM};

fn ids(reply: &crate::harness::Reply) -> Vec<String> {
    reply
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|m| m["MessageId"].as_str().unwrap_or("-").to_owned())
        .collect()
}

async fn seeded() -> TestApp {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    app
}

#[tokio::test]
async fn limit_and_skip_page_the_sorted_messages() {
    let app = seeded().await;
    let all = ids(&app.get(&format!("/simulations/{SIM}/messages")).await);
    assert_eq!(all.len(), 18);
    let page = ids(&app
        .get(&format!("/simulations/{SIM}/messages?limit=2&skip=1"))
        .await);
    assert_eq!(page, all[1..3]);
    let tail = ids(&app
        .get(&format!("/simulations/{SIM}/messages?skip=17"))
        .await);
    assert_eq!(tail, all[17..]);
    let none = app
        .get(&format!("/simulations/{SIM}/messages?skip=100"))
        .await;
    assert_eq!(none.text(), "[]");
    let invalid = app
        .get(&format!(
            "/simulations/{SIM}/messages/invalid?limit=1&skip=1"
        ))
        .await;
    assert_eq!(invalid.json()[0]["Topic"], "Status.Ready");
    // Unknown parameters do not change the order.
    let unknown = ids(&app
        .get(&format!(
            "/simulations/{SIM}/messages?sortAttr=MessageId&simId=x&foo=1"
        ))
        .await);
    assert_eq!(unknown, all);
    app.cleanup().await;
}

#[tokio::test]
async fn only_warnings_skips_empty_and_null_warnings() {
    let app = spawn_app().await;
    let time = bson::DateTime::from_millis(1_591_156_912_345);
    let messages = vec![
        doc! {"MessageId": "empty", "Timestamp": time, "Warnings": []},
        doc! {"MessageId": "null", "Timestamp": time, "Warnings": null},
        doc! {"MessageId": "missing", "Timestamp": time},
        doc! {"MessageId": "one", "Timestamp": time, "Warnings": ["warning.input.range"]},
    ];
    app.insert("simulation_w", messages).await;
    let reply = app.get("/simulations/w/messages?onlyWarnings=true").await;
    assert_eq!(ids(&reply), ["one"]);
    let reply = app.get("/simulations/w/messages?onlyWarnings=false").await;
    assert_eq!(ids(&reply), ["empty", "null", "missing", "one"]);
    app.cleanup().await;
}

#[tokio::test]
async fn special_topics_never_fail_and_long_ones_are_fast() {
    let app = seeded().await;
    let controls = ["%00", "a%01b.%23", "%7F", "%1F.*"];
    for topic in ["a(b", "a%5B", "%5C", "a.b%2Bc", "a%24", "%23.%23", "*.%23"]
        .into_iter()
        .chain(controls)
    {
        let reply = app
            .get(&format!("/simulations/{SIM}/messages?topic={topic}"))
            .await;
        assert_eq!(reply.status, 200, "{topic}");
    }
    let long = "ab.".repeat(3_400);
    let start = Instant::now();
    let reply = app
        .get(&format!("/simulations/{SIM}/messages?topic={long}"))
        .await;
    assert_eq!(reply.text(), "[]");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    let energy = ids(&app
        .get(&format!(
            "/simulations/{SIM}/messages?topic=energy.%23&limit=100"
        ))
        .await);
    assert!(!energy.is_empty());
    app.cleanup().await;
}

#[tokio::test]
async fn repeated_and_blank_parameters_follow_the_rules() {
    let app = seeded().await;
    let base = format!("/simulations/{SIM}/messages");
    let last = ids(&app.get(&format!("{base}?epoch=1&epoch=2")).await);
    assert_eq!(last, ids(&app.get(&format!("{base}?epoch=2")).await));
    let merged = ids(&app
        .get(&format!(
            "{base}?process=solarPlant1&process=weatherDivinity"
        ))
        .await);
    assert_eq!(
        merged,
        ids(&app
            .get(&format!("{base}?process=solarPlant1,weatherDivinity"))
            .await)
    );
    assert!(!merged.is_empty());
    assert_eq!(
        app.get(&format!("{base}?process=%20solarPlant1"))
            .await
            .text(),
        "[]"
    );
    assert_eq!(
        ids(&app.get(&format!("{base}?epoch=&topic=")).await).len(),
        18
    );
    assert_eq!(
        app.get(&format!("{base}?epoch=3&endEpoch=2")).await.text(),
        "[]"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn pretty_invalid_messages_use_the_original_layout() {
    let app = seeded().await;
    let reply = app
        .get(&format!(
            "/simulations/{SIM}/messages/invalid?pretty=true&limit=1&skip=1"
        ))
        .await;
    let expected = "[\n    {\n        \"InvalidJsonMessage\": \"Ready\",\n        \
                    \"Timestamp\": \"2020-06-03T04:01:54Z\",\n        \"Topic\": \"Status.Ready\"\n    }\n]";
    assert_eq!(reply.text(), expected);
    let compact = app
        .get(&format!("/simulations/{SIM}/messages/invalid?limit=1"))
        .await;
    assert!(compact
        .text()
        .starts_with(r#"[{"InvalidMessage":{"EndTime":"2020-06-03T14:00:00Z""#));
    assert!(compact.chunked, "list responses are streamed");
    app.cleanup().await;
}

#[tokio::test]
async fn time_series_carry_type_and_skipped_values_and_are_chunked() {
    let app = seeded().await;
    let base = format!("/simulations/{SIM}/timeseries");
    let csv = app
        .get(&format!(
            "{base}?attrs=batteryState&process=battery1&format=csv"
        ))
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("Content-Type"), Some("text/csv"));
    assert_eq!(csv.header("X-Skipped-Values"), Some("0"));
    // Rendered as it is sent: chunked, with no Content-Length (docs/api.md).
    assert_eq!(csv.header("Content-Length"), None);
    assert!(csv.chunked);
    let json = app
        .get(&format!(
            "{base}?attrs=batteryState&epoch=3&process=battery1"
        ))
        .await;
    assert_eq!(json.text(), r#"{"TimeIndex":[]}"#);
    assert_eq!(json.header("Content-Type"), Some("application/json"));
    let pretty = app
        .get(&format!(
            "{base}?attrs=x&epoch=3&process=battery1&pretty=true"
        ))
        .await;
    assert_eq!(pretty.text(), "{\n    \"TimeIndex\": []\n}");
    app.cleanup().await;
}

#[tokio::test]
async fn simple_values_without_an_epoch_start_are_counted_as_skipped() {
    let app = spawn_app().await;
    let time = bson::DateTime::from_millis(1_591_156_912_345);
    app.insert(
        "simulation_s",
        vec![doc! {"EpochNumber": 0, "Topic": "t", "SourceProcessId": "p", "Timestamp": time, "x": 1.5}],
    )
    .await;
    let reply = app.get("/simulations/s/timeseries?attrs=x").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("X-Skipped-Values"), Some("1"));
    // The node is created before the value is classified (§10.3 step 2.3).
    assert_eq!(reply.json()["t"], serde_json::json!({"p": {"x": {}}}));
    app.cleanup().await;
}

#[tokio::test]
async fn a_simulation_with_only_invalid_messages_exists_with_no_messages() {
    let app = spawn_app().await;
    let time = bson::DateTime::from_millis(0);
    app.insert(
        "invalid_simulation_i",
        vec![doc! {"Timestamp": time, "Topic": "x", "InvalidJsonMessage": "{"}],
    )
    .await;
    assert_eq!(app.get("/simulations/i/messages").await.text(), "[]");
    assert_eq!(
        app.get("/simulations/i/messages/invalid").await.json()[0]["Topic"],
        "x"
    );
    let series = app
        .get("/simulations/i/timeseries?attrs=a&format=csv")
        .await;
    assert_eq!(series.text(), "epoch;timestamp\r\n");
    let listed = app.get("/simulations").await.json();
    assert_eq!(listed, Value::Array(Vec::new()));
    app.cleanup().await;
}

/// Patterns with several `#` reach the database as a superset (docs/spec/logreader.md §6):
/// the reader confirms each topic, and pages after confirming.
#[tokio::test]
async fn patterns_with_several_hashes_match_exactly_and_page_after_matching() {
    let app = spawn_app().await;
    let topics = [
        Some("a.x.b"),
        Some("b.a"),
        Some("a.b.x"),
        Some(""),
        None,
        Some("x.a.y.b.z"),
        Some("a"),
        Some("a.b.a.b"),
    ];
    let documents = |invalid: bool| {
        let mut documents = Vec::new();
        for (i, topic) in topics.iter().enumerate() {
            let millis = 1_591_156_912_000 + i64::try_from(i).unwrap();
            let mut document = doc! {
                "MessageId": i.to_string(), "Timestamp": bson::DateTime::from_millis(millis),
                "EpochNumber": 1, "SourceProcessId": "p", "x": 1.5,
            };
            if let Some(topic) = topic {
                document.insert("Topic", *topic);
            }
            if invalid {
                document.insert("InvalidJsonMessage", "{");
            }
            documents.push(document);
        }
        documents
    };
    app.insert("simulation_h", documents(false)).await;
    app.insert("invalid_simulation_h", documents(true)).await;
    let pattern = "%23.a.%23.b.%23";
    let all = ids(&app
        .get(&format!("/simulations/h/messages?topic={pattern}"))
        .await);
    assert_eq!(all, ["0", "2", "5", "7"]);
    let page = format!("/simulations/h/messages?topic={pattern}&skip=1&limit=2");
    assert_eq!(ids(&app.get(&page).await), ["2", "5"]);
    let invalid = format!("/simulations/h/messages/invalid?topic={pattern}&skip=3");
    let invalid: Vec<Value> = app.get(&invalid).await.json().as_array().unwrap().clone();
    assert_eq!(invalid.len(), 1);
    assert_eq!(invalid[0]["Topic"], "a.b.a.b");
    let series = app
        .get(&format!(
            "/simulations/h/timeseries?attrs=x&topic={pattern}"
        ))
        .await;
    assert_eq!(series.status, 200);
    let series = series.json();
    let mut series_topics: Vec<&str> = series
        .as_object()
        .expect("topics")
        .keys()
        .map(String::as_str)
        .collect();
    series_topics.sort_unstable();
    assert_eq!(
        series_topics,
        ["TimeIndex", "a.b.a.b", "a.b.x", "a.x.b", "x.a.y.b.z"]
    );
    app.cleanup().await;
}

/// `fromDate` and `toDate` with digits below the millisecond compare with the exact
/// instant: stored dates have millisecond precision, so both bounds round up.
#[tokio::test]
async fn sub_millisecond_date_bounds_compare_exactly() {
    let app = spawn_app().await;
    let start = bson::DateTime::from_millis(1_591_156_912_345);
    app.insert(
        "simulations",
        vec![doc! {"SimulationId": "d", "StartTime": start}],
    )
    .await;
    let listed = |query: &'static str| {
        let app = &app;
        async move {
            let reply = app.get(&format!("/simulations?{query}")).await;
            reply.json().as_array().expect("array").len()
        }
    };
    assert_eq!(listed("fromDate=2020-06-03T04:01:52.3449Z").await, 1);
    assert_eq!(listed("fromDate=2020-06-03T04:01:52.3451Z").await, 0);
    assert_eq!(listed("toDate=2020-06-03T04:01:52.3451Z").await, 1);
    assert_eq!(listed("toDate=2020-06-03T04:01:52.345Z").await, 0);
    app.cleanup().await;
}

/// A time series body of several 64 KiB chunks, rendered while it is sent, is exactly what
/// the builder produces for the same messages (docs/spec/logreader.md §3.3, §10).
#[tokio::test]
async fn a_large_time_series_streams_in_chunks_equal_to_the_built_series() {
    use logreader::export::timeseries;
    use logreader::query::{epochs, EpochDocument};

    let app = spawn_app().await;
    let hour = 3_600_000_i64;
    let mut documents = Vec::new();
    for epoch in 1..=120_i64 {
        documents.push(doc! {
            "Topic": "Epoch", "EpochNumber": epoch, "SourceProcessId": "manager",
            "Timestamp": bson::DateTime::from_millis(epoch * hour),
            "StartTime": bson::DateTime::from_millis(epoch * hour),
            "EndTime": bson::DateTime::from_millis((epoch + 1) * hour),
        });
        for process in 0..50_i64 {
            documents.push(doc! {
                "Topic": format!("energy.p{}", process % 5), "EpochNumber": epoch,
                "SourceProcessId": format!("p{process}"),
                "Timestamp": bson::DateTime::from_millis(epoch * hour + process + 1),
                "Power": {"Value": (epoch * process) as f64 / 7.0, "UnitOfMeasure": "kW"},
                "Note": format!("epoch {epoch}; process \"{process}\""),
            });
        }
    }
    app.insert("simulation_big", documents.clone()).await;
    let epoch_documents: Vec<EpochDocument> = documents
        .iter()
        .filter(|d| d.get_str("Topic") == Ok("Epoch"))
        .filter_map(EpochDocument::from_document)
        .collect();
    let starts = epochs::start_times(&epoch_documents);
    let attrs = timeseries::parse_attrs("Power,Note");
    let expected = timeseries::build(documents, &attrs, &starts);
    let csv = app
        .get("/simulations/big/timeseries?attrs=Power,Note&format=csv")
        .await;
    assert!(
        csv.chunked && csv.body.len() > 3 * 64 * 1024,
        "{}",
        csv.body.len()
    );
    assert_eq!(csv.text(), expected.to_csv());
    let json = app
        .get("/simulations/big/timeseries?attrs=Power,Note&pretty=true")
        .await;
    assert_eq!(json.text(), expected.to_json(true));
    app.cleanup().await;
}

#[tokio::test]
async fn the_long_csv_layout_has_a_line_per_value() {
    let app = seeded().await;
    let attrs = "attrs=batteryState.chargePercentage,batteryState.capacity&epoch=2";
    let path = format!("/simulations/{SIM}/timeseries?{attrs}&format=csv");
    let wide = app.get(&path).await;
    let long = app.get(&format!("{path}&layout=long")).await;
    assert_eq!(long.status, 200);
    assert_eq!(long.header("Content-Type"), Some("text/csv"));
    assert_eq!(
        long.header("X-Skipped-Values"),
        wide.header("X-Skipped-Values")
    );
    let text = long.text();
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("epoch;timestamp;topic;process;attribute;value")
    );
    assert_eq!(
        lines.next(),
        Some(
            "2;2020-06-03T14:00:00Z;energy.storage.state;battery1;batteryState.chargePercentage;87"
        )
    );
    let values: usize = wide
        .text()
        .split("\r\n")
        .skip(1)
        .map(|line| {
            line.split(';')
                .skip(2)
                .filter(|cell| !cell.is_empty())
                .count()
        })
        .sum();
    assert_eq!(
        text.matches("\r\n").count(),
        values + 1,
        "one line per wide value"
    );
    for bad in ["&layout=long&format=json", "&format=csv&layout=tall"] {
        let path = format!("/simulations/{SIM}/timeseries?{attrs}{bad}");
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(reply.json()["title"], "Invalid time series layout.");
    }
    app.cleanup().await;
}
