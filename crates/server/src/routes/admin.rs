//! The admin's API: accounts, devices and the audit log. Every handler
//! takes [`Admin`], so nobody else reaches them.

use crate::auth::{accounts, enrolment, Admin};
use crate::error::{ApiError, Json, Path, Query};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use branchpulse_core::access::{
    AuditEntry, Device, DevicePin, Enrolment, NewDevice, NewUser, User, UserChange,
};
use branchpulse_core::ProblemCode;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// `GET /api/v1/users`.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "admins",
    responses(
        (status = 200, description = "Every account", body = Vec<branchpulse_core::access::User>),
        (status = 401, description = "Not signed in", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Not an admin", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn users(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.store.users().await?))
}

/// `POST /api/v1/users`.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "admins",
    request_body = branchpulse_core::access::NewUser,
    responses(
        (status = 201, description = "The new account", body = branchpulse_core::access::User),
        (status = 409, description = "The name is taken", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create_user(
    State(state): State<AppState>,
    admin: Admin,
    Json(new): Json<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = accounts::create(&state, &admin.0.username, new).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// `PATCH /api/v1/users/{id}`.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "admins",
    request_body = branchpulse_core::access::UserChange,
    params(
        ("id" = String, Path, description = "The account id (a UUID)"),
    ),
    responses(
        (status = 200, description = "The account as changed", body = branchpulse_core::access::User),
        (status = 404, description = "No such account", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn change_user(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
    Json(change): Json<UserChange>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(accounts::change(&state, &admin.0, id, change).await?))
}

/// `GET /api/v1/devices`.
#[utoipa::path(
    get,
    path = "/api/v1/devices",
    tag = "admins",
    responses(
        (status = 200, description = "Every device", body = Vec<branchpulse_core::access::Device>),
    ),
    security(("session" = []))
)]
pub async fn devices(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<Device>>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let rows = state.store.devices().await?;
    Ok(Json(rows.iter().map(|d| d.to_api(now)).collect()))
}

/// `POST /api/v1/devices`.
#[utoipa::path(
    post,
    path = "/api/v1/devices",
    tag = "admins",
    request_body = branchpulse_core::access::NewDevice,
    responses(
        (status = 201, description = "The device and its one-time enrolment code", body = branchpulse_core::access::Enrolment),
        (status = 422, description = "A field will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create_device(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Json(new): Json<NewDevice>,
) -> Result<(StatusCode, Json<Enrolment>), ApiError> {
    let enrolment = enrolment::create(&state, &headers, &admin.0.username, new).await?;
    Ok((StatusCode::CREATED, Json(enrolment)))
}

/// `POST /api/v1/devices/{id}/code`.
#[utoipa::path(
    post,
    path = "/api/v1/devices/{id}/code",
    tag = "admins",
    params(
        ("id" = String, Path, description = "The device id (a UUID)"),
    ),
    responses(
        (status = 200, description = "A new one-time enrolment code", body = branchpulse_core::access::Enrolment),
        (status = 404, description = "No such device", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn new_code(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Result<Json<Enrolment>, ApiError> {
    Ok(Json(
        enrolment::new_code(&state, &headers, &admin.0.username, id).await?,
    ))
}

/// `POST /api/v1/devices/{id}/revoke`.
#[utoipa::path(
    post,
    path = "/api/v1/devices/{id}/revoke",
    tag = "admins",
    params(
        ("id" = String, Path, description = "The device id (a UUID)"),
    ),
    responses(
        (status = 204, description = "Revoked: its token is refused from now on"),
        (status = 404, description = "No such device", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn revoke(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    enrolment::revoke(&state, &admin.0.username, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/devices/{id}/pin`.
#[utoipa::path(
    put,
    path = "/api/v1/devices/{id}/pin",
    tag = "admins",
    request_body = branchpulse_core::access::DevicePin,
    params(
        ("id" = String, Path, description = "The device id (a UUID)"),
    ),
    responses(
        (status = 204, description = "Set: the kiosk takes it up with its next status report"),
        (status = 400, description = "Not 4 to 8 digits (pin_invalid), or not a kiosk (pin_only_for_kiosks); nothing changed", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such device", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn set_pin(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
    Json(body): Json<DevicePin>,
) -> Result<StatusCode, ApiError> {
    enrolment::set_pin(&state, &admin.0.username, id, &body.pin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Most audit lines one request returns.
const MAX_AUDIT: u32 = 1000;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    limit: Option<u32>,
}

/// `GET /api/v1/audit?limit=N`: newest first.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "admins",
    params(
        ("limit" = Option<u32>, Query, description = "Lines, 1 to 1000 (100)"),
    ),
    responses(
        (status = 200, description = "The audit log, newest first", body = Vec<branchpulse_core::access::AuditEntry>),
        (status = 400, description = "limit is not 1 to 1000", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn audit(
    State(state): State<AppState>,
    _: Admin,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_AUDIT).contains(&limit) {
        return Err(
            ApiError::BadRequest(format!("limit: must be 1 to {MAX_AUDIT}"))
                .coded(ProblemCode::BadLimit)
                .at("limit"),
        );
    }
    Ok(Json(state.store.audit_log(limit).await?))
}
