//! A reader's inbox: the alerts they may see (see the module above),
//! newest first, each with whether they opened it and the case made of it;
//! the unread count the frame's badge shows; marking read.

use crate::auth::scope::allows_code;
use crate::auth::Reader;
use crate::catalog::BranchStatus;
use crate::error::ApiError;
use crate::store::alerts::{AlertRow, Inbox, InboxFilter};
use crate::AppState;
use branchpulse_core::access::{Role, Scope};
use branchpulse_core::alerts::{Alert, AlertKind, Unread, MAX_PAGE, PAGE};
use branchpulse_core::ProblemCode;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// `GET /api/v1/alerts`'s parameters.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Only this branch's alerts.
    pub branch: Option<String>,
    /// Only alerts of this kind.
    pub kind: Option<AlertKind>,
    /// `true`: only those not opened yet; `false`: only those opened.
    pub unread: Option<bool>,
    /// Only those listed after this alert (the last of the page before).
    pub before: Option<Uuid>,
    /// How many, 1 to [`MAX_PAGE`]; [`PAGE`] when absent.
    pub limit: Option<u32>,
}

/// What `reader` may see: every alert for an admin; for anyone else the
/// alerts of rules naming their role, at the branches they read.
pub async fn inbox_of(state: &AppState, reader: &Reader) -> Result<Inbox, ApiError> {
    let user = reader.user.id;
    if reader.user.role == Role::Admin {
        return Ok(Inbox {
            user,
            rules: None,
            branches: None,
        });
    }
    let role = reader.user.role;
    let rules = state
        .store
        .alert_rules()
        .await?
        .into_iter()
        .filter(|r| r.def.recipients.roles.contains(&role))
        .map(|r| r.id)
        .collect();
    let branches = match &reader.scope {
        Scope::All => None,
        scope => Some(
            state
                .catalog
                .branches()
                .iter()
                .filter(|b| scope.allows(b))
                .map(|b| b.code.clone())
                .collect(),
        ),
    };
    Ok(Inbox {
        user,
        rules: Some(rules),
        branches,
    })
}

/// The alerts of `reader`'s inbox that `query` asks for, newest first.
pub async fn list(
    state: &AppState,
    reader: &Reader,
    query: ListQuery,
) -> Result<Vec<Alert>, ApiError> {
    let limit = query.limit.unwrap_or(PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(
            ApiError::BadRequest(format!("limit: must be 1 to {MAX_PAGE}, not {limit}"))
                .coded(ProblemCode::BadLimit)
                .at("limit"),
        );
    }
    if let Some(code) = &query.branch {
        if matches!(state.catalog.branch(code), BranchStatus::Unknown) {
            return Err(ApiError::NotFound(format!(
                "no branch \"{code}\"; GET /api/v1/branches lists them"
            )));
        }
        if !allows_code(&reader.scope, code, &state.catalog.branches()) {
            return Err(ApiError::Forbidden(format!(
                "branch: \"{code}\" is outside the branches your account reads"
            ))
            .coded(ProblemCode::OutsideScope)
            .at("branch"));
        }
    }
    let inbox = inbox_of(state, reader).await?;
    let before = match query.before {
        None => None,
        Some(id) => {
            let Some(row) = one(state, &inbox, id).await? else {
                return Err(ApiError::BadRequest(format!(
                    "before: no alert {id} in your inbox; send the id of the last alert listed"
                ))
                .coded(ProblemCode::BadQuery)
                .at("before"));
            };
            Some((row.raised_at, id))
        }
    };
    let filter = InboxFilter {
        id: None,
        branch: query.branch,
        kind: query.kind,
        read: query.unread.map(|unread| !unread),
        before,
        limit,
    };
    let rows = state.store.inbox(&inbox, &filter).await?;
    Ok(rows.into_iter().map(|r| r.alert).collect())
}

async fn one(state: &AppState, inbox: &Inbox, id: Uuid) -> Result<Option<AlertRow>, ApiError> {
    let filter = InboxFilter {
        id: Some(id),
        limit: 1,
        ..InboxFilter::default()
    };
    Ok(state.store.inbox(inbox, &filter).await?.pop())
}

/// Alert `id`, if `reader` may see it (404 otherwise, as if there were
/// none). Opening it is [`read`]'s doing, not this.
pub async fn get(state: &AppState, reader: &Reader, id: Uuid) -> Result<Alert, ApiError> {
    let inbox = inbox_of(state, reader).await?;
    one(state, &inbox, id)
        .await?
        .map(|row| row.alert)
        .ok_or_else(|| no_alert(id))
}

/// Mark alert `id` read by `reader`; the alert as it now stands.
pub async fn read(state: &AppState, reader: &Reader, id: Uuid) -> Result<Alert, ApiError> {
    let mut alert = get(state, reader, id).await?;
    if !alert.read {
        state
            .store
            .mark_read(reader.user.id, id, OffsetDateTime::now_utc())
            .await?;
        alert.read = true;
    }
    Ok(alert)
}

/// Mark every alert of `reader`'s inbox read; what is unread after.
pub async fn read_all(state: &AppState, reader: &Reader) -> Result<Unread, ApiError> {
    let inbox = inbox_of(state, reader).await?;
    state
        .store
        .mark_all_read(&inbox, OffsetDateTime::now_utc())
        .await?;
    Ok(Unread {
        count: state.store.unread(&inbox).await?,
    })
}

/// How many alerts of `reader`'s inbox are not opened yet.
pub async fn unread(state: &AppState, reader: &Reader) -> Result<Unread, ApiError> {
    let inbox = inbox_of(state, reader).await?;
    Ok(Unread {
        count: state.store.unread(&inbox).await?,
    })
}

fn no_alert(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no alert {id} in your inbox"))
}
