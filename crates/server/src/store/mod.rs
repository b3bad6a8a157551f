//! The one storage interface, over its two databases.
//!
//! [`Store`] holds the connection pool of one database, chosen by
//! [`Store::connect`] from the URL's scheme; the rest of the server only
//! sees its methods. SQLite is the default and needs no setup; PostgreSQL
//! serves several server replicas. The same test suite runs against both.
//!
//! Inside, every query is written once, in `sql/`, and compiled for each
//! database (see `sql/mod.rs`). `sqlite.rs` and `postgres.rs` hold only
//! what truly differs: connecting (pool and pragmas), their migrations
//! (`migrations/sqlite/`, `migrations/postgres/`), how UUIDs, instants and
//! lists are stored (`backend.rs`), which error codes mean "try again".

/// Run the shared query `sql::$module::$f` on the store's database.
macro_rules! dispatch {
    ($store:expr, $module:ident :: $f:ident ( $($arg:expr),* )) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite(pool) => {
                $crate::store::sqlite::sql::$module::$f(pool, $($arg),*).await
            }
            $crate::store::Pool::Postgres(pool) => {
                $crate::store::postgres::sql::$module::$f(pool, $($arg),*).await
            }
        }
    };
}

pub mod access;
pub mod alerts;
mod backend;
pub mod cases;
pub mod catalog;
pub mod contacts;
pub mod copy;
pub mod delivery;
mod evidence;
mod postgres;
pub mod rollup;
mod sqlite;

use branchpulse_core::aggregate::{Comment, CommentQuery, Filter, Part, Rollup};
use branchpulse_core::alerts::Observed;
use branchpulse_core::programme::{Decision, ReportStatus, VisitStatus, Window};
use branchpulse_core::scorecard::ItemMap;
use branchpulse_core::Response;
pub use evidence::{EvidenceRecord, ReportOwner};
pub use rollup::Facts;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use time::OffsetDateTime;
use time::{Date, Duration};
use uuid::Uuid;

/// The storage of one database, chosen by its URL. Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
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
    /// A mystery-shop report: stored held for review, with its `reports`
    /// row, its visit moved to submitted, in the same transaction.
    pub report: Option<ReportFacts>,
    /// Held for review (a report not yet approved), when copied as such.
    pub held: bool,
    /// The kiosk's satisfaction answer (1–5), kept in its own column for
    /// the unhappy-burst rule.
    pub satisfaction: Option<u8>,
    /// What the alert rules judge, when the response is newly stored
    /// (`None`: not judged, e.g. rows copied by the migration tool).
    pub observed: Option<Observed>,
}

/// What a report adds beside its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    /// The visit it reports, if any.
    pub visit: Option<Uuid>,
    /// The shopper whose phone sent it.
    pub shopper: Option<String>,
    /// The returned report it corrects.
    pub revises: Option<Uuid>,
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
            report: None,
            held: false,
            satisfaction: None,
            observed: None,
        }
    }

    /// Whether it is stored held for review (not rolled up, in no figure).
    pub fn is_held(&self) -> bool {
        self.held || self.report.is_some()
    }

    pub fn as_report(mut self, report: ReportFacts) -> Record {
        self.report = Some(report);
        self
    }

    pub fn from_device(mut self, device: Uuid) -> Record {
        self.enrolled_device = Some(device);
        self
    }

    pub fn with_facts(mut self, facts: Facts) -> Record {
        self.facts = Some(facts);
        self
    }

    /// Judged by the alert rules when stored.
    pub fn observing(mut self, observed: Observed) -> Record {
        self.satisfaction = observed.satisfaction;
        self.observed = Some(observed);
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

/// A mystery-shop visit as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRecord {
    pub id: Uuid,
    pub branch: String,
    pub scenario: String,
    pub questionnaire_id: String,
    /// When it must be made; its last day is the day it is due.
    pub window: Window,
    pub created_at: OffsetDateTime,
    /// The shopper whose phones list the visit; `None`: any shopper's.
    pub shopper: Option<String>,
    pub status: VisitStatus,
    /// Why it was cancelled, if it was and a reason was given.
    pub cancelled_reason: Option<String>,
    pub updated_at: OffsetDateTime,
}

