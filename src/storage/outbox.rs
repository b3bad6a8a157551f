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
//!   The sync client splits batches by it (`sync::backoff::split_size`).
//!
//! The sync client adds two fields once a send fails (a record without
//! them reads as 0 and never):
//!
//! - `failing_since`: when a send of it first failed, in ms since the
//!   epoch;
//! - `strikes`: how many times the server failed on it alone while the
//!   server demonstrably worked (see `sync`); at `SyncConfig::strikes` it
//!   moves to `"rejected"` with the reason [`FAILED_ALONE`] and the
//!   server's last error.
//!
//! Records may be written straight into the `"outbox"` store as plain
//! objects of this shape (the end-to-end tests write 1,000 that way) and are
//! synced like the app's own. A record without a usable `queued_at` is still
//! sent, after the dated ones. (In a database created elsewhere without the
//! `"queued_at"` index, the queue is sent in `id` order instead.)
//!
//! A `"rejected"` record is:
//!
//! ```json
//! {"id": "<uuid>", "response": <as it was in the outbox>,
//!  "reason": "<the server's reason>", "rejected_at": "<RFC 3339>"}
//! ```
//!
//! An outbox record that cannot be read — no `response` object, an `id`
//! that is not a string UUID or differs from `response.id`, data that is
//! not JSON — is moved to
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
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

/// The app's database.
pub const DB_NAME: &str = super::keys::OUTBOX_DB;
pub const DB_VERSION: u32 = 1;
/// Responses waiting to be sent.
pub const OUTBOX: &str = "outbox";
/// Responses that need attention.
pub const REJECTED: &str = "rejected";
/// The index of [`OUTBOX`] that orders the queue.
pub const QUEUED_AT: &str = "queued_at";
const FAILING_SINCE: &str = "failing_since";
const STRIKES: &str = "strikes";
/// Start of the reason given to a record the device could not read.
pub const UNREADABLE: &str = "unreadable record";
/// Start of the reason given to a record the server failed on again and
/// again, alone, while it stored others.
pub const FAILED_ALONE: &str = "the server failed on it alone";

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

/// Where a response is, as [`Outbox::place_of`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In the outbox, waiting to be sent.
    Waiting,
    /// Refused by the server; kept on the rejected list.
    Rejected,
    /// Not on the device: the server confirmed it (or it was never queued).
    Gone,
}

/// A readable outbox record.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The record's key: what [`Outbox::remove`] and [`Outbox::reject`] take.
    pub id: String,
    /// `response.id`, which the server's outcomes name.
    pub response_id: Uuid,
    /// The response as its JSON text, exactly as stored: the sync client
    /// sends it as is, and the server checks it (a response the server
    /// cannot accept comes back rejected, with the reason).
    pub response: String,
    pub queued_at: Option<String>,
    pub attempts: u32,
    /// When a send of it first failed (ms since the epoch), if one did.
    pub failing_since: Option<f64>,
    pub strikes: u32,
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

