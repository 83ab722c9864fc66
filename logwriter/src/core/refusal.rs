//! Which documents a server refuses in a way that needs a decision before the insert
//! (docs/spec/logwriter.md §7.4–§7.5), and why a document went to the fallback.
//!
//! FerretDB 1.24 (SQLite backend) cannot store non-finite doubles, which docs/spec/messages.md allows
//! (`NaN`, `Infinity`, `-Infinity`, `1e400`). How it refuses them decides what the writer must
//! do:
//!
//! * ±Infinity in a field (at any depth, but not inside an array) gets a proper per-document
//!   write error, code 2 "infinity values are not allowed". That is the ordinary permanent
//!   error of §7.4, so the normal path stores the raw-text document and the rest of the batch.
//! * NaN anywhere makes the server drop the connection without a reply, and ±Infinity inside an
//!   array fails the *whole* insert with InternalError (code 1) after storing the documents
//!   before it. Both look like errors of the command, which §7.4 retries forever.
//!
//! So on FerretDB only, and only for the second group, the document is treated as refused
//! before it is sent. The first group is left to the server on purpose: its answer is exact,
//! and it keeps the real write-error path in use. MongoDB stores all of them as doubles.

use bson::{RawBsonRef, RawDocument};

/// The MongoDB-wire server, as far as the writer must tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// MongoDB, or any server without a known quirk.
    MongoDb,
    /// FerretDB (its `buildInfo` reply has a `ferretdbVersion` key).
    FerretDb,
}

/// Why a document went to the §7.5 fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A per-document write error with this permanent server code.
    Code(i32),
    /// FerretDB would fail the command on it (see the module docs); never sent.
    NonFinite,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Code(code) => write!(f, "{code}"),
            Self::NonFinite => f.write_str("FerretDB cannot store NaN, or an infinity in an array"),
        }
    }
}

/// Whether `server` would fail a whole insert on `doc` instead of refusing the document alone.
pub fn fails_the_command(server: Server, doc: &RawDocument) -> bool {
    server == Server::FerretDb && has_fatal_double(doc, false)
}

/// NaN at any depth, or ±Infinity inside an array. The documents the writer builds are
/// well-formed, so an element that does not decode cannot occur; it counts as harmless.
fn has_fatal_double(doc: &RawDocument, in_array: bool) -> bool {
    doc.iter()
        .filter_map(Result::ok)
        .any(|(_, value)| fatal_double(value, in_array))
}

fn fatal_double(value: RawBsonRef<'_>, in_array: bool) -> bool {
    match value {
        RawBsonRef::Double(x) => x.is_nan() || (in_array && x.is_infinite()),
        RawBsonRef::Document(doc) => has_fatal_double(doc, in_array),
        RawBsonRef::Array(items) => items
            .into_iter()
            .filter_map(Result::ok)
            .any(|v| fatal_double(v, true)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, RawDocumentBuf};

    fn raw(doc: bson::Document) -> RawDocumentBuf {
        RawDocumentBuf::from_document(&doc).expect("encodes")
    }

    #[test]
    fn ferretdb_fails_the_command_on_nan_anywhere_and_infinity_in_arrays() {
        let fatal = [
            doc! {"x": f64::NAN},
            doc! {"a": {"b": {"c": f64::NAN}}},
            doc! {"a": [1, f64::INFINITY]},
            doc! {"a": {"b": [{"c": f64::NEG_INFINITY}]}},
            doc! {"InvalidMessage": {"v": [f64::NAN]}},
        ];
        for doc in fatal {
            assert!(
                fails_the_command(Server::FerretDb, &raw(doc.clone())),
                "{doc}"
            );
            assert!(
                !fails_the_command(Server::MongoDb, &raw(doc.clone())),
                "{doc}"
            );
        }
    }

    #[test]
    fn infinity_outside_arrays_is_left_to_the_write_error_path() {
        for doc in [
            doc! {"x": f64::INFINITY},
            doc! {"a": {"b": f64::NEG_INFINITY}},
            doc! {"x": 1.5, "y": [1.0, 2.0], "z": "NaN"},
        ] {
            assert!(
                !fails_the_command(Server::FerretDb, &raw(doc.clone())),
                "{doc}"
            );
        }
    }

    #[test]
    fn refusals_read_well_in_the_warn_line() {
        assert_eq!(Refusal::Code(121).to_string(), "121");
        assert!(Refusal::NonFinite.to_string().contains("NaN"));
    }
}
