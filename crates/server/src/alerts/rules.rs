//! The alert rules admins set: checked with core's `NewRule::check` and
//! against the webhooks that exist, stored, and written to the audit log
//! (`alert_rule.create`, `.update`, `.delete`, naming the admin).

use crate::error::ApiError;
use crate::store::alerts::RuleDeleted;
use crate::AppState;
use branchpulse_core::access::Scope;
use branchpulse_core::alerts::{NewRule, Rule};
use branchpulse_core::ProblemCode;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// Store a new rule.
pub async fn create(state: &AppState, actor: &str, def: NewRule) -> Result<Rule, ApiError> {
    check(state, &def).await?;
    let rule = state
        .store
        .add_alert_rule(Uuid::new_v4(), &def, OffsetDateTime::now_utc())
        .await?;
    audit(state, actor, "alert_rule.create", &rule).await?;
    Ok(rule)
}

/// Replace rule `id`; 404 if there is none. Alerts it raised keep the
/// name it had then.
pub async fn update(
    state: &AppState,
    actor: &str,
    id: Uuid,
    def: NewRule,
) -> Result<Rule, ApiError> {
    check(state, &def).await?;
    let rule = state
        .store
        .update_alert_rule(id, &def, OffsetDateTime::now_utc())
        .await?
        .ok_or_else(|| no_rule(id))?;
    audit(state, actor, "alert_rule.update", &rule).await?;
    Ok(rule)
}

/// Delete rule `id` with the alerts it raised; 404 if there is none, 409
/// if a follow-up case was made of one of them (it stays: deactivate the
/// rule instead).
pub async fn delete(state: &AppState, actor: &str, id: Uuid) -> Result<(), ApiError> {
    match state.store.delete_alert_rule(id).await? {
        RuleDeleted::Done(alerts) => {
            state
                .store
                .audit(
                    actor,
                    "alert_rule.delete",
                    &id.to_string(),
                    json!({ "alerts": alerts }),
                )
                .await?;
            Ok(())
        }
        RuleDeleted::NoSuchRule => Err(no_rule(id)),
        RuleDeleted::HasCases => Err(ApiError::Conflict(format!(
            "rule {id} raised alerts that became follow-up cases; deactivate it \
             (\"active\": false) to keep them"
        ))),
    }
}

fn no_rule(id: Uuid) -> ApiError {
    ApiError::NotFound(format!(
        "no alert rule {id}; GET /api/v1/alert-rules lists them"
    ))
}

async fn audit(state: &AppState, actor: &str, action: &str, rule: &Rule) -> Result<(), ApiError> {
    let detail = json!({
        "name": rule.def.name,
        "kind": rule.def.rule.kind().as_str(),
        "active": rule.def.active,
    });
    state
        .store
        .audit(actor, action, &rule.id.to_string(), detail)
        .await?;
    Ok(())
}

/// 422 naming the field: core's checks, then the webhooks.
async fn check(state: &AppState, def: &NewRule) -> Result<(), ApiError> {
    // A branch or region just added on another replica is looked up again
    // before it is refused.
    let named = match &def.scope {
        Scope::All => true,
        Scope::Region(r) => state.catalog.branches().iter().any(|b| &b.region == r),
        Scope::Branch(c) => state.catalog.branches().iter().any(|b| &b.code == c),
    };
    if !named {
        if let Err(e) = state.catalog.refresh(&state.store).await {
            tracing::warn!(error = %e, "cannot check the catalog for changes");
        }
    }
    def.check(&state.catalog.branches())?;
    let unknown = state
        .store
        .unknown_webhooks(&def.recipients.webhooks)
        .await?;
    if let Some(id) = unknown.first() {
        return Err(ApiError::Unprocessable(format!(
            "recipients.webhooks: no webhook {id}; GET /api/v1/webhooks lists them"
        ))
        .coded(ProblemCode::UnknownWebhook)
        .at("recipients.webhooks"));
    }
    Ok(())
}
