//! Follow-up cases: made of an alert, owned by someone in charge of its
//! branch, moved open → in progress → resolved → customer informed, with
//! notes; counted per branch with the time they took to resolve.
//!
//! Who sees a case: whoever's scope includes its branch (admins and
//! reviewers all); anyone else is told there is no such case (404), as if
//! it did not exist. Who makes and changes one: its owner, any admin, and
//! the managers and regional managers of its branch (`cases::may_change`),
//! so a case does not wait on an owner who is away; reviewers read only.
//! Who reads the customer's contact details on it: its owner and admins
//! (`cases::may_see_contact`), on the case's own page, never in the list.
//! Every change writes its history lines and an audit line in the
//! transaction that makes it.

use crate::auth::scope::allows_code;
use crate::auth::Reader;
use crate::catalog::BranchStatus;
use crate::error::{ApiError, Json, Path, Query};
use crate::store::cases::{CaseQuery, CaseRow, CaseUpdate, NewCaseRow};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use branchpulse_core::access::{Role, Scope, User};
use branchpulse_core::aggregate::{Filter, FilterParams};
use branchpulse_core::cases::{
    check_change, check_due, check_note, may_change, may_own, may_see_contact, step_refusal, tally,
    Case, CaseChange, CaseCounts, CaseFacts, CaseStatus, NewCase,
};
use branchpulse_core::protocol::Branch;
use branchpulse_core::ProblemCode;
use serde::Deserialize;
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// `POST /api/v1/cases`: make a case of an alert the caller sees. 201 with
/// the case's page; 404 when there is no such alert (or the caller does
/// not see it); 409 when the alert has a case already; 422 naming `owner`,
/// `due` or `note`, and then nothing is stored.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "readers",
    request_body = branchpulse_core::cases::NewCase,
    responses(
        (status = 201, description = "The case, with its history", body = branchpulse_core::cases::Case),
        (status = 403, description = "The caller may not make cases (a reviewer)", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such alert, or not one the caller sees", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "The alert already has a case (`case_exists`)", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "The owner, due date or note will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    reader: Reader,
    Json(new): Json<NewCase>,
) -> Result<(StatusCode, Json<Case>), ApiError> {
    let note = check_note(&new.note)?;
    let branches = state.catalog.branches();
    let found = state.store.case_alert(new.alert).await?;
    let found = found.filter(|a| {
        let in_scope = in_scope(&reader.scope, &a.alert.branch, &branches);
        reader.user.role == Role::Admin || (a.roles.contains(&reader.user.role) && in_scope)
    });
    let Some(found) = found else {
        return Err(ApiError::NotFound(format!(
            "no alert {}; GET /api/v1/alerts lists yours",
            new.alert
        ))
        .at("alert"));
    };
    let alert = found.alert;
    // Nobody owns it yet: who may change the branch's cases may make one.
    if !may_change(
        &reader.user,
        Uuid::nil(),
        in_scope(&reader.scope, &alert.branch, &branches),
    ) {
        return Err(ApiError::Forbidden(
            "only the branch's managers, its regional managers and admins make cases".into(),
        ));
    }
    let now = now_ms();
    let due = check_due(&new.due, alert_day(&alert.raised_at)?, now.date())?;
    if let Some(case) = alert.case {
        return Err(taken(alert.id, case));
    }
    let owner = owner(&state, new.owner, &alert.branch, &branches).await?;
    let id = Uuid::new_v4();
    let made = state
        .store
        .add_case(&NewCaseRow {
            id,
            alert: alert.id,
            branch: &alert.branch,
            owner: owner.id,
            owner_name: &owner.username,
            due,
            note: note.as_deref(),
            by: &reader.user.username,
            actor: &actor(&reader.user),
            at: now,
        })
        .await?;
    if !made {
        // Another request made one meanwhile.
        let case = state
            .store
            .case_alert(alert.id)
            .await?
            .and_then(|a| a.alert.case);
        return Err(taken(alert.id, case.unwrap_or_default()));
    }
    let row = find(&state, &reader, id).await?;
    Ok((StatusCode::CREATED, Json(page(&state, &reader, row).await?)))
}

/// The query of `GET /api/v1/cases`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only cases in this status.
    status: Option<CaseStatus>,
    /// Only this branch's cases (a code).
    branch: Option<String>,
    /// `me`: only the caller's own cases.
    owner: Option<String>,
    /// true: only overdue cases; false: only those not overdue.
    overdue: Option<bool>,
}

