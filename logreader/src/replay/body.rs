//! A stored valid message back to the delivery it came from (pure): its `Topic` as the
//! routing key and a JSON body that the writer stores as the same document
//! (docs/spec/messages.md §6.1 read backwards).
//!
//! The writer keeps the body's field order, maps JSON numbers to int32, int64 or double by
//! their form and turns the top-level `Timestamp`, `StartTime` and `EndTime` into dates. So
//! the body keeps the stored order, writes each number in a form that maps back to the same
//! BSON type (a double always with a point or an exponent, `NaN` and `Infinity` as the
//! writer's parser reads them), and writes dates as `YYYY-MM-DDTHH:MM:SS.sssZ`, which the
//! writer parses back to the same millisecond. `_id` is left out: the writer derives it
//! from the routing key and the body.

use bson::{Bson, RawBsonRef, RawDocument};
use chrono::SecondsFormat;
use common::schema::field;

use crate::export::json::{write_string, write_value};

/// One message to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    /// The routing key: the stored `Topic`.
    pub topic: String,
    /// The JSON body.
    pub body: String,
    /// The stored `Timestamp` in milliseconds, for pacing.
    pub timestamp: Option<i64>,
}

/// Why a stored document cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unpublishable {
    /// It has no string `Topic` to use as the routing key.
    #[error("no Topic string")]
    NoTopic,
    /// It is not valid BSON.
    #[error("malformed BSON: {0}")]
    Malformed(String),
}

/// The delivery a stored document came from.
pub fn replayed(doc: &RawDocument) -> Result<Replayed, Unpublishable> {
    let malformed = |e: bson::raw::Error| Unpublishable::Malformed(e.to_string());
    let topic = match doc.get(field::TOPIC).map_err(malformed)? {
        Some(RawBsonRef::String(topic)) => topic.to_owned(),
        _ => return Err(Unpublishable::NoTopic),
    };
    let timestamp = match doc.get(field::TIMESTAMP).map_err(malformed)? {
        Some(RawBsonRef::DateTime(date)) => Some(date.timestamp_millis()),
        _ => None,
    };
    let mut body = String::new();
    write_document(&mut body, doc, true).map_err(malformed)?;
    Ok(Replayed {
        topic,
        body,
        timestamp,
    })
}

fn write_document(
    out: &mut String,
    doc: &RawDocument,
    top_level: bool,
) -> Result<(), bson::raw::Error> {
    out.push('{');
    let mut first = true;
    for element in doc {
        let (key, value) = element?;
        if top_level && key == field::ID {
            continue;
        }
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        write_string(out, key);
        out.push(':');
        write_raw(out, value)?;
    }
    out.push('}');
    Ok(())
}

fn write_raw(out: &mut String, value: RawBsonRef<'_>) -> Result<(), bson::raw::Error> {
    match value {
        RawBsonRef::Document(doc) => write_document(out, doc, false)?,
        RawBsonRef::Array(items) => {
            out.push('[');
            for (n, item) in items.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_raw(out, item?)?;
            }
            out.push(']');
        }
        RawBsonRef::String(text) => write_string(out, text),
        RawBsonRef::Double(x) => out.push_str(&double(x)),
        RawBsonRef::Int32(n) => out.push_str(&n.to_string()),
        RawBsonRef::Int64(n) => out.push_str(&n.to_string()),
        RawBsonRef::Boolean(b) => out.push_str(if b { "true" } else { "false" }),
        RawBsonRef::Null => out.push_str("null"),
        RawBsonRef::DateTime(date) => {
            let text = date
                .to_chrono()
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            write_string(out, &text);
        }
        // Nothing the writer stores; a collection written by something else gets the
        // reader's JSON form of the value (docs/spec/logreader.md §9.3).
        other => match Bson::try_from(other.to_raw_bson()) {
            Ok(value) => write_value(out, &value, false, 0),
            Err(_) => out.push_str("null"),
        },
    }
    Ok(())
}

/// A double in a form the writer's parser reads back as the same double: Rust's shortest
/// round-trip digits, which always have a point or an exponent (`1.0`, `1e300`).
fn double(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        format!("{x:?}")
    }
}

#[cfg(test)]
mod tests;
