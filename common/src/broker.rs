//! The RabbitMQ connection both programs make: logwriter to record a run, `logreader replay`
//! to publish one. The `RABBITMQ_*` connection settings (docs/spec/logwriter.md §1.2), the
//! cluster node list, TLS, opening a connection to one node, and declaring the run's
//! exchange. The rest of the topology (queue, bindings) is the writer's own.

mod nodes;
mod tls;

use std::path::PathBuf;

use async_rs::Runtime;
use lapin::options::ExchangeDeclareOptions;
use lapin::tcp::RustlsConnector;
use lapin::types::FieldTable;
use lapin::uri::{AMQPAuthority, AMQPScheme, AMQPUri, AMQPUserInfo};
use lapin::{AsyncTcpStream, Channel, Connection, ConnectionProperties, ExchangeKind};
use secrecy::{ExposeSecret as _, SecretString};

use crate::config::{parse_bool, parse_port, parse_secret, ConfigError};
pub use nodes::{parse_nodes, Node};
pub use tls::{connector, versions, Tls};

/// How to reach the broker: the `RABBITMQ_*` variables apart from the exchange's.
#[derive(Debug, Clone, clap::Args)]
pub struct BrokerSettings {
    /// Broker host, or a comma-separated list of cluster nodes host[:port],... tried in
    /// order; each host is also its TLS server name.
    #[arg(long, env = "RABBITMQ_HOST", default_value = "localhost")]
    pub rabbitmq_host: String,
    /// Broker port (1-65535) of the hosts given without one; not changed by TLS.
    #[arg(long, env = "RABBITMQ_PORT", default_value = "5672", value_parser = parse_port)]
    pub rabbitmq_port: u16,
    /// Broker user name; empty means guest.
    #[arg(long, env = "RABBITMQ_LOGIN", default_value = "")]
    pub rabbitmq_login: String,
    /// Broker password; empty means guest. Never logged.
    #[arg(
        long,
        env = "RABBITMQ_PASSWORD",
        default_value = "",
        hide_env_values = true,
        value_parser = parse_secret
    )]
    pub rabbitmq_password: SecretString,
    /// Connect to the broker with TLS (rustls).
    #[arg(long, env = "RABBITMQ_SSL", default_value = "false", value_parser = parse_bool,
          num_args = 0..=1, default_missing_value = "true")]
    pub rabbitmq_ssl: bool,
    /// Allowed TLS versions: PROTOCOL_TLS, PROTOCOL_TLS_CLIENT, PROTOCOL_SSLv23 or
    /// PROTOCOL_TLSv1_2.
    #[arg(long, env = "RABBITMQ_SSL_VERSION", default_value = "PROTOCOL_TLS")]
    pub rabbitmq_ssl_version: String,
    /// PEM file of additional trusted CA certificates (extension).
    #[arg(long, env = "RABBITMQ_SSL_CA_FILE")]
    pub rabbitmq_ssl_ca_file: Option<PathBuf>,
}

/// How the run's exchange is declared: logwriter and `logreader replay` declare it alike,
/// as a topic exchange with these flags (RabbitMQ refuses a declaration whose flags differ
/// from the existing exchange's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct ExchangeFlags {
    /// `auto_delete` flag of the exchange declaration.
    #[arg(long, env = "RABBITMQ_EXCHANGE_AUTODELETE", default_value = "false",
          value_parser = parse_bool, num_args = 0..=1, default_missing_value = "true")]
    pub rabbitmq_exchange_autodelete: bool,
    /// `durable` flag of the exchange declaration.
    #[arg(long, env = "RABBITMQ_EXCHANGE_DURABLE", default_value = "false",
          value_parser = parse_bool, num_args = 0..=1, default_missing_value = "true")]
    pub rabbitmq_exchange_durable: bool,
}

impl ExchangeFlags {
    /// Declares `exchange` on `channel` as a topic exchange with these flags.
    pub async fn declare(&self, channel: &Channel, exchange: &str) -> lapin::Result<()> {
        let options = ExchangeDeclareOptions {
            durable: self.rabbitmq_exchange_durable,
            auto_delete: self.rabbitmq_exchange_autodelete,
            ..ExchangeDeclareOptions::default()
        };
        let kind = ExchangeKind::Topic;
        channel
            .exchange_declare(exchange.into(), kind, options, FieldTable::default())
            .await
    }
}

