//! `logreader replay` (docs/operations.md, "Replaying a run"): a run recorded by the
//! writer, published again into a new exchange and recorded there by a second writer, is
//! stored as the same documents apart from `_id`.

use std::time::Duration;

use bson::Document;
use clap::Parser as _;
use integration_tests::simgen::generate;
use logreader::replay::{self, ReplaySettings, Summary};
use logreader::settings::Command;

use crate::harness::{run_spec, Run, SIMULATION_ID};

fn valid() -> String {
    format!("simulation_{SIMULATION_ID}")
}

/// The replay settings from `source`'s database to `exchange`, plus `extra` flags.
fn settings(source: &Run, exchange: &str, extra: &[&str]) -> ReplaySettings {
    let (host, port) = integration_tests::rabbit_host_port();
    let port = port.to_string();
    let uri = integration_tests::mongo_uri();
    let mut args = vec![
        "logreader",
        "replay",
        "--simulation-id",
        SIMULATION_ID,
        "--rabbitmq-exchange",
        exchange,
        "--rabbitmq-host",
        &host,
        "--rabbitmq-port",
        &port,
        "--mongodb-uri",
        &uri,
        "--mongodb-database",
        source.db.name(),
        "--speed",
        "0",
    ];
    args.extend_from_slice(extra);
    match logreader::Settings::try_parse_from(args)
        .expect("replay settings")
        .command
    {
        Some(Command::Replay(settings)) => settings,
        None => panic!("no replay command"),
    }
}

/// Each document without `_id`, encoded (so types count), sorted.
async fn contents(run: &Run) -> Vec<Vec<u8>> {
    let mut contents: Vec<Vec<u8>> = run
        .documents(&valid())
        .await
        .into_iter()
        .map(|mut doc: Document| {
            doc.remove("_id");
            bson::to_vec(&doc).expect("encodes")
        })
        .collect();
    contents.sort();
    contents
}

/// A run of four epochs recorded by the writer, invalid messages included.
async fn recorded() -> Run {
    let original = Run::new("e2e_replay").await;
    let writer = original
        .start(&["--message-buffer-max-interval", "1"])
        .await;
    original.publish(&generate(&run_spec(4, 3, 2))).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    original
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_run_is_stored_as_the_same_documents() {
    let original = recorded().await;
    let stored = original.count(&valid()).await;

    let copy = Run::new("e2e_replay_copy").await;
    let writer = copy.start(&["--message-buffer-max-interval", "1"]).await;
    let summary = replay::run(&settings(&original, &copy.exchange, &[]))
        .await
        .expect("replayed");
    let expected = Summary {
        read: stored,
        published: stored,
        routed: stored,
        ..Summary::default()
    };
    assert_eq!(summary, expected);
    // The replayed run ends with its SimState `stopped`, so the second writer stops too.
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    assert_eq!(contents(&copy).await, contents(&original).await);
    let invalid = format!("invalid_simulation_{SIMULATION_ID}");
    assert_eq!(
        copy.count(&invalid).await,
        0,
        "only valid messages are replayed"
    );

    // Epochs 2 and 3 only: no SimState, so the writer is stopped by signal.
    let part = Run::new("e2e_replay_part").await;
    let writer = part.start(&["--message-buffer-max-interval", "0"]).await;
    let from_to = ["--from-epoch", "2", "--to-epoch", "3"];
    let summary = replay::run(&settings(&original, &part.exchange, &from_to))
        .await
        .expect("replayed");
    assert!(summary.is_complete(), "{summary:?}");
    let in_range = |doc: &Document| matches!(doc.get_i32("EpochNumber"), Ok(2 | 3));
    let selected = original
        .documents(&valid())
        .await
        .iter()
        .filter(|d| in_range(d))
        .count();
    assert!(selected > 0);
    assert_eq!(summary.read, selected as u64);
    part.wait_count(&valid(), summary.read, Duration::from_secs(30))
        .await;
    assert_eq!(writer.terminate().await, 0);
    let docs = part.documents(&valid()).await;
    assert_eq!(docs.len(), selected);
    assert!(docs.iter().all(in_range));

    for run in [original, copy, part] {
        run.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_no_queue_takes_are_counted_and_an_unknown_run_is_an_error() {
    let original = recorded().await;
    let nobody = integration_tests::unique_name("e2e_replay_nobody");
    let summary = replay::run(&settings(&original, &nobody, &[]))
        .await
        .expect("replayed");
    assert_eq!(summary.unroutable, summary.read);
    assert!(summary.read > 0 && !summary.is_complete(), "{summary:?}");

    let mut unknown = settings(&original, &nobody, &[]);
    unknown.simulation_id = "2001-01-01T00:00:00Z".to_owned();
    let error = replay::run(&unknown).await.expect_err("unknown run");
    assert!(error.to_string().contains("not found"), "{error:#}");

    let channel = original.connection.create_channel().await.expect("channel");
    let _ = channel
        .exchange_delete(nobody.as_str().into(), Default::default())
        .await;
    original.cleanup().await;
}
