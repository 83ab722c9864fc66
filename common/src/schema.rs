//! TODO-STUB schema
