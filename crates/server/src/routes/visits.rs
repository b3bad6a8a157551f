//! Mystery-shop visits: planned (with a window), edited and cancelled by
//! admins and reviewers; started and reported by the shoppers' phones
//! (their shopper's visits and the unassigned ones); listed by people (the
//! visits of their scope: admins and reviewers all of them, managers only
//! those approved, without the shopper). Each change of status follows
//! `programme::next` and is written with a guard on the status read, so
//! two changes at once never both apply.

use crate::auth::scope::allows_code;
use crate::auth::Coordinator;
use crate::auth::{Caller, DeviceAuth};
use crate::catalog::BranchStatus;
use crate::error::{ApiError, Json, Path, Query};
use crate::store::{ReportRow, VisitRecord};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use branchpulse_core::access::{check_label, DeviceKind, Role};
use branchpulse_core::aggregate::{EARLIEST_DAY, LATEST_DAY};
use branchpulse_core::programme::{next, Event, ReportStatus, VisitStatus, MAX_NOTE_CHARS};
use branchpulse_core::protocol::{NewVisit, Visit};
use branchpulse_core::Kind;
use branchpulse_core::ProblemCode;
use serde::Deserialize;
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// Longest scenario, in characters.
pub const MAX_SCENARIO_CHARS: usize = 500;

/// How long a shopper's phone keeps listing its ended visits (approved,
/// rejected, cancelled), so the shopper hears back.
pub const ENDED_VISITS_DAYS: i64 = 90;

/// `POST /api/v1/visits`: plan a visit. 201 with the stored visit; 422
/// naming the field when the branch, questionnaire, window or scenario
/// will not do, and then nothing is stored.
#[utoipa::path(
    post,
    path = "/api/v1/visits",
    tag = "admins",
    request_body = branchpulse_core::protocol::NewVisit,
    responses(
        (status = 201, description = "The stored visit", body = branchpulse_core::protocol::Visit),
        (status = 403, description = "Neither an admin nor a reviewer", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "The branch, questionnaire, window or scenario will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    who: Coordinator,
    Json(new): Json<NewVisit>,
) -> Result<(StatusCode, Json<Visit>), ApiError> {
    let now = now_ms();
    let checked = check(&state, new)?;
    let status = if checked.shopper.is_some() {
        VisitStatus::Assigned
    } else {
        VisitStatus::Planned
    };
    let record = VisitRecord {
        id: Uuid::new_v4(),
        branch: checked.branch,
        scenario: checked.scenario,
        questionnaire_id: checked.questionnaire_id,
        window: checked.window,
        created_at: now,
        shopper: checked.shopper,
        status,
        cancelled_reason: None,
        updated_at: now,
    };
    state.store.add_visit(&record).await?;
    state
        .store
        .audit(
            &who.actor(),
            "visit.create",
            &record.id.to_string(),
            serde_json::json!({ "branch": record.branch, "shopper": record.shopper }),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(visit_of(record, None, today()))))
}

