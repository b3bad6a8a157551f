//! The one storage interface, over its backends.
//!
//! [`Store`] is an enum with one variant per database, chosen by
//! [`Store::connect`] from the URL's scheme; the rest of the server only sees
//! its methods. SQLite ([`sqlite`]) is the default and needs no setup;
//! PostgreSQL ([`postgres`]) serves several server replicas. Each has its own
//! migrations (`migrations/sqlite/`, `migrations/postgres/`), and the same
//! test suite runs against both.

pub mod access;
pub mod catalog;
pub mod postgres;
mod postgres_access;
pub mod rollup;
pub mod sqlite;
mod sqlite_access;

use branchpulse_core::aggregate::{Comment, CommentQuery, Filter, Part, Rollup};
use branchpulse_core::Response;
pub use rollup::Facts;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use time::{Date, Duration};
use uuid::Uuid;

/// A storage backend, chosen by the database URL.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PostgresStore),
}

/// One response ready to store: the columns kept for aggregation, the
/// canonical JSON of the whole response, and the hash of that JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: Uuid,
    pub questionnaire_id: String,
    pub questionnaire_version: u32,
    pub branch: String,
    pub device_id: String,
    /// `kiosk` or `mystery_shop`.
    pub channel: String,
    /// BCP 47 tag, e.g. `zh-CN`.
    pub locale: String,
    pub started_at: OffsetDateTime,
    pub submitted_at: OffsetDateTime,
    pub received_at: OffsetDateTime,
    /// The response re-serialized by the server, so that two copies of the
    /// same response compare equal whatever their whitespace or key order.
    pub payload: String,
    /// Lowercase hex SHA-256 of `payload`.
    pub payload_hash: String,
    /// What the response adds to the dashboard tables, written in the same
    /// transaction when the response is newly stored. `None` (e.g. rows
    /// copied by the migration tool) leaves it to [`Store::backfill`].
    pub facts: Option<Facts>,
    /// The enrolled device whose token submitted the response (`None` for
    /// rows copied by the migration tool from before enrolment existed).
    pub enrolled_device: Option<Uuid>,
}

impl Record {
    pub fn new(response: &Response, received_at: OffsetDateTime) -> Record {
        let payload = canonical_json(response);
        let payload_hash = sha256_hex(&payload);
        Record {
            id: response.id,
            questionnaire_id: response.questionnaire_id.clone(),
            questionnaire_version: response.questionnaire_version,
            branch: response.branch.clone(),
            device_id: response.device_id.clone(),
            channel: serde_label(&response.channel),
            locale: response.locale.tag().to_owned(),
            started_at: response.started_at,
            submitted_at: response.submitted_at,
            received_at,
            payload,
            payload_hash,
            facts: None,
            enrolled_device: None,
        }
    }

    pub fn from_device(mut self, device: Uuid) -> Record {
        self.enrolled_device = Some(device);
        self
    }

    pub fn with_facts(mut self, facts: Facts) -> Record {
        self.facts = Some(facts);
        self
    }
}

/// The JSON the server stores for a response. Deterministic: struct fields in
/// declaration order, answers in a `BTreeMap`, no floats.
pub fn canonical_json(response: &Response) -> String {
    serde_json::to_string(response).expect("a Response always serializes")
}

pub fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// The serialized name of a unit enum variant (`Channel::MysteryShop` → `mystery_shop`).
fn serde_label<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => panic!("expected a unit variant, got {other:?}"),
    }
}

/// A mystery-shop visit assignment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRecord {
    pub id: Uuid,
    pub branch: String,
    pub scenario: String,
    pub questionnaire_id: String,
    pub due: time::Date,
    pub created_at: OffsetDateTime,
    /// The shopper whose phones list the visit; `None`: any shopper's.
    pub shopper: Option<String>,
}

