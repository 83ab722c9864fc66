//! `GET /simulations/{simId}/timeseries` (docs/spec/logreader.md §4.5, §10, §11). The series is built
//! in memory, because the CSV header needs every column first, and sent with
//! `Content-Length` and `X-Skipped-Values`.

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use futures_util::TryStreamExt;

use super::messages::ensure_exists;
use crate::error::ApiError;
use crate::export::timeseries::{self, TimeSeries, TimeSeriesBuilder};
use crate::query::filter::TopicCheck;
use crate::query::{
    epochs, filter, request, Format, MessageSelection, QueryParams, TimeseriesQuery,
};
use crate::state::AppState;

/// Builds the time series of the selected messages and renders it as JSON or CSV.
pub async fn export_timeseries(
    state: &AppState,
    id: &str,
    params: &QueryParams,
) -> Result<Response, ApiError> {
    let query = TimeseriesQuery::parse(params)?;
    ensure_exists(state, id).await?;
    let series = build(state, id, &query).await?;
    let (content_type, body) = match query.format {
        Format::Json => ("application/json", series.to_json(request::pretty(params))),
        Format::Csv => ("text/csv", series.to_csv()),
    };
    let mut response = super::body_response(content_type, body);
    response.headers_mut().insert(
        HeaderName::from_static(super::SKIPPED_VALUES),
        HeaderValue::from(series.skipped()),
    );
    Ok(response)
}

/// Feeds the source messages (§10.1, in §8 order) from the cursor into the builder, so
/// only the fields the paths reach are held in memory.
async fn build(
    state: &AppState,
    id: &str,
    query: &TimeseriesQuery,
) -> Result<TimeSeries, ApiError> {
    let epoch_documents = state.store.epoch_documents(id).await?;
    let attrs = timeseries::parse_attrs(&query.attrs);
    let starts = epochs::start_times(&epoch_documents);
    let mut builder = TimeSeriesBuilder::new(&attrs, &starts);
    let selection = MessageSelection {
        epochs: query.epochs.resolve(&epoch_documents),
        processes: query.processes.clone(),
        topic: query.topic.clone(),
        only_warnings: false,
    };
    if let Some(filter) = filter::message_filter(&selection) {
        tracing::debug!(%filter, "Building time series.");
        let check = TopicCheck::for_pattern(selection.topic.as_deref());
        let mut cursor = state.store.timeseries_sources(id, filter).await?;
        while let Some(message) = cursor.try_next().await.map_err(ApiError::from_database)? {
            if check.as_ref().is_none_or(|check| check.accepts(&message)) {
                builder.push(message);
            }
        }
    }
    Ok(builder.finish())
}
