//! A minimal AMQP 0-9-1 publisher that writes the frames itself, so a test can send what
//! RabbitMQ accepts but a typed client cannot build: a routing key or a property that is not
//! UTF-8 (short strings are bytes on the wire), or a header table nested thousands deep.
//! Publishes with confirms and closes the connection cleanly.

use std::time::Duration;

use anyhow::{bail, Context as _};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// The basic properties this publisher can set, as raw bytes.
#[derive(Debug, Clone, Default)]
pub struct RawProperties {
    /// `content_type`.
    pub content_type: Option<Vec<u8>>,
    /// `headers`: an already encoded field table (length prefix included).
    pub headers: Option<Vec<u8>>,
    /// `message_id`.
    pub message_id: Option<Vec<u8>>,
    /// `type`.
    pub kind: Option<Vec<u8>>,
    /// `app_id`.
    pub app_id: Option<Vec<u8>>,
}

/// One message to publish.
#[derive(Debug, Clone)]
pub struct RawMessage {
    /// Routing key bytes.
    pub routing_key: Vec<u8>,
    /// Properties.
    pub properties: RawProperties,
    /// Body bytes.
    pub body: Vec<u8>,
}

const FRAME_END: u8 = 0xCE;

fn short_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(u8::try_from(bytes.len()).expect("a short string is at most 255 bytes"));
    out.extend_from_slice(bytes);
}

fn frame(kind: u8, channel: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&channel.to_be_bytes());
    out.extend_from_slice(&u32::try_from(payload.len()).expect("size").to_be_bytes());
    out.extend_from_slice(payload);
    out.push(FRAME_END);
    out
}

fn method(channel: u16, class: u16, id: u16, arguments: &[u8]) -> Vec<u8> {
    let mut payload = class.to_be_bytes().to_vec();
    payload.extend_from_slice(&id.to_be_bytes());
    payload.extend_from_slice(arguments);
    frame(1, channel, &payload)
}

/// A header table `{"n": {"n": … {}}}` nested `depth` tables deep, encoded.
pub fn nested_table(depth: usize) -> Vec<u8> {
    let mut table = 0_u32.to_be_bytes().to_vec();
    for _ in 0..depth {
        let mut entry = Vec::new();
        short_string(&mut entry, b"n");
        entry.push(b'F');
        entry.extend_from_slice(&table);
        table = u32::try_from(entry.len())
            .expect("size")
            .to_be_bytes()
            .to_vec();
        table.extend_from_slice(&entry);
    }
    table
}

/// A header table with one entry whose key is `key` (any bytes) and value the long string "v".
pub fn table_with_key(key: &[u8]) -> Vec<u8> {
    let mut entry = Vec::new();
    short_string(&mut entry, key);
    entry.push(b'S');
    entry.extend_from_slice(&1_u32.to_be_bytes());
    entry.push(b'v');
    let mut table = u32::try_from(entry.len())
        .expect("size")
        .to_be_bytes()
        .to_vec();
    table.extend_from_slice(&entry);
    table
}

fn content_header(body_size: usize, properties: &RawProperties) -> Vec<u8> {
    let mut flags = 0_u16;
    let mut list = Vec::new();
    if let Some(value) = &properties.content_type {
        flags |= 1 << 15;
        short_string(&mut list, value);
    }
    if let Some(table) = &properties.headers {
        flags |= 1 << 13;
        list.extend_from_slice(table);
    }
    if let Some(value) = &properties.message_id {
        flags |= 1 << 7;
        short_string(&mut list, value);
    }
    if let Some(value) = &properties.kind {
        flags |= 1 << 5;
        short_string(&mut list, value);
    }
    if let Some(value) = &properties.app_id {
        flags |= 1 << 3;
        short_string(&mut list, value);
    }
    let mut payload = 60_u16.to_be_bytes().to_vec();
    payload.extend_from_slice(&0_u16.to_be_bytes());
    payload.extend_from_slice(&(body_size as u64).to_be_bytes());
    payload.extend_from_slice(&flags.to_be_bytes());
    payload.extend_from_slice(&list);
    frame(2, 1, &payload)
}

