//! Slow, idle and malformed clients (docs/spec/logreader.md §13.7): connections over their
//! time limits are closed, and the errors of the HTTP layer get the JSON error body.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::harness::spawn_app_with;

const LIMITS: [&str; 4] = [
    "--logreader-idle-timeout",
    "1",
    "--logreader-request-head-timeout",
    "1",
];

/// Far above the 1 s limits: the test does not time the server, it only waits for it.
const PATIENCE: Duration = Duration::from_secs(20);

/// Reads until the server closes the connection; returns what it sent.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received)).await;
    match read {
        Ok(Ok(_)) => received,
        Ok(Err(error)) if error.kind() == std::io::ErrorKind::ConnectionReset => received,
        Ok(Err(error)) => panic!("reading: {error}"),
        Err(_) => panic!("the server kept the connection open for {PATIENCE:?}"),
    }
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let app = spawn_app_with(&LIMITS).await;
    let mut stream = TcpStream::connect(app.address).await.expect("connect");
    assert!(until_closed(&mut stream).await.is_empty());
    app.cleanup().await;
}

#[tokio::test]
async fn a_request_head_sent_slowly_is_cut_off() {
    let app = spawn_app_with(&LIMITS).await;
    let mut stream = TcpStream::connect(app.address).await.expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\n")
        .await
        .expect("send");
    let started = Instant::now();
    // One header line every 200 ms, as a slow-loris client does, until the server hangs up.
    let mut closed = false;
    for n in 0..100 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if stream
            .write_all(format!("X-Slow-{n}: 1\r\n").as_bytes())
            .await
            .is_err()
        {
            closed = true;
            break;
        }
    }
    let received = if closed {
        Vec::new()
    } else {
        until_closed(&mut stream).await
    };
    assert!(started.elapsed() < PATIENCE);
    assert!(
        !String::from_utf8_lossy(&received).contains(" 200 "),
        "never answered"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_its_response() {
    let app = spawn_app_with(&LIMITS).await;
    let mut stream = TcpStream::connect(app.address).await.expect("connect");
    let request = b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n";
    stream.write_all(request).await.expect("send");
    let received = until_closed(&mut stream).await;
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    app.cleanup().await;
}

#[tokio::test]
async fn a_long_export_is_not_cut_by_the_limits() {
    // The limits cover waiting for a request, not answering it: a response that takes
    // longer than both is still sent whole. Two requests on one connection, 1.5 s apart
    // (within the idle limit of 2 s here), both answered.
    let limits = [
        "--logreader-idle-timeout",
        "2",
        "--logreader-request-head-timeout",
        "1",
    ];
    let app = spawn_app_with(&limits).await;
    app.seed_fixtures().await;
    let mut stream = TcpStream::connect(app.address).await.expect("connect");
    let request = b"GET /simulations HTTP/1.1\r\nHost: test\r\n\r\n";
    stream.write_all(request).await.expect("first");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stream.write_all(request).await.expect("second");
    let received = until_closed(&mut stream).await;
    let text = String::from_utf8_lossy(&received);
    assert_eq!(text.matches("HTTP/1.1 200").count(), 2, "{text}");
    app.cleanup().await;
}

#[tokio::test]
async fn errors_of_the_http_layer_have_the_json_body() {
    let app = spawn_app_with(&[]).await;
    let long_target = format!("/simulations?x={}", "a".repeat(40 * 1024));
    let big_header = "b".repeat(80 * 1024);
    let huge_header = "c".repeat(500 * 1024);
    let cases = [
        (
            format!("GET {long_target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
            414,
            "URI too long.",
        ),
        (
            format!(
                "GET / HTTP/1.1\r\nHost: t\r\nX-Big: {big_header}\r\nConnection: close\r\n\r\n"
            ),
            431,
            "Request header fields too large.",
        ),
        (
            format!("GET / HTTP/1.1\r\nHost: t\r\nX-Huge: {huge_header}\r\n\r\n"),
            431,
            "Request header fields too large.",
        ),
        ("NOT HTTP AT ALL\r\n\r\n".to_owned(), 400, "Bad request."),
        (
            "GET / HTTP/1.1\r\nBad Header\r\n\r\n".to_owned(),
            400,
            "Bad request.",
        ),
    ];
    for (request, status, title) in cases {
        let reply = app.raw(request.as_bytes()).await;
        let shown = &request[..request.len().min(40)];
        assert_eq!(reply.status, status, "{shown}");
        assert_eq!(
            reply.header("Content-Type"),
            Some("application/json"),
            "{shown}"
        );
        assert_eq!(
            reply.header("X-Content-Type-Options"),
            Some("nosniff"),
            "{shown}"
        );
        let body: serde_json::Value = serde_json::from_slice(&reply.body).expect("JSON body");
        assert_eq!(body["title"], title, "{shown}");
        assert!(body["description"].is_string(), "{shown}");
    }
    app.cleanup().await;
}
