//! The pure core of request handling: query-string decoding (§3.2), parameter grammars
//! (§5), validation order (§4), epoch resolution (§7) and the database filters (§6–§8).
//! Nothing here does I/O, so all of it is unit-tested directly.

pub mod epochs;
mod error;
pub mod field_filter;
pub mod filter;
pub mod params;
pub mod request;
pub mod value;

pub use epochs::{EpochCondition, EpochDocument, EpochRequest};
pub use error::QueryError;
pub use filter::MessageSelection;
pub use params::QueryParams;
pub use request::{
    InvalidMessagesQuery, MessagesQuery, ProcessesQuery, SimulationsQuery, TimeseriesQuery,
};
pub use value::{Format, Layout, ListFormat};
