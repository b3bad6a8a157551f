//! The outbox: completed responses waiting for the server, in IndexedDB, so
//! that a reload, a closed tab or a week offline loses none of them.
//!
//! ```ignore
//! let outbox = Outbox::open().await?;
//! outbox.add(&response).await?;            // resolves once committed: now show "saved"
//! let batch = outbox.pending(100).await?;  // oldest first
//! // … send, then, for what the server confirmed:
//! outbox.remove(&confirmed_ids).await?;
//! outbox.reject(&[(id, reason)]).await?;
//! ```
//!
//! # Schema
//!
//! Database `"branchpulse"`, version 1:
//!
//! | object store | keyPath | holds |
//! |---|---|---|
//! | `"outbox"` | `"id"` | responses waiting to be sent; index `"queued_at"` on `"queued_at"` |
//! | `"rejected"` | `"id"` | responses that need attention: refused by the server, or unreadable |
//!
//! An `"outbox"` record is exactly:
//!
//! ```json
//! {"id": "<uuid>", "response": <branchpulse_core::Response as JSON>,
//!  "queued_at": "<RFC 3339>", "attempts": <u32>}
//! ```
//!
//! - `id` is `response.id`, as a string (the app writes the lowercase
//!   hyphenated form);
//! - `response` is the response as its JSON (the same object the server
//!   receives in `POST /api/v1/responses`);
//! - `queued_at` is when it entered the outbox, in UTC as
//!   `Date.prototype.toISOString` writes it (`2025-03-01T09:30:00.000Z`):
//!   the queue is sent oldest first by this field;
//! - `attempts` counts the sends of this record that ended without the
//!   server's answer (network error, timeout, error status); 0 when added.
//!
//! Records may be written straight into the `"outbox"` store as plain
//! objects of this shape (the end-to-end tests write 1,000 that way) and are
//! synced like the app's own. A record without a usable `queued_at` is still
//! sent, after the dated ones. If the database was created elsewhere without
//! the `"queued_at"` index, the queue is ordered by reading all records.
//!
//! A `"rejected"` record is:
//!
//! ```json
//! {"id": "<uuid>", "response": <as it was in the outbox>,
//!  "reason": "<the server's reason>", "rejected_at": "<RFC 3339>"}
//! ```
//!
//! An outbox record that cannot be read — not a response, an `id` that is
//! not a string UUID or differs from `response.id` — is moved to
//! `"rejected"` with the reason `"unreadable record: <what is wrong>"` and
//! its `response` field as found (the whole record when it has none). So one
//! bad record never blocks the others, and nothing is dropped silently.
//!
//! # Transactions
//!
//! Each operation is one short transaction that awaits nothing but its own
//! requests: IndexedDB commits a transaction as soon as it has no request
//! pending, so awaiting anything else inside (a fetch, a timer) would let it
//! commit early and fail the next request. Every JSON encoding happens
//! before the transaction starts, every decoding between its requests,
//! synchronously. Writes resolve only after the transaction has committed.

use super::{now_iso, StoreError};
use branchpulse_core::Response;
use idb::{
    Database, DatabaseEvent, Factory, KeyPath, ObjectStore, ObjectStoreParams, Query, Transaction,
    TransactionMode, TransactionResult,
};
use js_sys::{Object, Reflect, JSON};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

/// The app's database.
pub const DB_NAME: &str = "branchpulse";
pub const DB_VERSION: u32 = 1;
/// Responses waiting to be sent.
pub const OUTBOX: &str = "outbox";
/// Responses that need attention.
pub const REJECTED: &str = "rejected";
/// The index of [`OUTBOX`] that orders the queue.
pub const QUEUED_AT: &str = "queued_at";
/// Start of the reason given to a record the device could not read.
pub const UNREADABLE: &str = "unreadable record";

/// The outbox and the rejected list of one IndexedDB database.
#[derive(Debug)]
pub struct Outbox {
    db: Database,
    /// Whether the `queued_at` index exists (it does unless the database
    /// was created by someone else).
    indexed: bool,
}

/// What [`Outbox::add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// Stored now.
    Queued,
    /// A record with this id was already waiting; it was kept as it was.
    AlreadyQueued,
}

/// A readable outbox record.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The record's key: what [`Outbox::remove`] and [`Outbox::reject`] take.
    pub id: String,
    pub response: Response,
    pub queued_at: Option<String>,
    pub attempts: u32,
}

/// The oldest records of the outbox, as [`Outbox::pending`] found them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Readable records, oldest first.
    pub ready: Vec<Pending>,
    /// Ids of records that could not be read and were moved to the
    /// rejected list (with the reason [`UNREADABLE`]) on the way.
    pub set_aside: Vec<String>,
}

