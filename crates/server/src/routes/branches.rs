//! Branches as admins manage them (the list itself is
//! `GET /api/v1/branches`, in questionnaires.rs with the other catalog reads).

use crate::auth::Admin;
use crate::catalog::changes;
use crate::error::{ApiError, Json, Path};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use branchpulse_core::protocol::{Branch, Format};
use serde::Deserialize;

/// A branch as an admin sends it: [`Branch`], with an unknown field
/// refused (a misspelt `activ` would otherwise be dropped unnoticed), as
/// in every other body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchBody {
    code: String,
    name: String,
    region: String,
    #[serde(default = "open")]
    active: bool,
    /// A format's code; absent or null for none.
    #[serde(default)]
    format: Option<String>,
}

fn open() -> bool {
    true
}

impl From<BranchBody> for Branch {
    fn from(b: BranchBody) -> Branch {
        Branch {
            code: b.code,
            name: b.name,
            region: b.region,
            active: b.active,
            format: b.format,
        }
    }
}

/// `POST /api/v1/branches` (admin): 201 with the branch; 409 code taken;
/// 422 naming the field.
#[utoipa::path(
    post,
    path = "/api/v1/branches",
    tag = "admins",
    request_body = branchpulse_core::protocol::Branch,
    responses(
        (status = 201, description = "The branch", body = branchpulse_core::protocol::Branch),
        (status = 409, description = "The code is taken", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin,
    Json(branch): Json<BranchBody>,
) -> Result<(StatusCode, Json<Branch>), ApiError> {
    let branch = changes::create_branch(&state, &admin.actor(), branch.into()).await?;
    Ok((StatusCode::CREATED, Json(branch)))
}

/// `PUT /api/v1/branches/{code}` (admin): the whole branch; 200 with it.
#[utoipa::path(
    put,
    path = "/api/v1/branches/{code}",
    tag = "admins",
    request_body = branchpulse_core::protocol::Branch,
    params(
        ("code" = String, Path, description = "The branch code"),
    ),
    responses(
        (status = 200, description = "The branch as stored", body = branchpulse_core::protocol::Branch),
        (status = 404, description = "No such branch", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    admin: Admin,
    Path(code): Path<String>,
    Json(branch): Json<BranchBody>,
) -> Result<Json<Branch>, ApiError> {
    Ok(Json(
        changes::update_branch(&state, &admin.actor(), &code, branch.into()).await?,
    ))
}

/// `GET /api/v1/formats`: the formats (peer groups) branches may have, in
/// list order.
#[utoipa::path(
    get,
    path = "/api/v1/formats",
    tag = "public",
    responses(
        (status = 200, description = "Every format, in list order", body = Vec<branchpulse_core::protocol::Format>),
    )
)]
pub async fn formats(State(state): State<AppState>) -> axum::Json<Vec<Format>> {
    axum::Json(state.catalog.formats().to_vec())
}

/// `POST /api/v1/formats` (admin): 201 with the format; 409 code taken;
/// 422 naming the field (`code`, `name.en`, …).
#[utoipa::path(
    post,
    path = "/api/v1/formats",
    tag = "admins",
    request_body = branchpulse_core::protocol::Format,
    responses(
        (status = 201, description = "The format", body = branchpulse_core::protocol::Format),
        (status = 409, description = "The code is taken", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create_format(
    State(state): State<AppState>,
    admin: Admin,
    Json(format): Json<Format>,
) -> Result<(StatusCode, Json<Format>), ApiError> {
    let format = changes::create_format(&state, &admin.actor(), format).await?;
    Ok((StatusCode::CREATED, Json(format)))
}

/// `PUT /api/v1/formats/{code}` (admin): its names; 200 with it.
#[utoipa::path(
    put,
    path = "/api/v1/formats/{code}",
    tag = "admins",
    request_body = branchpulse_core::protocol::Format,
    params(
        ("code" = String, Path, description = "The format code"),
    ),
    responses(
        (status = 200, description = "The format as stored", body = branchpulse_core::protocol::Format),
        (status = 404, description = "No such format", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn update_format(
    State(state): State<AppState>,
    admin: Admin,
    Path(code): Path<String>,
    Json(format): Json<Format>,
) -> Result<Json<Format>, ApiError> {
    Ok(Json(
        changes::update_format(&state, &admin.actor(), &code, format).await?,
    ))
}

/// `DELETE /api/v1/formats/{code}` (admin): 204; 409 while branches have it.
#[utoipa::path(
    delete,
    path = "/api/v1/formats/{code}",
    tag = "admins",
    params(
        ("code" = String, Path, description = "The format code"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such format", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "Branches have it", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn remove_format(
    State(state): State<AppState>,
    admin: Admin,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    changes::remove_format(&state, &admin.actor(), &code).await?;
    Ok(StatusCode::NO_CONTENT)
}
