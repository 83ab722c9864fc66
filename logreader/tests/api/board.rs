//! The run health board (docs/spec/logreader.md §16) over the real database.

use bson::{doc, DateTime, Document};
use serde_json::json;

use crate::harness::{spawn_app, spawn_app_with, TestApp};

const HOUR: i64 = 3_600_000;

fn at(epoch: i64, offset: i64) -> DateTime {
    DateTime::from_millis(1_591_156_800_000 + epoch * HOUR + offset)
}

fn status(process: &str, epoch: i64, value: &str) -> Document {
    doc! {
        "Type": "Status", "SourceProcessId": process, "Topic": format!("Status.{value}"),
        "EpochNumber": epoch, "Timestamp": at(epoch, 5), "MessageId": format!("{process}-{epoch}"),
        "Value": value, "Description": format!("{process} says {value}"),
    }
}

/// Four epochs. `a` is ready, fails in epoch 3 and recovers; `b` stops after epoch 2; `c`
/// sends results with a warning and never a status.
async fn seeded() -> TestApp {
    seed(spawn_app().await).await
}

async fn seed(app: TestApp) -> TestApp {
    let mut messages = Vec::new();
    for epoch in 1..=4 {
        messages.push(doc! {
            "Type": "Epoch", "SourceProcessId": "manager", "Topic": "Epoch", "EpochNumber": epoch,
            "Timestamp": at(epoch, 0), "StartTime": at(epoch, 0), "EndTime": at(epoch + 1, 0),
        });
        messages.push(status(
            "a",
            epoch,
            if epoch == 3 { "error" } else { "ready" },
        ));
        if epoch <= 2 {
            messages.push(status("b", epoch, "ready"));
        }
        let warnings = if epoch == 2 {
            vec!["warning.input"]
        } else {
            Vec::new()
        };
        messages.push(doc! {
            "Type": "Result", "SourceProcessId": "c", "Topic": "energy.c", "EpochNumber": epoch,
            "Timestamp": at(epoch, 7), "Warnings": warnings,
        });
    }
    app.insert("simulation_board", messages).await;
    app
}

#[tokio::test]
async fn processes_list_status_counts_and_topics() {
    let app = seeded().await;
    let reply = app.get("/simulations/board/processes").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    let board = reply.json();
    let ids: Vec<&str> = board
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ProcessId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c", "manager"]);
    assert_eq!(board[0]["Status"], "ready");
    assert_eq!(board[0]["StatusEpoch"], 4);
    assert_eq!(board[1]["Status"], "silent");
    assert_eq!(board[1]["StatusEpoch"], 2);
    assert_eq!(board[2]["Status"], serde_json::Value::Null);
    assert_eq!(board[2]["Messages"], 4);
    assert_eq!(board[2]["Warnings"], 1);
    assert_eq!(board[2]["Topics"], json!({"energy.c": 4}));
    assert_eq!(board[2]["FirstTimestamp"], "2020-06-03T05:00:00.007000Z");
    assert_eq!(board[2]["LastTimestamp"], "2020-06-03T08:00:00.007000Z");
    app.cleanup().await;
}

#[tokio::test]
async fn a_process_has_its_changes_and_history() {
    let app = seeded().await;
    let a = app.get("/simulations/board/processes/a").await.json();
    let changes: Vec<(i64, &str)> = a["Changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["EpochNumber"].as_i64().unwrap(),
                c["Status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(changes, [(1, "ready"), (3, "error"), (4, "ready")]);
    assert_eq!(a["Changes"][1]["MessageId"], "a-3");
    assert_eq!(a["Changes"][1]["Description"], "a says error");
    assert_eq!(
        a["History"],
        json!([
            {"FromEpoch": 1, "Status": "ready", "ToEpoch": 2},
            {"FromEpoch": 3, "Status": "error", "ToEpoch": 3},
            {"FromEpoch": 4, "Status": "ready", "ToEpoch": 4},
        ])
    );
    let b = app.get("/simulations/board/processes/b").await.json();
    assert_eq!(
        b["Changes"][1],
        json!({"EpochNumber": 3, "Status": "silent", "Timestamp": "2020-06-03T07:00:00Z"})
    );
    assert_eq!(
        b["History"][1],
        json!({"FromEpoch": 3, "Status": "silent", "ToEpoch": 4})
    );
    app.cleanup().await;
}

#[tokio::test]
async fn epoch_filters_errors_and_unknown_processes() {
    let app = seeded().await;
    // Up to epoch 2, `b` is not silent yet and `a` has not failed.
    let early = app
        .get("/simulations/board/processes?endEpoch=2")
        .await
        .json();
    assert_eq!(early[1]["Status"], "ready");
    let a = app
        .get("/simulations/board/processes/a?startEpoch=3&pretty=true")
        .await;
    assert!(a.text().starts_with("{\n    \""), "pretty layout");
    assert_eq!(a.json()["Messages"], 2);
    let bad = app.get("/simulations/board/processes?startEpoch=x").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["title"], "Invalid integer value");
    let unknown = app.get("/simulations/board/processes/zz").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.text(),
        r#"{"title": "Process not found.", "description": "Process with id zz not found in simulation board."}"#
    );
    let no_run = app.get("/simulations/none/processes").await;
    assert_eq!(no_run.status, 404);
    assert_eq!(no_run.json()["title"], "Simulation not found.");
    app.cleanup().await;
}

