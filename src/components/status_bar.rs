use crate::i18n::{t, Key};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Whether the browser believes it has a network, kept current by the
/// `online` / `offline` events.
fn online_signal() -> ReadSignal<bool> {
    let initial = window().navigator().on_line();
    let (online, set_online) = signal(initial);
    for (event, value) in [("online", true), ("offline", false)] {
        let cb = Closure::<dyn Fn()>::new(move || set_online.set(value));
        let _ = window().add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
        // The status bar lives as long as the page, so the listener may too.
        cb.forget();
    }
    online
}

/// The bar on every page: connectivity now; the sync client adds its
/// queue length, last sync and last error here.
#[component]
pub fn StatusBar() -> impl IntoView {
    let online = online_signal();
    view! {
        <div class="status-bar" role="status" aria-live="polite">
            <span class="conn" class:offline=move || !online.get()>
                {move || if online.get() { t(Key::Online)() } else { t(Key::Offline)() }}
            </span>
        </div>
    }
}
