//! Response bodies built from BSON: the JSON serialisation (docs/spec/logreader.md §9), time series
//! (§10) and the CSV dialect (§11). Pure logic with no I/O, so the HTTP layer only fetches
//! documents and sends the text these functions return.
//!
//! # Layout
//!
//! * [`json`]: BSON to JSON text, compact or `pretty`, plus [`json::ArrayWriter`] for
//!   streaming a list response element by element.
//! * [`timeseries`]: the time series builder and its JSON and CSV renderings.
//! * [`csv`]: the CSV record and cell formats.
//! * `scalar`: the double, date, Decimal128 and base64 texts both formats share.

pub mod csv;
pub mod json;
mod scalar;
pub mod timeseries;

#[cfg(test)]
mod fixtures;
