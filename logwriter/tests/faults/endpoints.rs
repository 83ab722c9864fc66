//! Test-side view of the writer's HTTP endpoints and sockets: a raw HTTP/1.1 GET (no client
//! dependency needed), a free port, the listening TCP ports of a process, and metric values.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A port that was free a moment ago (the writer binds it next).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind port 0");
    listener.local_addr().expect("address").port()
}

/// `GET path` on 127.0.0.1:port: `(status, body)`, or `None` if nothing answers.
pub async fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).await.ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

/// `{"status":"<state>"}` for a lifecycle state.
pub fn status(state: &str) -> String {
    format!(r#"{{"status":"{state}"}}"#)
}

/// Polls `GET path` until it answers `expected` (at most `limit`); returns the last answer.
pub async fn wait_for(
    port: u16,
    path: &str,
    expected: (u16, &str),
    limit: Duration,
) -> Option<(u16, String)> {
    let started = Instant::now();
    loop {
        let answer = get(port, path).await;
        let matched = answer
            .as_ref()
            .is_some_and(|(code, body)| (*code, body.as_str()) == expected);
        if matched || started.elapsed() > limit {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value of the sample `series` (name plus labels, as rendered) in a scrape.
pub fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
}

/// The TCP ports process `pid` listens on: its socket inodes matched against the LISTEN
/// entries of /proc/<pid>/net/tcp and tcp6.
pub fn listening_ports(pid: u32) -> BTreeSet<u16> {
    let inodes: BTreeSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("fd directory")
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_string_lossy().into_owned();
            let inode = target.strip_prefix("socket:[")?.strip_suffix(']')?;
            Some(inode.to_owned())
        })
        .collect();
    let mut ports = BTreeSet::new();
    for table in ["tcp", "tcp6"] {
        let text = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")).unwrap_or_default();
        for fields in text
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
        {
            // 0A is TCP_LISTEN; field 1 is address:port in hex, field 9 the inode.
            if fields.len() > 9 && fields[3] == "0A" && inodes.contains(fields[9]) {
                let port = fields[1].rsplit(':').next().unwrap_or("0");
                ports.insert(u16::from_str_radix(port, 16).expect("hex port"));
            }
        }
    }
    ports
}
