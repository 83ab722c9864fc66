//! Route matching (docs/spec/logreader.md §3.1), done by hand because the rules go beyond a path
//! template router: a path parameter may be empty (`/simulations/`), it is percent-decoded
//! lossily, `+` stays `+`, and a trailing slash after a deeper route is a 404.

use crate::query::params::decode_path_segment;

/// Every route logreader serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/` and `/index.html`.
    Index,
    /// `/main.js`.
    Script,
    /// `/style.css`.
    Stylesheet,
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
}

impl Route {
    /// The route of a raw (still percent-encoded) request path, or `None` for a 404.
    pub fn parse(path: &str) -> Option<Self> {
        let route = match path {
            "/" | "/index.html" => Self::Index,
            "/main.js" => Self::Script,
            "/style.css" => Self::Stylesheet,
            "/api.html" => Self::ApiReference,
            "/openapi.json" => Self::OpenApi,
            "/health" => Self::Health,
            "/ready" => Self::Ready,
            "/metrics" => Self::Metrics,
            "/simulations" => Self::Simulations,
            _ => return Self::parse_simulation(path.strip_prefix("/simulations/")?),
        };
        Some(route)
    }

    fn parse_simulation(rest: &str) -> Option<Self> {
        let mut segments = rest.split('/');
        let id = decode_path_segment(segments.next()?);
        let route = match (segments.next(), segments.next(), segments.next()) {
            (None, _, _) => Self::Simulation(id),
            (Some("messages"), None, _) => Self::Messages(id),
            (Some("messages"), Some("invalid"), None) => Self::InvalidMessages(id),
            (Some("timeseries"), None, _) => Self::Timeseries(id),
            _ => return None,
        };
        Some(route)
    }

    /// A short name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Index => "index",
            Self::Script => "main.js",
            Self::Stylesheet => "style.css",
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
        }
    }

    /// The route's path template, the `route` label of the HTTP metrics: one value per route
    /// whatever the `simId`, so the label stays bounded. `/index.html` is labelled `/`, the
    /// same page.
    pub fn template(&self) -> &'static str {
        match self {
            Self::Index => "/",
            Self::Script => "/main.js",
            Self::Stylesheet => "/style.css",
            Self::ApiReference => "/api.html",
            Self::OpenApi => "/openapi.json",
            Self::Health => "/health",
            Self::Ready => "/ready",
            Self::Metrics => "/metrics",
            Self::Simulations => "/simulations",
            Self::Simulation(_) => "/simulations/{simId}",
            Self::Messages(_) => "/simulations/{simId}/messages",
            Self::InvalidMessages(_) => "/simulations/{simId}/messages/invalid",
            Self::Timeseries(_) => "/simulations/{simId}/timeseries",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> String {
        text.to_owned()
    }

    #[test]
    fn literal_and_parameter_routes() {
        assert_eq!(Route::parse("/"), Some(Route::Index));
        assert_eq!(Route::parse("/simulations"), Some(Route::Simulations));
        assert_eq!(Route::parse("/metrics"), Some(Route::Metrics));
        assert_eq!(
            Route::parse("/simulations/"),
            Some(Route::Simulation(id("")))
        );
        assert_eq!(
            Route::parse("/simulations/2020-06-03T04%3A01%3A52.345Z"),
            Some(Route::Simulation(id("2020-06-03T04:01:52.345Z")))
        );
        assert_eq!(
            Route::parse("/simulations/a+b%FF"),
            Some(Route::Simulation(id("a+b\u{fffd}")))
        );
        assert_eq!(
            Route::parse("/simulations/x/messages"),
            Some(Route::Messages(id("x")))
        );
        assert_eq!(
            Route::parse("/simulations//messages"),
            Some(Route::Messages(id("")))
        );
        assert_eq!(
            Route::parse("/simulations/x/messages/invalid"),
            Some(Route::InvalidMessages(id("x")))
        );
        assert_eq!(
            Route::parse("/simulations/x/timeseries"),
            Some(Route::Timeseries(id("x")))
        );
        assert_eq!(
            Route::parse("/simulations/messages"),
            Some(Route::Simulation(id("messages")))
        );
    }

    #[test]
    fn templates_hide_the_simulation_id() {
        for (path, template) in [
            ("/index.html", "/"),
            ("/metrics", "/metrics"),
            ("/simulations/", "/simulations/{simId}"),
            (
                "/simulations/a%2Fb/messages",
                "/simulations/{simId}/messages",
            ),
            (
                "/simulations/x/messages/invalid",
                "/simulations/{simId}/messages/invalid",
            ),
            (
                "/simulations/x/timeseries",
                "/simulations/{simId}/timeseries",
            ),
        ] {
            assert_eq!(Route::parse(path).map(|r| r.template()), Some(template));
        }
    }

    #[test]
    fn everything_else_is_not_found() {
        for path in [
            "/simulations/x/y",
            "/simulations/x/messages/",
            "/simulations/x/messages/invalid/",
            "/simulations/x/timeseries/",
            "/simulations/x/",
            "/foo.txt",
            "/index.htm",
            "/health/",
            "/metrics/",
            "/metrics.txt",
            "//simulations",
            "",
            "/Simulations",
        ] {
            assert_eq!(Route::parse(path), None, "{path}");
        }
    }
}