/// An entry of the rejected list, as the status bar lists it. The whole
/// records, responses included, are in [`Outbox::rejected_json`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub id: String,
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
            store.put(&record, None)?.await?;
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
        let max = limit as usize;
        let rows = {
            let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
            let store = tx.object_store(OUTBOX)?;
            let rows = if self.indexed {
                let index = store.index(QUEUED_AT)?;
                let mut rows = index.get_all(None, Some(limit))?.await?;
                if rows.len() < max && index.count(None)?.await? < store.count(None)?.await? {
                    // Records without a usable `queued_at` are not in the
                    // index: they follow the dated ones.
                    let dated: Vec<String> =
                        rows.iter().map(|v| key_text(&field(v, "id"))).collect();
                    for value in store.get_all(None, None)?.await? {
                        if rows.len() >= max {
                            break;
                        }
                        if !dated.contains(&key_text(&field(&value, "id"))) {
                            rows.push(value);
                        }
                    }
                }
                rows
            } else {
                store.get_all(None, Some(limit))?.await?
            };
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
        self.settle(ids, &[]).await
    }

    /// Move records the server refused to the rejected list, each with the
    /// server's reason: `(id, reason)`.
    pub async fn reject(&self, verdicts: &[(String, String)]) -> Result<(), StoreError> {
        self.settle(&[], verdicts).await
    }

    /// Apply the server's answer in one transaction: drop `confirmed`, move
    /// `refused` (`(id, reason)`) to the rejected list.
    pub async fn settle(
        &self,
        confirmed: &[String],
        refused: &[(String, String)],
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[OUTBOX, REJECTED], TransactionMode::ReadWrite)?;
        let outbox = tx.object_store(OUTBOX)?;
        let rejected = tx.object_store(REJECTED)?;
        for id in confirmed {
            outbox.delete(JsValue::from_str(id))?.await?;
        }
        for (id, reason) in refused {
            let key = JsValue::from_str(id);
            if let Some(value) = outbox.get(key.clone())?.await? {
                let record = rejected_record(&key, &field(&value, "response"), reason);
                rejected.put(&record, None)?.await?;
                outbox.delete(key)?.await?;
            }
        }
        committed(tx).await
    }

    /// Count one more send without an answer for each of `ids`, and note
    /// when the first one failed.
    pub async fn mark_attempt(&self, ids: &[String]) -> Result<(), StoreError> {
        let now = JsValue::from_f64(js_sys::Date::now());
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadWrite)?;
        let store = tx.object_store(OUTBOX)?;
        for id in ids {
            if let Some(value) = store.get(JsValue::from_str(id))?.await? {
                let attempts = field(&value, "attempts").as_f64().unwrap_or(0.0);
                let since = field(&value, FAILING_SINCE);
                let since = if since.as_f64().is_some() {
                    since
                } else {
                    now.clone()
                };
                if Reflect::set(&value, &"attempts".into(), &(attempts + 1.0).into()).is_ok()
                    && Reflect::set(&value, &FAILING_SINCE.into(), &since).is_ok()
                {
                    store.put(&value, None)?.await?;
                }
            }
        }
        committed(tx).await
    }

    /// Count a strike against record `id`: the server failed on it alone
    /// (`error`: its status and message). At `limit` strikes the record
    /// moves to the rejected list with the reason [`FAILED_ALONE`] and
    /// `error`; returns whether it did.
    pub async fn strike(&self, id: &str, error: &str, limit: u32) -> Result<bool, StoreError> {
        let tx = self
            .db
            .transaction(&[OUTBOX, REJECTED], TransactionMode::ReadWrite)?;
        let outbox = tx.object_store(OUTBOX)?;
        let key = JsValue::from_str(id);
        let mut moved = false;
        if let Some(value) = outbox.get(key.clone())?.await? {
            let strikes = field(&value, STRIKES).as_f64().unwrap_or(0.0) as u32 + 1;
            if strikes >= limit {
                let reason = format!("{FAILED_ALONE} {strikes} times: {error}");
                let record = rejected_record(&key, &field(&value, "response"), &reason);
                tx.object_store(REJECTED)?.put(&record, None)?.await?;
                outbox.delete(key)?.await?;
                moved = true;
            } else if Reflect::set(&value, &STRIKES.into(), &strikes.into()).is_ok() {
                outbox.put(&value, None)?.await?;
            }
        }
        committed(tx).await?;
        Ok(moved)
    }

    /// How many responses need attention.
    pub async fn count_rejected(&self) -> Result<u32, StoreError> {
        count(&self.db, REJECTED).await
    }

    /// How many wait and how many need attention, read together.
    pub async fn counts(&self) -> Result<(u32, u32), StoreError> {
        let tx = self
            .db
            .transaction(&[OUTBOX, REJECTED], TransactionMode::ReadOnly)?;
        let waiting = tx.object_store(OUTBOX)?.count(None)?.await?;
        let rejected = tx.object_store(REJECTED)?.count(None)?.await?;
        committed(tx).await?;
        Ok((waiting, rejected))
    }

    /// Where response `id` is: still waiting, set aside as rejected, or
    /// neither (sent, or never queued).
    pub async fn place_of(&self, id: &str) -> Result<Place, StoreError> {
        let tx = self
            .db
            .transaction(&[OUTBOX, REJECTED], TransactionMode::ReadOnly)?;
        let key = || Some(Query::Key(JsValue::from_str(id)));
        let waiting = tx.object_store(OUTBOX)?.count(key())?.await?;
        let rejected = tx.object_store(REJECTED)?.count(key())?.await?;
        committed(tx).await?;
        Ok(if waiting > 0 {
            Place::Waiting
        } else if rejected > 0 {
            Place::Rejected
        } else {
            Place::Gone
        })
    }

    /// Every response that needs attention, by id.
    pub async fn list_rejected(&self) -> Result<Vec<Rejected>, StoreError> {
        let tx = self
            .db
            .transaction(&[REJECTED], TransactionMode::ReadOnly)?;
        let values = tx.object_store(REJECTED)?.get_all(None, None)?.await?;
        committed(tx).await?;
        Ok(values
            .iter()
            .map(|value| Rejected {
                id: key_text(&field(value, "id")),
                reason: field(value, "reason")
                    .as_string()
                    .unwrap_or_else(|| UNREADABLE.into()),
                rejected_at: field(value, "rejected_at").as_string().unwrap_or_default(),
            })
            .collect())
    }

    /// Delete responses from the rejected list for good.
    pub async fn delete_rejected(&self, ids: &[String]) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[REJECTED], TransactionMode::ReadWrite)?;
        let store = tx.object_store(REJECTED)?;
        for id in ids {
            store.delete(JsValue::from_str(id))?.await?;
        }
        committed(tx).await
    }

    /// The rejected list as JSON: an array of the stored records
    /// (`{"id", "response", "reason", "rejected_at"}`), as
    /// [`Outbox::export_rejected`] saves it.
    pub async fn rejected_json(&self) -> Result<String, StoreError> {
        let tx = self
            .db
            .transaction(&[REJECTED], TransactionMode::ReadOnly)?;
        let values = tx.object_store(REJECTED)?.get_all(None, None)?.await?;
        committed(tx).await?;
        let list: js_sys::Array = values.into_iter().collect();
        JSON::stringify_with_replacer_and_space(&list, &JsValue::NULL, &JsValue::from(2))
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| StoreError::new("the rejected list cannot be written as JSON"))
    }

    /// Save the rejected list as a JSON file (a browser download).
    pub async fn export_rejected(&self) -> Result<(), StoreError> {
        let json = self.rejected_json().await?;
        let date: String = now_iso().chars().take(10).collect();
        download(&format!("branchpulse-needs-attention-{date}.json"), &json)
            .map_err(|e| StoreError::new(format!("the export failed: {}", js_text(&e))))
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

/// Wait for `tx` to finish; an abort is an error. Boxed: one copy of this
/// state machine serves every operation instead of one inlined in each.
pub(super) fn committed(tx: Transaction) -> Pin<Box<dyn Future<Output = Result<(), StoreError>>>> {
    Box::pin(async move {
        match tx.await? {
            TransactionResult::Committed => Ok(()),
            TransactionResult::Aborted => Err(StoreError::new(
                "the device's storage cancelled the operation (transaction aborted)",
            )),
        }
    })
}

async fn count(db: &Database, store: &str) -> Result<u32, StoreError> {
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    let n = tx.object_store(store)?.count(None)?.await?;
    committed(tx).await?;
    Ok(n)
}

/// Read one outbox record; the error says what is wrong with it.
///
/// Only the envelope is checked here (the ids, and that the response is
/// JSON): the response's content is the server's to judge, and a response
/// it refuses comes back rejected with the reason. So the device never
/// needs to parse a whole response to sync it.
fn decode(key: &JsValue, value: &JsValue) -> Result<Pending, String> {
    let id = key
        .as_string()
        .ok_or_else(|| format!("its id {} is not a string", key_text(key)))?;
    let uuid: Uuid = id
        .parse()
        .map_err(|_| format!("its id \"{id}\" is not a UUID"))?;
    let response = field(value, "response");
    let response_id = field(&response, "id")
        .as_string()
        .ok_or("it has no response with an id")?;
    if response_id.parse::<Uuid>() != Ok(uuid) {
        return Err(format!(
            "its id \"{id}\" differs from response.id \"{response_id}\""
        ));
    }
    let response = JSON::stringify(&response)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or("its response cannot be written as JSON")?;
    // `as` saturates: NaN and negatives read as 0.
    let attempts = field(value, "attempts").as_f64().unwrap_or(0.0) as u32;
    Ok(Pending {
        id,
        response_id: uuid,
        response,
        queued_at: field(value, QUEUED_AT).as_string(),
        attempts,
        failing_since: field(value, FAILING_SINCE).as_f64(),
        strikes: field(value, STRIKES).as_f64().unwrap_or(0.0) as u32,
    })
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