/// An entry of the rejected list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    pub id: String,
    /// The response as it was in the outbox (any JSON for unreadable ones).
    pub response: serde_json::Value,
    pub reason: String,
    pub rejected_at: String,
}

/// An outbox record as written by [`Outbox::add`].
#[derive(Serialize)]
struct NewRecord<'a> {
    id: String,
    response: &'a Response,
    queued_at: String,
    attempts: u32,
}

/// An outbox record as read: strict on the response, lenient on the rest.
#[derive(Deserialize)]
struct StoredRecord {
    response: Response,
    #[serde(default)]
    queued_at: serde_json::Value,
    #[serde(default)]
    attempts: serde_json::Value,
}

impl Outbox {
    /// The app's outbox (database [`DB_NAME`]).
    pub async fn open() -> Result<Outbox, StoreError> {
        Outbox::open_named(DB_NAME).await
    }

    /// The outbox of database `name`, created with the schema if missing.
    /// Tests use a database of their own.
    pub async fn open_named(name: &str) -> Result<Outbox, StoreError> {
        let factory = Factory::new()?;
        let mut request = factory.open(name, Some(DB_VERSION))?;
        request.on_upgrade_needed(|event| {
            if let Err(e) = create_schema(&event) {
                web_sys::console::error_1(&format!("creating the outbox failed: {e}").into());
            }
        });
        let mut db = request.await?;
        // A newer version of the app wants to upgrade: let it, instead of
        // blocking it until this tab closes. This tab's next operation fails
        // and is reported; a reload picks up the new version.
        db.on_version_change(|event| {
            if let Some(target) = event.target() {
                if let Ok(db) = target.dyn_into::<web_sys::IdbDatabase>() {
                    db.close();
                }
            }
        });
        let indexed = {
            let tx = db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
            let names = tx.object_store(OUTBOX)?.index_names();
            names.iter().any(|n| n == QUEUED_AT)
        };
        Ok(Outbox { db, indexed })
    }

    /// Delete database `name` (for tests). Fails while a connection is open.
    pub async fn delete_named(name: &str) -> Result<(), StoreError> {
        Factory::new()?.delete(name)?.await?;
        Ok(())
    }

    /// Close the connection once running transactions are done.
    pub fn close(&self) {
        self.db.close();
    }

