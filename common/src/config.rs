//! TODO-STUB config
