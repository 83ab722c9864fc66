//! The merge phase of §10.3: turn one epoch's contributions into rows, merging the items'
//! points by instant.

use std::collections::VecDeque;

use bson::Bson;

use super::block::Point;
use super::gather::EpochItems;
use super::tree::{NodeId, Tree};
use super::Row;

/// One queued point of an item: the point and the item's value for each of its keys
/// (`None` for `null`).
struct Queued<'p> {
    point: &'p Point,
    values: Vec<Option<&'p Bson>>,
}

/// Appends the rows of epoch `epoch` and the matching values of every item in `items`.
pub(super) fn merge(tree: &mut Tree, rows: &mut Vec<Row>, epoch: i64, items: &EpochItems<'_>) {
    let mut queues: Vec<(NodeId, VecDeque<Queued<'_>>)> = items
        .entries
        .iter()
        .map(|(node, contributions)| (*node, point_queue(tree, *node, contributions)))
        .collect();
    while let Some(instant) = earliest(&queues) {
        // The first item (in epochItems order) with a head at this instant formats the row.
        let timestamp = queues
            .iter()
            .find_map(|(_, queue)| queue.front().filter(|q| q.point.instant == instant))
            .and_then(|q| q.point.display.clone());
        let row = rows.len();
        rows.push(Row { epoch, timestamp });
        for (node, queue) in &mut queues {
            append_row(tree, *node, queue, instant, row);
        }
    }
}

/// Every point of every contribution, carrying the values its own message selected, stably
/// sorted by instant (ties keep message order, then `TimeIndex` order).
fn point_queue<'p>(
    tree: &Tree,
    node: NodeId,
    contributions: &'p [super::gather::Contribution<'p>],
) -> VecDeque<Queued<'p>> {
    let keys: &[String] = tree.item(node).map_or(&[], |item| &item.keys);
    let mut queue: Vec<Queued<'p>> = contributions
        .iter()
        .flat_map(|contribution| {
            contribution
                .points
                .iter()
                .enumerate()
                .map(move |(index, point)| Queued {
                    point,
                    values: keys.iter().map(|k| contribution.value(k, index)).collect(),
                })
        })
        .collect();
    queue.sort_by_key(|queued| queued.point.instant);
    queue.into()
}

fn earliest(queues: &[(NodeId, VecDeque<Queued<'_>>)]) -> Option<i128> {
    queues
        .iter()
        .filter_map(|(_, queue)| queue.front().map(|q| q.point.instant))
        .min()
}

/// Sets row `row` of the item to its head's values when the head is at `instant` (and pops
/// it); otherwise the row stays `null` for every key.
fn append_row(
    tree: &mut Tree,
    node: NodeId,
    queue: &mut VecDeque<Queued<'_>>,
    instant: i128,
    row: usize,
) {
    let Some(item) = tree.item_mut(node) else {
        return;
    };
    let head = match queue.front() {
        Some(head) if head.point.instant == instant => queue.pop_front(),
        _ => None,
    };
    if let Some(head) = head {
        for (list, value) in item.values.iter_mut().zip(head.values) {
            if let Some(value) = value {
                list.push(row, value);
            }
        }
    }
}
