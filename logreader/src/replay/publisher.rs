//! Publishing with confirms: one connection to the first node of RABBITMQ_HOST that
//! answers, the exchange declared as the writer declares it, every message `mandatory` so
//! that one no queue takes comes back and is counted, and a window of confirms in flight.

use std::collections::VecDeque;

use anyhow::Context as _;
use common::broker::{Endpoint, Node};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Confirmation, Connection, PublisherConfirm};

use super::body::Replayed;
use super::{ReplaySettings, Summary};

/// Confirms awaited at most at once: enough to keep the broker busy, few enough that a
/// refusal is noticed soon.
const WINDOW: usize = 512;

/// An open channel in confirm mode on the replay's exchange.
#[derive(Debug)]
pub struct Publisher {
    connection: Connection,
    channel: Channel,
    node: Node,
    exchange: String,
    pending: VecDeque<PublisherConfirm>,
}

impl Publisher {
    /// Connects (trying the nodes in order), declares the exchange and turns confirms on.
    pub async fn open(endpoint: &Endpoint, settings: &ReplaySettings) -> anyhow::Result<Self> {
        let exchange = settings.rabbitmq_exchange.clone();
        let (connection, node) = connect_any(endpoint, &exchange).await?;
        let channel = connection.create_channel().await?;
        settings
            .exchange
            .declare(&channel, &exchange)
            .await
            .with_context(|| format!("declaring the topic exchange '{exchange}'"))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        Ok(Self {
            connection,
            channel,
            node,
            exchange,
            pending: VecDeque::new(),
        })
    }

    /// The node connected to.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Publishes one message; waits for the oldest confirm when the window is full.
    pub async fn publish(
        &mut self,
        message: &Replayed,
        summary: &mut Summary,
    ) -> anyhow::Result<()> {
        if self.pending.len() >= WINDOW {
            self.settle_oldest(summary).await?;
        }
        let properties = BasicProperties::default().with_content_type("application/json".into());
        let options = BasicPublishOptions {
            mandatory: true,
            ..BasicPublishOptions::default()
        };
        let confirm = self
            .channel
            .basic_publish(
                self.exchange.as_str().into(),
                message.topic.as_str().into(),
                options,
                message.body.as_bytes(),
                properties,
            )
            .await
            .context("publishing")?;
        summary.published += 1;
        self.pending.push_back(confirm);
        Ok(())
    }

    /// Waits for every confirm, then closes the connection.
    pub async fn finish(mut self, summary: &mut Summary) -> anyhow::Result<()> {
        while !self.pending.is_empty() {
            self.settle_oldest(summary).await?;
        }
        let _ = self.connection.close(200, "OK".into()).await;
        Ok(())
    }

    async fn settle_oldest(&mut self, summary: &mut Summary) -> anyhow::Result<()> {
        let Some(confirm) = self.pending.pop_front() else {
            return Ok(());
        };
        match confirm.await.context("waiting for a publisher confirm")? {
            Confirmation::Ack(None) => summary.routed += 1,
            Confirmation::Ack(Some(_)) => summary.unroutable += 1,
            Confirmation::Nack(_) | Confirmation::NotRequested => summary.refused += 1,
        }
        Ok(())
    }
}

/// The first node that accepts a connection; the error lists why each failed.
async fn connect_any(endpoint: &Endpoint, exchange: &str) -> anyhow::Result<(Connection, Node)> {
    let mut failures = Vec::new();
    for node in &endpoint.nodes {
        let name = format!("logreader replay {exchange}");
        match common::broker::connect(endpoint, node, name).await {
            Ok(connection) => return Ok((connection, node.clone())),
            Err(error) => failures.push(format!("{node}: {error}")),
        }
    }
    anyhow::bail!("cannot connect to the broker ({})", failures.join("; "))
}