#[tokio::test]
async fn the_board_and_a_change_log_as_csv() {
    let app = seeded().await;
    let board = app.get("/simulations/board/processes?format=csv").await;
    assert_eq!(board.status, 200);
    assert_eq!(board.header("Content-Type"), Some("text/csv"));
    let text = board.text();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "ProcessId;Status;StatusEpoch;Messages;Warnings;FirstTimestamp;LastTimestamp;Topics"
    );
    assert_eq!(
        lines[2],
        r#"b;silent;2;2;0;2020-06-03T05:00:00.005000Z;2020-06-03T06:00:00.005000Z;"{""Status.ready"":2}""#
    );
    assert_eq!(
        lines[3].split(';').nth(1),
        Some(""),
        "null is an empty cell"
    );
    let a = app
        .get("/simulations/board/processes/a?format=csv")
        .await
        .text();
    assert_eq!(
        a,
        "EpochNumber;Timestamp;Status;MessageId;Description;Warnings\r\n\
         1;2020-06-03T05:00:00.005000Z;ready;a-1;a says ready;\r\n\
         3;2020-06-03T07:00:00.005000Z;error;a-3;a says error;\r\n\
         4;2020-06-03T08:00:00.005000Z;ready;a-4;a says ready;\r\n"
    );
    let bad = app.get("/simulations/board/processes?format=xml").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["title"], "Invalid time series result format.");
    app.cleanup().await;
}

#[tokio::test]
async fn the_grid_has_a_cell_per_process_and_epoch() {
    let app = seeded().await;
    let reply = app.get("/simulations/board/board").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    let grid = reply.json();
    assert_eq!(grid["Epochs"], json!([1, 2, 3, 4]));
    let rows = grid["Processes"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "a, b, c and manager");
    assert_eq!(
        rows[0],
        json!({"ProcessId": "a", "Status": "ready",
               "Statuses": ["ready", "ready", "error", "ready"],
               "Messages": [1, 1, 1, 1], "Warnings": [0, 0, 0, 0]})
    );
    assert_eq!(
        rows[1]["Statuses"],
        json!(["ready", "ready", "silent", "silent"])
    );
    assert_eq!(rows[2]["Statuses"], json!([null, null, null, null]));
    assert_eq!(rows[2]["Warnings"], json!([0, 1, 0, 0]));

    let later = app
        .get("/simulations/board/board?startEpoch=3")
        .await
        .json();
    assert_eq!(later["Epochs"], json!([3, 4]));
    assert_eq!(later["Processes"][0]["Statuses"], json!(["error", "ready"]));
    let bad = app.get("/simulations/board/board?endEpoch=1.5").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["title"], "Invalid integer value");
    let no_run = app.get("/simulations/none/board").await;
    assert_eq!(no_run.status, 404);
    assert_eq!(no_run.json()["title"], "Simulation not found.");
    app.cleanup().await;
}

#[tokio::test]
async fn the_grid_as_csv_has_a_line_per_filled_cell() {
    let app = seeded().await;
    let reply = app
        .get("/simulations/board/board?format=csv&endEpoch=2")
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Type"), Some("text/csv"));
    assert_eq!(
        reply.text(),
        "ProcessId;EpochNumber;Status;Messages;Warnings\r\n\
         a;1;ready;1;0\r\na;2;ready;1;0\r\n\
         b;1;ready;1;0\r\nb;2;ready;1;0\r\n\
         c;1;;1;0\r\nc;2;;1;1\r\n\
         manager;1;;1;0\r\nmanager;2;;1;0\r\n"
    );
    app.cleanup().await;
}

/// A result of `c` in `epoch`, stored after the board was first read.
fn late_result(epoch: i64) -> Vec<Document> {
    vec![doc! {
        "Type": "Result", "SourceProcessId": "c", "Topic": "energy.c", "EpochNumber": epoch,
        "Timestamp": at(epoch, 9),
    }]
}

async fn messages_of_c(app: &TestApp, query: &str) -> serde_json::Value {
    let board = app
        .get(&format!("/simulations/board/processes{query}"))
        .await
        .json();
    board[2]["Messages"].clone()
}

