//! The run health board of a request or of the warm-up (docs/spec/logreader.md §16): a
//! finished run's whole board from memory (§16.4) where one is kept or worth keeping, else
//! computed from one unsorted scan of the run's messages with only the board's fields.

use std::sync::Arc;

use bson::DateTime;
use futures_util::TryStreamExt;

use crate::board::{Board, BoardBuilder};
use crate::board_cache::{CacheKey, Origin};
use crate::error::ApiError;
use crate::http_metrics::BoardTrigger;
use crate::query::{epochs, filter, EpochRequest, MessageSelection};
use crate::state::AppState;

/// The board of the selected `epochs` of run `id`: the whole run's from the cache when it
/// is finished and every epoch is asked for, else computed for those epochs and, when
/// `process` is given, for that process alone.
pub async fn board(
    state: &AppState,
    id: &str,
    epochs: &EpochRequest,
    process: Option<&str>,
) -> Result<Arc<Board>, ApiError> {
    let key = if epochs.is_everything() && state.boards.enabled() {
        let metadata = state.store.simulation(id).await?;
        metadata.and_then(|metadata| CacheKey::finished(id, &metadata))
    } else {
        None
    };
    let Some(key) = key else {
        let board = build(state, id, epochs, process).await?;
        state.metrics.board_built(BoardTrigger::Request);
        return Ok(Arc::new(board));
    };
    let (board, origin) = kept_or_built(state, key, BoardTrigger::Request).await?;
    if origin == Origin::Kept {
        tracing::debug!(simulation = id, "Board served from memory.");
        state.metrics.board_kept();
    }
    Ok(board)
}

/// The whole board of the finished run of `key`, kept in the cache: the one already kept,
/// else computed now (counted under `trigger` once it is complete).
pub async fn kept_or_built(
    state: &AppState,
    key: CacheKey,
    trigger: BoardTrigger,
) -> Result<(Arc<Board>, Origin), ApiError> {
    let id = key.simulation().to_owned();
    let build = async {
        let board = build(state, &id, &EpochRequest::everything(), None).await?;
        state.metrics.board_built(trigger);
        Ok(board)
    };
    state.boards.get_or_build(key, build).await
}

/// The board of the selected epochs, of every process or of one, from one scan.
async fn build(
    state: &AppState,
    id: &str,
    epochs: &EpochRequest,
    process: Option<&str>,
) -> Result<Board, ApiError> {
    let epoch_documents = state.store.epoch_documents(id).await?;
    let condition = epochs.resolve(&epoch_documents);
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
