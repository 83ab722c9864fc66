//! Stack smoke test: proves, with the real drivers, that the test servers support every
//! broker and database feature the product relies on. If one of these fails on a server,
//! docs/compatibility.md must say how the product works around it.
//!
//! Run with `cargo test -p integration-tests --test stack` after `scripts/services up`.

mod broker;
mod database;
