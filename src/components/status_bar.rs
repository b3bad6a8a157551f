//! The bar on every page: connectivity, what waits to sync, the last
//! successful sync and the last error, "Sync now", and the responses that
//! need attention (refused by the server or unreadable), exportable as JSON.
//!
//! Test hooks: `data-testid` `waiting` (just the number), `deferred`
//! (hidden when the server deferred none), `sync-now`,
//! `last-error` (empty and hidden when there is none), `enrol-again` (the
//! link to enter a new code, shown when the server refused the device's
//! token) and `needs-attention` (the disclosure).

use crate::i18n::{t, text, use_locale, Key};
use crate::storage::outbox::Rejected;
use crate::storage::StoreError;
use crate::sync::{use_sync, SyncError, SyncHandle};
use branchpulse_core::Locale;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

#[component]
pub fn StatusBar() -> impl IntoView {
    let sync = use_sync();
    let locale = use_locale();
    // One reactive closure for all the facts: the view is patched in place,
    // and one closure costs less code than one per attribute.
    let facts = move || {
        let s = sync.state.get();
        let l = locale.get();
        let say = move |key| text(l, key);
        let last_sync = match s.last_sync {
            Some(ms) => local_time(ms, l),
            None => say(Key::Never).to_string(),
        };
        let error = s.last_error.as_ref().map(|e| describe(e, l));
        let no_error = error.is_none();
        let enrol_again = s
            .last_error
            .as_ref()
            .is_some_and(SyncError::needs_enrolment)
            .then(crate::components::enrol_again_href);
        let storage = s.storage_warning.map(|u| u.percent());
        view! {
            <span class="conn" class:offline=!s.online>
                {say(if s.online { Key::Online } else { Key::Offline })}
            </span>
            <span class="waiting">
                <span data-testid="waiting">{s.waiting}</span>
                " "
                {say(Key::Waiting)}
            </span>
            <span class="deferred" data-testid="deferred" hidden=s.deferred == 0>
                "("
                {s.deferred}
                " "
                {say(Key::Deferred)}
                ")"
            </span>
            <span class="syncing" hidden=!s.syncing>
                {say(Key::Syncing)}
            </span>
            <span class="last-sync">{say(Key::LastSync)} ": " {last_sync}</span>
            <span class="last-error" hidden=no_error>
                {say(Key::LastError)}
                ": "
                <span data-testid="last-error">{error.unwrap_or_default()}</span>
            </span>
            {enrol_again
                .map(|href| {
                    view! {
                        <a class="enrol-again" data-testid="enrol-again" rel="external" href=href>
                            {say(Key::EnrolAgainLink)}
                        </a>
                    }
                })}
            <span class="storage-warning" hidden=storage.is_none()>
                {say(Key::StorageNearlyFull)}
                " ("
                {storage.unwrap_or_default()}
                " %)"
            </span>
        }
    };
    view! {
        <div class="status-bar" role="status" aria-live="polite">
            {facts}
            <button
                type="button"
                class="sync-now"
                data-testid="sync-now"
                on:click=move |_| sync.sync_now()
            >
                {t(Key::SyncNow)}
            </button>
            <NeedsAttention sync />
        </div>
    }
}

