//! Fault tests of the logwriter *binary* (so it can be killed and its CPU time measured):
//! configuration errors, kill -9 and restart, and a MongoDB outage. They reuse the e2e
//! harness for unique names, publishing and database checks. Tests that stop a server hold
//! [`SERVICES`], so they never overlap.

#[allow(dead_code)]
#[path = "../../../tests/e2e/harness.rs"]
mod harness;

mod config;
mod crash;
mod outage;
mod process;

/// Serialises the tests that stop and start shared servers.
pub static SERVICES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
