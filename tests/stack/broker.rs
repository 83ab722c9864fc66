//! RabbitMQ: a topic exchange, a queue bound with `#`, publish, consume, manual ack.

use std::time::Duration;

use futures_util::StreamExt;
use integration_tests::{broker_connection, unique_name};
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, ExchangeKind};

#[tokio::test]
async fn topic_exchange_routes_every_key_to_a_hash_bound_queue() {
    let connection = broker_connection().await;
    let channel = connection.create_channel().await.expect("channel");
    let exchange = unique_name("stack_exchange");
    let queue = unique_name("stack_queue");

    channel
        .exchange_declare(
            exchange.as_str().into(),
            ExchangeKind::Topic,
            Default::default(),
            FieldTable::default(),
        )
        .await
        .expect("exchange.declare topic");
    channel
        .queue_declare(
            queue.as_str().into(),
            QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .expect("queue.declare");
    channel
        .queue_bind(
            queue.as_str().into(),
            exchange.as_str().into(),
            "#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("queue.bind #");
    channel
        .basic_qos(10, BasicQosOptions::default())
        .await
        .expect("basic.qos");

    let keys = ["SimState", "energy.production.solar", "a..b", ""];
    for key in keys {
        channel
            .basic_publish(
                exchange.as_str().into(),
                key.into(),
                BasicPublishOptions::default(),
                key.as_bytes(),
                BasicProperties::default(),
            )
            .await
            .expect("publish")
            .await
            .expect("publish confirmation");
    }

    let mut consumer = channel
        .basic_consume(
            queue.as_str().into(),
            "stack".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("basic.consume");
    let mut received = Vec::new();
    while received.len() < keys.len() {
        let next = tokio::time::timeout(Duration::from_secs(10), consumer.next()).await;
        let delivery = next
            .expect("a delivery within 10 s")
            .expect("consumer open")
            .expect("delivery");
        assert_eq!(
            delivery.routing_key.as_str().as_bytes(),
            delivery.data.as_slice(),
            "routing key kept"
        );
        received.push(delivery.routing_key.to_string());
        if received.len() == keys.len() {
            // One ack with multiple=true covers every earlier delivery: the writer's protocol.
            delivery
                .ack(BasicAckOptions { multiple: true })
                .await
                .expect("ack multiple");
        }
    }
    assert_eq!(
        received, keys,
        "every routing key arrives, in publish order"
    );

    channel
        .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
        .await
        .expect("queue.delete");
    channel
        .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
        .await
        .expect("exchange.delete");
}
