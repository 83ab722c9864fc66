//! TLS to the broker: one rustls client configuration (ring, the provider the MongoDB driver
//! uses too), built once. lapin's own TLS settings cannot restrict protocol versions, so
//! RABBITMQ_SSL_VERSION=PROTOCOL_TLSv1_2 is enforced here and the connection is made
//! through lapin's custom connector (`broker::connect`).

use std::io;
use std::sync::Arc;

use lapin::tcp::RustlsConnector;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::ClientConfig;

/// TLS to the broker, as configured.
#[derive(Debug, Clone)]
pub struct Tls {
    /// Extra trusted CA certificates (PEM), from RABBITMQ_SSL_CA_FILE.
    pub ca_pem: Option<String>,
    /// Only TLS 1.2 (PROTOCOL_TLSv1_2).
    pub tls12_only: bool,
}

/// PROTOCOL_TLSv1_2: TLS 1.2 only.
static TLS12_ONLY: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];

/// The protocol versions a configuration allows.
pub fn versions(tls: &Tls) -> &'static [&'static rustls::SupportedProtocolVersion] {
    if tls.tls12_only {
        TLS12_ONLY
    } else {
        rustls::DEFAULT_VERSIONS
    }
}

/// The connector for `tls`: the system's trusted roots (through the platform verifier) plus
/// the CA certificates of RABBITMQ_SSL_CA_FILE, and only the allowed protocol versions.
pub fn connector(tls: &Tls) -> io::Result<RustlsConnector> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let extra_roots = match &tls.ca_pem {
        Some(pem) => CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
        None => Vec::new(),
    };
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider.clone())
            .map_err(io::Error::other)?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions(tls))
        .map_err(io::Error::other)?
        .dangerous()
        // Not a bypass: the platform verifier checks the chain against the trusted roots.
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(RustlsConnector::from(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_tlsv1_2_allows_tls_1_2_only() {
        let only = Tls {
            ca_pem: None,
            tls12_only: true,
        };
        let names: Vec<_> = versions(&only).iter().map(|v| v.version).collect();
        assert_eq!(names, [rustls::ProtocolVersion::TLSv1_2]);
        let any = Tls {
            tls12_only: false,
            ..only
        };
        let names: Vec<_> = versions(&any).iter().map(|v| v.version).collect();
        assert!(names.contains(&rustls::ProtocolVersion::TLSv1_3));
        assert!(names.contains(&rustls::ProtocolVersion::TLSv1_2));
    }

    #[test]
    fn a_ca_file_that_is_not_pem_fails_building_the_connector() {
        let bad = Tls {
            ca_pem: Some("-----BEGIN CERTIFICATE-----\nnot base64\n".to_owned()),
            tls12_only: false,
        };
        assert!(connector(&bad).is_err());
    }
}
