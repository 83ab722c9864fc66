//! The RabbitMQ side (docs/spec/logwriter.md §2, §11.1): connect, declare the topology in the fixed
//! order (qos, exchange, queue, bind, consume), and reconnect forever with backoff.

use lapin::options::{
    BasicCancelOptions, BasicConsumeOptions, BasicQosOptions, ExchangeDeclareOptions,
    QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::uri::{AMQPAuthority, AMQPScheme, AMQPUri, AMQPUserInfo};
use lapin::{Channel, Connection, ConnectionProperties, Consumer, ExchangeKind};
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::backoff::Backoff;
use crate::config::{Broker, Queue};

/// The consumer tag logwriter uses on its channel.
const CONSUMER_TAG: &str = "logwriter";

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
}

fn uri(config: &Broker) -> AMQPUri {
    let or_guest = |s: &str| {
        if s.is_empty() {
            "guest".to_owned()
        } else {
            s.to_owned()
        }
    };
    AMQPUri {
        scheme: if config.tls.is_some() {
            AMQPScheme::AMQPS
        } else {
            AMQPScheme::AMQP
        },
        authority: AMQPAuthority {
            userinfo: AMQPUserInfo {
                username: or_guest(&config.login),
                password: or_guest(&config.password),
            },
            host: config.host.clone(),
            port: config.port,
        },
        vhost: "/".to_owned(),
        // No heartbeat given: the interval the server proposes applies.
        query: Default::default(),
    }
}

/// Opens a connection to the broker (TLS when configured), without topology.
pub async fn connect(config: &Broker) -> lapin::Result<Connection> {
    let properties = ConnectionProperties::default()
        .with_connection_name(format!("logwriter {}", config.exchange).into());
    let tls = lapin::tcp::OwnedTLSConfig {
        identity: None,
        cert_chain: config.tls.as_ref().and_then(|tls| tls.ca_pem.clone()),
    };
    let runtime = lapin::runtime::default_runtime()?;
    Connection::connect_uri_with_config(uri(config), properties, tls, runtime).await
}

/// Connects and declares the topology in the order of §2.2.
pub async fn open(config: &Broker) -> lapin::Result<Session> {
    let connection = connect(config).await?;
    info!("Connected to RabbitMQ at {}:{}.", config.host, config.port);
    let channel = connection.create_channel().await?;
    channel
        .basic_qos(config.prefetch, BasicQosOptions { global: false })
        .await?;
    let exchange_options = ExchangeDeclareOptions {
        durable: config.exchange_durable,
        auto_delete: config.exchange_auto_delete,
        ..ExchangeDeclareOptions::default()
    };
    channel
        .exchange_declare(
            config.exchange.as_str().into(),
            ExchangeKind::Topic,
            exchange_options,
            FieldTable::default(),
        )
        .await?;
    let (queue, exclusive_consumer) = declare_queue(&channel, &config.queue).await?;
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
    })
}

async fn declare_queue(channel: &Channel, queue: &Queue) -> lapin::Result<(String, bool)> {
    match queue {
        Queue::Durable { name, expires_ms } => {
            let mut arguments = FieldTable::default();
            if *expires_ms > 0 {
                let expires = i64::try_from(*expires_ms).unwrap_or(i64::MAX);
                arguments.insert("x-expires".into(), AMQPValue::LongLongInt(expires));
            }
            let options = QueueDeclareOptions {
                durable: true,
                exclusive: false,
                auto_delete: false,
                ..QueueDeclareOptions::default()
            };
            channel
                .queue_declare(name.as_str().into(), options, arguments)
                .await?;
            Ok((name.clone(), true))
        }
        Queue::Exclusive => {
            let options = QueueDeclareOptions {
                durable: false,
                exclusive: true,
                auto_delete: true,
                ..QueueDeclareOptions::default()
            };
            let declared = channel
                .queue_declare("".into(), options, FieldTable::default())
                .await?;
            Ok((declared.name().to_string(), false))
        }
    }
}

/// Opens a session, retrying forever with backoff (§11.1). Returns `None` when `token` is
/// cancelled while waiting; only the backoff *sleep* races the token.
pub async fn open_with_retry(config: &Broker, token: &CancellationToken) -> Option<Session> {
    let mut backoff = Backoff::new();
    loop {
        let error = tokio::select! {
            biased;
            () = token.cancelled() => return None,
            result = open(config) => match result {
                Ok(session) => return Some(session),
                Err(error) => error,
            },
        };
        let delay = backoff.next_delay();
        let seconds = format!("{:.1}", delay.as_secs_f64());
        if needs_operator(&error) {
            error!(error = %error, "Connecting to RabbitMQ failed: {error}; retrying in {seconds}s.");
        } else {
            warn!(error = %error, "Connecting to RabbitMQ failed: {error}; retrying in {seconds}s.");
        }
        tokio::select! {
            () = token.cancelled() => return None,
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// Authentication failures, access refusals and precondition failures need an operator;
/// network errors do not. A server certificate that does not verify needs one too (a CA
/// file to configure): retrying alone never fixes it. rustls reports it only as the text
/// of an I/O error ("invalid peer certificate: …"), hence the text test.
fn needs_operator(error: &lapin::Error) -> bool {
    let untrusted_certificate = matches!(error.kind(), lapin::ErrorKind::IOError(io)
        if io.to_string().contains("invalid peer certificate"));
    error.is_amqp_error()
        || untrusted_certificate
        || matches!(error.kind(), lapin::ErrorKind::AuthProviderError(_))
}

impl Session {
    /// Sends `basic.cancel`; deliveries received before cancel-ok still come out of the
    /// consumer stream, which then ends.
    pub async fn cancel(&self) -> lapin::Result<()> {
        self.channel
            .basic_cancel(CONSUMER_TAG.into(), BasicCancelOptions::default())
            .await
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
        assert!(needs_operator(&lapin::Error::from(untrusted)));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(!needs_operator(&lapin::Error::from(refused)));
    }
}
