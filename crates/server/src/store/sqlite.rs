//! The SQLite backend: one file, WAL mode, migrations embedded in the binary.
//!
//! Timestamps are stored as UTC text with milliseconds
//! (`2025-03-01T09:30:00.000Z`): fixed width, so they sort and compare as
//! text, and SQLite's date functions read them.

use super::{Record, Saved, StoreError, VisitRecord};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Row};
use std::str::FromStr;
use std::time::Duration;
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

const TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// A day, as visits' `due` is stored: `2025-03-01`.
pub const DATE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Text form of a timestamp in the database.
pub fn timestamp(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(TIMESTAMP)
        .expect("every OffsetDateTime formats")
}

const INSERT: &str = "INSERT INTO responses (id, questionnaire_id, questionnaire_version, branch, \
     device_id, channel, locale, started_at, submitted_at, received_at, payload, payload_hash) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING";

/// `query` (12 `?` in the order of the `responses` columns) bound to `r`.
pub fn bind_record<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    r: &'q Record,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    query
        .bind(r.id.to_string())
        .bind(&r.questionnaire_id)
        .bind(i64::from(r.questionnaire_version))
        .bind(&r.branch)
        .bind(&r.device_id)
        .bind(&r.channel)
        .bind(&r.locale)
        .bind(timestamp(r.started_at))
        .bind(timestamp(r.submitted_at))
        .bind(timestamp(r.received_at))
        .bind(&r.payload)
        .bind(&r.payload_hash)
}

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Open (creating the file and its folder if missing) and migrate.
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            let file = options.get_filename();
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
        let pool = SqlitePoolOptions::new()
            // One writer at a time in SQLite; readers run beside it in WAL mode.
            .max_connections(if in_memory { 1 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// The connection pool, for code that needs SQL this interface lacks
    /// (tests, maintenance).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        sqlx::query("SELECT 1").execute(&mut *conn).await?;
        Ok(())
    }

    pub async fn save(&self, records: &[Record]) -> Result<Vec<Saved>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        // BEGIN IMMEDIATE would avoid a lock upgrade, but sqlx's `begin`
        // issues a plain BEGIN; the busy timeout covers the upgrade.
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(records.len());
        for r in records {
            let inserted = bind_record(sqlx::query(INSERT), r)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            let outcome = if inserted {
                Saved::Inserted
            } else {
                let stored: String = sqlx::query("SELECT payload_hash FROM responses WHERE id = ?")
                    .bind(r.id.to_string())
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
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

    /// Up to `limit` stored records with an id above `after`, by id.
    pub async fn records_after(
        &self,
        after: Option<uuid::Uuid>,
        limit: u32,
    ) -> Result<Vec<Record>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, questionnaire_id, questionnaire_version, branch, device_id, channel, \
             locale, started_at, submitted_at, received_at, payload, payload_hash \
             FROM responses WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after.map(|id| id.to_string()).unwrap_or_default())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record_of).collect()
    }

    /// Every (id, payload_hash), by id: what migration checks compare.
    pub async fn id_hashes(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, payload_hash FROM responses ORDER BY id")
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
        sqlx::query(
            "INSERT INTO visits (id, branch, scenario, questionnaire_id, due, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(v.id.to_string())
        .bind(&v.branch)
        .bind(&v.scenario)
        .bind(&v.questionnaire_id)
        .bind(v.due.to_string())
        .bind(timestamp(v.created_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn visits(&self, branch: Option<&str>) -> Result<Vec<VisitRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, branch, scenario, questionnaire_id, due, created_at FROM visits \
             WHERE ?1 IS NULL OR branch = ?1 ORDER BY due, created_at, id",
        )
        .bind(branch)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(visit_of).collect()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn visit_of(row: &sqlx::sqlite::SqliteRow) -> Result<VisitRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let due: String = row.try_get("due")?;
    let created: String = row.try_get("created_at")?;
    Ok(VisitRecord {
        id: id
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("visit id \"{id}\": {e}")))?,
        branch: row.try_get("branch")?,
        scenario: row.try_get("scenario")?,
        questionnaire_id: row.try_get("questionnaire_id")?,
        due: time::Date::parse(&due, DATE)
            .map_err(|e| StoreError::Corrupt(format!("visit due \"{due}\": {e}")))?,
        created_at: OffsetDateTime::parse(&created, &time::format_description::well_known::Rfc3339)
            .map_err(|e| StoreError::Corrupt(format!("visit created_at \"{created}\": {e}")))?,
    })
}

fn record_of(row: &sqlx::sqlite::SqliteRow) -> Result<Record, StoreError> {
    let time = |column: &str| -> Result<OffsetDateTime, StoreError> {
        let text: String = row.try_get(column)?;
        OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .map_err(|e| StoreError::Corrupt(format!("{column} \"{text}\": {e}")))
    };
    let id: String = row.try_get("id")?;
    let version: i64 = row.try_get("questionnaire_version")?;
    Ok(Record {
        id: id
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("id \"{id}\": {e}")))?,
        questionnaire_id: row.try_get("questionnaire_id")?,
        questionnaire_version: u32::try_from(version)
            .map_err(|e| StoreError::Corrupt(format!("questionnaire_version {version}: {e}")))?,
        branch: row.try_get("branch")?,
        device_id: row.try_get("device_id")?,
        channel: row.try_get("channel")?,
        locale: row.try_get("locale")?,
        started_at: time("started_at")?,
        submitted_at: time("submitted_at")?,
        received_at: time("received_at")?,
        payload: row.try_get("payload")?,
        payload_hash: row.try_get("payload_hash")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_are_fixed_width_utc() {
        assert_eq!(
            timestamp(datetime!(2025-03-01 10:30:00.5 +01:00)),
            "2025-03-01T09:30:00.500Z"
        );
        assert_eq!(
            timestamp(datetime!(2025-03-01 09:30:00 UTC)),
            "2025-03-01T09:30:00.000Z"
        );
    }
}
