//! The broker nodes of RABBITMQ_HOST (pure): one host, as the original reads it, or a
//! comma-separated list `host[:port],...` of RabbitMQ cluster nodes. A host given without a
//! port gets RABBITMQ_PORT; an IPv6 literal with a port is written `[::1]:5672`, and one
//! without brackets is taken as a host without a port.

use std::fmt;

/// One broker node to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Host name or address; also the TLS server name.
    pub host: String,
    /// AMQP port.
    pub port: u16,
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Parses RABBITMQ_HOST; the error says what is wrong with which entry.
pub fn parse_nodes(hosts: &str, default_port: u16) -> Result<Vec<Node>, String> {
    hosts
        .split(',')
        .map(|entry| parse_node(entry.trim(), default_port))
        .collect()
}

fn parse_node(entry: &str, default_port: u16) -> Result<Node, String> {
    if entry.is_empty() {
        return Err("an entry of the host list is empty".to_owned());
    }
    let (host, port) = split_port(entry)?;
    if host.is_empty() {
        return Err(format!("'{entry}' has no host"));
    }
    let port = match port {
        None => default_port,
        Some(text) => text
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("'{entry}' has an invalid port (expected 1-65535)"))?,
    };
    Ok(Node {
        host: host.to_owned(),
        port,
    })
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal (no port).
fn split_port(entry: &str) -> Result<(&str, Option<&str>), String> {
    if let Some(rest) = entry.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("'{entry}' lacks the closing ']'"))?;
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(format!("'{entry}' has text after ']' that is not ':port'")),
            },
        };
    }
    match entry.matches(':').count() {
        0 => Ok((entry, None)),
        1 => {
            let (host, port) = entry.split_once(':').unwrap_or((entry, ""));
            Ok((host, Some(port)))
        }
        _ => Ok((entry, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(host: &str, port: u16) -> Node {
        Node {
            host: host.to_owned(),
            port,
        }
    }

    #[test]
    fn a_single_host_keeps_the_port_setting() {
        assert_eq!(
            parse_nodes("localhost", 5672),
            Ok(vec![node("localhost", 5672)])
        );
        assert_eq!(parse_nodes("rabbit", 5999), Ok(vec![node("rabbit", 5999)]));
    }

    #[test]
    fn a_list_gives_nodes_in_order_with_their_own_or_the_default_port() {
        let nodes = parse_nodes("127.0.0.1:5681, b ,[::1]:5683,fe80::1", 5672).unwrap();
        assert_eq!(
            nodes,
            [
                node("127.0.0.1", 5681),
                node("b", 5672),
                node("::1", 5683),
                node("fe80::1", 5672)
            ]
        );
        let shown: Vec<String> = nodes.iter().map(Node::to_string).collect();
        assert_eq!(
            shown,
            ["127.0.0.1:5681", "b:5672", "[::1]:5683", "[fe80::1]:5672"]
        );
    }

    #[test]
    fn bad_entries_are_refused_with_a_reason() {
        for bad in [
            "", "a,,b", "a,", ":5672", "a:0", "a:65536", "a:x", "[::1", "[::1]x", "a:",
        ] {
            assert!(parse_nodes(bad, 5672).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_nodes("a,b:99999", 5672),
            Err("'b:99999' has an invalid port (expected 1-65535)".to_owned())
        );
    }
}
