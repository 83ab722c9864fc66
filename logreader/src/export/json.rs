//! BSON to JSON text (docs/spec/logreader.md §9): keys sorted by code point at every level, compact by
//! default or the original 4-space `pretty` layout, and the value forms of §9.3 and §9.4.
//!
//! Everything appends to a `String`, so a caller can stream a large array one element at a
//! time with [`ArrayWriter`] and never hold the whole body.

use std::fmt::Write as _;

use bson::{Bson, Document};

use super::scalar;

/// Serialises one value as a complete JSON text (no trailing newline).
pub fn to_json(value: &Bson, pretty: bool) -> String {
    let mut out = String::new();
    write_value(&mut out, value, pretty, 0);
    out
}

/// Serialises one document as a complete JSON object (no trailing newline), for example the
/// body of `/simulations/{simId}`.
pub fn document_to_json(doc: &Document, pretty: bool) -> String {
    let mut out = String::new();
    write_document(&mut out, doc, pretty, 0);
    out
}

/// Appends `doc` as a JSON object whose opening brace sits at `indent_level` (only
/// meaningful when `pretty`: nested lines are indented by `4 × (indent_level + 1)` spaces).
pub fn write_document(out: &mut String, doc: &Document, pretty: bool, indent_level: usize) {
    let entries = doc
        .iter()
        .map(|(key, value)| (key.as_str(), value))
        .collect();
    write_object(out, entries, pretty, indent_level, |out, value, level| {
        write_value(out, value, pretty, level);
    });
}

/// Appends any BSON value in its §9.3 form. Containers nest from `indent_level`.
pub fn write_value(out: &mut String, value: &Bson, pretty: bool, indent_level: usize) {
    match value {
        Bson::Document(doc) => write_document(out, doc, pretty, indent_level),
        Bson::Array(items) => write_array(out, items.iter(), pretty, indent_level, |out, v, l| {
            write_value(out, v, pretty, l);
        }),
        Bson::Double(x) => push_or_null(out, scalar::format_double(*x)),
        Bson::Int32(n) => push_display(out, n),
        Bson::Int64(n) => push_display(out, n),
        Bson::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Bson::String(text) | Bson::Symbol(text) | Bson::JavaScriptCode(text) => {
            write_string(out, text);
        }
        Bson::JavaScriptCodeWithScope(code) => write_string(out, &code.code),
        Bson::DateTime(date) => match scalar::format_bson_date(date.timestamp_millis()) {
            Some(text) => write_string(out, &text),
            None => out.push_str("null"),
        },
        Bson::ObjectId(id) => write_string(out, &id.to_hex()),
        Bson::Decimal128(d) => write_string(out, &scalar::format_decimal128(d)),
        Bson::Binary(binary) => write_string(out, &scalar::format_base64(&binary.bytes)),
        // Null, and the types §9.3 maps to null: regex, timestamp, MinKey, MaxKey, DBPointer,
        // undefined.
        _ => out.push_str("null"),
    }
}

/// Appends `text` as a JSON string literal with the §9.2 escapes: non-ASCII stays raw, `/` and
/// U+007F are not escaped, other controls below U+0020 become `\u00xx` (lowercase).
pub fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < '\u{20}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Streams a top-level JSON array in the §9.1 layout, element by element.
///
/// ```text
/// compact: [ e1 , e2 ]                  -> [{…},{…}]
/// pretty:  [ \n␣␣␣␣e1 ,\n␣␣␣␣e2 \n ]    -> elements at indent level 1
/// empty:   []  (both layouts)
/// ```
///
/// Call [`open`](Self::open) once, [`push_document`](Self::push_document) (or
/// [`push_value`](Self::push_value)) per element, then [`close`](Self::close). Each call only
/// appends to the given buffer, so every call's output can be sent as its own chunk.
#[derive(Debug, Clone)]
pub struct ArrayWriter {
    pretty: bool,
    /// NDJSON (§9.5): no brackets or commas, each document compact on its own line.
    lines: bool,
    written: usize,
}

