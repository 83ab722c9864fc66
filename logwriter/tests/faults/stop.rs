//! The stop sequence of the binary (docs/spec/logwriter.md §10.1; acceptance items 69 and 70): every
//! buffer flushed, final metadata, durable queue deleted with the discarded count at WARN,
//! and the process gone within 1 s of its last database write.

use std::time::Duration;

use chrono::{NaiveDateTime, Utc};

use crate::harness::{message, Run, SIMULATION_ID};
use crate::process;

fn generic(n: u32) -> integration_tests::simgen::Message {
    let body = format!(
        r#"{{"Type":"General","SimulationId":"{SIMULATION_ID}","MessageId":"g-{n}","Timestamp":"2020-06-03T04:02:00Z"}}"#
    );
    message("general", &body)
}

fn simstate(state: &str) -> integration_tests::simgen::Message {
    let body = format!(
        r#"{{"Type":"SimState","SimulationId":"{SIMULATION_ID}","SourceProcessId":"sm","MessageId":"sm-{state}","Timestamp":"2020-06-03T04:0{}:00Z","SimulationState":"{state}"}}"#,
        if state == "running" { 1 } else { 9 }
    );
    message("SimState", &body)
}

/// The UTC time of a default-format log line (`2020-06-03T04:01:52.345 --- …`).
fn line_time(line: &str) -> chrono::DateTime<Utc> {
    let stamp = line.split(" --- ").next().expect("timestamp");
    NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%S%.3f")
        .unwrap_or_else(|e| panic!("{stamp}: {e}"))
        .and_utc()
}

#[tokio::test(flavor = "multi_thread")]
async fn stopped_flushes_deletes_the_queue_and_exits_within_a_second_of_the_last_write() {
    let run = Run::new("faults_stop").await;
    let vars = [
        ("MESSAGE_BUFFER_MAX_INTERVAL", "30"),
        ("MESSAGE_BUFFER_MAX_DOCUMENTS", "50"),
    ];
    let mut messages = vec![simstate("running")];
    messages.extend((0..30).map(generic));
    messages.push(simstate("stopped"));
    let late: Vec<_> = (100..400).map(generic).collect();
    messages.extend(late.iter().cloned());
    // Queued before the writer starts: publishing while the writer deletes the queue made
    // RabbitMQ 3.10 close the publishing channel with INTERNAL_ERROR now and then.
    run.prefill(&messages).await;
    let writer = process::start(&run, &vars).await;
    let log = writer.log.clone();
    let code = writer.exit_within(Duration::from_secs(30)).await;
    let exited = Utc::now();
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert_eq!(code, 0, "{text}");

    let last_write = text
        .lines()
        .rfind(|l| l.contains("Database metadata update successful"))
        .map(line_time)
        .expect("final metadata update logged");
    let latency = exited - last_write;
    assert!(
        latency < chrono::TimeDelta::milliseconds(1000),
        "exited {latency} after the last write"
    );
    assert!(run.queue_state().await.is_none(), "durable queue deleted");

    let discarded: usize = text
        .lines()
        .find(|l| l.contains("Discarded "))
        .filter(|l| l.contains("WARNING"))
        .and_then(|l| {
            l.split("Discarded ")
                .nth(1)?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("discarded count at WARN:\n{text}"));
    let valid = format!("simulation_{SIMULATION_ID}");
    let stored = run.count(&valid).await as usize;
    assert!(discarded > 0);
    assert_eq!(
        stored - 32 + discarded,
        late.len(),
        "delivered after stopped are stored"
    );
    let metadata = &run.documents("simulations").await[0];
    assert!(metadata.get_datetime("EndTime").is_ok());
    assert_eq!(
        metadata.get_i64("Messages").ok(),
        Some(stored as i64),
        "final recount"
    );
    eprintln!(
        "stop: exit {} ms after the last database write; {discarded} discarded, {} stored after stopped",
        latency.num_milliseconds(),
        stored - 32
    );
    run.cleanup().await;
}
