//! The ordered result tree of §10.3, kept in an arena so that gather and merge can refer to
//! items by id while the tree grows.

use std::collections::HashMap;

use super::cells::Values;

/// Index of a node in the arena.
pub(super) type NodeId = usize;

/// The root: its children are the topics, theirs the processes.
pub(super) const ROOT: NodeId = 0;

/// Whether an item came from blocks or from simple values. An item never changes kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ItemKind {
    /// A map from series key to values list.
    Block,
    /// A single values list (its only key is the node's own name).
    Simple,
}

/// A node that holds data: its series keys in first-added order and one values list each.
#[derive(Debug)]
pub(super) struct Item {
    pub kind: ItemKind,
    pub keys: Vec<String>,
    pub values: Vec<Values>,
}

impl Item {
    /// Appends the keys the item does not have yet, each with an empty values list (`null`
    /// in every row so far).
    pub fn add_keys<'k>(&mut self, keys: impl Iterator<Item = &'k str>) {
        for key in keys {
            if !self.keys.iter().any(|known| known == key) {
                self.keys.push(key.to_owned());
                self.values.push(Values::default());
            }
        }
    }
}

/// Child nodes in creation order, with a name index so large trees stay linear.
#[derive(Debug, Default)]
pub(super) struct Children {
    order: Vec<(String, NodeId)>,
    index: HashMap<String, NodeId>,
}

impl Children {
    /// The children in creation order.
    pub fn entries(&self) -> &[(String, NodeId)] {
        &self.order
    }
}

/// A branch (possibly empty) or an item.
#[derive(Debug)]
pub(super) enum Node {
    Branch(Children),
    Item(Item),
}

/// The arena. Node 0 is the root branch.
#[derive(Debug)]
pub(super) struct Tree {
    nodes: Vec<Node>,
}

impl Default for Tree {
    fn default() -> Self {
        Self {
            nodes: vec![Node::Branch(Children::default())],
        }
    }
}

impl Tree {
    /// The node with this id, if any.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// Gets or creates `parent[key]` as an empty branch. `None` when `parent` is an item,
    /// which has no children.
    pub fn child(&mut self, parent: NodeId, key: &str) -> Option<NodeId> {
        let new_id = self.nodes.len();
        let Some(Node::Branch(children)) = self.nodes.get_mut(parent) else {
            return None;
        };
        if let Some(&id) = children.index.get(key) {
            return Some(id);
        }
        children.index.insert(key.to_owned(), new_id);
        children.order.push((key.to_owned(), new_id));
        self.nodes.push(Node::Branch(Children::default()));
        Some(new_id)
    }

    /// Makes `id` an item of `kind`: an empty branch turns into one, an item of that kind
    /// stays. Returns `false` (and changes nothing) for a non-empty branch or an item of the
    /// other kind, which then receives no data.
    pub fn make_item(&mut self, id: NodeId, kind: ItemKind) -> bool {
        match self.nodes.get_mut(id) {
            Some(Node::Item(item)) => item.kind == kind,
            Some(node @ Node::Branch(_)) if is_empty_branch(node) => {
                *node = Node::Item(Item {
                    kind,
                    keys: Vec::new(),
                    values: Vec::new(),
                });
                true
            }
            _ => false,
        }
    }

    /// The item with this id, if the node is an item.
    pub fn item(&self, id: NodeId) -> Option<&Item> {
        match self.nodes.get(id) {
            Some(Node::Item(item)) => Some(item),
            _ => None,
        }
    }

    /// The item with this id, mutably, if the node is an item.
    pub fn item_mut(&mut self, id: NodeId) -> Option<&mut Item> {
        match self.nodes.get_mut(id) {
            Some(Node::Item(item)) => Some(item),
            _ => None,
        }
    }
}

fn is_empty_branch(node: &Node) -> bool {
    matches!(node, Node::Branch(children) if children.order.is_empty())
}
