//! Alert rules (admins) and the inbox (every signed-in person, within
//! what they may see): `crate::alerts`.

use crate::alerts::{inbox, rules};
use crate::auth::{Admin, Reader};
use crate::error::{ApiError, Json, Path, Query};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use branchpulse_core::alerts::{Alert, NewRule, Rule, Unread};
use uuid::Uuid;

/// `GET /api/v1/alert-rules`.
#[utoipa::path(
    get,
    path = "/api/v1/alert-rules",
    tag = "admins",
    responses(
        (status = 200, description = "Every alert rule, oldest first", body = Vec<branchpulse_core::alerts::Rule>),
        (status = 403, description = "Not an admin", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn list_rules(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<Rule>>, ApiError> {
    Ok(Json(state.store.alert_rules().await?))
}

/// `POST /api/v1/alert-rules`.
#[utoipa::path(
    post,
    path = "/api/v1/alert-rules",
    tag = "admins",
    request_body = branchpulse_core::alerts::NewRule,
    responses(
        (status = 201, description = "The stored rule", body = branchpulse_core::alerts::Rule),
        (status = 403, description = "Not an admin", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do, named (a threshold out of range, an unknown branch, region or webhook, a bad address)", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create_rule(
    State(state): State<AppState>,
    admin: Admin,
    Json(def): Json<NewRule>,
) -> Result<(StatusCode, Json<Rule>), ApiError> {
    let rule = rules::create(&state, &admin.actor(), def).await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

/// `PUT /api/v1/alert-rules/{id}`: the whole rule.
#[utoipa::path(
    put,
    path = "/api/v1/alert-rules/{id}",
    tag = "admins",
    request_body = branchpulse_core::alerts::NewRule,
    params(
        ("id" = String, Path, description = "The rule's id (a UUID)"),
    ),
    responses(
        (status = 200, description = "The rule as stored", body = branchpulse_core::alerts::Rule),
        (status = 404, description = "No such rule", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn update_rule(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
    Json(def): Json<NewRule>,
) -> Result<Json<Rule>, ApiError> {
    Ok(Json(rules::update(&state, &admin.actor(), id, def).await?))
}

/// `DELETE /api/v1/alert-rules/{id}`: the rule and the alerts it raised.
#[utoipa::path(
    delete,
    path = "/api/v1/alert-rules/{id}",
    tag = "admins",
    params(
        ("id" = String, Path, description = "The rule's id (a UUID)"),
    ),
    responses(
        (status = 204, description = "Deleted, with its alerts"),
        (status = 404, description = "No such rule", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "One of its alerts became a follow-up case: deactivate the rule instead", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn delete_rule(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    rules::delete(&state, &admin.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/alerts`: the caller's inbox, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/alerts",
    tag = "readers",
    params(
        ("branch" = Option<String>, Query, description = "Only this branch's alerts"),
        ("kind" = Option<branchpulse_core::alerts::AlertKind>, Query, description = "Only alerts of this kind"),
        ("unread" = Option<bool>, Query, description = "true: only those the caller has not opened; false: only those opened"),
        ("before" = Option<String>, Query, description = "The id of the last alert of the page before: the next page"),
        ("limit" = Option<u32>, Query, description = "How many, 1 to 200 (default 50)"),
    ),
    responses(
        (status = 200, description = "The alerts the caller may see (admins: all; others: those of rules naming their role, at their branches), each with whether they opened it and the case made of it", body = Vec<branchpulse_core::alerts::Alert>),
        (status = 400, description = "A parameter will not do, named", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "A branch outside the caller's scope", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such branch", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    reader: Reader,
    Query(query): Query<inbox::ListQuery>,
) -> Result<Json<Vec<Alert>>, ApiError> {
    Ok(Json(inbox::list(&state, &reader, query).await?))
}

/// `GET /api/v1/alerts/unread`: what the frame's badge shows.
#[utoipa::path(
    get,
    path = "/api/v1/alerts/unread",
    tag = "readers",
    responses(
        (status = 200, description = "How many alerts of the caller's inbox they have not opened", body = branchpulse_core::alerts::Unread),
    ),
    security(("session" = []))
)]
pub async fn unread(
    State(state): State<AppState>,
    reader: Reader,
) -> Result<Json<Unread>, ApiError> {
    Ok(Json(inbox::unread(&state, &reader).await?))
}

/// `GET /api/v1/alerts/{id}` (opening it is `POST …/read`).
#[utoipa::path(
    get,
    path = "/api/v1/alerts/{id}",
    tag = "readers",
    params(
        ("id" = String, Path, description = "The alert's id (a UUID)"),
    ),
    responses(
        (status = 200, description = "The alert", body = branchpulse_core::alerts::Alert),
        (status = 404, description = "No such alert in the caller's inbox", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn detail(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<Uuid>,
) -> Result<Json<Alert>, ApiError> {
    Ok(Json(inbox::get(&state, &reader, id).await?))
}

/// `POST /api/v1/alerts/{id}/read`.
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/read",
    tag = "readers",
    params(
        ("id" = String, Path, description = "The alert's id (a UUID)"),
    ),
    responses(
        (status = 200, description = "The alert, read by the caller", body = branchpulse_core::alerts::Alert),
        (status = 404, description = "No such alert in the caller's inbox", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<Uuid>,
) -> Result<Json<Alert>, ApiError> {
    Ok(Json(inbox::read(&state, &reader, id).await?))
}

/// `POST /api/v1/alerts/read`: every alert of the caller's inbox.
#[utoipa::path(
    post,
    path = "/api/v1/alerts/read",
    tag = "readers",
    responses(
        (status = 200, description = "What is unread after (0, unless an alert came meanwhile)", body = branchpulse_core::alerts::Unread),
    ),
    security(("session" = []))
)]
pub async fn read_all(
    State(state): State<AppState>,
    reader: Reader,
) -> Result<Json<Unread>, ApiError> {
    Ok(Json(inbox::read_all(&state, &reader).await?))
}
