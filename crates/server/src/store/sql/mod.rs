//! The store's SQL, written once for both databases.
//!
//! This folder is compiled twice: `sqlite.rs` and `postgres.rs` each include
//! it as their module `sql`, with [`B`] their sqlx database. So every query
//! here is type-checked and run as that backend's own, and what differs
//! between the two is asked of [`Backend`]: `B::id(…)` and `B::time(…)` when
//! binding a UUID or an instant, `B::id_of(…)` and `B::time_of(…)` when
//! reading one back, `B::list(…)` and `B::one_of(…)` for lists.
//!
//! The text is what both databases accept: numbered parameters (`$1`, which
//! SQLite reads as named ones and sqlx binds by number), `TRUE` and
//! `FALSE`, `ON CONFLICT`, `RETURNING`, row values. Bind every parameter a
//! query names: SQLite reads a missing one as NULL where PostgreSQL refuses
//! the query, which the test suite, run on both, catches.
//!
//! Why not functions generic over `sqlx::Database`: each bound type and
//! each executor would need its own trait bound, and query results have no
//! common `rows_affected`. Why not `sqlx::Any`: it has no `time` or `uuid`
//! types, and PostgreSQL will not compare a `timestamptz` with text.

pub mod access;
pub mod alerts;
pub mod cases;
pub mod catalog;
pub mod contacts;
pub mod copy;
pub mod delivery;
pub mod evidence;
pub mod reports;
pub mod responses;
pub mod rollups;
pub mod visits;

use crate::store::backend::Backend;
use crate::store::StoreError;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

/// The database this copy of the SQL runs on.
type B = super::Db;
type Pool = sqlx::Pool<B>;
type DbRow = <B as sqlx::Database>::Row;

/// Column `column` of `row`, a UUID.
fn get_id(row: &DbRow, column: &str) -> Result<Uuid, StoreError> {
    Ok(B::id_of(row.try_get(column)?))
}

fn get_opt_id(row: &DbRow, column: &str) -> Result<Option<Uuid>, StoreError> {
    let stored: Option<<B as Backend>::Id> = row.try_get(column)?;
    Ok(stored.map(B::id_of))
}

/// Column `column` of `row`, an instant.
fn get_time(row: &DbRow, column: &str) -> Result<OffsetDateTime, StoreError> {
    B::time_of(row.try_get(column)?)
}

fn get_opt_time(row: &DbRow, column: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    let stored: Option<<B as Backend>::Time> = row.try_get(column)?;
    stored.map(B::time_of).transpose()
}
