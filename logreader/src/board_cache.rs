//! The boards of finished runs, kept in memory (`LOGREADER_BOARD_CACHE`, docs/spec/logreader.md
//! §16.4). A run's messages stop changing once its writer has handled `stopped` and written
//! `EndTime`, so its whole board (no epoch filter) is computed from one scan and then served
//! from memory; on FerretDB that scan reads a few thousand documents a second. Each board is
//! kept under the bytes of its run's metadata document: a writer that records more of the
//! run rewrites that document (counts, `EndTime`), which makes a new key, so a stale board
//! is never served, only left to be evicted. Boards are weighed by their estimated size and
//! evicted least recently used first. Requests for a board being built wait for that one
//! build instead of starting their own scan (`moka`'s `try_get_with`).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bson::{Bson, Document};
use common::schema::metadata;

use crate::board::Board;
use crate::error::ApiError;

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

    /// The run's id.
    pub fn simulation(&self) -> &str {
        &self.simulation
    }
}

/// Where a board came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// This caller computed it.
    Built,
    /// It was kept, or another caller was computing it and this one waited for that.
    Kept,
}

/// The cache; cloning shares it. With a budget of 0 bytes it keeps nothing.
#[derive(Debug, Clone)]
pub struct BoardCache {
    boards: Option<moka::future::Cache<CacheKey, Arc<Board>>>,
    max_bytes: u64,
}

impl BoardCache {
    /// A cache of at most `max_bytes` of boards (by [`Board::estimated_bytes`]).
    pub fn new(max_bytes: u64) -> Self {
        let boards = (max_bytes > 0).then(|| {
            moka::future::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_: &CacheKey, board: &Arc<Board>| {
                    u32::try_from(board.estimated_bytes()).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self { boards, max_bytes }
    }

    /// The budget in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Whether boards are kept at all.
    pub fn enabled(&self) -> bool {
        self.boards.is_some()
    }

    /// Whether a board is kept under `key`.
    pub fn contains(&self, key: &CacheKey) -> bool {
        self.boards
            .as_ref()
            .is_some_and(|boards| boards.contains_key(key))
    }

    /// The board kept under `key`, else the one `build` computes, then kept (a board larger
    /// than the whole budget is evicted again). Concurrent callers for one key share one
    /// build; when it fails, each of them gets its error.
    pub async fn get_or_build(
        &self,
        key: CacheKey,
        build: impl Future<Output = Result<Board, ApiError>>,
    ) -> Result<(Arc<Board>, Origin), ApiError> {
        let Some(boards) = &self.boards else {
            return Ok((Arc::new(build.await?), Origin::Built));
        };
        let built = AtomicBool::new(false);
        let board = boards
            .try_get_with(key, async {
                built.store(true, Ordering::Relaxed);
                build.await.map(Arc::new)
            })
            .await
            .map_err(ApiError::shared)?;
        let origin = if built.load(Ordering::Relaxed) {
            Origin::Built
        } else {
            Origin::Kept
        };
        Ok((board, origin))
    }
}

#[cfg(test)]
mod tests {
    use bson::{doc, DateTime};

    use super::*;
    use crate::board::BoardBuilder;

    fn board() -> Board {
        let mut builder = BoardBuilder::new([(1, None)]);
        builder.push(&doc! {"SourceProcessId": "p", "EpochNumber": 1, "Topic": "t"});
        builder.finish()
    }

    /// The origin of `key`'s board when the builder would compute [`board`].
    async fn origin(cache: &BoardCache, key: &CacheKey) -> Origin {
        let (_, origin) = cache
            .get_or_build(key.clone(), async { Ok(board()) })
            .await
            .expect("built");
        origin
    }

    #[test]
    fn only_runs_with_an_end_time_have_a_key() {
        let running = doc! {"SimulationId": "s", "EndTime": Bson::Null};
        assert_eq!(CacheKey::finished("s", &running), None);
        assert_eq!(CacheKey::finished("s", &doc! {"SimulationId": "s"}), None);
        let finished = doc! {"SimulationId": "s", "EndTime": DateTime::from_millis(5)};
        assert!(CacheKey::finished("s", &finished).is_some());
    }

    #[tokio::test]
    async fn a_rewritten_metadata_document_is_another_key() {
        let cache = BoardCache::new(1 << 20);
        let first = doc! {"EndTime": DateTime::from_millis(5), "Messages": 10_i64};
        let key = CacheKey::finished("s", &first).unwrap();
        assert_eq!(origin(&cache, &key).await, Origin::Built);
        assert!(cache.contains(&key));
        assert_eq!(origin(&cache, &key).await, Origin::Kept);
        let more = doc! {"EndTime": DateTime::from_millis(9), "Messages": 12_i64};
        assert!(!cache.contains(&CacheKey::finished("s", &more).unwrap()));
        let other_run = CacheKey::finished("t", &first).unwrap();
        assert_eq!(other_run.simulation(), "t");
        assert!(!cache.contains(&other_run));
    }

    #[tokio::test]
    async fn a_zero_budget_keeps_nothing() {
        let cache = BoardCache::new(0);
        assert!(!cache.enabled());
        let key = CacheKey::finished("s", &doc! {"EndTime": DateTime::from_millis(1)}).unwrap();
        assert_eq!(origin(&cache, &key).await, Origin::Built);
        assert!(!cache.contains(&key));
        assert_eq!(origin(&cache, &key).await, Origin::Built);
    }

    #[tokio::test]
    async fn callers_of_one_key_share_one_build() {
        let cache = BoardCache::new(1 << 20);
        let key = CacheKey::finished("s", &doc! {"EndTime": DateTime::from_millis(1)}).unwrap();
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let first = cache.get_or_build(key.clone(), async {
            released.await.expect("released");
            Ok(board())
        });
        let second = async {
            // The first build is under way (the join polls it first): wait for it.
            tokio::task::yield_now().await;
            let waited = cache.get_or_build(key.clone(), async {
                panic!("a second build of the same key");
            });
            tokio::join!(waited, async { release.send(()).expect("first waits") }).0
        };
        let (first, second) = tokio::join!(first, second);
        assert_eq!(first.expect("built").1, Origin::Built);
        assert_eq!(second.expect("shared").1, Origin::Kept);
    }

    #[tokio::test]
    async fn a_failed_build_keeps_nothing_and_reports_its_error() {
        let cache = BoardCache::new(1 << 20);
        let key = CacheKey::finished("s", &doc! {"EndTime": DateTime::from_millis(1)}).unwrap();
        let failed = cache
            .get_or_build(key.clone(), async {
                Err(ApiError::TimedOut(crate::error::TimeLimit::Query))
            })
            .await;
        assert!(matches!(failed, Err(ApiError::TimedOut(_))), "{failed:?}");
        assert!(!cache.contains(&key));
        assert_eq!(origin(&cache, &key).await, Origin::Built);
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
