//! Deliveries that RabbitMQ accepts but a strict client parser refuses (docs/spec/logwriter.md
//! §2.3): short strings that are not UTF-8 (the routing key, `content_type`, `message_id`,
//! `type`, `app_id`, a header key) and header tables nested thousands deep. Each is stored,
//! everything after it too, and the run ends normally.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bson::Document;
use integration_tests::raw_amqp::{self, nested_table, table_with_key, RawMessage, RawProperties};

use crate::harness::{Run, SIMULATION_ID};
use crate::process;

const BAD: &[u8] = b"bad.\xff\xfe";

fn body(n: u32) -> Vec<u8> {
    format!(
        r#"{{"Type":"General","SimulationId":"{SIMULATION_ID}","MessageId":"g-{n}","Timestamp":"2020-06-03T04:02:00Z"}}"#
    )
    .into_bytes()
}

fn simstate(state: &str) -> RawMessage {
    let body = format!(
        r#"{{"Type":"SimState","SimulationId":"{SIMULATION_ID}","SourceProcessId":"sm","MessageId":"sm-{state}","Timestamp":"2020-06-03T04:01:00Z","SimulationState":"{state}"}}"#
    );
    RawMessage {
        routing_key: b"SimState".to_vec(),
        properties: RawProperties::default(),
        body: body.into_bytes(),
    }
}

fn plain(n: u32, properties: RawProperties) -> RawMessage {
    RawMessage {
        routing_key: b"general".to_vec(),
        properties,
        body: body(n),
    }
}

/// Publishes running, `poison`, one ordinary message and stopped; the writer must store all
/// four and exit 0. Returns the writer's log and the poison's `DeliveryIssues`.
async fn run_with(prefix: &str, poison: RawMessage) -> (String, Vec<Document>) {
    let run = Run::new(prefix).await;
    let writer = process::start(&run, &[("MESSAGE_BUFFER_MAX_INTERVAL", "0.2")]).await;
    let (host, port) = integration_tests::rabbit_host_port();
    let messages = [
        simstate("running"),
        poison,
        plain(2, RawProperties::default()),
        simstate("stopped"),
    ];
    raw_amqp::publish(&host, port, &run.exchange, &messages)
        .await
        .expect("published");
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let valid = run.documents(&format!("simulation_{SIMULATION_ID}")).await;
    assert_eq!(valid.len(), 4, "every delivery stored:\n{text}");
    let issues: Vec<Document> = valid
        .iter()
        .filter_map(|d| d.get_array("DeliveryIssues").ok())
        .flatten()
        .filter_map(|issue| issue.as_document().cloned())
        .collect();
    run.cleanup().await;
    (text, issues)
}

/// The one issue stored: (Property, Reason, the bytes).
fn only_issue(issues: &[Document]) -> (String, String, Vec<u8>) {
    let [issue] = issues else {
        panic!("one issue: {issues:?}")
    };
    let text = |key| issue.get_str(key).expect(key).to_owned();
    let bytes = STANDARD.decode(text("Bytes")).expect("base64");
    (text("Property"), text("Reason"), bytes)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_routing_key_that_is_not_utf8_is_stored_with_its_bytes() {
    let poison = RawMessage {
        routing_key: BAD.to_vec(),
        properties: RawProperties::default(),
        body: body(1),
    };
    let (text, issues) = run_with("faults_poison_key", poison).await;
    assert!(text.contains("routing key is not UTF-8"), "{text}");
    let expected = (
        "routing_key".to_owned(),
        "not UTF-8".to_owned(),
        BAD.to_vec(),
    );
    assert_eq!(only_issue(&issues), expected);
    // Escaped, 255 such bytes are longer than a short string may be: still no failure.
    let long = RawMessage {
        routing_key: vec![0xff; 255],
        properties: RawProperties::default(),
        body: body(1),
    };
    let (_, issues) = run_with("faults_poison_long", long).await;
    assert_eq!(only_issue(&issues).2, vec![0xff; 255]);
}

#[tokio::test(flavor = "multi_thread")]
async fn properties_that_are_not_utf8_do_not_stop_the_writer() {
    let properties = [
        RawProperties {
            content_type: Some(BAD.to_vec()),
            ..RawProperties::default()
        },
        RawProperties {
            message_id: Some(BAD.to_vec()),
            ..RawProperties::default()
        },
        RawProperties {
            kind: Some(BAD.to_vec()),
            ..RawProperties::default()
        },
        RawProperties {
            app_id: Some(BAD.to_vec()),
            ..RawProperties::default()
        },
        RawProperties {
            headers: Some(table_with_key(BAD)),
            ..RawProperties::default()
        },
    ];
    let names = ["content_type", "message_id", "type", "app_id", "headers"];
    for (n, properties) in properties.into_iter().enumerate() {
        let prefix = format!("faults_poison_prop{n}");
        let (text, issues) = run_with(&prefix, plain(1, properties)).await;
        assert!(text.contains("not UTF-8"), "{text}");
        let (property, _, bytes) = only_issue(&issues);
        assert_eq!((property.as_str(), bytes.as_slice()), (names[n], BAD));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn header_tables_nested_thousands_deep_do_not_crash_the_writer() {
    for depth in [2_000, 5_000] {
        let properties = RawProperties {
            headers: Some(nested_table(depth)),
            ..RawProperties::default()
        };
        let prefix = format!("faults_poison_deep{depth}");
        let (text, issues) = run_with(&prefix, plain(1, properties)).await;
        assert!(text.contains("nested deeper than"), "{text}");
        let (property, reason, _) = only_issue(&issues);
        assert_eq!(
            (property.as_str(), reason.as_str()),
            ("headers", "nested deeper than 64 levels")
        );
    }
}
