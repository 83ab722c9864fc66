//! The CSV dialect of docs/spec/logreader.md §11: `;` delimiter, `"` quoting only when needed, CRLF
//! after every line, UTF-8 without BOM, and the Python-like cell texts.

use bson::Bson;

use super::json;
use super::scalar;

/// Appends one record: the fields joined by `;`, each quoted only if it contains `;`, `"`,
/// CR or LF (with `"` doubled), then CRLF.
pub fn write_record<S: AsRef<str>>(out: &mut String, fields: impl IntoIterator<Item = S>) {
    for (index, field) in fields.into_iter().enumerate() {
        if index > 0 {
            out.push(';');
        }
        write_field(out, field.as_ref());
    }
    out.push_str("\r\n");
}

fn write_field(out: &mut String, field: &str) {
    if field.contains([';', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// The cell text of one value (§11): empty for `null`, `True`/`False`, doubles in `repr`
/// form with `nan`/`inf`/`-inf`, dates in the §9.4 form, documents and arrays as compact
/// JSON, and the other types as their JSON text without quotes.
///
/// Types whose JSON form is `null` (regular expression, BSON timestamp, MinKey, MaxKey,
/// DBPointer, undefined, and dates outside years 0001–9999) give an empty cell, like `null`.
pub fn format_cell(value: &Bson) -> String {
    match value {
        Bson::Null => String::new(),
        Bson::Boolean(b) => if *b { "True" } else { "False" }.to_owned(),
        Bson::Int32(n) => n.to_string(),
        Bson::Int64(n) => n.to_string(),
        Bson::Double(x) => scalar::format_double(*x).unwrap_or_else(|| non_finite(*x).to_owned()),
        Bson::String(text) | Bson::Symbol(text) | Bson::JavaScriptCode(text) => text.clone(),
        Bson::JavaScriptCodeWithScope(code) => code.code.clone(),
        Bson::DateTime(date) => {
            scalar::format_bson_date(date.timestamp_millis()).unwrap_or_default()
        }
        Bson::ObjectId(id) => id.to_hex(),
        Bson::Decimal128(d) => scalar::format_decimal128(d),
        Bson::Binary(binary) => scalar::format_base64(&binary.bytes),
        Bson::Document(_) | Bson::Array(_) => json::to_json(value, false),
        _ => String::new(),
    }
}

fn non_finite(x: f64) -> &'static str {
    if x.is_nan() {
        "nan"
    } else if x > 0.0 {
        "inf"
    } else {
        "-inf"
    }
}

#[cfg(test)]
mod tests;
