//! Contact requests: stored once per id and per response, with their
//! alerts raised in the same transaction.

use super::alerts::{active_rules, raise, Raise};
use super::{get_id, get_time, Pool, B};
use crate::store::backend::Backend;
use crate::store::contacts::ContactRecord;
use crate::store::StoreError;
use branchpulse_core::alerts::{AlertKind, Finding};
use branchpulse_core::cases::ContactWay;
use branchpulse_core::protocol::Branch;
use branchpulse_core::Locale;
use sqlx::Row;
use uuid::Uuid;

fn way_name(way: ContactWay) -> &'static str {
    match way {
        ContactWay::Phone => "phone",
        ContactWay::Email => "email",
    }
}

/// The dedup key of a contact request's alerts: one per rule and response.
pub fn alert_key(response: Uuid) -> String {
    format!("contact:{response}")
}

/// `DO NOTHING` without a target covers both keys, the id and the
/// response: on PostgreSQL a second replica inserting either waits for the
/// first one's transaction, then does nothing, so only the transaction
/// that stored the contact raises its alerts (and `raise` itself keeps one
/// alert per rule and key besides).
pub async fn add(
    pool: &Pool,
    c: &ContactRecord,
    branch: &Branch,
    device: Uuid,
) -> Result<Option<usize>, StoreError> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO contacts (id, response_id, branch, way, value, locale, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(B::id(c.id))
    .bind(B::id(c.response))
    .bind(&c.branch)
    .bind(way_name(c.way))
    .bind(&c.value)
    .bind(c.locale.tag())
    .bind(B::time(c.received_at))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(None);
    }
    let rules = active_rules(&mut tx).await?;
    let finding = Finding::ContactRequest;
    let mut raised = 0;
    for rule in rules
        .iter()
        .filter(|r| r.def.rule.kind() == AlertKind::ContactRequest && r.def.scope.allows(branch))
    {
        let alert = Raise {
            rule,
            key: alert_key(c.response),
            branch: &c.branch,
            finding: &finding,
            response: Some(c.response),
            device: Some(device),
            at: c.received_at,
        };
        if raise(&mut tx, &alert).await?.is_some() {
            raised += 1;
        }
    }
    tx.commit().await?;
    Ok(Some(raised))
}

pub async fn get(pool: &Pool, id: Uuid) -> Result<Option<ContactRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, response_id, branch, way, value, locale, received_at \
         FROM contacts WHERE id = $1",
    )
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let way: String = row.try_get("way")?;
    let locale: String = row.try_get("locale")?;
    let corrupt =
        |what: &str, value: &str| StoreError::Corrupt(format!("contact {id}: {what} \"{value}\""));
    Ok(Some(ContactRecord {
        id: get_id(&row, "id")?,
        response: get_id(&row, "response_id")?,
        branch: row.try_get("branch")?,
        way: match way.as_str() {
            "phone" => ContactWay::Phone,
            "email" => ContactWay::Email,
            other => return Err(corrupt("way", other)),
        },
        value: row.try_get("value")?,
        locale: Locale::from_tag(&locale).ok_or_else(|| corrupt("locale", &locale))?,
        received_at: get_time(&row, "received_at")?,
    }))
}
