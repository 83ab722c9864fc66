//! `ApiError`: every failure a request can end in, with the exact status and body of
//! docs/spec/logreader.md §3.4. Client-caused variants return their own text; database outages and
//! internal faults return a fixed text and carry the cause in the response extensions,
//! where the `log_failures` middleware logs it inside the request span.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::query::QueryError;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A parameter that does not validate (§3.4, the 400 rows).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A request target longer than 32 KiB.
    #[error("request target too long")]
    UriTooLong,
    /// Request header lines larger than 64 KiB in all.
    #[error("request headers too large")]
    HeadersTooLarge,
    /// The simulation does not exist (docs/spec/logreader.md §1).
    #[error("simulation {0:?} not found")]
    SimulationNotFound(String),
    /// The process sent no message in the simulation (§16.2).
    #[error("process {process:?} not found in simulation {simulation:?}")]
    ProcessNotFound {
        /// `simId`.
        simulation: String,
        /// `processId`.
        process: String,
    },
    /// The database could not be reached or timed out.
    #[error("database unavailable")]
    Unavailable(#[source] mongodb::error::Error),
    /// The request or one of its database queries ran over its time limit.
    #[error("{0} reached")]
    TimedOut(TimeLimit),
    /// Any other fault; the cause is only logged.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The two time limits of a request (docs/spec/logreader.md §13.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLimit {
    /// `LOGREADER_REQUEST_TIMEOUT`: from the request head to the response head.
    Request,
    /// `LOGREADER_QUERY_TIMEOUT`: the database's `maxTimeMS` on each query.
    Query,
}

impl std::fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Request => "request time limit (LOGREADER_REQUEST_TIMEOUT)",
            Self::Query => "database query time limit (LOGREADER_QUERY_TIMEOUT)",
        })
    }
}

/// The cause of a 503 or 500, attached to the response for the logging middleware.
#[derive(Debug, Clone)]
pub struct FailureCause {
    /// Whether it was an internal fault (ERROR) rather than an outage (WARN).
    pub internal: bool,
    /// The error chain, formatted.
    pub message: Arc<str>,
}

/// The server's error code when a query runs over its `maxTimeMS`.
const MAX_TIME_MS_EXPIRED: i32 = 50;

impl ApiError {
    /// Maps a driver error: connection, selection and timeout failures are outages (503),
    /// everything else is an internal fault (500).
    pub fn from_database(error: mongodb::error::Error) -> Self {
        use mongodb::error::ErrorKind;
        let outage = match error.kind.as_ref() {
            ErrorKind::Io(_)
            | ErrorKind::ConnectionPoolCleared { .. }
            | ErrorKind::ServerSelection { .. }
            | ErrorKind::DnsResolve { .. }
            | ErrorKind::Authentication { .. }
            | ErrorKind::InvalidTlsConfig { .. } => true,
            // The shutdown/interrupted family and network timeouts are outages.
            ErrorKind::Command(command) if command.code == MAX_TIME_MS_EXPIRED => {
                return Self::TimedOut(TimeLimit::Query)
            }
            ErrorKind::Command(command) => matches!(command.code, 89 | 91 | 11600 | 11602),
            _ => false,
        };
        if outage {
            Self::Unavailable(error)
        } else {
            Self::Internal(error.into())
        }
    }

    /// The error of a computation several requests waited for (a shared board build): each
    /// gets the same status; an internal fault keeps its text, not its source chain.
    pub fn shared(error: Arc<Self>) -> Self {
        Arc::try_unwrap(error).unwrap_or_else(|error| match &*error {
            Self::Unavailable(cause) => Self::Unavailable(cause.clone()),
            Self::TimedOut(limit) => Self::TimedOut(*limit),
            Self::Internal(cause) => Self::Internal(anyhow::anyhow!("{cause:#}")),
            other => Self::Internal(anyhow::anyhow!("{other}")),
        })
    }

