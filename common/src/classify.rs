//! TODO-STUB classify
