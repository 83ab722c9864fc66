//! The state every handler receives: a concrete, cheaply cloned handle (axum `State`).

use std::sync::Arc;

use crate::board_cache::BoardCache;
use crate::http_metrics::HttpMetrics;
use crate::store::Store;

/// Shared by all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Database access.
    pub store: Store,
    /// Request counts and latencies, served at `/metrics`.
    pub metrics: Arc<HttpMetrics>,
    /// The health boards of finished runs.
    pub boards: BoardCache,
}
