use crate::error::{ApiError, Json};
use crate::AppState;
use axum::extract::State;
use branchpulse_core::protocol::Health;

/// `GET /api/v1/health`: 200 when the database answers, 503 when it does not.
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "health check: database not reachable");
        ApiError::Unavailable(format!("the database does not answer: {e}"))
    })?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}
