//! logreader: the HTTP read and export API over the SimCES simulation logs
//! (`docs/spec/logreader.md`). It serves metadata, messages, invalid messages and time
//! series (JSON or CSV) from the database logwriter fills, plus a small web UI.
//!
//! # Layout
//!
//! * [`settings`]: the clap settings of §2.
//! * [`app`]: [`Application::build`] → [`Application::run_until_stopped`]; the wiring.
//! * [`serve`]: the HTTP/1.1 accept loop with the idle and request-head time limits.
//! * [`routes`]: route matching, method rules, middleware and the thin handlers.
//! * [`query`]: PURE. Query-string decoding, parameter grammars, validation order, epoch
//!   resolution and MongoDB filters.
//! * [`store`]: every database call.
//! * [`export`]: PURE. JSON serialisation, time series and CSV.
//! * [`board`]: PURE. The run health board: statuses, changes and history per process.
//! * [`board_cache`]: the boards of finished runs, kept in memory (no I/O).
//! * [`boards`]: a request's board, from the cache or from one scan of the messages;
//!   [`board_warmup`]: the boards of newly finished runs, built before they are asked for.
//! * [`replay`]: `logreader replay`, a stored run published back to an exchange; its
//!   body rebuilding and pacing are PURE.
//! * [`stored`]: PURE. Fields of stored documents both pure cores read (epoch numbers).
//! * [`error`]: `ApiError` (wrapping `query`'s `QueryError`) and the exact error bodies.
//! * [`state`]: the `AppState` handlers share; [`http_metrics`]: the metrics it holds.

pub mod app;
pub mod board;
pub mod board_cache;
pub mod board_warmup;
pub mod boards;
pub mod error;
pub mod export;
pub mod http_metrics;
pub mod query;
pub mod replay;
pub mod routes;
pub mod serve;
pub mod settings;
pub mod state;
pub mod store;
pub mod stored;

pub use app::Application;
pub use settings::Settings;
