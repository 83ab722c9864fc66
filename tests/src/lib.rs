//! Shared harness of the integration tests: connections to the real test servers.
