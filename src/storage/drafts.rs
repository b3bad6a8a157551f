//! Drafts and small settings in localStorage (synchronous, a few KB each).
//!
//! Values are JSON. One that cannot be read any more (an older app version
//! wrote it, or it was edited by hand) is moved aside to `<key>.corrupt`,
//! reported on the console and to the caller, and the caller starts afresh:
//! the page keeps working and the old value is still there to recover.
//!
//! ```ignore
//! let key = keys::draft("visit-42");
//! drafts::save(&key, &draft)?;
//! match drafts::load::<VisitDraft>(&key) {
//!     Ok(Some(draft)) => resume(draft),
//!     Ok(None) => start_new(),
//!     Err(problem) => { show(problem); start_new() }
//! }
//! ```

use super::keys;
use branchpulse_core::collect;
use gloo_storage::errors::StorageError;
use gloo_storage::{LocalStorage, Storage};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// Why a draft or setting could not be loaded or saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftError {
    /// The stored value could not be read. It was moved to `moved_to`
    /// (`None`: moving failed, so it was left where it was).
    Corrupt {
        key: String,
        moved_to: Option<String>,
        reason: String,
    },
    /// localStorage is disabled, full, or refused the operation.
    Unavailable(String),
}

impl fmt::Display for DraftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DraftError::Corrupt {
                key,
                moved_to: Some(to),
                reason,
            } => write!(f, "{key} could not be read ({reason}); it was kept as {to}"),
            DraftError::Corrupt {
                key,
                moved_to: None,
                reason,
            } => write!(f, "{key} could not be read ({reason})"),
            DraftError::Unavailable(e) => write!(f, "the browser's storage is unavailable: {e}"),
        }
    }
}

impl std::error::Error for DraftError {}

/// localStorage, or why there is none (disabled by policy, sandboxed frame).
/// gloo-storage panics without it, so every function checks first.
fn storage() -> Result<web_sys::Storage, DraftError> {
    web_sys::window()
        .ok_or("no window")
        .and_then(|w| {
            w.local_storage()
                .ok()
                .flatten()
                .ok_or("localStorage is disabled")
        })
        .map_err(|e| DraftError::Unavailable(e.into()))
}

/// The value saved under `key`: `Ok(None)` when there is none. A value that
/// cannot be read is moved to [`keys::corrupt`] and reported as
/// [`DraftError::Corrupt`]; the next load then finds nothing.
pub fn load<T: DeserializeOwned>(key: &str) -> Result<Option<T>, DraftError> {
    let raw = storage()?;
    match LocalStorage::get::<T>(key) {
        Ok(value) => Ok(Some(value)),
        Err(StorageError::KeyNotFound(_)) => Ok(None),
        Err(StorageError::SerdeError(e)) => Err(move_aside(&raw, key, e.to_string())),
        Err(StorageError::JsError(e)) => Err(DraftError::Unavailable(e.to_string())),
    }
}

fn move_aside(raw: &web_sys::Storage, key: &str, reason: String) -> DraftError {
    let to = keys::corrupt(key);
    let moved = match raw.get_item(key) {
        Ok(Some(value)) => raw.set_item(&to, &value).is_ok() && raw.remove_item(key).is_ok(),
        _ => false,
    };
    let problem = DraftError::Corrupt {
        key: key.into(),
        moved_to: moved.then_some(to),
        reason,
    };
    web_sys::console::warn_1(&format!("BranchPulse: {problem}").into());
    problem
}

/// Save `value` under `key`.
pub fn save<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), DraftError> {
    storage()?;
    LocalStorage::set(key, value).map_err(|e| DraftError::Unavailable(e.to_string()))
}

/// Forget `key` (a submitted draft).
pub fn remove(key: &str) {
    if let Ok(raw) = storage() {
        let _ = raw.remove_item(key);
    }
}

/// The ids of every saved draft (keys under [`keys::DRAFT_PREFIX`], without the
/// values moved aside), sorted.
pub fn draft_ids() -> Vec<String> {
    let Ok(raw) = storage() else {
        return Vec::new();
    };
    let n = raw.length().unwrap_or(0);
    let mut ids: Vec<String> = (0..n)
        .filter_map(|i| raw.key(i).ok().flatten())
        .filter(|k| !k.ends_with(keys::CORRUPT_SUFFIX))
        .filter_map(|k| k.strip_prefix(keys::DRAFT_PREFIX).map(str::to_owned))
        .collect();
    collect::sort(&mut ids);
    ids
}
