//! The PostgreSQL backend, for a bank that outgrows one machine: several
//! stateless server replicas share one database. Migrations are embedded;
//! sqlx holds an advisory lock while applying them, so replicas that start
//! together do not race.

use super::{Record, Saved, StoreError, VisitRecord};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Connection;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

const INSERT: &str = "INSERT INTO responses (id, questionnaire_id, questionnaire_version, branch, \
     device_id, channel, locale, started_at, submitted_at, received_at, payload, payload_hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING";

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    /// Under READ COMMITTED, a second replica inserting the same id waits
    /// for the first one's transaction; then its `DO NOTHING` applies and
    /// the hash it reads is the committed one.
    pub async fn save(&self, records: &[Record]) -> Result<Vec<Saved>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(records.len());
        for r in records {
            let inserted = sqlx::query(INSERT)
                .bind(r.id)
                .bind(&r.questionnaire_id)
                .bind(i64::from(r.questionnaire_version))
                .bind(&r.branch)
                .bind(&r.device_id)
                .bind(&r.channel)
                .bind(&r.locale)
                .bind(r.started_at)
                .bind(r.submitted_at)
                .bind(r.received_at)
                .bind(&r.payload)
                .bind(&r.payload_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            let outcome = if inserted {
                Saved::Inserted
            } else {
                let stored: String =
                    sqlx::query_scalar("SELECT payload_hash FROM responses WHERE id = $1")
                        .bind(r.id)
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
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Every (id, payload_hash), by id: what migration checks compare.
    pub async fn id_hashes(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id::text, payload_hash FROM responses ORDER BY id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    pub async fn add_visit(&self, v: &VisitRecord) -> Result<(), StoreError> {
        self.insert_visit(v, "").await.map(|_| ())
    }

    /// Store `v` unless a visit with its id exists; whether it was stored.
    /// For copying from SQLite, safe to run again.
    pub async fn copy_visit(&self, v: &VisitRecord) -> Result<bool, StoreError> {
        self.insert_visit(v, " ON CONFLICT (id) DO NOTHING").await
    }

    async fn insert_visit(&self, v: &VisitRecord, on_conflict: &str) -> Result<bool, StoreError> {
        let sql = format!(
            "INSERT INTO visits (id, branch, scenario, questionnaire_id, due, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6){on_conflict}"
        );
        Ok(sqlx::query(&sql)
            .bind(v.id)
            .bind(&v.branch)
            .bind(&v.scenario)
            .bind(&v.questionnaire_id)
            .bind(v.due)
            .bind(v.created_at)
            .execute(&self.pool)
            .await?
            .rows_affected()
            == 1)
    }

    pub async fn visits(&self, branch: Option<&str>) -> Result<Vec<VisitRecord>, StoreError> {
        let rows: Vec<(
            uuid::Uuid,
            String,
            String,
            String,
            time::Date,
            time::OffsetDateTime,
        )> = sqlx::query_as(
            "SELECT id, branch, scenario, questionnaire_id, due, created_at FROM visits \
                 WHERE $1::text IS NULL OR branch = $1 ORDER BY due, created_at, id",
        )
        .bind(branch)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, branch, scenario, questionnaire_id, due, created_at)| VisitRecord {
                    id,
                    branch,
                    scenario,
                    questionnaire_id,
                    due,
                    created_at,
                },
            )
            .collect())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
