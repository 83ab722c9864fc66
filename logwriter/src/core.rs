//! The writer's pure parts: no I/O, no tokio, lapin or mongodb types, and no module outside
//! `core` (checked by `layering.rs`); time is passed in. Each is unit-tested on its own.

pub mod ack;
pub mod backoff;
pub mod batch;
pub mod buffer;
pub mod drain;
pub mod ending;
pub mod gaps;
pub mod lifecycle;
pub mod metadata;
pub mod refusal;
pub mod retry;
pub mod state;
pub mod stats;
pub mod writer;
