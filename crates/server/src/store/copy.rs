//! What moving a bank from one database to another reads and writes
//! (`maintenance::migrate`): responses page by page, visits, the catalog
//! as admins left it, accounts with their secrets' hashes. Writes skip
//! what is already there, so a second run copies only what is new. The
//! queries are in `sql/copy.rs`.

use super::access::{DeviceRow, UserRow};
use super::catalog::CatalogRows;
use super::{Record, Store, StoreError, VisitRecord};
use time::OffsetDateTime;
use uuid::Uuid;

/// Users, devices and the audit log, as stored. Sessions are left out:
/// people sign in again on the new server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountRows {
    pub users: Vec<UserRow>,
    pub devices: Vec<DeviceCopy>,
    pub audit: Vec<AuditLine>,
}

/// A device with the hashes of its token and pending code, so that an
/// enrolled tablet keeps working after the move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCopy {
    pub row: DeviceRow,
    pub code_hash: Option<String>,
    pub token_hash: Option<String>,
}

/// An audit-log line with its id and its detail as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// What [`Store::add_accounts`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountsCopied {
    pub users_copied: u64,
    /// Users whose name another account holds in the target.
    pub users_skipped: Vec<String>,
    pub devices_copied: u64,
    pub audit_copied: u64,
}

impl Store {
    /// Up to `limit` stored responses with an id above `after`, by id.
    pub async fn records_after(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Record>, StoreError> {
        dispatch!(self, copy::records_after(after, limit))
    }

    /// Every (id, payload_hash) of the responses, by id: what a copy's
    /// check compares.
    pub async fn id_hashes(&self) -> Result<Vec<(String, String)>, StoreError> {
        dispatch!(self, copy::id_hashes())
    }

    /// Store `visit` unless a visit with its id is stored; whether it was.
    pub async fn copy_visit(&self, visit: &VisitRecord) -> Result<bool, StoreError> {
        dispatch!(self, visits::add_visit(visit, true))
    }

    /// Make the catalog hold `rows` as they are (the source of a copy is
    /// the truth), leaving rows the source lacks alone.
    pub async fn import_catalog(&self, rows: &CatalogRows) -> Result<(), StoreError> {
        dispatch!(self, catalog::import_catalog(rows))
    }

    /// Every response whose texts were purged, with when.
    pub async fn purged(&self) -> Result<Vec<(Uuid, OffsetDateTime)>, StoreError> {
        dispatch!(self, copy::purged())
    }

    /// Record that response `id` had its texts purged at `at` (its payload
    /// came with the response).
    pub async fn set_purged(&self, id: Uuid, at: OffsetDateTime) -> Result<(), StoreError> {
        dispatch!(self, copy::set_purged(id, at))
    }

    /// Every account, device and audit-log line.
    pub async fn accounts(&self) -> Result<AccountRows, StoreError> {
        dispatch!(self, copy::accounts())
    }

    /// Add `rows` in one transaction, each unless a row with its key is
    /// stored. A user whose name another account holds is skipped and
    /// named, never merged.
    pub async fn add_accounts(&self, rows: &AccountRows) -> Result<AccountsCopied, StoreError> {
        dispatch!(self, copy::add_accounts(rows))
    }
}
