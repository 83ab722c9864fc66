//! The operator's endpoints: `/health`, `/ready` and `/metrics` (docs/spec/logreader.md
//! §13.4).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use common::metrics::CONTENT_TYPE;

use crate::state::AppState;

/// Always 200 while the process serves HTTP; never touches the database.
pub fn health() -> Response {
    super::body_response("application/json", r#"{"status":"ok"}"#)
}

/// 200 when the database answers `ping` within 2 s, 503 otherwise.
pub async fn ready(state: &AppState) -> Response {
    if state.store.ping().await {
        super::body_response("application/json", r#"{"status":"ready"}"#)
    } else {
        let mut response = super::body_response("application/json", r#"{"status":"unavailable"}"#);
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        response.into_response()
    }
}

/// `/metrics`: the request counts and latencies in the Prometheus text format.
pub fn metrics(state: &AppState) -> Response {
    super::body_response(CONTENT_TYPE, state.metrics.render())
}
