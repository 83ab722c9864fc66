//! API tests: the real logreader over real HTTP against the real MongoDB-wire server.

mod board;
mod clients;
mod data;
mod errors;
mod field_filters;
mod fuzz;
mod harness;
mod http;
mod metrics;
mod ndjson;
mod routing;
mod shutdown;
mod streaming;
mod unavailable;
