//! MongoDB stopped for 20 s mid-run (docs/spec/logwriter.md §7.6, §11.2): nothing lost or duplicated,
//! acknowledgements held (unacknowledged ≤ prefetch), no busy loop.

use std::time::{Duration, Instant};

use integration_tests::simgen::generate;

use crate::harness::{rabbitmqctl, run_spec, Run, SIMULATION_ID};
use crate::process;
use crate::servers::Stopped;

fn unacknowledged(queue: &str) -> u64 {
    let listing = rabbitmqctl(&[
        "list_queues",
        "--no-table-headers",
        "name",
        "messages_unacknowledged",
    ]);
    listing
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .find(|(name, _)| *name == queue)
        .and_then(|(_, n)| n.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mongodb_outage_holds_acks_and_loses_nothing_without_busy_looping() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let run = Run::new("faults_outage").await;
    let spec = run_spec(30, 5, 0);
    let messages = generate(&spec);
    let (before, rest) = messages.split_at(messages.len() / 3);
    let (during, after) = rest.split_at(rest.len() / 2);
    let writer = process::start(&run, &[("MESSAGE_BUFFER_MAX_INTERVAL", "1")]).await;
    run.publish(before).await;
    let valid = format!("simulation_{SIMULATION_ID}");
    run.wait_count(&valid, before.len() as u64, Duration::from_secs(20))
        .await;

    let outage = Stopped::service("ferretdb");
    let cpu_before = writer.cpu_time();
    run.publish(during).await;
    let started = Instant::now();
    let mut peak = 0;
    while started.elapsed() < Duration::from_secs(20) {
        peak = peak.max(unacknowledged(&run.queue));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let cpu = writer.cpu_time() - cpu_before;
    drop(outage);
    let retries = writer
        .log_text()
        .matches("Writing to MongoDB failed")
        .count();
    assert!(
        retries >= 2,
        "the flush was retried with backoff during the outage ({retries} retries)"
    );
    assert!(
        retries <= 12,
        "retries back off instead of spinning ({retries} in 20 s)"
    );
    assert!(peak > 0, "acks are held while MongoDB is down");
    assert!(
        peak <= 40,
        "unacknowledged {peak} within the prefetch of 40"
    );
    assert!(
        cpu < Duration::from_secs(2),
        "no busy loop: {cpu:?} of CPU in 20 s"
    );

    run.publish(after).await;
    let code = writer.exit_within(Duration::from_secs(90)).await;
    assert_eq!(code, 0);
    assert_eq!(
        run.count(&valid).await as usize,
        messages.len(),
        "nothing lost, nothing twice"
    );
    eprintln!(
        "outage: unacknowledged peak {peak}, writer CPU {cpu:?}, {retries} retries during 20 s"
    );
    run.cleanup().await;
}