/// `PUT /api/v1/visits/{id}`: change a visit (the same body as planning
/// it). Only while the shopper still has it to do; its shopper only before
/// it was started. 409 otherwise, with nothing changed.
#[utoipa::path(
    put,
    path = "/api/v1/visits/{id}",
    tag = "admins",
    params(("id" = String, Path, description = "The visit id (a UUID)")),
    request_body = branchpulse_core::protocol::NewVisit,
    responses(
        (status = 200, description = "The visit as changed", body = branchpulse_core::protocol::Visit),
        (status = 404, description = "No such visit", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "The visit can no longer be changed (or that way)", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "The branch, questionnaire, window or scenario will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn edit(
    State(state): State<AppState>,
    who: Coordinator,
    Path(id): Path<Uuid>,
    Json(new): Json<NewVisit>,
) -> Result<Json<Visit>, ApiError> {
    let checked = check(&state, new)?;
    let old = find(&state, id).await?;
    if !old.status.awaits_shopper() {
        return Err(status_conflict(id, old.status, "changed"));
    }
    let before_start = matches!(old.status, VisitStatus::Planned | VisitStatus::Assigned);
    if checked.shopper != old.shopper && !before_start {
        return Err(ApiError::Conflict(format!(
            "shopper: visit {id} is {}; its shopper can be changed only before it is started",
            label(old.status)
        ))
        .at("shopper"));
    }
    let status = if before_start {
        next(old.status, Event::Assign(checked.shopper.is_some())).unwrap_or(old.status)
    } else {
        old.status
    };
    let record = VisitRecord {
        branch: checked.branch,
        scenario: checked.scenario,
        questionnaire_id: checked.questionnaire_id,
        window: checked.window,
        shopper: checked.shopper,
        status,
        updated_at: now_ms(),
        ..old.clone()
    };
    let detail = serde_json::json!({ "branch": record.branch, "shopper": record.shopper, "status": label(status) });
    replace(&state, &who, old.status, record, "visit.edit", detail).await
}

/// Body of `POST /api/v1/visits/{id}/cancel`; the body may be left out.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    /// Why, for the shopper and the log.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /api/v1/visits/{id}/cancel`: call a visit off, unless its report
/// awaits review or was decided (409).
#[utoipa::path(
    post,
    path = "/api/v1/visits/{id}/cancel",
    tag = "admins",
    params(("id" = String, Path, description = "The visit id (a UUID)")),
    request_body(content = Cancel, description = "Optional: why"),
    responses(
        (status = 200, description = "The cancelled visit", body = branchpulse_core::protocol::Visit),
        (status = 404, description = "No such visit", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "Its report awaits review or was decided, or it was cancelled", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "The reason will not do", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn cancel(
    State(state): State<AppState>,
    who: Coordinator,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Result<Json<Visit>, ApiError> {
    let cancel: Cancel = if body.iter().all(u8::is_ascii_whitespace) {
        Cancel::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::BadRequest(format!("the body is not {{\"reason\": \"…\"}}: {e}"))
                .coded(ProblemCode::MalformedJson)
        })?
    };
    let reason = cancel
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(r) = reason {
        if let Err(e) = branchpulse_core::text::check_plain("reason", r) {
            return Err(ApiError::Unprocessable(e.to_string())
                .coded(e.code())
                .at("reason"));
        }
        if r.chars().count() > MAX_NOTE_CHARS {
            return Err(ApiError::Unprocessable(format!(
                "reason: is longer than {MAX_NOTE_CHARS} characters"
            ))
            .coded(ProblemCode::TooLong)
            .at("reason"));
        }
    }
    let old = find(&state, id).await?;
    if next(old.status, Event::Cancel).is_err() {
        return Err(status_conflict(id, old.status, "cancelled"));
    }
    let record = VisitRecord {
        status: VisitStatus::Cancelled,
        cancelled_reason: reason.map(str::to_owned),
        updated_at: now_ms(),
        ..old.clone()
    };
    let detail = serde_json::json!({ "from": label(old.status), "reason": reason });
    replace(&state, &who, old.status, record, "visit.cancel", detail).await
}

/// `POST /api/v1/visits/{id}/start`: a shopper's phone says its shopper
/// has started the visit (theirs, or an unassigned one, which they then
/// take). Sent again, or after the report, it changes nothing: 200 with
/// the visit as it stands. 409 once cancelled.
#[utoipa::path(
    post,
    path = "/api/v1/visits/{id}/start",
    tag = "devices",
    params(("id" = String, Path, description = "The visit id (a UUID)")),
    responses(
        (status = 200, description = "The visit, in progress (or further on)", body = branchpulse_core::protocol::Visit),
        (status = 403, description = "Not a shopper's phone, or another shopper's visit", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such visit", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "The visit was cancelled", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("device" = []))
)]
pub async fn start(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<Uuid>,
) -> Result<Json<Visit>, ApiError> {
    let Some(shopper) = device
        .shopper
        .filter(|_| device.kind == DeviceKind::Shopper)
    else {
        return Err(ApiError::Forbidden(
            "only a shopper's phone starts a visit".into(),
        ));
    };
    let old = find(&state, id).await?;
    if old.shopper.as_ref().is_some_and(|s| *s != shopper) {
        return Err(ApiError::Forbidden(format!(
            "visit {id} is assigned to another shopper"
        )));
    }
    if old.status == VisitStatus::Cancelled {
        return Err(status_conflict(id, old.status, "started"));
    }
    if next(old.status, Event::Start).is_ok() {
        let changed = state.store.start_visit(id, &shopper, now_ms()).await?;
        if changed && old.status != VisitStatus::InProgress {
            state
                .store
                .audit(
                    &format!("device:{}", device.id),
                    "visit.start",
                    &id.to_string(),
                    serde_json::json!({ "shopper": shopper }),
                )
                .await?;
        }
        if !changed {
            // Another phone took it, or it was cancelled, meanwhile.
            let now = find(&state, id).await?;
            if now.shopper.as_ref() != Some(&shopper) || now.status == VisitStatus::Cancelled {
                return Err(changed_meanwhile(id));
            }
        }
    }
    let visit = find(&state, id).await?;
    let visit = list_of(&state, vec![visit], today()).await?.pop();
    Ok(Json(visit.expect("one visit in, one out")))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    branch: Option<String>,
    status: Option<VisitStatus>,
    overdue: Option<bool>,
}

/// `GET /api/v1/visits[?branch=CODE&status=S&overdue=true]`: the visits the
/// caller may see, soonest due first.
#[utoipa::path(
    get,
    path = "/api/v1/visits",
    tag = "devices",
    params(
        ("branch" = Option<String>, Query, description = "Only this branch's visits"),
        ("status" = Option<VisitStatus>, Query, description = "Only visits in this status"),
        ("overdue" = Option<bool>, Query, description = "true: only overdue visits; false: only those not overdue"),
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
    let today = today();
    let mut hide_shopper = false;
    let mut visits = match caller {
        Caller::Device(device) => {
            let Some(shopper) = device
                .shopper
                .filter(|_| device.kind == DeviceKind::Shopper)
            else {
                return Err(ApiError::Forbidden(
                    "a kiosk lists no visits: only shoppers' phones and people do".into(),
                ));
            };
            let since = OffsetDateTime::now_utc() - Duration::days(ENDED_VISITS_DAYS);
            let mut visits = state.store.shopper_visits(&shopper, since).await?;
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
            if !matches!(reader.user.role, Role::Admin | Role::Reviewer) {
                // A mystery shop stays secret from the branch being shopped:
                // its managers see a visit only once its report is approved,
                // and never the shopper's name.
                visits.retain(|v| v.status == VisitStatus::Approved);
                hide_shopper = true;
            }
            visits
        }
    };
    visits.retain(|v| {
        query.status.is_none_or(|s| v.status == s)
            && query
                .overdue
                .is_none_or(|o| v.window.is_overdue(v.status, today) == o)
    });
    let mut visits = list_of(&state, visits, today).await?;
    if hide_shopper {
        for v in &mut visits {
            v.shopper = None;
            v.note = None;
        }
    }
    Ok(Json(visits))
}

/// The visits as the API shows them, each with its latest report and the
/// note a shopper needs.
async fn list_of(
    state: &AppState,
    visits: Vec<VisitRecord>,
    today: Date,
) -> Result<Vec<Visit>, ApiError> {
    let ids: Vec<Uuid> = visits.iter().map(|v| v.id).collect();
    let mut latest: HashMap<Uuid, ReportRow> = HashMap::new();
    // Oldest received first: the last one kept is the latest.
    for r in state.store.visit_reports(&ids).await? {
        if let Some(visit) = r.visit {
            latest.insert(visit, r);
        }
    }
    Ok(visits
        .into_iter()
        .map(|v| {
            let report = latest.get(&v.id);
            visit_of(v, report, today)
        })
        .collect())
}

async fn find(state: &AppState, id: Uuid) -> Result<VisitRecord, ApiError> {
    state
        .store
        .visit(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no visit {id}; GET /api/v1/visits lists them")))
}

fn label(s: VisitStatus) -> &'static str {
    crate::store::status_label(s)
}

fn status_conflict(id: Uuid, status: VisitStatus, what: &str) -> ApiError {
    ApiError::Conflict(format!(
        "visit {id} is {} and can no longer be {what}",
        label(status)
    ))
}

/// Store a coordinator's change to a visit that was `from`, audit it as
/// `action`, and answer with the visit as it now stands; 409 if another
/// change came first.
async fn replace(
    state: &AppState,
    who: &Coordinator,
    from: VisitStatus,
    record: VisitRecord,
    action: &str,
    detail: serde_json::Value,
) -> Result<Json<Visit>, ApiError> {
    let id = record.id;
    if !state.store.update_visit(&record, &[from]).await? {
        return Err(changed_meanwhile(id));
    }
    state
        .store
        .audit(&who.actor(), action, &id.to_string(), detail)
        .await?;
    let visit = list_of(state, vec![record], today()).await?.pop();
    Ok(Json(visit.expect("one visit in, one out")))
}

fn changed_meanwhile(id: Uuid) -> ApiError {
    ApiError::Conflict(format!(
        "visit {id} changed meanwhile; read it again and retry"
    ))
}

/// Now, to the millisecond both databases keep.
fn now_ms() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_millisecond(now.millisecond()).unwrap_or(now)
}

/// Today's date in UTC: what "overdue" is measured against.
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// What a visit's body says, checked.
struct Checked {
    branch: String,
    scenario: String,
    questionnaire_id: String,
    window: branchpulse_core::programme::Window,
    shopper: Option<String>,
}

/// What `new` asks for, or what is wrong with it.
fn check(state: &AppState, new: NewVisit) -> Result<Checked, ApiError> {
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
    Ok(Checked {
        branch: new.branch,
        scenario: scenario.to_owned(),
        questionnaire_id: new.questionnaire_id,
        window: new.window,
        shopper,
    })
}

fn visit_of(r: VisitRecord, report: Option<&ReportRow>, today: Date) -> Visit {
    let note = match r.status {
        VisitStatus::Cancelled => r.cancelled_reason.clone(),
        _ => report
            .filter(|p| matches!(p.status, ReportStatus::Returned | ReportStatus::Rejected))
            .and_then(|p| p.note.clone()),
    };
    Visit {
        id: r.id,
        branch: r.branch,
        scenario: r.scenario,
        questionnaire_id: r.questionnaire_id,
        due: r.window.to.to_string(),
        overdue: r.window.is_overdue(r.status, today),
        window: r.window,
        status: r.status,
        note,
        report: report.map(|p| p.id),
        created_at: r
            .created_at
            .format(&Rfc3339)
            .unwrap_or_else(|_| r.created_at.to_string()),
        shopper: r.shopper,
    }
}
