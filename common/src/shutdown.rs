//! TODO-STUB shutdown
