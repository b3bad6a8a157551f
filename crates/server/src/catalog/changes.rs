//! What admins change in the catalog: questionnaire uploads and
//! activations, new and changed branches. Each is stored in one
//! transaction that bumps the catalog's generation, then this server
//! reloads at once (other servers notice within their reload interval),
//! and the audit log gets a line naming the admin (`actor`, `user:<name>`).

use crate::catalog;
use crate::error::ApiError;
use crate::store::catalog::{Added, Removed};
use crate::AppState;
use branchpulse_core::access::{self, QuestionnaireVersion};
use branchpulse_core::protocol::{Branch, Format, QuestionnaireSummary};
use branchpulse_core::questionnaire;
use branchpulse_core::ProblemCode;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Largest questionnaire file accepted for upload (the defaults are ~30 KiB).
pub const MAX_QUESTIONNAIRE_BYTES: usize = 1024 * 1024;

/// Questionnaire ids that would hide an API path (`GET /questionnaires/all`).
const RESERVED_IDS: [&str; 1] = ["all"];

/// Check and store an uploaded questionnaire file, kept as sent. It is not
/// active unless it is the first version of its id.
pub async fn upload(
    state: &AppState,
    actor: &str,
    json: &str,
) -> Result<QuestionnaireVersion, ApiError> {
    // Parsing and checking take time linear in the file (at most
    // MAX_QUESTIONNAIRE_BYTES), still too long to hold an async worker.
    let text = json.to_owned();
    let q =
        tokio::task::spawn_blocking(move || questionnaire::load("uploaded questionnaire", &text))
            .await
            .map_err(|e| ApiError::Internal(format!("checking an uploaded questionnaire: {e}")))?
            .map_err(ApiError::from)?;
    if RESERVED_IDS.contains(&q.id.as_str()) {
        return Err(ApiError::Unprocessable(format!(
            "uploaded questionnaire: field \"id\": \"{}\" is reserved; choose another id",
            q.id
        ))
        .coded(ProblemCode::ReservedId)
        .at("id"));
    }
    let now = OffsetDateTime::now_utc();
    let row = catalog::stored(&q, json.to_owned(), Some(now));
    match state.store.add_questionnaire(&row).await? {
        Added::Exists => Err(ApiError::Conflict(match q.version.checked_add(1) {
            Some(next) => format!(
                "questionnaire \"{}\" version {} exists; upload it as version {next} or later",
                q.id, q.version
            ),
            None => format!(
                "questionnaire \"{}\" version {} exists; upload it under another id",
                q.id, q.version
            ),
        })
        .coded(ProblemCode::QuestionnaireVersionExists)
        .at("version")),
        Added::Stored { active } => {
            reload(state).await;
            let target = format!("{}/{}", q.id, q.version);
            let detail = json!({ "kind": row.kind, "active": active, "bytes": json.len() });
            state
                .store
                .audit(actor, "questionnaire.upload", &target, detail)
                .await?;
            Ok(QuestionnaireVersion {
                summary: QuestionnaireSummary::from(&q),
                active,
                uploaded_at: now.format(&Rfc3339).ok(),
            })
        }
    }
}

/// Make a stored version the one devices are given.
pub async fn activate(
    state: &AppState,
    actor: &str,
    id: &str,
    version: u32,
) -> Result<(), ApiError> {
    if !state.store.activate_questionnaire(id, version).await? {
        return Err(ApiError::NotFound(format!(
            "no questionnaire \"{id}\" version {version}; GET /api/v1/questionnaires/all lists them"
        )));
    }
    reload(state).await;
    let target = format!("{id}/{version}");
    state
        .store
        .audit(actor, "questionnaire.activate", &target, json!({}))
        .await?;
    Ok(())
}

/// Add a branch at the end of the list.
pub async fn create_branch(
    state: &AppState,
    actor: &str,
    branch: Branch,
) -> Result<Branch, ApiError> {
    access::check_branch(&branch)?;
    access::check_branch_format(&branch, &state.catalog.formats())?;
    let now = OffsetDateTime::now_utc();
    if !state.store.add_branch(&branch, now).await? {
        return Err(ApiError::Conflict(format!(
            "code: branch \"{}\" exists; change it with PUT /api/v1/branches/{}",
            branch.code, branch.code
        ))
        .coded(ProblemCode::BranchExists)
        .at("code"));
    }
    reload(state).await;
    state
        .store
        .audit(actor, "branch.create", &branch.code, detail(&branch))
        .await?;
    Ok(branch)
}

