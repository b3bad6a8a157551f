//! Sending the shopper's photos (evidence) after their reports.
//!
//! A photo waits in IndexedDB (`storage::photos`) until its report is
//! submitted, then until the server has stored the report: before that the
//! server answers 404 and the photo simply waits for the next look. Each
//! look (when a report sync succeeds, when the browser comes back online,
//! every [`PhotoSyncConfig::interval`], and when a report is submitted)
//! announces each waiting photo and sends it in chunks of
//! [`CHUNK_BYTES`], from where the server says its bytes end: after a
//! dropped connection or a reload the server's `received` (in the
//! announcement's answer, or in a 409 to a chunk it already has) says where
//! to go on. A photo leaves the device only when the server says it has it
//! whole (or that its report's photos were erased).
//!
//! Only the shop starts this, so the kiosk's bundle carries none of it.

use crate::api::{self, ApiError, Call};
use crate::pages::shop::draft::VisitDraft;
use crate::storage::photos::{Photo, PhotoStore};
use crate::storage::{enrolment, keys, settings};
use branchpulse_core::protocol::{ErrorBody, EvidenceStatus, NewEvidence};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Bytes per `PUT …/content`: the server takes up to 256 KiB.
pub const CHUNK_BYTES: u64 = 256 * 1024;
/// How long one request may take before it is given up.
const TIMEOUT_MS: u32 = 30_000;

#[derive(Debug, Clone, PartialEq)]
pub struct PhotoSyncConfig {
    pub interval: Duration,
}

impl Default for PhotoSyncConfig {
    fn default() -> Self {
        PhotoSyncConfig {
            interval: Duration::from_secs(30),
        }
    }
}

/// What the shop shows: "2 of 3 photos sent".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoState {
    /// Photos of submitted reports still on the device.
    pub waiting: u32,
    /// Photos the server took whole since the page opened.
    pub sent: u32,
    pub sending: bool,
}

#[derive(Clone, Copy)]
pub struct PhotoSync {
    pub state: ReadSignal<PhotoState>,
    set_state: WriteSignal<PhotoState>,
    running: StoredValue<Rc<Cell<(bool, bool)>>, LocalStorage>,
}

/// Start sending photos and provide [`PhotoSync`] as context (the shop only).
pub fn provide_photo_sync() -> PhotoSync {
    let mut config = PhotoSyncConfig::default();
    if let Some(ms) = settings::ms(keys::PHOTOS_INTERVAL_MS) {
        config.interval = Duration::from_millis(u64::from(ms));
    }
    let (state, set_state) = signal(PhotoState::default());
    let photos = PhotoSync {
        state,
        set_state,
        running: StoredValue::new_local(Rc::new(Cell::new((false, false)))),
    };
    provide_context(photos);
    if let Ok(handle) = set_interval_with_handle(move || photos.kick(), config.interval) {
        on_cleanup(move || handle.clear());
    }
    let online = window_event_listener_untyped("online", move |_| photos.kick());
    on_cleanup(move || online.remove());
    // A report the server just confirmed may have photos waiting for it.
    let sync = super::use_sync();
    Effect::new(move |was: Option<()>| {
        sync.state.with(|s| s.last_sync);
        // At start-up, once the page has loaded: opening IndexedDB does
        // not help the first screen (`crate::loaded`).
        if was.is_none() {
            crate::loaded::after_load(move || photos.kick());
        } else {
            photos.kick();
        }
    });
    photos
}

pub fn use_photo_sync() -> PhotoSync {
    expect_context::<PhotoSync>()
}

impl PhotoSync {
    /// The report of draft `draft` was submitted: queue its photos and
    /// look at once (its report may already be on the server).
    pub async fn queue(self, draft: &str) {
        if let Ok(store) = PhotoStore::open().await {
            if let Err(e) = store.queue(draft).await {
                // The next look queues them from the submitted draft.
                web_sys::console::warn_1(&format!("BranchPulse: photos: {e}").into());
            }
            store.close();
        }
        self.kick();
    }

    /// Look at the waiting photos now (one look at a time; one asked for
    /// during a look runs after it).
    pub fn kick(self) {
        let Some(flag) = self.running.try_get_value() else {
            return;
        };
        let (running, _) = flag.get();
        if running {
            flag.set((true, true));
            return;
        }
        flag.set((true, false));
        spawn_local(async move {
            loop {
                let work = move || self.look();
                super::lock::run_exclusive("branchpulse-photos", work).await;
                let (_, again) = flag.get();
                if !again {
                    break;
                }
                flag.set((true, false));
            }
            flag.set((false, false));
        });
    }

    async fn look(self) {
        let store = match PhotoStore::open().await {
            Ok(store) => store,
            Err(e) => {
                web_sys::console::warn_1(&format!("BranchPulse: photos: {e}").into());
                return;
            }
        };
        let photos = match queued(&store).await {
            Ok(photos) => photos,
            Err(e) => {
                web_sys::console::warn_1(&format!("BranchPulse: photos: {e}").into());
                store.close();
                return;
            }
        };
        self.set_state.update(|s| {
            s.waiting = photos.len() as u32;
            s.sending = !photos.is_empty();
        });
        for photo in photos {
            match send(&store, &photo).await {
                Ok(Sent::Whole) | Ok(Sent::Gone) => {
                    let _ = store.remove(&photo.id).await;
                    self.set_state.update(|s| {
                        s.waiting = s.waiting.saturating_sub(1);
                        s.sent += 1;
                    });
                }
                // Its report is not on the server yet, or it was refused
                // for now: the next look tries again.
                Ok(Sent::Later) => {}
                Err(e) => {
                    web_sys::console::warn_1(
                        &format!("BranchPulse: photo {}: {e}", photo.id).into(),
                    );
                    break;
                }
            }
        }
        self.set_state.update(|s| s.sending = false);
        store.close();
    }
}

