//! `GET /simulations/{simId}/processes`, `…/processes/{processId}` and `…/board`
//! (docs/spec/logreader.md §16): the run health board ([`crate::boards`]) as JSON or as CSV
//! (the dialect of §11).

use axum::response::Response;
use bson::{Bson, Document};

use super::messages::ensure_exists;
use crate::board::{Grid, ProcessBoard};
use crate::boards::board;
use crate::error::ApiError;
use crate::export::{csv, json};
use crate::query::{request, Format, ProcessesQuery, QueryParams};
use crate::state::AppState;

/// Every process's summary, sorted by `ProcessId`.
pub async fn list_processes(
    state: &AppState,
    id: &str,
    params: &QueryParams,
) -> Result<Response, ApiError> {
    let query = ProcessesQuery::parse(params)?;
    ensure_exists(state, id).await?;
    let board = board(state, id, &query.epochs, None).await?;
    let summaries: Vec<Document> = board.processes.iter().map(ProcessBoard::summary).collect();
    if query.format == Format::Csv {
        return Ok(csv_response(&SUMMARY_COLUMNS, &summaries));
    }
    let array = Bson::Array(summaries.into_iter().map(Bson::Document).collect());
    let body = json::to_json(&array, request::pretty(params));
    Ok(super::body_response("application/json", body))
}

/// One process's summary with its changes and history; 404 when it sent no message.
pub async fn get_process(
    state: &AppState,
    id: &str,
    process: &str,
    params: &QueryParams,
) -> Result<Response, ApiError> {
    let query = ProcessesQuery::parse(params)?;
    ensure_exists(state, id).await?;
    let board = board(state, id, &query.epochs, Some(process)).await?;
    let Some(found) = board.process(process) else {
        return Err(ApiError::ProcessNotFound {
            simulation: id.to_owned(),
            process: process.to_owned(),
        });
    };
    let detail = found.detail();
    if query.format == Format::Csv {
        let changes: Vec<Document> = detail
            .get_array("Changes")
            .map(|changes| {
                changes
                    .iter()
                    .filter_map(Bson::as_document)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        return Ok(csv_response(&CHANGE_COLUMNS, &changes));
    }
    let body = json::document_to_json(&detail, request::pretty(params));
    Ok(super::body_response("application/json", body))
}

/// Every process's status and message counts per epoch, as a grid (§16.3).
pub async fn board_grid(
    state: &AppState,
    id: &str,
    params: &QueryParams,
) -> Result<Response, ApiError> {
    let query = ProcessesQuery::parse(params)?;
    ensure_exists(state, id).await?;
    let grid = Grid::new(&*board(state, id, &query.epochs, None).await?);
    if query.format == Format::Csv {
        return Ok(csv_response(&CELL_COLUMNS, &grid.cell_documents()));
    }
    let body = json::document_to_json(&grid.to_document(), request::pretty(params));
    Ok(super::body_response("application/json", body))
}

/// The CSV columns of `/processes`: one line per process.
const SUMMARY_COLUMNS: [&str; 8] = [
    "ProcessId",
    "Status",
    "StatusEpoch",
    "Messages",
    "Warnings",
    "FirstTimestamp",
    "LastTimestamp",
    "Topics",
];

/// The CSV columns of `/processes/{processId}`: its change log, one line per change.
const CHANGE_COLUMNS: [&str; 6] = [
    "EpochNumber",
    "Timestamp",
    "Status",
    "MessageId",
    "Description",
    "Warnings",
];

/// The CSV columns of `/board`: one line per cell with a status or a message.
const CELL_COLUMNS: [&str; 5] = ["ProcessId", "EpochNumber", "Status", "Messages", "Warnings"];

/// A §11 CSV body: the header, then one line per document with the §11 text of each
/// column's value (empty when absent or `null`; `Topics` and `Warnings` as compact JSON).
fn csv_response(columns: &[&str], rows: &[Document]) -> Response {
    let mut body = String::new();
    csv::write_record(&mut body, columns);
    for row in rows {
        let cells = columns
            .iter()
            .map(|column| row.get(*column).map(csv::format_cell).unwrap_or_default());
        csv::write_record(&mut body, cells);
    }
    super::body_response("text/csv", body)
}
