//! Everything the device keeps, and the only module that touches
//! localStorage or IndexedDB: every key is listed in [`keys`]. The outbox of
//! completed responses (IndexedDB, [`outbox`]); the shopper's photos
//! (IndexedDB, [`photos`]); the kiosk customers' requests to be contacted
//! (IndexedDB, [`contacts`]); drafts and the device's own
//! records (localStorage, [`drafts`], [`enrolment`]); settings
//! ([`settings`]); copies of the server's read-only answers for offline use
//! ([`kept`]).
//!
//! Also the browser's view of the device's storage as a whole: how full it
//! is ([`estimate`]) and whether it may be evicted ([`request_persistence`]).

pub mod contacts;
pub mod drafts;
pub mod enrolment;
pub mod kept;
pub mod keys;
pub mod outbox;
pub mod photos;
pub mod settings;
pub mod starts;

use js_sys::Reflect;
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A failure of the device's storage (IndexedDB refused, quota exceeded,
/// database closed). The message is the browser's own, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl StoreError {
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError(message.into())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// localStorage, or `None` where it is disabled (policy, sandboxed frame).
fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Now, as RFC 3339 in UTC with milliseconds (`2025-03-01T09:30:00.000Z`),
/// from the browser's clock. Such strings sort in time order.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// How much of its quota this site uses (`navigator.storage.estimate()`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageUse {
    /// Bytes used.
    pub usage: f64,
    /// Bytes the browser allows this site.
    pub quota: f64,
}

impl StorageUse {
    /// Above this share of the quota the status bar warns.
    pub const WARN_ABOVE: f64 = 0.8;

    pub fn fraction(&self) -> f64 {
        if self.quota > 0.0 {
            self.usage / self.quota
        } else {
            0.0
        }
    }

    pub fn nearly_full(&self) -> bool {
        self.fraction() > Self::WARN_ABOVE
    }

    /// Used share of the quota, in whole percent.
    pub fn percent(&self) -> u32 {
        (self.fraction() * 100.0).round().clamp(0.0, 100.0) as u32
    }
}

/// `navigator.storage`, absent outside secure contexts and in old browsers.
fn storage_manager() -> Option<web_sys::StorageManager> {
    let navigator = web_sys::window()?.navigator();
    let manager = Reflect::get(&navigator, &JsValue::from_str("storage")).ok()?;
    (!manager.is_undefined() && !manager.is_null()).then(|| manager.unchecked_into())
}

/// The storage estimate, or `None` where the browser does not give one.
pub async fn estimate() -> Option<StorageUse> {
    let promise = storage_manager()?.estimate().ok()?;
    let estimate: web_sys::StorageEstimate = JsFuture::from(promise).await.ok()?.unchecked_into();
    Some(StorageUse {
        usage: estimate.get_usage()?,
        quota: estimate.get_quota()?,
    })
}

/// Ask the browser not to evict this site's data under storage pressure
/// (`navigator.storage.persist()`), unless it already agreed. Returns
/// whether storage is persistent, or `None` where the API is missing.
pub async fn request_persistence() -> Option<bool> {
    let manager = storage_manager()?;
    let persisted = JsFuture::from(manager.persisted().ok()?).await.ok()?;
    if persisted.as_bool() == Some(true) {
        return Some(true);
    }
    JsFuture::from(manager.persist().ok()?)
        .await
        .ok()?
        .as_bool()
}