    /// Queue `response`. Resolves once the record is committed to disk, so
    /// the caller may then say "saved". A response already waiting (same
    /// id) is not stored twice.
    pub async fn add(&self, response: &Response) -> Result<Added, StoreError> {
        let id = response.id.to_string();
        let record = to_js(&NewRecord {
            id: id.clone(),
            response,
            queued_at: now_iso(),
            attempts: 0,
        })?;
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadWrite)?;
        let store = tx.object_store(OUTBOX)?;
        let existing = store
            .count(Some(Query::Key(JsValue::from_str(&id))))?
            .await?;
        if existing == 0 {
            store.add(&record, None)?.await?;
        }
        committed(tx).await?;
        Ok(if existing == 0 {
            Added::Queued
        } else {
            Added::AlreadyQueued
        })
    }

    /// How many records wait.
    pub async fn count(&self) -> Result<u32, StoreError> {
        count(&self.db, OUTBOX).await
    }

    /// The `limit` oldest records, readable ones in [`Batch::ready`].
    ///
    /// Records that cannot be read are moved to the rejected list on the
    /// way (one more short transaction) and named in
    /// [`Batch::set_aside`]; they count toward `limit`, so a batch may hold
    /// fewer than `limit` ready records while more wait.
    pub async fn pending(&self, limit: u32) -> Result<Batch, StoreError> {
        let limit = limit.max(1);
        let rows = {
            let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
            let store = tx.object_store(OUTBOX)?;
            let mut rows = Vec::new();
            let mut scan = !self.indexed;
            if self.indexed {
                let index = store.index(QUEUED_AT)?;
                rows = index.get_all(None, Some(limit))?.await?;
                if rows.len() < limit as usize {
                    // Records without a usable `queued_at` are not in the
                    // index; when there are some, read everything.
                    let indexed = index.count(None)?.await?;
                    let total = store.count(None)?.await?;
                    scan = indexed < total;
                }
            }
            if scan {
                rows = oldest(store.get_all(None, None)?.await?, limit as usize);
            }
            committed(tx).await?;
            rows
        };
        let mut batch = Batch::default();
        let mut unreadable = Vec::new();
        for value in rows {
            let key = field(&value, "id");
            match decode(&key, &value) {
                Ok(pending) => batch.ready.push(pending),
                Err(why) => unreadable.push((key, why)),
            }
        }
        if !unreadable.is_empty() {
            batch.set_aside = self.set_aside(&unreadable).await?;
        }
        Ok(batch)
    }

    /// Drop records the server confirmed (accepted, or already stored).
    pub async fn remove(&self, ids: &[String]) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadWrite)?;
        let store = tx.object_store(OUTBOX)?;
        for id in ids {
            store.delete(JsValue::from_str(id))?.await?;
        }
        committed(tx).await
    }

    /// Move records the server refused to the rejected list, each with the
    /// server's reason: `(id, reason)`.
    pub async fn reject(&self, verdicts: &[(String, String)]) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[OUTBOX, REJECTED], TransactionMode::ReadWrite)?;
        let outbox = tx.object_store(OUTBOX)?;
        let rejected = tx.object_store(REJECTED)?;
        for (id, reason) in verdicts {
            let key = JsValue::from_str(id);
            if let Some(value) = outbox.get(key.clone())?.await? {
                let record = rejected_record(&key, &field(&value, "response"), reason);
                rejected.put(&record, None)?.await?;
                outbox.delete(key)?.await?;
            }
        }
        committed(tx).await
    }

    /// Count one more send without an answer for each of `ids`.
    pub async fn mark_attempt(&self, ids: &[String]) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadWrite)?;
        let store = tx.object_store(OUTBOX)?;
        for id in ids {
            if let Some(value) = store.get(JsValue::from_str(id))?.await? {
                let attempts = field(&value, "attempts").as_f64().unwrap_or(0.0);
                if Reflect::set(&value, &"attempts".into(), &(attempts + 1.0).into()).is_ok() {
                    store.put(&value, None)?.await?;
                }
            }
        }
        committed(tx).await
    }

    /// How many responses need attention.
    pub async fn count_rejected(&self) -> Result<u32, StoreError> {
        count(&self.db, REJECTED).await
    }

    /// Every response that needs attention, by id.
    pub async fn list_rejected(&self) -> Result<Vec<Rejected>, StoreError> {
        let tx = self.db.transaction(&[REJECTED], TransactionMode::ReadOnly)?;
        let store = tx.object_store(REJECTED)?;
        let keys = store.get_all_keys(None, None)?.await?;
        let values = store.get_all(None, None)?.await?;
        committed(tx).await?;
        Ok(keys
            .iter()
            .zip(&values)
            .map(|(key, value)| read_rejected(key, value))
            .collect())
    }

    /// Delete responses from the rejected list for good.
    pub async fn delete_rejected(&self, ids: &[String]) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[REJECTED], TransactionMode::ReadWrite)?;
        let store = tx.object_store(REJECTED)?;
        for id in ids {
            store.delete(JsValue::from_str(id))?.await?;
        }
        committed(tx).await
    }

    /// Save the rejected list as a JSON file (a browser download). Returns
    /// how many entries it holds.
    pub async fn export_rejected(&self) -> Result<usize, StoreError> {
        let list = self.list_rejected().await?;
        let date: String = now_iso().chars().take(10).collect();
        download(
            &format!("branchpulse-needs-attention-{date}.json"),
            &rejected_json(&list),
        )
        .map_err(|e| StoreError::new(format!("the export failed: {}", js_text(&e))))?;
        Ok(list.len())
    }

    /// Move unreadable outbox records to the rejected list; returns their ids.
    async fn set_aside(&self, found: &[(JsValue, String)]) -> Result<Vec<String>, StoreError> {
        let tx = self
            .db
            .transaction(&[OUTBOX, REJECTED], TransactionMode::ReadWrite)?;
        let outbox = tx.object_store(OUTBOX)?;
        let rejected = tx.object_store(REJECTED)?;
        let mut ids = Vec::new();
        for (key, why) in found {
            // The key is valid: it came out of the store.
            if let Some(value) = outbox.get(key.clone())?.await? {
                let id = key_text(key);
                let response = match field(&value, "response") {
                    r if r.is_undefined() => value.clone(),
                    r => r,
                };
                let record = rejected_record(
                    &JsValue::from_str(&id),
                    &response,
                    &format!("{UNREADABLE}: {why}"),
                );
                rejected.put(&record, None)?.await?;
                outbox.delete(key.clone())?.await?;
                ids.push(id);
            }
        }
        committed(tx).await?;
        if !ids.is_empty() {
            web_sys::console::warn_1(
                &format!(
                    "BranchPulse: {} unreadable outbox record(s) moved to the rejected list: {}",
                    ids.len(),
                    ids.join(", ")
                )
                .into(),
            );
        }
        Ok(ids)
    }
}

/// The rejected list as the JSON that [`Outbox::export_rejected`] saves.
pub fn rejected_json(list: &[Rejected]) -> String {
    serde_json::to_string_pretty(list).unwrap_or_else(|_| "[]".into())
}

