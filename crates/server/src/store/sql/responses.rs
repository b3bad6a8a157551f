//! Responses: stored once (the device's UUID is the key), looked up by
//! batch, paged through for exports, erased on request.

use super::rollups::add_sums;
use super::{get_id, get_time, Pool, B};
use crate::store::backend::Backend;
use crate::store::rollup::{Facts, Pending};
use crate::store::{utc_window, Cursor, Record, Saved, StoreError};
use branchpulse_core::aggregate::{channel_label, Filter};
use branchpulse_core::Response;
use sqlx::{Connection, Row};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

pub async fn ping(pool: &Pool) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    conn.ping().await?;
    sqlx::query("SELECT 1").execute(&mut *conn).await?;
    Ok(())
}

/// In PostgreSQL (READ COMMITTED), a second replica inserting the same id
/// waits for the first one's transaction; then its `DO NOTHING` applies and
/// the hash it reads is the committed one. In SQLite one writer runs at a
/// time; BEGIN IMMEDIATE would spare the lock upgrade, but sqlx's `begin`
/// issues a plain BEGIN and the busy timeout covers the upgrade.
pub async fn save(pool: &Pool, records: &[&Record]) -> Result<Vec<Saved>, StoreError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(records.len());
    let mut pending = Pending::default();
    let mut stored = Vec::new();
    for &r in records {
        let inserted = sqlx::query(
            "INSERT INTO responses (id, questionnaire_id, questionnaire_version, branch, \
             device_id, channel, locale, started_at, submitted_at, received_at, payload, \
             payload_hash, enrolled_device, rolled_up, held, satisfaction) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(B::id(r.id))
        .bind(&r.questionnaire_id)
        .bind(i64::from(r.questionnaire_version))
        .bind(&r.branch)
        .bind(&r.device_id)
        .bind(&r.channel)
        .bind(&r.locale)
        .bind(B::time(r.started_at))
        .bind(B::time(r.submitted_at))
        .bind(B::time(r.received_at))
        .bind(&r.payload)
        .bind(&r.payload_hash)
        .bind(r.enrolled_device.map(B::id))
        // A response whose facts are written with it is rolled up now; a
        // report held for review is not (approval rolls it up).
        .bind(r.facts.is_some() && !r.is_held())
        .bind(r.is_held())
        .bind(r.satisfaction.map(i64::from))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        let outcome = if inserted {
            let refused = match &r.report {
                Some(report) => super::reports::add_report(&mut tx, r, report).await?.err(),
                None => None,
            };
            if let Some(reason) = refused {
                // Another report for the visit came first: this one is not kept.
                sqlx::query("DELETE FROM responses WHERE id = $1")
                    .bind(B::id(r.id))
                    .execute(&mut *tx)
                    .await?;
                Saved::Refused(reason)
            } else {
                if let Some(facts) = r.facts.as_ref().filter(|_| !r.is_held()) {
                    pending.add_facts(r, facts);
                }
                stored.push(r);
                Saved::Inserted
            }
        } else {
            let stored: String =
                sqlx::query_scalar("SELECT payload_hash FROM responses WHERE id = $1")
                    .bind(B::id(r.id))
                    .fetch_one(&mut *tx)
                    .await?;
            if stored == r.payload_hash {
                Saved::AlreadyStored
            } else {
                Saved::Conflict
            }
        };
        outcomes.push(outcome);
    }
    add_sums(&mut tx, &pending).await?;
    // Only what is new here: a resend raises nothing.
    super::alerts::judge_stored(&mut tx, &stored).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// The ids go in as one list parameter, so a batch of any size is one query.
pub async fn stored_hashes(pool: &Pool, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, StoreError> {
    let ids: Vec<_> = ids.iter().copied().map(B::id).collect();
    let sql = format!(
        "SELECT id, payload_hash FROM responses WHERE {}",
        B::one_of("id", "$1")
    );
    let rows = sqlx::query(&sql).bind(B::list(ids)).fetch_all(pool).await?;
    rows.iter()
        .map(|row| Ok((get_id(row, "id")?, row.try_get("payload_hash")?)))
        .collect()
}

/// Several servers may run this at once: the `UPDATE … WHERE` not rolled
/// up marks each response in a transaction that holds its row, so only one
/// of them adds it.
pub async fn backfill(
    pool: &Pool,
    facts: impl Fn(&Response) -> Option<Facts>,
) -> Result<u64, StoreError> {
    // A report held for review is rolled up by its approval, never here.
    let select = format!(
        "SELECT id, payload FROM responses WHERE {} AND NOT held ORDER BY id LIMIT 500",
        B::NOT_ROLLED_UP
    );
    let mark = format!(
        "UPDATE responses SET rolled_up = TRUE WHERE id = $1 AND {} AND NOT held",
        B::NOT_ROLLED_UP
    );
    let mut added = 0;
    loop {
        let rows = sqlx::query(&select).fetch_all(pool).await?;
        if rows.is_empty() {
            return Ok(added);
        }
        let mut tx = pool.begin().await?;
        let mut pending = Pending::default();
        for row in rows {
            let id = get_id(&row, "id")?;
            let payload: String = row.try_get("payload")?;
            let marked = sqlx::query(&mark)
                .bind(B::id(id))
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            let response: Option<Response> = serde_json::from_str(&payload).ok();
            let Some(f) = response.as_ref().and_then(&facts).filter(|_| marked) else {
                if marked {
                    tracing::warn!(%id, "a stored response cannot be scored; it is left out of the dashboard");
                }
                continue;
            };
            let response = response.expect("scored above");
            let record = Record::new(&response, OffsetDateTime::now_utc());
            pending.add_facts(&record, &f);
            added += 1;
        }
        add_sums(&mut tx, &pending).await?;
        tx.commit().await?;
    }
}

pub async fn responses_page(
    pool: &Pool,
    filter: &Filter,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<Vec<(Cursor, String)>, StoreError> {
    let (start, end) = utc_window(filter);
    let rows = sqlx::query(
        "SELECT id, submitted_at, payload FROM responses \
         WHERE NOT held AND ($1 IS NULL OR submitted_at >= $1) AND ($2 IS NULL OR submitted_at < $2) \
         AND ($3 IS NULL OR channel = $3) AND ($4 IS NULL OR questionnaire_id = $4) \
         AND ($5 IS NULL OR (submitted_at, id) > ($5, $6)) \
         ORDER BY submitted_at, id LIMIT $7",
    )
    .bind(start.map(B::time))
    .bind(end.map(B::time))
    .bind(filter.channel.map(channel_label))
    .bind(filter.questionnaire.as_deref())
    .bind(after.map(|c| B::time(c.submitted_at)))
    .bind(after.map(|c| B::id(c.id)))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let cursor = Cursor {
                submitted_at: get_time(row, "submitted_at")?,
                id: get_id(row, "id")?,
            };
            Ok((cursor, row.try_get("payload")?))
        })
        .collect()
}

/// The payloads of the latest `limit` stored kiosk responses of `branches`,
/// newest first, that may be in the filter (days narrowed to a UTC window
/// only, as in [`responses_page`]).
pub async fn latest_kiosk(
    pool: &Pool,
    filter: &Filter,
    branches: Vec<String>,
    limit: u32,
) -> Result<Vec<String>, StoreError> {
    let (start, end) = utc_window(filter);
    let sql = format!(
        "SELECT payload FROM responses \
         WHERE NOT held AND channel = 'kiosk' AND ($1 IS NULL OR submitted_at >= $1) \
         AND ($2 IS NULL OR submitted_at < $2) AND ($3 IS NULL OR questionnaire_id = $3) \
         AND {} ORDER BY submitted_at DESC, id DESC LIMIT $5",
        B::one_of("branch", "$4")
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(start.map(B::time))
        .bind(end.map(B::time))
        .bind(filter.questionnaire.as_deref())
        .bind(B::list(branches))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?)
}

pub async fn count(pool: &Pool) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub async fn payload_and_hash(
    pool: &Pool,
    id: Uuid,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT payload, payload_hash FROM responses WHERE id = $1")
            .bind(B::id(id))
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn erase(
    pool: &Pool,
    id: Uuid,
    payload: &str,
    hash: &str,
    purged_at: Option<OffsetDateTime>,
    comment_items: Option<&[&str]>,
    drop_evidence: bool,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let found = sqlx::query(
        "UPDATE responses SET payload = $1, payload_hash = $2, \
         purged_at = COALESCE($3, purged_at) WHERE id = $4",
    )
    .bind(payload)
    .bind(hash)
    .bind(purged_at.map(B::time))
    .bind(B::id(id))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    let sql = format!(
        "DELETE FROM comments WHERE response_id = $1 AND ($2 IS NULL OR {})",
        B::one_of("item", "$2")
    );
    sqlx::query(&sql)
        .bind(B::id(id))
        .bind(comment_items.map(|items| B::list(items.to_vec())))
        .execute(&mut *tx)
        .await?;
    if comment_items.is_none() {
        super::alerts::erase_comments(&mut tx, id).await?;
    }
    if drop_evidence {
        // Their chunks go with them (ON DELETE CASCADE).
        sqlx::query("DELETE FROM evidence WHERE report_id = $1")
            .bind(B::id(id))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(found)
}

/// `done` is a `LIKE` pattern of the hashes that need no erasing.
pub async fn to_erase(
    pool: &Pool,
    done: &str,
    shop_only: bool,
    before: OffsetDateTime,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<(Uuid, String, String)>, StoreError> {
    // A range on the key, not `$4 IS NULL OR id > $4`, which no planner
    // reads as one: each page would scan from the first id.
    let sql = format!(
        "SELECT id, payload, payload_hash FROM responses WHERE submitted_at < $1 \
         AND payload_hash NOT LIKE $2 AND (NOT $3 OR channel = 'mystery_shop') \
         AND {} ORDER BY id LIMIT $5",
        if after.is_some() {
            "id > $4"
        } else {
            "$4 IS NULL"
        }
    );
    let rows = sqlx::query(&sql)
        .bind(B::time(before))
        .bind(done)
        .bind(shop_only)
        .bind(after.map(B::id))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                get_id(row, "id")?,
                row.try_get("payload")?,
                row.try_get("payload_hash")?,
            ))
        })
        .collect()
}
