//! The admin's API: accounts, devices and the audit log. Every handler
//! takes [`Admin`], so nobody else reaches them.

use crate::auth::{accounts, enrolment, Admin};
use crate::error::{ApiError, Json, Path, Query};
use crate::ingest::store_error;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use branchpulse_core::access::{
    AuditEntry, Device, Enrolment, NewDevice, NewUser, User, UserChange,
};
use branchpulse_core::ProblemCode;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// `GET /api/v1/users`.
pub async fn users(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.store.users().await.map_err(store_error)?))
}

/// `POST /api/v1/users`.
pub async fn create_user(
    State(state): State<AppState>,
    admin: Admin,
    Json(new): Json<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = accounts::create(&state, &admin.0.username, new).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// `PATCH /api/v1/users/{id}`.
pub async fn change_user(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
    Json(change): Json<UserChange>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(accounts::change(&state, &admin.0, id, change).await?))
}

/// `GET /api/v1/devices`.
pub async fn devices(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<Device>>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let rows = state.store.devices().await.map_err(store_error)?;
    Ok(Json(rows.iter().map(|d| d.to_api(now)).collect()))
}

/// `POST /api/v1/devices`.
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
pub async fn revoke(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    enrolment::revoke(&state, &admin.0.username, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Most audit lines one request returns.
const MAX_AUDIT: u32 = 1000;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    limit: Option<u32>,
}

/// `GET /api/v1/audit?limit=N`: newest first.
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
    Ok(Json(
        state.store.audit_log(limit).await.map_err(store_error)?,
    ))
}
