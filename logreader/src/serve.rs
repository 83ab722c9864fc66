//! The HTTP/1.1 accept loop (docs/spec/logreader.md §13.7). `axum::serve` has no timeouts,
//! so a handful of clients that send a request head slowly, or nothing at all, could hold
//! connections open forever. Here each connection is watched:
//!
//! * **idle**: from the connection's start, or from the end of its last response, until the
//!   first byte of the next request: at most `LOGREADER_IDLE_TIMEOUT`;
//! * **head**: from that first byte until the whole request head has arrived: at most
//!   `LOGREADER_REQUEST_HEAD_TIMEOUT`;
//! * **busy**: while a request is handled and its response sent, there is no limit (a large
//!   export to a slow reader is paced by TCP).
//!
//! A connection over its limit is closed. The errors hyper answers by itself, before any
//! request reaches the router (a malformed request, a head larger than hyper's buffer), get
//! the JSON error body of every other error instead of hyper's empty one (see `Watched`).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

use crate::error::error_body;

/// The connection limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest wait for the first byte of a request.
    pub idle: Duration,
    /// Longest time from a request's first byte to the end of its head.
    pub head: Duration,
}

/// How often a connection's watchdog looks at its clock.
const WATCH_PERIOD: Duration = Duration::from_millis(100);

/// Accepts connections until `shutdown` is cancelled, then lets every open connection finish
/// its current request (the caller bounds that wait); returns once all are closed.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: Limits,
    shutdown: CancellationToken,
) {
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                let task = connection(stream, peer, router.clone(), limits, shutdown.clone());
                connections.spawn(task);
            }
            // Out of file descriptors and the like: wait a moment rather than spin.
            Err(error) => {
                tracing::warn!(error = %error, "Accepting a connection failed: {error}.");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    connections.close();
    connections.wait().await;
}

/// Where a connection is in its request cycle, and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Head,
    Busy,
}

#[derive(Debug)]
struct Clock {
    phase: Phase,
    since: Instant,
    /// A request reached the router since the current request's first byte: what hyper
    /// writes next is that request's response, not an error of its own.
    served: bool,
}

type Shared = Arc<Mutex<Clock>>;

fn lock(clock: &Shared) -> std::sync::MutexGuard<'_, Clock> {
    clock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn set(clock: &Shared, phase: Phase) {
    let mut clock = lock(clock);
    clock.phase = phase;
    clock.since = Instant::now();
    match phase {
        Phase::Head => clock.served = false,
        Phase::Busy => clock.served = true,
        Phase::Idle => {}
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: axum::Router,
    limits: Limits,
    shutdown: CancellationToken,
) {
    let clock: Shared = Arc::new(Mutex::new(Clock {
        phase: Phase::Idle,
        since: Instant::now(),
        served: false,
    }));
    let io = TokioIo::new(Watched::new(stream, Arc::clone(&clock)));
    let service_clock = Arc::clone(&clock);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        set(&service_clock, Phase::Busy);
        request.extensions_mut().insert(ConnectInfo(peer));
        let guard = ResponseEnd(Arc::clone(&service_clock));
        let router = router.clone();
        async move {
            let response = router.oneshot(request.map(Body::new)).await?;
            Ok::<_, std::convert::Infallible>(
                response.map(|body| Body::new(Guarded { body, _end: guard })),
            )
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).keep_alive(true);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => log_end(result),
        () = expired(&clock, limits) => {}
        () = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            log_end(conn.await);
        }
    }
}

fn log_end(result: hyper::Result<()>) {
    if let Err(error) = result {
        tracing::debug!(error = %error, "Connection ended: {error}.");
    }
}

/// Resolves when the connection has been idle, or in its request head, for too long.
async fn expired(clock: &Shared, limits: Limits) {
    loop {
        tokio::time::sleep(WATCH_PERIOD).await;
        let clock = lock(clock);
        let limit = match clock.phase {
            Phase::Idle => limits.idle,
            Phase::Head => limits.head,
            Phase::Busy => continue,
        };
        if clock.since.elapsed() >= limit {
            tracing::debug!(phase = ?clock.phase, "Closing a connection over its time limit.");
            return;
        }
    }
}