fn create_schema(event: &idb::event::VersionChangeEvent) -> Result<(), idb::Error> {
    let db = event.database()?;
    let names = db.store_names();
    if !names.iter().any(|n| n == OUTBOX) {
        let mut params = ObjectStoreParams::new();
        params.key_path(Some(KeyPath::new_single("id")));
        let store: ObjectStore = db.create_object_store(OUTBOX, params)?;
        store.create_index(QUEUED_AT, KeyPath::new_single("queued_at"), None)?;
    }
    if !names.iter().any(|n| n == REJECTED) {
        let mut params = ObjectStoreParams::new();
        params.key_path(Some(KeyPath::new_single("id")));
        db.create_object_store(REJECTED, params)?;
    }
    Ok(())
}

/// Wait for `tx` to finish; an abort is an error.
async fn committed(tx: Transaction) -> Result<(), StoreError> {
    match tx.await? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StoreError::new(
            "the device's storage cancelled the operation (transaction aborted)",
        )),
    }
}

async fn count(db: &Database, store: &str) -> Result<u32, StoreError> {
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    let n = tx.object_store(store)?.count(None)?.await?;
    committed(tx).await?;
    Ok(n)
}

/// The `limit` oldest of `rows` by `queued_at`; undated ones last.
fn oldest(rows: Vec<JsValue>, limit: usize) -> Vec<JsValue> {
    let mut keyed: Vec<(Option<String>, String, JsValue)> = rows
        .into_iter()
        .map(|v| (field(&v, QUEUED_AT).as_string(), key_text(&field(&v, "id")), v))
        .collect();
    keyed.sort_by(|a, b| {
        (a.0.is_none(), &a.0, &a.1).cmp(&(b.0.is_none(), &b.0, &b.1))
    });
    keyed.into_iter().take(limit).map(|(_, _, v)| v).collect()
}

/// Read one outbox record; the error says what is wrong with it.
fn decode(key: &JsValue, value: &JsValue) -> Result<Pending, String> {
    let id = key
        .as_string()
        .ok_or_else(|| format!("its id {} is not a string", key_text(key)))?;
    let json = JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or("it cannot be read as JSON")?;
    let stored: StoredRecord =
        serde_json::from_str(&json).map_err(|e| format!("not an outbox record: {e}"))?;
    let uuid: Uuid = id
        .parse()
        .map_err(|_| format!("its id \"{id}\" is not a UUID"))?;
    if stored.response.id != uuid {
        return Err(format!(
            "its id \"{id}\" differs from response.id \"{}\"",
            stored.response.id
        ));
    }
    Ok(Pending {
        id,
        response: stored.response,
        queued_at: stored.queued_at.as_str().map(str::to_owned),
        attempts: stored
            .attempts
            .as_u64()
            .map_or(0, |a| u32::try_from(a).unwrap_or(u32::MAX)),
    })
}

/// Read one rejected record, whatever its shape.
fn read_rejected(key: &JsValue, value: &JsValue) -> Rejected {
    let json = JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
    let text = |v: &serde_json::Value, name: &str| {
        v.get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    match json {
        Some(mut v) => Rejected {
            id: key_text(key),
            reason: text(&v, "reason").unwrap_or_else(|| UNREADABLE.into()),
            rejected_at: text(&v, "rejected_at").unwrap_or_default(),
            response: v
                .get_mut("response")
                .map(serde_json::Value::take)
                .unwrap_or_default(),
        },
        None => Rejected {
            id: key_text(key),
            response: serde_json::Value::Null,
            reason: UNREADABLE.into(),
            rejected_at: String::new(),
        },
    }
}

fn rejected_record(id: &JsValue, response: &JsValue, reason: &str) -> JsValue {
    let record = Object::new();
    for (name, value) in [
        ("id", id.clone()),
        ("response", response.clone()),
        ("reason", JsValue::from_str(reason)),
        ("rejected_at", JsValue::from_str(&now_iso())),
    ] {
        // Setting a property of a fresh plain object cannot fail.
        let _ = Reflect::set(&record, &JsValue::from_str(name), &value);
    }
    record.into()
}

/// `value[name]`, or `undefined` (also when `value` is not an object).
fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A key as text: strings as they are, anything else as JSON.
fn key_text(key: &JsValue) -> String {
    key.as_string().unwrap_or_else(|| js_text(key))
}

fn js_text(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    let json = serde_json::to_string(value).map_err(|e| StoreError::new(e.to_string()))?;
    JSON::parse(&json).map_err(|e| StoreError::new(js_text(&e)))
}

/// Offer `text` as a file download named `file_name`.
fn download(file_name: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // Revoking at once can cancel the download in some browsers.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}
