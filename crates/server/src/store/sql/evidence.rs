//! Photos of a report: announced, received in chunks, then stored whole.

use super::{get_id, get_time, DbRow, Pool, B};
use crate::store::backend::Backend;
use crate::store::{EvidenceRecord, ReportOwner, StoreError};
use sqlx::Row;
use uuid::Uuid;

pub(super) const COLUMNS: &str =
    "id, report_id, item, stage, content_type, size, sha256, received, complete, created_at";

pub(super) fn record_of(row: &DbRow) -> Result<EvidenceRecord, StoreError> {
    let count = |column: &str| -> Result<u64, StoreError> {
        let n: i64 = row.try_get(column)?;
        u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("evidence {column} {n}")))
    };
    Ok(EvidenceRecord {
        id: get_id(row, "id")?,
        report: get_id(row, "report_id")?,
        item: row.try_get("item")?,
        stage: row.try_get("stage")?,
        content_type: row.try_get("content_type")?,
        size: count("size")?,
        sha256: row.try_get("sha256")?,
        received: count("received")?,
        complete: row.try_get("complete")?,
        created_at: get_time(row, "created_at")?,
    })
}

fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Who sent report `id`, and whether its texts were erased.
pub async fn report_owner(pool: &Pool, id: Uuid) -> Result<Option<ReportOwner>, StoreError> {
    let row = sqlx::query(
        "SELECT r.branch, r.channel, r.payload_hash, r.enrolled_device, d.shopper \
         FROM responses r LEFT JOIN devices d ON d.id = r.enrolled_device WHERE r.id = $1",
    )
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let hash: String = row.try_get("payload_hash")?;
    Ok(Some(ReportOwner {
        branch: row.try_get("branch")?,
        channel: row.try_get("channel")?,
        device: super::get_opt_id(&row, "enrolled_device")?,
        shopper: row.try_get("shopper")?,
        erased: hash.starts_with("purged-text:"),
    }))
}

/// Whether report `id` awaits review (not yet approved).
pub async fn report_held(pool: &Pool, id: Uuid) -> Result<bool, StoreError> {
    let held: Option<bool> = sqlx::query_scalar("SELECT held FROM responses WHERE id = $1")
        .bind(B::id(id))
        .fetch_optional(pool)
        .await?;
    Ok(held.unwrap_or(true))
}

/// Store `e` unless its id is stored; `false` if it was.
pub async fn add(pool: &Pool, e: &EvidenceRecord) -> Result<bool, StoreError> {
    let done = sqlx::query(&format!(
        "INSERT INTO evidence ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (id) DO NOTHING"
    ))
    .bind(B::id(e.id))
    .bind(B::id(e.report))
    .bind(&e.item)
    .bind(&e.stage)
    .bind(&e.content_type)
    .bind(signed(e.size))
    .bind(&e.sha256)
    .bind(signed(e.received))
    .bind(e.complete)
    .bind(B::time(e.created_at))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(pool: &Pool, id: Uuid) -> Result<Option<EvidenceRecord>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM evidence WHERE id = $1"))
        .bind(B::id(id))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(record_of).transpose()
}

pub async fn of_report(pool: &Pool, report: Uuid) -> Result<Vec<EvidenceRecord>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM evidence WHERE report_id = $1 ORDER BY created_at, id"
    ))
    .bind(B::id(report))
    .fetch_all(pool)
    .await?;
    rows.iter().map(record_of).collect()
}

/// Keep `bytes` as the chunk at `offset`, if that is where the photo's
/// received bytes end and it stays within the announced size. The guarded
/// UPDATE comes first: of two requests with the same offset, the second
/// waits for the first's row lock, then finds `received` moved on.
pub async fn append(pool: &Pool, id: Uuid, offset: u64, bytes: &[u8]) -> Result<bool, StoreError> {
    let n = signed(bytes.len() as u64);
    let mut tx = pool.begin().await?;
    let moved = sqlx::query(
        "UPDATE evidence SET received = received + $1 \
         WHERE id = $2 AND received = $3 AND NOT complete AND received + $1 <= size",
    )
    .bind(n)
    .bind(B::id(id))
    .bind(signed(offset))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !moved {
        return Ok(false);
    }
    if !bytes.is_empty() {
        sqlx::query("INSERT INTO evidence_chunks (evidence_id, start, data) VALUES ($1, $2, $3)")
            .bind(B::id(id))
            .bind(signed(offset))
            .bind(bytes)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The chunks received, joined in order.
pub async fn received_bytes(pool: &Pool, id: Uuid) -> Result<Vec<u8>, StoreError> {
    let chunks: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT data FROM evidence_chunks WHERE evidence_id = $1 ORDER BY start",
    )
    .bind(B::id(id))
    .fetch_all(pool)
    .await?;
    Ok(chunks.concat())
}

/// With `data`: the photo is complete and that is what is kept. Without:
/// what was received is dropped and the photo starts again from 0. Either
/// way its chunks go. `false` if it was complete already (another request
/// finished it).
pub async fn finish(pool: &Pool, id: Uuid, data: Option<&[u8]>) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let sql = if data.is_some() {
        "UPDATE evidence SET data = $1, complete = TRUE WHERE id = $2 AND NOT complete"
    } else {
        "UPDATE evidence SET data = $1, received = 0 WHERE id = $2 AND NOT complete"
    };
    let changed = sqlx::query(sql)
        .bind(data)
        .bind(B::id(id))
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    sqlx::query("DELETE FROM evidence_chunks WHERE evidence_id = $1")
        .bind(B::id(id))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(changed)
}

/// The stored bytes of a complete photo.
pub async fn content(pool: &Pool, id: Uuid) -> Result<Option<Vec<u8>>, StoreError> {
    let data: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT data FROM evidence WHERE id = $1 AND complete")
            .bind(B::id(id))
            .fetch_optional(pool)
            .await?;
    Ok(data.flatten())
}
