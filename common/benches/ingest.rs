//! The pure ingest path on one core: `common::document::ingest` (classify, build the stored
//! document, the §5 checks, the `_id`) on realistic messages, and its parts.
//!
//! The messages have the shapes `simgen` publishes (tests/src/simgen.rs): a `Result` with a
//! QuantityBlock `RealPower` and a TimeSeriesBlock `Forecast`, a `Status`, an `Epoch`, and
//! a larger `Result` with a day-long forecast, 300–900 bytes each, plus a few invalid ones.
//! Every group reports elements (messages) per second. The `parts` group times pieces of
//! the path on the simgen `Result`: the JSON parse, `classify` (parse plus the validity
//! rules) and the SHA-256 `_id`; what is left of `ingest/one/result` is building the BSON.
//!
//! ```text
//! cargo bench -p common --bench ingest -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Only the whole `Ingested` result is passed to `black_box`, never a field of it, so the
//! bench does not depend on the document type inside `Outcome`.

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::{json, Value};

use common::classify::classify;
use common::document::{ingest, message_id};
use common::time::format_normalised;

const SIMULATION_ID: &str = "2024-05-06T07:08:09.123Z";

/// One delivery: a routing key and a body.
struct Delivery {
    name: &'static str,
    routing_key: Vec<u8>,
    body: Vec<u8>,
}

fn at(start: DateTime<Utc>, seconds: i64) -> String {
    format_normalised(start + TimeDelta::seconds(seconds))
}

fn delivery(name: &'static str, routing_key: &str, value: &Value) -> Delivery {
    Delivery {
        name,
        routing_key: routing_key.as_bytes().to_vec(),
        body: value.to_string().into_bytes(),
    }
}

/// The valid messages of one epoch of a simgen run with one process, plus a larger Result.
fn valid_messages() -> Vec<Delivery> {
    let start = common::time::parse_message_datetime(SIMULATION_ID).expect("a datetime");
    let (epoch, p) = (17_i64, 3_i64);
    let (sim_start, sim_end) = (at(start, epoch * 3600), at(start, (epoch + 1) * 3600));
    let trigger = format!("SimulationManager-{}", epoch + 1);
    let process = format!("process{p}");
    let epoch_message = json!({
        "Type": "Epoch", "SimulationId": SIMULATION_ID, "Timestamp": at(start, epoch * 100),
        "SourceProcessId": "SimulationManager", "MessageId": trigger, "EpochNumber": epoch,
        "TriggeringMessageIds": [format!("SimulationManager-{epoch}")],
        "StartTime": sim_start, "EndTime": sim_end});
    let result = json!({
        "Type": "Result", "SimulationId": SIMULATION_ID, "Timestamp": at(start, epoch * 100 + p),
        "SourceProcessId": process, "MessageId": format!("{process}-r{epoch}"),
        "EpochNumber": epoch, "TriggeringMessageIds": [trigger], "Warnings": [],
        "RealPower": {"Value": 1.5 * p as f64 + epoch as f64, "UnitOfMeasure": "kW"},
        "Forecast": {"TimeIndex": [sim_start, sim_end],
                     "Series": {"Power": {"UnitOfMeasure": "kW", "Values": [epoch, p]}}}});
    let status = json!({
        "Type": "Status", "SimulationId": SIMULATION_ID, "Timestamp": at(start, epoch * 100 + 50 + p),
        "SourceProcessId": process, "MessageId": format!("{process}-s{epoch}"),
        "EpochNumber": epoch, "TriggeringMessageIds": [trigger], "Value": "ready"});
    // A day-ahead forecast: 12 two-hour steps of power and price.
    let steps = 0..12_i64;
    let index: Vec<String> = steps
        .clone()
        .map(|h| at(start, (epoch + h * 2) * 3600))
        .collect();
    let power: Vec<f64> = steps.clone().map(|h| 10.25 + h as f64 * 0.5).collect();
    let price: Vec<f64> = steps.map(|h| 3.5 + h as f64 * 0.125).collect();
    let large_result = json!({
        "Type": "Result", "SimulationId": SIMULATION_ID, "Timestamp": at(start, epoch * 100 + p),
        "SourceProcessId": process, "MessageId": format!("{process}-r{epoch}"),
        "EpochNumber": epoch, "TriggeringMessageIds": [trigger],
        "Warnings": ["warning.convergence"],
        "RealPower": {"Value": 12.75, "UnitOfMeasure": "kW"},
        "ReactivePower": {"Value": -1.25, "UnitOfMeasure": "kV.A{r}"},
        "Forecast": {"TimeIndex": index,
                     "Series": {"Power": {"UnitOfMeasure": "kW", "Values": power},
                                "Price": {"UnitOfMeasure": "EUR/MWh", "Values": price}}}});
    vec![
        delivery("result", &format!("energy.production.{process}"), &result),
        delivery("status", "Status.Ready", &status),
        delivery("epoch", "Epoch", &epoch_message),
        delivery(
            "result_day_forecast",
            "energy.forecast.process3",
            &large_result,
        ),
    ]
}

