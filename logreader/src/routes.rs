//! HTTP layer: axum's router with the routes and method rules of docs/spec/logreader.md §3.1,
//! and the middleware stack. Handlers stay thin: they validate with [`crate::query`], read
//! through [`crate::store::Store`] and render with [`crate::export`].

mod health;
mod messages;
mod middleware;
pub mod path;
mod processes;
mod simulations;
mod stream;
mod timeseries;
mod ui;

use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::query::QueryParams;
use crate::settings::CorsOrigins;
use crate::state::AppState;
use path::Route;

/// The `Allow` header of every route.
pub const ALLOW: &str = "GET, HEAD, OPTIONS";
/// Header carrying the time series skipped-value count (§10.4).
pub const SKIPPED_VALUES: &str = "x-skipped-values";

/// Router options taken from the settings.
#[derive(Debug, Clone)]
pub struct RouterOptions {
    /// `LOGREADER_ACCESS_LOGGING`.
    pub access_logging: bool,
    /// `LOGREADER_CORS_ORIGINS`.
    pub cors: CorsOrigins,
    /// `LOGREADER_REQUEST_TIMEOUT`.
    pub request_timeout: Duration,
}

/// The whole application: the routes behind the time limit, compression, CORS, `nosniff`,
/// failure logging, the request metrics, the access log (so it sees the final status and the
/// bytes actually sent) and, outermost, a tracing span per request (`TraceLayer`, at DEBUG).
/// The metrics sit outside CORS so pre-flight answers are counted too.
pub fn router(state: AppState, options: &RouterOptions) -> Router {
    let metrics = state.metrics.clone();
    let mut router = routes()
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            options.request_timeout,
            middleware::time_limit,
        ))
        .layer(CompressionLayer::new());
    if let Some(cors) = cors_layer(&options.cors) {
        router = router.layer(cors);
    }
    router = router
        .layer(axum::middleware::from_fn(middleware::limit_head))
        .layer(axum::middleware::from_fn(middleware::no_sniff))
        .layer(axum::middleware::from_fn(middleware::log_failures))
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            middleware::record_metrics,
        ));
    if options.access_logging {
        router = router.layer(axum::middleware::from_fn(middleware::access_log));
    }
    router.layer(TraceLayer::new_for_http())
}

/// Makes a route under one simulation from its decoded `simId` and `processId`.
type RouteOfIds = fn(String, String) -> Route;

/// Every route of §3.1. Anything else is an empty 404, whatever the method.
fn routes() -> Router<AppState> {
    let pages = [
        ("/", Route::Index),
        ("/index.html", Route::Index),
        ("/main.js", Route::Script),
        ("/style.css", Route::Stylesheet),
        ("/board.html", Route::BoardPage),
        ("/board.js", Route::BoardScript),
        ("/api.html", Route::ApiReference),
        ("/openapi.json", Route::OpenApi),
        ("/health", Route::Health),
        ("/ready", Route::Ready),
        ("/metrics", Route::Metrics),
        ("/simulations", Route::Simulations),
    ];
    let mut router = Router::new();
    for (template, route) in pages {
        router = router.route(template, endpoint(move |_, _| route.clone()));
    }
    let simulation_routes: [(&str, RouteOfIds); 7] = [
        ("", |id, _| Route::Simulation(id)),
        ("/messages", |id, _| Route::Messages(id)),
        ("/messages/invalid", |id, _| Route::InvalidMessages(id)),
        ("/timeseries", |id, _| Route::Timeseries(id)),
        ("/processes", |id, _| Route::Processes(id)),
        ("/processes/{processId}", Route::Process),
        ("/board", |id, _| Route::Board(id)),
    ];
    for (suffix, make) in simulation_routes {
        // `{simId}` never matches an empty segment, and the empty id is an id (§3.1), so
        // each of these routes also exists with the segment left empty.
        let template = format!("{}{suffix}", path::SIMULATION_TEMPLATE);
        router = router
            .route(&template, endpoint(make))
            .route(&format!("/simulations/{suffix}"), endpoint(make));
    }
    router.fallback(|| async { empty(StatusCode::NOT_FOUND) })
}

/// GET (and so HEAD) runs the endpoint `make` names for the request's `simId`; OPTIONS
/// answers 200 with `Allow`, any other method 405 with `Allow`.
fn endpoint<F>(make: F) -> MethodRouter<AppState>
where
    F: Fn(String, String) -> Route + Clone + Send + Sync + 'static,
{
    let run = move |State(state): State<AppState>, method: Method, uri: Uri| async move {
        let route = make(
            path::simulation_id(uri.path()),
            path::process_id(uri.path()),
        );
        let params = QueryParams::parse(uri.query().unwrap_or(""));
        tracing::debug!(endpoint = route.name(), params = ?params.fields(), "Handling request.");
        match handle(&state, route, &params, method == Method::HEAD).await {
            Ok(response) => response,
            Err(error) => error.into_response(),
        }
    };
    get(run)
        .options(|| async { with_allow(StatusCode::OK) })
        .fallback(|| async { with_allow(StatusCode::METHOD_NOT_ALLOWED) })
}

/// The CORS policy of §13.5, or `None` when CORS is off (no `Access-Control-*` headers).
fn cors_layer(origins: &CorsOrigins) -> Option<CorsLayer> {
    let allow_origin = match origins {
        CorsOrigins::Off => return None,
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => AllowOrigin::list(
            list.iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        ),
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
            .allow_headers(tower_http::cors::AllowHeaders::mirror_request())
            .expose_headers([
                header::HeaderName::from_static(SKIPPED_VALUES),
                header::CONTENT_DISPOSITION,
            ])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

async fn handle(
    state: &AppState,
    route: Route,
    params: &QueryParams,
    head: bool,
) -> Result<Response, ApiError> {
    match route {
        Route::Index => Ok(ui::index()),
        Route::Script => Ok(ui::script()),
        Route::Stylesheet => Ok(ui::stylesheet()),
        Route::BoardPage => Ok(ui::board_page()),
        Route::BoardScript => Ok(ui::board_script()),
        Route::ApiReference => Ok(ui::api_reference()),
        Route::OpenApi => Ok(ui::openapi()),
        Route::Health => Ok(health::health()),
        Route::Ready => Ok(health::ready(state).await),
        Route::Metrics => Ok(health::metrics(state)),
        Route::Simulations => simulations::list_simulations(state, params).await,
        Route::Simulation(id) => simulations::get_simulation(state, &id, params).await,
        Route::Messages(id) => messages::list_messages(state, &id, params).await,
        Route::InvalidMessages(id) => messages::list_invalid_messages(state, &id, params).await,
        Route::Timeseries(id) => timeseries::export_timeseries(state, &id, params, head).await,
        Route::Processes(id) => processes::list_processes(state, &id, params).await,
        Route::Process(id, process) => processes::get_process(state, &id, &process, params).await,
        Route::Board(id) => processes::board_grid(state, &id, params).await,
    }
}

/// An empty-bodied response with the original's headers (§3.4).
fn empty(status: StatusCode) -> Response {
    let mut response = (status, Body::empty()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    response
}

fn with_allow(status: StatusCode) -> Response {
    let mut response = empty(status);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(ALLOW));
    if status == StatusCode::OK {
        response.headers_mut().remove(header::CONTENT_TYPE);
    }
    response
}

/// A complete body with an exact `Content-Type`.
pub(crate) fn body_response(content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
