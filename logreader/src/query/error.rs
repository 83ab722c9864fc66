//! Why a request's parameters do not validate: the 400 rows of docs/spec/logreader.md §3.4,
//! with their exact titles and descriptions. The HTTP edge wraps it in
//! [`crate::error::ApiError`]; nothing here knows about HTTP.

/// A parameter that does not validate. Each variant quotes the decoded value it was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Unparseable `fromDate`, `toDate`, `fromSimDate` or `toSimDate`.
    #[error("invalid datetime value for {param}")]
    InvalidDatetime {
        /// Parameter name.
        param: &'static str,
        /// Decoded value that was used.
        value: String,
    },
    /// Unparseable `epoch`, `startEpoch` or `endEpoch`.
    #[error("invalid integer value for {param}")]
    InvalidInteger {
        /// Parameter name.
        param: &'static str,
        /// Decoded value that was used.
        value: String,
    },
    /// `onlyWarnings` other than `true`/`false`.
    #[error("invalid onlyWarnings value")]
    InvalidOnlyWarnings(String),
    /// `limit` that is not an integer ≥ 1.
    #[error("invalid limit value")]
    InvalidLimit(String),
    /// `skip` that is not an integer ≥ 0.
    #[error("invalid skip value")]
    InvalidSkip(String),
    /// `format` other than `json`/`csv`.
    #[error("invalid time series format")]
    InvalidFormat(String),
    /// `layout` other than `wide`, or `long` without `format=csv`.
    #[error("invalid time series layout")]
    InvalidLayout(String),
    /// A `where` expression that does not parse.
    #[error("invalid where expression")]
    InvalidWhere {
        /// 1-based character position of the failure.
        position: usize,
        /// What was expected there and what was found.
        message: String,
    },
    /// `format` of a list other than `json`/`ndjson`.
    #[error("invalid list format")]
    InvalidListFormat(String),
    /// `attrs` absent or blank.
    #[error("missing attrs parameter")]
    MissingAttrs,
}

impl QueryError {
    /// `(title, description)` of the error body, exactly as §3.4 lists them.
    pub fn title_and_description(&self) -> (&'static str, String) {
        match self {
            Self::InvalidDatetime { param, value } => (
                "Invalid datetime value",
                format!("Invalid datetime value for {param}: {value}"),
            ),
            Self::InvalidInteger { param, value } => (
                "Invalid integer value",
                format!("Invalid integer value for {param}: {value}."),
            ),
            Self::InvalidOnlyWarnings(value) => (
                "Invalid value for onlyWarnings.",
                format!("Value should be true or false but it was {value}."),
            ),
            Self::InvalidLimit(value) => (
                "Invalid value for limit.",
                format!("Value should be a positive integer but it was {value}."),
            ),
            Self::InvalidSkip(value) => (
                "Invalid value for skip.",
                format!("Value should be a non-negative integer but it was {value}."),
            ),
            Self::InvalidFormat(value) => (
                "Invalid time series result format.",
                format!("Format should be json or csv instead of {value}."),
            ),
            Self::InvalidLayout(value) => (
                "Invalid time series layout.",
                format!("Layout should be wide, or long with format=csv, instead of {value}."),
            ),
            Self::InvalidWhere { position, message } => (
                "Invalid where expression.",
                format!("At character {position}: {message}."),
            ),
            Self::InvalidListFormat(value) => (
                "Invalid result format.",
                format!("Format should be json or ndjson instead of {value}."),
            ),
            Self::MissingAttrs => (
                "Missing parameter",
                "The \"attrs\" parameter is required.".to_owned(),
            ),
        }
    }
}
