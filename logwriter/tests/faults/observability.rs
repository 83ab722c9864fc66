//! The HTTP endpoints of the binary (LOGWRITER_HTTP_PORT): exact metrics after a small run,
//! the lifecycle on /health and /ready as the run ends, no listener without the setting, and
//! a port that cannot be bound as a start-up error.

use std::collections::BTreeMap;
use std::time::Duration;

use integration_tests::simgen::{generate, invalid_bodies, RunSpec};

use crate::endpoints::{get, listening_ports, sample, status, wait_for};
use crate::harness::{run_spec, Run, SIMULATION_ID};
use crate::{endpoints, process};

const INVALID: u32 = 13;

fn spec() -> RunSpec {
    run_spec(3, 2, INVALID)
}

/// Polls /metrics until the writer has handled `consumed` deliveries and has nothing
/// buffered or unacknowledged; returns that scrape.
async fn settled_scrape(port: u16, consumed: usize) -> String {
    let started = std::time::Instant::now();
    loop {
        let scrape = get(port, "/metrics").await.map(|(_, body)| body);
        let scrape = scrape.unwrap_or_default();
        let done = sample(&scrape, "logwriter_messages_consumed_total") == Some(consumed as f64)
            && sample(&scrape, "logwriter_unacknowledged_deliveries") == Some(0.0)
            && sample(&scrape, "logwriter_buffered_documents") == Some(0.0);
        if done || started.elapsed() > Duration::from_secs(20) {
            return scrape;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every state /health reports until the port stops answering, without repeats.
async fn watch_health(port: u16) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let started = std::time::Instant::now();
    while let Some((code, body)) = get(port, "/health").await {
        assert_eq!(code, 200, "/health is 200 while the process runs: {body}");
        if seen.last() != Some(&body) {
            seen.push(body);
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{seen:?}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    seen
}

#[tokio::test(flavor = "multi_thread")]
async fn the_endpoints_show_exact_counts_and_the_lifecycle_as_the_run_ends() {
    let run = Run::new("faults_http").await;
    let port = endpoints::free_port();
    let port_text = port.to_string();
    let vars = [
        ("LOGWRITER_HTTP_PORT", port_text.as_str()),
        ("LOGWRITER_HTTP_HOST", "127.0.0.1"),
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.1"),
    ];
    let writer = process::start(&run, &vars).await;
    let ready = (200, status("consuming"));
    let answer = wait_for(port, "/ready", (200, &ready.1), Duration::from_secs(5)).await;
    assert_eq!(answer, Some(ready));
    let pid = writer.child.id().expect("running");
    assert_eq!(
        listening_ports(pid),
        [port].into(),
        "one listener, the endpoints'"
    );

    let mut messages = generate(&spec());
    let stopped = messages.pop().expect("the stop message");
    run.publish(&messages).await;
    let valid = messages.len() - INVALID as usize;
    let valid_collection = format!("simulation_{SIMULATION_ID}");
    let invalid_collection = format!("invalid_simulation_{SIMULATION_ID}");
    let limit = Duration::from_secs(20);
    assert_eq!(
        run.wait_count(&valid_collection, valid as u64, limit).await,
        valid as u64
    );
    let stored_invalid = run
        .wait_count(&invalid_collection, INVALID.into(), limit)
        .await;
    assert_eq!(stored_invalid, u64::from(INVALID));
    let duplicates = &messages[1..4];
    run.publish(duplicates).await;

    let scrape = settled_scrape(port, messages.len() + duplicates.len()).await;
    let expect = |series: &str, value: usize| {
        assert_eq!(
            sample(&scrape, series),
            Some(value as f64),
            "{series} in\n{scrape}"
        );
    };
    expect(
        "logwriter_messages_consumed_total",
        messages.len() + duplicates.len(),
    );
    expect(
        "logwriter_messages_stored_total{collection=\"valid\"}",
        valid,
    );
    expect(
        "logwriter_messages_stored_total{collection=\"invalid\"}",
        INVALID as usize,
    );
    expect("logwriter_duplicates_total", duplicates.len());
    expect("logwriter_flush_retries_total", 0);
    expect("logwriter_reconnects_total", 0);
    expect("logwriter_state{state=\"consuming\"}", 1);
    expect("logwriter_state{state=\"connecting\"}", 0);
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for (code, _) in invalid_bodies(SIMULATION_ID)
        .into_iter()
        .take(INVALID as usize)
    {
        *reasons.entry(code).or_default() += 1;
    }
    for (code, count) in reasons {
        expect(
            &format!("logwriter_messages_invalid_total{{reason=\"{code}\"}}"),
            count,
        );
    }
    let flushes = sample(&scrape, "logwriter_flush_duration_seconds_count").unwrap_or(0.0);
    assert!(flushes > 0.0, "{scrape}");

    let watcher = tokio::spawn(watch_health(port));
    run.publish(&[stopped]).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let seen = watcher.await.expect("watcher");
    let order = ["consuming", "draining", "stopped"].map(status);
    let positions: Vec<usize> = seen
        .iter()
        .map(|s| order.iter().position(|o| o == s).unwrap_or(usize::MAX))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "in order: {seen:?}"
    );
    assert!(positions.iter().all(|p| *p < order.len()), "{seen:?}");
    assert!(seen.contains(&status("draining")), "{seen:?}");
    assert_eq!(
        get(port, "/health").await,
        None,
        "the port closes with the process"
    );
    eprintln!("/health during the stop: {seen:?}");
    run.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_port_setting_no_port_is_opened() {
    let run = Run::new("faults_http_off").await;
    let writer = process::start(&run, &[]).await;
    let pid = writer.child.id().expect("running");
    assert_eq!(listening_ports(pid), Default::default());
    writer.terminate();
    assert_eq!(writer.exit_within(Duration::from_secs(10)).await, 0);
    run.cleanup().await;
}

#[tokio::test]
async fn a_port_that_cannot_be_bound_stops_the_start_up_with_exit_code_1() {
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let port = taken.local_addr().expect("address").port().to_string();
    let vars = [
        ("RABBITMQ_EXCHANGE", "faults.http.taken"),
        ("LOGWRITER_HTTP_PORT", port.as_str()),
        ("LOGWRITER_HTTP_HOST", "127.0.0.1"),
    ];
    let writer = process::spawn(process::command(None, &vars), "faults_http_taken");
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(10)).await, 1);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let expected = format!("Cannot start: binding the HTTP endpoints to 127.0.0.1:{port}");
    assert!(text.contains(&expected), "{text}");
    assert!(!text.contains("Connected to RabbitMQ"), "{text}");
}

#[tokio::test]
async fn an_invalid_port_is_a_configuration_error() {
    for bad in ["0", "65536", "web"] {
        let vars = [("RABBITMQ_EXCHANGE", "x"), ("LOGWRITER_HTTP_PORT", bad)];
        let writer = process::spawn(process::command(None, &vars), "faults_http_bad");
        let log = writer.log.clone();
        assert_eq!(
            writer.exit_within(Duration::from_secs(10)).await,
            2,
            "{bad}"
        );
        let text = std::fs::read_to_string(log).unwrap_or_default();
        assert!(
            text.contains("LOGWRITER_HTTP_PORT") || text.contains("--logwriter-http-port"),
            "{text}"
        );
        assert!(text.contains(bad), "{text}");
    }
}
