//! The questionnaires and branches the server knows.
//!
//! They live in the database (tables `questionnaires` and `branches`), where
//! admins change them while servers run. The questionnaires folder only
//! seeds them: at start-up every file's version and every branch of
//! `branches.json` that is not stored yet is added ([`Folder`]), so an
//! admin's later change (a closed branch, another active version) holds
//! across restarts. Any mistake in the folder stops the server from
//! starting, with a message naming the file.
//!
//! Handlers read a [`Snapshot`]: immutable, shared, replaced whole after a
//! change on this server ([`Catalog::reload`]) or when another server's change
//! bumped the database's generation counter ([`Catalog::refresh`], run every
//! few seconds by [`Catalog::watch`] and by ingest when a response names
//! something this copy does not know).

pub mod changes;

use crate::store::catalog::{CatalogRows, StoredQuestionnaire};
use crate::store::{Store, StoreError};
use branchpulse_core::access::{self, QuestionnaireVersion};
use branchpulse_core::protocol::{Branch, Format, QuestionnaireSummary};
use branchpulse_core::scorecard::Definitions;
use branchpulse_core::{questionnaire, Questionnaire};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The file in the questionnaires folder that lists the branches.
pub const BRANCHES_FILE: &str = "branches.json";

/// Why the catalog could not be loaded. The message names the file.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the questionnaires folder {}: {source}", dir.display())]
    ReadDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {}: {source}", file.display())]
    ReadFile {
        file: PathBuf,
        source: std::io::Error,
    },
    /// A questionnaire file that does not pass the loader's checks.
    #[error("invalid questionnaire: {0}")]
    Questionnaire(#[from] questionnaire::LoadError),
    #[error("{}: questionnaire \"{id}\" version {version} is also defined in {}", file.display(), other.display())]
    DuplicateQuestionnaire {
        id: String,
        version: u32,
        file: PathBuf,
        other: PathBuf,
    },
    #[error("no questionnaire files (*.json) in {}", dir.display())]
    NoQuestionnaires { dir: PathBuf },
    #[error("{}: not found; it lists the branches as a JSON array of {{\"code\", \"name\", \"region\", \"active\"}}", file.display())]
    MissingBranches { file: PathBuf },
    #[error("{}: {problem}", file.display())]
    InvalidBranches { file: PathBuf, problem: String },
    /// A stored version that today's loader refuses (e.g. after an upgrade
    /// made the checks stricter): responses to it could not be checked.
    #[error("questionnaire \"{id}\" version {version} in the database: {source}")]
    Stored {
        id: String,
        version: u32,
        source: questionnaire::LoadError,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The questionnaires folder as read and checked: what seeds the database.
#[derive(Debug, Clone)]
pub struct Folder {
    /// Each questionnaire with the file it came from and the file's text.
    pub questionnaires: Vec<(PathBuf, Questionnaire, String)>,
    /// In the order of `branches.json`.
    pub branches: Vec<Branch>,
}

impl Folder {
    /// Read and check every questionnaire in `dir` and `dir/branches.json`.
    pub fn load(dir: &Path) -> Result<Folder, CatalogError> {
        let entries = std::fs::read_dir(dir).map_err(|source| CatalogError::ReadDir {
            dir: dir.to_owned(),
            source,
        })?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| CatalogError::ReadDir {
                dir: dir.to_owned(),
                source,
            })?;
            let path = entry.path();
            let is_json = path.extension().is_some_and(|e| e == "json");
            let is_branches = path.file_name().is_some_and(|n| n == BRANCHES_FILE);
            if is_json && !is_branches && path.is_file() {
                files.push(path);
            }
        }
        // Read in a fixed order so that errors and duplicates are reported
        // the same way on every machine.
        files.sort();

        let mut questionnaires: Vec<(PathBuf, Questionnaire, String)> = Vec::new();
        for file in files {
            let json = read(&file)?;
            let q = questionnaire::load(&file.display().to_string(), &json)?;
            if let Some((other, ..)) = questionnaires
                .iter()
                .find(|(_, o, _)| o.id == q.id && o.version == q.version)
            {
                return Err(CatalogError::DuplicateQuestionnaire {
                    id: q.id,
                    version: q.version,
                    other: other.clone(),
                    file,
                });
            }
            questionnaires.push((file, q, json));
        }
        if questionnaires.is_empty() {
            return Err(CatalogError::NoQuestionnaires {
                dir: dir.to_owned(),
            });
        }

        let file = dir.join(BRANCHES_FILE);
        if !file.is_file() {
            return Err(CatalogError::MissingBranches { file });
        }
        let invalid = |problem: String| CatalogError::InvalidBranches {
            file: file.clone(),
            problem,
        };
        let branches: Vec<Branch> =
            serde_json::from_str(&read(&file)?).map_err(|e| invalid(e.to_string()))?;
        let mut seen = HashMap::new();
        for (i, branch) in branches.iter().enumerate() {
            access::check_branch(branch)
                .map_err(|e| invalid(format!("branch #{} (\"{}\"): {e}", i + 1, branch.code)))?;
            if seen.insert(branch.code.as_str(), i).is_some() {
                return Err(invalid(format!(
                    "branch code \"{}\" appears more than once",
                    branch.code
                )));
            }
        }
        Ok(Folder {
            questionnaires,
            branches,
        })
    }

    /// Add what the database lacks (see [`Store::seed_catalog`]).
    pub async fn seed(&self, store: &Store) -> Result<bool, StoreError> {
        let versions: Vec<StoredQuestionnaire> = self
            .questionnaires
            .iter()
            .map(|(_, q, json)| stored(q, json.clone(), None))
            .collect();
        store
            .seed_catalog(&versions, &self.branches, OffsetDateTime::now_utc())
            .await
    }
}

