//! The status rules of docs/spec/logreader.md §16 on hand-made runs.

use bson::{doc, oid::ObjectId, Bson, DateTime, Document};

use super::*;

fn at(second: i64) -> DateTime {
    DateTime::from_millis(1_591_156_800_000 + second * 1000)
}

fn status(process: &str, epoch: i64, value: &str, second: i64) -> Document {
    doc! {
        "_id": ObjectId::new(), "Type": "Status", "SourceProcessId": process,
        "Topic": format!("Status.{value}"), "EpochNumber": epoch, "Timestamp": at(second),
        "MessageId": format!("{process}-{epoch}-{second}"), "Value": value,
    }
}

fn result(process: &str, epoch: i64, second: i64, warnings: Bson) -> Document {
    doc! {
        "_id": ObjectId::new(), "Type": "Result", "SourceProcessId": process,
        "Topic": "energy", "EpochNumber": epoch, "Timestamp": at(second), "Warnings": warnings,
    }
}

/// Epochs 1..=last, epoch `e` starting at second `100 e`.
fn run(last: i64) -> BoardBuilder {
    BoardBuilder::new((1..=last).map(|e| (e, Some(at(100 * e)))))
}

fn board(builder: BoardBuilder, messages: &[Document]) -> Vec<ProcessBoard> {
    whole_board(builder, messages).processes
}

fn whole_board(builder: BoardBuilder, messages: &[Document]) -> Board {
    let mut builder = builder;
    for message in messages {
        builder.push(message);
    }
    builder.finish()
}

fn statuses(process: &ProcessBoard) -> Vec<(i64, &str)> {
    process
        .changes
        .iter()
        .map(|c| (c.epoch, c.status.as_str()))
        .collect()
}

#[test]
fn the_last_status_of_an_epoch_counts_and_equal_epochs_are_no_change() {
    let messages = [
        status("a", 1, "ready", 110),
        status("a", 2, "error", 210),
        status("a", 2, "ready", 220),
        status("a", 3, "ready", 310),
        status("a", 4, "error", 410),
    ];
    let board = board(run(4), &messages);
    let a = &board[0];
    assert_eq!(statuses(a), [(1, "ready"), (4, "error")]);
    assert_eq!((a.status(), a.status_epoch()), (Some("error"), Some(4)));
    let spans: Vec<_> = a
        .history()
        .iter()
        .map(|s| (s.from, s.to, s.status.clone()))
        .collect();
    assert_eq!(
        spans,
        [(1, 3, "ready".to_owned()), (4, 4, "error".to_owned())]
    );
}

#[test]
fn a_process_is_silent_after_its_last_status_until_the_run_ends() {
    let messages = [status("a", 1, "ready", 110), status("a", 2, "ready", 210)];
    let board = board(run(5), &messages);
    let a = &board[0];
    assert_eq!(statuses(a), [(1, "ready"), (3, SILENT)]);
    let silent = &a.changes[1];
    assert_eq!(silent.timestamp, Some(at(300)), "the epoch's start");
    assert_eq!(a.status(), Some(SILENT));
    assert_eq!(a.status_epoch(), Some(2));
    let detail = a.detail();
    let changes = detail.get_array("Changes").unwrap();
    let last = changes[1].as_document().unwrap();
    assert!(!last.contains_key("MessageId"));
    let history = detail.get_array("History").unwrap();
    assert_eq!(
        history[1].as_document().unwrap(),
        &doc! {"FromEpoch": 3_i64, "ToEpoch": 5_i64, "Status": "silent"}
    );
}

#[test]
fn counts_timestamps_topics_and_processes_without_status() {
    let messages = [
        result("b", 1, 150, Bson::Array(vec![Bson::String("w".into())])),
        result("b", 1, 120, Bson::Array(Vec::new())),
        result("b", 2, 250, Bson::Null),
        status("a", 1, "ready", 110),
        doc! {"Topic": "SimState", "Timestamp": at(1)},
    ];
    let board = board(run(2), &messages);
    let ids: Vec<&str> = board.iter().map(ProcessBoard::id).collect();
    assert_eq!(ids, ["a", "b"], "sorted, and nothing without a process");
    let b = board[1].summary();
    assert_eq!(b.get("Status"), Some(&Bson::Null));
    assert_eq!(b.get("StatusEpoch"), Some(&Bson::Null));
    assert_eq!(b.get_i64("Messages"), Ok(3));
    assert_eq!(b.get_i64("Warnings"), Ok(1));
    assert_eq!(b.get_datetime("FirstTimestamp"), Ok(&at(120)));
    assert_eq!(b.get_datetime("LastTimestamp"), Ok(&at(250)));
    assert_eq!(b.get_document("Topics"), Ok(&doc! {"energy": 3_i64}));
}

