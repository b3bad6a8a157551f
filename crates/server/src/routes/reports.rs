//! Mystery-shop reports in review: listed and read by admins and
//! reviewers (all), by a shopper's phone (its shopper's own, returned ones
//! included, so the shopper can correct them), by managers (approved ones
//! of their branches, without the shopper); decided by admins and
//! reviewers (`crate::review`).

use crate::auth::scope::allows_code;
use crate::auth::Caller;
use crate::auth::Coordinator;
use crate::catalog::BranchStatus;
use crate::error::{ApiError, Json, Path, Query};
use crate::store::{ReportRow, ReviewRow};
use crate::AppState;
use axum::extract::State;
use branchpulse_core::access::{DeviceKind, Role};
use branchpulse_core::programme::{ReportDetail, ReportStatus, ReportSummary, Review, ReviewEvent};
use branchpulse_core::Response;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

/// The longest chain of corrections followed when listing a report's
/// versions: far more than any report is returned in practice.
const MAX_VERSIONS: usize = 50;

/// Who reads a report, and so what of it they see.
enum Viewer {
    /// Admins and reviewers: everything.
    Coordinator,
    /// A shopper's phone: its shopper's reports, without reviewers' names.
    Shopper(String),
    /// Managers: approved reports of their branches, without the shopper.
    Manager(crate::auth::Reader),
}

fn viewer(caller: Caller) -> Result<Viewer, ApiError> {
    match caller {
        Caller::Device(d) => match d.shopper.filter(|_| d.kind == DeviceKind::Shopper) {
            Some(shopper) => Ok(Viewer::Shopper(shopper)),
            None => Err(ApiError::Forbidden(
                "a kiosk reads no reports: only shoppers' phones and people do".into(),
            )),
        },
        Caller::Person(r) if matches!(r.user.role, Role::Admin | Role::Reviewer) => {
            Ok(Viewer::Coordinator)
        }
        Caller::Person(r) => Ok(Viewer::Manager(r)),
    }
}

impl Viewer {
    fn may_see(&self, state: &AppState, r: &ReportRow) -> bool {
        match self {
            Viewer::Coordinator => true,
            Viewer::Shopper(s) => r.shopper.as_ref() == Some(s),
            Viewer::Manager(reader) => {
                r.status == ReportStatus::Approved
                    && allows_code(&reader.scope, &r.branch, &state.catalog.branches())
            }
        }
    }

    fn summary(&self, r: ReportRow) -> ReportSummary {
        let manager = matches!(self, Viewer::Manager(_));
        ReportSummary {
            id: r.id,
            visit: r.visit,
            branch: r.branch,
            questionnaire_id: r.questionnaire_id,
            questionnaire_version: r.questionnaire_version,
            shopper: r.shopper.filter(|_| !manager),
            submitted_at: rfc3339(r.submitted_at),
            status: r.status,
            note: r.note.filter(|_| !manager),
            revises: r.revises.filter(|_| !manager),
            revised_by: r.revised_by.filter(|_| !manager),
            evidence: r.photos,
        }
    }

