//! Streamed JSON array responses (docs/spec/logreader.md §3.3): documents go from the database cursor
//! to the socket in chunks of about [`CHUNK_SIZE`] bytes, so memory stays constant whatever
//! the result size. A database error mid-stream ends the body with an error, which makes
//! hyper close the connection without the final chunk: clients see an incomplete response
//! instead of truncated but valid JSON.

use axum::body::{Body, Bytes};
use axum::response::Response;
use bson::Document;
use futures_util::{stream, TryStreamExt};
use mongodb::Cursor;

use crate::export::json::ArrayWriter;

/// Target size of one body chunk.
const CHUNK_SIZE: usize = 64 * 1024;

/// Where the stream is.
enum Phase {
    Start(Cursor<Document>, ArrayWriter),
    Streaming(Cursor<Document>, ArrayWriter),
    Done,
}

/// A 200 `application/json` response streaming the cursor as a JSON array.
pub fn json_array(cursor: Cursor<Document>, pretty: bool) -> Response {
    let phase = Phase::Start(cursor, ArrayWriter::new(pretty));
    let chunks = stream::try_unfold(phase, next_chunk);
    super::body_response("application/json", Body::from_stream(chunks))
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
