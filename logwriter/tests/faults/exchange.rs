//! An existing exchange with other flags (docs/spec/logwriter.md §2.1, acceptance item 38): the broker's
//! PRECONDITION_FAILED is logged at ERROR and retried without exiting, /ready stays 503, and
//! once the exchange is gone the writer declares its own and completes the run.

use std::time::Duration;

use integration_tests::simgen::generate;
use lapin::options::{ExchangeDeclareOptions, ExchangeDeleteOptions};
use lapin::types::FieldTable;
use lapin::ExchangeKind;

use crate::endpoints::{self, get, status, wait_for};
use crate::harness::{run_spec, Run, SIMULATION_ID};
use crate::process;

/// Replaces the run's exchange with a durable one (the writer declares it non-durable).
async fn redeclare_durable(run: &Run) {
    run.channel
        .exchange_delete(
            run.exchange.as_str().into(),
            ExchangeDeleteOptions::default(),
        )
        .await
        .expect("exchange deleted");
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    run.channel
        .exchange_declare(
            run.exchange.as_str().into(),
            ExchangeKind::Topic,
            durable,
            FieldTable::default(),
        )
        .await
        .expect("durable exchange declared");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conflicting_exchange_is_an_error_retried_until_it_is_deleted() {
    let run = Run::new("faults_exchange").await;
    redeclare_durable(&run).await;
    let port = endpoints::free_port();
    let port_text = port.to_string();
    let vars = [
        ("LOGWRITER_HTTP_PORT", port_text.as_str()),
        ("LOGWRITER_HTTP_HOST", "127.0.0.1"),
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.1"),
    ];
    let mut writer = process::spawn(process::command(Some(&run), &vars), &run.exchange);
    let failed = "Connecting to RabbitMQ failed";
    let mut retries = 0;
    for _ in 0..100 {
        retries = writer.log_text().matches(failed).count();
        if retries >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = writer.log_text();
    assert!(retries >= 2, "retried at least twice:\n{text}");
    for line in text.lines().filter(|l| l.contains(failed)) {
        assert!(line.contains("ERROR"), "an operator must act: {line}");
        assert!(line.contains("PRECONDITION_FAILED"), "{line}");
        assert!(line.contains("retrying in"), "{line}");
    }
    assert!(
        writer.child.try_wait().expect("status").is_none(),
        "still running"
    );
    let connecting = status("connecting");
    assert_eq!(get(port, "/ready").await, Some((503, connecting.clone())));
    assert_eq!(get(port, "/health").await, Some((200, connecting)));
    assert_eq!(
        run.queue_state().await,
        None,
        "no queue before the exchange"
    );

    run.channel
        .exchange_delete(
            run.exchange.as_str().into(),
            ExchangeDeleteOptions::default(),
        )
        .await
        .expect("conflicting exchange deleted");
    run.wait_consumers(1).await;
    let consuming = status("consuming");
    let ready = wait_for(port, "/ready", (200, &consuming), Duration::from_secs(5)).await;
    assert_eq!(ready, Some((200, consuming)));
    let spec = run_spec(3, 2, 0);
    let messages = generate(&spec);
    run.publish(&messages).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert!(text.contains("Listening to exchange"), "{text}");
    let stored = run.count(&format!("simulation_{SIMULATION_ID}")).await;
    assert_eq!(stored as usize, messages.len(), "{text}");
    run.cleanup().await;
}
