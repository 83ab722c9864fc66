//! Fault tests of the logwriter *binary* (so it can be killed and its CPU time measured):
//! configuration errors, kill -9 and restart, closed connections, publishers that close at
//! once, window pressure, TLS, logging and endpoints. They reuse the e2e harness for unique
//! names, publishing and database checks. None of them stops a shared server: those that do
//! are in the `outages` target, one at a time.

#[allow(dead_code)]
#[path = "../../../tests/e2e/harness.rs"]
mod harness;

mod broker;
mod config;
mod crash;
mod duplicates;
mod endpoints;
mod exchange;
mod exclusive;
mod logging;
mod metadata;
mod observability;
mod poison;
mod pressure;
mod process;
mod publishers;
mod queue_left;
mod rejected;
mod settings;
mod stop;
mod tls;