/// The disclosure "Needs attention (N)": each response with the server's
/// reason and a delete button, and "Export as JSON". The list is read
/// from storage only while the disclosure is open.
#[component]
fn NeedsAttention(sync: SyncHandle) -> impl IntoView {
    let locale = use_locale();
    let count = move || sync.state.get().rejected;
    let open = RwSignal::new(false);
    // `None` until read; a failed action's message.
    let list = RwSignal::new(None::<Vec<Rejected>>);
    let problem = RwSignal::new(None::<String>);
    let report =
        move |result: Result<(), StoreError>| problem.set(result.err().map(|e| e.to_string()));
    let reload = move || {
        spawn_local(async move {
            match sync.list_rejected().await {
                Ok(items) => list.set(Some(items)),
                Err(e) => report(Err(e)),
            }
        })
    };
    let delete = move |id: String| {
        let sure = window()
            .confirm_with_message(text(locale.get_untracked(), Key::DeleteConfirm))
            .unwrap_or(false);
        if sure {
            spawn_local(async move {
                report(sync.delete_rejected(&[id]).await);
                reload();
            });
        }
    };
    let toggled = move |ev: web_sys::Event| {
        let now_open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
        open.set(now_open);
        if now_open {
            reload();
        }
    };
    let body = move || {
        let n = count();
        // New rejections while open: read the list again.
        let stale = list.with(|l| l.as_ref().is_some_and(|l| l.len() as u32 != n));
        if open.get() && stale {
            reload();
        }
        let l = locale.get();
        let items = list.get().unwrap_or_default();
        let some = !items.is_empty();
        view! {
            <p class="error" hidden=problem.with(Option::is_none)>
                {problem.get()}
            </p>
            <p hidden=some>{text(l, Key::NothingNeedsAttention)}</p>
            <RejectedList items delete />
            <button
                type="button"
                on:click=move |_| spawn_local(async move { report(sync.export_rejected().await) })
                disabled=n == 0
            >
                {text(l, Key::ExportJson)}
            </button>
        }
    };
    view! {
        <details
            class="needs-attention"
            class:has-items=move || { count() > 0 }
            data-testid="needs-attention"
            on:toggle=toggled
        >
            <summary>{t(Key::NeedsAttention)} " (" <span class="count">{count}</span> ")"</summary>
            {body}
        </details>
    }
}

#[component]
fn RejectedList(
    items: Vec<Rejected>,
    delete: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <ul class="rejected">
            {items
                .into_iter()
                .map(|item| {
                    let id = item.id.clone();
                    let shown = item.id.clone();
                    view! {
                        <li data-id=item.id>
                            <code>{shown}</code>
                            " — "
                            <span class="reason">{item.reason}</span>
                            " "
                            <button type="button" on:click=move |_| delete(id.clone())>
                                {t(Key::Delete)}
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The last error in words, in `locale`.
pub fn describe(error: &SyncError, locale: Locale) -> String {
    use crate::api::ApiError;
    let say = |key| text(locale, key);
    match error {
        e if e.needs_enrolment() => say(Key::ErrEnrolAgain).into(),
        SyncError::Api(ApiError::Network(_)) => say(Key::ErrNetwork).into(),
        SyncError::Api(ApiError::Timeout { ms }) => {
            let after = if ms % 1000 == 0 {
                format!("{} s", ms / 1000)
            } else {
                format!("{ms} ms")
            };
            format!("{} ({after})", say(Key::ErrTimeout))
        }
        SyncError::Api(ApiError::Server {
            status, message, ..
        }) => {
            format!("{} (HTTP {status}): {message}", say(Key::ErrServer))
        }
        SyncError::Api(ApiError::Decode(e)) => format!("{}: {e}", say(Key::ErrAnswer)),
        SyncError::Storage(e) => format!("{}: {e}", say(Key::ErrStorage)),
        SyncError::NoOutcome => say(Key::ErrNoOutcome).into(),
        SyncError::SetAside(n) => format!("{n} {}", say(Key::ErrSetAside)),
        SyncError::GaveUp(n) => format!("{n} {}", say(Key::ErrGaveUp)),
    }
}

/// `ms` as a time of day in `locale`'s conventions, with the date when it
/// is not today.
fn local_time(ms: f64, locale: Locale) -> String {
    let when = js_sys::Date::new(&JsValue::from_f64(ms));
    let today = js_sys::Date::new_0();
    if when.to_date_string() == today.to_date_string() {
        when.to_locale_time_string(locale.tag()).into()
    } else {
        when.to_locale_string(locale.tag(), &JsValue::UNDEFINED)
            .into()
    }
}
