//! The questionnaires and branches the server knows, loaded once at start-up
//! from the questionnaires folder.
//!
//! Every `*.json` file in the folder except `branches.json` is a questionnaire,
//! checked by [`branchpulse_core::questionnaire::load`]; `branches.json` is a
//! JSON array of [`Branch`]es. Any mistake stops the server from starting,
//! with a message naming the file.

use branchpulse_core::protocol::{Branch, QuestionnaireSummary};
use branchpulse_core::{questionnaire, Questionnaire};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
}

/// Questionnaires by (id, version) and branches by code. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    questionnaires: BTreeMap<(String, u32), Questionnaire>,
    branches: Vec<Branch>,
    branch_index: HashMap<String, usize>,
}

/// What [`Catalog::branch`] found for a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BranchStatus<'a> {
    Active(&'a Branch),
    Inactive(&'a Branch),
    Unknown,
}

impl Catalog {
    /// Load every questionnaire in `dir` and `dir/branches.json`.
    pub fn load(dir: &Path) -> Result<Catalog, CatalogError> {
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

        let mut questionnaires = Vec::with_capacity(files.len());
        for file in &files {
            let json = read(file)?;
            questionnaires.push((
                file.clone(),
                questionnaire::load(&file.display().to_string(), &json)?,
            ));
        }
        if questionnaires.is_empty() {
            return Err(CatalogError::NoQuestionnaires {
                dir: dir.to_owned(),
            });
        }

        let branches_file = dir.join(BRANCHES_FILE);
        if !branches_file.is_file() {
            return Err(CatalogError::MissingBranches {
                file: branches_file,
            });
        }
        let json = read(&branches_file)?;
        let branches: Vec<Branch> =
            serde_json::from_str(&json).map_err(|e| CatalogError::InvalidBranches {
                file: branches_file.clone(),
                problem: e.to_string(),
            })?;

        Catalog::from_parts(questionnaires, branches).map_err(|e| match e {
            PartsError::Duplicate {
                id,
                version,
                file,
                other,
            } => CatalogError::DuplicateQuestionnaire {
                id,
                version,
                file,
                other,
            },
            PartsError::Branches(problem) => CatalogError::InvalidBranches {
                file: branches_file,
                problem,
            },
        })
    }

    /// Build a catalog from questionnaires already loaded (each with the
    /// file it came from, for error messages) and a list of branches.
    pub fn new(
        questionnaires: impl IntoIterator<Item = Questionnaire>,
        branches: Vec<Branch>,
    ) -> Result<Catalog, String> {
        let named = questionnaires
            .into_iter()
            .map(|q| (PathBuf::from(format!("{}.json", q.id)), q));
        Catalog::from_parts(named, branches).map_err(|e| match e {
            PartsError::Duplicate { id, version, .. } => {
                format!("questionnaire \"{id}\" version {version} is given twice")
            }
            PartsError::Branches(problem) => problem,
        })
    }

    fn from_parts(
        questionnaires: impl IntoIterator<Item = (PathBuf, Questionnaire)>,
        branches: Vec<Branch>,
    ) -> Result<Catalog, PartsError> {
        let mut by_key = BTreeMap::new();
        let mut sources: HashMap<(String, u32), PathBuf> = HashMap::new();
        for (file, q) in questionnaires {
            let key = (q.id.clone(), q.version);
            if let Some(other) = sources.get(&key) {
                return Err(PartsError::Duplicate {
                    id: key.0,
                    version: key.1,
                    file,
                    other: other.clone(),
                });
            }
            sources.insert(key.clone(), file);
            by_key.insert(key, q);
        }

        let mut branch_index = HashMap::with_capacity(branches.len());
        for (i, branch) in branches.iter().enumerate() {
            if branch.code.trim().is_empty() {
                return Err(PartsError::Branches(format!(
                    "branch #{} has an empty \"code\"",
                    i + 1
                )));
            }
            if branch_index.insert(branch.code.clone(), i).is_some() {
                return Err(PartsError::Branches(format!(
                    "branch code \"{}\" appears more than once",
                    branch.code
                )));
            }
        }

        Ok(Catalog {
            inner: Arc::new(Inner {
                questionnaires: by_key,
                branches,
                branch_index,
            }),
        })
    }

    /// One version of a questionnaire.
    pub fn questionnaire(&self, id: &str, version: u32) -> Option<&Questionnaire> {
        self.inner.questionnaires.get(&(id.to_owned(), version))
    }

    /// The highest version of a questionnaire.
    pub fn latest(&self, id: &str) -> Option<&Questionnaire> {
        self.versions(id).last()
    }

    /// Every version of a questionnaire, oldest first.
    pub fn versions(&self, id: &str) -> impl Iterator<Item = &Questionnaire> + '_ {
        self.inner
            .questionnaires
            .range((id.to_owned(), 0)..=(id.to_owned(), u32::MAX))
            .map(|(_, q)| q)
    }

    /// Every questionnaire, sorted by id then version.
    pub fn questionnaires(&self) -> impl Iterator<Item = &Questionnaire> {
        self.inner.questionnaires.values()
    }

    /// Summaries of every questionnaire, sorted by id then version.
    pub fn summaries(&self) -> Vec<QuestionnaireSummary> {
        self.questionnaires()
            .map(QuestionnaireSummary::from)
            .collect()
    }

    /// The branches, in the order of `branches.json`.
    pub fn branches(&self) -> &[Branch] {
        &self.inner.branches
    }

    pub fn branch(&self, code: &str) -> BranchStatus<'_> {
        match self
            .inner
            .branch_index
            .get(code)
            .map(|&i| &self.inner.branches[i])
        {
            Some(b) if b.active => BranchStatus::Active(b),
            Some(b) => BranchStatus::Inactive(b),
            None => BranchStatus::Unknown,
        }
    }
}

enum PartsError {
    Duplicate {
        id: String,
        version: u32,
        file: PathBuf,
        other: PathBuf,
    },
    Branches(String),
}

fn read(file: &Path) -> Result<String, CatalogError> {
    std::fs::read_to_string(file).map_err(|source| CatalogError::ReadFile {
        file: file.to_owned(),
        source,
    })
}
