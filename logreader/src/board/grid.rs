//! The board as a grid (docs/spec/logreader.md §16.3): processes as rows, epochs as columns,
//! each cell the status the process held in that epoch by its history (§16.2) and the counts
//! of its messages there. What the web UI's board page draws; bounded by processes × epochs.

use std::collections::BTreeSet;

use bson::{doc, Bson, Document};

use super::{count_of, Board, ProcessBoard};

/// One process in one epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// The status of the history span holding the epoch; `None` before the first `Status`
    /// message and after the last span.
    pub status: Option<String>,
    /// The process's messages with this `EpochNumber`.
    pub messages: u64,
    /// Those of them with a non-empty `Warnings` array.
    pub warnings: u64,
}

/// One process: its current status and a cell per column of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridRow {
    /// The `SourceProcessId`.
    pub id: String,
    /// The status now (§16.1's `Status`).
    pub status: Option<String>,
    /// One cell per epoch of [`Grid::epochs`], in the same order.
    pub cells: Vec<Cell>,
}

/// The whole grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// The columns: the run's selected epochs and every epoch in which a process sent a
    /// message, ascending.
    pub epochs: Vec<i64>,
    /// The rows, by `ProcessId`.
    pub rows: Vec<GridRow>,
}

impl Grid {
    /// The grid of `board`. A `Status` message counts as a message of its epoch, so the
    /// epochs with messages include every status epoch.
    pub fn new(board: &Board) -> Self {
        let mut columns: BTreeSet<i64> = board.epochs.iter().copied().collect();
        for process in &board.processes {
            columns.extend(process.tally.per_epoch.keys());
        }
        let epochs: Vec<i64> = columns.into_iter().collect();
        let rows = board.processes.iter().map(|p| row(p, &epochs)).collect();
        Self { epochs, rows }
    }

    /// The JSON body: `{Epochs, Processes: [{ProcessId, Status, Statuses, Messages,
    /// Warnings}]}`, the last three arrays aligned with `Epochs`.
    pub fn to_document(&self) -> Document {
        let rows: Vec<Bson> = self
            .rows
            .iter()
            .map(|row| {
                let column = |value: fn(&Cell) -> Bson| -> Vec<Bson> {
                    row.cells.iter().map(value).collect()
                };
                Bson::Document(doc! {
                    "ProcessId": &row.id,
                    "Status": optional_text(row.status.as_deref()),
                    "Statuses": column(|cell| optional_text(cell.status.as_deref())),
                    "Messages": column(|cell| Bson::Int64(count_of(cell.messages))),
                    "Warnings": column(|cell| Bson::Int64(count_of(cell.warnings))),
                })
            })
            .collect();
        doc! { "Epochs": self.epochs.clone(), "Processes": rows }
    }

    /// The CSV rows: one per cell with a status or a message, by process then epoch, as
    /// `{ProcessId, EpochNumber, Status, Messages, Warnings}`.
    pub fn cell_documents(&self) -> Vec<Document> {
        let mut documents = Vec::new();
        for row in &self.rows {
            for (&epoch, cell) in self.epochs.iter().zip(&row.cells) {
                if cell.status.is_none() && cell.messages == 0 {
                    continue;
                }
                documents.push(doc! {
                    "ProcessId": &row.id,
                    "EpochNumber": epoch,
                    "Status": optional_text(cell.status.as_deref()),
                    "Messages": count_of(cell.messages),
                    "Warnings": count_of(cell.warnings),
                });
            }
        }
        documents
    }
}

/// One row: the history's spans laid over the columns (both ascending, so one merge).
fn row(process: &ProcessBoard, epochs: &[i64]) -> GridRow {
    let history = process.history();
    let mut spans = history.iter().peekable();
    let cells = epochs
        .iter()
        .map(|&epoch| {
            while spans.next_if(|span| span.to < epoch).is_some() {}
            let status = spans
                .peek()
                .filter(|span| span.from <= epoch)
                .map(|span| span.status.clone());
            let counts = process
                .tally
                .per_epoch
                .get(&epoch)
                .copied()
                .unwrap_or_default();
            Cell {
                status,
                messages: counts.messages,
                warnings: counts.warnings,
            }
        })
        .collect();
    GridRow {
        id: process.id.clone(),
        status: process.status().map(str::to_owned),
        cells,
    }
}

fn optional_text(text: Option<&str>) -> Bson {
    text.map_or(Bson::Null, |text| Bson::String(text.to_owned()))
}
