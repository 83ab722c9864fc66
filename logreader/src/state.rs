//! The state every handler receives: a concrete, cheaply cloned handle (axum `State`).

use crate::store::Store;

/// Shared by all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Database access.
    pub store: Store,
}