/// The row to store for a checked questionnaire.
pub fn stored(
    q: &Questionnaire,
    json: String,
    uploaded_at: Option<OffsetDateTime>,
) -> StoredQuestionnaire {
    StoredQuestionnaire {
        id: q.id.clone(),
        version: q.version,
        kind: serde_json::to_value(q.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        json,
        active: false,
        uploaded_at,
    }
}

/// What [`Catalog::branch`] found for a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchStatus {
    Active(Branch),
    Inactive(Branch),
    Unknown,
}

/// The catalog at one generation of the database: never changes once built.
#[derive(Debug, Default)]
pub struct Snapshot {
    generation: i64,
    questionnaires: BTreeMap<(String, u32), Version>,
    /// The active version of each id.
    active: HashMap<String, u32>,
    branches: Arc<[Branch]>,
    branch_index: HashMap<String, usize>,
    formats: Arc<[Format]>,
}

#[derive(Debug)]
struct Version {
    questionnaire: Arc<Questionnaire>,
    uploaded_at: Option<OffsetDateTime>,
}

impl Snapshot {
    /// Build from the database's rows, checking every version again.
    pub fn from_rows(rows: CatalogRows) -> Result<Snapshot, CatalogError> {
        let mut questionnaires = BTreeMap::new();
        let mut active = HashMap::new();
        for row in rows.questionnaires {
            let label = format!("questionnaire \"{}\" version {}", row.id, row.version);
            let q =
                questionnaire::load(&label, &row.json).map_err(|source| CatalogError::Stored {
                    id: row.id.clone(),
                    version: row.version,
                    source,
                })?;
            if row.active {
                active.insert(q.id.clone(), q.version);
            }
            // Keyed by the row, which the upload made from the file itself.
            questionnaires.insert(
                (row.id, row.version),
                Version {
                    questionnaire: Arc::new(q),
                    uploaded_at: row.uploaded_at,
                },
            );
        }
        let branch_index = rows
            .branches
            .iter()
            .enumerate()
            .map(|(i, b)| (b.code.clone(), i))
            .collect();
        Ok(Snapshot {
            generation: rows.generation,
            questionnaires,
            active,
            branches: rows.branches.into(),
            branch_index,
            formats: rows.formats.into(),
        })
    }

    /// The database generation this snapshot was read at.
    pub fn generation(&self) -> i64 {
        self.generation
    }

    /// One version of a questionnaire, active or not.
    pub fn questionnaire(&self, id: &str, version: u32) -> Option<&Questionnaire> {
        self.questionnaires
            .get(&(id.to_owned(), version))
            .map(|v| &*v.questionnaire)
    }

    /// The active version of a questionnaire: the one devices are given.
    pub fn latest(&self, id: &str) -> Option<&Questionnaire> {
        let version = *self.active.get(id)?;
        self.questionnaire(id, version)
    }

    /// The active version of every questionnaire, by id.
    pub fn actives(&self) -> Vec<&Questionnaire> {
        let mut ids: Vec<&String> = self.active.keys().collect();
        ids.sort();
        ids.into_iter().filter_map(|id| self.latest(id)).collect()
    }

    /// The commitments and waiting-time target of the active versions.
    pub fn definitions(&self) -> Definitions {
        Definitions::of(self.actives())
    }

    /// Every version of a questionnaire, oldest first.
    pub fn versions(&self, id: &str) -> impl Iterator<Item = &Questionnaire> + '_ {
        self.questionnaires
            .range((id.to_owned(), 0)..=(id.to_owned(), u32::MAX))
            .map(|(_, v)| &*v.questionnaire)
    }

    /// Every version of every questionnaire, sorted by id then version.
    pub fn questionnaires(&self) -> impl Iterator<Item = &Questionnaire> {
        self.questionnaires.values().map(|v| &*v.questionnaire)
    }

    /// Summaries of the active version of each questionnaire, by id.
    pub fn summaries(&self) -> Vec<QuestionnaireSummary> {
        let mut ids: Vec<&String> = self.active.keys().collect();
        ids.sort();
        ids.into_iter()
            .filter_map(|id| self.latest(id))
            .map(QuestionnaireSummary::from)
            .collect()
    }

    /// Every version, with whether it is active and when it was uploaded.
    pub fn all_versions(&self) -> Vec<QuestionnaireVersion> {
        self.questionnaires
            .iter()
            .map(|((id, version), v)| QuestionnaireVersion {
                summary: QuestionnaireSummary::from(&*v.questionnaire),
                active: self.active.get(id) == Some(version),
                uploaded_at: v.uploaded_at.and_then(|t| t.format(&Rfc3339).ok()),
            })
            .collect()
    }

    /// The branches, in list order (`branches.json`'s, then as created).
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }

    pub fn branch(&self, code: &str) -> BranchStatus {
        match self.branch_index.get(code).map(|&i| &self.branches[i]) {
            Some(b) if b.active => BranchStatus::Active(b.clone()),
            Some(b) => BranchStatus::Inactive(b.clone()),
            None => BranchStatus::Unknown,
        }
    }
}

