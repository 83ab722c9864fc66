//! When the indexes appear (docs/spec/logwriter.md §9; acceptance items 66–67): the metadata indexes
//! right after start-up with no message at all, and the per-simulation ones after the first
//! flush, long before `stopped`.

use std::time::{Duration, Instant};

use crate::harness::{message, Run, SIMULATION_ID};

async fn wait_indexes(run: &Run, collection: &str, expected: &[&str]) {
    let started = Instant::now();
    loop {
        let names = run.index_names(collection).await;
        if names == expected {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{collection}: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn metadata_indexes_exist_after_start_up_and_simulation_indexes_after_the_first_flush() {
    let run = Run::new("e2e_indexes").await;
    let writer = run.start(&["--message-buffer-max-interval", "60"]).await;
    let metadata = [
        "_id_",
        "end_time_index",
        "simulation_id_index",
        "start_time_index",
    ];
    wait_indexes(&run, "simulations", &metadata).await;
    assert!(
        run.documents("simulations").await.is_empty(),
        "before any message"
    );

    let running = format!(
        r#"{{"Type":"SimState","SimulationId":"{SIMULATION_ID}","SourceProcessId":"sm","MessageId":"sm-1","SimulationState":"running"}}"#
    );
    run.publish(&[message("SimState", &running)]).await;
    let valid = format!("simulation_{SIMULATION_ID}");
    assert_eq!(run.wait_count(&valid, 1, Duration::from_secs(10)).await, 1);
    let expected = [
        "_id_",
        "epoch_index",
        "epoch_order_index",
        "order_index",
        "process_index",
        "topic_index",
    ];
    assert_eq!(run.index_names(&valid).await, expected);
    let invalid = format!("invalid_simulation_{SIMULATION_ID}");
    assert_eq!(
        run.index_names(&invalid).await,
        ["_id_", "order_index", "topic_index"]
    );
    assert_eq!(run.count(&invalid).await, 0, "exists, empty");
    let unique = run
        .db
        .collection::<bson::Document>("simulations")
        .list_indexes()
        .await
        .expect("indexes");
    let models: Vec<mongodb::IndexModel> = futures_util::TryStreamExt::try_collect(unique)
        .await
        .expect("models");
    let id_index = models
        .iter()
        .find(|m| m.options.as_ref().and_then(|o| o.name.as_deref()) == Some("simulation_id_index"))
        .expect("simulation_id_index");
    assert_eq!(id_index.options.as_ref().and_then(|o| o.unique), Some(true));
    assert_eq!(writer.terminate().await, 0);
    run.cleanup().await;
}
