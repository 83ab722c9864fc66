//! The message JSON parser (messages.md §4.1).
//!
//! RFC 8259 plus the literals `NaN`, `Infinity` and `-Infinity`, integers of any size,
//! last-wins duplicate keys kept at the first key's position, preserved key order and a
//! nesting limit of [`MAX_DEPTH`].

/// Deepest accepted nesting (messages.md §4.1).
pub const MAX_DEPTH: usize = 90;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer literal inside the signed 64-bit range (`-0` is `0`).
    Int(i64),
    /// An integer literal outside the signed 64-bit range, as written.
    BigInt(String),
    /// A number with a fraction or exponent, or `NaN` / `Infinity` / `-Infinity`.
    Double(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: keys in order of first occurrence, duplicates already resolved.
    Object(Vec<(String, Json)>),
}

/// Why a text is not accepted as message JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text is not JSON (messages.md §4.4 row 2).
    #[error("not JSON")]
    NotJson,
    /// The text is JSON but nests deeper than [`MAX_DEPTH`] (messages.md §4.4 row 3).
    #[error("JSON nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Parses one JSON text.
pub fn parse(text: &str) -> Result<Json, ParseError> {
    let _ = text;
    todo!()
}
