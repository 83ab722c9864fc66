//! The message JSON parser (docs/spec/messages.md §4.1).
//!
//! RFC 8259 plus the literals `NaN`, `Infinity` and `-Infinity`, integers of any size,
//! last-wins duplicate keys kept at the first key's position, preserved key order and a
//! nesting limit of [`MAX_DEPTH`].
//!
//! The parser is iterative (an explicit container stack), so hostile input cannot overflow
//! the call stack, and values deeper than the limit are never built.
//!
//! Depth: the top-level value is level 1 and each object or array opens one more level for
//! its members, so a text is too deep when more than [`MAX_DEPTH`] objects/arrays are open
//! at once (90 nested `[` are accepted, 91 are not; scalars never add a level).
//!
//! Precedence (docs/spec/messages.md §4.4 rows 2 and 3): `TooDeep` is reported only when the whole
//! text is otherwise valid JSON. Containers past the limit are still checked for syntax, so
//! deep *and* broken text is `NotJson`, exactly as the decision table orders the rows.

mod lexer;
mod stack;
#[cfg(test)]
mod tests;

use lexer::Lexer;
use stack::Stack;

/// Deepest accepted nesting (docs/spec/messages.md §4.1).
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
    /// The text is not JSON (docs/spec/messages.md §4.4 row 2).
    #[error("not JSON")]
    NotJson,
    /// The text is JSON but nests deeper than [`MAX_DEPTH`] (docs/spec/messages.md §4.4 row 3).
    #[error("JSON nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

impl Json {
    /// The value of `key` when `self` is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => lookup(entries, key),
            _ => None,
        }
    }

    /// The string, when `self` is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
}

/// The value of `key` in the entries of an object.
pub fn lookup<'a>(entries: &'a [(String, Json)], key: &str) -> Option<&'a Json> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Parses one JSON text (docs/spec/messages.md §4.1).
pub fn parse(text: &str) -> Result<Json, ParseError> {
    let mut lexer = Lexer::new(text);
    let mut stack = Stack::default();
    loop {
        let mut value = match open_or_scalar(&mut lexer, &mut stack)? {
            Some(value) => value,
            None => continue,
        };
        // Attach the finished value, closing every container that ends right after it.
        loop {
            let Some(object) = stack.in_object() else {
                return finish(&mut lexer, &stack, value);
            };
            stack.push(value);
            lexer.skip_ws();
            match lexer.next_byte() {
                Some(b',') => {
                    if object {
                        stack.set_key(lexer.key()?);
                    }
                    break;
                }
                Some(b'}') if object => value = stack.close(),
                Some(b']') if !object => value = stack.close(),
                _ => return Err(ParseError::NotJson),
            }
        }
    }
}

/// Parses the start of the next value. Returns the value when it is complete (a scalar or an
/// empty container), or `None` when a container was opened and its first member comes next.
fn open_or_scalar(lexer: &mut Lexer<'_>, stack: &mut Stack) -> Result<Option<Json>, ParseError> {
    lexer.skip_ws();
    let object = match lexer.peek() {
        Some(b'{') => true,
        Some(b'[') => false,
        _ => return lexer.scalar().map(Some),
    };
    lexer.next_byte();
    stack.open(object);
    lexer.skip_ws();
    if lexer.eat(if object { b'}' } else { b']' }) {
        return Ok(Some(stack.close()));
    }
    if object {
        stack.set_key(lexer.key()?);
    }
    Ok(None)
}

/// Checks that only whitespace follows the top-level value.
fn finish(lexer: &mut Lexer<'_>, stack: &Stack, value: Json) -> Result<Json, ParseError> {
    lexer.skip_ws();
    if !lexer.at_end() {
        Err(ParseError::NotJson)
    } else if stack.too_deep() {
        Err(ParseError::TooDeep)
    } else {
        Ok(value)
    }
}
