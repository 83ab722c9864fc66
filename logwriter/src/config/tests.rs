use clap::Parser;

use super::*;

fn parse(args: &[&str]) -> Result<Settings, clap::Error> {
    Settings::try_parse_from(std::iter::once("logwriter").chain(args.iter().copied()))
}

fn config(args: &[&str]) -> Result<Config, ConfigError> {
    parse(args).expect("parses").validate()
}

#[test]
fn the_exchange_is_required() {
    let error = config(&[]).unwrap_err();
    assert_eq!(error.variable, "RABBITMQ_EXCHANGE");
    let error = config(&["--rabbitmq-exchange", ""]).unwrap_err();
    assert_eq!(error.variable, "RABBITMQ_EXCHANGE");
}

#[test]
fn defaults_give_a_durable_queue_named_after_the_exchange() {
    let config = config(&["--rabbitmq-exchange", "procem.x"]).unwrap();
    assert_eq!(
        config.broker.queue,
        Queue::Durable {
            name: "logwriter.procem.x".to_owned(),
            expires_ms: 86_400_000,
            kind: QueueType::Classic,
        }
    );
    assert_eq!(config.max_documents, 20);
    assert_eq!(config.max_interval, Duration::from_secs(10));
    assert_eq!(config.broker.prefetch, 40);
    assert_eq!(config.notes, ["Prefetch raised from 0 to 40."]);
    assert_eq!(config.shutdown_timeout, Duration::from_secs(8));
    assert_eq!(config.statistics_interval, Some(Duration::from_secs(60)));
    assert_eq!(config.app_name, "log_writer");
    assert!(config.broker.endpoint.tls.is_none());
}

#[test]
fn prefetch_is_at_least_twice_the_buffer_and_at_most_65535() {
    assert_eq!(effective_prefetch(0, 20), 40);
    assert_eq!(effective_prefetch(100, 20), 100);
    assert_eq!(effective_prefetch(10, 32767), 65534);
    assert_eq!(effective_prefetch(65535, 1), 65535);
    let config = config(&["--rabbitmq-exchange", "x", "--logwriter-prefetch", "500"]).unwrap();
    assert_eq!(config.broker.prefetch, 500);
    assert!(config.notes.is_empty());
}

#[test]
fn buffer_settings_are_clamped_with_a_warning() {
    let clamped = config(&[
        "--rabbitmq-exchange",
        "x",
        "--message-buffer-max-documents",
        "0",
        "--message-buffer-max-interval",
        "-2.5",
    ])
    .unwrap();
    assert_eq!(clamped.max_documents, 1);
    assert_eq!(clamped.max_interval, Duration::ZERO);
    assert_eq!(
        clamped.warnings,
        [
            "MESSAGE_BUFFER_MAX_DOCUMENTS=0 is out of range; using 1.",
            "MESSAGE_BUFFER_MAX_INTERVAL=-2.5 is out of range; using 0."
        ]
    );
    let big = config(&[
        "--rabbitmq-exchange",
        "x",
        "--message-buffer-max-documents",
        "99999",
    ]);
    assert_eq!(big.unwrap().max_documents, 32767);
}

#[test]
fn invalid_values_are_refused_naming_the_variable() {
    for args in [
        &["--rabbitmq-port", "abc"][..],
        &["--message-buffer-max-interval", "NaN"],
        &["--mongodb-tls", "yes"],
        &["--logwriter-queue-expires", "4294968"],
        &["--logwriter-prefetch", "65536"],
        &["--logwriter-shutdown-timeout", "0"],
        &["--logwriter-queue-mode", "shared"],
        &["--logwriter-queue-type", "stream"],
        &["--simulation-log-level", "loud"],
    ] {
        let error = parse(args).unwrap_err().to_string();
        let variable = args[0]
            .trim_start_matches("--")
            .replace('-', "_")
            .to_uppercase();
        assert!(error.contains(&variable), "{error} names {variable}");
    }
}

#[test]
fn booleans_and_enumerations_are_case_insensitive() {
    let settings = parse(&["--mongodb-tls=TRUE", "--logwriter-queue-mode", "EXCLUSIVE"]).unwrap();
    assert!(settings.mongo.mongodb_tls);
    assert_eq!(settings.logwriter_queue_mode, QueueMode::Exclusive);
    let config = config(&[
        "--rabbitmq-exchange",
        "x",
        "--logwriter-queue-mode",
        "Exclusive",
    ]);
    assert_eq!(config.unwrap().broker.queue, Queue::Exclusive);
}

#[test]
fn tls_versions_before_1_2_are_configuration_errors() {
    let error = config(&[
        "--rabbitmq-exchange",
        "x",
        "--rabbitmq-ssl",
        "--rabbitmq-ssl-version",
        "PROTOCOL_TLSv1",
    ])
    .unwrap_err();
    assert_eq!(error.variable, "RABBITMQ_SSL_VERSION");
    let ok = config(&[
        "--rabbitmq-exchange",
        "x",
        "--rabbitmq-ssl-version",
        "PROTOCOL_TLSv1",
    ]);
    assert!(ok.is_ok(), "ignored without TLS");
    let tls = config(&["--rabbitmq-exchange", "x", "--rabbitmq-ssl=true"]).unwrap();
    assert!(!tls.broker.endpoint.tls.unwrap().tls12_only);
    let missing = config(&[
        "--rabbitmq-exchange",
        "x",
        "--rabbitmq-ssl",
        "--rabbitmq-ssl-ca-file",
        "/nonexistent/ca.pem",
    ]);
    assert_eq!(missing.unwrap_err().variable, "RABBITMQ_SSL_CA_FILE");
}

