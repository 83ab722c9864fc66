//! The documentation tells the truth about the binaries: docs/configuration.md lists exactly
//! the settings each program's `--help` has, with the same flags and defaults, and
//! docs/api.md describes the same endpoints and parameters as the served `/openapi.json`.

mod api;
mod configuration;
