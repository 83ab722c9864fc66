//! The binary's log (docs/spec/logwriter.md §1.1, §12, §13; acceptance items 37 and 73–76): statistics
//! blocks, per-delivery DEBUG lines by level, the log file, JSON lines, the WARN limit per
//! reason, and no secret in any line.

use std::time::Duration;

use crate::harness::{message, rabbitmqctl, Run, SIMULATION_ID};
use crate::process;

const BLOCK: &str = "Simulations listened:";

fn generic(n: u32) -> integration_tests::simgen::Message {
    let body = format!(
        r#"{{"Type":"General","SimulationId":"{SIMULATION_ID}","MessageId":"g-{n}","Timestamp":"2020-06-03T04:02:00Z"}}"#
    );
    message("general", &body)
}

fn stopped() -> integration_tests::simgen::Message {
    let body = format!(
        r#"{{"Type":"SimState","SimulationId":"{SIMULATION_ID}","SourceProcessId":"sm","MessageId":"stop","Timestamp":"2020-06-03T04:09:00Z","SimulationState":"stopped"}}"#
    );
    message("SimState", &body)
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_level_periodic_statistics_log_file_and_the_warn_limit() {
    let run = Run::new("faults_log").await;
    let file = std::env::temp_dir().join(format!("{}.file.log", run.exchange));
    let file_name = file.display().to_string();
    let vars = [
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.1"),
        ("SIMULATION_ID", SIMULATION_ID),
        ("SIMULATION_LOG_LEVEL", "10"),
        ("SIMULATION_LOG_FILE", &file_name),
        ("STATISTICS_DISPLAY_INTERVAL", "1"),
    ];
    let writer = process::start(&run, &vars).await;
    let noise: Vec<_> = (0..105)
        .map(|n| message("noise", &format!("Ready {n}")))
        .collect();
    run.publish(&noise).await;
    run.publish(&[generic(1)]).await;
    tokio::time::sleep(Duration::from_millis(2300)).await;
    run.publish(&[stopped()]).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(20)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();

    let blocks = text.matches(BLOCK).count();
    assert!(
        (3..=5).contains(&blocks),
        "2 s of 1 s blocks plus the final one: {blocks}"
    );
    let delivery = format!("general : {SIMULATION_ID} : g-1");
    assert!(
        text.lines()
            .any(|l| l.contains("DEBUG") && l.contains(&delivery)),
        "{text}"
    );
    let invalid = "Invalid message on topic 'noise' stored in";
    let at = |level: &str| {
        text.lines()
            .filter(|l| l.contains(invalid) && l.contains(level))
            .count()
    };
    assert_eq!(
        (at("WARNING"), at("DEBUG")),
        (100, 5),
        "the first 100 loud, then quiet"
    );
    assert!(
        text.contains("invalid documents stored: 105 (not-json: 105)"),
        "still counted"
    );
    let in_file = std::fs::read_to_string(&file).expect("log file written");
    assert!(in_file.contains(&delivery) && in_file.contains(BLOCK));
    assert_eq!(
        in_file.lines().count(),
        text.lines().count(),
        "the same lines as stdout"
    );
    let _ = std::fs::remove_file(file);
    // One process created both collections and had no seed: its own counts are exact.
    assert!(text.contains("are exact: no recount"), "{text}");
    let metadata = run
        .db
        .collection::<bson::Document>("simulations")
        .find_one(bson::doc! {"SimulationId": SIMULATION_ID})
        .await
        .expect("find")
        .expect("metadata");
    let counts = (
        metadata.get_i64("Messages"),
        metadata.get_i64("InvalidMessages"),
    );
    assert_eq!(counts, (Ok(2), Ok(105)), "{metadata}");
    run.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn json_lines_at_the_default_level_and_only_the_final_statistics_block() {
    let run = Run::new("faults_json").await;
    let vars = [
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.1"),
        ("SIMULATION_LOG_FORMAT", "json"),
        ("STATISTICS_DISPLAY_INTERVAL", "0"),
    ];
    let writer = process::start(&run, &vars).await;
    run.publish(&[generic(1)]).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    run.publish(&[stopped()]).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(20)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut messages = Vec::new();
    for line in text.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        for key in ["timestamp", "level", "target"] {
            assert!(value.get(key).is_some(), "{key} in {line}");
        }
        let message = value
            .get("message")
            .or_else(|| value.pointer("/fields/message"));
        messages.push(
            message
                .and_then(|m| m.as_str())
                .expect("message")
                .to_owned(),
        );
    }
    assert_eq!(
        messages.iter().filter(|m| m.contains(BLOCK)).count(),
        1,
        "final block only"
    );
    assert!(
        !messages.iter().any(|m| m.contains(" : g-1")),
        "no per-delivery lines at 20"
    );
    run.cleanup().await;
}

/// A broker user whose password is a marker, removed again on drop.
struct BrokerUser(String);

impl BrokerUser {
    fn new(password: &str) -> Self {
        let name = integration_tests::unique_name("user");
        rabbitmqctl(&["add_user", &name, password]);
        rabbitmqctl(&["set_permissions", "-p", "/", &name, ".*", ".*", ".*"]);
        Self(name)
    }
}

impl Drop for BrokerUser {
    fn drop(&mut self) {
        rabbitmqctl(&["delete_user", &self.0]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_appear_in_any_log_line() {
    let run = Run::new("faults_secrets").await;
    let user = BrokerUser::new("rabbit-MARKER-7f3a");
    let uri = "mongodb://mongouser:uri-MARKER-91c2@127.0.0.1:27017/";
    let with_uri = [
        ("RABBITMQ_LOGIN", user.0.as_str()),
        ("RABBITMQ_PASSWORD", "rabbit-MARKER-7f3a"),
        ("MONGODB_URI", uri),
        ("MONGODB_PASSWORD", "mongo-MARKER-55d0"),
        ("SIMULATION_LOG_LEVEL", "10"),
        ("LOGWRITER_SHUTDOWN_TIMEOUT", "1"),
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0"),
    ];
    let without_uri = [
        ("MONGODB_URI", ""),
        ("MONGODB_HOST", "127.0.0.1"),
        ("MONGODB_USERNAME", "mongouser"),
    ];
    for extra in [&[][..], &without_uri[..]] {
        let vars: Vec<(&str, &str)> = with_uri.iter().chain(extra).copied().collect();
        let writer = process::start(&run, &vars).await;
        run.publish(&[generic(1)]).await;
        // The server refuses these credentials, so error lines carry the driver's text.
        assert!(
            writer
                .wait_log("Writing to MongoDB failed", Duration::from_secs(15))
                .await
        );
        writer.terminate();
        let log = writer.log.clone();
        writer.exit_within(Duration::from_secs(10)).await;
        let text = std::fs::read_to_string(log).unwrap_or_default();
        assert!(text.contains("password=***"), "{text}");
        let leaks: Vec<&str> = text.lines().filter(|l| l.contains("MARKER")).collect();
        assert!(leaks.is_empty(), "secrets logged: {leaks:#?}");
    }
    drop(user);
    run.cleanup().await;
}
