//! The catalog's tables in PostgreSQL. Every change first bumps (and so
//! locks) the generation row: changes from several replicas, and replicas
//! seeding at start-up, take their turns instead of racing on the
//! one-active-version index.

use super::{Added, CatalogRows, StoredQuestionnaire};
use crate::store::postgres::PostgresStore;
use crate::store::StoreError;
use branchpulse_core::protocol::Branch;
use time::OffsetDateTime;
use uuid::Uuid;

const BUMP: &str = "UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1";

/// Activates the highest version of each id that has no active version.
const ACTIVATE_HIGHEST: &str = "UPDATE questionnaires q SET active = TRUE \
     WHERE NOT q.active \
     AND q.version = (SELECT MAX(m.version) FROM questionnaires m WHERE m.id = q.id) \
     AND NOT EXISTS (SELECT 1 FROM questionnaires a WHERE a.id = q.id AND a.active)";

type QuestionnaireRow = (String, i64, String, String, bool, Option<OffsetDateTime>);

impl PostgresStore {
    pub async fn catalog_generation(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT generation FROM catalog_generation WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    pub async fn catalog(&self) -> Result<CatalogRows, StoreError> {
        // Under READ COMMITTED each statement sees the latest commits, so
        // reading the generation first makes the rows at least that new.
        let generation: i64 =
            sqlx::query_scalar("SELECT generation FROM catalog_generation WHERE id = 1")
                .fetch_one(self.pool())
                .await?;
        let rows: Vec<QuestionnaireRow> = sqlx::query_as(
            "SELECT id, version, kind, json, active, uploaded_at FROM questionnaires \
             ORDER BY id, version",
        )
        .fetch_all(self.pool())
        .await?;
        let mut questionnaires = Vec::with_capacity(rows.len());
        for (id, version, kind, json, active, uploaded_at) in rows {
            questionnaires.push(StoredQuestionnaire {
                id,
                version: u32::try_from(version)
                    .map_err(|_| StoreError::Corrupt(format!("questionnaire version {version}")))?,
                kind,
                json,
                active,
                uploaded_at,
            });
        }
        let branches = sqlx::query_as::<_, (String, String, String, bool)>(
            "SELECT code, name, region, active FROM branches ORDER BY position, code",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|(code, name, region, active)| Branch {
            code,
            name,
            region,
            active,
        })
        .collect();
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
        // Replicas starting together seed one after the other.
        sqlx::query("SELECT generation FROM catalog_generation WHERE id = 1 FOR UPDATE")
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
            changed += sqlx::query(
                "INSERT INTO branches (code, name, region, active, position, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
            )
            .bind(&b.code)
            .bind(&b.name)
            .bind(&b.region)
            .bind(b.active)
            .bind(position as i64)
            .bind(now)
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
        let active: Option<bool> = sqlx::query_scalar(
            "INSERT INTO questionnaires (id, version, kind, json, active, uploaded_at) \
             VALUES ($1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM questionnaires WHERE id = $1), $5) \
             ON CONFLICT (id, version) DO NOTHING RETURNING active",
        )
        .bind(&q.id)
        .bind(i64::from(q.version))
        .bind(&q.kind)
        .bind(&q.json)
        .bind(q.uploaded_at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(active) = active else {
            // Nothing changed: no reason to make every replica reload.
            tx.rollback().await?;
            return Ok(Added::Exists);
        };
        tx.commit().await?;
        Ok(Added::Stored { active })
    }

    pub async fn activate_questionnaire(&self, id: &str, version: u32) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
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

    pub async fn add_branch(&self, b: &Branch, now: OffsetDateTime) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(BUMP).execute(&mut *tx).await?;
        let inserted = sqlx::query(
            "INSERT INTO branches (code, name, region, active, position, updated_at) \
             SELECT $1, $2, $3, $4, COALESCE(MAX(position) + 1, 0), $5 FROM branches \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&b.code)
        .bind(&b.name)
        .bind(&b.region)
        .bind(b.active)
        .bind(now)
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
            "UPDATE branches SET name = $1, region = $2, active = $3, updated_at = $4 \
             WHERE code = $5",
        )
        .bind(&b.name)
        .bind(&b.region)
        .bind(b.active)
        .bind(now)
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
            sqlx::query_scalar("SELECT payload FROM responses WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn payload_and_hash(&self, id: Uuid) -> Result<Option<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT payload, payload_hash FROM responses WHERE id = $1")
                .bind(id)
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
            "UPDATE responses SET payload = $1, payload_hash = $2, \
             purged_at = COALESCE($3, purged_at) WHERE id = $4",
        )
        .bind(payload)
        .bind(hash)
        .bind(purged_at)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        let items: Option<Vec<String>> =
            comment_items.map(|items| items.iter().map(|i| (*i).to_owned()).collect());
        sqlx::query(
            "DELETE FROM comments WHERE response_id = $1 \
             AND ($2::text[] IS NULL OR item = ANY($2))",
        )
        .bind(id)
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
        Ok(sqlx::query_as(
            "SELECT id, payload, payload_hash FROM responses WHERE submitted_at < $1 \
             AND payload_hash NOT LIKE $2 AND (NOT $3 OR channel = 'mystery_shop') \
             AND ($4::uuid IS NULL OR id > $4) ORDER BY id LIMIT $5",
        )
        .bind(before)
        .bind(done)
        .bind(shop_only)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?)
    }

    /// Make the catalog hold `rows` as they are (copying from SQLite: the
    /// source is the truth), leaving rows the source lacks alone.
    pub async fn import_catalog(&self, rows: &CatalogRows) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(BUMP).execute(&mut *tx).await?;
        for q in &rows.questionnaires {
            sqlx::query(
                "INSERT INTO questionnaires (id, version, kind, json, active, uploaded_at) \
                 VALUES ($1, $2, $3, $4, FALSE, $5) \
                 ON CONFLICT (id, version) DO UPDATE SET kind = excluded.kind, \
                 json = excluded.json, uploaded_at = excluded.uploaded_at",
            )
            .bind(&q.id)
            .bind(i64::from(q.version))
            .bind(&q.kind)
            .bind(&q.json)
            .bind(q.uploaded_at)
            .execute(&mut *tx)
            .await?;
        }
        // Off first, then on: the unique index allows one active version.
        for q in rows.questionnaires.iter().filter(|q| q.active) {
            sqlx::query("UPDATE questionnaires SET active = FALSE WHERE id = $1 AND version <> $2")
                .bind(&q.id)
                .bind(i64::from(q.version))
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE questionnaires SET active = TRUE WHERE id = $1 AND version = $2")
                .bind(&q.id)
                .bind(i64::from(q.version))
                .execute(&mut *tx)
                .await?;
        }
        let now = OffsetDateTime::now_utc();
        for (position, b) in rows.branches.iter().enumerate() {
            sqlx::query(
                "INSERT INTO branches (code, name, region, active, position, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET \
                 name = excluded.name, region = excluded.region, active = excluded.active, \
                 position = excluded.position, updated_at = excluded.updated_at",
            )
            .bind(&b.code)
            .bind(&b.name)
            .bind(&b.region)
            .bind(b.active)
            .bind(position as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Record that response `id` had its texts purged at `at` (copying
    /// from SQLite; the payload came with the response).
    pub async fn set_purged(&self, id: Uuid, at: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE responses SET purged_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
