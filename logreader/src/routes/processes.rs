//! `GET /simulations/{simId}/processes`, `…/processes/{processId}` and `…/board`
//! (docs/spec/logreader.md §16): the run health board, from one unsorted pass over the run's
//! messages with only the board's fields, as JSON or as CSV (the dialect of §11).

use std::sync::Arc;

use axum::response::Response;
use bson::{Bson, DateTime, Document};
use futures_util::TryStreamExt;

use super::messages::ensure_exists;
use crate::board::{Board, BoardBuilder, Grid, ProcessBoard};
use crate::board_cache::CacheKey;
use crate::error::ApiError;
use crate::export::{csv, json};
use crate::query::{
    epochs, filter, request, Format, MessageSelection, ProcessesQuery, QueryParams,
};
use crate::state::AppState;

/// Every process's summary, sorted by `ProcessId`.
pub async fn list_processes(
    state: &AppState,
    id: &str,
    params: &QueryParams,
) -> Result<Response, ApiError> {
    let query = ProcessesQuery::parse(params)?;
    ensure_exists(state, id).await?;
    let board = board(state, id, &query, None).await?;
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
    let board = board(state, id, &query, Some(process)).await?;
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
    let grid = Grid::new(&*board(state, id, &query, None).await?);
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

/// The board of the request: a finished run's whole board from the cache (§16.4), where
/// one is kept or is worth keeping, else computed for the selected epochs and, for one
/// process's request, for that process alone.
async fn board(
    state: &AppState,
    id: &str,
    query: &ProcessesQuery,
    process: Option<&str>,
) -> Result<Arc<Board>, ApiError> {
    let key = if query.epochs.is_everything() && state.boards.enabled() {
        let metadata = state.store.simulation(id).await?;
        metadata.and_then(|metadata| CacheKey::finished(id, &metadata))
    } else {
        None
    };
    let Some(key) = key else {
        return Ok(Arc::new(build(state, id, query, process).await?));
    };
    if let Some(board) = state.boards.get(&key) {
        tracing::debug!(simulation = id, "Board served from the cache.");
        return Ok(board);
    }
    let board = Arc::new(build(state, id, query, None).await?);
    state.boards.insert(key, Arc::clone(&board));
    Ok(board)
}

/// The board of the selected epochs, of every process or of one, from one scan.
async fn build(
    state: &AppState,
    id: &str,
    query: &ProcessesQuery,
    process: Option<&str>,
) -> Result<Board, ApiError> {
    let epoch_documents = state.store.epoch_documents(id).await?;
    let condition = query.epochs.resolve(&epoch_documents);
    let run_epochs = epochs::start_times(&epoch_documents)
        .into_iter()
        .filter(|(number, _)| condition.contains(*number))
        .map(|(number, start)| (number, Some(DateTime::from_millis(start))));
    let mut builder = BoardBuilder::new(run_epochs);
    let selection = MessageSelection {
        epochs: condition,
        processes: process.map(|process| vec![process.to_owned()]),
        topic: None,
        only_warnings: false,
        fields: None,
    };
    if let Some(filter) = filter::message_filter(&selection) {
        tracing::debug!(%filter, "Building the run health board.");
        let mut cursor = state.store.board_sources(id, filter).await?;
        while let Some(message) = cursor.try_next().await.map_err(ApiError::from_database)? {
            builder.push(&message);
        }
    }
    Ok(builder.finish())
}
