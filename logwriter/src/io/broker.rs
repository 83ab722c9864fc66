//! The RabbitMQ side (docs/spec/logwriter.md §2, §11.1): connect, declare the topology in the fixed
//! order (qos, exchange, queue, bind, consume), and reconnect forever with backoff.

use lapin::options::{
    BasicCancelOptions, BasicConsumeOptions, BasicQosOptions, QueueBindOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, Consumer};
use tracing::{error, info, warn};

use crate::config::{Broker, Node};
use crate::core::backoff::Backoff;
use common::metrics::Counter;

mod queue;
pub mod raw;

/// The consumer tag logwriter uses on its channel.
const CONSUMER_TAG: &str = "logwriter";

/// Why a session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The broker or the network refused a step.
    #[error("{0}")]
    Amqp(#[from] lapin::Error),
    /// The durable queue already has a consumer: another writer records this run.
    #[error("queue '{0}' already has a consumer (another logwriter for this run?)")]
    QueueInUse(String),
}

/// One live connection: its single channel and the consumer on the run's queue.
#[derive(Debug)]
pub struct Session {
    /// The connection (closed with reply code 200 at the end).
    pub connection: Connection,
    /// The one channel.
    pub channel: Channel,
    /// The consumer stream of deliveries.
    pub consumer: Consumer,
    /// The queue name (server-chosen in exclusive mode).
    pub queue: String,
    /// The node it is connected to.
    pub node: Node,
}

/// Opens a connection to one node (TLS when configured), without topology.
pub async fn connect(config: &Broker, node: &Node) -> lapin::Result<Connection> {
    let name = format!("logwriter {}", config.exchange);
    common::broker::connect(&config.endpoint, node, name).await
}

/// Connects to `node` and declares the topology in the order of §2.2.
pub async fn open(config: &Broker, node: &Node) -> Result<Session, OpenError> {
    let connection = connect(config, node).await?;
    info!("Connected to RabbitMQ at {node}.");
    let channel = connection.create_channel().await?;
    channel
        .basic_qos(config.prefetch, BasicQosOptions { global: false })
        .await?;
    config
        .exchange_flags
        .declare(&channel, &config.exchange)
        .await?;
    let declared = queue::declare(&connection, channel, config).await;
    let (channel, queue, exclusive_consumer) = match declared {
        Ok(declared) => declared,
        Err(error) => {
            // Refused (a queue in use): leave no half-open connection behind.
            let _ = connection.close(200, "OK".into()).await;
            return Err(error);
        }
    };
    channel
        .queue_bind(
            queue.as_str().into(),
            config.exchange.as_str().into(),
            "#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let consume_options = BasicConsumeOptions {
        no_ack: false,
        exclusive: exclusive_consumer,
        ..BasicConsumeOptions::default()
    };
    let consumer = channel
        .basic_consume(
            queue.as_str().into(),
            CONSUMER_TAG.into(),
            consume_options,
            FieldTable::default(),
        )
        .await?;
    if exclusive_consumer && queue::consumers(&connection, &queue).await? > 1 {
        // Two writers started at the same instant: both give way and retry (with jitter).
        let _ = connection.close(200, "OK".into()).await;
        return Err(OpenError::QueueInUse(queue));
    }
    let mode = if exclusive_consumer {
        "durable"
    } else {
        "exclusive"
    };
    info!(
        "Listening to exchange '{}' on queue '{queue}' ({mode}, prefetch {}).",
        config.exchange, config.prefetch
    );
    Ok(Session {
        connection,
        channel,
        consumer,
        queue,
        node: node.clone(),
    })
}

