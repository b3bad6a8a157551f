//! Copying a bank's data from one database to another (the SQLite to
//! PostgreSQL migration): what is read from the source whole, and what is
//! written to the target unless it is there already, so a second run skips
//! what the first copied.

use super::access::{device_of, insert_user, user_of, DEVICE, USER};
use super::evidence::{record_of as evidence_of, COLUMNS as EVIDENCE};
use super::{get_id, get_opt_id, get_opt_time, get_time, DbRow, Pool, B};
use crate::store::access::kind_label;
use crate::store::backend::Backend;
use crate::store::copy::{
    AccountRows, AccountsCopied, AuditLine, Cell, Col, DeviceCopy, EvidenceCopy, QuotaRow,
    ReportCopy, ReviewCopy, Table,
};
use crate::store::{EvidenceRecord, Record, StoreError};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

const RESPONSE: &str = "id, questionnaire_id, questionnaire_version, branch, device_id, channel, \
     locale, started_at, submitted_at, received_at, payload, payload_hash, enrolled_device, held, \
     satisfaction";

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
        satisfaction: row
            .try_get::<Option<i64>, _>("satisfaction")?
            .and_then(|s| u8::try_from(s).ok()),
        // Copied, not newly received: judged when it was.
        observed: None,
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
    if let Some(sql) = B::after_ids_copied("audit_log") {
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(copied)
}

pub async fn held_ids(pool: &Pool) -> Result<Vec<Uuid>, StoreError> {
    let rows = sqlx::query("SELECT id FROM responses WHERE held ORDER BY id")
        .fetch_all(pool)
        .await?;
    rows.iter().map(|row| get_id(row, "id")).collect()
}

/// `rolled_up` stays FALSE: the start-up backfill rolls them up, as it
/// does every copied response.
pub async fn release(pool: &Pool, ids: &[Uuid]) -> Result<u64, StoreError> {
    let ids: Vec<_> = ids.iter().copied().map(B::id).collect();
    let done = sqlx::query(&format!(
        "UPDATE responses SET held = FALSE WHERE held AND NOT rolled_up AND {}",
        B::one_of("id", "$1")
    ))
    .bind(B::list(ids))
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

pub async fn report_rows(pool: &Pool) -> Result<Vec<ReportCopy>, StoreError> {
    let rows = sqlx::query(
        "SELECT response_id, visit, shopper, status, note, revises, revised_by, decided_at, \
         decided_by FROM reports ORDER BY response_id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ReportCopy {
                response_id: get_id(row, "response_id")?,
                visit: get_opt_id(row, "visit")?,
                shopper: row.try_get("shopper")?,
                status: row.try_get("status")?,
                note: row.try_get("note")?,
                revises: get_opt_id(row, "revises")?,
                revised_by: get_opt_id(row, "revised_by")?,
                decided_at: get_opt_time(row, "decided_at")?,
                decided_by: row.try_get("decided_by")?,
            })
        })
        .collect()
}

pub async fn put_reports(pool: &Pool, rows: &[ReportCopy]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for r in rows {
        sqlx::query(
            "INSERT INTO reports (response_id, visit, shopper, status, note, revises, \
             revised_by, decided_at, decided_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (response_id) DO UPDATE SET visit = excluded.visit, \
             shopper = excluded.shopper, status = excluded.status, note = excluded.note, \
             revises = excluded.revises, revised_by = excluded.revised_by, \
             decided_at = excluded.decided_at, decided_by = excluded.decided_by",
        )
        .bind(B::id(r.response_id))
        .bind(r.visit.map(B::id))
        .bind(&r.shopper)
        .bind(&r.status)
        .bind(&r.note)
        .bind(r.revises.map(B::id))
        .bind(r.revised_by.map(B::id))
        .bind(r.decided_at.map(B::time))
        .bind(&r.decided_by)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn review_rows(pool: &Pool) -> Result<Vec<ReviewCopy>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, response_id, at, reviewer, decision, note FROM report_reviews ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ReviewCopy {
                id: row.try_get("id")?,
                response_id: get_id(row, "response_id")?,
                at: get_time(row, "at")?,
                reviewer: row.try_get("reviewer")?,
                decision: row.try_get("decision")?,
                note: row.try_get("note")?,
            })
        })
        .collect()
}

