use crate::error::{ApiError, Json};
use crate::AppState;
use axum::extract::State;
use branchpulse_core::protocol::Health;

/// `GET /api/v1/health`: 200 when the database answers, 503 when it does
/// not. Open to anyone, so the database's error (hosts, paths, user names)
/// goes to the log only.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "public",
    responses(
        (status = 200, description = "The server and its database answer", body = branchpulse_core::protocol::Health),
        (status = 503, description = "The database does not answer", body = branchpulse_core::protocol::ErrorBody),
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "health check: database not reachable");
        ApiError::Unavailable("the database does not answer; see the server's log".into())
    })?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[tokio::test]
    async fn the_public_answer_never_holds_the_database_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = crate::config::Config::defaults();
        config.database_url = format!("sqlite://{}", dir.path().join("h.db").display());
        config.questionnaires =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../questionnaires");
        config.admin_password = Some("health test password".into());
        let state = AppState::open(config).await.unwrap();
        state.store.close().await;
        let Err(error) = health(State(state)).await else {
            panic!("the pool is closed: the health check must fail");
        };
        let response = error.into_response();
        assert_eq!(response.status(), 503);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("see the server's log"), "{body}");
        assert!(!body.to_lowercase().contains("pool"), "{body}");
    }
}
