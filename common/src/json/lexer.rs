//! Scalars of the message JSON grammar: strings, numbers and literals.

use super::{Json, ParseError};

type Result<T> = std::result::Result<T, ParseError>;

/// A cursor over the text being parsed.
#[derive(Debug)]
pub(super) struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte, without consuming it.
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    /// Consumes `byte` if it comes next.
    pub(super) fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    /// Consumes the next byte.
    pub(super) fn next_byte(&mut self) -> Option<u8> {
        let byte = self.peek();
        self.pos += usize::from(byte.is_some());
        byte
    }

    /// Skips JSON whitespace: space, tab, LF and CR only.
    pub(super) fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Whether the whole text has been consumed.
    pub(super) fn at_end(&self) -> bool {
        self.pos == self.text.len()
    }

    fn keyword(&mut self, word: &str) -> Result<()> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(ParseError::NotJson)
        }
    }

    /// An object key followed by its `:` (whitespace around both skipped).
    pub(super) fn key(&mut self) -> Result<String> {
        self.skip_ws();
        if !self.eat(b'"') {
            return Err(ParseError::NotJson);
        }
        let key = self.string()?;
        self.skip_ws();
        if self.eat(b':') {
            Ok(key)
        } else {
            Err(ParseError::NotJson)
        }
    }

    /// A value that is not a container.
    pub(super) fn scalar(&mut self) -> Result<Json> {
        let value = match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                Json::String(self.string()?)
            }
            Some(b't') => self.keyword("true").map(|()| Json::Bool(true))?,
            Some(b'f') => self.keyword("false").map(|()| Json::Bool(false))?,
            Some(b'n') => self.keyword("null").map(|()| Json::Null)?,
            Some(b'N') => self.keyword("NaN").map(|()| Json::Double(f64::NAN))?,
            Some(b'I') => self
                .keyword("Infinity")
                .map(|()| Json::Double(f64::INFINITY))?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(ParseError::NotJson),
        };
        Ok(value)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, or `-Infinity`.
    fn number(&mut self) -> Result<Json> {
        let start = self.pos;
        if self.eat(b'-') && self.peek() == Some(b'I') {
            return self
                .keyword("Infinity")
                .map(|()| Json::Double(f64::NEG_INFINITY));
        }
        match self.next_byte() {
            Some(b'0') => {}
            Some(b'1'..=b'9') => _ = self.digits(),
            _ => return Err(ParseError::NotJson),
        }
        let mut integer = true;
        if self.eat(b'.') {
            integer = false;
            if self.digits() == 0 {
                return Err(ParseError::NotJson);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.pos += 1;
            let _sign = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return Err(ParseError::NotJson);
            }
        }
        let literal = &self.text[start..self.pos];
        if integer {
            Ok(literal
                .parse::<i64>()
                .map_or_else(|_| Json::BigInt(literal.to_owned()), Json::Int))
        } else {
            // The grammar above is a subset of what `f64::from_str` accepts, and it rounds
            // correctly and overflows to ±inf, so this never fails.
            literal
                .parse::<f64>()
                .map(Json::Double)
                .map_err(|_| ParseError::NotJson)
        }
    }

    /// The rest of a string whose opening quote has been consumed.
    fn string(&mut self) -> Result<String> {
        let mut out = String::new();
        loop {
            let start = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            // Stops only at ASCII bytes or the end, so both ends are char boundaries.
            out.push_str(&self.text[start..self.pos]);
            match self.next_byte() {
                Some(b'"') => return Ok(out),
                Some(b'\\') => out.push(self.escape()?),
                _ => return Err(ParseError::NotJson),
            }
        }
    }

    /// One escape after its backslash. A `\u` surrogate must be a high one followed by a
    /// `\u` low one; a lone surrogate makes the text non-JSON.
    fn escape(&mut self) -> Result<char> {
        let c = match self.next_byte() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(),
            _ => return Err(ParseError::NotJson),
        };
        Ok(c)
    }

    fn unicode_escape(&mut self) -> Result<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                self.keyword("\\u")?;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(ParseError::NotJson);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            _ => first,
        };
        // Rejects the lone low surrogates 0xDC00..=0xDFFF.
        char::from_u32(code).ok_or(ParseError::NotJson)
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or(ParseError::NotJson)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ParseError::NotJson);
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| ParseError::NotJson)
    }
}
