//! Duplicates (docs/spec/logwriter.md §7.3): a redelivery of an already stored message is settled as a
//! duplicate quietly; the same body republished on the same topic is stored once and logged
//! at WARN (acceptance items 45 and 46).

use std::time::{Duration, Instant};

use lapin::options::BasicGetOptions;

use crate::harness::{message, Run, SIMULATION_ID};
use crate::process;

const IDENTICAL: &str = "Identical message on topic 'general' already stored; not stored again.";

fn generic() -> integration_tests::simgen::Message {
    let body = format!(
        r#"{{"Type":"General","SimulationId":"{SIMULATION_ID}","MessageId":"g-1","Timestamp":"2020-06-03T04:02:00Z"}}"#
    );
    message("general", &body)
}

fn stopped() -> integration_tests::simgen::Message {
    let body = format!(
        r#"{{"Type":"SimState","SimulationId":"{SIMULATION_ID}","SourceProcessId":"sm","MessageId":"sm-9","Timestamp":"2020-06-03T04:09:00Z","SimulationState":"stopped"}}"#
    );
    message("SimState", &body)
}

/// Takes the one ready message without acknowledging it and closes the channel, so the
/// broker requeues it flagged `redelivered`.
async fn make_redelivered(run: &Run) {
    let channel = run.connection.create_channel().await.expect("channel");
    let got = channel
        .basic_get(run.queue.as_str().into(), BasicGetOptions { no_ack: false })
        .await
        .expect("basic.get");
    assert!(got.is_some(), "the republished message waits in the queue");
    channel.close(200, "OK".into()).await.expect("closed");
    let started = Instant::now();
    while run.queue_state().await.map(|(ready, _)| ready) != Some(1) {
        assert!(started.elapsed() < Duration::from_secs(5), "requeued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redelivery_is_a_quiet_duplicate_and_a_republished_body_a_loud_one() {
    let run = Run::new("faults_dup").await;
    let vars = [
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.1"),
        ("SIMULATION_LOG_LEVEL", "10"),
    ];
    let writer = process::start(&run, &vars).await;
    run.publish(&[generic()]).await;
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(run.wait_count(&valid, 1, Duration::from_secs(10)).await, 1);
    writer.terminate();
    assert_eq!(writer.exit_within(Duration::from_secs(10)).await, 0);

    run.publish(&[generic()]).await;
    make_redelivered(&run).await;
    let writer = process::start(&run, &vars).await;
    assert!(
        writer.wait_log(IDENTICAL, Duration::from_secs(10)).await,
        "{}",
        writer.log_text()
    );
    run.publish(&[generic()]).await;
    run.publish(&[stopped()]).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(20)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();

    assert_eq!(
        run.count(&valid).await,
        2,
        "the message and stopped, each once"
    );
    let levels: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(IDENTICAL))
        .map(|l| {
            if l.contains("WARNING") {
                "WARNING"
            } else if l.contains("DEBUG") {
                "DEBUG"
            } else {
                "?"
            }
        })
        .collect();
    assert_eq!(
        levels,
        ["DEBUG", "WARNING"],
        "redelivery quiet, republish loud:\n{text}"
    );
    assert!(text.contains("duplicates: 2"), "both counted:\n{text}");
    run.cleanup().await;
}
