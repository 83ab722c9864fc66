//! Flush triggers observed through the database (docs/spec/logwriter.md §5.2): count, role, deadline.

use std::time::{Duration, Instant};

use integration_tests::simgen::Message;
use serde_json::json;

use crate::harness::{Run, SIMULATION_ID};

fn collection() -> String {
    format!("simulation_{SIMULATION_ID}")
}

fn generic(n: u32) -> Message {
    let body = json!({"Type": "General", "SimulationId": SIMULATION_ID, "MessageId": format!("g-{n}"), "Value": n});
    Message {
        routing_key: "general".to_owned(),
        body: body.to_string().into_bytes(),
    }
}

fn simstate_running() -> Message {
    let body = json!({"Type": "SimState", "SimulationId": SIMULATION_ID, "SourceProcessId": "sm",
                      "MessageId": "sm-1", "SimulationState": "running"});
    Message {
        routing_key: "SimState".to_owned(),
        body: body.to_string().into_bytes(),
    }
}

fn epoch(number: i64) -> Message {
    let body = json!({"Type": "Epoch", "SimulationId": SIMULATION_ID, "SourceProcessId": "sm",
                      "MessageId": format!("sm-e{number}"), "EpochNumber": number,
                      "TriggeringMessageIds": ["sm-1"], "StartTime": "2020-06-03T13:00:00Z",
                      "EndTime": "2020-06-03T14:00:00Z"});
    Message {
        routing_key: "Epoch".to_owned(),
        body: body.to_string().into_bytes(),
    }
}

/// Asserts the collection count stays at `n` for a while (no flush happened).
async fn stays_at(run: &Run, n: u64) {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(run.count(&collection()).await, n);
}

#[tokio::test(flavor = "multi_thread")]
async fn count_and_role_triggers_flush_the_buffer_including_the_triggering_message() {
    let run = Run::new("e2e_trig").await;
    let writer = run
        .start(&[
            "--message-buffer-max-documents",
            "5",
            "--message-buffer-max-interval",
            "60",
        ])
        .await;
    run.publish(&[simstate_running()]).await;
    assert_eq!(
        run.wait_count(&collection(), 1, Duration::from_secs(10))
            .await,
        1,
        "role flush"
    );
    run.publish(&(1..=4).map(generic).collect::<Vec<_>>()).await;
    stays_at(&run, 1).await;
    run.publish(&[generic(5)]).await;
    assert_eq!(
        run.wait_count(&collection(), 6, Duration::from_secs(10))
            .await,
        6,
        "5th flushes"
    );
    run.publish(&[generic(6), generic(7)]).await;
    stays_at(&run, 6).await;
    run.publish(&[epoch(1)]).await;
    assert_eq!(
        run.wait_count(&collection(), 9, Duration::from_secs(10))
            .await,
        9,
        "Epoch flushes"
    );
    run.publish(&[epoch(-1)]).await;
    stays_at(&run, 9).await;
    assert_eq!(writer.terminate().await, 0);
    assert_eq!(
        run.count(&collection()).await,
        10,
        "the drain flushes the malformed Epoch"
    );
    run.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lone_message_is_written_at_its_deadline_and_not_much_earlier() {
    let run = Run::new("e2e_deadline").await;
    let writer = run.start(&["--message-buffer-max-interval", "2"]).await;
    let published = Instant::now();
    run.publish(&[generic(1)]).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(run.count(&collection()).await, 0, "not before the deadline");
    assert_eq!(
        run.wait_count(&collection(), 1, Duration::from_secs(10))
            .await,
        1
    );
    let waited = published.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "written after {waited:?}"
    );
    assert!(
        waited <= Duration::from_millis(3500),
        "written after {waited:?}"
    );
    assert_eq!(writer.terminate().await, 0);
    run.cleanup().await;
}
