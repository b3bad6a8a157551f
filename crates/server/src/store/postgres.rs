//! The PostgreSQL backend, for a bank that outgrows one machine: several
//! stateless server replicas share one database. Migrations are embedded;
//! sqlx holds an advisory lock while applying them, so replicas that start
//! together do not race.

use super::rollup::{self, Facts, Num, Pending, RollupKey};
use super::{assemble, channel_of, utc_window, Cursor, Record, Saved, StoreError, VisitRecord};
use branchpulse_core::aggregate::Rollup;
use branchpulse_core::aggregate::{channel_label, Comment, CommentQuery, Filter, Part};
use branchpulse_core::Response;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Connection;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

const INSERT: &str = "INSERT INTO responses (id, questionnaire_id, questionnaire_version, branch, \
     device_id, channel, locale, started_at, submitted_at, received_at, payload, payload_hash, \
     enrolled_device) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
     ON CONFLICT (id) DO NOTHING";

/// The same insert for a response whose facts are written with it.
const INSERT_ROLLED_UP: &str = "INSERT INTO responses (id, questionnaire_id, \
     questionnaire_version, branch, device_id, channel, locale, started_at, submitted_at, \
     received_at, payload, payload_hash, enrolled_device, rolled_up) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, TRUE) \
     ON CONFLICT (id) DO NOTHING";

static UPSERT_DAILY: LazyLock<String> =
    LazyLock::new(|| rollup::upsert_sql("rollups", &rollup::DAILY_KEYS, |i| format!("${i}")));
static UPSERT_WEEKLY: LazyLock<String> = LazyLock::new(|| {
    rollup::upsert_sql("rollups_weekly", &rollup::WEEKLY_KEYS, |i| format!("${i}"))
});

/// Day, channel and questionnaire of a filter: parameters $1–$4.
const FILTER: &str =
    "($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day <= $2::date) \
     AND ($3::text IS NULL OR channel = $3::text) \
     AND ($4::text IS NULL OR questionnaire_id = $4::text)";

/// Days in range of the partly covered weeks $5 and $6 (see `rollup::edge_weeks`).
static SELECT_DAILY: LazyLock<String> = LazyLock::new(|| {
    rollup::select_sql(
        "rollups",
        &format!("week IN ($5::date, $6::date) AND {FILTER}"),
    )
});

