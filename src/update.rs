//! The installable, offline app: registers the service worker `/sw.js`
//! (generated at build time by `cargo xtask post-build`, see xtask/src/sw.rs) and
//! tells when a new version is installed and waiting.
//!
//! [`use_update`] gives an [`Update`]: `ready` turns true once a new version
//! waits, and [`Update::apply`] switches to it and reloads the page. Pages
//! other than the kiosk show [`UpdateBanner`]. The kiosk applies it between
//! customers, on its own reset after "thank you":
//!
//! ```ignore
//! let update = crate::update::use_update();
//! // … after the thank-you screen, before the next customer:
//! update.apply_if_waiting();
//! ```
//!
//! An update replaces only the worker's caches of the app's files: the
//! outbox (IndexedDB) and the drafts and settings (localStorage) are never
//! touched, and the sync client picks the outbox up again after the reload.

use crate::i18n::{t, Key};
use js_sys::Reflect;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

/// How often a page left open (a kiosk runs for days) asks for a new version.
const CHECK_EVERY: Duration = Duration::from_secs(30 * 60);

/// How often to look whether a new version already waits.
const WAITING_POLL: Duration = Duration::from_secs(2);

/// A new version of the app, once one is installed and waiting.
#[derive(Clone, Copy)]
pub struct Update {
    /// True once a new version waits; it runs after [`Update::apply`].
    pub ready: ReadSignal<bool>,
}

impl Update {
    /// Switch to the waiting version: the new worker takes over and the page
    /// reloads. Nothing stored on the device is lost. Without a waiting
    /// version, just reloads.
    pub fn apply(&self) {
        apply();
    }

    /// Between customers: switch to a waiting version if the browser has
    /// one. It is asked now rather than trusting `ready`, whose event and
    /// poll can both come late on a loaded tablet (a missed moment means a
    /// whole customer more on the old version). Without one, the page stays
    /// as it is.
    pub fn apply_if_waiting(&self) {
        let Some(sw) = container().filter(|c| c.controller().is_some()) else {
            return;
        };
        spawn_local(async move {
            if let Some(worker) = waiting(&sw).await {
                switch_to(&sw, &worker);
            }
        });
    }
}

/// Register the service worker and provide the [`Update`] context.
pub fn provide_update() -> Update {
    let (ready, set_ready) = signal(false);
    register(set_ready);
    let update = Update { ready };
    provide_context(update);
    update
}

pub fn use_update() -> Update {
    expect_context::<Update>()
}

/// `navigator.serviceWorker`, absent outside secure contexts.
fn container() -> Option<ServiceWorkerContainer> {
    let nav = window().navigator();
    Reflect::has(&nav, &JsValue::from_str("serviceWorker"))
        .unwrap_or(false)
        .then(|| nav.service_worker())
}

fn register(set_ready: WriteSignal<bool>) {
    let Some(sw) = container() else { return };
    crate::loaded::after_load(move || {
        spawn_local(async move {
            let Ok(reg) = JsFuture::from(sw.register("/sw.js")).await else {
                return;
            };
            let reg: ServiceWorkerRegistration = reg.unchecked_into();
            // A controlled page means a version runs already: a worker that
            // finishes installing now is a new version, not the first one.
            let is_update = move || container().is_some_and(|c| c.controller().is_some());
            if reg.waiting().is_some() && is_update() {
                set_ready.set(true);
            }
            let r = reg.clone();
            let found = Closure::<dyn Fn()>::new(move || {
                let Some(worker) = r.installing() else { return };
                let w = worker.clone();
                let changed = Closure::<dyn Fn()>::new(move || {
                    if w.state() == ServiceWorkerState::Installed && is_update() {
                        set_ready.set(true);
                    }
                });
                worker.set_onstatechange(Some(changed.as_ref().unchecked_ref()));
                changed.forget();
                if worker.state() == ServiceWorkerState::Installed && is_update() {
                    set_ready.set(true);
                }
            });
            reg.set_onupdatefound(Some(found.as_ref().unchecked_ref()));
            found.forget();
            // A worker that finished installing before its `statechange`
            // listener was attached sends no event: look for it now and then
            // (no network involved).
            let r = reg.clone();
            set_interval(
                move || {
                    if r.waiting().is_some() && is_update() {
                        set_ready.set(true);
                    }
                },
                WAITING_POLL,
            );
            set_interval(
                move || {
                    if let Ok(check) = reg.update() {
                        // Offline it rejects; that is no error worth a word.
                        spawn_local(async move {
                            let _ = JsFuture::from(check).await;
                        });
                    }
                },
                CHECK_EVERY,
            );
        })
    });
}

fn apply() {
    let Some(sw) = container() else {
        return reload();
    };
    spawn_local(async move {
        match waiting(&sw).await {
            Some(worker) => switch_to(&sw, &worker),
            None => reload(),
        }
    });
}

/// The registration's installed, waiting worker, asked of the browser now.
async fn waiting(sw: &ServiceWorkerContainer) -> Option<ServiceWorker> {
    JsFuture::from(sw.get_registration())
        .await
        .ok()
        .and_then(|r| r.dyn_into::<ServiceWorkerRegistration>().ok())
        .and_then(|r| r.waiting())
}

/// Tell the waiting worker to take over; the page reloads once it has.
fn switch_to(sw: &ServiceWorkerContainer, worker: &ServiceWorker) {
    let reload_once = Closure::once_into_js(reload);
    sw.set_oncontrollerchange(Some(reload_once.unchecked_ref()));
    if worker
        .post_message(&JsValue::from_str("skip-waiting"))
        .is_err()
    {
        reload();
    }
}

fn reload() {
    let _ = window().location().reload();
}

/// "New version — reload", on every page but the kiosk (which applies the
/// update between customers instead).
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let update = use_update();
    let location = leptos_router::hooks::use_location();
    let shown = move || update.ready.get() && !location.pathname.with(|p| p.starts_with("/kiosk"));
    // A hidden element rather than <Show>: less code in the first load.
    view! {
        <div class="update-banner" data-testid="update-banner" hidden=move || !shown()>
            <span>{t(Key::UpdateReady)}</span>
            <button type="button" class="primary" on:click=move |_| update.apply()>
                {t(Key::UpdateReload)}
            </button>
        </div>
    }
}
