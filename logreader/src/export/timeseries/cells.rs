//! The column store of the result tree: each values list keeps only the rows that hold a
//! value, each in a compact cell. Rows without one are `null` (§10.3 pads with `null`), so
//! nothing is stored for them; a time series costs memory in proportion to its values, not
//! to rows × columns.

use std::borrow::Cow;

use bson::Bson;

use crate::export::{csv, json};

/// One value. The scalar types messages carry are stored inline; anything else (a
/// document, an array, a date inside a series…) keeps its BSON form behind a box.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Double(f64),
    Int32(i32),
    Int64(i64),
    Boolean(bool),
    String(Box<str>),
    Other(Box<Bson>),
}

impl Cell {
    /// The cell of a value, or `None` for `null`, which is what an absent row means anyway.
    fn of(value: &Bson) -> Option<Self> {
        Some(match value {
            Bson::Null => return None,
            Bson::Double(x) => Self::Double(*x),
            Bson::Int32(n) => Self::Int32(*n),
            Bson::Int64(n) => Self::Int64(*n),
            Bson::Boolean(b) => Self::Boolean(*b),
            Bson::String(text) => Self::String(text.as_str().into()),
            other => Self::Other(Box::new(other.clone())),
        })
    }

    /// The value as BSON, borrowed where it is stored that way.
    fn to_bson(&self) -> Cow<'_, Bson> {
        Cow::Owned(match self {
            Self::Double(x) => Bson::Double(*x),
            Self::Int32(n) => Bson::Int32(*n),
            Self::Int64(n) => Bson::Int64(*n),
            Self::Boolean(b) => Bson::Boolean(*b),
            Self::String(text) => Bson::String(text.to_string()),
            Self::Other(value) => return Cow::Borrowed(value),
        })
    }

    /// Appends the §9.3 JSON form.
    pub fn write_json(&self, out: &mut String, pretty: bool, level: usize) {
        match self {
            Self::String(text) => json::write_string(out, text),
            other => json::write_value(out, &other.to_bson(), pretty, level),
        }
    }

    /// The §11 cell text.
    pub fn csv_text(&self) -> Cow<'_, str> {
        match self {
            Self::String(text) => Cow::Borrowed(text),
            other => Cow::Owned(csv::format_cell(&other.to_bson())),
        }
    }
}

/// A values list: the rows that hold a value, ascending, and their cells.
#[derive(Debug, Default)]
pub(super) struct Values {
    rows: Vec<usize>,
    cells: Vec<Cell>,
}

impl Values {
    /// Sets row `row` (past every row set so far) to `value`; `null` stores nothing.
    pub fn push(&mut self, row: usize, value: &Bson) {
        if let Some(cell) = Cell::of(value) {
            self.rows.push(row);
            self.cells.push(cell);
        }
    }

    /// Every row from 0 to `rows - 1` in order: its cell, or `None` for `null`.
    pub fn dense(&self, rows: usize) -> impl Iterator<Item = Option<&Cell>> + '_ {
        let mut next = 0;
        (0..rows).map(move |row| {
            if self.rows.get(next) != Some(&row) {
                return None;
            }
            next += 1;
            self.cells.get(next - 1)
        })
    }
}