/// Opens a session on the first node that answers, trying the nodes in order from `first`
/// and sleeping the backoff delay after each round in which none answered (§11.1). Returns
/// the session and its node's index; it never gives up, and the event loop drops it when a
/// signal comes.
pub async fn open_with_retry(
    config: &Broker,
    first: usize,
    unparsable: &Counter,
) -> (Session, usize) {
    let mut backoff = Backoff::new();
    let count = config.endpoint.nodes.len();
    loop {
        let mut delay = None;
        for step in 0..count {
            let index = (first + step) % count;
            let node = &config.endpoint.nodes[index];
            let error = match open(config, node).await {
                Ok(session) => return (session, index),
                Err(error) => error,
            };
            // A cluster's next node is tried at once; the backoff applies per round.
            let next = if step + 1 < count {
                format!("trying {}.", config.endpoint.nodes[(index + 1) % count])
            } else {
                let wait = backoff.next_delay();
                delay = Some(wait);
                format!("retrying in {:.1}s.", wait.as_secs_f64())
            };
            let shown = if count == 1 {
                error.to_string()
            } else {
                format!("{node}: {error}")
            };
            let text = format!("Connecting to RabbitMQ failed: {shown}; {next}");
            if matches!(&error, OpenError::Amqp(e) if is_parse_error(e)) {
                unparsable.inc();
            }
            if needs_operator(&error) {
                error!(error = %error, node = %node, "{text}");
            } else {
                warn!(error = %error, node = %node, "{text}");
            }
        }
        tokio::time::sleep(delay.unwrap_or_default()).await;
    }
}

/// Authentication failures, access refusals and precondition failures need an operator;
/// network errors do not. A server certificate that does not verify needs one too (a CA
/// file to configure): retrying alone never fixes it. rustls reports it only as the text
/// of an I/O error ("invalid peer certificate: …"), hence the text test.
fn needs_operator(error: &OpenError) -> bool {
    let OpenError::Amqp(error) = error else {
        return true;
    };
    let untrusted_certificate = matches!(error.kind(), lapin::ErrorKind::IOError(io)
        if io.to_string().contains("invalid peer certificate"));
    error.is_amqp_error()
        || is_parse_error(error)
        || untrusted_certificate
        || matches!(error.kind(), lapin::ErrorKind::AuthProviderError(_))
}

/// A frame from the broker that the AMQP parser could not read: the connection is closed and
/// the delivery in it stays queued, so an operator has to look (docs/operations.md).
pub fn is_parse_error(error: &lapin::Error) -> bool {
    matches!(error.kind(), lapin::ErrorKind::ParsingError(_))
}

impl Session {
    /// Sends `basic.cancel`; deliveries received before cancel-ok still come out of the
    /// consumer stream, which then ends.
    pub async fn cancel(&self) -> lapin::Result<()> {
        self.channel
            .basic_cancel(CONSUMER_TAG.into(), BasicCancelOptions::default())
            .await
    }

    /// How many messages wait in the queue, not yet delivered.
    pub async fn ready_messages(&self) -> lapin::Result<u32> {
        queue::ready(&self.connection, &self.queue).await
    }

    /// `basic.ack(multiple = true)` up to `tag`.
    pub async fn ack(&self, tag: u64) -> lapin::Result<()> {
        let options = lapin::options::BasicAckOptions { multiple: true };
        self.channel.basic_ack(tag, options).await
    }

    /// Deletes the queue; returns the number of messages it still held.
    pub async fn delete_queue(&self) -> lapin::Result<u32> {
        self.channel
            .queue_delete(self.queue.as_str().into(), QueueDeleteOptions::default())
            .await
    }

    /// Closes the channel and the connection with reply code 200.
    pub async fn close(&self) {
        let _ = self.channel.close(200, "OK".into()).await;
        let _ = self.connection.close(200, "OK".into()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_failures_need_an_operator_and_network_errors_do_not() {
        let untrusted = std::io::Error::other("invalid peer certificate: UnknownIssuer");
        assert!(needs_operator(&lapin::Error::from(untrusted).into()));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(!needs_operator(&lapin::Error::from(refused).into()));
        assert!(needs_operator(&OpenError::QueueInUse("q".to_owned())));
    }
}
