//! Alerts: raised inside the transaction that stores (or approves, or
//! sweeps) what they are about, once per rule and dedup key, with one
//! delivery queued per webhook and e-mail address the rule names.
//!
//! Every path that raises an alert (ingest, approval, the contact request,
//! the silent-kiosk sweep) goes through [`raise`], so the uniqueness of
//! `(rule_id, dedup_key)` is what stands between two replicas (or a resent
//! batch) and a second alert.

use super::{get_id, B};
use crate::store::backend::Backend;
use crate::store::StoreError;
use branchpulse_core::alerts::{Finding, NewRule, Rule};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

type Conn = <B as sqlx::Database>::Connection;

/// An alert to raise.
pub struct Raise<'a> {
    pub rule: &'a Rule,
    /// `alerts::response_key`, `burst_key`, `silent_key`, … : at most one
    /// alert per rule and key, ever.
    pub key: String,
    pub branch: &'a str,
    pub finding: &'a Finding,
    pub response: Option<Uuid>,
    pub device: Option<Uuid>,
    pub at: OffsetDateTime,
}

/// Raise `r` in the caller's transaction: the new alert's id, or `None`
/// when the rule already raised one with this key (here or on another
/// replica). Its deliveries are queued, due at once.
pub async fn raise(tx: &mut Conn, r: &Raise<'_>) -> Result<Option<Uuid>, StoreError> {
    let id = Uuid::new_v4();
    let finding = serde_json::to_string(r.finding)
        .map_err(|e| StoreError::Corrupt(format!("an alert's finding cannot be written: {e}")))?;
    let inserted = sqlx::query(
        "INSERT INTO alerts (id, rule_id, rule_name, dedup_key, kind, branch, raised_at, \
         finding, response_id, device_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (rule_id, dedup_key) DO NOTHING",
    )
    .bind(B::id(id))
    .bind(B::id(r.rule.id))
    .bind(&r.rule.def.name)
    .bind(&r.key)
    .bind(r.rule.def.rule.kind().as_str())
    .bind(r.branch)
    .bind(B::time(r.at))
    .bind(finding)
    .bind(r.response.map(B::id))
    .bind(r.device.map(B::id))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(None);
    }
    let recipients = &r.rule.def.recipients;
    let targets = recipients
        .webhooks
        .iter()
        .map(|w| ("webhook", w.to_string()))
        .chain(recipients.emails.iter().map(|e| ("email", e.clone())));
    for (channel, target) in targets {
        sqlx::query(
            "INSERT INTO deliveries (id, alert_id, channel, target, next_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (alert_id, channel, target) DO NOTHING",
        )
        .bind(B::id(Uuid::new_v4()))
        .bind(B::id(id))
        .bind(channel)
        .bind(target)
        .bind(B::time(r.at))
        .execute(&mut *tx)
        .await?;
    }
    Ok(Some(id))
}

/// The active rules, read in the caller's transaction (there are few).
pub async fn active_rules(tx: &mut Conn) -> Result<Vec<Rule>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, definition, updated_at FROM alert_rules WHERE active = TRUE ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|row| {
            let id = get_id(row, "id")?;
            let definition: String = row.try_get("definition")?;
            let def: NewRule = serde_json::from_str(&definition)
                .map_err(|e| StoreError::Corrupt(format!("alert rule {id}: {e}")))?;
            let updated_at = super::get_time(row, "updated_at")?;
            Ok(Rule {
                id,
                def,
                updated_at: crate::store::access::rfc3339(updated_at),
            })
        })
        .collect()
}
