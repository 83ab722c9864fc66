//! TODO-STUB mongo
