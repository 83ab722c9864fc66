//! The embedded web UI (docs/spec/logreader.md §12), the API reference generated at build time from
//! `docs/api.md`, and the OpenAPI document (§13.4).

use axum::response::Response;

const INDEX_HTML: &str = include_str!("../../static/index.html");
const MAIN_JS: &str = include_str!("../../static/main.js");
const BOARD_HTML: &str = include_str!("../../static/board.html");
const BOARD_JS: &str = include_str!("../../static/board.js");
const STYLE_CSS: &str = include_str!("../../static/style.css");
const OPENAPI_JSON: &str = include_str!("../../static/openapi.json");
const API_HTML: &str = include_str!(concat!(env!("OUT_DIR"), "/api.html"));

/// `/` and `/index.html`.
pub fn index() -> Response {
    super::body_response("text/html", INDEX_HTML)
}

/// `/main.js`.
pub fn script() -> Response {
    super::body_response("application/javascript", MAIN_JS)
}

/// `/board.html`: the run health board page (§12).
pub fn board_page() -> Response {
    super::body_response("text/html", BOARD_HTML)
}

/// `/board.js`.
pub fn board_script() -> Response {
    super::body_response("application/javascript", BOARD_JS)
}

/// `/style.css`.
pub fn stylesheet() -> Response {
    super::body_response("text/css", STYLE_CSS)
}

/// `/api.html`.
pub fn api_reference() -> Response {
    super::body_response("text/html", API_HTML)
}

/// `/openapi.json`.
pub fn openapi() -> Response {
    super::body_response("application/json", OPENAPI_JSON)
}
