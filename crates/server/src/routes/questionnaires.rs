use crate::auth::{Admin, Caller, Coordinator};
use crate::catalog::changes;
use crate::error::{ApiError, Json, Path};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use branchpulse_core::access::{DeviceKind, QuestionnaireVersion, Role};
use branchpulse_core::protocol::Branch;
use branchpulse_core::ProblemCode;
use branchpulse_core::{Kind, Questionnaire};

/// Whether the caller may read mystery-shop questionnaires: an enrolled
/// shopper's phone or an admin. A kiosk's questionnaire is public (a lobby
/// tablet shows it to anyone); a mystery shop's would tell a branch what
/// the next visit checks. Asked only when such a questionnaire is at
/// stake, so a public read costs no lookup.
async fn may_read_shops(parts: &mut Parts, state: &AppState) -> Result<(), ApiError> {
    let refused =
        "a mystery-shop questionnaire is served only to enrolled shoppers' phones, admins and reviewers";
    match Caller::from_request_parts(parts, state).await {
        Ok(Caller::Device(d)) if d.kind == DeviceKind::Shopper => Ok(()),
        // Reviewers read every report in full, by its items' words.
        Ok(Caller::Person(r)) if matches!(r.user.role, Role::Admin | Role::Reviewer) => Ok(()),
        Ok(_) => Err(ApiError::Forbidden(refused.into())),
        Err(e) if e.status() == StatusCode::FORBIDDEN => Err(ApiError::Forbidden(refused.into())),
        Err(_) => Err(ApiError::Unauthorized(format!(
            "{refused}: send the phone's token or sign in"
        ))),
    }
}

/// A questionnaire as the answer, never kept by a cache when it is a
/// mystery shop's.
fn served(q: Questionnaire) -> Response {
    let secret = q.kind == Kind::MysteryShop;
    uncached_if(secret, Json(q).into_response())
}

/// `answer`, marked for no cache to keep when it holds a mystery shop.
fn uncached_if(secret: bool, mut answer: Response) -> Response {
    if secret {
        answer
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    answer
}

/// `GET /api/v1/questionnaires`: the active version of each questionnaire
/// the caller may read (mystery shops only for shoppers' phones and admins).
#[utoipa::path(
    get,
    path = "/api/v1/questionnaires",
    tag = "public",
    responses(
        (status = 200, description = "The active version of each questionnaire the caller may read (mystery shops only for shoppers' phones and admins)", body = Vec<branchpulse_core::protocol::QuestionnaireSummary>),
    )
)]
pub async fn list(State(state): State<AppState>, mut parts: Parts) -> Response {
    let mut summaries = state.catalog.summaries();
    let has_shops = summaries.iter().any(|s| s.kind == Kind::MysteryShop);
    if has_shops && may_read_shops(&mut parts, &state).await.is_err() {
        summaries.retain(|s| s.kind != Kind::MysteryShop);
        return Json(summaries).into_response();
    }
    uncached_if(has_shops, Json(summaries).into_response())
}

/// `GET /api/v1/questionnaires/{id}`: the active version, what devices use.
#[utoipa::path(
    get,
    path = "/api/v1/questionnaires/{id}",
    tag = "public",
    params(
        ("id" = String, Path, description = "The questionnaire id"),
    ),
    responses(
        (status = 200, description = "The active version", body = branchpulse_core::questionnaire::Questionnaire),
        (status = 401, description = "A mystery shop, asked without a token or session", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "A mystery shop, asked by a kiosk or a non-admin", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such questionnaire", body = branchpulse_core::protocol::ErrorBody),
    )
)]
pub async fn latest(
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut parts: Parts,
) -> Result<Response, ApiError> {
    let q = state.catalog.latest(&id).ok_or_else(|| unknown(&id))?;
    if q.kind == Kind::MysteryShop {
        may_read_shops(&mut parts, &state).await?;
    }
    Ok(served((*q).clone()))
}

/// `GET /api/v1/questionnaires/{id}/{version}`: the version a response
/// answered, active or not.
#[utoipa::path(
    get,
    path = "/api/v1/questionnaires/{id}/{version}",
    tag = "public",
    params(
        ("id" = String, Path, description = "The questionnaire id"),
        ("version" = String, Path, description = "The version, a whole number"),
    ),
    responses(
        (status = 200, description = "That version, active or not", body = branchpulse_core::questionnaire::Questionnaire),
        (status = 401, description = "A mystery shop, asked without a token or session", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "A mystery shop, asked by a kiosk or a non-admin", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such questionnaire or version", body = branchpulse_core::protocol::ErrorBody),
    )
)]
pub async fn version(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
    mut parts: Parts,
) -> Result<Response, ApiError> {
    let version = parse_version(&version)?;
    let catalog = state.catalog.snapshot();
    // Any version of a mystery shop's id is as secret as the others: even
    // which versions exist is not said to others.
    let shop = catalog.versions(&id).any(|q| q.kind == Kind::MysteryShop);
    if shop {
        may_read_shops(&mut parts, &state).await?;
    }
    if let Some(q) = catalog.questionnaire(&id, version) {
        return Ok(served(q.clone()));
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
#[utoipa::path(
    get,
    path = "/api/v1/questionnaires/all",
    tag = "admins",
    responses(
        (status = 200, description = "Every version, with which is active", body = Vec<branchpulse_core::access::QuestionnaireVersion>),
        (status = 401, description = "Not signed in", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Not an admin or a reviewer", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn all(State(state): State<AppState>, _: Coordinator) -> Json<Vec<QuestionnaireVersion>> {
    Json(state.catalog.all_versions())
}

/// `POST /api/v1/questionnaires` (admin): upload a questionnaire file as
/// the body. 201 with its summary; 422 with the loader's message; 409 if
/// that id and version exist.
#[utoipa::path(
    post,
    path = "/api/v1/questionnaires",
    tag = "admins",
    request_body = branchpulse_core::questionnaire::Questionnaire,
    responses(
        (status = 201, description = "Stored; its summary", body = branchpulse_core::access::QuestionnaireVersion),
        (status = 409, description = "That id and version exist", body = branchpulse_core::protocol::ErrorBody),
        (status = 413, description = "Larger than the questionnaire limit", body = branchpulse_core::protocol::ErrorBody),
        (status = 415, description = "Not application/json", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "The loader's message, naming the item", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
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
    let json = std::str::from_utf8(&body).map_err(|_| {
        ApiError::BadRequest("the questionnaire file is not UTF-8 text".into())
            .coded(ProblemCode::QuestionnaireUnreadable)
    })?;
    let added = changes::upload(&state, &admin.actor(), json).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// `POST /api/v1/questionnaires/{id}/{version}/activate` (admin): 204.
#[utoipa::path(
    post,
    path = "/api/v1/questionnaires/{id}/{version}/activate",
    tag = "admins",
    params(
        ("id" = String, Path, description = "The questionnaire id"),
        ("version" = String, Path, description = "The version, a whole number"),
    ),
    responses(
        (status = 204, description = "That version is now the one devices use"),
        (status = 404, description = "No such questionnaire or version", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/branches",
    tag = "public",
    responses(
        (status = 200, description = "Every branch, open or closed, in list order", body = Vec<branchpulse_core::protocol::Branch>),
    )
)]
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
