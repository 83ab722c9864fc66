//! The optional HTTP endpoints (LOGWRITER_HTTP_PORT): `/health`, `/ready` and `/metrics`.
//!
//! Handlers only read atomics ([`Metrics`]), so a scrape never delays the consumer. The
//! server is a separate task that ends with [`crate::LogWriter::run_until_stopped`] (and so
//! with the process); it has no shutdown grace because every answer is immediate.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::metrics::{Lifecycle, Metrics};

/// Binds `host:port`. A failure is a start-up error: a writer asked to be observable that
/// silently is not would look dead to its orchestrator's health check.
pub async fn bind(host: &str, port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind((host, port))
        .await
        .with_context(|| format!("binding the HTTP endpoints to {host}:{port}"))
}

/// The three routes over the shared metrics.
pub fn router(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(render))
        .with_state(metrics)
}

/// Serves on `listener` until the returned task is aborted.
pub fn spawn(listener: TcpListener, metrics: Arc<Metrics>) -> JoinHandle<()> {
    let address = listener.local_addr().ok();
    let service = router(metrics).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        if let Some(address) = address {
            tracing::info!("Serving /health, /ready and /metrics on {address}.");
        }
        if let Err(error) = axum::serve(listener, service).await {
            tracing::warn!(error = %error, "The HTTP endpoints stopped: {error}.");
        }
    })
}

/// `{"status":"<state>"}`; the state names are fixed ASCII words, so no escaping is needed.
fn status(code: StatusCode, state: Lifecycle) -> impl IntoResponse {
    let body = format!(r#"{{"status":"{}"}}"#, state.as_str());
    (code, [(header::CONTENT_TYPE, "application/json")], body)
}

/// 200 whenever the process answers: liveness, whatever the state.
async fn health(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    status(StatusCode::OK, metrics.state())
}

/// 200 only while consuming, so a load balancer or orchestrator sees a writer that is
/// connecting, draining or done as not ready.
async fn ready(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    let state = metrics.state();
    let code = if state == Lifecycle::Consuming {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    status(code, state)
}

async fn render(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    let content_type = [(header::CONTENT_TYPE, common::metrics::CONTENT_TYPE)];
    (content_type, metrics.render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    async fn get_path(metrics: &Arc<Metrics>, path: &str) -> (StatusCode, String) {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = router(Arc::clone(metrics)).oneshot(request).await.unwrap();
        let code = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (code, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn ready_is_200_only_while_consuming_and_health_always_200() {
        let metrics = Arc::new(Metrics::new());
        let connecting = r#"{"status":"connecting"}"#.to_owned();
        assert_eq!(
            get_path(&metrics, "/ready").await,
            (StatusCode::SERVICE_UNAVAILABLE, connecting.clone())
        );
        assert_eq!(
            get_path(&metrics, "/health").await,
            (StatusCode::OK, connecting)
        );
        metrics.set_state(Lifecycle::Consuming);
        let (code, _) = get_path(&metrics, "/ready").await;
        assert_eq!(code, StatusCode::OK);
        metrics.set_state(Lifecycle::Draining);
        let (code, body) = get_path(&metrics, "/ready").await;
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, r#"{"status":"draining"}"#);
        assert_eq!(get_path(&metrics, "/health").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn metrics_are_the_registry_in_text_format() {
        let metrics = Arc::new(Metrics::new());
        metrics.consumed.inc_by(3);
        let (code, body) = get_path(&metrics, "/metrics").await;
        assert_eq!(code, StatusCode::OK);
        assert!(
            body.contains("logwriter_messages_consumed_total 3\n"),
            "{body}"
        );
        assert!(body.contains("logwriter_state{state=\"connecting\"} 1\n"));
        assert_eq!(get_path(&metrics, "/other").await.0, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn a_port_in_use_is_an_error_naming_the_address() {
        let taken = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = taken.local_addr().unwrap().port();
        let error = bind("127.0.0.1", port).await.unwrap_err();
        let text = format!("{error:#}");
        assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    }
}
