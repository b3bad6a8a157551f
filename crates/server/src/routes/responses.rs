use crate::auth::DeviceAuth;
use crate::error::{ApiError, Json};
use crate::{ingest, AppState};
use axum::extract::State;
use branchpulse_core::protocol::SyncReply;
use time::OffsetDateTime;

/// `POST /api/v1/responses`: a batch of responses from an enrolled device,
/// answered per response.
pub async fn receive(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Json(batch): Json<ingest::RawBatch>,
) -> Result<Json<SyncReply>, ApiError> {
    let reply = ingest::receive(&state, batch, OffsetDateTime::now_utc(), Some(&device)).await?;
    Ok(Json(reply))
}
