//! What an enrolled kiosk says of itself between customers.

use crate::auth::DeviceAuth;
use crate::error::{ApiError, Json};
use crate::{status, AppState};
use axum::extract::State;
use branchpulse_core::access::{DeviceConfig, DeviceReport};
use time::OffsetDateTime;

/// `POST /api/v1/device/status`: the kiosk's report, kept for its admin;
/// the answer is what it should take up.
#[utoipa::path(
    post,
    path = "/api/v1/device/status",
    tag = "devices",
    request_body = branchpulse_core::access::DeviceReport,
    responses(
        (status = 200, description = "What the device should take up: a newer questionnaire version, its staff PIN", body = branchpulse_core::access::DeviceConfig),
        (status = 400, description = "A field will not do, named (questionnaire_id, last_sync); nothing kept", body = branchpulse_core::protocol::ErrorBody),
        (status = 401, description = "No valid device token", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "A person's session, not a device", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "JSON of another shape (an unknown field, a count that is not a whole number)", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []))
)]
pub async fn status(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Json(report): Json<DeviceReport>,
) -> Result<Json<DeviceConfig>, ApiError> {
    let now = OffsetDateTime::now_utc();
    Ok(Json(status::receive(&state, &device, report, now).await?))
}