pub async fn add_reviews(pool: &Pool, rows: &[ReviewCopy]) -> Result<u64, StoreError> {
    let mut added = 0;
    let mut tx = pool.begin().await?;
    for r in rows {
        let done = sqlx::query(
            "INSERT INTO report_reviews (id, response_id, at, reviewer, decision, note) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(r.id)
        .bind(B::id(r.response_id))
        .bind(B::time(r.at))
        .bind(&r.reviewer)
        .bind(&r.decision)
        .bind(&r.note)
        .execute(&mut *tx)
        .await?;
        added += done.rows_affected();
    }
    if let Some(sql) = B::after_ids_copied("report_reviews") {
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(added)
}

pub async fn quota_rows(pool: &Pool) -> Result<Vec<QuotaRow>, StoreError> {
    let mut rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT branch, quarter, target FROM visit_quotas")
            .fetch_all(pool)
            .await?;
    // Sorted here: the two databases may collate text differently.
    rows.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    Ok(rows
        .into_iter()
        .map(|(branch, quarter, target)| QuotaRow {
            branch,
            quarter,
            target,
        })
        .collect())
}

pub async fn put_quotas(pool: &Pool, rows: &[QuotaRow]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for q in rows {
        sqlx::query(
            "INSERT INTO visit_quotas (branch, quarter, target) VALUES ($1, $2, $3) \
             ON CONFLICT (branch, quarter) DO UPDATE SET target = excluded.target",
        )
        .bind(&q.branch)
        .bind(&q.quarter)
        .bind(q.target)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn evidence_rows(pool: &Pool) -> Result<Vec<EvidenceRecord>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {EVIDENCE} FROM evidence ORDER BY id"))
        .fetch_all(pool)
        .await?;
    rows.iter().map(evidence_of).collect()
}

pub async fn evidence_copy(pool: &Pool, id: Uuid) -> Result<Option<EvidenceCopy>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {EVIDENCE}, data FROM evidence WHERE id = $1"
    ))
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let chunks = sqlx::query_as(
        "SELECT start, data FROM evidence_chunks WHERE evidence_id = $1 ORDER BY start",
    )
    .bind(B::id(id))
    .fetch_all(pool)
    .await?;
    Ok(Some(EvidenceCopy {
        record: evidence_of(&row)?,
        data: row.try_get("data")?,
        chunks,
    }))
}

pub async fn put_evidence(pool: &Pool, e: &EvidenceCopy) -> Result<(), StoreError> {
    let r = &e.record;
    let count = |n: u64| i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("size {n}")));
    let mut tx = pool.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO evidence ({EVIDENCE}, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (id) DO UPDATE SET report_id = excluded.report_id, item = excluded.item, \
         stage = excluded.stage, content_type = excluded.content_type, size = excluded.size, \
         sha256 = excluded.sha256, received = excluded.received, complete = excluded.complete, \
         created_at = excluded.created_at, data = excluded.data"
    ))
    .bind(B::id(r.id))
    .bind(B::id(r.report))
    .bind(&r.item)
    .bind(&r.stage)
    .bind(&r.content_type)
    .bind(count(r.size)?)
    .bind(&r.sha256)
    .bind(count(r.received)?)
    .bind(r.complete)
    .bind(B::time(r.created_at))
    .bind(&e.data)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM evidence_chunks WHERE evidence_id = $1")
        .bind(B::id(r.id))
        .execute(&mut *tx)
        .await?;
    for (start, data) in &e.chunks {
        sqlx::query("INSERT INTO evidence_chunks (evidence_id, start, data) VALUES ($1, $2, $3)")
            .bind(B::id(r.id))
            .bind(start)
            .bind(data)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn cell_of(row: &DbRow, name: &str, col: Col) -> Result<Cell, StoreError> {
    Ok(match col {
        Col::Id => Cell::Id(get_opt_id(row, name)?),
        Col::Time => Cell::Time(get_opt_time(row, name)?),
        Col::Text => Cell::Text(row.try_get(name)?),
        Col::Int => Cell::Int(row.try_get(name)?),
        Col::Bool => Cell::Bool(row.try_get(name)?),
        Col::Date => Cell::Date(row.try_get(name)?),
    })
}

fn names(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn table_rows(pool: &Pool, table: &Table) -> Result<Vec<Vec<Cell>>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM {} ORDER BY {}",
        names(table),
        table.name,
        table.key.join(", ")
    ))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            table
                .columns
                .iter()
                .map(|(name, col)| cell_of(row, name, *col))
                .collect()
        })
        .collect()
}

pub async fn put_rows(pool: &Pool, table: &Table, rows: &[Vec<Cell>]) -> Result<u64, StoreError> {
    let params: Vec<String> = (1..=table.columns.len()).map(|i| format!("${i}")).collect();
    let on_conflict = if table.changes {
        let set: Vec<String> = table
            .columns
            .iter()
            .filter(|(name, _)| !table.key.contains(name))
            .map(|(name, _)| format!("{name} = excluded.{name}"))
            .collect();
        format!("DO UPDATE SET {}", set.join(", "))
    } else {
        "DO NOTHING".into()
    };
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) {on_conflict}",
        table.name,
        names(table),
        params.join(", "),
        table.key.join(", ")
    );
    let mut written = 0;
    let mut tx = pool.begin().await?;
    for row in rows {
        let mut query = sqlx::query(&sql);
        for cell in row {
            query = match cell {
                Cell::Id(v) => query.bind(v.map(B::id)),
                Cell::Time(v) => query.bind(v.map(B::time)),
                Cell::Text(v) => query.bind(v.clone()),
                Cell::Int(v) => query.bind(*v),
                Cell::Bool(v) => query.bind(*v),
                Cell::Date(v) => query.bind(*v),
            };
        }
        written += query.execute(&mut *tx).await?.rows_affected();
    }
    if table.serial {
        if let Some(sql) = B::after_ids_copied(table.name) {
            sqlx::query(&sql).execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    Ok(written)
}

pub async fn delete_contacts(pool: &Pool, ids: &[Uuid]) -> Result<u64, StoreError> {
    let ids: Vec<_> = ids.iter().copied().map(B::id).collect();
    let done = sqlx::query(&format!(
        "DELETE FROM contacts WHERE {}",
        B::one_of("id", "$1")
    ))
    .bind(B::list(ids))
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
