//! kill -9 of the writer while a run is being published, then a restart (durable mode):
//! every message is stored exactly once (docs/spec/logwriter.md §3; acceptance item 44).

use std::time::Duration;

use integration_tests::simgen::generate;

use crate::harness::{assert_stored_once, run_spec, Run, SIMULATION_ID};
use crate::process;

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_writer_restarted_mid_run_stores_every_message_exactly_once() {
    let run = Run::new("faults_kill").await;
    let spec = run_spec(90, 5, 10);
    let messages = generate(&spec);
    assert!(messages.len() >= 1000);
    let vars = [("MESSAGE_BUFFER_MAX_INTERVAL", "1")];
    let mut writer = process::start(&run, &vars).await;
    let publisher = {
        let connection = integration_tests::broker_connection().await;
        let exchange = run.exchange.clone();
        let messages = messages.clone();
        tokio::spawn(async move {
            let channel = connection.create_channel().await.expect("channel");
            integration_tests::simgen::publish(
                &channel,
                &exchange,
                &messages,
                Some(1500.0),
                |_| {},
            )
            .await
            .expect("published");
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    writer.child.start_kill().expect("SIGKILL");
    writer.child.wait().await.expect("killed");
    let stored_at_kill = run.count(&format!("simulation_{SIMULATION_ID}")).await;
    assert!(
        stored_at_kill > 0 && (stored_at_kill as usize) < messages.len(),
        "killed mid-run ({stored_at_kill})"
    );
    publisher.await.expect("publisher");

    let writer = process::start(&run, &vars).await;
    assert_eq!(writer.exit_within(Duration::from_secs(60)).await, 0);
    assert_stored_once(&run.db, &messages).await;
    run.cleanup().await;
}
