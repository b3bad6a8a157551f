//! The shopper's photos in IndexedDB ([`keys::PHOTOS_DB`]): one record per
//! photo, keyed by its id, holding the shrunk JPEG as a `Blob` beside its
//! draft (= report) id, the item or stage it shows, its size and SHA-256,
//! whether the report was submitted (`queued`) and how many bytes the
//! server has said it holds (`received`). Transactions are short: each
//! awaits only its own requests.

use super::{keys, StoreError};
use idb::{Database, DatabaseEvent, Factory, KeyPath, ObjectStoreParams, Query, TransactionMode};
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

const DB_VERSION: u32 = 1;
const PHOTOS: &str = "photos";

/// One photo as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    pub id: String,
    /// The draft's id, which is the report's (response's) id.
    pub draft: String,
    pub item: Option<String>,
    pub stage: Option<String>,
    pub blob: web_sys::Blob,
    pub size: u64,
    pub sha256: String,
    /// The report was submitted: the photo goes once the report is stored.
    pub queued: bool,
    /// Bytes the server last said it had.
    pub received: u64,
}

#[derive(Debug)]
pub struct PhotoStore {
    db: Database,
}

fn set(o: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(name), value);
}

fn get(v: &JsValue, name: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn opt(s: &Option<String>) -> JsValue {
    s.as_deref().map_or(JsValue::NULL, JsValue::from_str)
}

fn to_js(p: &Photo) -> JsValue {
    let o = Object::new();
    set(&o, "id", &JsValue::from_str(&p.id));
    set(&o, "draft", &JsValue::from_str(&p.draft));
    set(&o, "item", &opt(&p.item));
    set(&o, "stage", &opt(&p.stage));
    set(&o, "blob", &p.blob);
    set(&o, "size", &JsValue::from_f64(p.size as f64));
    set(&o, "sha256", &JsValue::from_str(&p.sha256));
    set(&o, "queued", &JsValue::from_bool(p.queued));
    set(&o, "received", &JsValue::from_f64(p.received as f64));
    o.into()
}

fn of_js(v: &JsValue) -> Option<Photo> {
    let text = |name| get(v, name).as_string();
    Some(Photo {
        id: text("id")?,
        draft: text("draft")?,
        item: text("item"),
        stage: text("stage"),
        blob: get(v, "blob").dyn_into().ok()?,
        size: get(v, "size").as_f64()? as u64,
        sha256: text("sha256")?,
        queued: get(v, "queued").as_bool().unwrap_or(false),
        received: get(v, "received").as_f64().unwrap_or(0.0) as u64,
    })
}

/// Forget the photos of draft `draft`, which was deleted: they would
/// otherwise stay in IndexedDB for good, never sent.
pub async fn forget_draft(draft: &str) -> Result<(), StoreError> {
    let store = PhotoStore::open().await?;
    let done = store.remove_draft(draft).await;
    store.close();
    done
}

impl PhotoStore {
    pub async fn open() -> Result<PhotoStore, StoreError> {
        let factory = Factory::new()?;
        let mut request = factory.open(keys::PHOTOS_DB, Some(DB_VERSION))?;
        request.on_upgrade_needed(|event| {
            let made = event.database().and_then(|db| {
                if !db.store_names().iter().any(|n| n == PHOTOS) {
                    let mut params = ObjectStoreParams::new();
                    params.key_path(Some(KeyPath::new_single("id")));
                    db.create_object_store(PHOTOS, params)?;
                }
                Ok(())
            });
            if let Err(e) = made {
                web_sys::console::error_1(&format!("creating the photo store failed: {e}").into());
            }
        });
        Ok(PhotoStore { db: request.await? })
    }

    pub fn close(&self) {
        self.db.close();
    }

    /// Keep `photo`; resolves once committed.
    pub async fn put(&self, photo: &Photo) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadWrite)?;
        tx.object_store(PHOTOS)?.put(&to_js(photo), None)?.await?;
        super::outbox::committed(tx).await
    }

    /// Every photo kept, readable ones, in no particular order.
    pub async fn all(&self) -> Result<Vec<Photo>, StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadOnly)?;
        let rows = tx.object_store(PHOTOS)?.get_all(None, None)?.await?;
        super::outbox::committed(tx).await?;
        Ok(rows.iter().filter_map(of_js).collect())
    }

    /// The photos of draft `draft`.
    pub async fn of_draft(&self, draft: &str) -> Result<Vec<Photo>, StoreError> {
        let mut photos = self.all().await?;
        photos.retain(|p| p.draft == draft);
        Ok(photos)
    }

    /// Forget photo `id`.
    pub async fn remove(&self, id: &str) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadWrite)?;
        tx.object_store(PHOTOS)?
            .delete(Query::Key(JsValue::from_str(id)))?
            .await?;
        super::outbox::committed(tx).await
    }

    /// Forget every photo of draft `draft` (it was deleted).
    pub async fn remove_draft(&self, draft: &str) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadWrite)?;
        let store = tx.object_store(PHOTOS)?;
        for row in store.get_all(None, None)?.await? {
            if get(&row, "draft").as_string().as_deref() == Some(draft) {
                store.delete(Query::Key(get(&row, "id")))?.await?;
            }
        }
        super::outbox::committed(tx).await
    }

    /// The report of draft `draft` was submitted: its photos go after it.
    pub async fn queue(&self, draft: &str) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadWrite)?;
        let store = tx.object_store(PHOTOS)?;
        for row in store.get_all(None, None)?.await? {
            if let Some(mut photo) = of_js(&row).filter(|p| p.draft == draft && !p.queued) {
                photo.queued = true;
                store.put(&to_js(&photo), None)?.await?;
            }
        }
        super::outbox::committed(tx).await
    }

    /// The server holds `received` bytes of photo `id`.
    pub async fn set_received(&self, id: &str, received: u64) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadWrite)?;
        let store = tx.object_store(PHOTOS)?;
        if let Some(mut photo) = store
            .get(Query::Key(JsValue::from_str(id)))?
            .await?
            .as_ref()
            .and_then(of_js)
        {
            photo.received = received;
            store.put(&to_js(&photo), None)?.await?;
        }
        super::outbox::committed(tx).await
    }
}
