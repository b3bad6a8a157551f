//! What moving a bank from one database to another reads and writes
//! (`maintenance::migrate`): responses page by page, visits, the catalog
//! as admins left it, accounts with their secrets' hashes. Writes skip
//! what is already there, so a second run copies only what is new; the
//! programme's rows that change over their life (a report's review, its
//! visit's status, a quota, a photo still arriving) are written as the
//! source holds them. The queries are in `sql/copy.rs`.

use super::access::{DeviceRow, UserRow};
use super::catalog::CatalogRows;
use super::{EvidenceRecord, Record, Store, StoreError, VisitRecord};
use time::{Date, OffsetDateTime};
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

/// A `reports` row as stored (its status and decision as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCopy {
    pub response_id: Uuid,
    pub visit: Option<Uuid>,
    pub shopper: Option<String>,
    pub status: String,
    pub note: Option<String>,
    pub revises: Option<Uuid>,
    pub revised_by: Option<Uuid>,
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<String>,
}

/// A line of a report's review history, with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewCopy {
    pub id: i64,
    pub response_id: Uuid,
    pub at: OffsetDateTime,
    pub reviewer: String,
    pub decision: String,
    pub note: String,
}

/// A branch's quota for a quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRow {
    pub branch: String,
    pub quarter: String,
    pub target: i64,
}

/// A photo with its bytes: the cleaned photo once complete, the chunks
/// received (by where they start) while it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceCopy {
    pub record: EvidenceRecord,
    pub data: Option<Vec<u8>>,
    pub chunks: Vec<(i64, Vec<u8>)>,
}

/// How a column is stored, where the two databases differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Id,
    Time,
    Text,
    Int,
    Bool,
    Date,
}

/// One value of a row, as read with its column's [`Col`] (any may be NULL).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cell {
    Id(Option<Uuid>),
    Time(Option<OffsetDateTime>),
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Date(Option<Date>),
}

/// A table copied row by row as it is: its key, its columns (the key's
/// first), and whether its rows change over their life (then a row the
/// source holds otherwise is written over the copy; else only new rows are
/// added, and a differing one is a mismatch).
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub columns: &'static [(&'static str, Col)],
    pub changes: bool,
    /// An `id` made by the database (a serial): rows written later go on
    /// after the copied ones.
    pub serial: bool,
}

impl Table {
    /// The key of `row`.
    pub fn key_of(&self, row: &[Cell]) -> Vec<Cell> {
        row[..self.key.len()].to_vec()
    }
}

/// The tables of alerts, their deliveries, follow-up cases and contact
/// details (migration 0010), in the order their rows refer to each other.
pub const FOLLOW_UP: &[Table] = {
    use Col::*;
    &[
        Table {
            name: "alert_rules",
            key: &["id"],
            columns: &[
                ("id", Id),
                ("kind", Text),
                ("definition", Text),
                ("active", Bool),
                ("created_at", Time),
                ("updated_at", Time),
            ],
            changes: true,
            serial: false,
        },
        Table {
            name: "webhooks",
            key: &["id"],
            columns: &[
                ("id", Id),
                ("name", Text),
                ("url", Text),
                ("secret", Text),
                ("active", Bool),
                ("created_at", Time),
            ],
            changes: true,
            serial: false,
        },
        Table {
            name: "alerts",
            key: &["id"],
            columns: &[
                ("id", Id),
                ("rule_id", Id),
                ("rule_name", Text),
                ("dedup_key", Text),
                ("kind", Text),
                ("branch", Text),
                ("raised_at", Time),
                ("finding", Text),
                ("response_id", Id),
                ("device_id", Id),
            ],
            changes: false,
            serial: false,
        },
        Table {
            name: "alert_reads",
            key: &["alert_id", "user_id"],
            columns: &[("alert_id", Id), ("user_id", Id), ("read_at", Time)],
            changes: false,
            serial: false,
        },
        Table {
            name: "deliveries",
            key: &["id"],
            columns: &[
                ("id", Id),
                ("alert_id", Id),
                ("channel", Text),
                ("target", Text),
                ("status", Text),
                ("attempts", Int),
                ("next_at", Time),
                ("lease_until", Time),
            ],
            changes: true,
            serial: false,
        },
        Table {
            name: "delivery_attempts",
            key: &["id"],
            columns: &[
                ("id", Int),
                ("delivery_id", Id),
                ("attempt", Int),
                ("at", Time),
                ("http_status", Int),
                ("error", Text),
                ("millis", Int),
            ],
            changes: false,
            serial: true,
        },
        Table {
            name: "cases",
            key: &["id"],
            columns: &[
                ("id", Id),
                ("alert_id", Id),
                ("branch", Text),
                ("owner", Id),
                ("due", Date),
                ("status", Text),
                ("created_at", Time),
                ("updated_at", Time),
                ("resolved_at", Time),
                ("informed_at", Time),
            ],
            changes: true,
            serial: false,
        },
        Table {
            name: "case_events",
            key: &["id"],
            columns: &[
                ("id", Int),
                ("case_id", Id),
                ("at", Time),
                ("by_user", Text),
                ("what", Text),
                ("text", Text),
            ],
            changes: false,
            serial: true,
        },
        Table {
            name: "contacts",
            key: &["id"],
            columns: &[
                ("id", Id),
                ("response_id", Id),
                ("branch", Text),
                ("way", Text),
                ("value", Text),
                ("locale", Text),
                ("received_at", Time),
            ],
            changes: false,
            serial: false,
        },
    ]
};