/// A mystery-shop report in review, with its response's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: Uuid,
    pub visit: Option<Uuid>,
    pub shopper: Option<String>,
    pub status: ReportStatus,
    pub note: Option<String>,
    pub revises: Option<Uuid>,
    pub revised_by: Option<Uuid>,
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<String>,
    pub branch: String,
    pub questionnaire_id: String,
    pub questionnaire_version: u32,
    pub submitted_at: OffsetDateTime,
    pub received_at: OffsetDateTime,
    /// Photos sent with it (announced, whole or not).
    pub photos: u32,
}

/// One review decision as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    pub at: OffsetDateTime,
    pub reviewer: String,
    pub decision: Decision,
    pub note: String,
}

/// A reviewer's decision to store (see [`Store::decide`]).
#[derive(Debug, Clone)]
pub struct Decided<'a> {
    pub id: Uuid,
    pub visit: Option<Uuid>,
    pub decision: Decision,
    pub note: &'a str,
    pub reviewer: &'a str,
    pub at: OffsetDateTime,
    /// What an approved report shows the alert rules, judged in the
    /// approving transaction (`None`: not judged, e.g. it cannot be read).
    pub observed: Option<&'a Observed>,
}

/// A visit status as stored.
pub fn status_label(s: VisitStatus) -> &'static str {
    match s {
        VisitStatus::Planned => "planned",
        VisitStatus::Assigned => "assigned",
        VisitStatus::InProgress => "in_progress",
        VisitStatus::Submitted => "submitted",
        VisitStatus::Approved => "approved",
        VisitStatus::Returned => "returned",
        VisitStatus::Rejected => "rejected",
        VisitStatus::Cancelled => "cancelled",
    }
}

fn status_of(label: &str) -> Result<VisitStatus, StoreError> {
    VisitStatus::ALL
        .into_iter()
        .find(|s| status_label(*s) == label)
        .ok_or_else(|| StoreError::Corrupt(format!("visit status \"{label}\"")))
}

/// A report status as stored.
pub fn report_status_label(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Submitted => "submitted",
        ReportStatus::Approved => "approved",
        ReportStatus::Returned => "returned",
        ReportStatus::Rejected => "rejected",
    }
}

fn report_status_of(label: &str) -> Result<ReportStatus, StoreError> {
    [
        ReportStatus::Submitted,
        ReportStatus::Approved,
        ReportStatus::Returned,
        ReportStatus::Rejected,
    ]
    .into_iter()
    .find(|s| report_status_label(*s) == label)
    .ok_or_else(|| StoreError::Corrupt(format!("report status \"{label}\"")))
}