/// `GET /api/v1/cases[?status=S&branch=CODE&owner=me&overdue=true]`: the
/// cases of the caller's branches, soonest due first; without contact
/// details or history (see the case's own page).
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "readers",
    params(ListQuery),
    responses(
        (status = 200, description = "The cases the caller sees, soonest due first", body = Vec<branchpulse_core::cases::Case>),
        (status = 400, description = "A parameter cannot be read, named", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "A branch outside the caller's scope", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such branch", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    reader: Reader,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<Case>>, ApiError> {
    let owner = match query.owner.as_deref() {
        None => None,
        Some("me") => Some(reader.user.id),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "owner: \"{other}\" is not a filter; use owner=me for your own cases"
            ))
            .coded(ProblemCode::BadQuery)
            .at("owner"))
        }
    };
    let branches = state.catalog.branches();
    let wanted = match &query.branch {
        Some(code) => {
            if matches!(state.catalog.branch(code), BranchStatus::Unknown) {
                return Err(ApiError::NotFound(format!(
                    "branch: no branch \"{code}\"; GET /api/v1/branches lists them"
                ))
                .at("branch"));
            }
            if !in_scope(&reader.scope, code, &branches) {
                return Err(ApiError::Forbidden(format!(
                    "branch: \"{code}\" is outside the branches your account reads"
                ))
                .coded(ProblemCode::OutsideScope)
                .at("branch"));
            }
            Some(vec![code.clone()])
        }
        None if reader.scope == Scope::All => None,
        None => Some(
            branches
                .iter()
                .filter(|b| reader.scope.allows(b))
                .map(|b| b.code.clone())
                .collect(),
        ),
    };
    let rows = state
        .store
        .cases(&CaseQuery {
            status: query.status,
            owner,
            branches: wanted,
        })
        .await?;
    let today = today();
    let cases = rows
        .iter()
        .map(|row| row.to_api(today))
        .filter(|case| query.overdue.is_none_or(|o| case.overdue == o))
        .collect();
    Ok(Json(cases))
}

