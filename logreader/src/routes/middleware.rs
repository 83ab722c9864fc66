//! The request time limit (docs/spec/logreader.md §13.8) and request logging: the Apache
//! combined access log (§14), the log lines of failed requests (WARN for a database outage or
//! a time limit, ERROR for an internal fault), and the request metrics served at `/metrics`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use futures_util::StreamExt;

use super::path;
use crate::error::{ApiError, FailureCause, TimeLimit};
use crate::http_metrics::{HttpMetrics, OTHER_ROUTE};

/// Longest request target accepted (414 beyond).
pub const MAX_URI_BYTES: usize = 32 * 1024;
/// Largest total of request header lines accepted (431 beyond). A head larger than hyper's
/// own buffer (about 400 KiB) is refused by hyper; `serve` gives that answer the same body.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Refuses request heads over the limits with the JSON error body of every other error.
pub async fn limit_head(request: Request, next: Next) -> Response {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if uri > MAX_URI_BYTES {
        return ApiError::UriTooLong.into_response();
    }
    if headers > MAX_HEADER_BYTES {
        return ApiError::HeadersTooLarge.into_response();
    }
    next.run(request).await
}

/// Answers 503 with the JSON error body when the response head is not ready within `limit`
/// (`LOGREADER_REQUEST_TIMEOUT`). tower-http's `TimeoutLayer` would answer with an empty
/// body, and §3.4 wants the JSON one. Dropping the handler drops any database operation in
/// flight; the driver then closes that connection rather than reuse it half-read.
pub async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::TimedOut(TimeLimit::Request).into_response(),
    }
}

/// `X-Content-Type-Options: nosniff` on every response, so a browser never guesses another
/// type than the one declared (an exported CSV or JSON is never run as a script or page).
pub async fn no_sniff(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let value = header::HeaderValue::from_static("nosniff");
    response
        .headers_mut()
        .insert(header::X_CONTENT_TYPE_OPTIONS, value);
    response
}

/// Logs the cause a failed response carries (see [`crate::error::ApiError`]).
pub async fn log_failures(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    if let Some(cause) = response.extensions().get::<FailureCause>() {
        if cause.internal {
            tracing::error!(%method, %uri, error = %cause.message, "Request failed.");
        } else {
            tracing::warn!(%method, %uri, error = %cause.message, "Database unavailable.");
        }
    }
    response
}

/// Counts every request (`HEAD`, `OPTIONS`, pre-flight and 404s included) when its response
/// head is ready, and times it to that point. A streamed list is thus counted and timed at its
/// first byte, not its last: the rest is paced by the client's reading, and a client that
/// hangs up mid-body has still been answered (the access log records the bytes sent).
pub async fn record_metrics(
    State(metrics): State<Arc<HttpMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    // Set by the router for a matched route; a path that matches none has no template.
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || OTHER_ROUTE.to_owned(),
        |matched| path::metric_label(matched.as_str()),
    );
    let method = request.method().clone();
    let response = next.run(request).await;
    metrics.record(&route, &method, response.status(), started.elapsed());
    response
}

/// One INFO line per request in Apache combined format. A body of known size is logged at
/// once; a streamed body is counted as it is sent and logged when it ends or is dropped.
pub async fn access_log(request: Request, next: Next) -> Response {
    let prefix = line_prefix(&request);
    let referer = header_or_dash(request.headers(), header::REFERER);
    let agent = header_or_dash(request.headers(), header::USER_AGENT);
    let head = request.method() == Method::HEAD;
    let response = next.run(request).await;
    let mut line = AccessLine {
        prefix,
        status: response.status().as_u16(),
        referer,
        agent,
        bytes: 0,
    };
    if head {
        drop(line);
        return response;
    }
    if let Some(size) = response.body().size_hint().exact() {
        line.bytes = size;
        drop(line);
        return response;
    }
    let (parts, body) = response.into_parts();
    let counted = body.into_data_stream().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            // A method call captures the whole line (not just the field), so it is
            // dropped, and logged, only when the body stream is.
            line.count(bytes.len());
        }
        chunk
    });
    Response::from_parts(parts, Body::from_stream(counted))
}

fn line_prefix(request: &Request) -> String {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(
            || "-".to_owned(),
            |info| info.0.ip().to_canonical().to_string(),
        );
    let time = chrono::Utc::now().format("%d/%b/%Y:%H:%M:%S +0000");
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |target| target.as_str());
    let version = match request.version() {
        axum::http::Version::HTTP_10 => "1.0",
        axum::http::Version::HTTP_2 => "2.0",
        _ => "1.1",
    };
    format!(
        "{client} - - [{time}] \"{} {target} HTTP/{version}\"",
        request.method()
    )
}

fn header_or_dash(headers: &HeaderMap, name: header::HeaderName) -> String {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).replace('"', "\\\""))
        .unwrap_or_else(|| "-".to_owned())
}

/// The parts of one access-log line; it is written when dropped, so a streamed response is
/// logged once its body is finished (or abandoned).
#[derive(Debug)]
struct AccessLine {
    prefix: String,
    status: u16,
    referer: String,
    agent: String,
    bytes: u64,
}

impl AccessLine {
    fn count(&mut self, bytes: usize) {
        self.bytes += bytes as u64;
    }
}

impl Drop for AccessLine {
    fn drop(&mut self) {
        let bytes = match self.bytes {
            0 => "-".to_owned(),
            n => n.to_string(),
        };
        tracing::info!(
            "{} {} {bytes} \"{}\" \"{}\"",
            self.prefix,
            self.status,
            self.referer,
            self.agent
        );
    }
}