/// Marks the end of a response when hyper drops its body (after the last byte, or when the
/// client went away).
struct ResponseEnd(Shared);

impl Drop for ResponseEnd {
    fn drop(&mut self) {
        set(&self.0, Phase::Idle);
    }
}

/// A response body that carries the [`ResponseEnd`] guard.
struct Guarded {
    body: Body,
    _end: ResponseEnd,
}

impl http_body::Body for Guarded {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The TCP stream, watched: the first byte read while idle starts the head phase, and a
/// response hyper writes before the request reached the router (its own answer to a
/// request it could not parse) is replaced by the same status with a JSON error body.
struct Watched {
    stream: TcpStream,
    clock: Shared,
    /// The replacement response being written, and how much of it is out.
    replacement: Option<(Vec<u8>, usize)>,
}

impl Watched {
    fn new(stream: TcpStream, clock: Shared) -> Self {
        Self {
            stream,
            clock,
            replacement: None,
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before && lock(&self.clock).phase == Phase::Idle {
            set(&self.clock, Phase::Head);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        // hyper drops a small response's body before writing it, so the phase may already
        // be idle again: whether the router was reached is what tells the two apart.
        if self.replacement.is_none() && !lock(&self.clock).served {
            if let Some(status) = own_error_status(buf) {
                self.replacement = Some((error_response(status), 0));
            }
        }
        let this = &mut *self;
        let Some((bytes, written)) = this.replacement.as_mut() else {
            return Pin::new(&mut this.stream).poll_write(cx, buf);
        };
        while *written < bytes.len() {
            match Pin::new(&mut this.stream).poll_write(cx, &bytes[*written..]) {
                Poll::Ready(Ok(n)) => *written += n,
                other => return other,
            }
        }
        // hyper's own bytes count as written: the replacement took their place.
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The status of a response hyper starts to write by itself (`HTTP/1.1 NNN …`).
fn own_error_status(buf: &[u8]) -> Option<u16> {
    let rest = buf.strip_prefix(b"HTTP/1.1 ")?;
    let digits = std::str::from_utf8(rest.get(..3)?).ok()?;
    digits
        .parse()
        .ok()
        .filter(|status| (400..600).contains(status))
}

/// A complete response for an error hyper answered by itself, with the JSON body of
/// docs/spec/logreader.md §3.4; the connection is closed after it.
fn error_response(status: u16) -> Vec<u8> {
    let (reason, title, description) = match status {
        431 => (
            "Request Header Fields Too Large",
            "Request header fields too large.",
            "The request head is larger than the server accepts.",
        ),
        _ => (
            "Bad Request",
            "Bad request.",
            "The request could not be read as HTTP/1.1.",
        ),
    };
    let status = if status == 431 { 431 } else { 400 };
    let body = error_body(title, description);
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\nvary: Accept\r\n\
         x-content-type-options: nosniff\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_error_responses_are_recognised_and_replaced_with_json() {
        assert_eq!(own_error_status(b"HTTP/1.1 400 Bad Request\r\n"), Some(400));
        assert_eq!(own_error_status(b"HTTP/1.1 431 Request Header"), Some(431));
        assert_eq!(own_error_status(b"HTTP/1.1 200 OK\r\n"), None);
        assert_eq!(own_error_status(b"{\"title\""), None);
        let response = String::from_utf8(error_response(431)).unwrap();
        assert!(response.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        let body = error_body(
            "Request header fields too large.",
            "The request head is larger than the server accepts.",
        );
        assert!(response.ends_with(&format!("\r\n\r\n{body}")), "{response}");
        assert!(response.contains(&format!("content-length: {}\r\n", body.len())));
        let response = String::from_utf8(error_response(400)).unwrap();
        assert!(response.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        assert!(response.contains("x-content-type-options: nosniff\r\n"));
    }
}