impl ArrayWriter {
    /// A writer for the compact (`pretty = false`) or the 4-space layout.
    pub fn new(pretty: bool) -> Self {
        Self {
            pretty,
            lines: false,
            written: 0,
        }
    }

    /// A writer of NDJSON: every document compact and followed by `\n`, nothing around.
    pub fn lines() -> Self {
        Self {
            pretty: false,
            lines: true,
            written: 0,
        }
    }

    /// Appends the opening `[` (nothing for NDJSON).
    pub fn open(&self, out: &mut String) {
        if !self.lines {
            out.push('[');
        }
    }

    /// Appends the separator the layout needs, then `doc` as the next element.
    pub fn push_document(&mut self, out: &mut String, doc: &Document) {
        if self.lines {
            write_document(out, doc, false, 0);
            out.push('\n');
            self.written += 1;
            return;
        }
        self.separate(out);
        write_document(out, doc, self.pretty, 1);
    }

    /// Appends the separator the layout needs, then `value` as the next element.
    pub fn push_value(&mut self, out: &mut String, value: &Bson) {
        self.separate(out);
        write_value(out, value, self.pretty, 1);
    }

    /// Appends the closing `]` (after a newline in the pretty layout, unless empty; nothing
    /// for NDJSON).
    pub fn close(self, out: &mut String) {
        if self.lines {
            return;
        }
        if self.pretty && self.written > 0 {
            out.push('\n');
        }
        out.push(']');
    }

    /// How many elements were pushed so far.
    pub fn len(&self) -> usize {
        self.written
    }

    /// Whether no element was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.written == 0
    }

    fn separate(&mut self, out: &mut String) {
        if self.written > 0 {
            out.push(',');
        }
        if self.pretty {
            out.push('\n');
            push_indent(out, 1);
        }
        self.written += 1;
    }
}

/// Appends a JSON array whose items `write_item` renders at the level it is given.
pub(crate) fn write_array<T>(
    out: &mut String,
    items: impl Iterator<Item = T>,
    pretty: bool,
    level: usize,
    mut write_item: impl FnMut(&mut String, T, usize),
) {
    out.push('[');
    let mut empty = true;
    for item in items {
        open_item(out, &mut empty, pretty, level);
        write_item(out, item, level + 1);
    }
    close_container(out, empty, pretty, level, ']');
}

/// Appends a JSON object of `entries`, sorted by key code point (UTF-8 byte order is code
/// point order), with `write_item` rendering each value at the level it is given.
pub(crate) fn write_object<T>(
    out: &mut String,
    mut entries: Vec<(&str, T)>,
    pretty: bool,
    level: usize,
    mut write_item: impl FnMut(&mut String, T, usize),
) {
    entries.sort_by(|a, b| a.0.cmp(b.0));
    out.push('{');
    let mut empty = true;
    for (key, value) in entries {
        open_item(out, &mut empty, pretty, level);
        write_string(out, key);
        out.push_str(if pretty { ": " } else { ":" });
        write_item(out, value, level + 1);
    }
    close_container(out, empty, pretty, level, '}');
}

fn open_item(out: &mut String, empty: &mut bool, pretty: bool, level: usize) {
    if !*empty {
        out.push(',');
    }
    *empty = false;
    if pretty {
        out.push('\n');
        push_indent(out, level + 1);
    }
}

fn close_container(out: &mut String, empty: bool, pretty: bool, level: usize, close: char) {
    if pretty && !empty {
        out.push('\n');
        push_indent(out, level);
    }
    out.push(close);
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn push_display(out: &mut String, value: impl std::fmt::Display) {
    let _ = write!(out, "{value}");
}

fn push_or_null(out: &mut String, text: Option<String>) {
    out.push_str(text.as_deref().unwrap_or("null"));
}

#[cfg(test)]
mod tests;
