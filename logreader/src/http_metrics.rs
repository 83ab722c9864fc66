//! The request counts and latencies served at `GET /metrics` in the Prometheus text format,
//! recorded by the `record_metrics` middleware of [`crate::routes`] for every request, and
//! the counts of health boards built and served from memory (docs/spec/logreader.md §16.4).
//! A module of its own so that the shared state can hold it without depending on the routes.
//!
//! Every label has a bounded set of values: `route` is the route template (or `other` for an
//! unknown path), `method` one of the HTTP methods (or `other`), `status` a status code.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::metrics::{register, render, Counter, Family, Histogram, Registry};

/// The `route` label of a path that matches no route (a 404 before any handler).
pub const OTHER_ROUTE: &str = "other";
/// Requests by route, method and status.
pub const REQUESTS_TOTAL: &str = "logreader_http_requests_total";
/// Time to the response head, by route.
pub const REQUEST_DURATION: &str = "logreader_http_request_duration_seconds";
/// Boards computed from the messages, by what asked for them.
pub const BOARDS_BUILT_TOTAL: &str = "logreader_boards_built_total";
/// Board requests answered from memory.
pub const BOARD_CACHE_HITS_TOTAL: &str = "logreader_board_cache_hits_total";

/// What asked for a board to be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardTrigger {
    /// A request that found no kept board.
    Request,
    /// The warm-up of newly finished runs.
    Warmup,
}

/// The `route`, `method` and `status` labels of a request.
type RequestLabels = [(&'static str, String); 3];
/// The `route` label of a request's duration.
type RouteLabel = [(&'static str, String); 1];

/// The HTTP metrics of one running logreader.
#[derive(Debug)]
pub struct HttpMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    duration: Family<RouteLabel, Histogram>,
    boards_built: Family<[(&'static str, &'static str); 1], Counter>,
    board_cache_hits: Counter,
}

impl Default for HttpMetrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let duration = Family::default();
        register(
            &mut registry,
            REQUEST_DURATION,
            "Seconds from receiving a request to its response head, by route template.",
            duration.clone(),
        );
        let requests = Family::default();
        register(
            &mut registry,
            REQUESTS_TOTAL,
            "HTTP requests answered, by route template, method and status.",
            requests.clone(),
        );
        let boards_built = Family::default();
        register(
            &mut registry,
            BOARDS_BUILT_TOTAL,
            "Run health boards computed from the messages, by trigger (request or warmup).",
            boards_built.clone(),
        );
        let board_cache_hits = Counter::default();
        register(
            &mut registry,
            BOARD_CACHE_HITS_TOTAL,
            "Run health board requests answered from the boards kept in memory.",
            board_cache_hits.clone(),
        );
        Self {
            registry,
            requests,
            duration,
            boards_built,
            board_cache_hits,
        }
    }
}

impl HttpMetrics {
    /// Counts one answered request and its time to the response head.
    pub fn record(&self, route: &str, method: &Method, status: StatusCode, elapsed: Duration) {
        let labels = [
            ("route", route.to_owned()),
            ("method", method_label(method).to_owned()),
            ("status", status.as_str().to_owned()),
        ];
        self.requests.get_or_create(&labels).inc();
        self.duration
            .get_or_create(&[("route", route.to_owned())])
            .observe_duration(elapsed);
    }

    /// Counts a board computed from the messages.
    pub fn board_built(&self, trigger: BoardTrigger) {
        let label = match trigger {
            BoardTrigger::Request => "request",
            BoardTrigger::Warmup => "warmup",
        };
        self.boards_built.get_or_create(&[("trigger", label)]).inc();
    }

    /// Counts a board request answered from memory.
    pub fn board_kept(&self) {
        self.board_cache_hits.inc();
    }

    /// The text exposition format 0.0.4.
    pub fn render(&self) -> String {
        render(&self.registry)
    }
}

/// The standard methods by name; any extension method (which a client may spell freely) is
/// `other`, so the label cannot grow without bound.
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_methods_share_one_label() {
        assert_eq!(method_label(&Method::HEAD), "HEAD");
        let custom = Method::from_bytes(b"PURGE").expect("valid method");
        assert_eq!(method_label(&custom), "other");
    }

    #[test]
    fn a_recorded_request_is_counted_and_timed() {
        let metrics = HttpMetrics::default();
        let elapsed = Duration::from_millis(3);
        metrics.record("/health", &Method::GET, StatusCode::OK, elapsed);
        metrics.record(OTHER_ROUTE, &Method::GET, StatusCode::NOT_FOUND, elapsed);
        metrics.board_built(BoardTrigger::Warmup);
        metrics.board_kept();
        let text = metrics.render();
        for line in [
            "logreader_http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 1\n",
            "logreader_http_requests_total{route=\"other\",method=\"GET\",status=\"404\"} 1\n",
            "logreader_http_request_duration_seconds_bucket{route=\"/health\",le=\"0.005\"} 1\n",
            "logreader_http_request_duration_seconds_count{route=\"other\"} 1\n",
            "logreader_boards_built_total{trigger=\"warmup\"} 1\n",
            "logreader_board_cache_hits_total 1\n",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }
}
