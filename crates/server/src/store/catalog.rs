//! The catalog's tables: branches and questionnaire versions, which admins
//! change while servers run, and the generation counter that tells every
//! server on the database that its copy is out of date.
//!
//! Every change bumps `catalog_generation` in its own transaction, first,
//! so that changes made at once on several replicas wait for each other.

mod postgres;
mod sqlite;

use super::{Store, StoreError};
use branchpulse_core::protocol::Branch;
use time::OffsetDateTime;
use uuid::Uuid;

/// One questionnaire version as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredQuestionnaire {
    pub id: String,
    pub version: u32,
    /// `kiosk` or `mystery_shop`.
    pub kind: String,
    /// The file as uploaded (or read from the questionnaires folder).
    pub json: String,
    pub active: bool,
    /// `None` for versions seeded from the questionnaires folder.
    pub uploaded_at: Option<OffsetDateTime>,
}

/// Everything the catalog is built from, read at one generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRows {
    /// Read before the rows, so rows are never older than it says.
    pub generation: i64,
    /// By id, then version.
    pub questionnaires: Vec<StoredQuestionnaire>,
    /// In list order.
    pub branches: Vec<Branch>,
}

/// What adding a questionnaire version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// Stored; `active` when it is the first version of its id.
    Stored { active: bool },
    /// That id and version exist; nothing changed.
    Exists,
}

impl Store {
    /// The current generation of the catalog: a cheap check for changes.
    pub async fn catalog_generation(&self) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s.catalog_generation().await,
            Store::Postgres(p) => p.catalog_generation().await,
        }
    }

    /// Every branch and questionnaire version.
    pub async fn catalog(&self) -> Result<CatalogRows, StoreError> {
        match self {
            Store::Sqlite(s) => s.catalog().await,
            Store::Postgres(p) => p.catalog().await,
        }
    }

    /// Add the folder's questionnaire versions and branches that are not
    /// stored yet, then activate the highest version of every id that has
    /// no active one. A version that came from the folder (never uploaded)
    /// takes the file's text if it changed, so that a typo fixed in the
    /// file reaches the database; an uploaded one is never overwritten.
    /// Safe for several servers at once. Whether anything changed.
    pub async fn seed_catalog(
        &self,
        questionnaires: &[StoredQuestionnaire],
        branches: &[Branch],
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.seed_catalog(questionnaires, branches, now).await,
            Store::Postgres(p) => p.seed_catalog(questionnaires, branches, now).await,
        }
    }

    /// Store an uploaded questionnaire version (its `active` is ignored:
    /// only the first version of an id starts active).
    pub async fn add_questionnaire(&self, q: &StoredQuestionnaire) -> Result<Added, StoreError> {
        match self {
            Store::Sqlite(s) => s.add_questionnaire(q).await,
            Store::Postgres(p) => p.add_questionnaire(q).await,
        }
    }

    /// Make `version` the active one of `id`; `false` if there is no such version.
    pub async fn activate_questionnaire(&self, id: &str, version: u32) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.activate_questionnaire(id, version).await,
            Store::Postgres(p) => p.activate_questionnaire(id, version).await,
        }
    }

    /// Add a branch at the end of the list; `false` if its code is taken.
    pub async fn add_branch(&self, b: &Branch, now: OffsetDateTime) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.add_branch(b, now).await,
            Store::Postgres(p) => p.add_branch(b, now).await,
        }
    }

    /// Change a branch's name, region and whether it is open; `false` if
    /// there is no branch with its code.
    pub async fn update_branch(&self, b: &Branch, now: OffsetDateTime) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.update_branch(b, now).await,
            Store::Postgres(p) => p.update_branch(b, now).await,
        }
    }

    /// The stored payload of a response.
    pub async fn payload(&self, id: Uuid) -> Result<Option<String>, StoreError> {
        match self {
            Store::Sqlite(s) => s.payload(id).await,
            Store::Postgres(p) => p.payload(id).await,
        }
    }

    /// A response's stored payload and payload hash.
    pub async fn payload_and_hash(&self, id: Uuid) -> Result<Option<(String, String)>, StoreError> {
        match self {
            Store::Sqlite(s) => s.payload_and_hash(id).await,
            Store::Postgres(p) => p.payload_and_hash(id).await,
        }
    }

    /// Replace a response's payload and hash with erased ones (see
    /// `purge.rs`), drop its comments (those of `comment_items`, or all)
    /// from the dashboard's list and set `purged_at` when given, in one
    /// transaction. `false` if no such response.
    pub async fn erase(
        &self,
        id: Uuid,
        payload: &str,
        hash: &str,
        purged_at: Option<OffsetDateTime>,
        comment_items: Option<&[&str]>,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.erase(id, payload, hash, purged_at, comment_items).await,
            Store::Postgres(p) => p.erase(id, payload, hash, purged_at, comment_items).await,
        }
    }

    /// Up to `limit` responses submitted before `before`, with an id above
    /// `after`, that `how` has not erased yet (of the mystery-shop channel
    /// only for staff names), by id: (id, payload, hash).
    pub async fn to_erase(
        &self,
        how: crate::purge::Erase,
        before: OffsetDateTime,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, String, String)>, StoreError> {
        let shop_only = how == crate::purge::Erase::StaffNames;
        let pattern = how.done_pattern();
        match self {
            Store::Sqlite(s) => s.to_erase(pattern, shop_only, before, after, limit).await,
            Store::Postgres(p) => p.to_erase(pattern, shop_only, before, after, limit).await,
        }
    }
}
