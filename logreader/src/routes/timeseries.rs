//! `GET /simulations/{simId}/timeseries` (docs/spec/logreader.md §4.5, §10, §11). The series is
//! built from the source messages one epoch at a time into a compact column store, and then
//! rendered straight into the response body in chunks (the CSV header needs every column,
//! so rendering waits for the last message). `X-Skipped-Values` is known before the first
//! byte; there is no `Content-Length`.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use futures_util::TryStreamExt;

use super::messages::ensure_exists;
use super::stream;
use crate::error::ApiError;
use crate::export::timeseries::{self, TimeSeries, TimeSeriesBuilder};
use crate::query::filter::{self, TopicCheck};
use crate::query::{
    epochs, request, Format, Layout, MessageSelection, QueryParams, TimeseriesQuery,
};
use crate::state::AppState;

/// Builds the time series of the selected messages and streams it as JSON or CSV. A `HEAD`
/// request gets the same headers without rendering anything.
pub async fn export_timeseries(
    state: &AppState,
    id: &str,
    params: &QueryParams,
    head: bool,
) -> Result<Response, ApiError> {
    let query = TimeseriesQuery::parse(params)?;
    ensure_exists(state, id).await?;
    let series = build(state, id, &query).await?;
    let skipped = HeaderValue::from(series.skipped());
    let pretty = request::pretty(params);
    let content_type = match query.format {
        Format::Json => "application/json",
        Format::Csv => "text/csv",
    };
    let body = render(head, series, &query, pretty);
    let mut response = super::body_response(content_type, body);
    response
        .headers_mut()
        .insert(HeaderName::from_static(super::SKIPPED_VALUES), skipped);
    Ok(response)
}

/// The body: the rendering, produced on a blocking thread, or for `HEAD` an empty stream,
/// so the headers (chunked, no `Content-Length`) are those of the `GET`.
fn render(head: bool, series: TimeSeries, query: &TimeseriesQuery, pretty: bool) -> Body {
    if head {
        return Body::from_stream(futures_util::stream::empty::<Result<Bytes, Infallible>>());
    }
    let (format, layout) = (query.format, query.layout);
    stream::rendered(move |out, flush| match (format, layout) {
        (Format::Json, _) => series.write_json(pretty, out, flush),
        (Format::Csv, Layout::Wide) => series.write_csv(out, flush),
        (Format::Csv, Layout::Long) => series.write_long_csv(out, flush),
    })
}

/// Feeds the source messages (§10.1, in §8 order) from the cursor into the builder. Only
/// the fields the builder reads are fetched.
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
        fields: query.fields.clone(),
    };
    if let Some(filter) = filter::message_filter(&selection) {
        tracing::debug!(%filter, "Building time series.");
        let check = TopicCheck::for_pattern(selection.topic.as_deref());
        let projection = filter::timeseries_projection(&timeseries::first_parts(&attrs));
        let mut cursor = state
            .store
            .timeseries_sources(id, filter, projection)
            .await?;
        while let Some(message) = cursor.try_next().await.map_err(ApiError::from_database)? {
            if check.as_ref().is_none_or(|check| check.accepts(&message)) {
                builder.push(message);
            }
        }
    }
    Ok(builder.finish())
}
