//! The lifecycle and metrics through the library (the HTTP view is tested on the binary in
//! logwriter/tests/faults/observability.rs): connecting → consuming → stopped after the run,
//! counts that match the database, and the endpoints' port closed when the run returns.

use std::time::{Duration, Instant};

use integration_tests::simgen::generate;
use logwriter::metrics::Lifecycle;
use logwriter::{CancellationToken, LogWriter};

use crate::harness::{run_spec, Run, SIMULATION_ID};

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind port 0");
    listener.local_addr().expect("address").port()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lifecycle_ends_in_stopped_and_the_port_closes_with_the_run() {
    let run = Run::new("e2e_lifecycle").await;
    let port = free_port().to_string();
    let extra = [
        "--logwriter-http-port",
        &port,
        "--logwriter-http-host",
        "127.0.0.1",
        "--message-buffer-max-interval",
        "0.1",
    ];
    let config = run.settings(&extra).validate().expect("valid settings");
    let prefetch = i64::from(config.broker.prefetch);
    let app = LogWriter::build(config).await.expect("builds and binds");
    let address = app.http_address().expect("bound");
    let metrics = app.metrics();
    assert_eq!(metrics.state(), Lifecycle::Connecting);
    let handle = tokio::spawn(app.run_until_stopped(CancellationToken::new()));
    run.wait_consumers(1).await;
    let started = Instant::now();
    while metrics.state() != Lifecycle::Consuming {
        assert!(started.elapsed() < Duration::from_secs(5), "consuming");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let spec = run_spec(2, 2, 3);
    let messages = generate(&spec);
    run.publish(&messages).await;
    let code = tokio::time::timeout(Duration::from_secs(30), handle).await;
    assert_eq!(code.expect("exits").expect("task"), 0);
    assert_eq!(metrics.state(), Lifecycle::Stopped);
    assert_eq!(metrics.consumed.get() as usize, messages.len());
    let valid = run.count(&format!("simulation_{SIMULATION_ID}")).await;
    let invalid = run
        .count(&format!("invalid_simulation_{SIMULATION_ID}"))
        .await;
    assert_eq!(metrics.stored_valid.get(), valid);
    assert_eq!(metrics.stored_invalid.get(), invalid);
    assert_eq!(metrics.unacknowledged.get(), 0);
    assert_eq!(
        metrics.prefetch.get(),
        prefetch,
        "the effective prefetch, for alerts"
    );
    let text = metrics.render();
    assert!(
        text.contains("logwriter_state{state=\"stopped\"} 1\n"),
        "{text}"
    );
    let closed = Instant::now();
    while std::net::TcpStream::connect(address).is_ok() {
        assert!(closed.elapsed() < Duration::from_secs(2), "the port closes");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    run.cleanup().await;
}
