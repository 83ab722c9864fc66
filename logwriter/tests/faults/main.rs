//! Fault tests of the logwriter *binary* (so it can be killed and its CPU time measured):
//! configuration errors, kill -9 and restart, and a MongoDB outage. They reuse the e2e
//! harness for unique names, publishing and database checks. Tests that stop a server hold
//! [`SERVICES`] for writing, and every other test that uses a server holds it for reading, so
//! no test sees a server vanish that it did not stop itself.

#[allow(dead_code)]
#[path = "../../../tests/e2e/harness.rs"]
mod harness;

mod broker;
mod cluster;
mod config;
mod crash;
mod drain;
mod duplicates;
mod endpoints;
mod exchange;
mod exclusive;
mod logging;
mod metadata;
mod observability;
mod outage;
mod pressure;
mod process;
mod publishers;
mod quorum;
mod rejected;
mod settings;
mod stop;
mod tls;

/// Serialises the tests that stop and start shared servers against every other test.
pub static SERVICES: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());
