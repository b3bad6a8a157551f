//! The site map of the server: the JSON API under `/api/v1`, the web app
//! everywhere else. Handlers are thin: parse, call one function, map the result.

mod admin;
mod alerts;
mod branches;
mod cases;
mod contacts;
mod dashboard;
mod device;
mod evidence;
mod headers;
mod health;
pub mod openapi;
mod questionnaires;
mod quotas;
mod reports;
mod responses;
mod session;
mod visits;
mod webhooks;

use crate::auth::limits;
use crate::catalog::changes;
use crate::error::ApiError;
use crate::{assets, telemetry, AppState};
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::http::{header, HeaderName, HeaderValue};
use axum::routing::{any, get, patch, post, put};
use axum::{middleware, Router};
use std::time::Duration;
use tower::util::option_layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub fn app(state: AppState) -> Router {
    let config = &*state.config;
    // Open to anyone: a kiosk shows questionnaires to any customer.
    let public = Router::new()
        .route("/health", get(health::health))
        .route("/questionnaires", get(questionnaires::list))
        .route("/questionnaires/{id}", get(questionnaires::latest))
        .route(
            "/questionnaires/{id}/{version}",
            get(questionnaires::version),
        )
        .route("/branches", get(questionnaires::branches))
        .route("/formats", get(branches::formats));
    // Also open: signing in and enrolling are how one gets an identity.
    let doors = Router::new()
        .route(
            "/session",
            post(session::create)
                .get(session::show)
                .delete(session::end)
                .layer(option_layer(limits::sign_in(config))),
        )
        .route(
            "/devices/enrol",
            post(session::enrol).layer(option_layer(limits::enrol(config))),
        );
    // Enrolled devices (each handler takes `DeviceAuth` or `Caller`).
    let devices = Router::new()
        .route(
            "/responses",
            post(responses::receive).layer(option_layer(limits::per_device(config))),
        )
        .route("/visits", get(visits::list).post(visits::create))
        .route("/evidence", get(evidence::list).post(evidence::announce))
        .route("/evidence/{id}", get(evidence::status))
        .route(
            "/evidence/{id}/content",
            put(evidence::put_content)
                .get(evidence::content)
                .layer(DefaultBodyLimit::max(crate::evidence::MAX_CHUNK_BYTES)),
        )
        .route("/visits/{id}/start", post(visits::start))
        .route("/reports", get(reports::list))
        .route("/reports/{id}", get(reports::detail))
        .route(
            "/device/status",
            post(device::status).layer(option_layer(limits::per_device(config))),
        )
        .route(
            "/contacts",
            post(contacts::receive).layer(option_layer(limits::per_device(config))),
        );
    // Signed-in people, within their scope (`Reader`).
    let readers = Router::new()
        .route("/aggregates", get(dashboard::aggregates))
        .route("/drivers", get(dashboard::drivers))
        .route("/items", get(dashboard::items))
        .route("/comments", get(dashboard::comments))
        .route("/export/responses.csv", get(dashboard::responses_csv))
        .route("/export/aggregates.csv", get(dashboard::aggregates_csv))
        .route("/alerts", get(alerts::list))
        .route("/alerts/unread", get(alerts::unread))
        .route("/alerts/read", post(alerts::read_all))
        .route("/alerts/{id}", get(alerts::detail))
        .route("/alerts/{id}/read", post(alerts::read))
        // Follow-up cases: who may change one is decided per case.
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/stats", get(cases::stats))
        .route("/cases/{id}", get(cases::detail).patch(cases::change));
    // Admins only (`Admin`).
    let admins = Router::new()
        .route("/users", get(admin::users).post(admin::create_user))
        .route("/users/{id}", patch(admin::change_user))
        .route("/devices", get(admin::devices).post(admin::create_device))
        .route("/devices/{id}/code", post(admin::new_code))
        .route("/devices/{id}/revoke", post(admin::revoke))
        .route("/devices/{id}/pin", put(admin::set_pin))
        .route("/audit", get(admin::audit))
        .route(
            "/questionnaires",
            post(questionnaires::upload)
                .layer(DefaultBodyLimit::max(changes::MAX_QUESTIONNAIRE_BYTES)),
        )
        .route("/questionnaires/all", get(questionnaires::all))
        .route(
            "/questionnaires/{id}/{version}/activate",
            post(questionnaires::activate),
        )
        .route("/branches", post(branches::create))
        .route("/branches/{code}", put(branches::update))
        .route("/formats", post(branches::create_format))
        .route(
            "/formats/{code}",
            put(branches::update_format).delete(branches::remove_format),
        )
        .route("/responses/{id}/purge-text", post(responses::purge_text))
        .route(
            "/alert-rules",
            get(alerts::list_rules).post(alerts::create_rule),
        )
        .route(
            "/alert-rules/{id}",
            put(alerts::update_rule).delete(alerts::delete_rule),
        )
        // Admins and reviewers (`Coordinator`): the mystery-shop programme.
        .route("/visits/{id}", put(visits::edit))
        .route("/visits/{id}/cancel", post(visits::cancel))
        .route("/reports/{id}/review", post(reports::review))
        .route("/quotas", get(quotas::list).put(quotas::set))
        // Where alerts go beyond the inbox, and what became of them.
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route(
            "/webhooks/{id}",
            put(webhooks::update).delete(webhooks::delete),
        )
        .route("/webhooks/{id}/secret", post(webhooks::rotate))
        .route("/webhooks/{id}/test", post(webhooks::test))
        .route("/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .route("/alerts/{id}/deliveries", get(webhooks::alert_deliveries));
    // Answers that hold secrets (tokens, codes) or a reader's data are
    // never kept by a browser or proxy cache.
    let private = doors.merge(devices).merge(readers).merge(admins).layer(
        SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ),
    );
    let api = public
        .merge(private)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(option_layer(limits::per_ip(config)))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(CompressionLayer::new())
        .with_state(state.clone());
    // Installed before any request is counted.
    telemetry::handle();
    let site = Router::new()
        .nest("/api/v1", api)
        .route("/metrics", get(telemetry::render).with_state(state.clone()))
        // Any other /api/ address is a client bug, never a page of the app.
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .fallback_service(assets::router(&state.config.dist))
        .layer(middleware::from_fn(telemetry::note_route));
    outer(
        site,
        headers::for_site(config.public_url.as_deref()),
        Duration::from_secs(config.request_timeout_secs.max(1)),
    )
}

