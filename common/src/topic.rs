//! TODO-STUB topic
