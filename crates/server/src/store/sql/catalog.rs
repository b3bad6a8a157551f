//! The catalog's tables: branches, questionnaire versions and the
//! generation counter. Every change first writes the generation row: in
//! PostgreSQL that takes its lock, in SQLite the database's one write lock,
//! so changes from several servers take their turns instead of racing on
//! the one-active-version index.

use super::{get_opt_time, Pool, B};
use crate::store::backend::Backend;
use crate::store::catalog::{Added, CatalogRows, Removed, StoredQuestionnaire};
use crate::store::StoreError;
use branchpulse_core::protocol::{Branch, Format};
use sqlx::Row;
use time::OffsetDateTime;

const BUMP: &str = "UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1";

/// Activates the highest version of each id that has no active version.
const ACTIVATE_HIGHEST: &str = "UPDATE questionnaires SET active = TRUE \
     WHERE NOT active \
     AND version = (SELECT MAX(m.version) FROM questionnaires m WHERE m.id = questionnaires.id) \
     AND NOT EXISTS (SELECT 1 FROM questionnaires a WHERE a.id = questionnaires.id AND a.active)";

pub async fn catalog_generation(pool: &Pool) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT generation FROM catalog_generation WHERE id = 1")
            .fetch_one(pool)
            .await?,
    )
}

