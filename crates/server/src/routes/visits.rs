//! Mystery-shop visit assignments: created by an admin, listed by the
//! shoppers' phones (their shopper's and the unassigned ones) and by
//! people (the visits of their scope: admins all of them, managers only
//! those done, without the shopper).

use crate::auth::scope::allows_code;
use crate::auth::{Admin, Caller};
use crate::catalog::BranchStatus;
use crate::error::{ApiError, Json, Query};
use crate::store::VisitRecord;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use branchpulse_core::access::{check_label, DeviceKind, Role};
use branchpulse_core::aggregate::{EARLIEST_DAY, LATEST_DAY};
use branchpulse_core::programme::{VisitStatus, Window};
use branchpulse_core::protocol::{NewVisit, Visit};
use branchpulse_core::Kind;
use branchpulse_core::ProblemCode;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Longest scenario, in characters.
pub const MAX_SCENARIO_CHARS: usize = 500;

/// `POST /api/v1/visits`: assign a visit. 201 with the stored visit; 422
/// naming the field when the branch, questionnaire, due date or scenario
/// will not do, and then nothing is stored.
#[utoipa::path(
    post,
    path = "/api/v1/visits",
    tag = "admins",
    request_body = branchpulse_core::protocol::NewVisit,
    responses(
        (status = 201, description = "The stored visit", body = branchpulse_core::protocol::Visit),
        (status = 422, description = "The branch, questionnaire, due date or scenario will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin,
    Json(new): Json<NewVisit>,
) -> Result<(StatusCode, Json<Visit>), ApiError> {
    let record = check(&state, new, OffsetDateTime::now_utc())?;
    state.store.add_visit(&record).await?;
    state
        .store
        .audit(
            &admin.actor(),
            "visit.create",
            &record.id.to_string(),
            serde_json::json!({ "branch": record.branch, "shopper": record.shopper }),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(visit_of(record))))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    branch: Option<String>,
}

