//! The boards of finished runs, kept in memory (`LOGREADER_BOARD_CACHE`, docs/spec/logreader.md
//! §16.4). A run's messages stop changing once its writer has handled `stopped` and written
//! `EndTime`, so its whole board (no epoch filter) is computed from one scan and then served
//! from memory; on FerretDB that scan reads a few thousand documents a second. Each board is
//! kept under the bytes of its run's metadata document: a writer that records more of the
//! run rewrites that document (counts, `EndTime`), which makes a new key, so a stale board
//! is never served, only left to be evicted. Boards are weighed by their estimated size and
//! evicted least recently used first.

use std::sync::Arc;

use bson::{Bson, Document};
use common::schema::metadata;

use crate::board::Board;

/// A finished run and its metadata document, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    simulation: String,
    metadata: Vec<u8>,
}

impl CacheKey {
    /// The key of run `simulation` whose metadata document is `document`, or `None` while
    /// the run is not finished (its `EndTime` is not a date): only finished runs are cached.
    pub fn finished(simulation: &str, document: &Document) -> Option<Self> {
        if !matches!(document.get(metadata::END_TIME), Some(Bson::DateTime(_))) {
            return None;
        }
        let metadata = bson::to_vec(document).ok()?;
        Some(Self {
            simulation: simulation.to_owned(),
            metadata,
        })
    }
}

/// The cache; cloning shares it. With a budget of 0 bytes it keeps nothing.
#[derive(Debug, Clone)]
pub struct BoardCache {
    boards: Option<moka::sync::Cache<CacheKey, Arc<Board>>>,
}

impl BoardCache {
    /// A cache of at most `max_bytes` of boards (by [`Board::estimated_bytes`]).
    pub fn new(max_bytes: u64) -> Self {
        let boards = (max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_: &CacheKey, board: &Arc<Board>| {
                    u32::try_from(board.estimated_bytes()).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self { boards }
    }

    /// Whether boards are kept at all.
    pub fn enabled(&self) -> bool {
        self.boards.is_some()
    }

    /// The board kept under `key`.
    pub fn get(&self, key: &CacheKey) -> Option<Arc<Board>> {
        self.boards.as_ref()?.get(key)
    }

    /// Keeps `board` under `key` (a board larger than the whole budget is evicted again).
    pub fn insert(&self, key: CacheKey, board: Arc<Board>) {
        if let Some(boards) = &self.boards {
            boards.insert(key, board);
        }
    }
}

#[cfg(test)]
mod tests {
    use bson::{doc, DateTime};

    use super::*;
    use crate::board::BoardBuilder;

    fn board() -> Arc<Board> {
        let mut builder = BoardBuilder::new([(1, None)]);
        builder.push(&doc! {"SourceProcessId": "p", "EpochNumber": 1, "Topic": "t"});
        Arc::new(builder.finish())
    }

    #[test]
    fn only_runs_with_an_end_time_have_a_key() {
        let running = doc! {"SimulationId": "s", "EndTime": Bson::Null};
        assert_eq!(CacheKey::finished("s", &running), None);
        assert_eq!(CacheKey::finished("s", &doc! {"SimulationId": "s"}), None);
        let finished = doc! {"SimulationId": "s", "EndTime": DateTime::from_millis(5)};
        assert!(CacheKey::finished("s", &finished).is_some());
    }

    #[test]
    fn a_rewritten_metadata_document_is_another_key() {
        let cache = BoardCache::new(1 << 20);
        let first = doc! {"EndTime": DateTime::from_millis(5), "Messages": 10_i64};
        let key = CacheKey::finished("s", &first).unwrap();
        cache.insert(key.clone(), board());
        assert!(cache.get(&key).is_some());
        let more = doc! {"EndTime": DateTime::from_millis(9), "Messages": 12_i64};
        assert!(cache
            .get(&CacheKey::finished("s", &more).unwrap())
            .is_none());
        let other_run = CacheKey::finished("t", &first).unwrap();
        assert!(cache.get(&other_run).is_none());
    }

    #[test]
    fn a_zero_budget_keeps_nothing() {
        let cache = BoardCache::new(0);
        assert!(!cache.enabled());
        let key = CacheKey::finished("s", &doc! {"EndTime": DateTime::from_millis(1)}).unwrap();
        cache.insert(key.clone(), board());
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn the_estimate_grows_with_epochs_not_messages() {
        let epochs = |n: i64, per_epoch: usize| {
            let mut builder = BoardBuilder::new((1..=n).map(|e| (e, None)));
            for epoch in 1..=n {
                for _ in 0..per_epoch {
                    builder.push(&doc! {"SourceProcessId": "p", "EpochNumber": epoch});
                }
            }
            builder.finish().estimated_bytes()
        };
        assert_eq!(epochs(10, 1), epochs(10, 50), "more messages, same epochs");
        assert!(epochs(100, 1) > 5 * epochs(10, 1), "ten times the epochs");
    }
}
