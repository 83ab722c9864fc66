//! Tests of the logwriter binary that stop or restart a shared server (RabbitMQ, FerretDB, a
//! node of the three-node cluster). They live in a target of their own, and each holds
//! [`ONE_AT_A_TIME`] for its whole run: no other test sees a server vanish that it did not
//! stop itself, and none of these overlaps another. (`cargo test` runs test targets one
//! after another.) They share the fault tests' process helpers and the e2e harness.

#[allow(dead_code)]
#[path = "../../../tests/e2e/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../faults/process.rs"]
mod process;

mod broker;
mod cluster;
mod drain;
mod mongodb;
mod quorum;
mod servers;

/// Held by every test of this target for its whole run.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
