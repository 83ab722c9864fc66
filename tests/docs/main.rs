//! The documentation tells the truth about the binaries: docs/configuration.md lists exactly
//! the settings each program's `--help` has, with the same flags and defaults.

mod api;
mod configuration;
