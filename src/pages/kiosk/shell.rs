//! The kiosk's app shell: a copy of the first question as a new customer
//! finds it (nothing chosen), kept in localStorage (`branchpulse.kiosk.shell`)
//! so that `kiosk-shell.js`, a small script of kiosk.html, can put it on
//! screen before the wasm has arrived and compiled. A tap on one of its
//! answers is kept by that script and, once the app has started, given to
//! the app's own button, so it counts as if the app had been there.
//!
//! The copy is `{"v":1,"key":…,"lang":…,"html":…}`. Its key says what the
//! screen depends on; a tap made on a copy whose key is not the current
//! first screen's (another questionnaire version, item, language…) is
//! dropped. The copy is only ever taken of a blank first question, so it
//! holds no answer of anyone; screens other than the customer's (enrolment,
//! setup, kiosk mode off) remove it.
//!
//! `public/kiosk-shell.js` (uncommented: it counts in the kiosk's first
//! load) is a classic script at the end of kiosk.html's body, as the
//! Content-Security-Policy allows no inline script. It shows the copy only
//! on an enrolled, locked kiosk, and only a copy of our shape: JSON as
//! above, one `section.kiosk-question` with an answer button, nothing
//! chosen, no script, style, link, frame, form or image, no `on…`, `href`,
//! `src` or `style` attribute (refused before parsing, since parsing alone
//! reports an inline handler to the policy); anything else it removes. The
//! progress bar's width travels as `data-shell-style` and is set through
//! the CSSOM. A tap on an answer is kept as `window.branchpulseShell.tap`
//! (`{item, value}`) and shown as chosen.

use super::config::KioskSetup;
use super::draft::pages;
use crate::storage::keys;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The key of the blank first question the app drew at start.
    static SHOWN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The app draws the blank first question of `key` (at start: the screen
/// an early tap may belong to).
pub fn showing(key: String) {
    SHOWN.with(|s| *s.borrow_mut() = Some(key));
}

/// What the copy's screen depends on. The app's version is in it because
/// another build may draw the screen otherwise.
pub fn key(setup: &KioskSetup) -> String {
    let q = &setup.questionnaire;
    let first = pages(q, &Default::default()).into_iter().next();
    let place = match first {
        Some(p) if p.together => q.sections[p.section].id.clone(),
        Some(p) => q
            .items()
            .nth(p.items.first().copied().unwrap_or(p.at))
            .map(|i| i.id.clone())
            .unwrap_or_default(),
        None => String::new(),
    };
    let offered: Vec<&str> = setup.offered().iter().map(|l| l.tag()).collect();
    format!(
        "{}|{}|{}|{}|{}|{}",
        q.id,
        q.version,
        place,
        setup.home_locale().tag(),
        offered.join(","),
        env!("CARGO_PKG_VERSION")
    )
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Remove the copy: the kiosk shows a screen that is not a customer's.
pub fn forget() {
    if let Some(s) = storage() {
        let _ = s.remove_item(keys::KIOSK_SHELL);
    }
}

/// Keep a copy of the first question now on screen, under `key`, unless
/// anything on it is chosen or pressed (then it is not blank).
pub fn keep(key: &str, lang: &str) {
    let doc = leptos::prelude::document();
    let Ok(Some(section)) = doc.query_selector("section.kiosk-question") else {
        return;
    };
    let chosen = section
        .query_selector(".kiosk-item [aria-pressed=\"true\"], .kiosk-item :checked")
        .ok()
        .flatten()
        .is_some();
    if chosen {
        return;
    }
    // A style attribute in the copy would be refused by the
    // Content-Security-Policy; the script sets it through the CSSOM.
    let html = section
        .outer_html()
        .replace(" style=\"", " data-shell-style=\"");
    let o = js_sys::Object::new();
    for (k, v) in [
        ("v", JsValue::from(1)),
        ("key", key.into()),
        ("lang", lang.into()),
        ("html", html.into()),
    ] {
        let _ = js_sys::Reflect::set(&o, &k.into(), &v);
    }
    if let (Some(s), Ok(text)) = (storage(), js_sys::JSON::stringify(&o)) {
        let _ = s.set_item(keys::KIOSK_SHELL, &String::from(text));
    }
}

/// The shell the script showed, taken off the page (the app draws its own
/// in the same task): its key and the tap on it, if there was one.
pub struct Early {
    key: String,
    item: String,
    value: String,
}

/// Call before mounting the app.
pub fn take() -> Option<Early> {
    let doc = leptos::prelude::document();
    if let Some(shell) = doc.get_element_by_id("kiosk-shell") {
        shell.remove();
    }
    let window = web_sys::window()?;
    let global = js_sys::Reflect::get(&window, &"branchpulseShell".into()).ok()?;
    let _ = js_sys::Reflect::delete_property(
        window.unchecked_ref::<js_sys::Object>(),
        &"branchpulseShell".into(),
    );
    let field = |o: &JsValue, k: &str| {
        js_sys::Reflect::get(o, &k.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let tap = js_sys::Reflect::get(&global, &"tap".into()).ok()?;
    Some(Early {
        key: field(&global, "key")?,
        item: field(&tap, "item")?,
        value: field(&tap, "value")?,
    })
}

/// Give the early tap to the app's button for it, if the app now shows the
/// very screen it was made on; otherwise it is dropped. Call after mounting.
pub fn replay(early: Option<Early>) {
    let current = SHOWN.with(|s| s.borrow_mut().take());
    let Some(e) = early else { return };
    if current.as_deref() != Some(e.key.as_str()) {
        return;
    }
    // Item ids and values are plain words and numbers; anything else
    // could not name a button of ours.
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if !plain(&e.item) || !plain(&e.value) {
        return;
    }
    let selector = format!(
        "section.kiosk-question .kiosk-item[data-item=\"{}\"] button[data-value=\"{}\"]",
        e.item, e.value
    );
    // In the frame about to be drawn, once the effects of the start have
    // run, so the screen it reaches is the one drawn.
    leptos::prelude::request_animation_frame(move || {
        if let Ok(Some(b)) = leptos::prelude::document().query_selector(&selector) {
            if let Ok(b) = b.dyn_into::<web_sys::HtmlElement>() {
                b.click();
            }
        }
    });
}
