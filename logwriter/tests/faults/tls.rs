//! TLS to RabbitMQ (acceptance item 77) against the listener scripts/services sets up on
//! 127.0.0.1:5671 with its test CA: a run completes over TLS with RABBITMQ_SSL_CA_FILE, and
//! without it the certificate is refused and retried until SIGTERM.

use std::path::PathBuf;
use std::time::Duration;

use integration_tests::simgen::{generate, RunSpec};

use crate::harness::{Run, SIMULATION_ID};
use crate::process;

/// The test CA made by `scripts/services up` (SERVICES_DIR overrides target/services there).
fn test_ca() -> PathBuf {
    let services = std::env::var_os("SERVICES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| integration_tests::repo_root().join("target/services"));
    let ca = services.join("rabbitmq/tls/ca.pem");
    assert!(
        ca.is_file(),
        "{} is missing: run scripts/services up",
        ca.display()
    );
    ca
}

fn tls_vars(ca: Option<&str>) -> Vec<(&str, &str)> {
    let mut vars = vec![
        ("RABBITMQ_SSL", "true"),
        ("RABBITMQ_HOST", "localhost"),
        ("RABBITMQ_PORT", "5671"),
        ("MESSAGE_BUFFER_MAX_INTERVAL", "0.1"),
    ];
    if let Some(ca) = ca {
        vars.push(("RABBITMQ_SSL_CA_FILE", ca));
    }
    vars
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_completes_over_tls_with_the_test_ca() {
    let _shared = crate::SERVICES.read().await;
    let run = Run::new("faults_tls").await;
    let ca = test_ca();
    let ca = ca.to_string_lossy();
    let writer = process::start(&run, &tls_vars(Some(&ca))).await;
    let spec = RunSpec {
        simulation_id: SIMULATION_ID.to_owned(),
        epochs: 3,
        processes: 2,
        invalid: 2,
    };
    let messages = generate(&spec);
    run.publish(&messages).await;
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert!(
        text.contains("Connected to RabbitMQ at localhost:5671."),
        "{text}"
    );
    assert!(!text.contains("Connecting to RabbitMQ failed"), "{text}");
    let valid = run.count(&format!("simulation_{SIMULATION_ID}")).await;
    let invalid = run
        .count(&format!("invalid_simulation_{SIMULATION_ID}"))
        .await;
    assert_eq!((valid + invalid) as usize, messages.len(), "{text}");
    assert_eq!(invalid, 2);
    run.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_ca_file_the_certificate_is_refused_and_retried_until_sigterm() {
    let _shared = crate::SERVICES.read().await;
    let run = Run::new("faults_tls_untrusted").await;
    let command = process::command(Some(&run), &tls_vars(None));
    let writer = process::spawn(command, &run.exchange);
    let failed = "Connecting to RabbitMQ failed";
    let mut attempts = 0;
    for _ in 0..100 {
        attempts = writer.log_text().matches(failed).count();
        if attempts >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = writer.log_text();
    assert!(attempts >= 2, "retried:\n{text}");
    let line = text.lines().find(|l| l.contains(failed)).expect("line");
    assert!(line.to_lowercase().contains("certificate"), "{line}");
    assert!(
        line.contains("ERROR"),
        "an untrusted certificate needs an operator: {line}"
    );
    assert!(line.contains("retrying in"), "{line}");
    assert_eq!(
        run.queue_state().await,
        None,
        "never got as far as the queue"
    );
    writer.terminate();
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(10)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert!(text.contains("Shutdown complete."), "{text}");
    run.cleanup().await;
}
