use crate::error::{ApiError, Json};
use crate::{ingest, AppState};
use axum::extract::State;
use branchpulse_core::protocol::SyncReply;
use time::OffsetDateTime;

/// `POST /api/v1/responses`: a batch of responses, answered per response.
pub async fn receive(
    State(state): State<AppState>,
    Json(batch): Json<ingest::RawBatch>,
) -> Result<Json<SyncReply>, ApiError> {
    let reply = ingest::receive(&state, batch, OffsetDateTime::now_utc()).await?;
    Ok(Json(reply))
}
