//! Copying a bank's data from one database to another (the SQLite to
//! PostgreSQL migration): what is read from the source whole, and what is
//! written to the target unless it is there already, so a second run skips
//! what the first copied.

use super::access::{device_of, insert_user, user_of, DEVICE, USER};
use super::{get_id, get_opt_id, get_time, DbRow, Pool, B};
use crate::store::access::kind_label;
use crate::store::backend::Backend;
use crate::store::copy::{AccountRows, AccountsCopied, AuditLine, DeviceCopy};
use crate::store::{Record, StoreError};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

const RESPONSE: &str = "id, questionnaire_id, questionnaire_version, branch, device_id, channel, \
     locale, started_at, submitted_at, received_at, payload, payload_hash, enrolled_device, held";

fn record_of(row: &DbRow) -> Result<Record, StoreError> {
    let version: i64 = row.try_get("questionnaire_version")?;
    Ok(Record {
        id: get_id(row, "id")?,
        questionnaire_id: row.try_get("questionnaire_id")?,
        questionnaire_version: u32::try_from(version)
            .map_err(|e| StoreError::Corrupt(format!("questionnaire_version {version}: {e}")))?,
        branch: row.try_get("branch")?,
        device_id: row.try_get("device_id")?,
        channel: row.try_get("channel")?,
        locale: row.try_get("locale")?,
        started_at: get_time(row, "started_at")?,
        submitted_at: get_time(row, "submitted_at")?,
        received_at: get_time(row, "received_at")?,
        payload: row.try_get("payload")?,
        payload_hash: row.try_get("payload_hash")?,
        facts: None,
        enrolled_device: get_opt_id(row, "enrolled_device")?,
        report: None,
        held: row.try_get("held")?,
    })
}

pub async fn records_after(
    pool: &Pool,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<Record>, StoreError> {
    // A range on the key, so that each page starts where the last ended.
    let sql = format!(
        "SELECT {RESPONSE} FROM responses WHERE {} ORDER BY id LIMIT $2",
        if after.is_some() {
            "id > $1"
        } else {
            "$1 IS NULL"
        }
    );
    let rows = sqlx::query(&sql)
        .bind(after.map(B::id))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(record_of).collect()
}

/// Every (id, payload_hash), by id. Both databases order ids alike:
/// lowercase hyphenated text sorts as the UUID's bytes do.
pub async fn id_hashes(pool: &Pool) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query("SELECT id, payload_hash FROM responses ORDER BY id")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| Ok((get_id(row, "id")?.to_string(), row.try_get("payload_hash")?)))
        .collect()
}

pub async fn purged(pool: &Pool) -> Result<Vec<(Uuid, OffsetDateTime)>, StoreError> {
    let rows =
        sqlx::query("SELECT id, purged_at FROM responses WHERE purged_at IS NOT NULL ORDER BY id")
            .fetch_all(pool)
            .await?;
    rows.iter()
        .map(|row| Ok((get_id(row, "id")?, get_time(row, "purged_at")?)))
        .collect()
}

pub async fn set_purged(pool: &Pool, id: Uuid, at: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query("UPDATE responses SET purged_at = $1 WHERE id = $2")
        .bind(B::time(at))
        .bind(B::id(id))
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn accounts(pool: &Pool) -> Result<AccountRows, StoreError> {
    let users = sqlx::query(&format!("SELECT {USER} FROM users ORDER BY created_at, id"))
        .fetch_all(pool)
        .await?
        .iter()
        .map(user_of)
        .collect::<Result<_, _>>()?;
    let devices = sqlx::query(&format!(
        "SELECT {DEVICE}, code_hash, token_hash FROM devices ORDER BY created_at, id"
    ))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        Ok(DeviceCopy {
            row: device_of(row)?,
            code_hash: row.try_get("code_hash")?,
            token_hash: row.try_get("token_hash")?,
        })
    })
    .collect::<Result<_, StoreError>>()?;
    let audit =
        sqlx::query("SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(AuditLine {
                    id: row.try_get("id")?,
                    at: get_time(row, "at")?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    target: row.try_get("target")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
    Ok(AccountRows {
        users,
        devices,
        audit,
    })
}

/// In one transaction. A user whose name another account holds here is
/// skipped and named, never merged.
pub async fn add_accounts(pool: &Pool, rows: &AccountRows) -> Result<AccountsCopied, StoreError> {
    let mut copied = AccountsCopied::default();
    let mut tx = pool.begin().await?;
    for u in &rows.users {
        let done = insert_user(&mut tx, u).await?;
        if done {
            copied.users_copied += 1;
        } else {
            let row = sqlx::query("SELECT id FROM users WHERE username = $1")
                .bind(&u.user.username)
                .fetch_optional(&mut *tx)
                .await?;
            if row.map(|r| get_id(&r, "id")).transpose()? != Some(u.user.id) {
                copied.users_skipped.push(u.user.username.clone());
            }
        }
    }
    for d in &rows.devices {
        let r = &d.row;
        let done = sqlx::query(
            "INSERT INTO devices (id, kind, label, branch, shopper, code_hash, code_expires_at, \
             token_hash, token_expires_at, enrolled_at, last_seen_at, revoked_at, created_by, \
             created_at, pin_salt, pin_hash, report, reported_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18) ON CONFLICT DO NOTHING",
        )
        .bind(B::id(r.id))
        .bind(kind_label(r.kind))
        .bind(&r.label)
        .bind(&r.branch)
        .bind(&r.shopper)
        .bind(&d.code_hash)
        .bind(r.code_expires_at.map(B::time))
        .bind(&d.token_hash)
        .bind(r.token_expires_at.map(B::time))
        .bind(r.enrolled_at.map(B::time))
        .bind(r.last_seen_at.map(B::time))
        .bind(r.revoked_at.map(B::time))
        .bind(&r.created_by)
        .bind(B::time(r.created_at))
        .bind(r.pin.as_ref().map(|p| &p.salt))
        .bind(r.pin.as_ref().map(|p| &p.hash))
        .bind(
            r.report
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("device report: {e}")))?,
        )
        .bind(r.reported_at.map(B::time))
        .execute(&mut *tx)
        .await?;
        copied.devices_copied += done.rows_affected();
    }
    for a in &rows.audit {
        let done = sqlx::query(
            "INSERT INTO audit_log (id, at, actor, action, target, detail) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(a.id)
        .bind(B::time(a.at))
        .bind(&a.actor)
        .bind(&a.action)
        .bind(&a.target)
        .bind(&a.detail)
        .execute(&mut *tx)
        .await?;
        copied.audit_copied += done.rows_affected();
    }
    if let Some(sql) = B::AFTER_AUDIT_COPY {
        sqlx::query(sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(copied)
}