/// The validated connection settings: ready to connect, no I/O left but the connection.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The nodes to connect to, in order (one, or the nodes of a cluster).
    pub nodes: Vec<Node>,
    /// User name (guest when empty).
    pub login: String,
    /// Password (guest when empty). Never logged.
    pub password: SecretString,
    /// TLS, with the extra CA certificates in PEM.
    pub tls: Option<Tls>,
    /// The rustls connector for `tls`, built once at start-up (it loads the system's roots).
    pub tls_connector: Option<RustlsConnector>,
}

impl BrokerSettings {
    /// Validates the node list and the TLS settings (reading the CA file); the error names
    /// the variable.
    pub fn endpoint(&self) -> Result<Endpoint, ConfigError> {
        let nodes = parse_nodes(&self.rabbitmq_host, self.rabbitmq_port)
            .map_err(|reason| ConfigError::new("RABBITMQ_HOST", &self.rabbitmq_host, &reason))?;
        let (tls, tls_connector) = match self.tls()? {
            Some((tls, connector)) => (Some(tls), Some(connector)),
            None => (None, None),
        };
        Ok(Endpoint {
            nodes,
            login: self.rabbitmq_login.clone(),
            password: self.rabbitmq_password.clone(),
            tls,
            tls_connector,
        })
    }

    fn tls(&self) -> Result<Option<(Tls, RustlsConnector)>, ConfigError> {
        if !self.rabbitmq_ssl {
            return Ok(None);
        }
        let version = self.rabbitmq_ssl_version.trim();
        let tls12_only = match version.to_ascii_uppercase().as_str() {
            "PROTOCOL_TLS" | "PROTOCOL_TLS_CLIENT" | "PROTOCOL_SSLV23" => false,
            "PROTOCOL_TLSV1_2" => true,
            _ => {
                let reason = "allowed are PROTOCOL_TLS, PROTOCOL_TLS_CLIENT, PROTOCOL_SSLv23 \
                              and PROTOCOL_TLSv1_2 (TLS 1.2 and 1.3 only)";
                return Err(ConfigError::new("RABBITMQ_SSL_VERSION", version, reason));
            }
        };
        let ca_file = |reason: &str| {
            let file = self.rabbitmq_ssl_ca_file.as_ref();
            let value = file.map(|p| p.display().to_string()).unwrap_or_default();
            ConfigError::new("RABBITMQ_SSL_CA_FILE", &value, reason)
        };
        let ca_pem = match &self.rabbitmq_ssl_ca_file {
            None => None,
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| ca_file(&e.to_string()))?),
        };
        let tls = Tls { ca_pem, tls12_only };
        let connector = connector(&tls).map_err(|e| ca_file(&e.to_string()))?;
        Ok(Some((tls, connector)))
    }
}

fn uri(endpoint: &Endpoint, node: &Node) -> AMQPUri {
    let or_guest = |s: &str| {
        if s.is_empty() {
            "guest".to_owned()
        } else {
            s.to_owned()
        }
    };
    AMQPUri {
        scheme: if endpoint.tls.is_some() {
            AMQPScheme::AMQPS
        } else {
            AMQPScheme::AMQP
        },
        authority: AMQPAuthority {
            userinfo: AMQPUserInfo {
                username: or_guest(&endpoint.login),
                password: or_guest(endpoint.password.expose_secret()),
            },
            host: node.host.clone(),
            port: node.port,
        },
        vhost: "/".to_owned(),
        // No heartbeat given: the interval the server proposes applies.
        query: Default::default(),
    }
}

/// Opens a connection to one node (TLS when configured), without topology; `name` is the
/// connection name the broker's management UI shows. TLS goes through lapin's custom
/// connector, so the allowed protocol versions are ours (`tls.rs`).
pub async fn connect(endpoint: &Endpoint, node: &Node, name: String) -> lapin::Result<Connection> {
    let properties = ConnectionProperties::default().with_connection_name(name.into());
    let runtime = lapin::runtime::default_runtime()?;
    let uri = uri(endpoint, node);
    let Some(connector) = endpoint.tls_connector.clone() else {
        return Connection::connect_uri_with_runtime(uri, properties, runtime).await;
    };
    let open = async move |uri: AMQPUri, runtime: Runtime<_>| {
        let address = runtime.to_socket_addrs((uri.authority.host.clone(), uri.authority.port));
        let plain = AsyncTcpStream::connect(&runtime, address).await?;
        Ok(plain.into_rustls(&connector, &uri.authority.host).await?)
    };
    Connection::connector(uri, runtime, open, properties).await
}
