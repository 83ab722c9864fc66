//! JSON to BSON (docs/spec/messages.md §6.1 mapping table) and the §5 checks MongoDB would refuse.

use std::io;

use bson::{Bson, Document};

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

/// Maps one JSON value to BSON: int32 when it fits, else int64; doubles stay doubles.
/// An integer beyond 64 bits has no BSON form and is refused.
pub(super) fn to_bson(value: Json) -> Result<Bson, InvalidReason> {
    Ok(match value {
        Json::Null => Bson::Null,
        Json::Bool(b) => Bson::Boolean(b),
        Json::Int(n) => i32::try_from(n).map_or(Bson::Int64(n), Bson::Int32),
        Json::BigInt(_) => return Err(InvalidReason::IntegerOutOfRange),
        Json::Double(d) => Bson::Double(d),
        Json::String(s) => Bson::String(s),
        Json::Array(items) => {
            Bson::Array(items.into_iter().map(to_bson).collect::<Result<_, _>>()?)
        }
        Json::Object(entries) => Bson::Document(to_document(entries)?),
    })
}

/// Maps the entries of an object to an embedded document, in the same key order.
pub(super) fn to_document(entries: Vec<(String, Json)>) -> Result<Document, InvalidReason> {
    let mut doc = Document::new();
    for (key, value) in entries {
        doc.insert(key, to_bson(value)?);
    }
    Ok(doc)
}

/// Counts the bytes written to it, so the size check encodes without allocating.
#[derive(Debug, Default)]
struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The encoded size of a document in bytes.
pub fn encoded_size(doc: &Document) -> Result<usize, bson::ser::Error> {
    let mut counter = ByteCounter::default();
    doc.to_writer(&mut counter)?;
    Ok(counter.0)
}

/// The §5 size check. A document that cannot be encoded at all (only a NUL in a key can
/// cause that, and such keys are refused before) is reported as a refused key.
pub(super) fn check_size(doc: &Document) -> Result<(), InvalidReason> {
    match encoded_size(doc) {
        Ok(size) if size > MAX_DOCUMENT_BYTES => Err(InvalidReason::TooLarge),
        Ok(_) => Ok(()),
        Err(_) => Err(InvalidReason::RefusedKey),
    }
}