/// The whole weeks $1–$2.
static SELECT_WEEKLY: LazyLock<String> = LazyLock::new(|| {
    rollup::select_sql(
        "rollups_weekly",
        "($1::date IS NULL OR week >= $1::date) AND ($2::date IS NULL OR week <= $2::date) \
         AND ($3::text IS NULL OR channel = $3::text) \
         AND ($4::text IS NULL OR questionnaire_id = $4::text)",
    )
});

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
           FROM comments WHERE {FILTER} \
             AND ($5::text IS NULL OR folded LIKE $5::text ESCAPE '\\') \
         ) AS ranked WHERE pos <= $6 ORDER BY submitted_at DESC, response_id, item"
    )
});

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
    pub async fn save(&self, records: &[&Record]) -> Result<Vec<Saved>, StoreError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(records.len());
        let mut pending = Pending::default();
        for &r in records {
            let insert = if r.facts.is_some() {
                INSERT_ROLLED_UP
            } else {
                INSERT
            };
            let inserted = sqlx::query(insert)
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
                .bind(r.enrolled_device)
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
        add_sums(&mut tx, &pending).await?;
        tx.commit().await?;
        Ok(outcomes)
    }

    pub async fn stored_hashes(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, StoreError> {
        let rows: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, payload_hash FROM responses WHERE id = ANY($1)")
                .bind(ids)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// Every (id, payload_hash), by id: what migration checks compare.
    pub async fn id_hashes(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id::text, payload_hash FROM responses ORDER BY id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Two replicas may run this at once: the `UPDATE … WHERE NOT rolled_up`
    /// takes the row's lock, so only one of them adds each response.
    pub async fn backfill(
        &self,
        facts: impl Fn(&Response) -> Option<Facts>,
    ) -> Result<u64, StoreError> {
        let mut added = 0;
        loop {
            let rows: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                "SELECT id, payload FROM responses WHERE NOT rolled_up ORDER BY id LIMIT 500",
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
                    "UPDATE responses SET rolled_up = TRUE WHERE id = $1 AND NOT rolled_up",
                )
                .bind(id)
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
                Ok(Comment {
                    response_id: row.try_get(0)?,
                    branch: row.try_get(1)?,
                    questionnaire_id: row.try_get(2)?,
                    channel: channel_of(&row.try_get::<String, _>(3)?)?,
                    submitted_at: row.try_get(4)?,
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
        let rows: Vec<(uuid::Uuid, time::OffsetDateTime, String)> = sqlx::query_as(
            "SELECT id, submitted_at, payload FROM responses \
             WHERE ($1::timestamptz IS NULL OR submitted_at >= $1::timestamptz) \
             AND ($2::timestamptz IS NULL OR submitted_at < $2::timestamptz) \
             AND ($3::text IS NULL OR channel = $3::text) \
             AND ($4::text IS NULL OR questionnaire_id = $4::text) \
             AND ($5::timestamptz IS NULL OR (submitted_at, id) > ($5::timestamptz, $6::uuid)) \
             ORDER BY submitted_at, id LIMIT $7",
        )
        .bind(start)
        .bind(end)
        .bind(filter.channel.map(channel_label))
        .bind(filter.questionnaire.as_deref())
        .bind(after.map(|c| c.submitted_at))
        .bind(after.map(|c| c.id))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, submitted_at, payload)| (Cursor { submitted_at, id }, payload))
            .collect())
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
            "INSERT INTO visits (id, branch, scenario, questionnaire_id, due, created_at, shopper) \
             VALUES ($1, $2, $3, $4, $5, $6, $7){on_conflict}"
        );
        Ok(sqlx::query(&sql)
            .bind(v.id)
            .bind(&v.branch)
            .bind(&v.scenario)
            .bind(&v.questionnaire_id)
            .bind(v.due)
            .bind(v.created_at)
            .bind(&v.shopper)
            .execute(&self.pool)
            .await?
            .rows_affected()
            == 1)
    }

    pub async fn visits(&self, branch: Option<&str>) -> Result<Vec<VisitRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, branch, scenario, questionnaire_id, due, created_at, shopper FROM visits \
                 WHERE $1::text IS NULL OR branch = $1 ORDER BY due, created_at, id",
        )
        .bind(branch)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(visit_of).collect()
    }

    pub async fn reported_visits(
        &self,
        branches: &[String],
        visits: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError> {
        let ids: Vec<String> = visits.iter().map(Uuid::to_string).collect();
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT payload::jsonb ->> 'assignment' FROM responses \
             WHERE channel = 'mystery_shop' AND branch = ANY($1) \
             AND payload::jsonb ->> 'assignment' = ANY($2)",
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

/// Add the pending sums to the rollup tables, in their fixed order, and the
/// pending comments.
async fn add_sums(tx: &mut sqlx::PgConnection, pending: &Pending) -> Result<(), StoreError> {
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
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (day, branch, questionnaire_id, channel, item) \
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
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (day, branch, questionnaire_id, channel, seconds) \
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
async fn add_comments(tx: &mut sqlx::PgConnection, pending: &Pending) -> Result<(), StoreError> {
    for chunk in pending.comments.chunks(rollup::COMMENTS_PER_INSERT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new(
            "INSERT INTO comments (response_id, item, branch, questionnaire_id, channel, day, \
             submitted_at, text, folded) ",
        );
        q.push_values(chunk, |mut row, (day, c)| {
            row.push_bind(c.response_id)
                .push_bind(c.item.clone())
                .push_bind(c.branch.clone())
                .push_bind(c.questionnaire_id.clone())
                .push_bind(channel_label(c.channel))
                .push_bind(*day)
                .push_bind(c.submitted_at)
                .push_bind(c.text.clone())
                .push_bind(branchpulse_core::aggregate::fold(&c.text));
        });
        q.push(" ON CONFLICT (response_id, item) DO NOTHING");
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

pub(super) fn visit_of(row: &sqlx::postgres::PgRow) -> Result<VisitRecord, StoreError> {
    Ok(VisitRecord {
        id: row.try_get("id")?,
        branch: row.try_get("branch")?,
        scenario: row.try_get("scenario")?,
        questionnaire_id: row.try_get("questionnaire_id")?,
        due: row.try_get("due")?,
        created_at: row.try_get("created_at")?,
        shopper: row.try_get("shopper")?,
    })
}
