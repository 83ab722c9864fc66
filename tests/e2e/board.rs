//! The run health board (docs/spec/logreader.md §16) of a run published through the real
//! writer: several processes, an error epoch, a process that goes silent, and warnings.

use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::{message, Run, SIMULATION_ID};

const START: &str = "2020-06-03T04:00";

fn body(fields: Value) -> String {
    let mut object = json!({"SimulationId": SIMULATION_ID});
    for (key, value) in fields.as_object().expect("fields") {
        object[key] = value.clone();
    }
    object.to_string()
}

/// Four epochs. `p1` is ready, reports an error with a warning in epoch 3 and recovers; `p2`
/// stops reporting after epoch 2; `p3` only sends results, one with a warning.
fn messages() -> Vec<integration_tests::simgen::Message> {
    let at = |epoch: u32, second: u32| format!("{START}:{:02}.{second:03}Z", epoch * 10);
    let manager = |n: u32, state: &str| {
        message(
            "SimState",
            &body(
                json!({"Type": "SimState", "Timestamp": at(0, n), "SourceProcessId": "manager",
                "MessageId": format!("manager-s{n}"), "SimulationState": state}),
            ),
        )
    };
    let mut out = vec![manager(1, "running")];
    for epoch in 1..=4_u32 {
        let trigger = format!("manager-{epoch}");
        out.push(message(
            "Epoch",
            &body(
                json!({"Type": "Epoch", "Timestamp": at(epoch, 0), "SourceProcessId": "manager",
                "MessageId": trigger, "EpochNumber": epoch, "TriggeringMessageIds": ["manager-s1"],
                "StartTime": format!("2020-06-03T{:02}:00:00Z", 4 + epoch),
                "EndTime": format!("2020-06-03T{:02}:00:00Z", 5 + epoch)}),
            ),
        ));
        let failing = epoch == 3;
        let mut p1 = json!({"Type": "Status", "Timestamp": at(epoch, 1), "SourceProcessId": "p1",
            "MessageId": format!("p1-{epoch}"), "EpochNumber": epoch,
            "TriggeringMessageIds": [trigger], "Value": if failing { "error" } else { "ready" }});
        if failing {
            p1["Description"] = json!("solver diverged");
            p1["Warnings"] = json!(["warning.convergence"]);
        }
        out.push(message("Status.Ready", &body(p1)));
        if epoch <= 2 {
            out.push(message(
                "Status.Ready",
                &body(
                    json!({"Type": "Status", "Timestamp": at(epoch, 2), "SourceProcessId": "p2",
                    "MessageId": format!("p2-{epoch}"), "EpochNumber": epoch,
                    "TriggeringMessageIds": [trigger], "Value": "ready"}),
                ),
            ));
        }
        let warnings = if epoch == 2 {
            json!(["warning.input"])
        } else {
            json!([])
        };
        out.push(message(
            "energy.p3",
            &body(
                json!({"Type": "Result", "Timestamp": at(epoch, 3), "SourceProcessId": "p3",
                "MessageId": format!("p3-{epoch}"), "EpochNumber": epoch,
                "TriggeringMessageIds": [trigger], "Warnings": warnings, "Power": 1.5}),
            ),
        ));
    }
    out.push(manager(2, "stopped"));
    out
}

async fn get(base: &str, path: &str) -> Value {
    let url = format!("{base}/simulations/{SIMULATION_ID}{path}");
    let response = reqwest::get(&url).await.expect("request");
    assert_eq!(response.status().as_u16(), 200, "{url}");
    serde_json::from_str(&response.text().await.expect("body")).expect("JSON")
}

/// The value of the `/metrics` sample that starts with `series`, 0 when absent.
async fn metric(base: &str, series: &str) -> f64 {
    let response = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("metrics");
    let text = response.text().await.expect("body");
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_of_a_run_stored_by_the_writer() {
    let run = Run::new("e2e_board").await;
    let writer = run.start(&["--message-buffer-max-interval", "1"]).await;
    let messages = messages();
    run.publish(&messages).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(run.count(&valid).await, messages.len() as u64, "all valid");
    let (base, stop) = integration_tests::start_logreader(run.db.name()).await;
    // The run just finished, so the reader builds its board before anyone asks (§16.4).
    let warmed = "logreader_boards_built_total{trigger=\"warmup\"}";
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while metric(&base, warmed).await < 1.0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no board warmed in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let board = get(&base, "/processes").await;
    let status = |i: usize| (board[i]["ProcessId"].clone(), board[i]["Status"].clone());
    assert_eq!(status(0), (json!("manager"), Value::Null));
    assert_eq!(status(1), (json!("p1"), json!("ready")));
    assert_eq!(status(2), (json!("p2"), json!("silent")));
    assert_eq!(status(3), (json!("p3"), Value::Null));
    assert_eq!(board[1]["Warnings"], 1);
    assert_eq!(board[3]["Warnings"], 1);
    assert_eq!(board[3]["Topics"], json!({"energy.p3": 4}));
    assert_eq!(board[2]["StatusEpoch"], 2);

    let p1 = get(&base, "/processes/p1").await;
    assert_eq!(
        p1["Changes"][1],
        json!({"EpochNumber": 3, "Status": "error", "MessageId": "p1-3",
            "Description": "solver diverged", "Warnings": ["warning.convergence"],
            "Timestamp": "2020-06-03T04:00:30.001000Z"})
    );
    assert_eq!(p1["History"].as_array().map(Vec::len), Some(3));
    let p2 = get(&base, "/processes/p2").await;
    assert_eq!(
        p2["Changes"][1],
        json!({"EpochNumber": 3, "Status": "silent", "Timestamp": "2020-06-03T07:00:00Z"})
    );
    assert_eq!(
        p2["History"],
        json!([{"FromEpoch": 1, "ToEpoch": 2, "Status": "ready"},
               {"FromEpoch": 3, "ToEpoch": 4, "Status": "silent"}])
    );

    let grid = get(&base, "/board").await;
    assert_eq!(
        grid["Epochs"],
        json!([1, 2, 3, 4]),
        "the manager's SimStates have no epoch"
    );
    let row = |i: usize, key: &str| grid["Processes"][i][key].clone();
    assert_eq!(
        row(1, "Statuses"),
        json!(["ready", "ready", "error", "ready"])
    );
    assert_eq!(row(1, "Warnings"), json!([0, 0, 1, 0]));
    assert_eq!(
        row(2, "Statuses"),
        json!(["ready", "ready", "silent", "silent"])
    );
    assert_eq!(row(3, "Statuses"), json!([null, null, null, null]));
    assert_eq!(row(3, "Messages"), json!([1, 1, 1, 1]));
    assert_eq!(row(3, "Warnings"), json!([0, 1, 0, 0]));
    // Every one of those four answers came from the warmed board: the run was read once.
    let asked = "logreader_boards_built_total{trigger=\"request\"}";
    assert_eq!(metric(&base, asked).await, 0.0);
    assert_eq!(metric(&base, warmed).await, 1.0);
    assert_eq!(metric(&base, "logreader_board_cache_hits_total").await, 4.0);
    let _ = stop.send(());
    run.cleanup().await;
}
