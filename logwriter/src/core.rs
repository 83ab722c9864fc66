//! The writer's pure parts: no I/O, no tokio, lapin or mongodb types; time is passed in.
//! Each is unit-tested on its own.

pub mod ack;
pub mod backoff;
pub mod buffer;
pub mod drain;
pub mod gaps;
pub mod state;
pub mod stats;
