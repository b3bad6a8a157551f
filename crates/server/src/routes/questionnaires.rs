use crate::auth::Admin;
use crate::changes;
use crate::error::{ApiError, Json, Path};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use branchpulse_core::access::QuestionnaireVersion;
use branchpulse_core::protocol::{Branch, QuestionnaireSummary};
use branchpulse_core::Questionnaire;

/// `GET /api/v1/questionnaires`: the active version of each questionnaire.
pub async fn list(State(state): State<AppState>) -> Json<Vec<QuestionnaireSummary>> {
    Json(state.catalog.summaries())
}

/// `GET /api/v1/questionnaires/{id}`: the active version, what devices use.
pub async fn latest(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Questionnaire>, ApiError> {
    state
        .catalog
        .latest(&id)
        .map(|q| Json((*q).clone()))
        .ok_or_else(|| unknown(&id))
}

/// `GET /api/v1/questionnaires/{id}/{version}`: the version a response
/// answered, active or not.
pub async fn version(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<Questionnaire>, ApiError> {
    let version = parse_version(&version)?;
    let catalog = state.catalog.snapshot();
    if let Some(q) = catalog.questionnaire(&id, version) {
        return Ok(Json(q.clone()));
    }
    let known: Vec<String> = catalog
        .versions(&id)
        .map(|q| q.version.to_string())
        .collect();
    if known.is_empty() {
        return Err(unknown(&id));
    }
    Err(ApiError::NotFound(format!(
        "questionnaire \"{id}\" has no version {version}; it has {}",
        known.join(", ")
    )))
}

/// `GET /api/v1/questionnaires/all` (admin): every version, with which is
/// active and when it was uploaded.
pub async fn all(State(state): State<AppState>, _: Admin) -> Json<Vec<QuestionnaireVersion>> {
    Json(state.catalog.all_versions())
}

/// `POST /api/v1/questionnaires` (admin): upload a questionnaire file as
/// the body. 201 with its summary; 422 with the loader's message; 409 if
/// that id and version exist.
pub async fn upload(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<QuestionnaireVersion>), ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(ApiError::UnsupportedMediaType(
            "send the questionnaire file with `Content-Type: application/json`".into(),
        ));
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!(
                "the questionnaire is larger than {} bytes",
                changes::MAX_QUESTIONNAIRE_BYTES
            ))
        } else {
            ApiError::BadRequest(format!("could not read the request body: {e}"))
        }
    })?;
    let json = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the questionnaire file is not UTF-8 text".into()))?;
    let added = changes::upload(&state, &admin.actor(), json).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// `POST /api/v1/questionnaires/{id}/{version}/activate` (admin): 204.
pub async fn activate(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, version)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let version = parse_version(&version)?;
    changes::activate(&state, &admin.actor(), &id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/branches`: every branch, open or closed, in list order.
pub async fn branches(State(state): State<AppState>) -> Json<Vec<Branch>> {
    Json(state.catalog.branches().to_vec())
}

fn parse_version(text: &str) -> Result<u32, ApiError> {
    text.parse().map_err(|_| {
        ApiError::NotFound(format!(
            "questionnaire version \"{text}\" is not a whole number"
        ))
    })
}

fn unknown(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "no questionnaire \"{id}\"; GET /api/v1/questionnaires lists them"
    ))
}
