//! Webhooks, and the deliveries of alerts to them and to e-mail addresses
//! with the log of every attempt.
//!
//! A delivery is claimed by a guarded `UPDATE … SET lease_until` whose
//! `WHERE` repeats every condition of the rows it picked: of two servers
//! claiming at once, the second finds the row already leased (PostgreSQL
//! checks the conditions again on the row the first one wrote), so one
//! attempt is sent once. Its outcome is written only if nobody recorded an
//! attempt in between (`attempts` unchanged).

use super::{get_id, get_time, DbRow, Pool, B};
use crate::store::backend::Backend;
use crate::store::delivery::{Claimed, Finished, WebhookRow};
use crate::store::StoreError;
use branchpulse_core::alerts::{Alert, Finding};
use branchpulse_core::webhooks::{Attempt, Channel, Delivery, DeliveryStatus, NewWebhook};
use sqlx::Row;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

const WEBHOOK: &str = "id, name, url, secret, active, created_at";

fn webhook_of(row: &DbRow) -> Result<WebhookRow, StoreError> {
    Ok(WebhookRow {
        id: get_id(row, "id")?,
        name: row.try_get("name")?,
        url: row.try_get("url")?,
        secret: row.try_get("secret")?,
        active: row.try_get("active")?,
        created_at: get_time(row, "created_at")?,
    })
}

pub async fn webhooks(pool: &Pool) -> Result<Vec<WebhookRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {WEBHOOK} FROM webhooks ORDER BY created_at, id"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(webhook_of).collect()
}

pub async fn webhook(pool: &Pool, id: Uuid) -> Result<Option<WebhookRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {WEBHOOK} FROM webhooks WHERE id = $1"))
        .bind(B::id(id))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(webhook_of).transpose()
}

pub async fn add_webhook(pool: &Pool, w: &WebhookRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhooks (id, name, url, secret, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(B::id(w.id))
    .bind(&w.name)
    .bind(&w.url)
    .bind(&w.secret)
    .bind(w.active)
    .bind(B::time(w.created_at))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn update_webhook(
    pool: &Pool,
    id: Uuid,
    w: &NewWebhook,
) -> Result<Option<WebhookRow>, StoreError> {
    let row = sqlx::query(&format!(
        "UPDATE webhooks SET name = $1, url = $2, active = $3 WHERE id = $4 RETURNING {WEBHOOK}"
    ))
    .bind(&w.name)
    .bind(&w.url)
    .bind(w.active)
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(webhook_of).transpose()
}

pub async fn set_webhook_secret(
    pool: &Pool,
    id: Uuid,
    secret: &str,
) -> Result<Option<WebhookRow>, StoreError> {
    let row = sqlx::query(&format!(
        "UPDATE webhooks SET secret = $1 WHERE id = $2 RETURNING {WEBHOOK}"
    ))
    .bind(secret)
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(webhook_of).transpose()
}

pub async fn delete_webhook(pool: &Pool, id: Uuid) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM webhooks WHERE id = $1")
        .bind(B::id(id))
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn claim(
    pool: &Pool,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: u32,
) -> Result<Vec<Claimed>, StoreError> {
    const DUE: &str = "status = 'pending' AND next_at <= $2 \
                       AND (lease_until IS NULL OR lease_until <= $2)";
    let rows = sqlx::query(&format!(
        "UPDATE deliveries SET lease_until = $1 \
         WHERE id IN (SELECT id FROM deliveries WHERE {DUE} ORDER BY next_at, id LIMIT $3) \
         AND {DUE} \
         RETURNING id, alert_id, channel, target, attempts"
    ))
    .bind(B::time(lease_until))
    .bind(B::time(now))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let channel: String = row.try_get("channel")?;
            let attempts: i64 = row.try_get("attempts")?;
            Ok(Claimed {
                id: get_id(row, "id")?,
                alert: get_id(row, "alert_id")?,
                channel: Channel::parse(&channel).ok_or_else(|| {
                    StoreError::Corrupt(format!("delivery channel \"{channel}\""))
                })?,
                target: row.try_get("target")?,
                attempts: count(attempts, "attempts")?,
            })
        })
        .collect()
}

pub async fn finish(pool: &Pool, f: &Finished) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE deliveries SET status = $1, attempts = $2, next_at = $3, lease_until = NULL \
         WHERE id = $4 AND attempts = $5 AND status = 'pending'",
    )
    .bind(f.status.as_str())
    .bind(i64::from(f.attempt.attempt))
    .bind(B::time(f.next_at))
    .bind(B::id(f.id))
    .bind(i64::from(f.attempt.attempt.saturating_sub(1)))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    // The attempt was made either way: it is logged either way.
    sqlx::query(
        "INSERT INTO delivery_attempts (delivery_id, attempt, at, http_status, error, millis) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(B::id(f.id))
    .bind(i64::from(f.attempt.attempt))
    .bind(B::time(f.at))
    .bind(f.attempt.http_status.map(i64::from))
    .bind(f.attempt.error.as_deref())
    .bind(i64::try_from(f.attempt.millis).unwrap_or(i64::MAX))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done)
}