/// Change a branch's name, region or whether it is open (`active: false`
/// closes it: its devices' responses are refused; it is never deleted,
/// since stored responses name it).
pub async fn update_branch(
    state: &AppState,
    actor: &str,
    code: &str,
    branch: Branch,
) -> Result<Branch, ApiError> {
    if branch.code != code {
        return Err(ApiError::Unprocessable(format!(
            "code: \"{}\" differs from the address's \"{code}\"; a branch's code cannot change",
            branch.code
        ))
        .coded(ProblemCode::BranchCodeChanged)
        .at("code"));
    }
    access::check_branch(&branch)?;
    access::check_branch_format(&branch, &state.catalog.formats())?;
    if !state
        .store
        .update_branch(&branch, OffsetDateTime::now_utc())
        .await?
    {
        return Err(ApiError::NotFound(format!(
            "no branch \"{code}\"; POST /api/v1/branches creates one"
        )));
    }
    reload(state).await;
    state
        .store
        .audit(actor, "branch.update", &branch.code, detail(&branch))
        .await?;
    Ok(branch)
}

fn detail(branch: &Branch) -> serde_json::Value {
    json!({ "name": branch.name, "region": branch.region, "active": branch.active,
            "format": branch.format })
}

/// Add a format at the end of the list.
pub async fn create_format(
    state: &AppState,
    actor: &str,
    format: Format,
) -> Result<Format, ApiError> {
    access::check_format(&format)?;
    if !state
        .store
        .add_format(&format, OffsetDateTime::now_utc())
        .await?
    {
        return Err(ApiError::Conflict(format!(
            "code: format \"{}\" exists; rename it with PUT /api/v1/formats/{}",
            format.code, format.code
        ))
        .coded(ProblemCode::FormatExists)
        .at("code"));
    }
    reload(state).await;
    state
        .store
        .audit(
            actor,
            "format.create",
            &format.code,
            json!({ "name": format.name }),
        )
        .await?;
    Ok(format)
}

/// Rename a format (its code, which branches name, stays).
pub async fn update_format(
    state: &AppState,
    actor: &str,
    code: &str,
    format: Format,
) -> Result<Format, ApiError> {
    if format.code != code {
        return Err(ApiError::Unprocessable(format!(
            "code: \"{}\" differs from the address's \"{code}\"; a format's code cannot change",
            format.code
        ))
        .coded(ProblemCode::BranchCodeChanged)
        .at("code"));
    }
    access::check_format(&format)?;
    if !state
        .store
        .update_format(&format, OffsetDateTime::now_utc())
        .await?
    {
        return Err(ApiError::NotFound(format!(
            "no format \"{code}\"; POST /api/v1/formats creates one"
        )));
    }
    reload(state).await;
    state
        .store
        .audit(actor, "format.update", code, json!({ "name": format.name }))
        .await?;
    Ok(format)
}

/// Remove a format no branch has.
pub async fn remove_format(state: &AppState, actor: &str, code: &str) -> Result<(), ApiError> {
    match state.store.remove_format(code).await? {
        Removed::Removed => {}
        Removed::Unknown => {
            return Err(ApiError::NotFound(format!("no format \"{code}\"")));
        }
        Removed::InUse(n) => {
            return Err(ApiError::Conflict(format!(
                "code: {n} branches have format \"{code}\"; give them another first"
            ))
            .coded(ProblemCode::FormatInUse)
            .at("code"));
        }
    }
    reload(state).await;
    state
        .store
        .audit(actor, "format.remove", code, json!({}))
        .await?;
    Ok(())
}

/// The change is stored: a failed reload must not turn it into an error
/// for the admin. It is logged, and the watcher's next check (the
/// generation differs) loads it.
async fn reload(state: &AppState) {
    if let Err(e) = state.catalog.reload(&state.store).await {
        tracing::warn!(error = %e, "catalog changed, but reloading it failed; retrying at the next check");
    }
}
