//! The managers' dashboard API: aggregates, comments and CSV exports for a
//! [`Filter`] given as URL query parameters (see `branchpulse_core::aggregate`).
//!
//! Signed-in people only ([`Reader`]), each within their scope: the filter
//! is narrowed to the reader's branches before anything is read.

use crate::auth::{scope, Reader};
use crate::error::{ApiError, Json};
use crate::read_models::{self, ResponseColumns};
use crate::AppState;
use axum::body::Body;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use branchpulse_core::aggregate::{Aggregates, Comment, CommentQuery, Filter, FilterError};
use branchpulse_core::drivers::Drivers;
use branchpulse_core::scorecard::Items;
use futures_util::stream::{self, StreamExt};
use std::sync::Arc;

/// A filter read from the query string by core, so that a refused one keeps
/// its [`FilterError`], and with it its code and parameter (axum's `Query`
/// would flatten it into serde's text).
pub struct Read<T>(pub T);

/// What can be read from a dashboard query string.
pub trait FromQuery: Sized {
    fn from_query(query: &str) -> Result<Self, FilterError>;
}

impl FromQuery for Filter {
    fn from_query(query: &str) -> Result<Self, FilterError> {
        Filter::from_query(query)
    }
}

impl FromQuery for CommentQuery {
    fn from_query(query: &str) -> Result<Self, FilterError> {
        CommentQuery::from_query(query)
    }
}

impl<T: FromQuery, S: Send + Sync> FromRequestParts<S> for Read<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let Ok(RawQuery(query)) = RawQuery::from_request_parts(parts, state).await;
        T::from_query(query.as_deref().unwrap_or_default())
            .map(Read)
            .map_err(|e| {
                let code = e.code();
                let field = e.field();
                let refused = ApiError::BadRequest(format!("bad query parameter: {e}")).coded(code);
                match field {
                    Some(field) => refused.at(field),
                    None => refused,
                }
            })
    }
}

