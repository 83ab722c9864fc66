//! Every setting of docs/spec/logwriter.md §1.2 reaches the binary: the value of its variable, its flag
//! over the variable, and its default when the variable is unset or empty, all read from the
//! effective-settings INFO line (acceptance items 32–36 and 42). The broker is unreachable
//! (port 1), so nothing is consumed; a signal ends each run.

use std::time::Duration;

use crate::process::{self, Writer};

/// `(variable, variable value, flag value, fragment with {} for the value, default fragment)`.
const TABLE: &[(&str, &str, &str, &str, &str)] = &[
    (
        "RABBITMQ_HOST",
        "envhost.invalid",
        "flaghost.invalid",
        "rabbitmq={}:1 ",
        "rabbitmq=localhost:1 ",
    ),
    (
        "RABBITMQ_LOGIN",
        "envuser",
        "flaguser",
        "login='{}'",
        "login=''",
    ),
    (
        "RABBITMQ_PASSWORD",
        "envpw",
        "flagpw",
        "password=***",
        "password=''",
    ),
    ("RABBITMQ_SSL", "TRUE", "false", "ssl={}", "ssl=false"),
    (
        "RABBITMQ_EXCHANGE_DURABLE",
        "true",
        "false",
        "exchange_durable={}",
        "exchange_durable=false",
    ),
    (
        "RABBITMQ_EXCHANGE_AUTODELETE",
        "true",
        "false",
        "exchange_autodelete={}",
        "exchange_autodelete=false",
    ),
    (
        "LOGWRITER_QUEUE_MODE",
        "exclusive",
        "durable",
        "queue_mode={}",
        "queue_mode=Durable",
    ),
    (
        "LOGWRITER_QUEUE",
        "envq",
        "flagq",
        "queue=Some(\"{}\")",
        "queue=None",
    ),
    (
        "LOGWRITER_QUEUE_EXPIRES",
        "100",
        "200",
        "queue_expires={} ",
        "queue_expires=86400 ",
    ),
    (
        "LOGWRITER_PREFETCH",
        "500",
        "600",
        "prefetch={} ",
        "prefetch=40 ",
    ),
    (
        "LOGWRITER_SHUTDOWN_TIMEOUT",
        "3",
        "4",
        "shutdown_timeout={}s",
        "shutdown_timeout=8s",
    ),
    (
        "MONGODB_HOST",
        "envdb",
        "flagdb",
        "mongodb={}:",
        "mongodb=localhost:27017 ",
    ),
    ("MONGODB_PORT", "1234", "4321", ":{} user=", ":27017 user="),
    ("MONGODB_USERNAME", "envu", "flagu", "user='{}'", "user=''"),
    (
        "MONGODB_PASSWORD",
        "envmpw",
        "flagmpw",
        "password=*** tls=",
        "password='' tls=",
    ),
    ("MONGODB_TLS", "TRUE", "False", "tls={}", "tls=false"),
    (
        "MONGODB_DATABASE",
        "envdatabase",
        "flagdatabase",
        "database={} ",
        "database=(default) ",
    ),
    (
        "MONGODB_METADATA_COLLECTION",
        "envmeta",
        "flagmeta",
        "metadata_collection={} ",
        "metadata_collection=simulations ",
    ),
    (
        "MONGODB_MESSAGES_COLLECTION_PREFIX",
        "envp_",
        "flagp_",
        "prefixes={}/",
        "prefixes=simulation_/",
    ),
    (
        "MONGODB_INVALID_MESSAGES_COLLECTION_PREFIX",
        "envi_",
        "flagi_",
        "/{} ",
        "/invalid_simulation_ ",
    ),
    (
        "MONGODB_COLLECTION_IDENTIFIER",
        "envid",
        "flagid",
        "identifier={} ",
        "identifier=SimulationId ",
    ),
    (
        "MONGODB_APPNAME",
        "envapp",
        "flagapp",
        "appname='{}'",
        "appname='log_writer'",
    ),
    (
        "MESSAGE_BUFFER_MAX_DOCUMENTS",
        "7",
        "9",
        "buffer_documents={} ",
        "buffer_documents=20 ",
    ),
    (
        "MESSAGE_BUFFER_MAX_INTERVAL",
        "3",
        "4",
        "buffer_interval={}s",
        "buffer_interval=10s",
    ),
    (
        "SIMULATION_ID",
        "envsim",
        "flagsim",
        "simulation_id=Some(\"{}\")",
        "simulation_id=None",
    ),
    (
        "STATISTICS_DISPLAY_INTERVAL",
        "5",
        "6",
        "statistics_interval={} ",
        "statistics_interval=60 ",
    ),
    (
        "SIMULATION_LOG_LEVEL",
        "10",
        "15",
        "log_level={}",
        "log_level=info",
    ),
    (
        "SIMULATION_LOG_FORMAT",
        "E %(message)s",
        "F %(message)s",
        "log_format='{}'",
        "log_format='%(asctime)s",
    ),
];

