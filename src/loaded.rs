//! Work that can wait until the page has loaded.
//!
//! Registering the service worker makes the browser download the whole
//! build again into its cache, and the first sync opens IndexedDB and talks
//! to the server. Neither helps the first screen, and on a slow tablet both
//! compete with it, so they start once the page's `load` event has fired.

use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::prelude::*;

thread_local! {
    static FIRST_FRAME: Cell<bool> = const { Cell::new(false) };
}

/// Note when the page's first frame has been drawn; call once, as the app starts.
pub fn watch_first_frame() {
    request_animation_frame(|| FIRST_FRAME.with(|f| f.set(true)));
}

/// Whether the first frame since [`watch_first_frame`] has been drawn:
/// until then, work that only lays the page out again (a `focus()`) can
/// wait for that frame, which lays it out anyway.
pub fn first_frame_drawn() -> bool {
    FIRST_FRAME.with(Cell::get)
}

/// Run `f` after the page's `load` event (at once, in a task, if it already fired).
pub fn after_load(f: impl FnOnce() + 'static) {
    if document().ready_state() == "complete" {
        set_timeout(f, std::time::Duration::ZERO);
        return;
    }
    let once = Closure::once_into_js(f);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_once(true);
    let _ = window().add_event_listener_with_callback_and_add_event_listener_options(
        "load",
        once.unchecked_ref(),
        &options,
    );
}
