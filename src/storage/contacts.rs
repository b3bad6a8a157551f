//! The kiosk customers' requests to be contacted, in IndexedDB
//! ([`keys::CONTACTS_DB`]), apart from the outbox: a phone number or an
//! e-mail address is kept only until the server has it, and never beside
//! the answers. One record per request, keyed by its id:
//!
//! ```json
//! {"id": "<uuid>", "response": "<the response's uuid>",
//!  "request": <branchpulse_core::cases::ContactRequest as JSON>,
//!  "saved_at": "<RFC 3339>"}
//! ```
//!
//! `request` is the body of `POST /api/v1/contacts`, sent as stored. Each
//! operation is one short transaction that awaits only its own requests.

use super::{keys, now_iso, StoreError};
use branchpulse_core::cases::ContactRequest;
use idb::{Database, DatabaseEvent, Factory, KeyPath, ObjectStoreParams, Query, TransactionMode};
use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::JsValue;

const DB_VERSION: u32 = 1;
const CONTACTS: &str = "contacts";

/// A request as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub id: String,
    /// The response it belongs to: it goes after that one.
    pub response: String,
    /// The body to send, as stored.
    pub body: String,
}

#[derive(Debug)]
pub struct ContactStore {
    db: Database,
}

fn get(v: &JsValue, name: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn of_js(v: &JsValue) -> Option<Kept> {
    Some(Kept {
        id: get(v, "id").as_string()?,
        response: get(v, "response").as_string()?,
        body: JSON::stringify(&get(v, "request")).ok()?.as_string()?,
    })
}

impl ContactStore {
    pub async fn open() -> Result<ContactStore, StoreError> {
        let factory = Factory::new()?;
        let mut request = factory.open(keys::CONTACTS_DB, Some(DB_VERSION))?;
        request.on_upgrade_needed(|event| {
            let made = event.database().and_then(|db| {
                if !db.store_names().iter().any(|n| n == CONTACTS) {
                    let mut params = ObjectStoreParams::new();
                    params.key_path(Some(KeyPath::new_single("id")));
                    db.create_object_store(CONTACTS, params)?;
                }
                Ok(())
            });
            if let Err(e) = made {
                web_sys::console::error_1(
                    &format!("creating the contact store failed: {e}").into(),
                );
            }
        });
        Ok(ContactStore { db: request.await? })
    }

    pub fn close(&self) {
        self.db.close();
    }

    /// Keep `request`; resolves once committed, so the kiosk may then thank
    /// the customer.
    pub async fn add(&self, request: &ContactRequest) -> Result<(), StoreError> {
        let json = serde_json::to_string(request).map_err(|e| StoreError::new(e.to_string()))?;
        let body = JSON::parse(&json).map_err(|_| StoreError::new("the request is not JSON"))?;
        let record = Object::new();
        for (name, value) in [
            ("id", JsValue::from_str(&request.id.to_string())),
            ("response", JsValue::from_str(&request.response.to_string())),
            ("request", body),
            ("saved_at", JsValue::from_str(&now_iso())),
        ] {
            let _ = Reflect::set(&record, &JsValue::from_str(name), &value);
        }
        let tx = self
            .db
            .transaction(&[CONTACTS], TransactionMode::ReadWrite)?;
        tx.object_store(CONTACTS)?.put(&record, None)?.await?;
        super::outbox::committed(tx).await
    }

    /// Every request kept (unreadable records are left where they are).
    pub async fn all(&self) -> Result<Vec<Kept>, StoreError> {
        let tx = self
            .db
            .transaction(&[CONTACTS], TransactionMode::ReadOnly)?;
        let rows = tx.object_store(CONTACTS)?.get_all(None, None)?.await?;
        super::outbox::committed(tx).await?;
        Ok(rows.iter().filter_map(of_js).collect())
    }

    /// Forget request `id`: the server has it, or will never take it.
    pub async fn remove(&self, id: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[CONTACTS], TransactionMode::ReadWrite)?;
        tx.object_store(CONTACTS)?
            .delete(Query::Key(JsValue::from_str(id)))?
            .await?;
        super::outbox::committed(tx).await
    }
}

/// Keep `request` (open, add, close): what the kiosk's last screen calls.
pub async fn save(request: &ContactRequest) -> Result<(), StoreError> {
    let store = ContactStore::open().await?;
    let done = store.add(request).await;
    store.close();
    done
}
