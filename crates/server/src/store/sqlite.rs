//! The SQLite backend: one file, WAL mode, migrations embedded in the binary.
//!
//! Timestamps are stored as UTC text with milliseconds
//! (`2025-03-01T09:30:00.000Z`): fixed width, so they sort and compare as
//! text, and SQLite's date functions read them.

use super::rollup::{self, Facts, Num, Pending, RollupKey};
use super::{assemble, channel_of, utc_window, Cursor, Record, Saved, StoreError, VisitRecord};
use branchpulse_core::aggregate::Rollup;
use branchpulse_core::aggregate::{channel_label, Comment, CommentQuery, Filter, Part};
use branchpulse_core::Response;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Row};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::LazyLock;
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
     device_id, channel, locale, started_at, submitted_at, received_at, payload, payload_hash, \
     enrolled_device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING";

/// The same insert for a response whose facts are written with it.
const INSERT_ROLLED_UP: &str =
    "INSERT INTO responses (id, questionnaire_id, questionnaire_version, \
     branch, device_id, channel, locale, started_at, submitted_at, received_at, payload, \
     payload_hash, enrolled_device, rolled_up) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) \
     ON CONFLICT(id) DO NOTHING";

static UPSERT_DAILY: LazyLock<String> =
    LazyLock::new(|| rollup::upsert_sql("rollups", &rollup::DAILY_KEYS, |_| "?".into()));
static UPSERT_WEEKLY: LazyLock<String> =
    LazyLock::new(|| rollup::upsert_sql("rollups_weekly", &rollup::WEEKLY_KEYS, |_| "?".into()));

/// Day, channel and questionnaire of a filter: parameters ?1–?4.
const FILTER: &str = "(?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2) \
     AND (?3 IS NULL OR channel = ?3) AND (?4 IS NULL OR questionnaire_id = ?4)";

/// Days in range of the partly covered weeks ?5 and ?6 (see `rollup::edge_weeks`).
static SELECT_DAILY: LazyLock<String> =
    LazyLock::new(|| rollup::select_sql("rollups", &format!("week IN (?5, ?6) AND {FILTER}")));