/// What happened to one record of [`Store::save`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Stored now.
    Inserted,
    /// A record with the same id and the same payload was already stored.
    AlreadyStored,
    /// A record with the same id but a different payload is stored; it was
    /// left as it is.
    Conflict,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL \"{0}\": expected sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("the database holds a row it cannot read: {0}")]
    Corrupt(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether trying again later may succeed (busy, unreachable, pool
    /// exhausted), as opposed to a bug or a broken schema.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(e) => match e {
                sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(db) => {
                    let code = db.code();
                    let code = code.as_deref().unwrap_or_default();
                    if db
                        .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                        .is_some()
                    {
                        // Serialization failure, deadlock, too many
                        // connections, server shutting down, connection lost.
                        matches!(code, "40001" | "40P01" | "53300" | "57P01" | "57P03")
                            || code.starts_with("08")
                    } else {
                        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with extended codes.
                        let code = code.parse::<u32>().ok();
                        matches!(code.map(|c| c & 0xff), Some(5 | 6))
                    }
                }
                _ => false,
            },
            _ => false,
        }
    }
}

impl Store {
    /// Open the database named by `url`, creating it if needed, and apply
    /// the migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(sqlite::SqliteStore::connect(url).await?))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Store::Postgres(
                postgres::PostgresStore::connect(url).await?,
            ))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// A trivial query, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.ping().await,
            Store::Postgres(p) => p.ping().await,
        }
    }

    /// Store `records` in one transaction: either every outcome holds or
    /// nothing was written. Records whose id is already stored are not
    /// written; the outcome says whether the stored payload is the same.
    /// The outcomes are in the order of `records`. Ids must be distinct.
    pub async fn save(&self, records: &[Record]) -> Result<Vec<Saved>, StoreError> {
        // Rows are written, and so locked, in id order whatever the batch's
        // order: two replicas storing overlapping batches then wait for each
        // other instead of each holding a row the other needs (a deadlock,
        // which PostgreSQL breaks by failing one batch). The rollups that
        // follow are written in key order for the same reason (`Pending`).
        let mut by_id: Vec<(usize, &Record)> = records.iter().enumerate().collect();
        by_id.sort_by_key(|(_, r)| r.id);
        let sorted: Vec<&Record> = by_id.iter().map(|(_, r)| *r).collect();
        let saved = match self {
            Store::Sqlite(s) => s.save(&sorted).await?,
            Store::Postgres(p) => p.save(&sorted).await?,
        };
        let mut outcomes = vec![Saved::Inserted; records.len()];
        for ((slot, _), saved) in by_id.into_iter().zip(saved) {
            outcomes[slot] = saved;
        }
        Ok(outcomes)
    }

    /// The payload hashes of those of `ids` that are stored, in one query.
    pub async fn stored_hashes(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        match self {
            Store::Sqlite(s) => s.stored_hashes(ids).await,
            Store::Postgres(p) => p.stored_hashes(ids).await,
        }
    }

    /// Roll up every stored response that is not yet (stored before the
    /// rollups existed, or copied without them), each exactly once even
    /// with several servers doing it at once. `facts` scores a response;
    /// `None` (its questionnaire is no longer known) marks it without adding.
    /// Returns how many responses were rolled up.
    pub async fn backfill(
        &self,
        facts: impl Fn(&Response) -> Option<Facts>,
    ) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.backfill(facts).await,
            Store::Postgres(p) => p.backfill(facts).await,
        }
    }

    /// Add rows of sums straight to the rollup tables, in one transaction.
    /// Ingest does this itself; this is for seeding benchmarks with the
    /// sums ingest would have made.
    pub async fn add_rollups(
        &self,
        rows: &[(rollup::RollupKey, Rollup)],
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.add_rollups(rows).await,
            Store::Postgres(p) => p.add_rollups(rows).await,
        }
    }

    /// The rollups the filter takes in (by day, channel and questionnaire),
    /// summed per branch and ISO week. Branches are chosen by the caller.
    pub async fn rollup_parts(&self, filter: &Filter) -> Result<Vec<Part>, StoreError> {
        match self {
            Store::Sqlite(s) => s.rollup_parts(filter).await,
            Store::Postgres(p) => p.rollup_parts(filter).await,
        }
    }

    /// The latest `query.limit` comments per branch that the filter takes
    /// in (by day, channel and questionnaire) and that contain the search
    /// text, newest first. Branches are chosen by the caller.
    pub async fn comments(&self, query: &CommentQuery) -> Result<Vec<Comment>, StoreError> {
        match self {
            Store::Sqlite(s) => s.comments(query).await,
            Store::Postgres(p) => p.comments(query).await,
        }
    }

    /// Up to `limit` stored responses after `after`, in submission order,
    /// that may be in the filter: channel and questionnaire are exact, the
    /// days only narrowed to a UTC window ([`utc_window`]); the caller
    /// checks days and branches exactly.
    pub async fn responses_page(
        &self,
        filter: &Filter,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<Vec<(Cursor, String)>, StoreError> {
        match self {
            Store::Sqlite(s) => s.responses_page(filter, after, limit).await,
            Store::Postgres(p) => p.responses_page(filter, after, limit).await,
        }
    }

    /// Number of stored responses.
    pub async fn count(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.count().await,
            Store::Postgres(p) => p.count().await,
        }
    }

    /// Store a new visit assignment.
    pub async fn add_visit(&self, visit: &VisitRecord) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.add_visit(visit).await,
            Store::Postgres(p) => p.add_visit(visit).await,
        }
    }

    /// The visit assignments, of one branch or of all, soonest due first
    /// (then oldest assigned first).
    pub async fn visits(&self, branch: Option<&str>) -> Result<Vec<VisitRecord>, StoreError> {
        match self {
            Store::Sqlite(s) => s.visits(branch).await,
            Store::Postgres(p) => p.visits(branch).await,
        }
    }

    /// Those of `visits` (of `branches`) whose report has been received: a
    /// stored mystery-shop response names the visit as its `assignment`.
    pub async fn reported_visits(
        &self,
        branches: &[String],
        visits: &[Uuid],
    ) -> Result<std::collections::HashSet<Uuid>, StoreError> {
        if visits.is_empty() {
            return Ok(Default::default());
        }
        let found = match self {
            Store::Sqlite(s) => s.reported_visits(branches, visits).await?,
            Store::Postgres(p) => p.reported_visits(branches, visits).await?,
        };
        Ok(found.into_iter().collect())
    }

    /// Close every connection, waiting for queries in flight.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }
}