#[tokio::test]
async fn a_finished_runs_board_is_read_once_until_its_metadata_changes() {
    let app = seeded().await;
    let finished = doc! {"SimulationId": "board", "EndTime": at(5, 0), "Messages": 17_i64};
    app.insert("simulations", vec![finished]).await;
    assert_eq!(messages_of_c(&app, "").await, 4);
    // Stored behind the writer's back: the metadata says nothing changed, so the cached
    // board still answers, for the list, one process and the grid alike.
    app.insert("simulation_board", late_result(4)).await;
    assert_eq!(messages_of_c(&app, "").await, 4, "the cached board");
    let c = app.get("/simulations/board/processes/c").await.json();
    assert_eq!(c["Messages"], 4);
    let grid = app.get("/simulations/board/board").await.json();
    assert_eq!(grid["Processes"][2]["Messages"], json!([1, 1, 1, 1]));
    // An epoch filter is never cached.
    assert_eq!(messages_of_c(&app, "?startEpoch=1").await, 5);
    // A writer recording more of the run rewrites the metadata: a new board.
    app.db
        .collection::<Document>("simulations")
        .update_one(
            doc! {"SimulationId": "board"},
            doc! {"$set": {"Messages": 18_i64}},
        )
        .await
        .expect("metadata updated");
    assert_eq!(messages_of_c(&app, "").await, 5);
    app.cleanup().await;
}

#[tokio::test]
async fn a_running_run_and_a_zero_cache_are_read_every_time() {
    let app = seeded().await;
    let running = doc! {"SimulationId": "board", "EndTime": bson::Bson::Null};
    app.insert("simulations", vec![running]).await;
    assert_eq!(messages_of_c(&app, "").await, 4);
    app.insert("simulation_board", late_result(3)).await;
    assert_eq!(messages_of_c(&app, "").await, 5, "no EndTime: not cached");
    app.cleanup().await;

    let app = seed(spawn_app_with(&["--logreader-board-cache", "0"]).await).await;
    let finished = doc! {"SimulationId": "board", "EndTime": at(5, 0)};
    app.insert("simulations", vec![finished]).await;
    assert_eq!(messages_of_c(&app, "").await, 4);
    app.insert("simulation_board", late_result(3)).await;
    assert_eq!(messages_of_c(&app, "").await, 5, "LOGREADER_BOARD_CACHE=0");
    app.cleanup().await;
}

/// The value of the sample of `/metrics` that starts with `series`, 0 when absent.
async fn metric(app: &TestApp, series: &str) -> f64 {
    let text = app.get("/metrics").await.text();
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// The count of boards the warm-up built.
const WARMED: &str = "logreader_boards_built_total{trigger=\"warmup\"}";

/// Waits (at most a minute) until the warm-up has built a board.
async fn wait_for_a_warmed_board(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while metric(app, WARMED).await < 1.0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no board warmed in 60 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_last_finished_runs_board_is_built_before_it_is_asked_for() {
    let app = seed(spawn_app_with(&["--logreader-board-warmup", "1"]).await).await;
    let finished = doc! {"SimulationId": "board", "EndTime": at(5, 0), "Messages": 17_i64};
    app.insert("simulations", vec![finished]).await;
    // Finished before it: not the one latest run, so never warmed.
    let older = doc! {"SimulationId": "older", "EndTime": at(4, 0), "Messages": 0_i64};
    app.insert("simulations", vec![older]).await;
    wait_for_a_warmed_board(&app).await;
    // Stored behind the writer's back after the warm-up: the warmed board answers.
    app.insert("simulation_board", late_result(4)).await;
    assert_eq!(messages_of_c(&app, "").await, 4, "the warmed board");
    assert_eq!(metric(&app, "logreader_board_cache_hits_total").await, 1.0);
    let asked = "logreader_boards_built_total{trigger=\"request\"}";
    assert_eq!(metric(&app, asked).await, 0.0, "no request read the run");
    assert_eq!(metric(&app, WARMED).await, 1.0, "warmed once");
    app.cleanup().await;
}

#[tokio::test]
async fn without_warm_up_the_first_request_reads_the_run() {
    let app = seed(spawn_app_with(&["--logreader-board-warmup", "0"]).await).await;
    let finished = doc! {"SimulationId": "board", "EndTime": at(5, 0)};
    app.insert("simulations", vec![finished]).await;
    assert_eq!(messages_of_c(&app, "").await, 4);
    let asked = "logreader_boards_built_total{trigger=\"request\"}";
    assert_eq!(metric(&app, asked).await, 1.0, "the request read the run");
    assert_eq!(metric(&app, WARMED).await, 0.0);
    app.cleanup().await;
}

#[tokio::test]
async fn a_run_whose_board_fails_is_skipped_and_the_others_are_warmed() {
    let app = seed(spawn_app_with(&["--logreader-board-warmup", "2"]).await).await;
    let board = doc! {"SimulationId": "board", "EndTime": at(5, 0)};
    app.insert("simulations", vec![board]).await;
    // Finished last, but no collection can be named after its id: its board fails on the
    // server (InvalidNamespace) at every pass, and must not keep the others cold.
    let bad = doc! {"SimulationId": "bad$run", "EndTime": at(6, 0)};
    app.insert("simulations", vec![bad]).await;
    wait_for_a_warmed_board(&app).await;
    assert_eq!(messages_of_c(&app, "").await, 4);
    assert_eq!(
        metric(&app, "logreader_board_cache_hits_total").await,
        1.0,
        "warmed"
    );
    assert_eq!(metric(&app, WARMED).await, 1.0);
    app.cleanup().await;
}