#[test]
fn a_status_in_the_last_epoch_is_not_silent_and_input_order_does_not_matter() {
    let mut messages = vec![
        status("a", 2, "error", 210),
        status("a", 1, "ready", 110),
        status("a", 2, "ready", 200),
    ];
    let forward = board(run(2), &messages);
    messages.reverse();
    let backward = board(run(2), &messages);
    for board in [forward, backward] {
        assert_eq!(statuses(&board[0]), [(1, "ready"), (2, "error")]);
        assert_eq!(board[0].status(), Some("error"));
    }
}

#[test]
fn status_messages_need_a_string_value_and_an_epoch() {
    let mut no_epoch = status("a", 1, "ready", 110);
    no_epoch.remove("EpochNumber");
    let mut number = status("a", 1, "ready", 120);
    number.insert("Value", 1);
    let board = board(run(1), &[no_epoch, number]);
    assert_eq!(board[0].status(), None);
    assert_eq!(board[0].summary().get_i64("Messages"), Ok(2));
}

#[test]
fn extreme_epoch_numbers_neither_overflow_nor_invent_a_silence() {
    let messages = [status("a", i64::MAX, "ready", 10)];
    let board = board(BoardBuilder::new([(1, None), (i64::MAX, None)]), &messages);
    assert_eq!(statuses(&board[0]), [(i64::MAX, "ready")]);
    let spans: Vec<_> = board[0].history().iter().map(|s| (s.from, s.to)).collect();
    assert_eq!(spans, [(i64::MAX, i64::MAX)]);
}

#[test]
fn the_grid_lays_each_history_over_every_epoch_with_the_counts_of_its_cell() {
    let warned = Bson::Array(vec![Bson::String("w".into())]);
    let messages = [
        status("a", 1, "ready", 110),
        result("a", 2, 210, warned),
        status("a", 3, "error", 310),
        result("b", 0, 10, Bson::Null),
        result("b", 2, 220, Bson::Array(Vec::new())),
    ];
    let grid = Grid::new(&whole_board(run(4), &messages));
    assert_eq!(
        grid.epochs,
        [0, 1, 2, 3, 4],
        "run epochs and message epochs"
    );
    let cell = |status: Option<&str>, messages, warnings| Cell {
        status: status.map(str::to_owned),
        messages,
        warnings,
    };
    let a = &grid.rows[0];
    assert_eq!((a.id.as_str(), a.status.as_deref()), ("a", Some(SILENT)));
    assert_eq!(
        a.cells,
        [
            cell(None, 0, 0),
            cell(Some("ready"), 1, 0),
            cell(Some("ready"), 1, 1),
            cell(Some("error"), 1, 0),
            cell(Some(SILENT), 0, 0),
        ],
        "a gap keeps the status; silent after the last Status message"
    );
    let b = &grid.rows[1];
    assert_eq!(b.status, None);
    let b_cells: Vec<_> = b
        .cells
        .iter()
        .map(|c| (c.status.clone(), c.messages))
        .collect();
    assert_eq!(
        b_cells,
        [(None, 1), (None, 0), (None, 1), (None, 0), (None, 0)]
    );

    let document = grid.to_document();
    let rows = document.get_array("Processes").unwrap();
    let first = rows[0].as_document().unwrap();
    let statuses = first.get_array("Statuses").unwrap();
    assert_eq!(statuses[0], Bson::Null);
    assert_eq!(statuses[3], Bson::String("error".into()));
    assert_eq!(first.get_array("Warnings").unwrap()[2], Bson::Int64(1));
    let cells: Vec<(String, i64)> = grid
        .cell_documents()
        .iter()
        .map(|c| {
            (
                c.get_str("ProcessId").unwrap().to_owned(),
                c.get_i64("EpochNumber").unwrap(),
            )
        })
        .collect();
    let expected = [("a", 1), ("a", 2), ("a", 3), ("a", 4), ("b", 0), ("b", 2)];
    let expected: Vec<(String, i64)> = expected
        .iter()
        .map(|(p, e)| ((*p).to_owned(), *e))
        .collect();
    assert_eq!(cells, expected, "only cells with a status or a message");
}

#[test]
fn a_change_reports_its_message_fields_exactly_and_any_value_is_a_status() {
    let mut failing = status("a", 2, "error", 210);
    failing.insert("Description", "solver diverged");
    failing.insert("Warnings", vec![Bson::String("warning.convergence".into())]);
    failing.insert("MessageId", 42_i64);
    let messages = [
        status("a", 1, "maintenance", 110),
        failing,
        status("b", 1, "maintenance", 120),
    ];
    let board = board(run(2), &messages);
    assert_eq!(statuses(&board[0]), [(1, "maintenance"), (2, "error")]);
    assert_eq!(statuses(&board[1]), [(1, "maintenance"), (2, SILENT)]);
    let detail = board[0].detail();
    let change = detail.get_array("Changes").unwrap()[1]
        .as_document()
        .unwrap();
    assert_eq!(change.get("MessageId"), Some(&Bson::Int64(42)));
    assert_eq!(change.get_str("Description"), Ok("solver diverged"));
    assert_eq!(
        change.get_array("Warnings").unwrap(),
        &vec![Bson::String("warning.convergence".into())]
    );
}
