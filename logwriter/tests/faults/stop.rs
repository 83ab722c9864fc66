//! The stop sequence of the binary (docs/spec/logwriter.md §6.2, §10.1; acceptance items 69
//! and 70): what is queued behind the run's `stopped` is stored before the queue is deleted
//! (within LOGWRITER_SHUTDOWN_TIMEOUT, what is left counted at WARN), every buffer flushed,
//! final metadata, and the process gone within 1 s of its last database write. Another
//! simulation's `stopped` does not end the run.

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
    simstate_of(SIMULATION_ID, state)
}

fn simstate_of(simulation: &str, state: &str) -> integration_tests::simgen::Message {
    let body = format!(
        r#"{{"Type":"SimState","SimulationId":"{simulation}","SourceProcessId":"sm","MessageId":"sm-{state}","Timestamp":"2020-06-03T04:0{}:00Z","SimulationState":"{state}"}}"#,
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

    assert!(!text.contains("Discarded "), "nothing discarded:\n{text}");
    assert!(
        text.contains(&format!("Deleted queue '{}'", run.queue)),
        "{text}"
    );
    let valid = format!("simulation_{SIMULATION_ID}");
    let stored = run.count(&valid).await as usize;
    assert_eq!(
        stored,
        messages.len(),
        "everything queued behind stopped is stored"
    );
    let metadata = &run.documents("simulations").await[0];
    assert!(metadata.get_datetime("EndTime").is_ok());
    assert_eq!(
        metadata.get_i64("Messages").ok(),
        Some(stored as i64),
        "final recount"
    );
    eprintln!(
        "stop: exit {} ms after the last database write; {} queued behind stopped, all stored",
        latency.num_milliseconds(),
        late.len()
    );
    run.cleanup().await;
}

/// The `n` of the WARN line `Discarded <n> messages …`, if logged.
fn discarded(log: &str) -> Option<usize> {
    let line = log.lines().find(|l| l.contains("Discarded "))?;
    assert!(line.contains("WARNING"), "{line}");
    line.split("Discarded ")
        .nth(1)?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queue_drain_after_stopped_ends_at_the_shutdown_timeout_and_counts_what_is_left() {
    let run = Run::new("faults_stop_limit").await;
    let mut messages = vec![simstate("running"), simstate("stopped")];
    let late: Vec<_> = (0..5000).map(generic).collect();
    messages.extend(late.iter().cloned());
    run.prefill(&messages).await;
    let vars = [("LOGWRITER_SHUTDOWN_TIMEOUT", "0.5")];
    let writer = process::start(&run, &vars).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(60)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let stored = run.count(&format!("simulation_{SIMULATION_ID}")).await as usize;
    let discarded = discarded(&text).unwrap_or(0);
    // Either the writer emptied the queue within 0.5 s, or what it left is counted exactly.
    assert_eq!(stored + discarded, messages.len(), "{text}");
    eprintln!(
        "stop drain limited to 0.5 s: {} of {} late messages stored, {discarded} discarded and counted",
        stored - 2,
        late.len()
    );
    run.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_simulations_stopped_is_stored_and_does_not_end_the_run() {
    let run = Run::new("faults_stop_foreign").await;
    let other = "2020-06-03T05:01:52.345Z";
    let mut messages = vec![simstate("running")];
    messages.extend((0..5).map(generic));
    messages.push(simstate_of(other, "stopped"));
    messages.extend((5..10).map(generic));
    messages.push(simstate("stopped"));
    run.prefill(&messages).await;
    let writer = process::start(&run, &[("MESSAGE_BUFFER_MAX_INTERVAL", "0.2")]).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let warning = format!("SimState stopped of simulation '{other}', not the run's");
    let line = text
        .lines()
        .find(|l| l.contains(&warning))
        .unwrap_or_else(|| panic!("no WARN line in:\n{text}"));
    assert!(line.contains("WARNING"), "{line}");
    assert_eq!(run.count(&format!("simulation_{SIMULATION_ID}")).await, 12);
    assert_eq!(run.count(&format!("simulation_{other}")).await, 1);
    run.cleanup().await;
}