/// The layers around the whole site. A panic is caught innermost, so its
/// 500 still passes through the timeout, the security headers and the
/// trace; the timeout's 408 passes through the headers too, as do the 413
/// and 429 answered further in. Every answer is counted for `/metrics`,
/// and every request gets an `x-request-id` (the client's, or a new UUID),
/// named in its log lines and sent back.
fn outer(site: Router, headers: Vec<(HeaderName, HeaderValue)>, timeout: Duration) -> Router {
    let mut site =
        site.layer(CatchPanicLayer::custom(panicked))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                timeout,
            ));
    for (name, value) in headers {
        site = site.layer(headers::layer(name, value));
    }
    site.layer(middleware::from_fn(headers::camera_for_shop))
        .layer(middleware::from_fn(telemetry::track))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The span of a request: every line logged while answering it names it.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
    )
}

/// A panic inside a request (a bug) answers a JSON 500 and is logged with
/// its message; the process and every other request go on.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    tracing::error!(panic = %message, "a request panicked; answered 500");
    axum::response::IntoResponse::into_response(ApiError::Internal(format!(
        "the request panicked: {message}"
    )))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "no API endpoint at {}; see docs/api.md for the endpoints",
        uri.path()
    ))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("{} does not accept {method}", uri.path()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    fn site() -> Router {
        outer(
            Router::new()
                .route("/boom", get(boom))
                .route("/ok", get(|| async { "fine" })),
            headers::all().to_vec(),
            Duration::from_secs(30),
        )
    }

    async fn boom() -> &'static str {
        panic!("boom at {}", 42)
    }

    async fn get_path(site: &Router, path: &str) -> axum::response::Response {
        let request = Request::get(path).body(Body::empty()).unwrap();
        site.clone().oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn a_panic_answers_a_json_500_with_the_security_headers() {
        let site = site();
        let response = get_path(&site, "/boom").await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in headers::all() {
            assert_eq!(response.headers().get(&name), Some(&value), "{name}");
        }
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body: branchpulse_core::protocol::ErrorBody = serde_json::from_slice(&body).unwrap();
        // The panic's message stays in the log; the client learns where to look.
        assert!(body.error.contains("server's log"), "{}", body.error);
        assert!(!body.error.contains("boom"), "{}", body.error);
        // The same service goes on answering, panicking requests included.
        assert_eq!(get_path(&site, "/ok").await.status(), StatusCode::OK);
        assert_eq!(
            get_path(&site, "/boom").await.status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(get_path(&site, "/ok").await.status(), StatusCode::OK);
    }
}