/// `GET /api/v1/cases/{id}`: a case with its history, and the customer's
/// contact details for its owner and admins.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    tag = "readers",
    params(("id" = String, Path, description = "The case id (a UUID)")),
    responses(
        (status = 200, description = "The case, with its history", body = branchpulse_core::cases::Case),
        (status = 404, description = "No such case, or not one of the caller's branches", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn detail(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<Uuid>,
) -> Result<Json<Case>, ApiError> {
    let row = find(&state, &reader, id).await?;
    Ok(Json(page(&state, &reader, row).await?))
}

/// `PATCH /api/v1/cases/{id}`: a new owner, due date or status, or a note.
/// 409 for a status the case may not go to from where it stands (or when
/// another change came first); 422 naming the field that will not do;
/// nothing is changed then.
#[utoipa::path(
    patch,
    path = "/api/v1/cases/{id}",
    tag = "readers",
    params(("id" = String, Path, description = "The case id (a UUID)")),
    request_body = branchpulse_core::cases::CaseChange,
    responses(
        (status = 200, description = "The case as changed, with its history", body = branchpulse_core::cases::Case),
        (status = 403, description = "Neither its owner, an admin, nor a manager of its branch", body = branchpulse_core::protocol::ErrorBody),
        (status = 404, description = "No such case, or not one of the caller's branches", body = branchpulse_core::protocol::ErrorBody),
        (status = 409, description = "The status may not follow the case's (`case_step`), or the case changed meanwhile", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "The owner, due date or note will not do, or nothing to change", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn change(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<Uuid>,
    Json(change): Json<CaseChange>,
) -> Result<Json<Case>, ApiError> {
    if change.is_empty() {
        return Err(nothing_to_change());
    }
    let row = find(&state, &reader, id).await?;
    let branches = state.catalog.branches();
    let branch = &row.alert.branch;
    if !may_change(
        &reader.user,
        row.owner,
        in_scope(&reader.scope, branch, &branches),
    ) {
        return Err(ApiError::Forbidden(
            "only the case's owner, its branch's managers and regional managers, and admins change it"
                .into(),
        ));
    }
    let now = now_ms();
    let checked = check_change(&change, alert_day(&row.alert.raised_at)?, now.date())?;
    let new_owner = match checked.owner.filter(|o| *o != row.owner) {
        Some(o) => Some(owner(&state, o, branch, &branches).await?),
        None => None,
    };
    if let Some(to) = checked.status {
        if let Some(reason) = step_refusal(row.status, to) {
            return Err(ApiError::Conflict(reason)
                .coded(ProblemCode::CaseStep)
                .at("status"));
        }
    }
    let due = checked.due.filter(|d| *d != row.due);
    if new_owner.is_none() && due.is_none() && checked.status.is_none() && checked.note.is_none() {
        return Err(nothing_to_change());
    }
    let changed = state
        .store
        .change_case(&CaseUpdate {
            id,
            from: row.status,
            owner: new_owner.as_ref().map(|u| (u.id, u.username.as_str())),
            due,
            status: checked.status,
            note: checked.note.as_deref(),
            by: &reader.user.username,
            actor: &actor(&reader.user),
            at: now,
        })
        .await?;
    if !changed {
        return Err(ApiError::Conflict(format!(
            "case {id} changed meanwhile; read it again and retry"
        )));
    }
    let row = find(&state, &reader, id).await?;
    Ok(Json(page(&state, &reader, row).await?))
}

/// The query of `GET /api/v1/cases/stats`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day the cases were made, `YYYY-MM-DD` (UTC).
    from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC).
    to: Option<String>,
}

/// `GET /api/v1/cases/stats[?from=YYYY-MM-DD&to=YYYY-MM-DD]`: for each open
/// branch of the caller's (and each closed one with cases), the cases made
/// in those days: how many stand at each status, how many are overdue
/// today, and the median hours they took to resolve.
#[utoipa::path(
    get,
    path = "/api/v1/cases/stats",
    tag = "readers",
    params(StatsQuery),
    responses(
        (status = 200, description = "Counts per branch, by code", body = Vec<branchpulse_core::cases::CaseCounts>),
        (status = 400, description = "A date cannot be used, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn stats(
    State(state): State<AppState>,
    reader: Reader,
    Query(query): Query<StatsQuery>,
) -> Result<Json<Vec<CaseCounts>>, ApiError> {
    let filter = Filter::try_from(FilterParams {
        from: query.from,
        to: query.to,
        ..FilterParams::default()
    })?;
    let mut by_branch: BTreeMap<String, Vec<CaseFacts>> = BTreeMap::new();
    for (branch, facts) in state.store.case_facts(filter.from, filter.to).await? {
        by_branch.entry(branch).or_default().push(facts);
    }
    let today = today();
    let mut branches: Vec<Branch> = state
        .catalog
        .branches()
        .iter()
        .filter(|b| reader.scope.allows(b) && (b.active || by_branch.contains_key(&b.code)))
        .cloned()
        .collect();
    branches.sort_by(|a, b| a.code.cmp(&b.code));
    let counts = branches
        .iter()
        .map(|b| {
            let cases = by_branch
                .get(&b.code)
                .map(Vec::as_slice)
                .unwrap_or_default();
            tally(&b.code, cases, today)
        })
        .collect();
    Ok(Json(counts))
}

/// Case `id` if the reader's scope includes its branch; else 404, as for
/// no case at all.
async fn find(state: &AppState, reader: &Reader, id: Uuid) -> Result<CaseRow, ApiError> {
    let branches = state.catalog.branches();
    state
        .store
        .case(id)
        .await?
        .filter(|row| in_scope(&reader.scope, &row.alert.branch, &branches))
        .ok_or_else(|| ApiError::NotFound(format!("no case {id}; GET /api/v1/cases lists yours")))
}

/// The case's page for `reader`: its history, and its contact for its
/// owner and admins.
async fn page(state: &AppState, reader: &Reader, row: CaseRow) -> Result<Case, ApiError> {
    let mut case = row.to_api(today());
    case.history = state.store.case_history(row.id).await?;
    if row.has_contact && may_see_contact(&reader.user, row.owner) {
        if let Some(response) = row.alert.response {
            case.contact = state.store.contact(response).await?;
        }
    }
    Ok(case)
}

/// The account `id`, if it may own a case at `branch`; else 422 at `owner`.
async fn owner(
    state: &AppState,
    id: Uuid,
    branch: &str,
    branches: &[Branch],
) -> Result<User, ApiError> {
    let user = state.store.user(id).await?.map(|row| row.user);
    match user {
        Some(user) if may_own(&user, in_scope(&user.scope(), branch, branches)) => Ok(user),
        _ => Err(ApiError::Unprocessable(format!(
            "owner: {id} is not an active branch manager, regional manager or admin in charge of {branch}"
        ))
        .coded(ProblemCode::OwnerNotEligible)
        .at("owner")),
    }
}

/// Whether `scope` includes branch `code`. Every branch is an admin's,
/// even one the catalog no longer lists.
fn in_scope(scope: &Scope, code: &str, branches: &[Branch]) -> bool {
    *scope == Scope::All || allows_code(scope, code, branches)
}

fn taken(alert: Uuid, case: Uuid) -> ApiError {
    ApiError::Conflict(format!(
        "alert: alert {alert} is already followed up by case {case}"
    ))
    .coded(ProblemCode::CaseExists)
    .at("alert")
}

fn nothing_to_change() -> ApiError {
    ApiError::Unprocessable(
        "nothing to change: send an owner, a due date, a status or a note".into(),
    )
    .coded(ProblemCode::NothingToChange)
}

/// The UTC day an alert was raised.
fn alert_day(raised_at: &str) -> Result<Date, ApiError> {
    OffsetDateTime::parse(raised_at, &Rfc3339)
        .map(|t| t.date())
        .map_err(|e| ApiError::Internal(format!("alert raised at \"{raised_at}\": {e}")))
}

fn actor(user: &User) -> String {
    format!("user:{}", user.username)
}

/// Now, to the millisecond both databases keep.
fn now_ms() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_millisecond(now.millisecond()).unwrap_or(now)
}

/// Today in UTC: what "overdue" is measured against.
fn today() -> Date {
    OffsetDateTime::now_utc().date()
}
