//! A synthetic SimCES run, for tests and benchmarks: `SimState running`, then per epoch an
//! `Epoch` from the simulation manager plus a `Result` (with a QuantityBlock and a
//! TimeSeriesBlock) and a `Status` from each process, optional invalid messages, and
//! `SimState stopped`. The `simgen` binary publishes it; tests use [`generate`] and
//! [`publish`] in-process so they know every message they sent.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel};
use serde_json::json;

/// What to generate.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The run's simulation id (a normalised datetime).
    pub simulation_id: String,
    /// Number of epochs.
    pub epochs: u32,
    /// Number of result-producing processes.
    pub processes: u32,
    /// Number of invalid messages, spread over the run (cycling through [`INVALID_BODIES`]).
    pub invalid: u32,
}

/// One message to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Routing key.
    pub routing_key: String,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// Invalid bodies, one per kind of docs/spec/messages.md §4.4 rows 1–9 and §5, with their reason code.
pub fn invalid_bodies(simulation_id: &str) -> Vec<(&'static str, Vec<u8>)> {
    let base = |extra: &str| {
        format!(r#"{{"Type":"General","SimulationId":"{simulation_id}"{extra}}}"#).into_bytes()
    };
    let deep = format!("{}1{}", "[".repeat(91), "]".repeat(91)).into_bytes();
    vec![
        ("not-utf8", vec![0xff, 0xfe]),
        ("not-json", b"Ready".to_vec()),
        ("not-json", Vec::new()),
        ("not-object", b"[1,2]".to_vec()),
        ("too-deep", deep),
        (
            "type-missing",
            format!(r#"{{"SimulationId":"{simulation_id}","Timestamp":"2020-06-03T04:01:53Z"}}"#)
                .into_bytes(),
        ),
        (
            "simulation-id-missing",
            br#"{"Type":"General","SimulationId":5}"#.to_vec(),
        ),
        (
            "simulation-id-unparseable",
            br#"{"Type":"General","SimulationId":"not-a-date"}"#.to_vec(),
        ),
        ("timestamp-not-string", base(r#","Timestamp":null"#)),
        ("timestamp-unparseable", base(r#","Timestamp":"yesterday""#)),
        ("refused-key", base(r#","a":{"$x":1}"#)),
        ("reserved-id", base(r#","_id":1"#)),
        ("integer-out-of-range", base(r#","n":9223372036854775808"#)),
    ]
}

fn timestamp(start: DateTime<Utc>, seconds: i64) -> String {
    common::time::format_normalised(start + TimeDelta::seconds(seconds))
}

fn message(routing_key: &str, value: serde_json::Value) -> Message {
    Message {
        routing_key: routing_key.to_owned(),
        body: value.to_string().into_bytes(),
    }
}

fn simstate(spec: &RunSpec, state: &str, n: u32, at: String) -> Message {
    message(
        "SimState",
        json!({"Type": "SimState", "SimulationId": spec.simulation_id, "Timestamp": at,
               "SourceProcessId": "SimulationManager", "MessageId": format!("SimulationManager-{n}"),
               "SimulationState": state, "Name": "simgen run", "Description": "synthetic run"}),
    )
}

fn epoch_messages(spec: &RunSpec, start: DateTime<Utc>, epoch: u32) -> Vec<Message> {
    let e = i64::from(epoch);
    let at = |k: i64| timestamp(start, e * 100 + k);
    let sim_start = timestamp(start, e * 3600);
    let sim_end = timestamp(start, (e + 1) * 3600);
    let trigger = format!("SimulationManager-{}", epoch + 1);
    let mut out = vec![message(
        "Epoch",
        json!({"Type": "Epoch", "SimulationId": spec.simulation_id, "Timestamp": at(0),
               "SourceProcessId": "SimulationManager", "MessageId": trigger,
               "EpochNumber": epoch, "TriggeringMessageIds": [format!("SimulationManager-{epoch}")],
               "StartTime": sim_start, "EndTime": sim_end}),
    )];
    for p in 1..=spec.processes {
        let process = format!("process{p}");
        out.push(message(
            &format!("energy.production.{process}"),
            json!({"Type": "Result", "SimulationId": spec.simulation_id, "Timestamp": at(i64::from(p)),
                   "SourceProcessId": process, "MessageId": format!("{process}-r{epoch}"),
                   "EpochNumber": epoch, "TriggeringMessageIds": [trigger], "Warnings": [],
                   "RealPower": {"Value": f64::from(p) * 1.5 + f64::from(epoch), "UnitOfMeasure": "kW"},
                   "Forecast": {"TimeIndex": [sim_start, sim_end],
                                "Series": {"Power": {"UnitOfMeasure": "kW", "Values": [epoch, p]}}}}),
        ));
        out.push(message(
            "Status.Ready",
            json!({"Type": "Status", "SimulationId": spec.simulation_id, "Timestamp": at(50 + i64::from(p)),
                   "SourceProcessId": process, "MessageId": format!("{process}-s{epoch}"),
                   "EpochNumber": epoch, "TriggeringMessageIds": [trigger], "Value": "ready"}),
        ));
    }
    out
}

/// The whole run in publish order. Deterministic for a given spec, so a test can compute
/// every `_id` it expects.
pub fn generate(spec: &RunSpec) -> Vec<Message> {
    let start = common::time::parse_message_datetime(&spec.simulation_id).unwrap_or_else(Utc::now);
    let mut out = vec![simstate(spec, "running", 1, timestamp(start, 0))];
    let invalid = invalid_bodies(&spec.simulation_id);
    let mut invalid_left = spec.invalid;
    for epoch in 1..=spec.epochs {
        out.extend(epoch_messages(spec, start, epoch));
        // Spread the invalid messages: a share after every epoch, the rest after the last.
        let share = if epoch == spec.epochs {
            invalid_left
        } else {
            spec.invalid / spec.epochs.max(1)
        };
        for _ in 0..share.min(invalid_left) {
            let n = (spec.invalid - invalid_left) as usize;
            let (_, body) = &invalid[n % invalid.len()];
            // A counter suffix keeps repeated kinds distinct where the body allows it.
            out.push(Message {
                routing_key: format!("invalid.{n}"),
                body: body.clone(),
            });
            invalid_left -= 1;
        }
    }
    let end = i64::from(spec.epochs + 1) * 100;
    out.push(simstate(
        spec,
        "stopped",
        spec.epochs + 2,
        timestamp(start, end),
    ));
    out
}

/// Messages per routing key.
pub fn topic_counts(messages: &[Message]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in messages {
        *counts.entry(m.routing_key.clone()).or_default() += 1;
    }
    counts
}

/// Publishes `messages` to `exchange` with publisher confirms, at `rate` messages per second
/// (`None`: as fast as possible). `progress` is called with the number confirmed so far.
pub async fn publish(
    channel: &Channel,
    exchange: &str,
    messages: &[Message],
    rate: Option<f64>,
    mut progress: impl FnMut(usize),
) -> lapin::Result<()> {
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let started = Instant::now();
    let mut confirms = Vec::new();
    for (n, m) in messages.iter().enumerate() {
        if let Some(rate) = rate.filter(|r| *r > 0.0) {
            let due = started + Duration::from_secs_f64(n as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        let confirm = channel
            .basic_publish(
                exchange.into(),
                m.routing_key.as_str().into(),
                BasicPublishOptions::default(),
                &m.body,
                BasicProperties::default(),
            )
            .await?;
        confirms.push(confirm);
        if confirms.len() >= 500 || rate.is_some() {
            for confirm in confirms.drain(..) {
                confirm.await?;
            }
            progress(n + 1);
        }
    }
    for confirm in confirms.drain(..) {
        confirm.await?;
    }
    progress(messages.len());
    Ok(())
}
