//! Declaring the run's queue (docs/spec/logwriter.md §2.2): a durable classic or quorum
//! queue, or the original's server-named exclusive queue. A durable queue that exists with
//! other arguments (left by an earlier version) is taken as it is, and one that already has
//! a consumer is refused, because another writer records the run: RabbitMQ enforces an
//! exclusive consumer on a classic queue, but a quorum queue accepts a second one. (Single
//! active consumer would enforce it too, but it forbids `basic.get`, which operators use to
//! look into a queue.)

use lapin::options::{BasicQosOptions, QueueDeclareOptions};
use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection};
use tracing::warn;

use super::OpenError;
use crate::config::{Broker, Queue};
use crate::settings::QueueType;

/// Declares the queue on `channel`; returns the channel to go on with (a new one when the
/// broker closed the first), the queue's name and whether its consumer is exclusive.
pub(super) async fn declare(
    connection: &Connection,
    channel: Channel,
    config: &Broker,
) -> Result<(Channel, String, bool), OpenError> {
    let declared = match &config.queue {
        Queue::Exclusive => {
            let name = declare_exclusive(&channel).await?;
            return Ok((channel, name, false));
        }
        Queue::Durable {
            name,
            expires_ms,
            kind,
        } => match declare_durable(&channel, name, *expires_ms, *kind).await {
            Ok(declared) => (channel, declared),
            Err(error) if is_precondition_failure(&error) => {
                warn!(queue = %name, error = %error,
                      "Queue '{name}' exists with other arguments ({error}), for example a \
                       queue of another type left by an earlier version or setting; consuming \
                       from it as it is. It keeps what is in it. It becomes a {} queue once it \
                       is deleted: at the run's clean stop, or by hand when it is empty \
                       (docs/operations.md).",
                      type_name(*kind));
                // The broker closed the channel: take the queue as it is, on a new one.
                let channel = connection.create_channel().await?;
                channel
                    .basic_qos(config.prefetch, BasicQosOptions { global: false })
                    .await?;
                let declared = declare_passive(&channel, name).await?;
                (channel, declared)
            }
            Err(error) => return Err(error.into()),
        },
    };
    let (channel, queue) = declared;
    // Checked again after basic.consume (`consumers`), for two writers starting at once.
    if queue.consumer_count() > 0 {
        return Err(OpenError::QueueInUse(queue.name().to_string()));
    }
    Ok((channel, queue.name().to_string(), true))
}

/// The `x-queue-type` value.
fn type_name(kind: QueueType) -> &'static str {
    match kind {
        QueueType::Quorum => "quorum",
        QueueType::Classic => "classic",
    }
}

async fn declare_durable(
    channel: &Channel,
    name: &str,
    expires_ms: u64,
    kind: QueueType,
) -> lapin::Result<lapin::Queue> {
    let mut arguments = FieldTable::default();
    if expires_ms > 0 {
        let expires = i64::try_from(expires_ms).unwrap_or(i64::MAX);
        arguments.insert("x-expires".into(), AMQPValue::LongLongInt(expires));
    }
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString(type_name(kind).into()),
    );
    let options = QueueDeclareOptions {
        durable: true,
        exclusive: false,
        auto_delete: false,
        ..QueueDeclareOptions::default()
    };
    channel.queue_declare(name.into(), options, arguments).await
}

/// The queue's consumer count, on a channel of its own.
pub(super) async fn consumers(connection: &Connection, name: &str) -> lapin::Result<u32> {
    Ok(look(connection, name).await?.consumer_count())
}

/// The queue's count of ready messages (not counting those delivered and unacknowledged).
pub(super) async fn ready(connection: &Connection, name: &str) -> lapin::Result<u32> {
    Ok(look(connection, name).await?.message_count())
}

/// A passive declare on a channel of its own: one that fails closes its channel.
async fn look(connection: &Connection, name: &str) -> lapin::Result<lapin::Queue> {
    let channel = connection.create_channel().await?;
    let queue = declare_passive(&channel, name).await?;
    let _ = channel.close(200, "OK".into()).await;
    Ok(queue)
}

async fn declare_passive(channel: &Channel, name: &str) -> lapin::Result<lapin::Queue> {
    let options = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(name.into(), options, FieldTable::default())
        .await
}

async fn declare_exclusive(channel: &Channel) -> lapin::Result<String> {
    let options = QueueDeclareOptions {
        durable: false,
        exclusive: true,
        auto_delete: true,
        ..QueueDeclareOptions::default()
    };
    let declared = channel
        .queue_declare("".into(), options, FieldTable::default())
        .await?;
    Ok(declared.name().to_string())
}

/// `PRECONDITION_FAILED` (406): an entity exists with other flags or arguments.
fn is_precondition_failure(error: &lapin::Error) -> bool {
    matches!(error.kind(), lapin::ErrorKind::ProtocolError(e)
        if *e.kind() == AMQPErrorKind::Soft(AMQPSoftError::PRECONDITIONFAILED))
}
