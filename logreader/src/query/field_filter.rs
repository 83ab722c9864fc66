//! The `where=` expression language (docs/spec/logreader.md §5.4): conditions over stored
//! fields joined with `and`, parsed by hand into a small syntax tree and turned into a
//! MongoDB filter document built field by field, never spliced from the text.
//!
//! ```text
//! expression := condition ( "and" condition )*
//! condition  := path "exists" | path op value | path "in" "[" value ( "," value )* "]"
//! op         := "=" | "!=" | "<" | "<=" | ">" | ">="
//! path       := part ( "." part )*      a part: no whitespace, NUL or . = ! < > [ ] , "
//! value      := JSON number | JSON string | true | false | null
//! ```

use bson::{doc, Bson, Document};
use chrono::{DateTime, Utc};

/// A parsed expression: every condition must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldFilter {
    /// The conditions, in the order written.
    pub conditions: Vec<Condition>,
}

/// One condition on one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The dotted path, split on `.`.
    pub path: Vec<String>,
    /// What the field must satisfy.
    pub test: Test,
}

/// The test of a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `exists`.
    Exists,
    /// `<op> <value>`.
    Compare(Op, Literal),
    /// `in [<value>, ...]`.
    In(Vec<Literal>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// A JSON literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// An integral number within 64 bits, written without fraction or exponent.
    Int(i64),
    /// Any other number.
    Double(f64),
    /// A string.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// Why an expression does not parse: where (a 1-based character position) and what was
/// expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhereError {
    /// 1-based position of the character where parsing failed (one past the end at the end).
    pub position: usize,
    /// What was expected, and what was found.
    pub message: String,
}

/// The characters that end a path part (besides whitespace).
const DELIMITERS: &[char] = &['.', '=', '!', '<', '>', '[', ']', ',', '"', '\0'];

/// Parses a `where=` expression.
pub fn parse(text: &str) -> Result<FieldFilter, WhereError> {
    Parser { text, at: 0 }.expression()
}

struct Parser<'t> {
    text: &'t str,
    /// Byte offset of the next character.
    at: usize,
}