/// What happened to one record of [`Store::save`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// A report refused because its visit (or the report it corrects)
    /// changed since it was checked; nothing of it was kept.
    Refused(String),
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
                        postgres::is_transient(code)
                    } else {
                        sqlite::is_transient(code)
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
        let pool = if url.starts_with("sqlite:") {
            Pool::Sqlite(sqlite::connect(url).await?)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Pool::Postgres(postgres::connect(url).await?)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        Ok(Store { pool })
    }

    /// Whether the database is SQLite (else PostgreSQL).
    pub fn is_sqlite(&self) -> bool {
        matches!(self.pool, Pool::Sqlite(_))
    }

    /// The SQLite connection pool, when that is the database: for tests of
    /// its connections' settings. Everything else goes through the methods.
    #[doc(hidden)]
    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// Close every connection, waiting for queries in flight.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// A trivial query, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, responses::ping())
    }

    /// Store `records` in one transaction: either every outcome holds or
    /// nothing was written. Records whose id is already stored are not
    /// written; the outcome says whether the stored payload is the same.
    /// The alerts the newly stored ones raise are raised in it too.
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
        let saved = dispatch!(self, responses::save(&sorted))?;
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
        dispatch!(self, responses::stored_hashes(ids))
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
        dispatch!(self, responses::backfill(facts))
    }

    /// Add rows of sums straight to the rollup tables, in one transaction.
    /// Ingest does this itself; this is for seeding benchmarks with the
    /// sums ingest would have made.
    pub async fn add_rollups(
        &self,
        rows: &[(rollup::RollupKey, Rollup)],
    ) -> Result<(), StoreError> {
        dispatch!(self, rollups::add_rollups(rows))
    }

    /// The rollups the filter takes in (by day, channel and questionnaire),
    /// summed per branch and ISO week, with the sums of the `commitments`'
    /// items ((questionnaire, item), as `Definitions::commitment_items`)
    /// and the wait slots. Branches are chosen by the caller.
    pub async fn rollup_parts(
        &self,
        filter: &Filter,
        commitments: &[(String, String)],
    ) -> Result<Vec<Part>, StoreError> {
        dispatch!(self, rollups::rollup_parts(filter, commitments))
    }

    /// Every item's sums that the filter takes in (by day, channel and
    /// questionnaire), per branch: the drill-down behind each score.
    /// Branches are chosen by the caller.
    pub async fn items(&self, filter: &Filter) -> Result<Vec<(String, ItemMap)>, StoreError> {
        dispatch!(self, rollups::items(filter))
    }

    /// The latest `query.limit` comments per branch that the filter takes
    /// in (by day, channel and questionnaire) and that contain the search
    /// text, newest first. Branches are chosen by the caller.
    pub async fn comments(&self, query: &CommentQuery) -> Result<Vec<Comment>, StoreError> {
        dispatch!(self, rollups::comments(query))
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
        dispatch!(self, responses::responses_page(filter, after, limit))
    }

    /// The payloads of the latest `limit` kiosk responses of `branches` that
    /// may be in the filter, newest first: days only narrowed to a UTC window
    /// ([`utc_window`]); the caller checks them exactly.
    pub async fn latest_kiosk(
        &self,
        filter: &Filter,
        branches: Vec<String>,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, responses::latest_kiosk(filter, branches, limit))
    }

    /// Number of stored responses.
    pub async fn count(&self) -> Result<u64, StoreError> {
        dispatch!(self, responses::count())
    }

    /// The stored payload of a response.
    pub async fn payload(&self, id: Uuid) -> Result<Option<String>, StoreError> {
        Ok(self.payload_and_hash(id).await?.map(|(payload, _)| payload))
    }

    /// A response's stored payload and payload hash.
    pub async fn payload_and_hash(&self, id: Uuid) -> Result<Option<(String, String)>, StoreError> {
        dispatch!(self, responses::payload_and_hash(id))
    }

    /// Replace a response's payload and hash with erased ones (see
    /// `maintenance::purge`), drop its comments (those of `comment_items`,
    /// or all) from the dashboard's list, its photos with `drop_evidence`,
    /// and set `purged_at` when given, in one transaction. `false` if no
    /// such response.
    pub async fn erase(
        &self,
        id: Uuid,
        payload: &str,
        hash: &str,
        purged_at: Option<OffsetDateTime>,
        comment_items: Option<&[&str]>,
        drop_evidence: bool,
    ) -> Result<bool, StoreError> {
        dispatch!(
            self,
            responses::erase(id, payload, hash, purged_at, comment_items, drop_evidence)
        )
    }

    /// Up to `limit` responses submitted before `before`, with an id above
    /// `after`, that `how` has not erased yet (of the mystery-shop channel
    /// only for staff names), by id: (id, payload, hash).
    pub async fn to_erase(
        &self,
        how: crate::maintenance::purge::Erase,
        before: OffsetDateTime,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, String, String)>, StoreError> {
        let shop_only = how == crate::maintenance::purge::Erase::StaffNames;
        let pattern = how.done_pattern();
        dispatch!(
            self,
            responses::to_erase(pattern, shop_only, before, after, limit)
        )
    }

    /// Store a new visit.
    pub async fn add_visit(&self, visit: &VisitRecord) -> Result<(), StoreError> {
        dispatch!(self, visits::add_visit(visit, false)).map(|_| ())
    }

    /// Write `visit` over the stored one if its status is still one of
    /// `from`; whether it was.
    pub async fn update_visit(
        &self,
        visit: &VisitRecord,
        from: &[VisitStatus],
    ) -> Result<bool, StoreError> {
        dispatch!(self, visits::update_visit(visit, from))
    }

    /// `shopper` starts visit `id` (taking it if nobody had): whether it
    /// was planned, assigned to them or already in progress.
    pub async fn start_visit(
        &self,
        id: Uuid,
        shopper: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        dispatch!(self, visits::start_visit(id, shopper, now))
    }

    /// One visit.
    pub async fn visit(&self, id: Uuid) -> Result<Option<VisitRecord>, StoreError> {
        dispatch!(self, visits::visit(id))
    }

    /// The visits, of one branch or of all, soonest due first (then
    /// oldest planned first).
    pub async fn visits(&self, branch: Option<&str>) -> Result<Vec<VisitRecord>, StoreError> {
        dispatch!(self, visits::visits(branch))
    }

    /// The visits due from `from` to `to` (their window's last day).
    pub async fn visits_due(&self, from: Date, to: Date) -> Result<Vec<VisitRecord>, StoreError> {
        dispatch!(self, visits::visits_due(from, to))
    }

    /// The visits a shopper's phone lists: its shopper's (those that ended
    /// only when changed since `since`) and the planned ones nobody has
    /// taken, soonest due first.
    pub async fn shopper_visits(
        &self,
        shopper: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<VisitRecord>, StoreError> {
        dispatch!(self, visits::shopper_visits(shopper, since))
    }

    /// One report in review.
    pub async fn report(&self, id: Uuid) -> Result<Option<ReportRow>, StoreError> {
        dispatch!(self, reports::report(id))
    }

    /// The reports, newest first, narrowed by each filter given.
    pub async fn reports(
        &self,
        status: Option<ReportStatus>,
        branch: Option<&str>,
        shopper: Option<&str>,
    ) -> Result<Vec<ReportRow>, StoreError> {
        dispatch!(self, reports::reports(status, branch, shopper))
    }

    /// The reports of `visits`, oldest received first.
    pub async fn visit_reports(&self, visits: &[Uuid]) -> Result<Vec<ReportRow>, StoreError> {
        if visits.is_empty() {
            return Ok(Vec::new());
        }
        dispatch!(self, reports::visit_reports(visits))
    }

    /// A report's review decisions, oldest first.
    pub async fn reviews(&self, id: Uuid) -> Result<Vec<ReviewRow>, StoreError> {
        dispatch!(self, reports::reviews(id))
    }

    /// Store a decision on a submitted report in one transaction, with its
    /// visit's status and, on approval, the report's release, `release`'s
    /// sums and the alerts it raises. `false`, with nothing written, when the report no longer
    /// awaits review (another reviewer decided first).
    pub async fn decide(
        &self,
        decided: &Decided<'_>,
        release: Option<&rollup::Pending>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, reports::decide(decided, release))
    }

    /// The visit quotas of `quarter` (`2026-Q1`), by branch.
    pub async fn quotas(&self, quarter: &str) -> Result<Vec<(String, i64)>, StoreError> {
        dispatch!(self, reports::quotas(quarter))
    }

    /// Set visit quotas of `quarter`, in one transaction.
    pub async fn set_quotas(
        &self,
        quarter: &str,
        targets: &[(String, u32)],
    ) -> Result<(), StoreError> {
        dispatch!(self, reports::set_quotas(quarter, targets))
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

/// `kiosk` or `mystery_shop` read back from the database.
fn channel_of(label: &str) -> Result<branchpulse_core::Channel, StoreError> {
    serde_json::from_value(serde_json::Value::String(label.to_owned()))
        .map_err(|_| StoreError::Corrupt(format!("channel \"{label}\"")))
}
