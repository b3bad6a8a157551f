//! The catalog's tables: branches and questionnaire versions, which admins
//! change while servers run, and the generation counter that tells every
//! server on the database that its copy is out of date.
//!
//! Every change bumps `catalog_generation` in its own transaction, first,
//! so that changes made at once on several replicas wait for each other
//! (the queries are in `sql/catalog.rs`).

use super::{Store, StoreError};
use branchpulse_core::protocol::{Branch, Format};
use time::OffsetDateTime;

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
    /// The formats (peer groups), in list order.
    pub formats: Vec<Format>,
}

/// What removing a format did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    Removed,
    /// No format has the code.
    Unknown,
    /// This many branches have it; nothing changed.
    InUse(u64),
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
        dispatch!(self, catalog::catalog_generation())
    }

    /// Every branch and questionnaire version.
    pub async fn catalog(&self) -> Result<CatalogRows, StoreError> {
        dispatch!(self, catalog::catalog())
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
        dispatch!(self, catalog::seed_catalog(questionnaires, branches, now))
    }

    /// Store an uploaded questionnaire version (its `active` is ignored:
    /// only the first version of an id starts active).
    pub async fn add_questionnaire(&self, q: &StoredQuestionnaire) -> Result<Added, StoreError> {
        dispatch!(self, catalog::add_questionnaire(q))
    }

    /// Make `version` the active one of `id`; `false` if there is no such version.
    pub async fn activate_questionnaire(&self, id: &str, version: u32) -> Result<bool, StoreError> {
        dispatch!(self, catalog::activate_questionnaire(id, version))
    }

    /// Add a branch at the end of the list; `false` if its code is taken.
    pub async fn add_branch(&self, b: &Branch, now: OffsetDateTime) -> Result<bool, StoreError> {
        dispatch!(self, catalog::add_branch(b, now))
    }

    /// Change a branch's name, region, format and whether it is open;
    /// `false` if there is no branch with its code.
    pub async fn update_branch(&self, b: &Branch, now: OffsetDateTime) -> Result<bool, StoreError> {
        dispatch!(self, catalog::update_branch(b, now))
    }

    /// Add a format at the end of the list; `false` if its code is taken.
    pub async fn add_format(&self, f: &Format, now: OffsetDateTime) -> Result<bool, StoreError> {
        dispatch!(self, catalog::add_format(f, now))
    }

    /// Rename a format; `false` if there is none with its code.
    pub async fn update_format(&self, f: &Format, now: OffsetDateTime) -> Result<bool, StoreError> {
        dispatch!(self, catalog::update_format(f, now))
    }

    /// Remove a format no branch has.
    pub async fn remove_format(&self, code: &str) -> Result<Removed, StoreError> {
        dispatch!(self, catalog::remove_format(code))
    }
}
