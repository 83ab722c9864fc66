//! What the patched AMQP parser (vendor/amq-protocol-types/PATCHED.md) hands over from
//! deliveries a strict parser refuses (docs/spec/logwriter.md §2.3): short strings whose
//! bytes are not UTF-8 arrive escaped, one plane-16 code point per byte, and header tables
//! nested deeper than its limit arrive as byte arrays. Here the bytes are recovered and the
//! unusual parts of a delivery are named, so they can be stored with it.

use amq_protocol_types::parsing::{ESCAPE_BASE, MAX_NESTING};
use amq_protocol_types::{AMQPValue, FieldTable, ShortString};
use lapin::BasicProperties;

/// One unusual part of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusual {
    /// Which part: `routing_key`, `content_type`, `headers`, ….
    pub property: &'static str,
    /// Why it is unusual.
    pub reason: &'static str,
    /// Its bytes as sent (for a too-deep header, the encoded content of the table that was
    /// not parsed).
    pub bytes: Vec<u8>,
}

/// Reason of a short string whose bytes are not UTF-8.
pub const NOT_UTF8: &str = "not UTF-8";
/// Reason of a header table nested deeper than the parser's limit.
pub const TOO_DEEP: &str = "nested deeper than 64 levels";

/// The bytes of a short string as sent, and whether some were not UTF-8. (A code point of
/// the escape range sent as such comes escaped byte by byte, so the bytes are exact, and
/// they are valid UTF-8 then.)
pub fn short_string_bytes(text: &str) -> (Vec<u8>, bool) {
    let mut bytes = Vec::with_capacity(text.len());
    let mut escaped = false;
    for c in text.chars() {
        match u32::from(c).checked_sub(ESCAPE_BASE) {
            Some(byte) if byte <= 0xFF => {
                bytes.push(byte as u8);
                escaped = true;
            }
            _ => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    let not_utf8 = escaped && std::str::from_utf8(&bytes).is_err();
    (bytes, not_utf8)
}

/// The unusual short-string properties and headers of a delivery.
pub fn unusual_properties(properties: &BasicProperties) -> Vec<Unusual> {
    let mut found = Vec::new();
    let strings = [
        ("content_type", properties.content_type()),
        ("content_encoding", properties.content_encoding()),
        ("correlation_id", properties.correlation_id()),
        ("reply_to", properties.reply_to()),
        ("expiration", properties.expiration()),
        ("message_id", properties.message_id()),
        ("type", properties.kind()),
        ("user_id", properties.user_id()),
        ("app_id", properties.app_id()),
        ("cluster_id", properties.cluster_id()),
    ];
    for (property, value) in strings {
        if let Some(unusual) = value.as_ref().and_then(|v| not_utf8(property, v)) {
            found.push(unusual);
        }
    }
    if let Some(headers) = properties.headers() {
        walk_table(headers, 0, &mut found);
    }
    found
}

fn not_utf8(property: &'static str, value: &ShortString) -> Option<Unusual> {
    let (bytes, escaped) = short_string_bytes(value.as_str());
    escaped.then_some(Unusual {
        property,
        reason: NOT_UTF8,
        bytes,
    })
}

fn walk_table(table: &FieldTable, depth: u32, found: &mut Vec<Unusual>) {
    for (key, value) in table.inner() {
        if let Some(unusual) = not_utf8("headers", key) {
            found.push(unusual);
        }
        walk_value(value, depth, found);
    }
}

/// `depth` counts the tables and arrays around `value` below the headers table.
fn walk_value(value: &AMQPValue, depth: u32, found: &mut Vec<Unusual>) {
    match value {
        AMQPValue::FieldTable(table) => walk_table(table, depth + 1, found),
        AMQPValue::FieldArray(array) => {
            for item in array.as_slice() {
                walk_value(item, depth + 1, found);
            }
        }
        // Where the parser stopped: a byte array at its limit stands for a deeper table.
        AMQPValue::ByteArray(bytes) if depth == MAX_NESTING => found.push(Unusual {
            property: "headers",
            reason: TOO_DEEP,
            bytes: bytes.as_slice().to_vec(),
        }),
        AMQPValue::ShortString(text) => {
            if let Some(unusual) = not_utf8("headers", text) {
                found.push(unusual);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