/// The photos whose report was submitted, queueing those of drafts
/// submitted since (the page may have closed between the two writes), and
/// forgetting those of drafts deleted (likewise, before their photos went).
async fn queued(store: &PhotoStore) -> Result<Vec<Photo>, crate::storage::StoreError> {
    let mut photos = store.all().await?;
    for photo in photos.iter_mut().filter(|p| !p.queued) {
        match VisitDraft::load(&photo.draft) {
            Ok(Some(d)) if d.submitted_at.is_some() => {
                store.queue(&photo.draft).await?;
                photo.queued = true;
            }
            Ok(None) => store.remove_draft(&photo.draft).await?,
            // Still being written, or unreadable (moved aside, reported).
            _ => {}
        }
    }
    photos.retain(|p| p.queued);
    Ok(photos)
}

enum Sent {
    Whole,
    /// The server will never take it (its report's photos were erased).
    Gone,
    Later,
}

/// Announce `photo` and send what the server lacks of it. `Err`: no
/// answer (offline, cut): the look stops there.
async fn send(store: &PhotoStore, photo: &Photo) -> Result<Sent, ApiError> {
    let new = NewEvidence {
        id: photo
            .id
            .parse()
            .map_err(|_| ApiError::Decode("photo id".into()))?,
        report: photo
            .draft
            .parse()
            .map_err(|_| ApiError::Decode("report id".into()))?,
        item: photo.item.clone(),
        stage: photo.stage.clone(),
        content_type: "image/jpeg".into(),
        size: photo.size,
        sha256: photo.sha256.clone(),
    };
    let resp = Call::post("/evidence")
        .device()
        .timeout(TIMEOUT_MS)
        .json(&new)?
        .answer()
        .await?;
    let mut status: EvidenceStatus = match resp.status() {
        200 | 201 => api::decode(
            &resp
                .text()
                .await
                .map_err(|e| ApiError::Network(e.to_string()))?,
        )?,
        410 => return Ok(Sent::Gone),
        // A 404 about the report: it has not synced yet, the usual wait.
        // Anything else (another 404 too) waits as well, but says why, so
        // that a photo never waits in silence for a reason that stays.
        status => {
            let text = resp.text().await.unwrap_or_default();
            if !(status == 404 && report_not_stored(&text)) {
                web_sys::console::warn_1(
                    &format!("BranchPulse: photo {}: {status} {text}", photo.id).into(),
                );
            }
            return Ok(Sent::Later);
        }
    };
    let mut resets = 0;
    while !status.complete {
        let end = (status.received + CHUNK_BYTES).min(photo.size);
        let (code, text) = put(photo, status.received, end).await?;
        match code {
            200 | 409 => status = api::decode(&text)?,
            422 if resets == 0 => {
                // The server found the bytes wrong and dropped them: once more from 0.
                resets += 1;
                status.received = 0;
            }
            _ => return Ok(Sent::Later),
        }
        let _ = store.set_received(&photo.id, status.received).await;
    }
    Ok(Sent::Whole)
}

/// Whether a 404 to an announcement says the report is not on the server
/// yet (the server names the `report` field), rather than that the address
/// is unknown.
fn report_not_stored(body: &str) -> bool {
    serde_json::from_str::<ErrorBody>(body).is_ok_and(|e| e.field.as_deref() == Some("report"))
}

/// `PUT` bytes `start..end` of `photo`: the status and the body.
async fn put(photo: &Photo, start: u64, end: u64) -> Result<(u16, String), ApiError> {
    let network = |e: wasm_bindgen::JsValue| ApiError::Network(format!("{e:?}"));
    let chunk = photo
        .blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(network)?;
    let init = web_sys::RequestInit::new();
    init.set_method("PUT");
    init.set_body(&chunk);
    let headers = web_sys::Headers::new().map_err(network)?;
    headers
        .set("content-type", "application/octet-stream")
        .map_err(network)?;
    if let Some(token) = enrolment::token() {
        headers
            .set("authorization", &format!("Bearer {token}"))
            .map_err(network)?;
    }
    init.set_headers(&headers);
    let controller = web_sys::AbortController::new().map_err(network)?;
    init.set_signal(Some(&controller.signal()));
    let timer = set_timeout_with_handle(
        move || controller.abort(),
        Duration::from_millis(u64::from(TIMEOUT_MS)),
    )
    .ok();
    let url = api::url(&format!("/evidence/{}/content?offset={start}", photo.id));
    let answer = async {
        let resp: web_sys::Response = JsFuture::from(window().fetch_with_str_and_init(&url, &init))
            .await
            .map_err(network)?
            .unchecked_into();
        let text = JsFuture::from(resp.text().map_err(network)?)
            .await
            .map_err(network)?
            .as_string()
            .unwrap_or_default();
        Ok((resp.status(), text))
    }
    .await;
    if let Some(timer) = timer {
        timer.clear();
    }
    answer
}
