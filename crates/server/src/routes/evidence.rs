//! Photos of a report (see `crate::evidence`): announced and sent in
//! chunks by the shopper's phone, read by reviewers, admins and, once the
//! report is approved, the branch's managers.

use crate::auth::{Caller, DeviceAuth, Reader};
use crate::error::{ApiError, Json, Path, Query};
use crate::evidence::{self, Announced, Chunk};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use branchpulse_core::protocol::{EvidenceStatus, EvidenceSummary, NewEvidence};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

fn photo_id(id: &str) -> Result<Uuid, ApiError> {
    id.parse()
        .map_err(|_| ApiError::NotFound(format!("no photo \"{id}\": not a UUID")).at("id"))
}

/// `POST /api/v1/evidence`: announce a photo of a stored report.
#[utoipa::path(
    post,
    path = "/api/v1/evidence",
    tag = "devices",
    request_body = branchpulse_core::protocol::NewEvidence,
    responses(
        (status = 201, description = "Announced; send its bytes from `received` (0)", body = branchpulse_core::protocol::EvidenceStatus),
        (status = 200, description = "Announced before with the same details: what has been received so far", body = branchpulse_core::protocol::EvidenceStatus),
        (status = 403, description = "Not a shopper's phone, or the report is another shopper's", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "The report is not stored yet: retry after the report syncs", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "The id was announced with other details", body = branchpulse_core::protocol::ErrorBody),
        (status = 410, description = "The report's texts and photos were erased", body = branchpulse_core::protocol::ErrorBody),
        (status = 413, description = "Larger than a photo may be (2 MiB)", body = branchpulse_core::protocol::ErrorBody),
        (status = 415, description = "Not image/jpeg", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A field will not do (named), or the report has its 10 photos", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []))
)]
pub async fn announce(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Json(new): Json<NewEvidence>,
) -> Result<(StatusCode, Json<EvidenceStatus>), ApiError> {
    Ok(
        match evidence::announce(&state, &device, new, OffsetDateTime::now_utc()).await? {
            Announced::New(status) => (StatusCode::CREATED, Json(status)),
            Announced::Known(status) => (StatusCode::OK, Json(status)),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct OffsetQuery {
    offset: u64,
}

/// `PUT /api/v1/evidence/{id}/content?offset=N`: the chunk of the photo
/// that starts at byte `N` (at most 256 KiB).
#[utoipa::path(
    put,
    path = "/api/v1/evidence/{id}/content",
    tag = "devices",
    params(
        ("id" = String, Path, description = "The photo's id"),
        ("offset" = u64, Query, description = "Where the chunk starts: the `received` the server last said"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The photo's bytes from `offset`, at most 256 KiB"),
    responses(
        (status = 200, description = "Taken; `complete` once the photo is whole, checked and stored", body = branchpulse_core::protocol::EvidenceStatus),
        (status = 404, description = "No such photo of this phone's shopper", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "The chunk does not start at `received`: send from there", body = branchpulse_core::protocol::EvidenceStatus),
        (status = 413, description = "The chunk is over 256 KiB or goes past the announced size", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "The whole photo is not what was announced, or not a JPEG: dropped, to be sent again from 0", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []))
)]
pub async fn put_content(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
    Query(query): Query<OffsetQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = photo_id(&id)?;
    let body = body.map_err(|e| {
        ApiError::TooLarge(format!(
            "a chunk has at most {} bytes: {e}",
            evidence::MAX_CHUNK_BYTES
        ))
    })?;
    Ok(
        match evidence::put_chunk(&state, &device, id, query.offset, &body).await? {
            Chunk::Taken(status) => Json(status).into_response(),
            Chunk::Elsewhere(status) => (StatusCode::CONFLICT, Json(status)).into_response(),
        },
    )
}

/// `GET /api/v1/evidence/{id}` (and `HEAD`): how much of the photo the
/// server has.
#[utoipa::path(
    get,
    path = "/api/v1/evidence/{id}",
    tag = "devices",
    params(("id" = String, Path, description = "The photo's id")),
    responses(
        (status = 200, description = "Received so far, and whether complete", body = branchpulse_core::protocol::EvidenceStatus),
        (status = 404, description = "No such photo that the caller may see", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []), ("session" = []))
)]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EvidenceStatus>, ApiError> {
    let id = photo_id(&id)?;
    let e = match caller {
        Caller::Device(device) => evidence::on_phone(&state, &device, id).await?,
        Caller::Person(reader) => evidence::readable(&state, &reader, id).await?,
    };
    Ok(Json(evidence::status_of(&e)))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    report: Uuid,
}

/// `GET /api/v1/evidence?report=ID`: a report's photos, and those sent
/// with the earlier versions it corrects (each names its report).
#[utoipa::path(
    get,
    path = "/api/v1/evidence",
    tag = "devices",
    params(("report" = String, Query, description = "The report's (response's) id")),
    responses(
        (status = 200, description = "The photos of the report and of the earlier versions it corrects (each says which report it came with): the earliest version's first, each version's in the order announced", body = Vec<branchpulse_core::protocol::EvidenceSummary>),
        (status = 404, description = "No such report that the caller may see", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []), ("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<EvidenceSummary>>, ApiError> {
    let photos = match caller {
        Caller::Device(device) => evidence::phone_list(&state, &device, query.report).await?,
        Caller::Person(reader) => {
            evidence::may_read(&state, &reader, query.report).await?;
            evidence::photos_of(&state, query.report).await?
        }
    };
    Ok(Json(photos.iter().map(evidence::summary_of).collect()))
}

/// `GET /api/v1/evidence/{id}/content`: the photo, once complete.
#[utoipa::path(
    get,
    path = "/api/v1/evidence/{id}/content",
    tag = "readers",
    params(("id" = String, Path, description = "The photo's id")),
    responses(
        (status = 200, description = "The photo, without metadata", content_type = "image/jpeg", body = Vec<u8>),
        (status = 404, description = "No such photo that the reader may see, or not complete yet", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn content(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = photo_id(&id)?;
    let e = evidence::readable(&state, &reader, id).await?;
    let data =
        state.store.evidence_content(e.id).await?.ok_or_else(|| {
            ApiError::NotFound(format!("photo {id} has not been received whole yet"))
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, evidence::CONTENT_TYPE),
            // A reader's own copy only: never kept by a shared cache.
            (header::CACHE_CONTROL, "private"),
        ],
        data,
    )
        .into_response())
}
