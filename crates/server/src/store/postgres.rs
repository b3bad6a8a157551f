//! The PostgreSQL backend, for a bank that outgrows one machine: several
//! stateless server replicas share one database. Migrations are embedded;
//! sqlx holds an advisory lock while applying them, so replicas that start
//! together do not race. UUIDs, instants and lists are the database's own
//! types (`uuid`, `timestamptz`, arrays).

use super::backend::Backend;
use super::StoreError;
use sqlx::postgres::{PgPool, PgPoolOptions, Postgres};
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// The shared SQL (`sql/`), compiled for PostgreSQL. The other backend
/// compiles the same files: that is the point (see `sql/mod.rs`).
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
pub(super) mod sql;

/// The database the shared SQL is compiled for here.
type Db = Postgres;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

pub(super) async fn connect(url: &str) -> Result<PgPool, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Whether an error code means "try again": serialization failure,
/// deadlock, lock not available (a `lock_timeout` ran out), too many
/// connections, server shutting down or starting, connection lost (class 08).
pub(super) fn is_transient(code: &str) -> bool {
    matches!(
        code,
        "40001" | "40P01" | "55P03" | "53300" | "57P01" | "57P03"
    ) || code.starts_with("08")
}

impl Backend for Postgres {
    type Id = Uuid;

    fn id(id: Uuid) -> Uuid {
        id
    }

    fn id_of(stored: Uuid) -> Uuid {
        stored
    }

    type Time = OffsetDateTime;

    fn time(t: OffsetDateTime) -> OffsetDateTime {
        t
    }

    fn time_of(stored: OffsetDateTime) -> Result<OffsetDateTime, StoreError> {
        Ok(stored)
    }

    type List<T> = Vec<T>;

    fn list<T: serde::Serialize>(items: Vec<T>) -> Vec<T> {
        items
    }

    fn one_of(expr: &str, param: &str) -> String {
        format!("{expr} = ANY({param})")
    }

    const NOT_ROLLED_UP: &'static str = "NOT rolled_up";

    // Changes that may remove an admin run one at a time, each seeing the
    // ones before it committed (READ COMMITTED takes a new snapshot per
    // statement, after the lock is granted). The advisory lock's key is
    // 0x4250_5f61_646d_696e, "BP_admin".
    const SERIALIZE_ADMIN_CHANGES: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(4778424076541454702)");

    // A transaction-scoped advisory lock per branch: key 0x4250_616c
    // ("BPal") and the code's hash. Two codes of one hash wait for each
    // other needlessly, never wrongly.
    const LOCK_BRANCH_ALERTS: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(1112564076, hashtext($1))");

    fn after_ids_copied(table: &str) -> Option<String> {
        Some(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             GREATEST((SELECT MAX(id) FROM {table}), 1))"
        ))
    }
}
