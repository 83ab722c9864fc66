//! The container stack of the iterative parser.
//!
//! Containers up to [`MAX_DEPTH`] are built into values. Deeper ones are only checked for
//! syntax: they are remembered as one `bool` each (object or array), so a hostile text of
//! millions of `[` costs one byte per bracket and never a value that would need deep
//! recursion to drop.

use std::collections::HashMap;

use super::{Json, MAX_DEPTH};

/// Objects with more keys than this get a hash index for duplicate detection, so large
/// objects stay linear while small ones avoid the allocation.
const INDEX_THRESHOLD: usize = 16;

/// A container being built.
#[derive(Debug)]
enum Frame {
    Array(Vec<Json>),
    Object(ObjectBuilder),
}

/// An object being built: duplicate keys keep the first position and the last value.
#[derive(Debug, Default)]
struct ObjectBuilder {
    entries: Vec<(String, Json)>,
    index: Option<HashMap<String, usize>>,
    key: String,
}

impl ObjectBuilder {
    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }

    fn push(&mut self, value: Json) {
        let key = std::mem::take(&mut self.key);
        if let Some(at) = self.position(&key) {
            self.entries[at].1 = value;
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() > INDEX_THRESHOLD {
            let index = self.entries.iter().enumerate();
            self.index = Some(index.map(|(i, (k, _))| (k.clone(), i)).collect());
        }
    }
}

/// Open containers, innermost last.
#[derive(Debug, Default)]
pub(super) struct Stack {
    frames: Vec<Frame>,
    /// Containers nested deeper than [`MAX_DEPTH`]: `true` for an object.
    skipped: Vec<bool>,
    /// Set once any container went deeper than [`MAX_DEPTH`].
    deep: bool,
}

impl Stack {
    /// Whether a container deeper than [`MAX_DEPTH`] has been opened.
    pub(super) fn too_deep(&self) -> bool {
        self.deep
    }

    /// Opens an object or an array one level below the current one.
    pub(super) fn open(&mut self, object: bool) {
        if self.frames.len() >= MAX_DEPTH {
            self.deep = true;
            self.skipped.push(object);
        } else if object {
            self.frames.push(Frame::Object(ObjectBuilder::default()));
        } else {
            self.frames.push(Frame::Array(Vec::new()));
        }
    }

    /// Whether the innermost open container is an object; `None` when none is open.
    pub(super) fn in_object(&self) -> Option<bool> {
        match (self.skipped.last(), self.frames.last()) {
            (Some(&object), _) => Some(object),
            (None, Some(Frame::Object(_))) => Some(true),
            (None, Some(Frame::Array(_))) => Some(false),
            (None, None) => None,
        }
    }

    /// Sets the key the next value of the innermost object is stored under.
    pub(super) fn set_key(&mut self, key: String) {
        if let (true, Some(Frame::Object(object))) =
            (self.skipped.is_empty(), self.frames.last_mut())
        {
            object.key = key;
        }
    }

    /// Adds a complete value to the innermost container.
    pub(super) fn push(&mut self, value: Json) {
        if !self.skipped.is_empty() {
            return;
        }
        match self.frames.last_mut() {
            Some(Frame::Array(items)) => items.push(value),
            Some(Frame::Object(object)) => object.push(value),
            None => {}
        }
    }

    /// Closes the innermost container and returns it as a value. A container beyond
    /// [`MAX_DEPTH`] yields `Null`, which never reaches the caller: the parse then fails
    /// with `TooDeep`.
    pub(super) fn close(&mut self) -> Json {
        if self.skipped.pop().is_some() {
            return Json::Null;
        }
        match self.frames.pop() {
            Some(Frame::Array(items)) => Json::Array(items),
            Some(Frame::Object(object)) => Json::Object(object.entries),
            None => Json::Null,
        }
    }
}