    fn event(&self, r: ReviewRow) -> ReviewEvent {
        ReviewEvent {
            at: rfc3339(r.at),
            reviewer: matches!(self, Viewer::Coordinator).then_some(r.reviewer),
            decision: r.decision,
            note: if matches!(self, Viewer::Manager(_)) {
                String::new()
            } else {
                r.note
            },
        }
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<ReportStatus>,
    branch: Option<String>,
}

/// `GET /api/v1/reports[?status=S&branch=CODE]`: the reports the caller
/// may see, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/reports",
    tag = "devices",
    params(
        ("status" = Option<ReportStatus>, Query, description = "Only reports in this status"),
        ("branch" = Option<String>, Query, description = "Only this branch's reports"),
    ),
    responses(
        (status = 200, description = "The reports the caller may see, newest first", body = Vec<ReportSummary>),
        (status = 403, description = "A kiosk", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such branch", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []), ("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<ReportSummary>>, ApiError> {
    let viewer = viewer(caller)?;
    if let Some(code) = &query.branch {
        if matches!(state.catalog.branch(code), BranchStatus::Unknown) {
            return Err(ApiError::NotFound(format!(
                "no branch \"{code}\"; GET /api/v1/branches lists them"
            )));
        }
    }
    let (status, shopper) = match &viewer {
        Viewer::Coordinator => (query.status, None),
        Viewer::Shopper(s) => (query.status, Some(s.as_str())),
        Viewer::Manager(_) => match query.status {
            None | Some(ReportStatus::Approved) => (Some(ReportStatus::Approved), None),
            // Nothing else is theirs to see.
            Some(_) => return Ok(Json(Vec::new())),
        },
    };
    let rows = state
        .store
        .reports(status, query.branch.as_deref(), shopper)
        .await?;
    Ok(Json(
        rows.into_iter()
            .filter(|r| viewer.may_see(&state, r))
            .map(|r| viewer.summary(r))
            .collect(),
    ))
}

/// `GET /api/v1/reports/{id}`: a report in full, with its versions and
/// review history. 404 for a report the caller may not see.
#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}",
    tag = "devices",
    params(("id" = String, Path, description = "The report's (response's) id")),
    responses(
        (status = 200, description = "The report in full", body = ReportDetail),
        (status = 403, description = "A kiosk", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such report the caller may see", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []), ("session" = []))
)]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<ReportDetail>, ApiError> {
    let viewer = viewer(caller)?;
    let not_found = || ApiError::NotFound(format!("no report {id} that you may read"));
    let report = state.store.report(id).await?.ok_or_else(not_found)?;
    if !viewer.may_see(&state, &report) {
        return Err(not_found());
    }
    let payload = state.store.payload(id).await?.ok_or_else(not_found)?;
    let response: Response = serde_json::from_str(&payload)
        .map_err(|e| ApiError::Internal(format!("report {id} cannot be read: {e}")))?;
    let versions = match viewer {
        // Earlier versions are the shopper's drafts in review, not the
        // branch's.
        Viewer::Manager(_) => vec![report.clone()],
        _ => versions(&state, &report).await?,
    };
    let history = state.store.reviews(id).await?;
    Ok(Json(ReportDetail {
        versions: versions.into_iter().map(|r| viewer.summary(r)).collect(),
        history: history.into_iter().map(|r| viewer.event(r)).collect(),
        summary: viewer.summary(report),
        response,
    }))
}

/// Every version of `report`'s chain of corrections, oldest first.
async fn versions(state: &AppState, report: &ReportRow) -> Result<Vec<ReportRow>, ApiError> {
    let mut older = Vec::new();
    let mut at = report.revises;
    while let Some(id) = at.filter(|_| older.len() < MAX_VERSIONS) {
        let Some(r) = state.store.report(id).await? else {
            break;
        };
        at = r.revises;
        older.push(r);
    }
    older.reverse();
    older.push(report.clone());
    let mut at = report.revised_by;
    while let Some(id) = at.filter(|_| older.len() < 2 * MAX_VERSIONS) {
        let Some(r) = state.store.report(id).await? else {
            break;
        };
        at = r.revised_by;
        older.push(r);
    }
    Ok(older)
}

/// `POST /api/v1/reports/{id}/review`: approve (the report then counts in
/// every figure and export, added in the same transaction), return it to
/// the shopper with a note, or reject it with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/reports/{id}/review",
    tag = "admins",
    params(("id" = String, Path, description = "The report's (response's) id")),
    request_body = Review,
    responses(
        (status = 200, description = "The report as decided", body = ReportSummary),
        (status = 403, description = "Neither an admin nor a reviewer", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such report", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "The report does not await review (decided already)", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "A note is required to return or reject, plain text, at most 1000 characters", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn review(
    State(state): State<AppState>,
    who: Coordinator,
    Path(id): Path<Uuid>,
    Json(review): Json<Review>,
) -> Result<Json<ReportSummary>, ApiError> {
    let row = crate::review::decide(
        &state,
        id,
        &review,
        &who.0.username,
        &who.actor(),
        OffsetDateTime::now_utc(),
    )
    .await?;
    Ok(Json(Viewer::Coordinator.summary(row)))
}