#[test]
fn long_default_queue_names_ask_for_an_explicit_name() {
    let exchange = "e".repeat(250);
    let error = config(&["--rabbitmq-exchange", &exchange]).unwrap_err();
    assert!(error.reason.contains("LOGWRITER_QUEUE"));
    let ok = config(&["--rabbitmq-exchange", &exchange, "--logwriter-queue", "q"]);
    assert!(ok.is_ok());
}

#[test]
fn the_run_simulation_id_is_normalised_when_it_parses() {
    let id = |value: &str| {
        config(&["--rabbitmq-exchange", "x", "--simulation-id", value])
            .unwrap()
            .run_simulation_id
    };
    assert_eq!(
        id("2020-08-20T08:48:12Z").as_deref(),
        Some("2020-08-20T08:48:12.000Z")
    );
    assert_eq!(id("my-run").as_deref(), Some("my-run"));
}

#[test]
fn secrets_never_appear_in_the_summary() {
    let config = config(&[
        "--rabbitmq-exchange",
        "x",
        "--rabbitmq-password",
        "hunter2",
        "--mongodb-uri",
        "mongodb://u:s3cret@h/",
    ])
    .unwrap();
    assert!(!config.summary.contains("hunter2"));
    assert!(!config.summary.contains("s3cret"));
    assert!(config.summary.contains("***"));
    let debug = format!("{:?}", config.broker);
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("REDACTED"), "{debug}");
}

#[test]
fn an_empty_password_means_guest_and_a_set_one_is_kept_exactly() {
    use secrecy::ExposeSecret as _;
    let config = self::config(&["--rabbitmq-exchange", "x"]).unwrap();
    assert_eq!(config.broker.endpoint.password.expose_secret(), "");
    assert!(config.summary.contains("password=''"), "{}", config.summary);
    let config =
        self::config(&["--rabbitmq-exchange", "x", "--rabbitmq-password", " p w "]).unwrap();
    assert_eq!(config.broker.endpoint.password.expose_secret(), " p w ");
}

#[test]
fn statistics_interval_zero_or_less_disables_the_periodic_block() {
    for value in ["0", "-5"] {
        let config = config(&[
            "--rabbitmq-exchange",
            "x",
            "--statistics-display-interval",
            value,
        ]);
        assert_eq!(config.unwrap().statistics_interval, None);
    }
}

#[test]
fn the_http_endpoints_are_off_unless_a_port_is_set() {
    let off = config(&["--rabbitmq-exchange", "x"]).unwrap();
    assert_eq!(off.http, None);
    assert!(off.summary.contains("http=off"), "{}", off.summary);
    let on = config(&["--rabbitmq-exchange", "x", "--logwriter-http-port", "9100"]).unwrap();
    assert_eq!(on.http, Some(("0.0.0.0".to_owned(), 9100)));
    assert!(on.summary.contains("http=0.0.0.0:9100"), "{}", on.summary);
    let local = [
        "--rabbitmq-exchange",
        "x",
        "--logwriter-http-port",
        " 9100 ",
        "--logwriter-http-host",
        "127.0.0.1",
    ];
    assert_eq!(
        config(&local).unwrap().http,
        Some(("127.0.0.1".to_owned(), 9100))
    );
    for bad in ["0", "65536", "-1", "http"] {
        assert!(parse(&["--logwriter-http-port", bad]).is_err(), "{bad}");
    }
}

/// The declared type for the given extra arguments.
fn queue_type(extra: &[&str]) -> QueueType {
    let mut arguments = vec!["--rabbitmq-exchange", "x"];
    arguments.extend_from_slice(extra);
    match config(&arguments).unwrap().broker.queue {
        Queue::Durable { kind, .. } => kind,
        Queue::Exclusive => panic!("not a durable queue"),
    }
}

#[test]
fn the_queue_type_is_classic_on_one_node_and_quorum_on_a_cluster_unless_asked_for() {
    let cluster = ["--rabbitmq-host", "a,b,c"];
    assert_eq!(queue_type(&[]), QueueType::Classic);
    assert_eq!(queue_type(&cluster), QueueType::Quorum);
    let asked = [
        ["--logwriter-queue-type", "QUORUM"],
        ["--logwriter-queue-type", "classic"],
    ];
    assert_eq!(queue_type(&asked[0]), QueueType::Quorum);
    assert_eq!(
        queue_type(&[&cluster[..], &asked[1]].concat()),
        QueueType::Classic
    );
    let auto = [
        "--logwriter-queue-type",
        "auto",
        "--rabbitmq-host",
        "a:5672,b:5672",
    ];
    assert_eq!(queue_type(&auto), QueueType::Quorum);
}

#[test]
fn rabbitmq_host_takes_a_list_of_nodes_and_a_bad_one_names_the_variable() {
    let config = config(&[
        "--rabbitmq-exchange",
        "x",
        "--rabbitmq-host",
        "127.0.0.1:5681,127.0.0.1:5682,other",
        "--rabbitmq-port",
        "5700",
    ])
    .unwrap();
    let nodes: Vec<String> = config
        .broker
        .endpoint
        .nodes
        .iter()
        .map(Node::to_string)
        .collect();
    assert_eq!(nodes, ["127.0.0.1:5681", "127.0.0.1:5682", "other:5700"]);
    assert!(config
        .summary
        .starts_with("rabbitmq=127.0.0.1:5681,127.0.0.1:5682,other:5700 "));
    let error =
        super::tests::config(&["--rabbitmq-exchange", "x", "--rabbitmq-host", "a,,b"]).unwrap_err();
    assert_eq!(error.variable, "RABBITMQ_HOST");
    assert!(error.to_string().contains("empty"), "{error}");
}
