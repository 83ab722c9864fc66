//! The routes of docs/spec/logreader.md §3.1 as values, and what the router cannot do itself:
//! a `simId` is percent-decoded lossily with `+` kept (axum's path extractors refuse invalid
//! UTF-8), and the metrics label every route by one template.

use crate::query::params::decode_path_segment;

/// The template of the routes under one simulation, as the router and the metrics name it.
pub const SIMULATION_TEMPLATE: &str = "/simulations/{simId}";

/// Every route logreader serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/` and `/index.html`.
    Index,
    /// `/main.js`.
    Script,
    /// `/style.css`.
    Stylesheet,
    /// `/board.html`.
    BoardPage,
    /// `/board.js`.
    BoardScript,
    /// `/api.html`.
    ApiReference,
    /// `/openapi.json`.
    OpenApi,
    /// `/health`.
    Health,
    /// `/ready`.
    Ready,
    /// `/metrics`.
    Metrics,
    /// `/simulations`.
    Simulations,
    /// `/simulations/{simId}`.
    Simulation(String),
    /// `/simulations/{simId}/messages`.
    Messages(String),
    /// `/simulations/{simId}/messages/invalid`.
    InvalidMessages(String),
    /// `/simulations/{simId}/timeseries`.
    Timeseries(String),
    /// `/simulations/{simId}/processes`.
    Processes(String),
    /// `/simulations/{simId}/processes/{processId}`.
    Process(String, String),
    /// `/simulations/{simId}/board`.
    Board(String),
}

impl Route {
    /// A short name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Index => "index",
            Self::Script => "main.js",
            Self::Stylesheet => "style.css",
            Self::BoardPage => "board.html",
            Self::BoardScript => "board.js",
            Self::ApiReference => "api.html",
            Self::OpenApi => "openapi.json",
            Self::Health => "health",
            Self::Ready => "ready",
            Self::Metrics => "metrics",
            Self::Simulations => "list_simulations",
            Self::Simulation(_) => "get_simulation",
            Self::Messages(_) => "list_messages",
            Self::InvalidMessages(_) => "list_invalid_messages",
            Self::Timeseries(_) => "export_timeseries",
            Self::Processes(_) => "list_processes",
            Self::Process(..) => "get_process",
            Self::Board(_) => "get_board",
        }
    }
}

/// The decoded `simId` of a raw (still percent-encoded) path under `/simulations/`: its
/// first segment there, possibly empty. Empty for any other path.
pub fn simulation_id(path: &str) -> String {
    path.strip_prefix("/simulations/")
        .and_then(|rest| rest.split('/').next())
        .map(decode_path_segment)
        .unwrap_or_default()
}

/// The decoded `processId` of a raw path `/simulations/{simId}/processes/{processId}`, empty
/// for any other path.
pub fn process_id(path: &str) -> String {
    path.strip_prefix("/simulations/")
        .and_then(|rest| rest.split('/').nth(2))
        .map(decode_path_segment)
        .unwrap_or_default()
}

/// The `route` label of the HTTP metrics from the router's matched template: one value per
/// route whatever the `simId`, so the label stays bounded. `/index.html` is labelled `/`,
/// the same page, and the routes of the empty `simId` are labelled like the others.
pub fn metric_label(matched: &str) -> String {
    if matched == "/index.html" {
        return "/".to_owned();
    }
    match matched.strip_prefix("/simulations/") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            format!("{SIMULATION_TEMPLATE}{rest}")
        }
        _ => matched.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulation_ids_are_decoded_lossily_and_keep_plus() {
        for (path, id) in [
            ("/simulations/", ""),
            ("/simulations//messages", ""),
            (
                "/simulations/2020-06-03T04%3A01%3A52.345Z",
                "2020-06-03T04:01:52.345Z",
            ),
            ("/simulations/a+b%FF", "a+b\u{fffd}"),
            ("/simulations/a%2Fb/messages/invalid", "a/b"),
            ("/health", ""),
        ] {
            assert_eq!(simulation_id(path), id, "{path}");
        }
        assert_eq!(process_id("/simulations/x/processes/a%20b+c"), "a b+c");
        assert_eq!(process_id("/simulations//processes/p"), "p");
        assert_eq!(process_id("/simulations/x/messages"), "");
    }

    #[test]
    fn labels_hide_the_simulation_id() {
        for (matched, label) in [
            ("/index.html", "/"),
            ("/", "/"),
            ("/metrics", "/metrics"),
            ("/simulations", "/simulations"),
            ("/simulations/", "/simulations/{simId}"),
            ("/simulations//messages", "/simulations/{simId}/messages"),
            (
                "/simulations/{simId}/timeseries",
                "/simulations/{simId}/timeseries",
            ),
        ] {
            assert_eq!(metric_label(matched), label, "{matched}");
        }
    }
}
