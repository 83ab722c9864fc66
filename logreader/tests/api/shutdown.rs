//! Graceful stop (docs/spec/logreader.md §14): no new connections, in-flight requests finish.

use std::time::Duration;

use bson::doc;

use crate::harness::{spawn_app, SIM};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_flight_requests_finish_after_the_stop_signal() {
    let mut app = spawn_app().await;
    let documents = (0..20_000)
        .map(|i| doc! {"MessageId": format!("m-{i}"), "Timestamp": bson::DateTime::from_millis(i)})
        .collect();
    app.insert(&format!("simulation_{SIM}"), documents).await;
    let url = format!("http://{}/simulations/{SIM}/messages", app.address);
    let mut response = reqwest::get(&url).await.expect("request");
    let first = response
        .chunk()
        .await
        .expect("first chunk")
        .expect("some body");
    app.stop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut body = first.to_vec();
    while let Some(chunk) = response.chunk().await.expect("rest of the body") {
        body.extend_from_slice(&chunk);
    }
    let messages: serde_json::Value = serde_json::from_slice(&body).expect("complete JSON");
    assert_eq!(messages.as_array().map(Vec::len), Some(20_000));
    let refused = tokio::net::TcpStream::connect(app.address).await;
    assert!(refused.is_err(), "no new connections after the stop signal");
    app.cleanup().await;
}