/// The whole weeks ?1–?2.
static SELECT_WEEKLY: LazyLock<String> = LazyLock::new(|| {
    rollup::select_sql(
        "rollups_weekly",
        "(?1 IS NULL OR week >= ?1) AND (?2 IS NULL OR week <= ?2) \
         AND (?3 IS NULL OR channel = ?3) AND (?4 IS NULL OR questionnaire_id = ?4)",
    )
});

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
            // FULL: every commit is synced to the WAL file before it
            // returns. A device deletes a response once told `accepted`, so
            // the answer must survive a power cut; with NORMAL the last
            // commits before one can be lost (`cargo xtask bench` prints
            // the cost).
            .synchronous(SqliteSynchronous::Full)
            // Deleted or overwritten content is zeroed in the file, so a
            // purged text cannot be read back from free pages.
            .pragma("secure_delete", "ON")
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

    pub async fn save(&self, records: &[&Record]) -> Result<Vec<Saved>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        // BEGIN IMMEDIATE would avoid a lock upgrade, but sqlx's `begin`
        // issues a plain BEGIN; the busy timeout covers the upgrade.
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(records.len());
        let mut pending = Pending::default();
        for &r in records {
            let insert = if r.facts.is_some() {
                INSERT_ROLLED_UP
            } else {
                INSERT
            };
            let inserted = bind_record(sqlx::query(insert), r)
                .bind(r.enrolled_device.map(|d| d.to_string()))
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            let outcome = if inserted {
                if let Some(facts) = &r.facts {
                    pending.add_facts(r, facts);
                }
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
        add_sums(&mut tx, &pending).await?;
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
             locale, started_at, submitted_at, received_at, payload, payload_hash, \
             enrolled_device FROM responses WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after.map(|id| id.to_string()).unwrap_or_default())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record_of).collect()
    }

    /// The ids go in as one JSON array, so that a batch of any size is one
    /// query and one parameter.
    pub async fn stored_hashes(
        &self,
        ids: &[uuid::Uuid],
    ) -> Result<HashMap<uuid::Uuid, String>, StoreError> {
        let ids = serde_json::to_string(ids).expect("uuids serialize");
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, payload_hash FROM responses WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, hash)| {
                let id = id
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("response id \"{id}\"")))?;
                Ok((id, hash))
            })
            .collect()
    }

    /// Every (id, payload_hash), by id: what migration checks compare.
    pub async fn id_hashes(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, payload_hash FROM responses ORDER BY id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn backfill(
        &self,
        facts: impl Fn(&Response) -> Option<Facts>,
    ) -> Result<u64, StoreError> {
        let mut added = 0;
        loop {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT id, payload FROM responses WHERE rolled_up = 0 ORDER BY id LIMIT 500",
            )
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(added);
            }
            let mut tx = self.pool.begin().await?;
            let mut pending = Pending::default();
            for (id, payload) in rows {
                let marked = sqlx::query(
                    "UPDATE responses SET rolled_up = 1 WHERE id = ? AND rolled_up = 0",
                )
                .bind(&id)
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
                let record = Record::new(&response, time::OffsetDateTime::now_utc());
                pending.add_facts(&record, &f);
                added += 1;
            }
            add_sums(&mut tx, &pending).await?;
            tx.commit().await?;
        }
    }

    /// Add rows of sums straight to the rollup tables, in one transaction
    /// (benchmarks seed them this way; ingest adds them with each response).
    pub async fn add_rollups(&self, rows: &[(RollupKey, Rollup)]) -> Result<(), StoreError> {
        let mut pending = Pending::default();
        for (key, rollup) in rows {
            pending.add(key.clone(), rollup);
        }
        let mut tx = self.pool.begin().await?;
        add_sums(&mut tx, &pending).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn rollup_parts(&self, filter: &Filter) -> Result<Vec<Part>, StoreError> {
        let bind = |sql: &'static str| {
            sqlx::query(sql)
                .bind(filter.from)
                .bind(filter.to)
                .bind(filter.channel.map(channel_label))
                .bind(filter.questionnaire.as_deref())
        };
        let (first, last) = rollup::whole_weeks(filter);
        let edges = rollup::edge_weeks(filter);
        let daily = match (edges.first(), edges.last()) {
            (Some(a), Some(b)) => {
                bind(SELECT_DAILY.as_str())
                    .bind(*a)
                    .bind(*b)
                    .fetch_all(&self.pool)
                    .await?
            }
            _ => Vec::new(),
        };
        let weekly = sqlx::query(SELECT_WEEKLY.as_str())
            .bind(first)
            .bind(last)
            .bind(filter.channel.map(channel_label))
            .bind(filter.questionnaire.as_deref())
            .fetch_all(&self.pool)
            .await?;
        let mut main = Vec::with_capacity(daily.len() + weekly.len());
        for row in daily.iter().chain(&weekly) {
            let mut values = Vec::with_capacity(rollup::COLUMN_COUNT);
            for i in 0..rollup::COLUMN_COUNT {
                values.push(if rollup::is_int(i) {
                    Num::Int(row.try_get::<Option<i64>, _>(i + 2)?.unwrap_or(0))
                } else {
                    Num::Real(row.try_get::<Option<f64>, _>(i + 2)?.unwrap_or(0.0))
                });
            }
            main.push((
                row.try_get::<time::Date, _>(0)?,
                row.try_get::<String, _>(1)?,
                rollup::rollup_of(&values),
            ));
        }
        let critical = bind(CRITICAL_SQL.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let waits = bind(WAITS_SQL.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(assemble(main, critical, waits))
    }

    pub async fn comments(&self, query: &CommentQuery) -> Result<Vec<Comment>, StoreError> {
        let filter = &query.filter;
        let rows = sqlx::query(COMMENTS_SQL.as_str())
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.channel.map(channel_label))
            .bind(filter.questionnaire.as_deref())
            .bind(query.q.as_deref().map(rollup::like_pattern))
            .bind(i64::from(query.limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0)?;
                let at: String = row.try_get(4)?;
                Ok(Comment {
                    response_id: id
                        .parse()
                        .map_err(|e| StoreError::Corrupt(format!("comment of \"{id}\": {e}")))?,
                    branch: row.try_get(1)?,
                    questionnaire_id: row.try_get(2)?,
                    channel: channel_of(&row.try_get::<String, _>(3)?)?,
                    submitted_at: OffsetDateTime::parse(
                        &at,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .map_err(|e| StoreError::Corrupt(format!("submitted_at \"{at}\": {e}")))?,
                    item: row.try_get(5)?,
                    text: row.try_get(6)?,
                })
            })
            .collect()
    }

    pub async fn responses_page(
        &self,
        filter: &Filter,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<Vec<(Cursor, String)>, StoreError> {
        let (start, end) = utc_window(filter);
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, submitted_at, payload FROM responses \
             WHERE (?1 IS NULL OR submitted_at >= ?1) AND (?2 IS NULL OR submitted_at < ?2) \
             AND (?3 IS NULL OR channel = ?3) AND (?4 IS NULL OR questionnaire_id = ?4) \
             AND (?5 IS NULL OR (submitted_at, id) > (?5, ?6)) \
             ORDER BY submitted_at, id LIMIT ?7",
        )
        .bind(start.map(timestamp))
        .bind(end.map(timestamp))
        .bind(filter.channel.map(channel_label))
        .bind(filter.questionnaire.as_deref())
        .bind(after.map(|c| timestamp(c.submitted_at)))
        .bind(after.map(|c| c.id.to_string()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, at, payload)| {
                let cursor = Cursor {
                    submitted_at: OffsetDateTime::parse(
                        &at,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .map_err(|e| StoreError::Corrupt(format!("submitted_at \"{at}\": {e}")))?,
                    id: id
                        .parse()
                        .map_err(|e| StoreError::Corrupt(format!("id \"{id}\": {e}")))?,
                };
                Ok((cursor, payload))
            })
            .collect()
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    pub async fn add_visit(&self, v: &VisitRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO visits (id, branch, scenario, questionnaire_id, due, created_at, shopper) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(v.id.to_string())
        .bind(&v.branch)
        .bind(&v.scenario)
        .bind(&v.questionnaire_id)
        .bind(v.due.to_string())
        .bind(timestamp(v.created_at))
        .bind(&v.shopper)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn visits(&self, branch: Option<&str>) -> Result<Vec<VisitRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, branch, scenario, questionnaire_id, due, created_at, shopper FROM visits \
             WHERE ?1 IS NULL OR branch = ?1 ORDER BY due, created_at, id",
        )
        .bind(branch)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(visit_of).collect()
    }

    pub async fn reported_visits(
        &self,
        branches: &[String],
        visits: &[uuid::Uuid],
    ) -> Result<Vec<uuid::Uuid>, StoreError> {
        let branches = serde_json::to_string(branches).expect("strings serialize");
        let ids = serde_json::to_string(visits).expect("uuids serialize");
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT json_extract(payload, '$.assignment') FROM responses \
             WHERE channel = 'mystery_shop' AND branch IN (SELECT value FROM json_each(?1)) \
             AND json_extract(payload, '$.assignment') IN (SELECT value FROM json_each(?2))",
        )
        .bind(branches)
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().filter_map(|id| id.parse().ok()).collect())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub(super) fn visit_of(row: &sqlx::sqlite::SqliteRow) -> Result<VisitRecord, StoreError> {
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
        shopper: row.try_get("shopper")?,
    })
}

