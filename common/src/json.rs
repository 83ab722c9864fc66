//! TODO-STUB json
