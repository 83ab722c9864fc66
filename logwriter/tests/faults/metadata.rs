//! The metadata document is never given up (docs/spec/logwriter.md §8.2–§8.3): an upsert
//! that the server refuses for a reason that is not transient is retried like a batch
//! insert, in the background, so the run's messages are still stored meanwhile; but the run
//! does not send its final metadata update, delete its queue or exit before the metadata,
//! with `EndTime`, is stored.

use std::time::Duration;

use bson::doc;
use integration_tests::simgen::generate;

use crate::harness::{run_spec, Run, SIMULATION_ID};
use crate::process;

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_metadata_upsert_is_retried_until_stored_before_the_run_ends() {
    let run = Run::new("faults_metadata").await;
    // A unique index of the operator's on Name, and another run already holding the name
    // simgen gives its runs: every upsert of this run's metadata is a duplicate key.
    let simulations = run.db.collection::<bson::Document>("simulations");
    let index = mongodb::IndexModel::builder()
        .keys(doc! {"Name": 1})
        .options(
            mongodb::options::IndexOptions::builder()
                .unique(true)
                .name("name_unique".to_owned())
                .build(),
        )
        .build();
    simulations.create_index(index).await.expect("unique index");
    let blocker = doc! {"SimulationId": "2000-01-01T00:00:00.000Z", "Name": "simgen run"};
    simulations
        .insert_one(blocker.clone())
        .await
        .expect("blocker");

    let spec = run_spec(3, 2, 0);
    let messages = generate(&spec);
    let writer = process::start(&run, &[("MESSAGE_BUFFER_MAX_INTERVAL", "0.2")]).await;
    run.publish(&messages).await;
    assert!(
        writer
            .wait_log("Database metadata update failed", Duration::from_secs(10))
            .await,
        "{}",
        writer.log_text()
    );
    // The refused upsert runs in the background: every message is stored meanwhile, but
    // the run waits for it before its final update, the queue deletion and the exit.
    let valid = format!("simulation_{SIMULATION_ID}");
    let stored = run.db.collection::<bson::Document>(&valid);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while stored.count_documents(doc! {}).await.expect("count") < messages.len() as u64 {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            writer.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        writer
            .wait_log("Stopping the log writer", Duration::from_secs(10))
            .await,
        "{}",
        writer.log_text()
    );
    assert!(
        writer.child.id().is_some() && !writer.log_text().contains("Deleted queue"),
        "still running, queue kept:\n{}",
        writer.log_text()
    );
    run.queue_state().await.expect("the queue is kept");
    let filter = doc! {"SimulationId": SIMULATION_ID};
    assert!(
        simulations
            .find_one(filter.clone())
            .await
            .expect("find")
            .is_none(),
        "not stored while refused"
    );

    simulations
        .delete_one(doc! {"SimulationId": "2000-01-01T00:00:00.000Z"})
        .await
        .expect("blocker removed");
    let log = writer.log.clone();
    assert_eq!(writer.exit_within(Duration::from_secs(60)).await, 0);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let stored = simulations
        .find_one(filter)
        .await
        .expect("find")
        .unwrap_or_else(|| panic!("metadata stored at last:\n{text}"));
    assert!(stored.get_datetime("EndTime").is_ok(), "{stored}");
    assert_eq!(stored.get_str("Name").ok(), Some("simgen run"));
    assert!(
        text.contains("Writing to MongoDB failed"),
        "retried:\n{text}"
    );
    run.cleanup().await;
}