impl Parser<'_> {
    fn expression(&mut self) -> Result<FieldFilter, WhereError> {
        let mut conditions = vec![self.condition()?];
        loop {
            self.skip_space();
            if self.rest().is_empty() {
                return Ok(FieldFilter { conditions });
            }
            if self.word() != "and" {
                return Err(self.expected("`and` or the end of the expression"));
            }
            self.at += "and".len();
            conditions.push(self.condition()?);
        }
    }

    fn condition(&mut self) -> Result<Condition, WhereError> {
        self.skip_space();
        let path = self.path()?;
        self.skip_space();
        let test = match self.word() {
            "exists" => {
                self.at += "exists".len();
                Test::Exists
            }
            "in" => {
                self.at += "in".len();
                Test::In(self.list()?)
            }
            _ => {
                let op = self.operator()?;
                Test::Compare(op, self.value()?)
            }
        };
        Ok(Condition { path, test })
    }

    /// A dotted path; every part non-empty and not starting with `$`.
    fn path(&mut self) -> Result<Vec<String>, WhereError> {
        let start = self.at;
        let end = self
            .rest()
            .find(|c: char| c.is_whitespace() || DELIMITERS.contains(&c) && c != '.');
        let end = start + end.unwrap_or(self.rest().len());
        if end == start {
            return Err(self.expected("a field path"));
        }
        let mut parts = Vec::new();
        let mut part_start = start;
        for part in self.text[start..end].split('.') {
            if part.is_empty() || part.starts_with('$') {
                self.at = part_start;
                let problem = if part.is_empty() {
                    "a path part (parts are separated by one `.` and none is empty)"
                } else {
                    "a path part that does not start with `$`"
                };
                return Err(self.expected(problem));
            }
            parts.push(part.to_owned());
            part_start += part.len() + 1;
        }
        self.at = end;
        Ok(parts)
    }

    fn operator(&mut self) -> Result<Op, WhereError> {
        let rest = self.rest();
        let (op, width) = [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("!=", Op::Ne),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find_map(|(text, op)| rest.starts_with(text).then_some((op, text.len())))
        .ok_or_else(|| self.expected("an operator (=, !=, <, <=, >, >=), `in` or `exists`"))?;
        self.at += width;
        Ok(op)
    }

    /// `[v, ...]` with at least one value.
    fn list(&mut self) -> Result<Vec<Literal>, WhereError> {
        self.skip_space();
        self.symbol('[', "`[` opening the list of values")?;
        let mut values = vec![self.value()?];
        loop {
            self.skip_space();
            if self.rest().starts_with(']') {
                self.at += 1;
                return Ok(values);
            }
            self.symbol(',', "`,` or `]` in the list of values")?;
            values.push(self.value()?);
        }
    }

    fn value(&mut self) -> Result<Literal, WhereError> {
        self.skip_space();
        const VALUE: &str = "a value (a number, a \"string\", true, false or null)";
        let rest = self.rest();
        match rest.chars().next() {
            Some('"') => self.string(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            _ => {
                let literal = match self.word() {
                    "true" => Literal::Bool(true),
                    "false" => Literal::Bool(false),
                    "null" => Literal::Null,
                    _ => return Err(self.expected(VALUE)),
                };
                self.at += self.word().len();
                Ok(literal)
            }
        }
    }

    /// A JSON string literal, escapes included.
    fn string(&mut self) -> Result<Literal, WhereError> {
        let rest = self.rest();
        let mut escaped = false;
        let mut end = None;
        for (index, c) in rest.char_indices().skip(1) {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    end = Some(index + 1);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            return Err(self.expected("a string closed by `\"`"));
        };
        let text: String = serde_json::from_str(&rest[..end])
            .map_err(|_| self.expected("a JSON string (valid escapes, no control characters)"))?;
        self.at += end;
        Ok(Literal::Str(text))
    }

    /// A JSON number: integral ones without fraction or exponent as int64 when they fit.
    fn number(&mut self) -> Result<Literal, WhereError> {
        let rest = self.rest();
        // Up to a space, `,` or `]`, so `1x` is one bad token rather than `1` then `x`.
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ',' || c == ']')
            .unwrap_or(rest.len());
        let token = &rest[..end];
        let number: serde_json::Number = serde_json::from_str(token)
            .map_err(|_| self.expected("a JSON number within range (like 5, -2.5 or 1e3)"))?;
        // serde_json checks the grammar and the range (1e999 is refused); Rust's own parse
        // rounds correctly, where serde_json's default one may be a unit off in the last place.
        let literal = match number.as_i64() {
            Some(integer) => Literal::Int(integer),
            None => Literal::Double(token.parse().unwrap_or(f64::NAN)),
        };
        self.at += end;
        Ok(literal)
    }

    fn symbol(&mut self, symbol: char, what: &str) -> Result<(), WhereError> {
        self.skip_space();
        if self.rest().starts_with(symbol) {
            self.at += symbol.len_utf8();
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// The run of non-space, non-delimiter characters at the cursor (not consumed).
    fn word(&self) -> &str {
        let rest = self.rest();
        let end = rest
            .find(|c: char| c.is_whitespace() || DELIMITERS.contains(&c))
            .unwrap_or(rest.len());
        &rest[..end]
    }

    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn expected(&self, what: &str) -> WhereError {
        let position = self.text[..self.at].chars().count() + 1;
        let found = match self.rest().chars().next() {
            None => "the end of the expression".to_owned(),
            Some(_) => {
                let shown: String = self.rest().chars().take(12).collect();
                format!("`{shown}`")
            }
        };
        WhereError {
            position,
            message: format!("expected {what}, found {found}"),
        }
    }
}

impl FieldFilter {
    /// One MongoDB condition per condition, to be combined with `$and`.
    pub fn to_mongo(&self) -> Vec<Document> {
        self.conditions.iter().map(Condition::to_mongo).collect()
    }
}

impl Condition {
    fn to_mongo(&self) -> Document {
        let path = self.path.join(".");
        match &self.test {
            Test::Exists => doc! { path: { "$exists": true } },
            Test::In(values) => {
                let values: Vec<Bson> = values.iter().flat_map(|v| v.forms(Op::Eq)).collect();
                doc! { path: { "$in": values } }
            }
            Test::Compare(op, value) => compare(&path, *op, value),
        }
    }
}

/// `path <op> value`. A string that is a datetime (§5.2) is compared with stored strings as
/// a string and with stored dates as the date: MongoDB compares only values of one type
/// bracket, so each form matches its own kind of field.
fn compare(path: &str, op: Op, value: &Literal) -> Document {
    let forms = value.forms(op);
    match op {
        Op::Eq => doc! { path: { "$in": forms } },
        Op::Ne => doc! { path: { "$nin": forms } },
        _ if forms.len() == 1 => doc! { path: { op.mongo(): forms[0].clone() } },
        _ => {
            let alternatives: Vec<Document> = forms
                .into_iter()
                .map(|form| doc! { path: { op.mongo(): form } })
                .collect();
            doc! { "$or": alternatives }
        }
    }
}

impl Op {
    fn mongo(self) -> &'static str {
        match self {
            Self::Eq => "$eq",
            Self::Ne => "$ne",
            Self::Lt => "$lt",
            Self::Le => "$lte",
            Self::Gt => "$gt",
            Self::Ge => "$gte",
        }
    }
}

impl Literal {
    /// The BSON values this literal stands for with `op`: itself, plus the date for a
    /// datetime string when a stored (millisecond) date can satisfy the comparison.
    fn forms(&self, op: Op) -> Vec<Bson> {
        let plain = match self {
            Self::Int(n) => Bson::Int64(*n),
            Self::Double(x) => Bson::Double(*x),
            Self::Str(text) => Bson::String(text.clone()),
            Self::Bool(b) => Bson::Boolean(*b),
            Self::Null => Bson::Null,
        };
        let date = match self {
            Self::Str(text) => common::time::parse_query_datetime(text)
                .and_then(|parsed| date_for(parsed.instant(), op)),
            _ => None,
        };
        std::iter::once(plain)
            .chain(date.map(Bson::DateTime))
            .collect()
    }
}

/// The millisecond date to compare with: for `<`/`>=` the first millisecond at or after the
/// instant, for `<=`/`>` the last at or before it (so `x <= 10.5 ms` is `x <= 10 ms`); for
/// `=`, `!=` and `in` the instant itself, or none when it is not a whole millisecond (no
/// stored date equals it).
fn date_for(instant: DateTime<Utc>, op: Op) -> Option<bson::DateTime> {
    let millis = instant.timestamp_millis();
    let whole = instant.timestamp_subsec_nanos().is_multiple_of(1_000_000);
    let millis = match (op, whole) {
        (_, true) | (Op::Le | Op::Gt, false) => millis,
        (Op::Lt | Op::Ge, false) => millis.checked_add(1)?,
        (Op::Eq | Op::Ne, false) => return None,
    };
    Some(bson::DateTime::from_millis(millis))
}

#[cfg(test)]
mod tests;