    /// Status code of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Query(_) => StatusCode::BAD_REQUEST,
            Self::SimulationNotFound(_) | Self::ProcessNotFound { .. } => StatusCode::NOT_FOUND,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Unavailable(_) | Self::TimedOut(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// `(title, description)` of the body, exactly as §3.4 lists them.
    pub fn title_and_description(&self) -> (&'static str, String) {
        match self {
            Self::Query(error) => error.title_and_description(),
            Self::UriTooLong => (
                "URI too long.",
                "The request target is longer than the server accepts.".to_owned(),
            ),
            Self::HeadersTooLarge => (
                "Request header fields too large.",
                "The request head is larger than the server accepts.".to_owned(),
            ),
            Self::SimulationNotFound(id) => (
                "Simulation not found.",
                format!("Simulation with id {id} not found."),
            ),
            Self::ProcessNotFound {
                simulation,
                process,
            } => (
                "Process not found.",
                format!("Process with id {process} not found in simulation {simulation}."),
            ),
            Self::Unavailable(_) => (
                "Service unavailable.",
                "The database is not available.".to_owned(),
            ),
            Self::TimedOut(_) => (
                "Request timed out.",
                "The request took longer than the server allows. Narrow it or try again."
                    .to_owned(),
            ),
            Self::Internal(_) => (
                "Internal server error.",
                "An unexpected error occurred.".to_owned(),
            ),
        }
    }

    fn cause(&self) -> Option<FailureCause> {
        let (internal, source): (bool, &dyn std::error::Error) = match self {
            Self::Unavailable(error) => (false, error),
            Self::TimedOut(_) => (false, self),
            Self::Internal(error) => (true, error.as_ref()),
            _ => return None,
        };
        let mut message = source.to_string();
        let mut next = source.source();
        while let Some(cause) = next {
            let _ = write!(message, ": {cause}");
            next = cause.source();
        }
        Some(FailureCause {
            internal,
            message: message.into(),
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (title, description) = self.title_and_description();
        let mut response = (self.status(), error_body(title, &description)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::VARY, HeaderValue::from_static("Accept"));
        if let Some(cause) = self.cause() {
            response.extensions_mut().insert(cause);
        }
        response
    }
}

/// `{"title": "…", "description": "…"}` with the separators and ASCII-only escaping of the
/// original (Python's `json.dumps` defaults).
pub fn error_body(title: &str, description: &str) -> String {
    let mut out = String::from("{\"title\": ");
    write_ascii_string(&mut out, title);
    out.push_str(", \"description\": ");
    write_ascii_string(&mut out, description);
    out.push('}');
    out
}

/// A JSON string literal where everything outside printable ASCII is `\uXXXX` (lowercase
/// hex, surrogate pairs above U+FFFF), as Python's `ensure_ascii` writes it.
fn write_ascii_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_use_python_separators_and_ascii_escapes() {
        assert_eq!(
            error_body("Missing parameter", "The \"attrs\" parameter is required."),
            r#"{"title": "Missing parameter", "description": "The \"attrs\" parameter is required."}"#
        );
        assert_eq!(
            error_body("t", "ä€😀\u{1}\u{7f}\\/\n"),
            r#"{"title": "t", "description": "\u00e4\u20ac\ud83d\ude00\u0001\u007f\\/\n"}"#
        );
    }

    #[test]
    fn descriptions_follow_the_table() {
        let error = ApiError::from(QueryError::InvalidDatetime {
            param: "toDate",
            value: "x".into(),
        });
        assert_eq!(
            error.title_and_description().1,
            "Invalid datetime value for toDate: x"
        );
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        let error = ApiError::SimulationNotFound(String::new());
        assert_eq!(
            error.title_and_description().1,
            "Simulation with id  not found."
        );
        assert_eq!(error.status(), StatusCode::NOT_FOUND);
        let error = ApiError::from(QueryError::InvalidInteger {
            param: "epoch",
            value: "foo".into(),
        });
        assert_eq!(
            error.title_and_description().1,
            "Invalid integer value for epoch: foo."
        );
    }
}
