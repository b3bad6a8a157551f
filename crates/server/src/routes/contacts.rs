//! A customer's request to be contacted, sent by the kiosk after the
//! response it belongs to (see `crate::contacts`).

use crate::auth::DeviceAuth;
use crate::contacts::{self, Received};
use crate::error::{ApiError, Json};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use branchpulse_core::cases::ContactRequest;
use branchpulse_core::protocol::Outcome;
use time::OffsetDateTime;

/// `POST /api/v1/contacts`: keep a customer's phone number or e-mail
/// address apart from their response, and alert those who follow it up.
#[utoipa::path(
    post,
    path = "/api/v1/contacts",
    tag = "devices",
    request_body = branchpulse_core::cases::ContactRequest,
    responses(
        (status = 201, description = "Stored, and the contact-request alert raised for each active rule covering the branch (`accepted`)", body = branchpulse_core::protocol::Outcome),
        (status = 200, description = "Stored before with the same content (`duplicate`): nothing done", body = branchpulse_core::protocol::Outcome),
        (status = 401, description = "No valid device token", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Not a kiosk (`devices_only`), or the response is not a kiosk response of this kiosk's branch (field `response`)", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "The response has not arrived yet (code `not_found`, field `response`: send again after it syncs); or the id was sent with other content (field `id`), or the response has another contact request (field `response`)", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "The number or address will not do (field `value`: `bad_phone`, `bad_email`, `empty`, `too_long`), or JSON of another shape (the field named)", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []))
)]
pub async fn receive(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Json(request): Json<ContactRequest>,
) -> Result<(StatusCode, Json<Outcome>), ApiError> {
    let id = request.id;
    Ok(
        match contacts::receive(&state, &device, request, OffsetDateTime::now_utc()).await? {
            Received::New => (StatusCode::CREATED, Json(Outcome::Accepted { id })),
            Received::Known => (StatusCode::OK, Json(Outcome::Duplicate { id })),
        },
    )
}
