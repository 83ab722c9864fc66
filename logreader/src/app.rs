//! Wiring: the only place that knows every dependency. [`Application::build`] binds the
//! listener and creates the (lazy) database client; [`Application::run_until_stopped`]
//! serves (and warms the boards of finished runs) until the shutdown future resolves, then
//! drains for at most 10 s.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::board_cache::BoardCache;
use crate::board_warmup::Warmup;
use crate::http_metrics::HttpMetrics;
use crate::routes::{self, RouterOptions};
use crate::serve::{self, Limits};
use crate::settings::{Settings, DEFAULT_APP_NAME};
use crate::state::AppState;
use crate::store::Store;

/// How long in-flight requests may run after a stop signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// A bound, ready-to-run logreader.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    address: SocketAddr,
    limits: Limits,
    warmup: Option<Warmup>,
}

impl Application {
    /// Binds the listen address and builds the router. Never waits for MongoDB.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let db = common::mongo::connect(
            &settings.mongo,
            settings.mongodb_appname.as_deref(),
            DEFAULT_APP_NAME,
        )
        .await
        .context("configuring the MongoDB client")?;
        let listener = bind(settings).await?;
        let address = listener.local_addr().context("reading the bound address")?;
        tracing::info!("Starting LogReader. Listening on {address}.");
        tracing::info!(settings = %settings.redacted(), "Effective settings.");
        let state = AppState {
            store: Store::new(
                db,
                settings.mongo.collection_names(),
                Duration::from_secs_f64(settings.logreader_query_timeout),
            ),
            metrics: Arc::new(HttpMetrics::default()),
            boards: BoardCache::new(settings.logreader_board_cache << 20),
        };
        let options = RouterOptions {
            access_logging: settings.logreader_access_logging,
            cors: settings.cors_origins(),
            request_timeout: Duration::from_secs_f64(settings.logreader_request_timeout),
        };
        let limits = Limits {
            idle: Duration::from_secs_f64(settings.logreader_idle_timeout),
            head: Duration::from_secs_f64(settings.logreader_request_head_timeout),
        };
        Ok(Self {
            listener,
            router: routes::router(state.clone(), &options),
            address,
            limits,
            warmup: Warmup::new(state, settings.logreader_board_warmup),
        })
    }

    /// The actual bound address (useful with port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves until `shutdown` resolves, then stops accepting connections and lets
    /// in-flight requests finish for up to [`SHUTDOWN_GRACE`].
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let token = CancellationToken::new();
        let serve = serve::serve(self.listener, self.router, self.limits, token.clone());
        let mut server = tokio::spawn(serve);
        if let Some(warmup) = self.warmup {
            tokio::spawn(warmup.run(token.clone()));
        }
        tokio::select! {
            result = &mut server => return result.context("server task"),
            () = shutdown => {}
        }
        tracing::info!("Shutdown requested.");
        token.cancel();
        match tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await {
            Ok(result) => result.context("server task")?,
            Err(_) => {
                tracing::warn!("In-flight requests did not finish in time; stopping anyway.");
                server.abort();
            }
        }
        tracing::info!("Shutdown complete.");
        Ok(())
    }
}

/// Binds `LOGREADER_HOST:LOGREADER_PORT`; `*` tries `[::]` (dual-stack on Linux, where
/// `bindv6only` is off by default) and falls back to `0.0.0.0` without IPv6.
async fn bind(settings: &Settings) -> anyhow::Result<TcpListener> {
    let port = settings.logreader_port;
    let mut last_error = None;
    for host in settings.listen_hosts() {
        match TcpListener::bind((host.as_str(), port)).await {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = Some((host, error)),
        }
    }
    let (host, error) = last_error.context("no listen address")?;
    Err(error).with_context(|| format!("binding {host}:{port}"))
}
