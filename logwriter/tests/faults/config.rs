//! Configuration errors exit with code 2 and one line naming the variable, before any
//! connection is attempted (docs/spec/logwriter.md §1.1).

use std::time::{Duration, Instant};

use crate::process::command;

async fn refused(vars: &[(&str, &str)], variable: &str) {
    let mut cmd = command(None, vars);
    // A broker that would hang a connection attempt: the error must come first.
    cmd.env("RABBITMQ_HOST", "10.255.255.1");
    let started = Instant::now();
    let output = cmd.output().await.expect("logwriter runs");
    assert_eq!(output.status.code(), Some(2), "{vars:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(variable), "{stderr} names {variable}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "before connecting"
    );
}

#[tokio::test]
async fn invalid_settings_exit_2_naming_the_variable() {
    refused(
        &[("RABBITMQ_EXCHANGE", "x"), ("RABBITMQ_PORT", "abc")],
        "RABBITMQ_PORT",
    )
    .await;
    refused(
        &[
            ("RABBITMQ_EXCHANGE", "x"),
            ("MESSAGE_BUFFER_MAX_INTERVAL", "NaN"),
        ],
        "MESSAGE_BUFFER_MAX_INTERVAL",
    )
    .await;
    refused(&[], "RABBITMQ_EXCHANGE").await;
    refused(&[("RABBITMQ_EXCHANGE", "")], "RABBITMQ_EXCHANGE").await;
    refused(
        &[("RABBITMQ_EXCHANGE", "x"), ("MONGODB_TLS", "yes")],
        "MONGODB_TLS",
    )
    .await;
    let tls = [
        ("RABBITMQ_EXCHANGE", "x"),
        ("RABBITMQ_SSL", "true"),
        ("RABBITMQ_SSL_VERSION", "PROTOCOL_TLSv1"),
    ];
    refused(&tls, "RABBITMQ_SSL_VERSION").await;
    refused(
        &[
            ("RABBITMQ_EXCHANGE", "x"),
            ("LOGWRITER_QUEUE_MODE", "shared"),
        ],
        "LOGWRITER_QUEUE_MODE",
    )
    .await;
}

#[tokio::test]
async fn help_lists_every_variable_and_version_prints_the_version() {
    let output = command(None, &[])
        .arg("--help")
        .output()
        .await
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "RABBITMQ_HOST",
        "RABBITMQ_PORT",
        "RABBITMQ_LOGIN",
        "RABBITMQ_PASSWORD",
        "RABBITMQ_SSL",
        "RABBITMQ_SSL_VERSION",
        "RABBITMQ_SSL_CA_FILE",
        "RABBITMQ_EXCHANGE",
        "RABBITMQ_EXCHANGE_AUTODELETE",
        "RABBITMQ_EXCHANGE_DURABLE",
        "LOGWRITER_QUEUE_MODE",
        "LOGWRITER_QUEUE",
        "LOGWRITER_QUEUE_EXPIRES",
        "LOGWRITER_PREFETCH",
        "LOGWRITER_SHUTDOWN_TIMEOUT",
        "MONGODB_URI",
        "MONGODB_HOST",
        "MONGODB_PORT",
        "MONGODB_USERNAME",
        "MONGODB_PASSWORD",
        "MONGODB_DATABASE",
        "MONGODB_APPNAME",
        "MONGODB_TZ_AWARE",
        "MONGODB_METADATA_COLLECTION",
        "MONGODB_MESSAGES_COLLECTION_PREFIX",
        "MONGODB_INVALID_MESSAGES_COLLECTION_PREFIX",
        "MONGODB_COLLECTION_IDENTIFIER",
        "MONGODB_ADMIN",
        "MONGODB_TLS",
        "MONGODB_TLS_ALLOW_INVALID_CERTIFICATES",
        "MESSAGE_BUFFER_MAX_DOCUMENTS",
        "MESSAGE_BUFFER_MAX_INTERVAL",
        "SIMULATION_ID",
        "STATISTICS_DISPLAY_INTERVAL",
        "SIMULATION_LOG_LEVEL",
        "SIMULATION_LOG_FILE",
        "SIMULATION_LOG_FORMAT",
    ] {
        assert!(
            help.contains(&format!("[env: {variable}")),
            "--help lists {variable}"
        );
    }
    let output = command(None, &[])
        .arg("--version")
        .output()
        .await
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains(env!("CARGO_PKG_VERSION")));
}
