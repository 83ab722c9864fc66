//! TODO-STUB telemetry
