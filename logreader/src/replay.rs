//! `logreader replay` (docs/operations.md, "Replaying a run"): publishes a stored run's
//! valid messages to an exchange, in stored order, each with its `Topic` as the routing
//! key and a body the writer stores as the same document, paced by their `Timestamp`s,
//! with publisher confirms.
//!
//! [`body`] and [`pacing`] are the pure parts; this file drives them: read through
//! [`Store`], publish through lapin, report progress and the summary.

pub mod body;
pub mod pacing;
mod publisher;
pub mod settings;
mod source;

use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::query::filter::{message_filter, MessageSelection};
use crate::store::Store;
use pacing::Pacing;
use publisher::Publisher;
pub use settings::{ReplayPlan, ReplaySettings};
use source::Source;

/// The server time the count of the messages to replay may take (the reading itself has
/// no limit: a paced replay reads for as long as the run lasted).
const COUNT_TIME_LIMIT: Duration = Duration::from_secs(600);

/// What a replay did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Messages read from the database.
    pub read: u64,
    /// Messages published.
    pub published: u64,
    /// Published messages the broker confirmed and routed to at least one queue.
    pub routed: u64,
    /// Confirmed messages that no queue was bound for (returned by the broker).
    pub unroutable: u64,
    /// Messages the broker refused (negative confirm).
    pub refused: u64,
    /// Stored documents without a `Topic` string, which cannot be published.
    pub skipped: u64,
}

impl Summary {
    /// Whether every message read reached a queue.
    pub fn is_complete(&self) -> bool {
        self.routed == self.read
    }
}

/// Runs a replay to the end. On a failure after the start, the summary of what was done
/// is logged before the error is returned.
pub async fn run(settings: &ReplaySettings) -> anyhow::Result<Summary> {
    let plan = settings.plan()?;
    let db = common::mongo::connect(&settings.mongo, None, "LogReader replay")
        .await
        .context("configuring the MongoDB client")?;
    let store = Store::new(db, settings.mongo.collection_names(), COUNT_TIME_LIMIT);
    let id = plan.simulation_id.as_str();
    let exists = store.simulation_exists(id).await;
    if !exists.context("reading the runs")? {
        anyhow::bail!("simulation {id:?} not found");
    }
    let filter = message_filter(&MessageSelection {
        epochs: plan.epochs,
        processes: None,
        topic: None,
        only_warnings: false,
        fields: None,
    })
    .unwrap_or_default();
    let total = store.count_messages(id, filter.clone()).await?;
    let mut source = Source::open(store, id, filter).await?;
    let mut publisher = Publisher::open(&plan.endpoint, settings).await?;
    tracing::info!(
        "Replaying {total} messages of simulation {id} to exchange '{}' on {} at speed {}.",
        settings.rabbitmq_exchange,
        publisher.node(),
        settings.speed,
    );
    let progress = progress_bar(total);
    let mut summary = Summary::default();
    let started = Instant::now();
    let mut pacing = Pacing::new(settings.speed);
    let mut result = publish_all(
        &mut source,
        &mut publisher,
        &mut pacing,
        &progress,
        &mut summary,
    )
    .await;
    if result.is_ok() {
        result = publisher.finish(&mut summary).await;
    }
    progress.finish_and_clear();
    log_summary(&summary, started.elapsed());
    result.map(|()| summary)
}

/// Reads, rebuilds, paces and publishes every message, counting in `summary`.
async fn publish_all(
    source: &mut Source,
    publisher: &mut Publisher,
    pacing: &mut Pacing,
    progress: &ProgressBar,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let started = Instant::now();
    while let Some(doc) = source.next().await? {
        summary.read += 1;
        let message = match body::replayed(&doc) {
            Ok(message) => message,
            Err(reason) => {
                tracing::warn!("Skipping a stored message that cannot be published: {reason}.");
                summary.skipped += 1;
                continue;
            }
        };
        if let Some(due) = message.timestamp.and_then(|t| pacing.due(t)) {
            tokio::time::sleep_until((started + due).into()).await;
        }
        publisher.publish(&message, summary).await?;
        progress.inc(1);
    }
    Ok(())
}

/// A bar on stderr when it is a terminal; indicatif draws nothing otherwise.
fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} messages, {eta} left";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn log_summary(summary: &Summary, elapsed: Duration) {
    let seconds = elapsed.as_secs_f64();
    let rate = summary.published as f64 / seconds.max(1e-9);
    let line = format!(
        "Replay finished in {seconds:.1} s: {} read, {} published ({rate:.0}/s), {} routed, \
         {} unroutable, {} refused, {} skipped.",
        summary.read,
        summary.published,
        summary.routed,
        summary.unroutable,
        summary.refused,
        summary.skipped,
    );
    if summary.is_complete() {
        tracing::info!("{line}");
    } else {
        tracing::error!(
            "{line} Not every message reached a queue: is a writer bound to the exchange?"
        );
    }
}
