//! The messages to replay, read in stored order. A paced replay may leave the cursor idle
//! for longer than the server keeps it (10 minutes on MongoDB), and FerretDB refuses
//! `noCursorTimeout`; a finished run's stored order does not change, so when the server
//! has closed the cursor the reading goes on from a new one that skips what was read.

use anyhow::Context as _;
use bson::{Document, RawDocumentBuf};
use futures_util::TryStreamExt as _;
use mongodb::error::{Error, ErrorKind};
use mongodb::Cursor;

use crate::store::Store;

/// MongoDB's CursorNotFound: the cursor expired or was killed.
const CURSOR_NOT_FOUND: i32 = 43;

/// The stored messages of one run that match a filter.
#[derive(Debug)]
pub struct Source {
    store: Store,
    id: String,
    filter: Document,
    cursor: Cursor<RawDocumentBuf>,
    read: u64,
}

impl Source {
    /// Opens the first cursor.
    pub async fn open(store: Store, id: &str, filter: Document) -> anyhow::Result<Self> {
        let cursor = store.replay_sources(id, filter.clone(), 0).await?;
        Ok(Self {
            store,
            id: id.to_owned(),
            filter,
            cursor,
            read: 0,
        })
    }

    /// The next message, or `None` after the last.
    pub async fn next(&mut self) -> anyhow::Result<Option<RawDocumentBuf>> {
        let next = match self.cursor.try_next().await {
            Err(error) if is_cursor_gone(&error) => {
                tracing::info!(
                    "The database closed the idle cursor after {} messages; reading on.",
                    self.read
                );
                let filter = self.filter.clone();
                self.cursor = self
                    .store
                    .replay_sources(&self.id, filter, self.read)
                    .await?;
                self.cursor.try_next().await
            }
            other => other,
        };
        let next = next.context("reading the messages")?;
        self.read += u64::from(next.is_some());
        Ok(next)
    }
}

fn is_cursor_gone(error: &Error) -> bool {
    matches!(&*error.kind, ErrorKind::Command(command) if command.code == CURSOR_NOT_FOUND)
}