pub async fn catalog(pool: &Pool) -> Result<CatalogRows, StoreError> {
    // The generation first, so the rows are at least that new: SQLite's
    // read transaction sees one state, and under PostgreSQL's READ
    // COMMITTED each statement sees the latest commits.
    let mut tx = pool.begin().await?;
    let generation: i64 =
        sqlx::query_scalar("SELECT generation FROM catalog_generation WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
    let rows = sqlx::query(
        "SELECT id, version, kind, json, active, uploaded_at FROM questionnaires \
         ORDER BY id, version",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut questionnaires = Vec::with_capacity(rows.len());
    for row in &rows {
        let version: i64 = row.try_get("version")?;
        questionnaires.push(StoredQuestionnaire {
            id: row.try_get("id")?,
            version: u32::try_from(version)
                .map_err(|_| StoreError::Corrupt(format!("questionnaire version {version}")))?,
            kind: row.try_get("kind")?,
            json: row.try_get("json")?,
            active: row.try_get("active")?,
            uploaded_at: get_opt_time(row, "uploaded_at")?,
        });
    }
    let branches = sqlx::query_as::<_, (String, String, String, bool, Option<String>)>(
        "SELECT code, name, region, active, format FROM branches ORDER BY position, code",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(code, name, region, active, format)| Branch {
        code,
        name,
        region,
        active,
        format,
    })
    .collect();
    let mut formats = Vec::new();
    for (code, name) in sqlx::query_as::<_, (String, String)>(
        "SELECT code, name FROM formats ORDER BY position, code",
    )
    .fetch_all(&mut *tx)
    .await?
    {
        let name = serde_json::from_str(&name)
            .map_err(|e| StoreError::Corrupt(format!("format {code}'s name: {e}")))?;
        formats.push(Format { code, name });
    }
    tx.commit().await?;
    Ok(CatalogRows {
        generation,
        questionnaires,
        branches,
        formats,
    })
}

pub async fn seed_catalog(
    pool: &Pool,
    questionnaires: &[StoredQuestionnaire],
    branches: &[Branch],
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    // Servers starting together seed one after the other: this takes the
    // generation row's lock without changing it (bumped below only if
    // something changed).
    sqlx::query("UPDATE catalog_generation SET generation = generation WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    let mut changed = 0;
    for q in questionnaires {
        changed += sqlx::query(
            "INSERT INTO questionnaires (id, version, kind, json, active, uploaded_at) \
             VALUES ($1, $2, $3, $4, FALSE, NULL) \
             ON CONFLICT (id, version) DO UPDATE SET kind = excluded.kind, json = excluded.json \
             WHERE questionnaires.uploaded_at IS NULL AND questionnaires.json <> excluded.json",
        )
        .bind(&q.id)
        .bind(i64::from(q.version))
        .bind(&q.kind)
        .bind(&q.json)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    for (position, b) in branches.iter().enumerate() {
        // A stored branch keeps what admins made of it; only a format it
        // lacks is taken from the file (branches seeded before formats).
        changed += sqlx::query(
            "INSERT INTO branches (code, name, region, active, position, updated_at, format) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO UPDATE \
             SET format = excluded.format \
             WHERE branches.format IS NULL AND excluded.format IS NOT NULL",
        )
        .bind(&b.code)
        .bind(&b.name)
        .bind(&b.region)
        .bind(b.active)
        .bind(position as i64)
        .bind(B::time(now))
        .bind(&b.format)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    changed += sqlx::query(ACTIVATE_HIGHEST)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed > 0 {
        sqlx::query(BUMP).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(changed > 0)
}

pub async fn add_questionnaire(pool: &Pool, q: &StoredQuestionnaire) -> Result<Added, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(BUMP).execute(&mut *tx).await?;
    // `WHERE true`: SQLite's parser needs it between a SELECT and ON CONFLICT.
    let active: Option<bool> = sqlx::query_scalar(
        "INSERT INTO questionnaires (id, version, kind, json, active, uploaded_at) \
         SELECT $1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM questionnaires WHERE id = $1), $5 \
         WHERE true ON CONFLICT (id, version) DO NOTHING RETURNING active",
    )
    .bind(&q.id)
    .bind(i64::from(q.version))
    .bind(&q.kind)
    .bind(&q.json)
    .bind(q.uploaded_at.map(B::time))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(active) = active else {
        // Nothing changed: no reason to make every server reload.
        tx.rollback().await?;
        return Ok(Added::Exists);
    };
    tx.commit().await?;
    Ok(Added::Stored { active })
}

pub async fn activate_questionnaire(
    pool: &Pool,
    id: &str,
    version: u32,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(BUMP).execute(&mut *tx).await?;
    let exists: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM questionnaires WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(i64::from(version))
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        tx.rollback().await?;
        return Ok(false);
    }
    // Off first, then on: the unique index allows one active version.
    sqlx::query("UPDATE questionnaires SET active = FALSE WHERE id = $1 AND active")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE questionnaires SET active = TRUE WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(i64::from(version))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn add_branch(pool: &Pool, b: &Branch, now: OffsetDateTime) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(BUMP).execute(&mut *tx).await?;
    let inserted = sqlx::query(
        "INSERT INTO branches (code, name, region, active, position, updated_at, format) \
         SELECT $1, $2, $3, $4, COALESCE(MAX(position) + 1, 0), $5, $6 FROM branches \
         WHERE true ON CONFLICT (code) DO NOTHING",
    )
    .bind(&b.code)
    .bind(&b.name)
    .bind(&b.region)
    .bind(b.active)
    .bind(B::time(now))
    .bind(&b.format)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    keep_if(inserted, tx).await
}

pub async fn update_branch(
    pool: &Pool,
    b: &Branch,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(BUMP).execute(&mut *tx).await?;
    let updated = sqlx::query(
        "UPDATE branches SET name = $1, region = $2, active = $3, updated_at = $4, \
         format = $6 WHERE code = $5",
    )
    .bind(&b.name)
    .bind(&b.region)
    .bind(b.active)
    .bind(B::time(now))
    .bind(&b.code)
    .bind(&b.format)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    keep_if(updated, tx).await
}

/// Make the catalog hold `rows` as they are (copying from another
/// database: the source is the truth), leaving rows the source lacks alone.
pub async fn import_catalog(pool: &Pool, rows: &CatalogRows) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(BUMP).execute(&mut *tx).await?;
    // Rows written only where they differ, so that a copy run again
    // changes nothing, not even the generation devices watch.
    let mut changed = 0;
    for q in &rows.questionnaires {
        changed += sqlx::query(
            "INSERT INTO questionnaires (id, version, kind, json, active, uploaded_at) \
             VALUES ($1, $2, $3, $4, FALSE, $5) \
             ON CONFLICT (id, version) DO UPDATE SET kind = excluded.kind, \
             json = excluded.json, uploaded_at = excluded.uploaded_at \
             WHERE questionnaires.kind <> excluded.kind OR questionnaires.json <> excluded.json \
             OR questionnaires.uploaded_at IS DISTINCT FROM excluded.uploaded_at",
        )
        .bind(&q.id)
        .bind(i64::from(q.version))
        .bind(&q.kind)
        .bind(&q.json)
        .bind(q.uploaded_at.map(B::time))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    // Off first, then on: the unique index allows one active version.
    for q in rows.questionnaires.iter().filter(|q| q.active) {
        changed += sqlx::query(
            "UPDATE questionnaires SET active = FALSE WHERE id = $1 AND version <> $2 AND active",
        )
        .bind(&q.id)
        .bind(i64::from(q.version))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        changed += sqlx::query(
            "UPDATE questionnaires SET active = TRUE WHERE id = $1 AND version = $2 AND NOT active",
        )
        .bind(&q.id)
        .bind(i64::from(q.version))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    let now = OffsetDateTime::now_utc();
    // Formats before the branches that name them.
    for (position, f) in rows.formats.iter().enumerate() {
        changed += sqlx::query(
            "INSERT INTO formats (code, name, position, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
             position = excluded.position, updated_at = excluded.updated_at \
             WHERE formats.name <> excluded.name OR formats.position <> excluded.position",
        )
        .bind(&f.code)
        .bind(name_json(f))
        .bind(position as i64)
        .bind(B::time(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    for (position, b) in rows.branches.iter().enumerate() {
        changed += sqlx::query(
            "INSERT INTO branches (code, name, region, active, position, updated_at, format) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO UPDATE SET \
             name = excluded.name, region = excluded.region, active = excluded.active, \
             position = excluded.position, updated_at = excluded.updated_at, \
             format = excluded.format \
             WHERE branches.name <> excluded.name OR branches.region <> excluded.region \
             OR branches.active <> excluded.active OR branches.position <> excluded.position \
             OR branches.format IS DISTINCT FROM excluded.format",
        )
        .bind(&b.code)
        .bind(&b.name)
        .bind(&b.region)
        .bind(b.active)
        .bind(position as i64)
        .bind(B::time(now))
        .bind(&b.format)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    keep_if(changed > 0, tx).await?;
    Ok(())
}

/// A format's names as stored: JSON with the languages in order.
fn name_json(f: &Format) -> String {
    serde_json::to_string(&f.name).expect("text always serializes")
}

pub async fn add_format(pool: &Pool, f: &Format, now: OffsetDateTime) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(BUMP).execute(&mut *tx).await?;
    let inserted = sqlx::query(
        "INSERT INTO formats (code, name, position, updated_at) \
         SELECT $1, $2, COALESCE(MAX(position) + 1, 0), $3 FROM formats \
         WHERE true ON CONFLICT (code) DO NOTHING",
    )
    .bind(&f.code)
    .bind(name_json(f))
    .bind(B::time(now))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    keep_if(inserted, tx).await
}

pub async fn update_format(
    pool: &Pool,
    f: &Format,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(BUMP).execute(&mut *tx).await?;
    let updated = sqlx::query("UPDATE formats SET name = $1, updated_at = $2 WHERE code = $3")
        .bind(name_json(f))
        .bind(B::time(now))
        .bind(&f.code)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    keep_if(updated, tx).await
}

pub async fn remove_format(pool: &Pool, code: &str) -> Result<Removed, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(BUMP).execute(&mut *tx).await?;
    // In the same transaction as the removal, which the generation row's
    // lock orders after any branch change.
    let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM branches WHERE format = $1")
        .bind(code)
        .fetch_one(&mut *tx)
        .await?;
    if used > 0 {
        tx.rollback().await?;
        return Ok(Removed::InUse(used as u64));
    }
    let removed = sqlx::query("DELETE FROM formats WHERE code = $1")
        .bind(code)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    Ok(if keep_if(removed, tx).await? {
        Removed::Removed
    } else {
        Removed::Unknown
    })
}

/// Commit `tx` when it `changed` what it was for, else roll it back (the
/// catalog's generation bump with it), and say which.
async fn keep_if(changed: bool, tx: sqlx::Transaction<'_, B>) -> Result<bool, StoreError> {
    if changed {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(changed)
}