static CRITICAL_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT week, branch, item, CAST(SUM(count) AS BIGINT) FROM rollup_critical \
         WHERE {FILTER} GROUP BY week, branch, item"
    )
});

static WAITS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT week, branch, seconds, CAST(SUM(count) AS BIGINT) FROM rollup_waits \
         WHERE {FILTER} GROUP BY week, branch, seconds"
    )
});

static COMMENTS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT response_id, branch, questionnaire_id, channel, submitted_at, item, text FROM ( \
           SELECT response_id, branch, questionnaire_id, channel, submitted_at, item, text, \
             ROW_NUMBER() OVER (PARTITION BY branch ORDER BY submitted_at DESC, response_id, item) AS pos \
           FROM comments WHERE {FILTER} AND (?5 IS NULL OR folded LIKE ?5 ESCAPE '\\') \
         ) AS ranked WHERE pos <= ?6 ORDER BY submitted_at DESC, response_id, item"
    )
});

/// Add the pending sums to the rollup tables, in their fixed order, and the
/// pending comments.
async fn add_sums(tx: &mut sqlx::SqliteConnection, pending: &Pending) -> Result<(), StoreError> {
    for (key, rollup) in pending.daily() {
        let mut q = sqlx::query(UPSERT_DAILY.as_str())
            .bind(key.week)
            .bind(&key.branch)
            .bind(key.day)
            .bind(&key.questionnaire_id)
            .bind(&key.channel);
        for v in rollup::values(rollup) {
            q = match v {
                Num::Int(i) => q.bind(i),
                Num::Real(x) => q.bind(x),
            };
        }
        q.execute(&mut *tx).await?;
    }
    for (key, rollup) in &pending.weekly() {
        let mut q = sqlx::query(UPSERT_WEEKLY.as_str())
            .bind(key.week)
            .bind(&key.branch)
            .bind(&key.questionnaire_id)
            .bind(&key.channel);
        for v in rollup::values(rollup) {
            q = match v {
                Num::Int(i) => q.bind(i),
                Num::Real(x) => q.bind(x),
            };
        }
        q.execute(&mut *tx).await?;
    }
    for (key, rollup) in pending.daily() {
        for (item, count) in &rollup.critical {
            sqlx::query(
                "INSERT INTO rollup_critical (day, week, branch, questionnaire_id, channel, item, count) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, branch, questionnaire_id, channel, item) \
                 DO UPDATE SET count = rollup_critical.count + excluded.count",
            )
            .bind(key.day)
            .bind(key.week)
            .bind(&key.branch)
            .bind(&key.questionnaire_id)
            .bind(&key.channel)
            .bind(item)
            .bind(i64::try_from(*count).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
    }
    for (key, rollup) in pending.daily() {
        for (seconds, count) in &rollup.wait {
            sqlx::query(
                "INSERT INTO rollup_waits (day, week, branch, questionnaire_id, channel, seconds, count) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, branch, questionnaire_id, channel, seconds) \
                 DO UPDATE SET count = rollup_waits.count + excluded.count",
            )
            .bind(key.day)
            .bind(key.week)
            .bind(&key.branch)
            .bind(&key.questionnaire_id)
            .bind(&key.channel)
            .bind(i64::from(*seconds))
            .bind(i64::try_from(*count).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
    }
    add_comments(&mut *tx, pending).await?;
    Ok(())
}

/// Add the pending comments to the dashboard's comment list, many rows per
/// statement.
async fn add_comments(
    tx: &mut sqlx::SqliteConnection,
    pending: &Pending,
) -> Result<(), StoreError> {
    for chunk in pending.comments.chunks(rollup::COMMENTS_PER_INSERT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO comments (response_id, item, branch, questionnaire_id, channel, day, \
             submitted_at, text, folded) ",
        );
        q.push_values(chunk, |mut row, (day, c)| {
            row.push_bind(c.response_id.to_string())
                .push_bind(c.item.clone())
                .push_bind(c.branch.clone())
                .push_bind(c.questionnaire_id.clone())
                .push_bind(channel_label(c.channel))
                .push_bind(*day)
                .push_bind(timestamp(c.submitted_at))
                .push_bind(c.text.clone())
                .push_bind(branchpulse_core::aggregate::fold(&c.text));
        });
        q.push(" ON CONFLICT (response_id, item) DO NOTHING");
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
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
        facts: None,
        enrolled_device: row
            .try_get::<Option<String>, _>("enrolled_device")?
            .map(|d| {
                d.parse()
                    .map_err(|e| StoreError::Corrupt(format!("enrolled_device \"{d}\": {e}")))
            })
            .transpose()?,
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
