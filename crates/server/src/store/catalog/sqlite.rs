//! The catalog's tables in SQLite. One writer at a time: the first write of
//! a transaction takes the database's lock, so the generation is bumped first.

use super::{Added, CatalogRows, StoredQuestionnaire};
use crate::store::sqlite::{timestamp, SqliteStore};
use crate::store::StoreError;
use branchpulse_core::protocol::Branch;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

const BUMP: &str = "UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1";

/// Activates the highest version of each id that has no active version.
const ACTIVATE_HIGHEST: &str = "UPDATE questionnaires SET active = 1 \
     WHERE active = 0 \
     AND version = (SELECT MAX(m.version) FROM questionnaires m WHERE m.id = questionnaires.id) \
     AND NOT EXISTS (SELECT 1 FROM questionnaires a WHERE a.id = questionnaires.id AND a.active = 1)";

impl SqliteStore {
    pub async fn catalog_generation(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT generation FROM catalog_generation WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    pub async fn catalog(&self) -> Result<CatalogRows, StoreError> {
        // One read transaction: in WAL mode it sees one consistent state.
        let mut tx = self.pool().begin().await?;
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
            let uploaded_at: Option<String> = row.try_get("uploaded_at")?;
            questionnaires.push(StoredQuestionnaire {
                id: row.try_get("id")?,
                version: u32::try_from(version)
                    .map_err(|_| StoreError::Corrupt(format!("questionnaire version {version}")))?,
                kind: row.try_get("kind")?,
                json: row.try_get("json")?,
                active: row.try_get("active")?,
                uploaded_at: uploaded_at.map(|t| parse_time(&t)).transpose()?,
            });
        }
        let branches = sqlx::query_as::<_, (String, String, String, bool)>(
            "SELECT code, name, region, active FROM branches ORDER BY position, code",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(code, name, region, active)| Branch {
            code,
            name,
            region,
            active,
        })
        .collect();
        tx.commit().await?;
        Ok(CatalogRows {
            generation,
            questionnaires,
            branches,
        })
    }

    pub async fn seed_catalog(
        &self,
        questionnaires: &[StoredQuestionnaire],
        branches: &[Branch],
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let mut changed = 0;
        for q in questionnaires {
            changed += sqlx::query(
                "INSERT INTO questionnaires (id, version, kind, json, active, uploaded_at) \
                 VALUES (?, ?, ?, ?, 0, NULL) \
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
            changed += sqlx::query(
                "INSERT INTO branches (code, name, region, active, position, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
            )
            .bind(&b.code)
            .bind(&b.name)
            .bind(&b.region)
            .bind(b.active)
            .bind(position as i64)
            .bind(timestamp(now))
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

    pub async fn add_questionnaire(&self, q: &StoredQuestionnaire) -> Result<Added, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(BUMP).execute(&mut *tx).await?;
        let inserted = sqlx::query(
            "INSERT INTO questionnaires (id, version, kind, json, active, uploaded_at) \
             SELECT ?1, ?2, ?3, ?4, NOT EXISTS (SELECT 1 FROM questionnaires WHERE id = ?1), ?5 \
             WHERE true ON CONFLICT (id, version) DO NOTHING",
        )
        .bind(&q.id)
        .bind(i64::from(q.version))
        .bind(&q.kind)
        .bind(&q.json)
        .bind(q.uploaded_at.map(timestamp))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !inserted {
            // Nothing changed: no reason to make every server reload.
            tx.rollback().await?;
            return Ok(Added::Exists);
        }
        let active: bool =
            sqlx::query_scalar("SELECT active FROM questionnaires WHERE id = ? AND version = ?")
                .bind(&q.id)
                .bind(i64::from(q.version))
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(Added::Stored { active })
    }

    pub async fn activate_questionnaire(&self, id: &str, version: u32) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(BUMP).execute(&mut *tx).await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM questionnaires WHERE id = ? AND version = ?")
                .bind(id)
                .bind(i64::from(version))
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        // Off first, then on: the unique index allows one active version.
        sqlx::query("UPDATE questionnaires SET active = 0 WHERE id = ? AND active = 1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE questionnaires SET active = 1 WHERE id = ? AND version = ?")
            .bind(id)
            .bind(i64::from(version))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn add_branch(&self, b: &Branch, now: OffsetDateTime) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(BUMP).execute(&mut *tx).await?;
        let inserted = sqlx::query(
            "INSERT INTO branches (code, name, region, active, position, updated_at) \
             SELECT ?, ?, ?, ?, COALESCE(MAX(position) + 1, 0), ? FROM branches \
             WHERE true ON CONFLICT (code) DO NOTHING",
        )
        .bind(&b.code)
        .bind(&b.name)
        .bind(&b.region)
        .bind(b.active)
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(inserted)
    }

    pub async fn update_branch(&self, b: &Branch, now: OffsetDateTime) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(BUMP).execute(&mut *tx).await?;
        let updated = sqlx::query(
            "UPDATE branches SET name = ?, region = ?, active = ?, updated_at = ? WHERE code = ?",
        )
        .bind(&b.name)
        .bind(&b.region)
        .bind(b.active)
        .bind(timestamp(now))
        .bind(&b.code)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if updated {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(updated)
    }

    pub async fn payload(&self, id: Uuid) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT payload FROM responses WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn payload_and_hash(&self, id: Uuid) -> Result<Option<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT payload, payload_hash FROM responses WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn erase(
        &self,
        id: Uuid,
        payload: &str,
        hash: &str,
        purged_at: Option<OffsetDateTime>,
        comment_items: Option<&[&str]>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let found = sqlx::query(
            "UPDATE responses SET payload = ?, payload_hash = ?, \
             purged_at = COALESCE(?, purged_at) WHERE id = ?",
        )
        .bind(payload)
        .bind(hash)
        .bind(purged_at.map(timestamp))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        let items = comment_items.map(|items| serde_json::to_string(items).expect("strings"));
        sqlx::query(
            "DELETE FROM comments WHERE response_id = ?1 \
             AND (?2 IS NULL OR item IN (SELECT value FROM json_each(?2)))",
        )
        .bind(id.to_string())
        .bind(items)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(found)
    }

    pub async fn to_erase(
        &self,
        done: &str,
        shop_only: bool,
        before: OffsetDateTime,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, String, String)>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, payload, payload_hash FROM responses WHERE submitted_at < ?1 \
             AND payload_hash NOT LIKE ?2 AND (?3 = 0 OR channel = 'mystery_shop') \
             AND id > ?4 ORDER BY id LIMIT ?5",
        )
        .bind(timestamp(before))
        .bind(done)
        .bind(shop_only)
        .bind(after.map(|id| id.to_string()).unwrap_or_default())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, payload, hash)| {
                let id = id
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("id \"{id}\": {e}")))?;
                Ok((id, payload, hash))
            })
            .collect()
    }

    /// Every response whose texts were purged, with when (for copying).
    pub async fn purged(&self) -> Result<Vec<(Uuid, OffsetDateTime)>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, purged_at FROM responses WHERE purged_at IS NOT NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, at)| {
                let id = id
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("id \"{id}\": {e}")))?;
                Ok((id, parse_time(&at)?))
            })
            .collect()
    }
}

fn parse_time(text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("time \"{text}\": {e}")))
}
