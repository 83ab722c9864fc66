//! Order and topology (docs/spec/logwriter.md §2.2, §4; acceptance items 40 and 48): what
//! readers see of one publisher's documents is the publish order, `stopped` comes after
//! everything published before it, one batch at a time (`LOGWRITER_MAX_IN_FLIGHT=1`, the
//! default) also stores them in that order, and exclusive mode uses a server-named
//! exclusive queue.

use std::time::{Duration, Instant};

use integration_tests::simgen::Message;

use crate::harness::{message, rabbitmqctl, Run, SIMULATION_ID};

fn generic(n: u32) -> Message {
    let body = format!(
        r#"{{"Type":"General","SimulationId":"{SIMULATION_ID}","MessageId":"g-{n}","Timestamp":"2020-06-03T04:02:{n:02}Z"}}"#
    );
    message("general", &body)
}

fn stopped() -> Message {
    let body = format!(
        r#"{{"Type":"SimState","SimulationId":"{SIMULATION_ID}","SourceProcessId":"sm","MessageId":"stop","Timestamp":"2020-06-03T04:09:00Z","SimulationState":"stopped"}}"#
    );
    message("SimState", &body)
}

/// Sixty generic messages one second apart, then `stopped`, through a writer with batches
/// of 7 and `in_flight` of them written at once; the message ids in publish order.
async fn run_with(run: &Run, in_flight: &str) -> Vec<String> {
    let writer = run
        .start(&[
            "--message-buffer-max-documents",
            "7",
            "--message-buffer-max-interval",
            "0.05",
            "--logwriter-max-in-flight",
            in_flight,
        ])
        .await;
    let mut messages: Vec<Message> = (0..60).map(generic).collect();
    messages.push(stopped());
    run.publish(&messages).await;
    assert_eq!(writer.exit_within(Duration::from_secs(30)).await, 0);
    (0..60)
        .map(|n| format!("g-{n}"))
        .chain(["stop".to_owned()])
        .collect()
}

fn ids(docs: &[bson::Document]) -> Vec<&str> {
    docs.iter()
        .map(|d| d.get_str("MessageId").unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_batch_at_a_time_stores_in_publish_order_and_stopped_comes_last() {
    let run = Run::new("e2e_order").await;
    let expected = run_with(&run, "1").await;
    let docs = run
        .documents_in_natural_order(&format!("simulation_{SIMULATION_ID}"))
        .await;
    assert_eq!(ids(&docs), expected, "insertion order is publish order");
    run.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn overlapping_batches_keep_what_readers_see_in_publish_order() {
    let run = Run::new("e2e_order_in_flight").await;
    let expected = run_with(&run, "4").await;
    let (base, stop) = integration_tests::start_logreader(run.db.name()).await;
    let url = format!("{base}/simulations/{SIMULATION_ID}/messages");
    let body = reqwest::get(&url)
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    let listed: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let listed: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| d["MessageId"].as_str().unwrap())
        .collect();
    assert_eq!(listed, expected, "/messages in publish order, stopped last");
    let _ = stop.send(());
    run.cleanup().await;
}

/// The queue bound to `exchange` with `#`, and its `durable auto_delete exclusive consumers`
/// columns as rabbitmqctl prints them.
fn exclusive_queue(exchange: &str) -> Option<(String, String)> {
    let bindings = rabbitmqctl(&[
        "list_bindings",
        "--no-table-headers",
        "source_name",
        "destination_name",
        "routing_key",
    ]);
    let queue = bindings
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f.len() == 3 && f[0] == exchange && f[2] == "#")?
        .get(1)?
        .to_string();
    let queues = rabbitmqctl(&[
        "list_queues",
        "--no-table-headers",
        "name",
        "durable",
        "auto_delete",
        "exclusive",
        "consumers",
    ]);
    let flags = queues
        .lines()
        .find(|l| l.starts_with(&format!("{queue}\t")))?;
    Some((queue.clone(), flags[queue.len() + 1..].to_owned()))
}

#[tokio::test(flavor = "multi_thread")]
async fn exclusive_mode_binds_a_server_named_exclusive_auto_delete_queue_and_completes_a_run() {
    let run = Run::new("e2e_exclusive").await;
    let config = run
        .settings(&[
            "--logwriter-queue-mode",
            "exclusive",
            "--message-buffer-max-interval",
            "0.1",
        ])
        .validate()
        .expect("valid");
    let app = logwriter::LogWriter::build(config).await.expect("builds");
    let token = logwriter::CancellationToken::new();
    let handle = tokio::spawn(app.run_until_stopped(token.clone()));
    let started = Instant::now();
    let (queue, flags) = loop {
        if let Some(found) = exclusive_queue(&run.exchange) {
            break found;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "queue bound");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(queue.starts_with("amq.gen-"), "server-named: {queue}");
    let flags: Vec<&str> = flags.split('\t').collect();
    assert_eq!(
        flags,
        ["false", "true", "true", "1"],
        "non-durable, auto-delete, exclusive, consumed"
    );
    assert!(
        run.queue_state().await.is_none(),
        "no durable queue in exclusive mode"
    );
    let messages: Vec<Message> = (0..5).map(generic).chain([stopped()]).collect();
    run.publish(&messages).await;
    let code = tokio::time::timeout(Duration::from_secs(30), handle).await;
    assert_eq!(code.expect("exits").expect("task"), 0);
    assert_eq!(run.count(&format!("simulation_{SIMULATION_ID}")).await, 6);
    assert!(
        exclusive_queue(&run.exchange).is_none(),
        "removed with the connection"
    );
    run.cleanup().await;
}
