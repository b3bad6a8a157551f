//! Webhooks and the delivery log, for admins (`src/delivery/`).

use crate::auth::Admin;
use crate::delivery::webhooks;
use crate::error::{ApiError, Json, Path, Query};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use branchpulse_core::webhooks::{Attempt, Delivery, NewWebhook, Webhook, WebhookSecret};
use branchpulse_core::ProblemCode;
use serde::Deserialize;
use uuid::Uuid;

/// `GET /api/v1/webhooks`.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "admins",
    responses(
        (status = 200, description = "Every webhook, oldest first; secrets only as hints", body = Vec<branchpulse_core::webhooks::Webhook>),
        (status = 403, description = "Not an admin", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<Webhook>>, ApiError> {
    Ok(Json(webhooks::list(&state).await?))
}

/// `POST /api/v1/webhooks`.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "admins",
    request_body = branchpulse_core::webhooks::NewWebhook,
    responses(
        (status = 201, description = "The webhook with its signing secret, shown this once", body = branchpulse_core::webhooks::WebhookSecret),
        (status = 422, description = "A field will not do, named (url: bad_webhook_url)", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin,
    Json(new): Json<NewWebhook>,
) -> Result<(StatusCode, Json<WebhookSecret>), ApiError> {
    let made = webhooks::create(&state, &admin.actor(), new).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// `PUT /api/v1/webhooks/{id}`.
#[utoipa::path(
    put,
    path = "/api/v1/webhooks/{id}",
    tag = "admins",
    request_body = branchpulse_core::webhooks::NewWebhook,
    params(("id" = String, Path, description = "The webhook id (a UUID)")),
    responses(
        (status = 200, description = "The webhook as changed (its secret unchanged)", body = branchpulse_core::webhooks::Webhook),
        (status = 404, description = "No such webhook", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
    Json(new): Json<NewWebhook>,
) -> Result<Json<Webhook>, ApiError> {
    Ok(Json(
        webhooks::update(&state, &admin.actor(), id, new).await?,
    ))
}

/// `DELETE /api/v1/webhooks/{id}`.
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{id}",
    tag = "admins",
    params(("id" = String, Path, description = "The webhook id (a UUID)")),
    responses(
        (status = 204, description = "Deleted; its deliveries still pending fail, logged"),
        (status = 404, description = "No such webhook", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    webhooks::delete(&state, &admin.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/webhooks/{id}/secret`.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/secret",
    tag = "admins",
    params(("id" = String, Path, description = "The webhook id (a UUID)")),
    responses(
        (status = 200, description = "The webhook with its new secret, shown this once; the old one signs nothing more", body = branchpulse_core::webhooks::WebhookSecret),
        (status = 404, description = "No such webhook", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn rotate(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
) -> Result<Json<WebhookSecret>, ApiError> {
    Ok(Json(webhooks::rotate(&state, &admin.actor(), id).await?))
}

/// `POST /api/v1/webhooks/{id}/test`.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/test",
    tag = "admins",
    params(("id" = String, Path, description = "The webhook id (a UUID)")),
    responses(
        (status = 200, description = "A signed webhook.test event was posted now: what came of it (delivered or not)", body = branchpulse_core::webhooks::Attempt),
        (status = 404, description = "No such webhook", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn test(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
) -> Result<Json<Attempt>, ApiError> {
    Ok(Json(webhooks::test(&state, &admin.actor(), id).await?))
}

/// Most deliveries one request lists.
const MAX_DELIVERIES: u32 = 200;

#[derive(Debug, Deserialize)]
pub struct LogQuery {
    limit: Option<u32>,
}

/// `GET /api/v1/webhooks/{id}/deliveries?limit=N`.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}/deliveries",
    tag = "admins",
    params(
        ("id" = String, Path, description = "The webhook id (a UUID)"),
        ("limit" = Option<u32>, Query, description = "Deliveries, 1 to 200 (50)"),
    ),
    responses(
        (status = 200, description = "Its latest deliveries (newest alert first), each with its attempts", body = Vec<branchpulse_core::webhooks::Delivery>),
        (status = 400, description = "limit is not 1 to 200", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such webhook", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<Uuid>,
    Query(query): Query<LogQuery>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=MAX_DELIVERIES).contains(&limit) {
        return Err(
            ApiError::BadRequest(format!("limit: must be 1 to {MAX_DELIVERIES}"))
                .coded(ProblemCode::BadLimit)
                .at("limit"),
        );
    }
    Ok(Json(webhooks::deliveries(&state, id, limit).await?))
}

/// `GET /api/v1/alerts/{id}/deliveries`.
#[utoipa::path(
    get,
    path = "/api/v1/alerts/{id}/deliveries",
    tag = "admins",
    params(("id" = String, Path, description = "The alert id (a UUID)")),
    responses(
        (status = 200, description = "The alert's deliveries (webhooks, then e-mails), each with its attempts", body = Vec<branchpulse_core::webhooks::Delivery>),
        (status = 404, description = "No such alert", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn alert_deliveries(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    Ok(Json(webhooks::alert_deliveries(&state, id).await?))
}
