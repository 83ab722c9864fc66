//! TLS to RabbitMQ (acceptance item 77) against the listener scripts/services sets up on
//! 127.0.0.1:5671 with its test CA: a run completes over TLS with RABBITMQ_SSL_CA_FILE, and
//! without it the certificate is refused and retried until SIGTERM.

use std::path::PathBuf;
use std::time::Duration;

use integration_tests::simgen::generate;

use crate::harness::{rabbitmqctl, run_spec, Run, SIMULATION_ID};
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
    let run = Run::new("faults_tls").await;
    let ca = test_ca();
    let ca = ca.to_string_lossy();
    let writer = process::start(&run, &tls_vars(Some(&ca))).await;
    let spec = run_spec(3, 2, 2);
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

/// The negotiated protocol of the writer's newest connection, as RabbitMQ reports it. A
/// previous writer's closed connection can linger in the listing (for seconds when the
/// broker is busy), so the connection opened last is the one that counts.
async fn ssl_protocol(run: &Run) -> Option<String> {
    let name = format!("logwriter {}", run.exchange);
    for _ in 0..50 {
        let listing = rabbitmqctl(&[
            "list_connections",
            "--no-table-headers",
            "connected_at",
            "ssl_protocol",
            "client_properties",
        ]);
        let newest = listing
            .lines()
            .filter(|line| line.contains(&name))
            .filter_map(|line| {
                let mut cells = line.split('\t');
                let connected_at: u64 = cells.next()?.trim().parse().ok()?;
                Some((connected_at, cells.next()?.to_owned()))
            })
            .max();
        if let Some((_, protocol)) = newest {
            return Some(protocol);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn protocol_tlsv1_2_negotiates_tls_1_2_with_a_broker_that_offers_1_3() {
    let run = Run::new("faults_tls12").await;
    let ca = test_ca();
    let ca = ca.to_string_lossy();
    let mut vars = tls_vars(Some(&ca));
    let writer = process::start(&run, &vars).await;
    assert_eq!(
        ssl_protocol(&run).await.as_deref(),
        Some("tlsv1.3"),
        "the default"
    );
    writer.terminate();
    assert_eq!(writer.exit_within(Duration::from_secs(10)).await, 0);

    vars.push(("RABBITMQ_SSL_VERSION", "PROTOCOL_TLSv1_2"));
    let writer = process::start(&run, &vars).await;
    assert_eq!(ssl_protocol(&run).await.as_deref(), Some("tlsv1.2"));
    run.publish(&generate(&run_spec(2, 1, 0))).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    run.cleanup().await;
}

/// A TLS 1.3-only listener (openssl s_server with the test certificate) on a free port.
struct Tls13Listener {
    child: std::process::Child,
    port: u16,
}

impl Tls13Listener {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = test_ca().parent().expect("tls dir").to_path_buf();
        let mut child = std::process::Command::new("openssl")
            .args(["s_server", "-quiet", "-tls1_3", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(dir.join("server.pem"))
            .arg("-key")
            .arg(dir.join("server.key"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("openssl s_server starts");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self { child, port };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("openssl s_server never listened on {port}");
    }
}

impl Drop for Tls13Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn protocol_tlsv1_2_refuses_a_tls_1_3_only_listener() {
    let listener = Tls13Listener::start();
    let port = listener.port.to_string();
    let ca = test_ca();
    let ca = ca.to_string_lossy();
    let vars = [
        ("RABBITMQ_EXCHANGE", "it_tls13_only"),
        ("RABBITMQ_SSL", "true"),
        ("RABBITMQ_SSL_VERSION", "PROTOCOL_TLSv1_2"),
        ("RABBITMQ_SSL_CA_FILE", &ca),
        ("RABBITMQ_HOST", "localhost"),
        ("RABBITMQ_PORT", &port),
    ];
    let writer = process::spawn(process::command(None, &vars), "it_tls13_only");
    assert!(
        writer
            .wait_log("Connecting to RabbitMQ failed", Duration::from_secs(10))
            .await,
        "{}",
        writer.log_text()
    );
    let text = writer.log_text();
    let line = text
        .lines()
        .find(|l| l.contains("Connecting to RabbitMQ failed"))
        .expect("line");
    assert!(line.contains("ProtocolVersion"), "a TLS 1.2 client: {line}");
    writer.terminate();
    assert_eq!(writer.exit_within(Duration::from_secs(10)).await, 0);
    drop(listener);
}