/// A few invalid deliveries (docs/spec/messages.md §4.4): not UTF-8, not JSON, an object
/// without `Type`, an unparseable `Timestamp`, an integer out of the BSON range.
fn invalid_messages() -> Vec<Delivery> {
    let general = |extra: &str| {
        format!(
            r#"{{"Type":"General","SimulationId":"{SIMULATION_ID}","SourceProcessId":"p1","MessageId":"p1-1"{extra}}}"#
        )
        .into_bytes()
    };
    let invalid = |name, body: Vec<u8>| Delivery {
        name,
        routing_key: b"invalid.bench".to_vec(),
        body,
    };
    vec![
        invalid("not_utf8", vec![0xff, 0xfe, b'{', b'}']),
        invalid("not_json", b"Ready".to_vec()),
        invalid(
            "type_missing",
            format!(r#"{{"SimulationId":"{SIMULATION_ID}","Timestamp":"2020-06-03T04:01:53Z"}}"#)
                .into_bytes(),
        ),
        invalid(
            "timestamp_unparseable",
            general(r#","Timestamp":"yesterday""#),
        ),
        invalid(
            "integer_out_of_range",
            general(r#","n":9223372036854775808"#),
        ),
    ]
}

/// What one epoch of `simgen --processes 10` sends: one Epoch, ten Results, ten Statuses.
fn simgen_epoch_mix(valid: &[Delivery]) -> Vec<&Delivery> {
    let by_name = |name| valid.iter().find(|d| d.name == name).expect("a message");
    let mut mix = vec![by_name("epoch")];
    for _ in 0..10 {
        mix.push(by_name("result"));
        mix.push(by_name("status"));
    }
    mix
}

fn bench_ingest(c: &mut Criterion) {
    let now = Utc::now();
    let valid = valid_messages();
    let invalid = invalid_messages();
    for d in valid.iter().chain(&invalid) {
        eprintln!("message {:<24} {:>4} bytes", d.name, d.body.len());
    }

    let mut group = c.benchmark_group("ingest");
    let mix = simgen_epoch_mix(&valid);
    group.throughput(Throughput::Elements(mix.len() as u64));
    group.bench_function("simgen_epoch_mix", |b| {
        b.iter(|| {
            for d in &mix {
                black_box(ingest(black_box(&d.routing_key), black_box(&d.body), now));
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    for d in valid.iter().chain(&invalid) {
        group.bench_with_input(BenchmarkId::new("one", d.name), d, |b, d| {
            b.iter(|| black_box(ingest(black_box(&d.routing_key), black_box(&d.body), now)))
        });
    }
    group.finish();

    // The parts, on the simgen Result (the most common message of a run).
    let result = valid.iter().find(|d| d.name == "result").expect("a result");
    let text = std::str::from_utf8(&result.body).expect("UTF-8");
    let mut group = c.benchmark_group("parts");
    group.throughput(Throughput::Elements(1));
    group.bench_function("json_parse", |b| {
        b.iter(|| black_box(common::json::parse(black_box(text))))
    });
    group.bench_function("classify", |b| {
        b.iter(|| black_box(classify(black_box(&result.body))))
    });
    group.bench_function("message_id", |b| {
        b.iter(|| {
            black_box(message_id(
                black_box(&result.routing_key),
                black_box(&result.body),
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
