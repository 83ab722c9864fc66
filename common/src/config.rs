//! Settings shared by both programs (docs/spec/logwriter.md §1, docs/spec/logreader.md §2) and the value parsers
//! both use, so `true`/`false`, integers and empty variables behave the same everywhere.
//!
//! Every setting is an environment variable with the original component's name and also a
//! flag (`MONGODB_HOST` ↔ `--mongodb-host`). Precedence: flag, then variable, then default.

use std::ffi::OsString;

use secrecy::{ExposeSecret as _, SecretString};

use crate::schema::{self, CollectionNames};

/// A setting that parses but cannot be used, or a combination of settings that cannot: the
/// variable, the offending value and why. Start-up stops with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value '{value}' for {variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable name.
    pub variable: &'static str,
    /// The value as given.
    pub value: String,
    /// What is wrong.
    pub reason: String,
}

impl ConfigError {
    /// The error for `variable` set to `value`.
    pub fn new(variable: &'static str, value: &str, reason: &str) -> Self {
        Self {
            variable,
            value: value.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

/// Boolean setting value: `true`/`false`, case-insensitive, surrounding ASCII whitespace ignored.
pub fn parse_bool(value: &str) -> Result<bool, String> {
    match value
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_ascii_lowercase()
        .as_str()
    {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("expected true or false, got '{value}'")),
    }
}

/// Integer setting value: decimal ASCII digits with an optional sign, whitespace ignored.
pub fn parse_integer(value: &str) -> Result<i64, String> {
    let trimmed = value.trim_matches(|c: char| c.is_ascii_whitespace());
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("expected an integer, got '{value}'"));
    }
    trimmed
        .parse::<i64>()
        .map_err(|_| format!("integer out of range: '{value}'"))
}

/// Secret setting value (a password): taken as it is, kept in a [`SecretString`] so it is
/// redacted from `Debug` output and wiped from memory when dropped.
pub fn parse_secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(value))
}

/// Port setting value: an integer 1–65535.
pub fn parse_port(value: &str) -> Result<u16, String> {
    let port = parse_integer(value)?;
    u16::try_from(port)
        .ok()
        .filter(|port| *port != 0)
        .ok_or_else(|| format!("expected a port number 1-65535, got '{value}'"))
}

/// Float setting value: decimal or exponent notation; `NaN` and infinities are errors.
pub fn parse_float(value: &str) -> Result<f64, String> {
    let trimmed = value.trim_matches(|c: char| c.is_ascii_whitespace());
    let plain = trimmed
        .bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    match trimmed.parse::<f64>() {
        Ok(number) if plain && number.is_finite() => Ok(number),
        _ => Err(format!("expected a finite number, got '{value}'")),
    }
}

/// Removes the program's variables that are set to the empty string, so that clap applies
/// their defaults: "a variable set to the empty string counts as unset" (docs/spec/logwriter.md §1.1),
/// which lets an env file carry `VAR=` lines. Call it first thing in `main`, before any
/// thread exists, because it edits the process environment.
pub fn unset_empty_variables(command: &clap::Command) {
    let names: Vec<OsString> = command
        .get_arguments()
        .filter_map(|arg| arg.get_env().map(ToOwned::to_owned))
        .collect();
    for name in names {
        if std::env::var_os(&name).is_some_and(|value| value.is_empty()) {
            std::env::remove_var(&name);
        }
    }
}

