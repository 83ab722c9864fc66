//! TODO-STUB time
