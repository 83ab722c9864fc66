//! Streamed responses (docs/spec/logreader.md §3.3). JSON arrays and NDJSON: documents go from the
//! database cursor to the socket in chunks of about [`CHUNK_SIZE`] bytes, so memory stays
//! constant whatever the result size. A database error mid-stream ends the body with an
//! error, which makes hyper close the connection without the final chunk: clients see an
//! incomplete response instead of truncated but valid JSON. Rendered bodies (the time
//! series): written on a blocking thread into chunks of the same size ([`rendered`]).

use std::future::ready;

use axum::body::{Body, Bytes};
use axum::response::Response;
use bson::Document;
use futures_util::stream::BoxStream;
use futures_util::{stream, StreamExt, TryStreamExt};
use mongodb::Cursor;
use tokio::sync::mpsc;

use crate::export::json::ArrayWriter;
use crate::export::timeseries::Flush;
use crate::query::filter::TopicCheck;
use crate::query::ListFormat;
use crate::store::Page;

/// The documents of a response, as they come from the database.
pub type Documents = BoxStream<'static, mongodb::error::Result<Document>>;

/// The media type of NDJSON bodies.
const NDJSON: &str = "application/x-ndjson";
/// Target size of one body chunk.
const CHUNK_SIZE: usize = 64 * 1024;
/// Chunks a rendered body may have ready before the client reads them.
const RENDERED_CHUNKS_AHEAD: usize = 4;

/// Where the stream is.
enum Phase {
    Start(Documents, ArrayWriter),
    Streaming(Documents, ArrayWriter),
    Done,
}

/// The page the database applies: all of it, unless the reader confirms topics itself.
pub fn database_page(check: Option<&TopicCheck>, page: Page) -> Page {
    if check.is_some() {
        Page::default()
    } else {
        page
    }
}

/// The cursor's documents, or with a topic check only those it accepts, then `page`
/// applied here (the database returned them all, see [`database_page`]). An error is
/// never skipped: it still ends the response.
pub fn confirmed(cursor: Cursor<Document>, check: Option<TopicCheck>, page: Page) -> Documents {
    let Some(check) = check else {
        return cursor.boxed();
    };
    let mut to_skip = page.skip.unwrap_or(0);
    let limit = page.limit.map_or(usize::MAX, |limit| {
        usize::try_from(limit).unwrap_or(usize::MAX)
    });
    cursor
        .try_filter(move |document| {
            let keep = match (check.accepts(document), to_skip) {
                (false, _) => false,
                (true, 0) => true,
                (true, _) => {
                    to_skip -= 1;
                    false
                }
            };
            ready(keep)
        })
        .take(limit)
        .boxed()
}

/// A 200 response streaming the documents as a JSON array (`application/json`, compact or
/// `pretty`) or as NDJSON (`application/x-ndjson`, one compact document per line).
pub fn list(documents: Documents, format: ListFormat, pretty: bool) -> Response {
    let (content_type, writer) = match format {
        ListFormat::Json => ("application/json", ArrayWriter::new(pretty)),
        ListFormat::Ndjson => (NDJSON, ArrayWriter::lines()),
    };
    let chunks = stream::try_unfold(Phase::Start(documents, writer), next_chunk);
    super::body_response(content_type, Body::from_stream(chunks))
}

/// The empty list: `[]`, or an empty NDJSON body.
pub fn empty_list(format: ListFormat) -> Response {
    match format {
        ListFormat::Json => super::body_response("application/json", "[]"),
        ListFormat::Ndjson => super::body_response(NDJSON, ""),
    }
}

/// A body that `render` writes on a blocking thread: it appends to a buffer and calls the
/// flush it is given between elements, which sends the buffer on once it holds about
/// [`CHUNK_SIZE`] bytes. At most [`RENDERED_CHUNKS_AHEAD`] chunks wait for the client, so a
/// slow reader holds the rendering back instead of letting it fill memory. When the client
/// goes away the sends fail and the rest is discarded as it is written.
pub fn rendered<F>(render: F) -> Body
where
    F: FnOnce(&mut String, Flush<'_>) + Send + 'static,
{
    let (sender, receiver) = mpsc::channel::<Bytes>(RENDERED_CHUNKS_AHEAD);
    tokio::task::spawn_blocking(move || {
        let send = |out: &mut String| {
            let chunk = Bytes::from(std::mem::take(out));
            // An error means the client is gone: nothing more to deliver.
            let _ = sender.blocking_send(chunk);
        };
        let mut out = String::new();
        render(&mut out, &mut |out: &mut String| {
            if out.len() >= CHUNK_SIZE {
                send(out);
            }
        });
        if !out.is_empty() {
            send(&mut out);
        }
    });
    // `poll_recv` keeps answering `None` once the channel is done, so a layer that polls
    // the body again after its end (compression does) gets `None` again, not a panic.
    let mut receiver = receiver;
    let chunks = stream::poll_fn(move |context| {
        receiver
            .poll_recv(context)
            .map(|chunk| chunk.map(Ok::<_, std::io::Error>))
    });
    Body::from_stream(chunks)
}

/// Produces the next chunk, or `None` after the closing `]`.
async fn next_chunk(phase: Phase) -> Result<Option<(Bytes, Phase)>, std::io::Error> {
    let mut out = String::new();
    let (mut cursor, mut writer) = match phase {
        Phase::Done => return Ok(None),
        Phase::Start(cursor, writer) => {
            writer.open(&mut out);
            (cursor, writer)
        }
        Phase::Streaming(cursor, writer) => (cursor, writer),
    };
    while out.len() < CHUNK_SIZE {
        match cursor.try_next().await {
            Ok(Some(document)) => writer.push_document(&mut out, &document),
            Ok(None) => {
                writer.close(&mut out);
                return Ok(Some((Bytes::from(out), Phase::Done)));
            }
            Err(error) => {
                tracing::warn!(error = %error, "Database failed while streaming; closing the connection.");
                return Err(std::io::Error::other(error));
            }
        }
    }
    Ok(Some((Bytes::from(out), Phase::Streaming(cursor, writer))))
}
