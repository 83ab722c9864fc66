//! The writer's I/O edges: RabbitMQ (topology and reconnection; the connection itself is
//! `common::broker`'s), MongoDB (single operations
//! with classified errors) and the optional HTTP endpoints.

pub mod broker;
pub mod error;
pub mod http;
pub mod store;
