//! Several runs on one exchange do not stall: a buffered delivery of one run holds back the
//! ack watermark of the others, so the prefetch window fills without any buffer reaching
//! its count; the window-pressure trigger writes the buffer holding the lowest unsettled
//! delivery instead of waiting for MESSAGE_BUFFER_MAX_INTERVAL.

use std::time::{Duration, Instant};

use integration_tests::simgen::Message;

use crate::harness::{message, Run};
use crate::process;

const RUNS: [&str; 3] = [
    "2021-01-01T00:00:00.000Z",
    "2021-01-02T00:00:00.000Z",
    "2021-01-03T00:00:00.000Z",
];
const PER_RUN: usize = 300;

/// Generic valid messages (no flush role), the three runs interleaved one by one, then
/// each run's Epoch message (a flush trigger, as the runs' epochs would be).
fn interleaved() -> Vec<Message> {
    let mut out = Vec::new();
    for i in 0..PER_RUN {
        for (r, sim) in RUNS.iter().enumerate() {
            let body = format!(
                r#"{{"Type":"Measurement","SimulationId":"{sim}","SourceProcessId":"meter{r}","MessageId":"meter{r}-{i}","Timestamp":"2021-01-01T00:00:{:02}.000Z","Value":{i}}}"#,
                i % 60
            );
            out.push(message(&format!("measurement.meter{r}"), &body));
        }
    }
    for sim in RUNS {
        let body = format!(
            r#"{{"Type":"Epoch","SimulationId":"{sim}","SourceProcessId":"SimulationManager","MessageId":"SimulationManager-2","Timestamp":"2021-01-01T00:00:59.000Z","EpochNumber":1,"TriggeringMessageIds":["SimulationManager-1"],"StartTime":"2021-01-01T00:00:00.000Z","EndTime":"2021-01-01T01:00:00.000Z"}}"#
        );
        out.push(message("Epoch", &body));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn three_interleaved_runs_are_stored_within_seconds_not_deadlines() {
    let run = Run::new("faults_pressure").await;
    let vars = [
        ("MESSAGE_BUFFER_MAX_DOCUMENTS", "20"),
        ("MESSAGE_BUFFER_MAX_INTERVAL", "30"),
    ];
    let writer = process::start(&run, &vars).await;
    let messages = interleaved();
    let started = Instant::now();
    run.publish(&messages).await;
    for sim in RUNS {
        let collection = format!("simulation_{sim}");
        let stored = run
            .wait_count(&collection, PER_RUN as u64 + 1, Duration::from_secs(15))
            .await;
        assert_eq!(
            stored as usize,
            PER_RUN + 1,
            "{collection} after {:?}",
            started.elapsed()
        );
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "{took:?}");
    let stopped = format!(
        r#"{{"Type":"SimState","SimulationId":"{}","SourceProcessId":"SimulationManager","MessageId":"SimulationManager-1","Timestamp":"2021-01-01T00:01:00.000Z","SimulationState":"stopped"}}"#,
        RUNS[0]
    );
    run.publish(&[message("SimState", &stopped)]).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    eprintln!(
        "window pressure: {} messages of 3 interleaved runs (batch 20, interval 30 s) stored in {took:?}",
        messages.len()
    );
    run.cleanup().await;
}
