use crate::auth::{Admin, DeviceAuth};
use crate::error::{ApiError, Json, Path};
use crate::maintenance::purge;
use crate::{ingest, AppState};
use axum::extract::State;
use branchpulse_core::access::Purged;
use branchpulse_core::protocol::SyncReply;
use time::OffsetDateTime;
use uuid::Uuid;

/// `POST /api/v1/responses`: a batch of responses from an enrolled device,
/// answered per response.
pub async fn receive(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Json(batch): Json<ingest::RawBatch>,
) -> Result<Json<SyncReply>, ApiError> {
    let reply = ingest::receive(&state, batch, OffsetDateTime::now_utc(), Some(&device)).await?;
    crate::telemetry::count_outcomes(&reply.results);
    Ok(Json(reply))
}

/// `POST /api/v1/responses/{id}/purge-text` (admin): remove the response's
/// free texts; 200 `Purged`, 404 unknown.
pub async fn purge_text(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Purged>, ApiError> {
    let id: Uuid = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no response \"{id}\": not a UUID")))?;
    Ok(Json(purge::purge_text(&state, &admin.actor(), id).await?))
}
