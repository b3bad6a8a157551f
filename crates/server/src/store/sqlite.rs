//! The SQLite backend: one file, WAL mode, migrations embedded in the binary.
//!
//! Timestamps are stored as UTC text with milliseconds
//! (`2025-03-01T09:30:00.000Z`): fixed width, so they sort and compare as
//! text, and SQLite's date functions read them. UUIDs are lowercase
//! hyphenated text, lists JSON arrays read with `json_each`.

use super::backend::Backend;
use super::StoreError;
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};
use uuid::fmt::Hyphenated;
use uuid::Uuid;

/// The shared SQL (`sql/`), compiled for SQLite. The other backend
/// compiles the same files: that is the point (see `sql/mod.rs`).
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
pub(super) mod sql;

/// The database the shared SQL is compiled for here.
type Db = Sqlite;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

const TIMESTAMP: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Text form of a timestamp in the database.
fn timestamp(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(TIMESTAMP)
        .expect("every OffsetDateTime formats")
}

/// Open (creating the file and its folder if missing) and migrate.
pub(super) async fn connect(url: &str) -> Result<SqlitePool, StoreError> {
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
    Ok(pool)
}

/// Whether an error code means "busy, try again": SQLITE_BUSY (5) and
/// SQLITE_LOCKED (6), with their extended codes.
pub(super) fn is_transient(code: &str) -> bool {
    matches!(code.parse::<u32>().map(|c| c & 0xff), Ok(5 | 6))
}

impl Backend for Sqlite {
    type Id = Hyphenated;

    fn id(id: Uuid) -> Hyphenated {
        id.hyphenated()
    }

    fn id_of(stored: Hyphenated) -> Uuid {
        stored.into_uuid()
    }

    type Time = String;

    fn time(t: OffsetDateTime) -> String {
        timestamp(t)
    }

    fn time_of(stored: String) -> Result<OffsetDateTime, StoreError> {
        OffsetDateTime::parse(&stored, &Rfc3339)
            .map_err(|e| StoreError::Corrupt(format!("time \"{stored}\": {e}")))
    }

    type List<T> = String;

    fn list<T: serde::Serialize>(items: Vec<T>) -> String {
        serde_json::to_string(&items).expect("ids and strings serialize")
    }

    fn one_of(expr: &str, param: &str) -> String {
        format!("{expr} IN (SELECT value FROM json_each({param}))")
    }

    const NOT_ROLLED_UP: &'static str = "rolled_up = 0";

    // The guarded UPDATE comes first in its transaction: it takes SQLite's
    // one write lock, so no other change runs between its check and its write.
    const SERIALIZE_ADMIN_CHANGES: Option<&'static str> = None;

    // The judging transaction wrote its responses first, so it holds
    // SQLite's one write lock and reads what every other committed.
    const LOCK_BRANCH_ALERTS: Option<&'static str> = None;

    // An INTEGER PRIMARY KEY goes on after the largest id stored.
    fn after_ids_copied(_table: &str) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// The shared SQL numbers its parameters PostgreSQL's way (`$1`);
    /// SQLite reads `$1` as a named parameter and sqlx binds it by its
    /// number, whatever the order or repetition in the text.
    #[tokio::test]
    async fn numbered_parameters_bind_by_number() {
        let pool = SqlitePool::connect("sqlite::memory:").await.unwrap();
        let row: (String, String, String, i64) = sqlx::query_as("SELECT $2, $1, $2, $3")
            .bind("first")
            .bind("second")
            .bind(3_i64)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(row, ("second".into(), "first".into(), "second".into(), 3));
    }

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