/// The live catalog: a handle to the current [`Snapshot`], cheap to clone.
/// Its methods answer from the snapshot of the moment, with owned values;
/// code that needs several answers from one state takes [`Catalog::snapshot`].
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    current: RwLock<Arc<Snapshot>>,
    /// One reload at a time, so that an older read never replaces a newer one.
    reloading: tokio::sync::Mutex<()>,
}

impl Catalog {
    /// Seed the database from the folder, then load the catalog from it.
    pub async fn open(store: &Store, folder: &Folder) -> Result<Catalog, CatalogError> {
        if folder.seed(store).await? {
            tracing::info!(
                "added questionnaires or branches of the questionnaires folder to the database"
            );
        }
        let catalog = Catalog::default();
        catalog.reload(store).await?;
        Ok(catalog)
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.shared
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Read the catalog from the database and make it current (after a
    /// change made on this server).
    pub async fn reload(&self, store: &Store) -> Result<(), CatalogError> {
        let _turn = self.shared.reloading.lock().await;
        let fresh = Snapshot::from_rows(store.catalog().await?)?;
        let mut current = self
            .shared
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if fresh.generation >= current.generation {
            *current = Arc::new(fresh);
        }
        Ok(())
    }

    /// Reload if the database's generation differs from the snapshot's;
    /// whether it did. One small query when nothing changed.
    pub async fn refresh(&self, store: &Store) -> Result<bool, CatalogError> {
        let generation = store.catalog_generation().await?;
        if generation == self.snapshot().generation {
            return Ok(false);
        }
        self.reload(store).await?;
        Ok(true)
    }

    /// Check for other servers' changes every `every` until the task is
    /// aborted. A failed check is logged and tried again at the next tick.
    pub fn watch(&self, store: Store, every: Duration) -> tokio::task::JoinHandle<()> {
        let catalog = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match catalog.refresh(&store).await {
                    Ok(true) => tracing::info!(
                        generation = catalog.snapshot().generation,
                        "catalog changed on another server; reloaded"
                    ),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot check the catalog for changes"),
                }
            }
        })
    }

    /// One version of a questionnaire, active or not.
    pub fn questionnaire(&self, id: &str, version: u32) -> Option<Arc<Questionnaire>> {
        let snapshot = self.snapshot();
        snapshot
            .questionnaires
            .get(&(id.to_owned(), version))
            .map(|v| v.questionnaire.clone())
    }

    /// The active version of a questionnaire.
    pub fn latest(&self, id: &str) -> Option<Arc<Questionnaire>> {
        let snapshot = self.snapshot();
        let version = *snapshot.active.get(id)?;
        snapshot
            .questionnaires
            .get(&(id.to_owned(), version))
            .map(|v| v.questionnaire.clone())
    }

    /// Every version of a questionnaire, oldest first.
    pub fn versions(&self, id: &str) -> impl Iterator<Item = Arc<Questionnaire>> {
        let snapshot = self.snapshot();
        snapshot
            .questionnaires
            .range((id.to_owned(), 0)..=(id.to_owned(), u32::MAX))
            .map(|(_, v)| v.questionnaire.clone())
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// Every version of every questionnaire, sorted by id then version.
    pub fn questionnaires(&self) -> impl Iterator<Item = Arc<Questionnaire>> {
        self.snapshot()
            .questionnaires
            .values()
            .map(|v| v.questionnaire.clone())
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// Summaries of the active version of each questionnaire, by id.
    pub fn summaries(&self) -> Vec<QuestionnaireSummary> {
        self.snapshot().summaries()
    }

    /// Every version, with whether it is active and when it was uploaded.
    pub fn all_versions(&self) -> Vec<QuestionnaireVersion> {
        self.snapshot().all_versions()
    }

    /// The branches, in list order.
    pub fn branches(&self) -> Arc<[Branch]> {
        self.snapshot().branches.clone()
    }

    /// The formats (peer groups), in list order.
    pub fn formats(&self) -> Arc<[Format]> {
        self.snapshot().formats.clone()
    }

    pub fn branch(&self, code: &str) -> BranchStatus {
        self.snapshot().branch(code)
    }
}

fn read(file: &Path) -> Result<String, CatalogError> {
    std::fs::read_to_string(file).map_err(|source| CatalogError::ReadFile {
        file: file.to_owned(),
        source,
    })
}
