//! Builds the MongoDB client both programs use, from [`MongoSettings`].
//!
//! The client connects lazily: building it never waits for the server, so logwriter can bind
//! its queue and logreader can serve `/health` while MongoDB is still down.

use std::time::Duration;

use mongodb::options::{ClientOptions, Credential, ServerAddress, Tls, TlsOptions};
use mongodb::{Client, Database};
use secrecy::ExposeSecret as _;

use crate::config::MongoSettings;
use crate::schema::DEFAULT_DATABASE;

/// Default of `MONGODB_TIMEOUT`: the server selection and connect timeout (compatibility.md
/// item 7); a URI may override it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Client options for the settings. `default_app_name` is the program's own default
/// (`log_writer` or `LogReader`), used unless MONGODB_APPNAME or the URI names one.
pub async fn client_options(
    settings: &MongoSettings,
    app_name: Option<&str>,
    default_app_name: &str,
) -> mongodb::error::Result<ClientOptions> {
    let mut options = match &settings.mongodb_uri {
        Some(uri) => {
            let mut options = ClientOptions::parse(uri).await?;
            if options.app_name.is_none() {
                options.app_name = Some(app_name.unwrap_or(default_app_name).to_owned());
            }
            options
        }
        None => host_options(settings, app_name.unwrap_or(default_app_name)),
    };
    let timeout = Duration::from_secs_f64(settings.mongodb_timeout);
    options.server_selection_timeout.get_or_insert(timeout);
    options.connect_timeout.get_or_insert(timeout);
    Ok(options)
}

fn host_options(settings: &MongoSettings, app_name: &str) -> ClientOptions {
    let mut options = ClientOptions::default();
    options.hosts = vec![ServerAddress::Tcp {
        host: settings.mongodb_host.clone(),
        port: Some(settings.mongodb_port),
    }];
    options.app_name = Some(app_name.to_owned());
    if !settings.mongodb_username.is_empty() {
        let source = if settings.mongodb_admin {
            "admin".to_owned()
        } else {
            database_name(settings, None)
        };
        let mut credential = Credential::default();
        credential.username = Some(settings.mongodb_username.clone());
        // The driver keeps its own copy: it needs the text for every authentication.
        credential.password = Some(settings.mongodb_password.expose_secret().to_owned());
        credential.source = Some(source);
        options.credential = Some(credential);
    }
    if settings.mongodb_tls {
        let mut tls = TlsOptions::default();
        tls.allow_invalid_certificates = Some(settings.mongodb_tls_allow_invalid_certificates);
        options.tls = Some(Tls::Enabled(tls));
    }
    options
}

/// The database: MONGODB_DATABASE if set, else the URI's database, else `logs`.
pub fn database_name(settings: &MongoSettings, options: Option<&ClientOptions>) -> String {
    settings
        .mongodb_database
        .clone()
        .or_else(|| options.and_then(|options| options.default_database.clone()))
        .unwrap_or_else(|| DEFAULT_DATABASE.to_owned())
}

/// Builds the client and returns the database the settings select. No I/O happens here.
pub async fn connect(
    settings: &MongoSettings,
    app_name: Option<&str>,
    default_app_name: &str,
) -> mongodb::error::Result<Database> {
    let options = client_options(settings, app_name, default_app_name).await?;
    let name = database_name(settings, Some(&options));
    Ok(Client::with_options(options)?.database(&name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Probe;

    fn settings(args: &[&str]) -> MongoSettings {
        Probe::args(args)
    }

    #[tokio::test]
    async fn host_settings_build_credentials_and_timeouts() {
        let s = settings(&[
            "--mongodb-host",
            "db",
            "--mongodb-username",
            "u",
            "--mongodb-password",
            "p",
        ]);
        let options = client_options(&s, None, "log_writer").await.unwrap();
        assert_eq!(options.hosts[0].to_string(), "db:27017");
        assert_eq!(options.app_name.as_deref(), Some("log_writer"));
        assert_eq!(options.server_selection_timeout, Some(DEFAULT_TIMEOUT));
        let credential = options.credential.unwrap();
        assert_eq!(credential.source.as_deref(), Some("admin"));
        let s = settings(&[
            "--mongodb-username",
            "u",
            "--mongodb-admin=false",
            "--mongodb-database",
            "x",
        ]);
        let options = client_options(&s, None, "log_writer").await.unwrap();
        assert_eq!(options.credential.unwrap().source.as_deref(), Some("x"));
    }

    #[tokio::test]
    async fn the_timeout_setting_applies_unless_the_uri_sets_one() {
        let s = settings(&["--mongodb-timeout", "30"]);
        let options = client_options(&s, None, "LogReader").await.unwrap();
        assert_eq!(
            options.server_selection_timeout,
            Some(Duration::from_secs(30))
        );
        assert_eq!(options.connect_timeout, Some(Duration::from_secs(30)));
        let uri = "mongodb://h:1/?connectTimeoutMS=2000&serverSelectionTimeoutMS=3000";
        let s = settings(&["--mongodb-uri", uri, "--mongodb-timeout", "30"]);
        let options = client_options(&s, None, "LogReader").await.unwrap();
        assert_eq!(options.connect_timeout, Some(Duration::from_secs(2)));
        assert_eq!(
            options.server_selection_timeout,
            Some(Duration::from_secs(3))
        );
        for bad in ["0", "0.05", "3601", "NaN", "x"] {
            let parsed = Probe::try_args(&["--mongodb-timeout", bad]);
            assert!(parsed.is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn uri_database_and_app_name_rules() {
        let s = settings(&["--mongodb-uri", "mongodb://h:1/fromuri?appName=mine"]);
        let options = client_options(&s, Some("other"), "log_writer")
            .await
            .unwrap();
        assert_eq!(options.app_name.as_deref(), Some("mine"));
        assert_eq!(database_name(&s, Some(&options)), "fromuri");
        let s = settings(&[
            "--mongodb-uri",
            "mongodb://h:1/fromuri",
            "--mongodb-database",
            "set",
        ]);
        let options = client_options(&s, None, "LogReader").await.unwrap();
        assert_eq!(options.app_name.as_deref(), Some("LogReader"));
        assert_eq!(database_name(&s, Some(&options)), "set");
        let s = settings(&["--mongodb-uri", "mongodb://h:1/"]);
        let options = client_options(&s, None, "LogReader").await.unwrap();
        assert_eq!(database_name(&s, Some(&options)), "logs");
    }
}