/// `GET /api/v1/aggregates?<filter>`.
#[utoipa::path(
    get,
    path = "/api/v1/aggregates",
    tag = "readers",
    params(
        branchpulse_core::aggregate::FilterParams,
    ),
    responses(
        (status = 200, description = "Figures with n and 95% intervals, for the network and each branch; without a channel, each channel apart in `channels`, flagged as one family", body = branchpulse_core::aggregate::Aggregates),
        (status = 400, description = "A filter value cannot be used, named", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Outside the reader's branches", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn aggregates(
    State(state): State<AppState>,
    reader: Reader,
    Read(mut filter): Read<Filter>,
) -> Result<Json<Aggregates>, ApiError> {
    allowed(&state, &reader, &mut filter)?;
    Ok(Json(read_models::aggregates(&state, &filter).await?))
}

/// `GET /api/v1/drivers?<filter>`: how strongly each customer dimension
/// moves overall satisfaction and NPS (kiosk responses only).
#[utoipa::path(
    get,
    path = "/api/v1/drivers",
    tag = "readers",
    params(
        branchpulse_core::aggregate::FilterParams,
    ),
    responses(
        (status = 200, description = "Relative weights (Johnson 2000) and standardised coefficients of the four customer dimensions for overall satisfaction and NPS, with 95% bootstrap intervals, over the latest 20,000 kiosk responses of the filter at most; and the dimensions' scores", body = branchpulse_core::drivers::Drivers),
        (status = 400, description = "A filter value cannot be used, named", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Outside the reader's branches", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn drivers(
    State(state): State<AppState>,
    reader: Reader,
    Read(mut filter): Read<Filter>,
) -> Result<Json<Drivers>, ApiError> {
    allowed(&state, &reader, &mut filter)?;
    Ok(Json(read_models::drivers(&state, &filter).await?))
}

/// `GET /api/v1/items?<filter>`: the drill-down behind each score.
#[utoipa::path(
    get,
    path = "/api/v1/items",
    tag = "readers",
    params(
        branchpulse_core::aggregate::FilterParams,
    ),
    responses(
        (status = 200, description = "Every scored item's figure with n and 95% interval, for the network and each branch (compared with the network, or with its peers with against=peers)", body = branchpulse_core::scorecard::Items),
        (status = 400, description = "A filter value cannot be used, named", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Outside the reader's branches", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn items(
    State(state): State<AppState>,
    reader: Reader,
    Read(mut filter): Read<Filter>,
) -> Result<Json<Items>, ApiError> {
    allowed(&state, &reader, &mut filter)?;
    Ok(Json(read_models::items(&state, &filter).await?))
}

/// `GET /api/v1/comments?<filter>&q=<search>&limit=<per branch>&by=<time|score>`.
#[utoipa::path(
    get,
    path = "/api/v1/comments",
    tag = "readers",
    params(
        branchpulse_core::aggregate::FilterParams,
        ("q" = Option<String>, Query, description = "Only comments containing this text, case-insensitively"),
        ("limit" = Option<String>, Query, description = "Comments per branch, 1 to 200 (20); by score, per branch and satisfaction answer"),
        ("by" = Option<String>, Query, description = "time (the default): the latest per branch, newest first; score: the latest per branch at each overall-satisfaction answer (1–5, then none), lowest first, to choose comments across the range of what customers said"),
    ),
    responses(
        (status = 200, description = "The latest free texts per branch (per satisfaction answer by score), each with its response's overall satisfaction", body = Vec<branchpulse_core::aggregate::Comment>),
        (status = 400, description = "A filter value cannot be used, named", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Outside the reader's branches", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn comments(
    State(state): State<AppState>,
    reader: Reader,
    Read(mut query): Read<CommentQuery>,
) -> Result<Json<Vec<Comment>>, ApiError> {
    allowed(&state, &reader, &mut query.filter)?;
    Ok(Json(read_models::comments(&state, &query).await?))
}

/// `GET /api/v1/export/aggregates.csv?<filter>`.
#[utoipa::path(
    get,
    path = "/api/v1/export/aggregates.csv",
    tag = "readers",
    params(
        branchpulse_core::aggregate::FilterParams,
    ),
    responses(
        (status = 200, description = "The aggregates as CSV, each channel's rows apart", body = String, content_type = "text/csv"),
        (status = 400, description = "A filter value cannot be used, named", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Outside the reader's branches", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn aggregates_csv(
    State(state): State<AppState>,
    reader: Reader,
    Read(mut filter): Read<Filter>,
) -> Result<Response, ApiError> {
    allowed(&state, &reader, &mut filter)?;
    let sets = read_models::aggregates_by_channel(&state, &filter).await?;
    let labels = read_models::commitment_labels(&state.catalog.snapshot());
    Ok(csv_response(
        "branchpulse-aggregates.csv",
        Body::from(read_models::aggregates_csv(&sets, &labels)?),
    ))
}

/// `GET /api/v1/export/responses.csv?<filter>`: streamed a page at a time,
/// so a large export does not sit in memory.
#[utoipa::path(
    get,
    path = "/api/v1/export/responses.csv",
    tag = "readers",
    params(
        branchpulse_core::aggregate::FilterParams,
    ),
    responses(
        (status = 200, description = "Every response of the filter as CSV, one row each", body = String, content_type = "text/csv"),
        (status = 400, description = "A filter value cannot be used, named", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Outside the reader's branches", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn responses_csv(
    State(state): State<AppState>,
    reader: Reader,
    Read(mut filter): Read<Filter>,
) -> Result<Response, ApiError> {
    allowed(&state, &reader, &mut filter)?;
    let columns = ResponseColumns::new(&state.catalog, &filter);
    // The first page is read before answering, so that a failure there is
    // an error response rather than a cut-off download.
    let (first, next) = read_models::responses_page(&state, &filter, &columns, None).await?;
    let ctx = Arc::new((state, filter, columns));
    let rest = stream::unfold(next, move |cursor| {
        let ctx = Arc::clone(&ctx);
        async move {
            let cursor = cursor?;
            let (state, filter, columns) = &*ctx;
            match read_models::responses_page(state, filter, columns, Some(cursor)).await {
                Ok((bytes, next)) => Some((Ok(bytes), next)),
                Err(e) => {
                    tracing::error!(error = %e, "responses export stopped");
                    Some((Err(std::io::Error::other(e.to_string())), None))
                }
            }
        }
    });
    // Fused: the compression layer polls once more after the end, and an
    // `unfold` panics when polled after it finished.
    let body = stream::once(async { Ok::<_, std::io::Error>(first) })
        .chain(rest)
        .fuse();
    Ok(csv_response(
        "branchpulse-responses.csv",
        Body::from_stream(body),
    ))
}

/// 400 for a filter naming unknown things, 403 for one reaching outside
/// the reader's scope; then the filter holds only the reader's branches.
fn allowed(state: &AppState, reader: &Reader, filter: &mut Filter) -> Result<(), ApiError> {
    read_models::check(&state.catalog, filter)?;
    scope::narrow(filter, &reader.scope, &state.catalog.branches())
}

fn csv_response(file: &'static str, body: Body) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
            .expect("a plain file name is a valid header"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
