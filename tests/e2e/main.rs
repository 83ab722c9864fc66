//! End-to-end tests of logwriter: publish to a real RabbitMQ exchange, run the writer
//! in-process, and check what lands in the real MongoDB-wire server. One binary, one module
//! per behaviour; every test uses its own exchange, queue and database and removes them.

mod harness;

mod board;
mod full_run;
mod indexes;
mod invalid;
mod lifecycle;
mod metadata;
mod nonfinite;
mod ordering;
mod reconnect;
mod replay;
mod signal;
mod triggers;
