//! `GET /simulations/{simId}/messages` and `…/messages/invalid` (docs/spec/logreader.md §4.3, §4.4).

use axum::response::Response;

use super::stream;
use crate::error::ApiError;
use crate::query::filter::TopicCheck;
use crate::query::{
    filter, request, InvalidMessagesQuery, MessageSelection, MessagesQuery, QueryParams,
};
use crate::state::AppState;
use crate::store::Page;

/// Valid messages, filtered, sorted, paged and streamed.
pub async fn list_messages(
    state: &AppState,
    id: &str,
    params: &QueryParams,
) -> Result<Response, ApiError> {
    let query = MessagesQuery::parse(params)?;
    ensure_exists(state, id).await?;
    let epochs = if query.epochs.needs_epoch_documents() {
        state.store.epoch_documents(id).await?
    } else {
        Vec::new()
    };
    let selection = MessageSelection {
        epochs: query.epochs.resolve(&epochs),
        processes: query.processes,
        topic: query.topic,
        only_warnings: query.only_warnings,
        fields: query.fields,
    };
    let pretty = request::pretty(params);
    let Some(filter) = filter::message_filter(&selection) else {
        return Ok(stream::empty_list(query.format));
    };
    tracing::debug!(%filter, "Listing messages.");
    let page = Page {
        skip: query.skip,
        limit: query.limit,
    };
    let check = TopicCheck::for_pattern(selection.topic.as_deref());
    let database_page = stream::database_page(check.as_ref(), page);
    let cursor = state.store.messages(id, filter, database_page).await?;
    let documents = stream::confirmed(cursor, check, page);
    Ok(stream::list(documents, query.format, pretty))
}

/// Invalid messages, filtered by topic, sorted, paged and streamed.
pub async fn list_invalid_messages(
    state: &AppState,
    id: &str,
    params: &QueryParams,
) -> Result<Response, ApiError> {
    let query = InvalidMessagesQuery::parse(params)?;
    ensure_exists(state, id).await?;
    let filter = filter::invalid_filter(query.topic.as_deref(), query.fields.as_ref());
    tracing::debug!(%filter, "Listing invalid messages.");
    let page = Page {
        skip: query.skip,
        limit: query.limit,
    };
    let check = TopicCheck::for_pattern(query.topic.as_deref());
    let database_page = stream::database_page(check.as_ref(), page);
    let cursor = state
        .store
        .invalid_messages(id, filter, database_page)
        .await?;
    let documents = stream::confirmed(cursor, check, page);
    Ok(stream::list(
        documents,
        query.format,
        request::pretty(params),
    ))
}

/// 404 unless the simulation's valid or invalid collection exists (§1).
pub(super) async fn ensure_exists(state: &AppState, id: &str) -> Result<(), ApiError> {
    if state.store.simulation_exists(id).await? {
        Ok(())
    } else {
        Err(ApiError::SimulationNotFound(id.to_owned()))
    }
}
