//! Output of the result tree after the §10.5 cleanup: the §10.6 JSON object and the §11 CSV
//! table. Both append to one buffer and call `flush` after every value list element and row,
//! so a caller can hand the buffer on in chunks and never hold the whole body.

use std::borrow::Cow;

use bson::{doc, Bson};

use super::cells::Values;
use super::tree::{ItemKind, Node, NodeId, Tree, ROOT};
use super::Row;
use crate::export::{csv, json};

/// Called between the elements of the output with the buffer written so far; it may take
/// the buffer's contents (to send them) or leave them.
pub type Flush<'f> = &'f mut dyn FnMut(&mut String);

/// One values list of the result tree, as a CSV column.
struct Column<'a> {
    topic: &'a str,
    process: &'a str,
    /// The attribute path after the process, ending in the series key for a block item.
    attribute: String,
    values: &'a Values,
}

impl Column<'_> {
    /// The wide header's name: `<topic>:<process>.<attribute>`.
    fn name(&self) -> String {
        format!("{}:{}.{}", self.topic, self.process, self.attribute)
    }
}

/// What a JSON object entry holds.
#[derive(Clone, Copy)]
enum Entry {
    Rows,
    Node(NodeId),
}

/// Appends the §10.6 body: `TimeIndex` and the topics, sorted together by code point.
pub(super) fn write_json(
    tree: &Tree,
    rows: &[Row],
    pretty: bool,
    out: &mut String,
    flush: Flush<'_>,
) {
    let mut entries = vec![("TimeIndex", Entry::Rows)];
    entries.extend(children(tree, ROOT).map(|(key, id)| (key, Entry::Node(id))));
    let writer = JsonWriter {
        tree,
        rows: rows.len(),
        pretty,
    };
    json::write_object(out, entries, pretty, 0, |out, entry, level| match entry {
        Entry::Rows => write_rows(out, rows, pretty, level, flush),
        Entry::Node(id) => writer.write_node(out, id, level, flush),
    });
}

fn write_rows(out: &mut String, rows: &[Row], pretty: bool, level: usize, flush: Flush<'_>) {
    json::write_array(out, rows.iter(), pretty, level, |out, row, level| {
        let timestamp = row.timestamp.clone().map_or(Bson::Null, Bson::String);
        let fields = doc! {"epoch": row.epoch, "timestamp": timestamp};
        json::write_document(out, &fields, pretty, level);
        flush(out);
    });
}

/// What every node of one JSON rendering shares.
struct JsonWriter<'t> {
    tree: &'t Tree,
    rows: usize,
    pretty: bool,
}

impl JsonWriter<'_> {
    /// Writes a node after cleanup: a branch as an object, a block item as an object of
    /// values lists, a simple item as its values list.
    fn write_node(&self, out: &mut String, id: NodeId, level: usize, flush: Flush<'_>) {
        match self.tree.node(id) {
            Some(Node::Item(item)) if item.kind == ItemKind::Simple => match item.values.first() {
                Some(values) => self.write_list(out, values, level, flush),
                None => out.push_str("[]"),
            },
            Some(Node::Item(item)) => {
                let entries = item.keys.iter().map(String::as_str).zip(&item.values);
                json::write_object(
                    out,
                    entries.collect(),
                    self.pretty,
                    level,
                    |out, list, level| {
                        self.write_list(out, list, level, flush);
                    },
                );
            }
            _ => {
                let entries = children(self.tree, id).collect();
                json::write_object(out, entries, self.pretty, level, |out, child, level| {
                    self.write_node(out, child, level, flush);
                });
            }
        }
    }

    /// A values list as a JSON array with one element per row, `null` where it has none.
    fn write_list(&self, out: &mut String, values: &Values, level: usize, flush: Flush<'_>) {
        let cells = values.dense(self.rows);
        json::write_array(out, cells, self.pretty, level, |out, cell, level| {
            match cell {
                Some(cell) => cell.write_json(out, self.pretty, level),
                None => out.push_str("null"),
            }
            flush(out);
        });
    }
}

