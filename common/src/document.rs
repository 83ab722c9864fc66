//! TODO-STUB document