pub async fn alert(pool: &Pool, id: Uuid) -> Result<Option<Alert>, StoreError> {
    let row = sqlx::query(
        "SELECT a.id, a.rule_id, a.rule_name, a.branch, a.raised_at, a.finding, a.response_id, \
         (SELECT c.id FROM cases c WHERE c.alert_id = a.id) AS case_id \
         FROM alerts a WHERE a.id = $1",
    )
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let finding: String = row.try_get("finding")?;
    let finding: Finding = serde_json::from_str(&finding)
        .map_err(|e| StoreError::Corrupt(format!("alert {id}'s finding: {e}")))?;
    Ok(Some(Alert {
        id,
        rule: get_id(&row, "rule_id")?,
        rule_name: row.try_get("rule_name")?,
        branch: row.try_get("branch")?,
        raised_at: crate::store::access::rfc3339(get_time(&row, "raised_at")?),
        finding,
        response: super::get_opt_id(&row, "response_id")?,
        read: false,
        case: super::get_opt_id(&row, "case_id")?,
    }))
}

const DELIVERY: &str = "d.id, d.alert_id, d.channel, d.target, d.status, d.attempts, d.next_at";

pub async fn alert_deliveries(pool: &Pool, alert: Uuid) -> Result<Vec<Delivery>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY} FROM deliveries d WHERE d.alert_id = $1 ORDER BY d.channel DESC, d.target"
    ))
    .bind(B::id(alert))
    .fetch_all(pool)
    .await?;
    with_log(pool, &rows).await
}

pub async fn webhook_deliveries(
    pool: &Pool,
    webhook: Uuid,
    limit: u32,
) -> Result<Vec<Delivery>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY} FROM deliveries d JOIN alerts a ON a.id = d.alert_id \
         WHERE d.channel = 'webhook' AND d.target = $1 \
         ORDER BY a.raised_at DESC, d.id LIMIT $2"
    ))
    .bind(webhook.to_string())
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    with_log(pool, &rows).await
}

/// The deliveries of `rows`, each with its attempts (read in one query).
async fn with_log(pool: &Pool, rows: &[DbRow]) -> Result<Vec<Delivery>, StoreError> {
    let mut deliveries = rows
        .iter()
        .map(delivery_of)
        .collect::<Result<Vec<_>, _>>()?;
    if deliveries.is_empty() {
        return Ok(deliveries);
    }
    let ids: Vec<_> = deliveries.iter().map(|d| B::id(d.id)).collect();
    let attempts = sqlx::query(&format!(
        "SELECT delivery_id, attempt, at, http_status, error, millis FROM delivery_attempts \
         WHERE {} ORDER BY id",
        B::one_of("delivery_id", "$1")
    ))
    .bind(B::list(ids))
    .fetch_all(pool)
    .await?;
    let mut logs: HashMap<Uuid, Vec<Attempt>> = HashMap::new();
    for row in &attempts {
        let attempt: i64 = row.try_get("attempt")?;
        let http_status: Option<i64> = row.try_get("http_status")?;
        let error: Option<String> = row.try_get("error")?;
        let millis: i64 = row.try_get("millis")?;
        logs.entry(get_id(row, "delivery_id")?)
            .or_default()
            .push(Attempt {
                attempt: count(attempt, "attempt")?,
                at: crate::store::access::rfc3339(get_time(row, "at")?),
                delivered: error.is_none(),
                http_status: http_status.and_then(|s| u16::try_from(s).ok()),
                error,
                millis: u64::try_from(millis).unwrap_or(0),
            });
    }
    for d in &mut deliveries {
        d.log = logs.remove(&d.id).unwrap_or_default();
    }
    Ok(deliveries)
}

fn delivery_of(row: &DbRow) -> Result<Delivery, StoreError> {
    let channel: String = row.try_get("channel")?;
    let status: String = row.try_get("status")?;
    let attempts: i64 = row.try_get("attempts")?;
    let status = DeliveryStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("delivery status \"{status}\"")))?;
    Ok(Delivery {
        id: get_id(row, "id")?,
        alert: get_id(row, "alert_id")?,
        channel: Channel::parse(&channel)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery channel \"{channel}\"")))?,
        target: row.try_get("target")?,
        status,
        attempts: count(attempts, "attempts")?,
        next_at: (status == DeliveryStatus::Pending)
            .then(|| get_time(row, "next_at").map(crate::store::access::rfc3339))
            .transpose()?,
        log: Vec::new(),
    })
}

fn count(n: i64, column: &str) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|e| StoreError::Corrupt(format!("{column} {n}: {e}")))
}