/// `GET /api/v1/visits[?branch=CODE]`: the assignments the caller may
/// see, soonest due first.
#[utoipa::path(
    get,
    path = "/api/v1/visits",
    tag = "devices",
    params(
        ("branch" = Option<String>, Query, description = "Only this branch's visits"),
    ),
    responses(
        (status = 200, description = "The visits the caller may see, soonest due first", body = Vec<branchpulse_core::protocol::Visit>),
        (status = 403, description = "A kiosk, or a branch outside the reader's scope", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such branch", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []), ("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<Visit>>, ApiError> {
    if let Some(code) = &query.branch {
        if matches!(state.catalog.branch(code), BranchStatus::Unknown) {
            return Err(ApiError::NotFound(format!(
                "no branch \"{code}\"; GET /api/v1/branches lists them"
            )));
        }
    }
    let visits = match caller {
        Caller::Device(device) => {
            let Some(shopper) = device
                .shopper
                .filter(|_| device.kind == DeviceKind::Shopper)
            else {
                return Err(ApiError::Forbidden(
                    "a kiosk lists no visits: only shoppers' phones and people do".into(),
                ));
            };
            let mut visits = state.store.shopper_visits(&shopper).await?;
            visits.retain(|v| query.branch.as_ref().is_none_or(|b| &v.branch == b));
            visits
        }
        Caller::Person(reader) => {
            let branches = state.catalog.branches();
            if let Some(code) = &query.branch {
                if !allows_code(&reader.scope, code, &branches) {
                    return Err(ApiError::Forbidden(format!(
                        "branch: \"{code}\" is outside the branches your account reads"
                    ))
                    .coded(ProblemCode::OutsideScope)
                    .at("branch"));
                }
            }
            let mut visits = state.store.visits(query.branch.as_deref()).await?;
            visits.retain(|v| allows_code(&reader.scope, &v.branch, &branches));
            if reader.user.role != Role::Admin {
                hide_from_the_shopped(&state, &mut visits).await?;
            }
            visits
        }
    };
    Ok(Json(visits.into_iter().map(visit_of).collect()))
}

/// A mystery shop stays secret from the branch being shopped: its managers
/// (and regional managers) see a visit only once it is done — its report
/// has been received (stored) — and never the shopper's name.
async fn hide_from_the_shopped(
    state: &AppState,
    visits: &mut Vec<VisitRecord>,
) -> Result<(), ApiError> {
    let mut branches: Vec<String> = visits.iter().map(|v| v.branch.clone()).collect();
    branches.sort();
    branches.dedup();
    let ids: Vec<uuid::Uuid> = visits.iter().map(|v| v.id).collect();
    let done = state.store.reported_visits(&branches, &ids).await?;
    visits.retain(|v| done.contains(&v.id));
    for v in visits.iter_mut() {
        v.shopper = None;
    }
    Ok(())
}

/// The record to store for `new`, or what is wrong with it.
fn check(state: &AppState, new: NewVisit, now: OffsetDateTime) -> Result<VisitRecord, ApiError> {
    let bad = |field: &str, code: ProblemCode, message: String| {
        ApiError::Unprocessable(format!("{field}: {message}"))
            .coded(code)
            .at(field)
    };
    match state.catalog.branch(&new.branch) {
        BranchStatus::Active(_) => {}
        BranchStatus::Inactive(_) => {
            return Err(bad(
                "branch",
                ProblemCode::BranchClosed,
                format!(
                    "\"{}\" is closed (inactive); choose an open branch",
                    new.branch
                ),
            ))
        }
        BranchStatus::Unknown => {
            return Err(bad(
                "branch",
                ProblemCode::UnknownBranch,
                format!(
                    "no branch \"{}\"; GET /api/v1/branches lists them",
                    new.branch
                ),
            ))
        }
    }
    match state.catalog.latest(&new.questionnaire_id) {
        Some(q) if q.kind == Kind::MysteryShop => {}
        Some(_) => {
            return Err(bad(
                "questionnaire_id",
                ProblemCode::NotMysteryShop,
                format!(
                    "\"{}\" is not a mystery-shop questionnaire",
                    new.questionnaire_id
                ),
            ))
        }
        None => {
            return Err(bad(
                "questionnaire_id",
                ProblemCode::UnknownQuestionnaire,
                format!(
                    "no questionnaire \"{}\"; GET /api/v1/questionnaires lists them",
                    new.questionnaire_id
                ),
            ))
        }
    }
    if let Err(e) = new.window.check() {
        return Err(bad(e.field, ProblemCode::BadDate, e.reason));
    }
    // The dashboard's range of dates: a day outside it is a typo.
    for (field, day) in [
        ("window.from", new.window.from),
        ("window.to", new.window.to),
    ] {
        if !(EARLIEST_DAY..=LATEST_DAY).contains(&day) {
            return Err(bad(
                field,
                ProblemCode::DateOutOfRange,
                format!(
                    "{day} is outside {EARLIEST_DAY} to {LATEST_DAY}; choose a date in that range"
                ),
            ));
        }
    }
    let due = new.window.to;
    let shopper = match new.shopper.as_deref().map(str::trim) {
        Some(s) => {
            check_label("shopper", s)?;
            Some(s.to_owned())
        }
        None => None,
    };
    let scenario = new.scenario.trim();
    if scenario.is_empty() {
        return Err(bad(
            "scenario",
            ProblemCode::Empty,
            "is empty; say what the shopper asks or does".into(),
        ));
    }
    if let Err(e) = branchpulse_core::text::check_plain("scenario", scenario) {
        return Err(bad("scenario", e.code(), e.reason()));
    }
    if scenario.chars().count() > MAX_SCENARIO_CHARS {
        return Err(bad(
            "scenario",
            ProblemCode::ScenarioTooLong,
            format!("is longer than {MAX_SCENARIO_CHARS} characters"),
        ));
    }
    Ok(VisitRecord {
        id: uuid::Uuid::new_v4(),
        branch: new.branch,
        scenario: scenario.to_owned(),
        questionnaire_id: new.questionnaire_id,
        due,
        // Milliseconds, as both databases keep them.
        created_at: now.replace_millisecond(now.millisecond()).unwrap_or(now),
        shopper,
    })
}

fn visit_of(r: VisitRecord) -> Visit {
    Visit {
        id: r.id,
        branch: r.branch,
        scenario: r.scenario,
        questionnaire_id: r.questionnaire_id,
        due: r.due.to_string(),
        window: Window::days(r.created_at.date().min(r.due), r.due),
        status: if r.shopper.is_some() {
            VisitStatus::Assigned
        } else {
            VisitStatus::Planned
        },
        overdue: false,
        note: None,
        report: None,
        created_at: r
            .created_at
            .format(&Rfc3339)
            .unwrap_or_else(|_| r.created_at.to_string()),
        shopper: r.shopper,
    }
}
