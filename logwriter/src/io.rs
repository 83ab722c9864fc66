//! The writer's I/O edges: RabbitMQ (connection, topology, TLS), MongoDB (single operations
//! with classified errors) and the optional HTTP endpoints.

pub mod broker;
pub mod error;
pub mod http;
pub mod store;
pub mod tls;
