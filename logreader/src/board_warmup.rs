//! The warm-up of the health boards of newly finished runs (docs/spec/logreader.md §16.4).
//! On FerretDB a board is a scan of a few thousand documents a second, so the first request
//! for an 80,000-message run would wait for about ten seconds. Every [`PERIOD`] this task
//! reads the metadata of the `LOGREADER_BOARD_WARMUP` runs that finished last (latest
//! `EndTime`, from its index) and computes the whole board of each one not warmed yet,
//! latest first, one at a time, into the cache the requests read (a request arriving during
//! that build waits for it instead of scanning again). Each run's board is warmed once per
//! metadata document, and a pass stops once it has built the cache's budget, so the warm-up
//! never churns the cache by itself.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use bson::{Bson, DateTime, Document};
use common::schema::metadata;
use tokio_util::sync::CancellationToken;

use crate::board_cache::{CacheKey, Origin};
use crate::boards;
use crate::error::ApiError;
use crate::http_metrics::BoardTrigger;
use crate::state::AppState;

/// How often the finished runs are looked for.
pub const PERIOD: Duration = Duration::from_secs(2);

/// The warm-up task's state.
#[derive(Debug)]
pub struct Warmup {
    state: AppState,
    runs: u32,
    /// The runs (and metadata documents) warmed, of those still among the latest.
    warmed: HashSet<CacheKey>,
}

impl Warmup {
    /// The warm-up of the `runs` runs that finished last; `None` when that is 0 or no
    /// board is kept at all.
    pub fn new(state: AppState, runs: u32) -> Option<Self> {
        (runs > 0 && state.boards.enabled()).then(|| Self {
            state,
            runs,
            warmed: HashSet::new(),
        })
    }

    /// Warms boards every [`PERIOD`], from now until `shutdown` is cancelled.
    pub async fn run(mut self, shutdown: CancellationToken) {
        loop {
            let pass = tokio::select! {
                () = shutdown.cancelled() => return,
                pass = self.pass() => pass,
            };
            if let Err(error) = pass {
                // The same outage fails every request too, and /ready reports it.
                tracing::debug!(error = %error, "Warming the boards failed; trying again.");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(PERIOD) => {}
            }
        }
    }

    /// One look at the finished runs, and the boards of those not warmed yet.
    async fn pass(&mut self) -> Result<(), ApiError> {
        let finished = self.state.store.latest_finished(self.runs).await?;
        let mut built_bytes = 0;
        for key in plan(&finished, &mut self.warmed) {
            if built_bytes >= self.state.boards.max_bytes() {
                break;
            }
            let started = Instant::now();
            let built = boards::kept_or_built(&self.state, key.clone(), BoardTrigger::Warmup);
            let (board, origin) = match built.await {
                Ok(built) => built,
                // An outage fails every run alike: the next pass tries again.
                Err(error @ (ApiError::Unavailable(_) | ApiError::TimedOut(_))) => {
                    return Err(error)
                }
                // This run alone: said once, and not tried again until its metadata changes
                // (a request still reads it, and answers with the error).
                Err(error) => {
                    tracing::warn!(simulation = key.simulation(), error = %error,
                        "The board of a finished run could not be built ahead of its requests: {error}.");
                    self.warmed.insert(key);
                    continue;
                }
            };
            if origin == Origin::Built {
                built_bytes += board.estimated_bytes();
                tracing::debug!(
                    simulation = key.simulation(),
                    seconds = started.elapsed().as_secs_f64(),
                    "Board of a finished run built ahead of its first request."
                );
            }
            self.warmed.insert(key);
        }
        Ok(())
    }
}

/// The keys of the `finished` runs (id, metadata) not `warmed` yet, latest `EndTime`
/// first; `warmed` forgets the runs no longer among them.
fn plan(finished: &[(String, Document)], warmed: &mut HashSet<CacheKey>) -> Vec<CacheKey> {
    let mut runs: Vec<(DateTime, CacheKey)> = finished
        .iter()
        .filter_map(|(id, document)| {
            let Some(Bson::DateTime(end)) = document.get(metadata::END_TIME) else {
                return None;
            };
            Some((*end, CacheKey::finished(id, document)?))
        })
        .collect();
    warmed.retain(|key| runs.iter().any(|(_, run)| run == key));
    runs.retain(|(_, key)| !warmed.contains(key));
    runs.sort_by(|(a, _), (b, _)| b.cmp(a));
    runs.into_iter().map(|(_, key)| key).collect()
}

#[cfg(test)]
mod tests {
    use bson::doc;

    use super::*;

    fn run(id: &str, end: i64) -> (String, Document) {
        let document = doc! {"SimulationId": id, "EndTime": DateTime::from_millis(end)};
        (id.to_owned(), document)
    }

    fn ids(keys: &[CacheKey]) -> Vec<&str> {
        keys.iter().map(CacheKey::simulation).collect()
    }

    #[test]
    fn the_latest_finished_run_comes_first() {
        let finished = [run("a", 10), run("b", 30), run("c", 20)];
        let keys = plan(&finished, &mut HashSet::new());
        assert_eq!(ids(&keys), ["b", "c", "a"]);
    }

    #[test]
    fn a_warmed_run_is_not_planned_again_until_its_metadata_changes() {
        let mut warmed = HashSet::new();
        let finished = [run("a", 10), run("b", 30)];
        let planned = plan(&finished, &mut warmed);
        warmed.extend(planned);
        assert!(plan(&finished, &mut warmed).is_empty());
        let rewritten = [run("a", 10), run("b", 40)];
        assert_eq!(ids(&plan(&rewritten, &mut warmed)), ["b"]);
    }

    #[test]
    fn runs_no_longer_among_the_latest_are_forgotten() {
        let mut warmed = HashSet::new();
        let planned = plan(&[run("a", 10), run("b", 30)], &mut warmed);
        warmed.extend(planned);
        assert!(plan(&[run("b", 30)], &mut warmed).is_empty());
        assert_eq!(warmed.len(), 1, "a is no longer among the latest");
    }

    #[test]
    fn a_document_without_an_end_time_date_is_not_a_finished_run() {
        let running = (
            "r".to_owned(),
            doc! {"SimulationId": "r", "EndTime": Bson::Null},
        );
        assert!(plan(&[running], &mut HashSet::new()).is_empty());
    }
}
