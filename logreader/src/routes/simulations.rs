//! `GET /simulations` and `GET /simulations/{simId}` (docs/spec/logreader.md §4.1, §4.2).

use axum::response::Response;
use futures_util::StreamExt;

use super::stream;
use crate::error::ApiError;
use crate::export::json;
use crate::query::{filter, request, QueryParams, SimulationsQuery};
use crate::state::AppState;

/// The metadata documents, optionally filtered by `StartTime`, in natural order.
pub async fn list_simulations(
    state: &AppState,
    params: &QueryParams,
) -> Result<Response, ApiError> {
    let query = SimulationsQuery::parse(params)?;
    let filter = filter::simulations_filter(query.from, query.to);
    tracing::debug!(%filter, "Listing simulations.");
    let cursor = state.store.simulations(filter).await?;
    let pretty = request::pretty(params);
    Ok(stream::list(cursor.boxed(), query.format, pretty))
}

/// One metadata document, or 404 when there is none. Only `pretty` is read.
pub async fn get_simulation(
    state: &AppState,
    id: &str,
    params: &QueryParams,
) -> Result<Response, ApiError> {
    let document = state
        .store
        .simulation(id)
        .await?
        .ok_or_else(|| ApiError::SimulationNotFound(id.to_owned()))?;
    let body = json::document_to_json(&document, request::pretty(params));
    Ok(super::body_response("application/json", body))
}