/// Runs the binary against an unreachable broker and returns its log once the settings
/// line is out.
async fn started(vars: &[(&str, &str)], args: &[String]) -> String {
    let mut command = process::command(None, &[]);
    command
        .env_remove("MONGODB_URI")
        .env("RABBITMQ_EXCHANGE", "it_settings")
        .env("RABBITMQ_PORT", "1");
    command.env_remove("STATISTICS_DISPLAY_INTERVAL");
    for (name, value) in vars {
        command.env(name, value);
    }
    command.args(args);
    let writer: Writer = process::spawn(command, "it_settings");
    assert!(
        writer
            .wait_log("Connecting to RabbitMQ failed", Duration::from_secs(10))
            .await,
        "started:\n{}",
        writer.log_text()
    );
    writer.terminate();
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(10)).await, 0);
    std::fs::read_to_string(log).unwrap_or_default()
}

fn summary(log: &str) -> &str {
    log.lines()
        .find(|l| l.contains("Starting logwriter"))
        .unwrap_or_else(|| panic!("settings line in:\n{log}"))
}

fn level_value(value: &str) -> &str {
    match value {
        "10" => "debug",
        "15" => "info",
        "exclusive" => "Exclusive",
        "durable" => "Durable",
        "TRUE" => "true",
        "False" => "false",
        other => other,
    }
}

#[tokio::test]
async fn every_setting_takes_its_variable_its_flag_over_it_and_its_default_when_empty() {
    let from_env: Vec<(&str, &str)> = TABLE.iter().map(|row| (row.0, row.1)).collect();
    let log = started(&from_env, &[]).await;
    let line = summary(&log);
    for (variable, value, _, fragment, _) in TABLE {
        let expected = fragment.replace("{}", level_value(value));
        assert!(
            line.contains(&expected),
            "{variable}={value}: {expected} in {line}"
        );
    }

    let flags: Vec<String> = TABLE
        .iter()
        .map(|(variable, _, flag, _, _)| {
            format!("--{}={flag}", variable.to_lowercase().replace('_', "-"))
        })
        .collect();
    let log = started(&from_env, &flags).await;
    let line = summary(&log);
    for (variable, _, flag, fragment, _) in TABLE {
        let expected = fragment.replace("{}", level_value(flag));
        assert!(
            line.contains(&expected),
            "--{variable}={flag}: {expected} in {line}"
        );
    }

    let empty: Vec<(&str, &str)> = TABLE.iter().map(|row| (row.0, "")).collect();
    let log = started(&empty, &[]).await;
    let line = summary(&log);
    for (variable, _, _, _, default) in TABLE {
        assert!(
            line.contains(default),
            "{variable} empty: {default} in {line}"
        );
    }
}

#[tokio::test]
async fn clamped_buffer_raised_prefetch_and_uri_overrides_are_logged() {
    let log = started(
        &[
            ("MESSAGE_BUFFER_MAX_DOCUMENTS", "0"),
            ("MONGODB_URI", "mongodb://127.0.0.1:27017/"),
            ("MONGODB_HOST", "elsewhere"),
            ("MONGODB_PORT", "1234"),
            ("MONGODB_TLS", "False"),
        ],
        &[],
    )
    .await;
    let has = |level: &str, text: &str| log.lines().any(|l| l.contains(level) && l.contains(text));
    assert!(
        has(
            "WARNING",
            "MESSAGE_BUFFER_MAX_DOCUMENTS=0 is out of range; using 1."
        ),
        "{log}"
    );
    assert!(has("INFO", "Prefetch raised from 0 to 2."), "{log}");
    assert!(
        has(
            "INFO",
            "MONGODB_URI is set; ignoring MONGODB_HOST, MONGODB_PORT."
        ),
        "{log}"
    );
    assert!(summary(&log).contains("buffer_documents=1 "));
}
