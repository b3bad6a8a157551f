//! What admins do with webhooks: make one (its secret made here and shown
//! once), change, switch off or delete it, give it a new secret, send it a
//! test, and read its delivery log. Each change writes an audit line; the
//! URL is not in it (some receivers take a token in their URL), only its
//! host.

use super::{now_ms, Sent};
use crate::auth::secret;
use crate::error::ApiError;
use crate::store::delivery::WebhookRow;
use crate::AppState;
use branchpulse_core::webhooks::{
    check_webhook, Attempt, Delivery, Event, NewWebhook, Webhook, WebhookSecret,
};
use serde_json::json;
use std::time::Instant;
use uuid::Uuid;

/// A new signing secret: 256 random bits, URL-safe base64, with a prefix
/// that says what it is (in a receiver's settings, or a leaked file).
fn new_secret() -> String {
    format!("whsec_{}", secret::token())
}

fn no_such(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no webhook {id}; GET /api/v1/webhooks lists them"))
}

/// The host (and port) of a checked URL: what the audit log says of it.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    &rest[..rest.find(['/', '?']).unwrap_or(rest.len())]
}

fn with_secret(row: &WebhookRow) -> WebhookSecret {
    WebhookSecret {
        webhook: row.to_api(),
        secret: row.secret.clone(),
    }
}

/// Every webhook, secrets as hints.
pub async fn list(state: &AppState) -> Result<Vec<Webhook>, ApiError> {
    let rows = state.store.webhooks().await?;
    Ok(rows.iter().map(WebhookRow::to_api).collect())
}

/// Check and store a new webhook with a new secret.
pub async fn create(
    state: &AppState,
    actor: &str,
    new: NewWebhook,
) -> Result<WebhookSecret, ApiError> {
    check_webhook(&new)?;
    let row = WebhookRow {
        id: Uuid::new_v4(),
        name: new.name,
        url: new.url,
        secret: new_secret(),
        active: new.active,
        created_at: now_ms(),
    };
    state.store.add_webhook(&row).await?;
    let detail = json!({"name": row.name, "host": host(&row.url), "active": row.active});
    state
        .store
        .audit(actor, "webhook.create", &row.id.to_string(), detail)
        .await?;
    Ok(with_secret(&row))
}

/// Change a webhook's name, URL and switch; its secret stays.
pub async fn update(
    state: &AppState,
    actor: &str,
    id: Uuid,
    new: NewWebhook,
) -> Result<Webhook, ApiError> {
    check_webhook(&new)?;
    let row = state
        .store
        .update_webhook(id, &new)
        .await?
        .ok_or_else(|| no_such(id))?;
    let detail = json!({"name": row.name, "host": host(&row.url), "active": row.active});
    state
        .store
        .audit(actor, "webhook.update", &id.to_string(), detail)
        .await?;
    Ok(row.to_api())
}

/// Give a webhook a new secret; the old one signs nothing from now on.
pub async fn rotate(state: &AppState, actor: &str, id: Uuid) -> Result<WebhookSecret, ApiError> {
    let row = state
        .store
        .set_webhook_secret(id, &new_secret())
        .await?
        .ok_or_else(|| no_such(id))?;
    state
        .store
        .audit(actor, "webhook.secret", &id.to_string(), json!({}))
        .await?;
    Ok(with_secret(&row))
}

/// Delete a webhook; its delivery log stays with the alerts.
pub async fn delete(state: &AppState, actor: &str, id: Uuid) -> Result<(), ApiError> {
    if !state.store.delete_webhook(id).await? {
        return Err(no_such(id));
    }
    state
        .store
        .audit(actor, "webhook.delete", &id.to_string(), json!({}))
        .await?;
    Ok(())
}

/// Post a signed `webhook.test` event to a webhook now (switched off or
/// not) and say what came of it. Nothing is queued or retried.
pub async fn test(state: &AppState, actor: &str, id: Uuid) -> Result<Attempt, ApiError> {
    let row = state.store.webhook(id).await?.ok_or_else(|| no_such(id))?;
    let at = now_ms();
    let event = Event::Test {
        webhook: id,
        sent_at: crate::store::access::rfc3339(at),
    };
    let body = serde_json::to_vec(&event).expect("an event always serializes");
    let started = Instant::now();
    let Sent {
        http_status, error, ..
    } = state
        .senders
        .poster
        .post(
            &row.url,
            &row.secret,
            Uuid::new_v4(),
            at.unix_timestamp(),
            body,
        )
        .await;
    let attempt = Attempt {
        attempt: 1,
        at: crate::store::access::rfc3339(at),
        delivered: error.is_none(),
        http_status,
        error,
        millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let detail = json!({"delivered": attempt.delivered, "http_status": attempt.http_status});
    state
        .store
        .audit(actor, "webhook.test", &id.to_string(), detail)
        .await?;
    Ok(attempt)
}

/// The latest `limit` deliveries to a webhook, with their attempts.
pub async fn deliveries(state: &AppState, id: Uuid, limit: u32) -> Result<Vec<Delivery>, ApiError> {
    if state.store.webhook(id).await?.is_none() {
        return Err(no_such(id));
    }
    Ok(state.store.webhook_deliveries(id, limit).await?)
}

/// An alert's deliveries, with their attempts.
pub async fn alert_deliveries(state: &AppState, alert: Uuid) -> Result<Vec<Delivery>, ApiError> {
    if state.store.delivered_alert(alert).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "no alert {alert}; GET /api/v1/alerts lists them"
        )));
    }
    Ok(state.store.alert_deliveries(alert).await?)
}
