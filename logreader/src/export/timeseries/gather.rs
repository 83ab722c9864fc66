//! The gather phase of §10.3: walk every path of every message of one epoch, create the
//! nodes on the way and record which message contributes which points and series to which
//! item.

use std::collections::HashMap;

use bson::{Bson, Document};

use super::block::{self, Kind, Point};
use super::source::Source;
use super::tree::{ItemKind, NodeId, Tree, ROOT};

/// What one message brings to one item: its points, and per selected series key the values
/// (value `j` belongs to point `j`).
#[derive(Debug)]
pub(super) struct Contribution<'a> {
    message: usize,
    pub points: Vec<Point>,
    pub series: Vec<(&'a str, &'a [Bson])>,
}

impl<'a> Contribution<'a> {
    /// The value of series `key` at point `index`: `None` (`null`) when this message
    /// selected no such series or its `Values` array is shorter.
    pub fn value(&self, key: &str, index: usize) -> Option<&'a Bson> {
        self.series
            .iter()
            .find(|(name, _)| *name == key)
            .and_then(|(_, values)| values.get(index))
    }
}

/// `epochItems`: the items that received data in this epoch, in first-contribution order,
/// each with its contributions in message order.
#[derive(Debug, Default)]
pub(super) struct EpochItems<'a> {
    pub entries: Vec<(NodeId, Vec<Contribution<'a>>)>,
    index: HashMap<NodeId, usize>,
}

/// What walking one path through one message found.
enum Found<'a> {
    Nothing,
    Block {
        node: NodeId,
        block: &'a Document,
        rest: &'a [String],
    },
    Simple {
        node: NodeId,
        key: &'a str,
        value: &'a Bson,
    },
}

/// Runs the gather phase over one epoch's messages (in §8 order). `start` is the epoch's
/// start time in milliseconds; `skipped` counts the simple values dropped for lack of it.
pub(super) fn gather<'a>(
    tree: &mut Tree,
    messages: &'a [Source],
    attrs: &'a [Vec<String>],
    start: Option<i64>,
    skipped: &mut u64,
) -> EpochItems<'a> {
    let mut items = EpochItems::default();
    for (message, source) in messages.iter().enumerate() {
        let Some(process) = process_node(tree, source) else {
            continue;
        };
        for path in attrs {
            match walk(tree, process, &source.doc, path) {
                Found::Nothing => {}
                Found::Block { node, block, rest } => {
                    gather_block(tree, &mut items, message, node, block, rest);
                }
                Found::Simple { node, key, value } => {
                    let Some(start) = start else {
                        *skipped += 1;
                        continue;
                    };
                    if tree.make_item(node, ItemKind::Simple) {
                        let points = vec![Point::from_bson_date(start)];
                        let series = vec![(key, std::slice::from_ref(value))];
                        items.contribute(tree, node, message, points, series);
                    }
                }
            }
        }
    }
    items
}

/// Gets or creates `root[topic][process]`, so processes without data still appear.
fn process_node(tree: &mut Tree, source: &Source) -> Option<NodeId> {
    let topic = tree.child(ROOT, &source.topic)?;
    tree.child(topic, &source.process)
}

/// Walks `path` from the process node through `doc`, creating the nodes it passes.
fn walk<'a>(tree: &mut Tree, process: NodeId, doc: &'a Document, path: &'a [String]) -> Found<'a> {
    let mut src = doc;
    let mut node = process;
    for (i, part) in path.iter().enumerate() {
        let value = match src.get(part) {
            None | Some(Bson::Null) => return Found::Nothing,
            Some(value) => value,
        };
        let Some(child) = tree.child(node, part) else {
            return Found::Nothing;
        };
        match block::classify(value) {
            Kind::Block(block) => {
                let rest = path.get(i + 1..).unwrap_or_default();
                return Found::Block {
                    node: child,
                    block,
                    rest,
                };
            }
            Kind::Simple(value) if i + 1 == path.len() => {
                return Found::Simple {
                    node: child,
                    key: part,
                    value,
                };
            }
            Kind::Simple(_) | Kind::Terminal => return Found::Nothing,
            Kind::Container(inner) => {
                src = inner;
                node = child;
            }
        }
    }
    // The path ended on a container.
    Found::Nothing
}

/// Contributes a block's selected series to `node`, unless the block is unusable, selects
/// nothing, or `node` already holds something else.
fn gather_block<'a>(
    tree: &mut Tree,
    items: &mut EpochItems<'a>,
    message: usize,
    node: NodeId,
    block: &'a Document,
    rest: &'a [String],
) {
    let series = block::select_series(block, rest);
    if series.is_empty() {
        return;
    }
    let Some(points) = block::points(block) else {
        return;
    };
    if tree.make_item(node, ItemKind::Block) {
        items.contribute(tree, node, message, points, series);
    }
}

impl<'a> EpochItems<'a> {
    /// Records a contribution. A message that already contributed to the item (another path
    /// reached the same block) only adds its new series, so its points are not doubled.
    fn contribute(
        &mut self,
        tree: &mut Tree,
        node: NodeId,
        message: usize,
        points: Vec<Point>,
        series: Vec<(&'a str, &'a [Bson])>,
    ) {
        if let Some(item) = tree.item_mut(node) {
            item.add_keys(series.iter().map(|(key, _)| *key));
        }
        let slot = *self.index.entry(node).or_insert_with(|| {
            self.entries.push((node, Vec::new()));
            self.entries.len() - 1
        });
        let Some((_, contributions)) = self.entries.get_mut(slot) else {
            return;
        };
        // Messages are gathered in order, so this message's contribution, if any, is the
        // last one: looking only there keeps the gather linear in the contributions.
        match contributions.last_mut().filter(|c| c.message == message) {
            Some(existing) => {
                for (key, values) in series {
                    if !existing.series.iter().any(|(known, _)| *known == key) {
                        existing.series.push((key, values));
                    }
                }
            }
            None => contributions.push(Contribution {
                message,
                points,
                series,
            }),
        }
    }
}
