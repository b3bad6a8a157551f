//! Quarterly visit quotas per branch: how many approved visits the bank
//! wants, beside how many are planned, approved and overdue.

use crate::auth::extract::Coordinator;
use crate::catalog::BranchStatus;
use crate::error::{ApiError, Json, Query};
use crate::AppState;
use axum::extract::State;
use branchpulse_core::programme::{Quarter, QuotaRow, Quotas, VisitStatus};
use branchpulse_core::ProblemCode;
use serde::Deserialize;
use std::collections::HashMap;

/// The largest target a branch may have in a quarter.
pub const MAX_TARGET: u32 = 1000;

#[derive(Debug, Deserialize)]
pub struct QuotaQuery {
    quarter: Option<String>,
}

/// `GET /api/v1/quotas[?quarter=2026-Q1]`: every open branch's target and
/// progress in the quarter (this quarter when left out).
#[utoipa::path(
    get,
    path = "/api/v1/quotas",
    tag = "admins",
    params(("quarter" = Option<String>, Query, description = "The quarter, e.g. 2026-Q1; this one when left out")),
    responses(
        (status = 200, description = "Every open branch's quota and progress", body = Vec<QuotaRow>),
        (status = 400, description = "Not a quarter", body = branchpulse_core::protocol::ErrorBody),
        (status = 403, description = "Neither an admin nor a reviewer", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    _who: Coordinator,
    Query(query): Query<QuotaQuery>,
) -> Result<Json<Vec<QuotaRow>>, ApiError> {
    let quarter = match query.quarter.as_deref() {
        None => Quarter::of(super::visits::today()),
        Some(text) => Quarter::parse(text).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "quarter: \"{text}\" is not a quarter written like 2026-Q1"
            ))
            .coded(ProblemCode::BadQuery)
            .at("quarter")
        })?,
    };
    Ok(Json(rows(&state, quarter).await?))
}

async fn rows(state: &AppState, quarter: Quarter) -> Result<Vec<QuotaRow>, ApiError> {
    let key = quarter.to_string();
    let (first, last) = quarter.days();
    let targets: HashMap<String, i64> = state.store.quotas(&key).await?.into_iter().collect();
    let today = super::visits::today();
    let mut counts: HashMap<String, (u32, u32, u32)> = HashMap::new();
    for v in state.store.visits_due(first, last).await? {
        if v.status == VisitStatus::Cancelled {
            continue;
        }
        let c = counts.entry(v.branch.clone()).or_default();
        c.0 += 1;
        c.1 += u32::from(v.status == VisitStatus::Approved);
        c.2 += u32::from(v.window.is_overdue(v.status, today));
    }
    Ok(state
        .catalog
        .branches()
        .iter()
        .filter(|b| b.active)
        .map(|b| {
            let (planned, approved, overdue) = counts.get(&b.code).copied().unwrap_or_default();
            QuotaRow {
                branch: b.code.clone(),
                quarter: key.clone(),
                target: targets
                    .get(&b.code)
                    .and_then(|t| u32::try_from(*t).ok())
                    .unwrap_or(0),
                planned,
                approved,
                overdue,
            }
        })
        .collect())
}

/// `PUT /api/v1/quotas`: set branches' targets for a quarter (the ones
/// left out keep theirs). 422 naming the field, with nothing changed,
/// when the quarter, a branch or a target will not do.
#[utoipa::path(
    put,
    path = "/api/v1/quotas",
    tag = "admins",
    request_body = Quotas,
    responses(
        (status = 200, description = "Every open branch's quota and progress in the quarter", body = Vec<QuotaRow>),
        (status = 403, description = "Neither an admin nor a reviewer", body = branchpulse_core::protocol::ErrorBody),
        (status = 422, description = "The quarter, a branch or a target will not do, named", body = branchpulse_core::protocol::ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn set(
    State(state): State<AppState>,
    who: Coordinator,
    Json(body): Json<Quotas>,
) -> Result<Json<Vec<QuotaRow>>, ApiError> {
    let quarter = Quarter::parse(&body.quarter).ok_or_else(|| {
        ApiError::Unprocessable(format!(
            "quarter: \"{}\" is not a quarter written like 2026-Q1",
            body.quarter
        ))
        .coded(ProblemCode::BadDate)
        .at("quarter")
    })?;
    let mut targets = Vec::with_capacity(body.targets.len());
    for (i, t) in body.targets.iter().enumerate() {
        if matches!(state.catalog.branch(&t.branch), BranchStatus::Unknown) {
            let field = format!("targets[{i}].branch");
            return Err(ApiError::Unprocessable(format!(
                "{field}: no branch \"{}\"; GET /api/v1/branches lists them",
                t.branch
            ))
            .coded(ProblemCode::UnknownBranch)
            .at(field));
        }
        if t.target > MAX_TARGET {
            let field = format!("targets[{i}].target");
            return Err(ApiError::Unprocessable(format!(
                "{field}: {} is more than {MAX_TARGET} visits in a quarter",
                t.target
            ))
            .coded(ProblemCode::BadLimit)
            .at(field));
        }
        targets.push((t.branch.clone(), t.target));
    }
    let key = quarter.to_string();
    state.store.set_quotas(&key, &targets).await?;
    state
        .store
        .audit(
            &who.actor(),
            "quota.set",
            &key,
            serde_json::json!({ "targets": body.targets.iter().map(|t| (&t.branch, t.target)).collect::<Vec<_>>() }),
        )
        .await?;
    Ok(Json(rows(&state, quarter).await?))
}