impl Store {
    /// Every row of `table`, by key.
    pub async fn table_rows(&self, table: &Table) -> Result<Vec<Vec<Cell>>, StoreError> {
        dispatch!(self, copy::table_rows(table))
    }

    /// Write `rows` of `table` in one transaction: each added unless its
    /// key is stored, or, for a table whose rows change, written over the
    /// stored one. How many were added or changed.
    pub async fn put_rows(&self, table: &Table, rows: &[Vec<Cell>]) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        dispatch!(self, copy::put_rows(table, rows))
    }

    /// Delete the contacts `ids` (erased in the source of a copy), in one
    /// transaction; how many there were.
    pub async fn delete_contacts(&self, ids: &[Uuid]) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        dispatch!(self, copy::delete_contacts(ids))
    }

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

    /// The ids of the responses held for review, by id.
    pub async fn held_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        dispatch!(self, copy::held_ids())
    }

    /// Release `ids` from review as copied (approved in the source since
    /// an earlier copy); the start-up backfill rolls them up. How many were
    /// held.
    pub async fn release_copied(&self, ids: &[Uuid]) -> Result<u64, StoreError> {
        dispatch!(self, copy::release(ids))
    }

    /// Every `reports` row, by response id.
    pub async fn report_rows(&self) -> Result<Vec<ReportCopy>, StoreError> {
        dispatch!(self, copy::report_rows())
    }

    /// Write `rows` as they are, over any stored with their ids, in one
    /// transaction.
    pub async fn put_reports(&self, rows: &[ReportCopy]) -> Result<(), StoreError> {
        dispatch!(self, copy::put_reports(rows))
    }

    /// Every review decision, by id.
    pub async fn review_rows(&self) -> Result<Vec<ReviewCopy>, StoreError> {
        dispatch!(self, copy::review_rows())
    }

    /// Add `rows` with their ids, each unless its id is stored, in one
    /// transaction; how many were added.
    pub async fn add_reviews(&self, rows: &[ReviewCopy]) -> Result<u64, StoreError> {
        dispatch!(self, copy::add_reviews(rows))
    }

    /// Every quota, by quarter and branch.
    pub async fn quota_rows(&self) -> Result<Vec<QuotaRow>, StoreError> {
        dispatch!(self, copy::quota_rows())
    }

    /// Set `rows` over any stored for the same branch and quarter.
    pub async fn put_quotas(&self, rows: &[QuotaRow]) -> Result<(), StoreError> {
        dispatch!(self, copy::put_quotas(rows))
    }

    /// Every photo's record, without bytes, by id.
    pub async fn evidence_rows(&self) -> Result<Vec<EvidenceRecord>, StoreError> {
        dispatch!(self, copy::evidence_rows())
    }

    /// Photo `id` with its bytes.
    pub async fn evidence_copy(&self, id: Uuid) -> Result<Option<EvidenceCopy>, StoreError> {
        dispatch!(self, copy::evidence_copy(id))
    }

    /// Write `e` as it is, over any photo stored with its id, its chunks
    /// replacing the stored ones, in one transaction.
    pub async fn put_evidence(&self, e: &EvidenceCopy) -> Result<(), StoreError> {
        dispatch!(self, copy::put_evidence(e))
    }
}
