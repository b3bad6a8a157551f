//! Signing in and out (`/session`) and enrolling a device (`/devices/enrol`):
//! the two doors open to anyone.

use crate::auth::{enrolment, extract::check_origin, sign_in, SignedIn};
use crate::error::{ApiError, Json};
use crate::store::access::rfc3339;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use branchpulse_core::access::{Enrol, Enrolled, Login, Session};

/// `POST /api/v1/session`: sign in.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "doors",
    request_body = branchpulse_core::access::Login,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = branchpulse_core::access::Session),
        (status = 401, description = "Wrong name or password", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "A cross-origin request", body = branchpulse_core::protocol::ErrorBody),
        (status = 429, description = "Too many attempts", body = branchpulse_core::protocol::ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(login): Json<Login>,
) -> Result<Response, ApiError> {
    check_origin(&headers, state.config.public_url.as_deref())?;
    let (session, token) = sign_in::sign_in(&state, login).await?;
    let cookie = sign_in::cookie(
        Some(&token),
        state.config.session_secs,
        sign_in::is_https(&headers),
    );
    Ok((sign_in::set_cookie(cookie)?, Json(session)).into_response())
}

/// `GET /api/v1/session`: who is signed in.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "doors",
    responses(
        (status = 200, description = "Who is signed in", body = branchpulse_core::access::Session),
        (status = 401, description = "Not signed in", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn show(signed: SignedIn) -> Json<Session> {
    let s = signed.session;
    Json(Session {
        user: s.user,
        csrf: s.csrf,
        expires_at: rfc3339(s.expires_at),
    })
}

/// `DELETE /api/v1/session`: sign out; the session ends on the server.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "doors",
    responses(
        (status = 204, description = "Signed out; the session ended on the server"),
        (status = 401, description = "Not signed in", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn end(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed: SignedIn,
) -> Result<Response, ApiError> {
    state.store.end_session(&signed.token_hash).await?;
    let username = &signed.session.user.username;
    state
        .store
        .audit(
            &format!("user:{username}"),
            "session.end",
            username,
            serde_json::json!({}),
        )
        .await?;
    let cookie = sign_in::cookie(None, 0, sign_in::is_https(&headers));
    Ok((StatusCode::NO_CONTENT, sign_in::set_cookie(cookie)?).into_response())
}

/// `POST /api/v1/devices/enrol`: a device exchanges its code for a token.
#[utoipa::path(
    post,
    path = "/api/v1/devices/enrol",
    tag = "doors",
    request_body = branchpulse_core::access::Enrol,
    responses(
        (status = 201, description = "The device's token, shown only this once", body = branchpulse_core::access::Enrolled),
        (status = 404, description = "Unknown, used or expired code", body = branchpulse_core::protocol::ErrorBody),
        (status = 429, description = "Too many attempts", body = branchpulse_core::protocol::ErrorBody),
    )
)]
pub async fn enrol(
    State(state): State<AppState>,
    Json(body): Json<Enrol>,
) -> Result<(StatusCode, Json<Enrolled>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(enrolment::enrol(&state, &body.code).await?),
    ))
}
