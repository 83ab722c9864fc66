//! Output of the result tree after the §10.5 cleanup: the §10.6 JSON object, and the
//! values lists as named CSV columns (§11).

use bson::{doc, Bson};

use super::tree::{ItemKind, Node, NodeId, Tree, ROOT};
use super::Row;
use crate::export::json;

/// One values list of the result tree, as a CSV column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column<'a> {
    /// `<topic>:<process>.<path>`, the path ending in the series key for a block item.
    pub name: String,
    /// One value per row (`null` where the list has no value).
    pub values: &'a [Bson],
}

/// What a JSON object entry holds.
#[derive(Clone, Copy)]
enum Entry {
    Rows,
    Node(NodeId),
}

/// The §10.6 body: `TimeIndex` and the topics, sorted together by code point.
pub(super) fn to_json(tree: &Tree, rows: &[Row], pretty: bool) -> String {
    let mut entries = vec![("TimeIndex", Entry::Rows)];
    entries.extend(children(tree, ROOT).map(|(key, id)| (key, Entry::Node(id))));
    let mut out = String::new();
    json::write_object(
        &mut out,
        entries,
        pretty,
        0,
        |out, entry, level| match entry {
            Entry::Rows => write_rows(out, rows, pretty, level),
            Entry::Node(id) => write_node(out, tree, id, pretty, level),
        },
    );
    out
}

fn write_rows(out: &mut String, rows: &[Row], pretty: bool, level: usize) {
    json::write_array(out, rows.iter(), pretty, level, |out, row, level| {
        let timestamp = row.timestamp.clone().map_or(Bson::Null, Bson::String);
        let fields = doc! {"epoch": row.epoch, "timestamp": timestamp};
        json::write_document(out, &fields, pretty, level);
    });
}

/// Writes a node after cleanup: a branch as an object, a block item as an object of values
/// lists, a simple item as its values list.
fn write_node(out: &mut String, tree: &Tree, id: NodeId, pretty: bool, level: usize) {
    let write_list = |out: &mut String, list: &Vec<Bson>, level| {
        json::write_array(out, list.iter(), pretty, level, |out, value, level| {
            json::write_value(out, value, pretty, level);
        });
    };
    match tree.node(id) {
        Some(Node::Item(item)) if item.kind == ItemKind::Simple => {
            write_list(out, item.values.first().unwrap_or(&Vec::new()), level);
        }
        Some(Node::Item(item)) => {
            let entries = item.keys.iter().map(String::as_str).zip(&item.values);
            json::write_object(out, entries.collect(), pretty, level, write_list);
        }
        _ => {
            let entries = children(tree, id).collect();
            json::write_object(out, entries, pretty, level, |out, child, level| {
                write_node(out, tree, child, pretty, level);
            });
        }
    }
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
pub(super) fn columns(tree: &Tree) -> Vec<Column<'_>> {
    let mut columns = Vec::new();
    for (topic, topic_id) in children(tree, ROOT) {
        for (process, process_id) in children(tree, topic_id) {
            let prefix = format!("{topic}:{process}");
            for (name, node) in children(tree, process_id) {
                collect_columns(tree, node, &format!("{prefix}.{name}"), &mut columns);
            }
        }
    }
    columns
}

fn collect_columns<'t>(tree: &'t Tree, id: NodeId, name: &str, columns: &mut Vec<Column<'t>>) {
    match tree.node(id) {
        Some(Node::Item(item)) if item.kind == ItemKind::Simple => {
            if let Some(values) = item.values.first() {
                columns.push(Column {
                    name: name.to_owned(),
                    values,
                });
            }
        }
        Some(Node::Item(item)) => {
            for (key, values) in item.keys.iter().zip(&item.values) {
                columns.push(Column {
                    name: format!("{name}.{key}"),
                    values,
                });
            }
        }
        _ => {
            for (child_name, child) in children(tree, id) {
                collect_columns(tree, child, &format!("{name}.{child_name}"), columns);
            }
        }
    }
}