/// Reads frames until the method `(class, id)` arrives; fails on a close from the broker.
async fn expect(stream: &mut TcpStream, class: u16, id: u16) -> anyhow::Result<()> {
    loop {
        let mut header = [0_u8; 7];
        stream
            .read_exact(&mut header)
            .await
            .context("frame header")?;
        let size = u32::from_be_bytes(header[3..7].try_into().expect("4 bytes")) as usize;
        let mut payload = vec![0_u8; size + 1];
        stream
            .read_exact(&mut payload)
            .await
            .context("frame payload")?;
        if header[0] != 1 || size < 4 {
            continue;
        }
        let got = (
            u16::from_be_bytes([payload[0], payload[1]]),
            u16::from_be_bytes([payload[2], payload[3]]),
        );
        if got == (class, id) {
            return Ok(());
        }
        if got == (10, 50) || got == (20, 40) {
            let text_len = payload[6] as usize;
            let text = String::from_utf8_lossy(&payload[7..7 + text_len]);
            bail!("the broker closed: {text}");
        }
    }
}

/// Connects as guest/guest to `host:port`, publishes `messages` to `exchange` with
/// confirms, waits for every confirm, and closes the connection.
pub async fn publish(
    host: &str,
    port: u16,
    exchange: &str,
    messages: &[RawMessage],
) -> anyhow::Result<()> {
    let mut stream = TcpStream::connect((host, port)).await?;
    stream.write_all(b"AMQP\x00\x00\x09\x01").await?;
    expect(&mut stream, 10, 10).await?; // connection.start
    let mut start_ok = 0_u32.to_be_bytes().to_vec(); // client properties: empty table
    short_string(&mut start_ok, b"PLAIN");
    let response = b"\0guest\0guest";
    start_ok.extend_from_slice(&(response.len() as u32).to_be_bytes());
    start_ok.extend_from_slice(response);
    short_string(&mut start_ok, b"en_US");
    stream.write_all(&method(0, 10, 11, &start_ok)).await?;
    expect(&mut stream, 10, 30).await?; // connection.tune
    let mut tune_ok = 2047_u16.to_be_bytes().to_vec();
    tune_ok.extend_from_slice(&131_072_u32.to_be_bytes());
    tune_ok.extend_from_slice(&0_u16.to_be_bytes());
    stream.write_all(&method(0, 10, 31, &tune_ok)).await?;
    let mut open = Vec::new();
    short_string(&mut open, b"/");
    short_string(&mut open, b"");
    open.push(0);
    stream.write_all(&method(0, 10, 40, &open)).await?;
    expect(&mut stream, 10, 41).await?;
    stream.write_all(&method(1, 20, 10, &[0])).await?;
    expect(&mut stream, 20, 11).await?;
    stream.write_all(&method(1, 85, 10, &[0])).await?; // confirm.select
    expect(&mut stream, 85, 11).await?;
    for message in messages {
        let mut publish = 0_u16.to_be_bytes().to_vec();
        short_string(&mut publish, exchange.as_bytes());
        short_string(&mut publish, &message.routing_key);
        publish.push(0);
        stream.write_all(&method(1, 60, 40, &publish)).await?;
        let header = content_header(message.body.len(), &message.properties);
        stream.write_all(&header).await?;
        stream.write_all(&frame(3, 1, &message.body)).await?;
        expect(&mut stream, 60, 80).await?; // basic.ack: one publish at a time
    }
    let mut close = 200_u16.to_be_bytes().to_vec();
    short_string(&mut close, b"OK");
    close.extend_from_slice(&[0, 0, 0, 0]);
    stream.write_all(&method(0, 10, 50, &close)).await?;
    tokio::time::timeout(Duration::from_secs(5), expect(&mut stream, 10, 51))
        .await
        .context("connection.close-ok")??;
    Ok(())
}