/// MongoDB connection and collection settings, read by both programs.
#[derive(Debug, Clone, clap::Args)]
pub struct MongoSettings {
    /// Full MongoDB connection string. When set, the host, port, user name, password, admin,
    /// TLS and invalid-certificate settings are ignored. Never logged.
    #[arg(long, env = "MONGODB_URI", hide_env_values = true)]
    pub mongodb_uri: Option<String>,
    /// MongoDB host.
    #[arg(long, env = "MONGODB_HOST", default_value = "localhost")]
    pub mongodb_host: String,
    /// MongoDB port (1-65535).
    #[arg(long, env = "MONGODB_PORT", default_value = "27017", value_parser = parse_port)]
    pub mongodb_port: u16,
    /// User name; empty means no authentication.
    #[arg(long, env = "MONGODB_USERNAME", default_value = "")]
    pub mongodb_username: String,
    /// Password. Never logged.
    #[arg(
        long,
        env = "MONGODB_PASSWORD",
        default_value = "",
        hide_env_values = true,
        value_parser = parse_secret
    )]
    pub mongodb_password: SecretString,
    /// Database for every collection [default: logs, or the database named in MONGODB_URI].
    #[arg(long, env = "MONGODB_DATABASE")]
    pub mongodb_database: Option<String>,
    /// With a user name: authenticate against `admin` (true) or against MONGODB_DATABASE.
    #[arg(long, env = "MONGODB_ADMIN", default_value = "true", value_parser = parse_bool,
          num_args = 0..=1, default_missing_value = "true")]
    pub mongodb_admin: bool,
    /// Connect to MongoDB with TLS.
    #[arg(long, env = "MONGODB_TLS", default_value = "false", value_parser = parse_bool,
          num_args = 0..=1, default_missing_value = "true")]
    pub mongodb_tls: bool,
    /// Skip verification of the server certificate (only meaningful with TLS).
    #[arg(long, env = "MONGODB_TLS_ALLOW_INVALID_CERTIFICATES", default_value = "false",
          value_parser = parse_bool, num_args = 0..=1, default_missing_value = "true")]
    pub mongodb_tls_allow_invalid_certificates: bool,
    /// Metadata collection.
    #[arg(long, env = "MONGODB_METADATA_COLLECTION", default_value = schema::DEFAULT_METADATA_COLLECTION)]
    pub mongodb_metadata_collection: String,
    /// Prefix of the valid-message collections.
    #[arg(long, env = "MONGODB_MESSAGES_COLLECTION_PREFIX", default_value = schema::DEFAULT_MESSAGES_PREFIX)]
    pub mongodb_messages_collection_prefix: String,
    /// Prefix of the invalid-message collections.
    #[arg(long, env = "MONGODB_INVALID_MESSAGES_COLLECTION_PREFIX",
          default_value = schema::DEFAULT_INVALID_MESSAGES_PREFIX)]
    pub mongodb_invalid_messages_collection_prefix: String,
    /// Key of the metadata document that holds the simulation id.
    #[arg(long, env = "MONGODB_COLLECTION_IDENTIFIER", default_value = schema::DEFAULT_COLLECTION_IDENTIFIER)]
    pub mongodb_collection_identifier: String,
    /// Seconds (0.1-3600) the MongoDB client waits to connect, for a heartbeat answer and to
    /// select a server, unless MONGODB_URI sets connectTimeoutMS or serverSelectionTimeoutMS
    /// (extension).
    #[arg(long, env = "MONGODB_TIMEOUT", default_value = "5", value_parser = parse_seconds)]
    pub mongodb_timeout: f64,
}

/// A time limit in seconds, 0.1 to 3600 (`MONGODB_TIMEOUT`, logreader's connection limits).
pub fn parse_seconds(value: &str) -> Result<f64, String> {
    let seconds = parse_float(value)?;
    if (0.1..=3600.0).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(format!("expected seconds from 0.1 to 3600, got '{value}'"))
    }
}

impl MongoSettings {
    /// The collection names these settings select.
    pub fn collection_names(&self) -> CollectionNames {
        CollectionNames {
            metadata: self.mongodb_metadata_collection.clone(),
            messages_prefix: self.mongodb_messages_collection_prefix.clone(),
            invalid_messages_prefix: self.mongodb_invalid_messages_collection_prefix.clone(),
            identifier: self.mongodb_collection_identifier.clone(),
        }
    }

    /// The names of the host-style settings that were given although MONGODB_URI overrides
    /// them, for the INFO line the spec asks for.
    pub fn overridden_by_uri(&self) -> Vec<&'static str> {
        if self.mongodb_uri.is_none() {
            return Vec::new();
        }
        [
            ("MONGODB_HOST", self.mongodb_host != "localhost"),
            ("MONGODB_PORT", self.mongodb_port != 27017),
            ("MONGODB_USERNAME", !self.mongodb_username.is_empty()),
            (
                "MONGODB_PASSWORD",
                !self.mongodb_password.expose_secret().is_empty(),
            ),
            ("MONGODB_ADMIN", !self.mongodb_admin),
            ("MONGODB_TLS", self.mongodb_tls),
            (
                "MONGODB_TLS_ALLOW_INVALID_CERTIFICATES",
                self.mongodb_tls_allow_invalid_certificates,
            ),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }

    /// A one-line description for the start-up log, with every secret redacted.
    pub fn redacted(&self) -> String {
        let target = match &self.mongodb_uri {
            Some(uri) => redact_uri(uri),
            None => format!(
                "{}:{} user='{}' password={} tls={}",
                self.mongodb_host,
                self.mongodb_port,
                self.mongodb_username,
                if self.mongodb_password.expose_secret().is_empty() {
                    "''"
                } else {
                    "***"
                },
                self.mongodb_tls
            ),
        };
        format!(
            "mongodb={target} database={} metadata_collection={} prefixes={}/{} identifier={}",
            self.mongodb_database.as_deref().unwrap_or("(default)"),
            self.mongodb_metadata_collection,
            self.mongodb_messages_collection_prefix,
            self.mongodb_invalid_messages_collection_prefix,
            self.mongodb_collection_identifier
        )
    }
}

