use crate::error::{ApiError, Json, Path};
use crate::AppState;
use axum::extract::State;
use branchpulse_core::protocol::{Branch, QuestionnaireSummary};
use branchpulse_core::Questionnaire;

/// `GET /api/v1/questionnaires`: every version of every questionnaire.
pub async fn list(State(state): State<AppState>) -> Json<Vec<QuestionnaireSummary>> {
    Json(state.catalog.summaries())
}

/// `GET /api/v1/questionnaires/{id}`: the latest version.
pub async fn latest(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Questionnaire>, ApiError> {
    state
        .catalog
        .latest(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| unknown(&id))
}

/// `GET /api/v1/questionnaires/{id}/{version}`: the version a response answered.
pub async fn version(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<Questionnaire>, ApiError> {
    let version: u32 = version.parse().map_err(|_| {
        ApiError::NotFound(format!(
            "questionnaire version \"{version}\" is not a whole number"
        ))
    })?;
    if let Some(q) = state.catalog.questionnaire(&id, version) {
        return Ok(Json(q.clone()));
    }
    if state.catalog.latest(&id).is_none() {
        return Err(unknown(&id));
    }
    let known: Vec<String> = state
        .catalog
        .versions(&id)
        .map(|q| q.version.to_string())
        .collect();
    Err(ApiError::NotFound(format!(
        "questionnaire \"{id}\" has no version {version}; it has {}",
        known.join(", ")
    )))
}

/// `GET /api/v1/branches`: every branch, active or not.
pub async fn branches(State(state): State<AppState>) -> Json<Vec<Branch>> {
    Json(state.catalog.branches().to_vec())
}

fn unknown(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "no questionnaire \"{id}\"; GET /api/v1/questionnaires lists them"
    ))
}
