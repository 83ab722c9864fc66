//! JSON to BSON (docs/spec/messages.md §6.1 mapping table) and the §5 checks MongoDB would refuse.
//! Documents are built as raw BSON: each is encoded once, and its length is the size check.

use bson::{RawArrayBuf, RawBson, RawDocumentBuf};

use super::InvalidReason;
use crate::json::Json;

/// Largest document MongoDB stores (docs/spec/messages.md §5): 16 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

/// What the §5 content checks found in a parsed object, at any depth.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Content {
    /// A key starts with `$` or contains `.` or NUL.
    pub(super) refused_key: bool,
    /// An integer lies outside the signed 64-bit range.
    pub(super) big_integer: bool,
}

impl Content {
    /// Scans the entries of an object, inside nested objects and arrays too. Recursion is
    /// bounded by the parser's depth limit of 90.
    pub(super) fn of(entries: &[(String, Json)]) -> Self {
        let mut content = Self::default();
        content.scan_entries(entries);
        content
    }

    fn scan_entries(&mut self, entries: &[(String, Json)]) {
        for (key, value) in entries {
            self.refused_key |= is_refused_key(key);
            self.scan(value);
        }
    }

    fn scan(&mut self, value: &Json) {
        match value {
            Json::BigInt(_) => self.big_integer = true,
            Json::Array(items) => items.iter().for_each(|item| self.scan(item)),
            Json::Object(entries) => self.scan_entries(entries),
            _ => {}
        }
    }
}

/// A key MongoDB refuses in a stored document: `$` first, or `.` or NUL anywhere. The empty
/// key is allowed.
pub(super) fn is_refused_key(key: &str) -> bool {
    key.starts_with('$') || key.contains(['.', '\0'])
}

/// Maps one JSON value to BSON, encoded as it is built: int32 when it fits, else int64;
/// doubles stay doubles. An integer beyond 64 bits has no BSON form and is refused.
pub(super) fn to_raw(value: Json) -> Result<RawBson, InvalidReason> {
    Ok(match value {
        Json::Null => RawBson::Null,
        Json::Bool(b) => RawBson::Boolean(b),
        Json::Int(n) => i32::try_from(n).map_or(RawBson::Int64(n), RawBson::Int32),
        Json::BigInt(_) => return Err(InvalidReason::IntegerOutOfRange),
        Json::Double(d) => RawBson::Double(d),
        Json::String(s) => RawBson::String(s),
        Json::Array(items) => {
            let mut array = RawArrayBuf::new();
            for item in items {
                array.push(to_raw(item)?);
            }
            RawBson::Array(array)
        }
        Json::Object(entries) => RawBson::Document(to_raw_document(entries)?),
    })
}

/// Maps the entries of an object to an embedded document, in the same key order. Keys
/// with a NUL (which raw BSON cannot hold) are refused by [`Content`] before this runs.
pub(super) fn to_raw_document(
    entries: Vec<(String, Json)>,
) -> Result<RawDocumentBuf, InvalidReason> {
    let mut doc = RawDocumentBuf::new();
    for (key, value) in entries {
        doc.append(key, to_raw(value)?);
    }
    Ok(doc)
}

/// The §5 size check: the encoded document is its own size.
pub(super) fn check_size(doc: &RawDocumentBuf) -> Result<(), InvalidReason> {
    if doc.as_bytes().len() > MAX_DOCUMENT_BYTES {
        Err(InvalidReason::TooLarge)
    } else {
        Ok(())
    }
}