/// Replaces the credentials of a connection string with `***`.
pub fn redact_uri(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return "***".to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => uri.to_owned(),
    }
}

/// A parser for the shared settings alone, for the unit tests of the modules that use them.
#[cfg(test)]
#[derive(Debug, clap::Parser)]
pub(crate) struct Probe {
    #[command(flatten)]
    pub(crate) mongo: MongoSettings,
}

#[cfg(test)]
impl Probe {
    /// Parses `args` (without the program name) ignoring the environment, so a unit test
    /// gives the same answer on a machine where `MONGODB_URI` & co. are set (scripts/test
    /// exports them for the integration tests).
    pub(crate) fn args(args: &[&str]) -> MongoSettings {
        Self::try_args(args).unwrap_or_else(|error| panic!("{error}"))
    }

    /// Like [`Probe::args`], returning the parse error instead of panicking.
    pub(crate) fn try_args(args: &[&str]) -> Result<MongoSettings, clap::Error> {
        use clap::{CommandFactory, FromArgMatches};
        let command = Self::command().mut_args(|arg| arg.env(None));
        let matches =
            command.try_get_matches_from(std::iter::once("probe").chain(args.iter().copied()))?;
        Self::from_arg_matches(&matches).map(|probe| probe.mongo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_are_case_insensitive_and_strict() {
        assert_eq!(parse_bool("TRUE"), Ok(true));
        assert_eq!(parse_bool(" False\t"), Ok(false));
        assert!(parse_bool("yes").is_err());
        assert!(parse_bool("1").is_err());
        assert!(parse_bool("").is_err());
    }

    #[test]
    fn integers_accept_sign_and_whitespace_only() {
        assert_eq!(parse_integer(" +20 "), Ok(20));
        assert_eq!(parse_integer("-3"), Ok(-3));
        assert!(parse_integer("abc").is_err());
        assert!(parse_integer("1.0").is_err());
        assert!(parse_integer("1_000").is_err());
        assert!(parse_integer("99999999999999999999").is_err());
        assert_eq!(parse_port("5672"), Ok(5672));
        assert!(parse_port("0").is_err());
        assert!(parse_port("65536").is_err());
    }

    #[test]
    fn floats_reject_nan_and_infinity() {
        assert_eq!(parse_float("10"), Ok(10.0));
        assert_eq!(parse_float("2.5"), Ok(2.5));
        assert_eq!(parse_float("1e1"), Ok(10.0));
        assert!(parse_float("NaN").is_err());
        assert!(parse_float("inf").is_err());
        assert!(parse_float("1e400").is_err());
        assert!(parse_float("ten").is_err());
    }

    #[test]
    fn flags_take_booleans_with_and_without_a_value() {
        let probe = Probe::args(&["--mongodb-tls"]);
        assert!(probe.mongodb_tls);
        let probe = Probe::args(&["--mongodb-tls=false", "--mongodb-admin=FALSE"]);
        assert!(!probe.mongodb_tls);
        assert!(!probe.mongodb_admin);
        assert!(Probe::try_args(&["--mongodb-tls=yes"]).is_err());
    }

    #[test]
    fn defaults_match_the_original_components() {
        let probe = Probe::args(&[]);
        assert_eq!(probe.collection_names(), CollectionNames::default());
        assert_eq!(probe.mongodb_port, 27017);
        assert!(probe.mongodb_admin);
        assert!(probe.overridden_by_uri().is_empty());
    }

    #[test]
    fn uri_credentials_are_redacted() {
        assert_eq!(redact_uri("mongodb://u:p@h:1/db"), "mongodb://***@h:1/db");
        assert_eq!(redact_uri("mongodb://h:1/db"), "mongodb://h:1/db");
        let probe = Probe::args(&["--mongodb-uri", "mongodb://a:secret@h/"]);
        assert!(!probe.redacted().contains("secret"));
        let probe = Probe::args(&["--mongodb-password", "secret", "--mongodb-host", "h"]);
        assert!(!probe.redacted().contains("secret"));
        assert!(probe.redacted().contains("password=***"));
        assert!(!format!("{probe:?}").contains("secret"), "Debug redacts it");
        assert_eq!(probe.mongodb_password.expose_secret(), "secret");
        assert!(Probe::args(&[]).redacted().contains("password=''"));
    }

    #[test]
    fn uri_overrides_are_named() {
        let probe = Probe::args(&["--mongodb-uri", "mongodb://h/", "--mongodb-host", "x"]);
        assert_eq!(probe.overridden_by_uri(), ["MONGODB_HOST"]);
    }
}
