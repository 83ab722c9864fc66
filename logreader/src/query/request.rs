//! Validated requests: each endpoint's parameters read from [`QueryParams`] in the
//! validation order of docs/spec/logreader.md §4, so the first invalid parameter decides the error.

use chrono::{DateTime, Utc};

use super::epochs::EpochRequest;
use super::field_filter::{self, FieldFilter};
use super::params::QueryParams;
use super::value::{self, Format, Layout, ListFormat};
use super::QueryError;

/// `GET /simulations` (§4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulationsQuery {
    /// `fromDate` (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// `toDate` (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// `format`.
    pub format: ListFormat,
}

/// `GET /simulations/{simId}/messages` (§4.3).
#[derive(Debug, Clone, PartialEq)]
pub struct MessagesQuery {
    /// Epoch or simulated-time parameters.
    pub epochs: EpochRequest,
    /// `process`.
    pub processes: Option<Vec<String>>,
    /// `topic`.
    pub topic: Option<String>,
    /// `onlyWarnings`.
    pub only_warnings: bool,
    /// `limit`.
    pub limit: Option<u64>,
    /// `skip`.
    pub skip: Option<u64>,
    /// `where`.
    pub fields: Option<FieldFilter>,
    /// `format`.
    pub format: ListFormat,
}

/// `GET /simulations/{simId}/messages/invalid` (§4.4).
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidMessagesQuery {
    /// `topic`.
    pub topic: Option<String>,
    /// `limit`.
    pub limit: Option<u64>,
    /// `skip`.
    pub skip: Option<u64>,
    /// `where`.
    pub fields: Option<FieldFilter>,
    /// `format`.
    pub format: ListFormat,
}

/// `GET /simulations/{simId}/timeseries` (§4.5).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeseriesQuery {
    /// Epoch or simulated-time parameters.
    pub epochs: EpochRequest,
    /// `process`.
    pub processes: Option<Vec<String>>,
    /// `topic`.
    pub topic: Option<String>,
    /// `format`.
    pub format: Format,
    /// `layout` (CSV only).
    pub layout: Layout,
    /// `where`.
    pub fields: Option<FieldFilter>,
    /// `attrs`, unsplit.
    pub attrs: String,
}

/// `GET /simulations/{simId}/processes`, `…/processes/{processId}` and `…/board` (§16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessesQuery {
    /// Epoch or simulated-time parameters.
    pub epochs: EpochRequest,
    /// `format`.
    pub format: Format,
}

impl ProcessesQuery {
    /// Validates sim dates, epochs, then `format`, in the order of the other endpoints.
    pub fn parse(params: &QueryParams) -> Result<Self, QueryError> {
        let epochs = epoch_request(params)?;
        let format = params
            .get("format")
            .map(value::parse_format)
            .transpose()?
            .unwrap_or(Format::Json);
        Ok(Self { epochs, format })
    }
}

/// `pretty=true` selects the indented layout; any other value is ignored.
pub fn pretty(params: &QueryParams) -> bool {
    params.get("pretty") == Some("true")
}

impl SimulationsQuery {
    /// Validates `fromDate`, `toDate`, then `format`.
    pub fn parse(params: &QueryParams) -> Result<Self, QueryError> {
        Ok(Self {
            from: datetime(params, "fromDate")?,
            to: datetime(params, "toDate")?,
            format: list_format(params)?,
        })
    }
}

impl MessagesQuery {
    /// Validates sim dates, epochs, `onlyWarnings`, `limit`, `skip`, `where`, `format`, in
    /// that order.
    pub fn parse(params: &QueryParams) -> Result<Self, QueryError> {
        let epochs = epoch_request(params)?;
        let only_warnings = params
            .get("onlyWarnings")
            .map(value::parse_only_warnings)
            .transpose()?
            .unwrap_or(false);
        let (limit, skip) = limit_and_skip(params)?;
        Ok(Self {
            epochs,
            processes: params.list("process"),
            topic: params.get("topic").map(str::to_owned),
            only_warnings,
            limit,
            skip,
            fields: fields(params)?,
            format: list_format(params)?,
        })
    }
}

impl InvalidMessagesQuery {
    /// Validates `limit`, `skip`, `where`, then `format`; every other parameter is ignored.
    pub fn parse(params: &QueryParams) -> Result<Self, QueryError> {
        let (limit, skip) = limit_and_skip(params)?;
        Ok(Self {
            topic: params.get("topic").map(str::to_owned),
            limit,
            skip,
            fields: fields(params)?,
            format: list_format(params)?,
        })
    }
}

impl TimeseriesQuery {
    /// Validates sim dates, epochs, `onlyWarnings` (then ignored), `format`, `layout`,
    /// `where`, `attrs`.
    pub fn parse(params: &QueryParams) -> Result<Self, QueryError> {
        let epochs = epoch_request(params)?;
        if let Some(only_warnings) = params.get("onlyWarnings") {
            value::parse_only_warnings(only_warnings)?;
        }
        let format = params
            .get("format")
            .map(value::parse_format)
            .transpose()?
            .unwrap_or(Format::Json);
        let layout = params
            .get("layout")
            .map(|layout| value::parse_layout(layout, format))
            .transpose()?
            .unwrap_or_default();
        let fields = fields(params)?;
        let attrs = params
            .get("attrs")
            .ok_or(QueryError::MissingAttrs)?
            .to_owned();
        Ok(Self {
            epochs,
            processes: params.list("process"),
            topic: params.get("topic").map(str::to_owned),
            format,
            layout,
            fields,
            attrs,
        })
    }
}

/// `fromSimDate`, `toSimDate`, `epoch`, `startEpoch`, `endEpoch`: all validated in this
/// order, even when the simulated times make the epoch numbers irrelevant.
fn epoch_request(params: &QueryParams) -> Result<EpochRequest, QueryError> {
    let from = datetime(params, "fromSimDate")?;
    let to = datetime(params, "toSimDate")?;
    let epoch = integer(params, "epoch")?;
    let start = integer(params, "startEpoch")?;
    let end = integer(params, "endEpoch")?;
    Ok(if from.is_some() || to.is_some() {
        EpochRequest::SimTime { from, to }
    } else {
        EpochRequest::Numbers { epoch, start, end }
    })
}

/// `where`: parsed, or the position and reason it does not parse.
fn fields(params: &QueryParams) -> Result<Option<FieldFilter>, QueryError> {
    let Some(text) = params.get("where") else {
        return Ok(None);
    };
    field_filter::parse(text)
        .map(Some)
        .map_err(|error| QueryError::InvalidWhere {
            position: error.position,
            message: error.message,
        })
}

fn list_format(params: &QueryParams) -> Result<ListFormat, QueryError> {
    let format = params.get("format").map(value::parse_list_format);
    Ok(format.transpose()?.unwrap_or_default())
}

fn limit_and_skip(params: &QueryParams) -> Result<(Option<u64>, Option<u64>), QueryError> {
    let limit = params.get("limit").map(value::parse_limit).transpose()?;
    let skip = params.get("skip").map(value::parse_skip).transpose()?;
    Ok((limit, skip))
}

fn datetime(params: &QueryParams, name: &'static str) -> Result<Option<DateTime<Utc>>, QueryError> {
    params
        .get(name)
        .map(|text| value::parse_datetime(name, text))
        .transpose()
}

fn integer(params: &QueryParams, name: &'static str) -> Result<Option<i64>, QueryError> {
    params
        .get(name)
        .map(|text| value::parse_epoch(name, text))
        .transpose()
}

#[cfg(test)]
mod tests;