/// Where a page of [`Store::responses_page`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub submitted_at: time::OffsetDateTime,
    pub id: Uuid,
}

/// UTC instants that surely contain every moment of the local days `from`
/// to `to` in any time zone (offsets run from −12:00 to +14:00). Checked:
/// a bound past the end of the calendar is no bound (the caller checks
/// the days exactly).
pub fn utc_window(filter: &Filter) -> (Option<time::OffsetDateTime>, Option<time::OffsetDateTime>) {
    let start = |d: Date| d.midnight().assume_utc().checked_sub(Duration::hours(15));
    let end = |d: Date| {
        d.midnight()
            .assume_utc()
            .checked_add(Duration::days(1) + Duration::hours(13))
    };
    (filter.from.and_then(start), filter.to.and_then(end))
}

/// The summed rows of the three rollup tables as parts per (branch, week).
fn assemble(
    main: Vec<(Date, String, Rollup)>,
    critical: Vec<(Date, String, String, i64)>,
    waits: Vec<(Date, String, i64, i64)>,
) -> Vec<Part> {
    let mut parts: BTreeMap<(String, Date), Rollup> = BTreeMap::new();
    for (week, branch, r) in main {
        parts.entry((branch, week)).or_default().merge(&r);
    }
    for (week, branch, item, count) in critical {
        let r = parts.entry((branch, week)).or_default();
        *r.critical.entry(item).or_default() += u64::try_from(count).unwrap_or(0);
    }
    for (week, branch, seconds, count) in waits {
        let (Ok(seconds), Ok(count)) = (u32::try_from(seconds), u64::try_from(count)) else {
            continue;
        };
        let r = parts.entry((branch, week)).or_default();
        *r.wait.entry(seconds).or_default() += count;
    }
    parts
        .into_iter()
        .map(|((branch, week), rollup)| Part {
            branch,
            week,
            rollup,
        })
        .collect()
}

/// `kiosk` or `mystery_shop` read back from the database.
fn channel_of(label: &str) -> Result<branchpulse_core::Channel, StoreError> {
    serde_json::from_value(serde_json::Value::String(label.to_owned()))
        .map_err(|_| StoreError::Corrupt(format!("channel \"{label}\"")))
}