/// Appends the §11 body: the header, then one line per row.
pub(super) fn write_csv(tree: &Tree, rows: &[Row], out: &mut String, flush: Flush<'_>) {
    let columns = columns(tree);
    csv::write_record(out, header(&columns));
    let mut cells: Vec<_> = columns
        .iter()
        .map(|column| column.values.dense(rows.len()))
        .collect();
    for row in rows {
        let leading = [
            Cow::Owned(row.epoch.to_string()),
            Cow::Borrowed(row.timestamp.as_deref().unwrap_or_default()),
        ];
        let values = cells
            .iter_mut()
            .map(|column| match column.next().flatten() {
                Some(cell) => cell.csv_text(),
                None => Cow::Borrowed(""),
            });
        csv::write_record(out, leading.into_iter().chain(values));
        flush(out);
    }
}

/// The header of the long layout (§11.1).
const LONG_HEADER: [&str; 6] = [
    "epoch",
    "timestamp",
    "topic",
    "process",
    "attribute",
    "value",
];

/// Appends the §11.1 long body: the header, then for each row of the wide table its
/// non-empty cells in column order, one line each.
pub(super) fn write_long_csv(tree: &Tree, rows: &[Row], out: &mut String, flush: Flush<'_>) {
    let columns = columns(tree);
    csv::write_record(out, LONG_HEADER);
    let mut cells: Vec<_> = columns
        .iter()
        .map(|column| column.values.dense(rows.len()))
        .collect();
    for row in rows {
        let epoch = row.epoch.to_string();
        let timestamp = row.timestamp.as_deref().unwrap_or_default();
        for (column, cells) in columns.iter().zip(cells.iter_mut()) {
            let Some(cell) = cells.next().flatten() else {
                continue;
            };
            let line = [
                Cow::Borrowed(epoch.as_str()),
                Cow::Borrowed(timestamp),
                Cow::Borrowed(column.topic),
                Cow::Borrowed(column.process),
                Cow::Borrowed(column.attribute.as_str()),
                cell.csv_text(),
            ];
            csv::write_record(out, line);
            flush(out);
        }
    }
}

/// The CSV header: `epoch`, `timestamp`, then the column names in insertion order.
pub(super) fn csv_header(tree: &Tree) -> Vec<String> {
    header(&columns(tree))
}

fn header(columns: &[Column<'_>]) -> Vec<String> {
    let names = columns.iter().map(Column::name);
    ["epoch".to_owned(), "timestamp".to_owned()]
        .into_iter()
        .chain(names)
        .collect()
}

/// The children of a branch in creation order (none for an item).
fn children(tree: &Tree, id: NodeId) -> impl Iterator<Item = (&str, NodeId)> {
    let entries = match tree.node(id) {
        Some(Node::Branch(children)) => children.entries(),
        _ => &[],
    };
    entries.iter().map(|(key, child)| (key.as_str(), *child))
}

/// Every values list in insertion order: topics, processes, nodes, then block series.
fn columns(tree: &Tree) -> Vec<Column<'_>> {
    let mut columns = Vec::new();
    for (topic, topic_id) in children(tree, ROOT) {
        for (process, process_id) in children(tree, topic_id) {
            let owner = Owner { topic, process };
            for (name, node) in children(tree, process_id) {
                collect_columns(tree, node, owner, name, &mut columns);
            }
        }
    }
    columns
}

/// The topic and process a subtree of columns belongs to.
#[derive(Clone, Copy)]
struct Owner<'t> {
    topic: &'t str,
    process: &'t str,
}

fn collect_columns<'t>(
    tree: &'t Tree,
    id: NodeId,
    owner: Owner<'t>,
    path: &str,
    columns: &mut Vec<Column<'t>>,
) {
    let mut push = |attribute: String, values| {
        columns.push(Column {
            topic: owner.topic,
            process: owner.process,
            attribute,
            values,
        });
    };
    match tree.node(id) {
        Some(Node::Item(item)) if item.kind == ItemKind::Simple => {
            if let Some(values) = item.values.first() {
                push(path.to_owned(), values);
            }
        }
        Some(Node::Item(item)) => {
            for (key, values) in item.keys.iter().zip(&item.values) {
                push(format!("{path}.{key}"), values);
            }
        }
        _ => {
            for (child_name, child) in children(tree, id) {
                collect_columns(tree, child, owner, &format!("{path}.{child_name}"), columns);
            }
        }
    }
}
