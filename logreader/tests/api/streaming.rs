//! Constant-memory streaming of list responses (docs/spec/logreader.md §3.3, acceptance item 137).
//!
//! Method: the server runs in this test process, so its memory is this process's resident
//! set. `VmRSS` from `/proc/self/status` is read once after seeding (baseline) and then
//! sampled every 10 ms by a separate thread while the whole `/messages` response is
//! downloaded. The client keeps nothing but a byte count and a 16-byte tail, so any growth
//! is the server's. The peak minus the baseline must stay under 100 MiB.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::doc;

use crate::harness::{spawn_app, SIM};

/// Messages seeded; see the report for the seeding time on FerretDB.
const MESSAGES: usize = 200_000;
const BATCH: usize = 1_000;
const LIMIT_BYTES: u64 = 100 * 1024 * 1024;

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

fn message(index: usize) -> bson::Document {
    let base = chrono::DateTime::parse_from_rfc3339("2020-06-03T13:00:00Z").unwrap();
    let time = base + chrono::TimeDelta::milliseconds(index as i64 / 4 * 10);
    doc! {
        "Type": "Result",
        "SimulationId": SIM,
        "SourceProcessId": format!("process{}", index % 7),
        "MessageId": format!("m-{index}"),
        "EpochNumber": (index / 1000) as i32,
        "Topic": "energy.production.solar",
        "Timestamp": bson::DateTime::from_chrono(time.with_timezone(&chrono::Utc)),
        "Warnings": [],
        "RealPower": index as f64 / 3.0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn streaming_200k_messages_keeps_memory_flat() {
    let app = spawn_app().await;
    let collection = format!("simulation_{SIM}");
    let seed_start = Instant::now();
    for start in (0..MESSAGES).step_by(BATCH) {
        app.insert(&collection, (start..start + BATCH).map(message).collect())
            .await;
    }
    let seed_time = seed_start.elapsed();

    let baseline = rss_bytes();
    let peak = Arc::new(AtomicU64::new(baseline));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_bytes(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let download_start = Instant::now();
    let (bytes, count, tail, first_byte) = download(&format!(
        "http://{}/simulations/{SIM}/messages",
        app.address
    ))
    .await;
    let download_time = download_start.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let growth = peak.load(Ordering::Relaxed).saturating_sub(baseline);
    eprintln!(
        "seeded {MESSAGES} messages in {seed_time:?}; downloaded {bytes} bytes in {download_time:?} \
         (first byte after {first_byte:?}); \
         RSS baseline {} MiB, growth {:.1} MiB",
        baseline / 1024 / 1024,
        growth as f64 / 1024.0 / 1024.0
    );
    assert_eq!(count, MESSAGES, "every message is streamed");
    assert!(tail.ends_with(b"}]"), "the array is complete");
    assert!(growth < LIMIT_BYTES, "RSS grew by {growth} bytes");
    app.cleanup().await;
}

/// Downloads a body chunk by chunk, keeping only the size, the number of `"MessageId"`
/// keys and the last bytes; also returns the time to the first body byte.
async fn download(url: &str) -> (u64, usize, Vec<u8>, Duration) {
    const KEY: &[u8] = b"\"MessageId\"";
    let start = Instant::now();
    let mut response = reqwest::get(url).await.expect("request");
    let mut first_byte = None;
    assert_eq!(response.status(), 200);
    let (mut bytes, mut count, mut carry) = (0u64, 0usize, Vec::new());
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        first_byte.get_or_insert_with(|| start.elapsed());
        bytes += chunk.len() as u64;
        carry.extend_from_slice(&chunk);
        count += carry.windows(KEY.len()).filter(|w| *w == KEY).count();
        // Keep only what could be the start of a key split across chunks.
        let keep = carry.len().saturating_sub(KEY.len() - 1);
        carry.drain(..keep);
    }
    (bytes, count, carry, first_byte.unwrap_or_default())
}
