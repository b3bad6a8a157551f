//! What an operator watches: Prometheus metrics (`GET /metrics`) and the
//! request id on every log line of a request.
//!
//! The recorder is process-wide (the `metrics` crate's global one); the
//! text is rendered from its handle inside our own route, so no second
//! HTTP listener is opened. Route labels are the matched route pattern
//! (`/api/v1/users/{id}`), never the raw path, so the series stay few.

use crate::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use branchpulse_core::protocol::Outcome;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

/// Latency buckets, in seconds: 1 ms to 10 s.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The handle of the process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics will be empty");
        }
        handle
    })
}

/// The route an answer came from, handed from the router to [`track`].
#[derive(Debug, Clone)]
struct Route(String);

/// Inside the router, where the matched route is known: note it on the
/// answer for [`track`], which runs outside (so that panics, timeouts and
/// refusals by outer layers are counted too).
pub async fn note_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(Route(route));
    }
    response
}

/// `http_requests_total` and `http_request_duration_seconds`, by route,
/// method and status.
pub async fn track(request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let start = Instant::now();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<Route>()
        .map_or_else(|| "unmatched".to_owned(), |r| r.0.clone());
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route, "method" => method)
        .record(start.elapsed().as_secs_f64());
    response
}

/// Time a store call as `db_query_duration_seconds{query}`.
pub async fn timed<T>(query: &'static str, call: impl Future<Output = T>) -> T {
    let start = Instant::now();
    let out = call.await;
    metrics::histogram!("db_query_duration_seconds", "query" => query)
        .record(start.elapsed().as_secs_f64());
    out
}

/// `responses_total{outcome}`: what a sync batch's responses became.
pub fn count_outcomes(results: &[Outcome]) {
    for r in results {
        let outcome = match r {
            Outcome::Accepted { .. } => "accepted",
            Outcome::Duplicate { .. } => "duplicate",
            Outcome::Rejected { .. } => "rejected",
            Outcome::Deferred { .. } => "deferred",
        };
        metrics::counter!("responses_total", "outcome" => outcome).increment(1);
    }
}

/// `rate_limit_refusals_total{limit}`: a request refused by a rate.
pub fn count_refusal(limit: &'static str) {
    metrics::counter!("rate_limit_refusals_total", "limit" => limit).increment(1);
}

/// `alert_deliveries_total{channel, outcome}`: one attempt of an alert's
/// delivery, `delivered`, `retry` (it will be tried again) or `failed`.
pub fn count_delivery(channel: &'static str, outcome: &'static str) {
    metrics::counter!("alert_deliveries_total", "channel" => channel, "outcome" => outcome)
        .increment(1);
}

/// `GET /metrics`: the Prometheus text, to the addresses in
/// `--metrics-allow` only (the peer's address: a scraper reaches the
/// server directly, not through the public proxy). Others get 404, as if
/// there were nothing here.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text", body = String, content_type = "text/plain"),
        (status = 404, description = "The caller's address is not in --metrics-allow"),
    )
)]
pub async fn render(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    let ip = peer.ip().to_canonical();
    if !state
        .config
        .metrics_allow
        .iter()
        .any(|net| net.contains(&ip))
    {
        return crate::error::ApiError::NotFound("no page at /metrics".into()).into_response();
    }
    let handle = handle();
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        handle.render(),
    )
        .into_response()
}
