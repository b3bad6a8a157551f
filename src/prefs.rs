//! Small settings kept in localStorage (the chosen language).
//!
//! Storage can be disabled or full (private mode, quota): every function here
//! degrades to "not remembered" instead of failing the page.

use branchpulse_core::Locale;
use gloo_storage::{LocalStorage, Storage};

const LOCALE_KEY: &str = "branchpulse.locale";

pub fn saved_locale() -> Option<Locale> {
    let tag: String = LocalStorage::get(LOCALE_KEY).ok()?;
    Locale::from_tag(&tag)
}

pub fn save_locale(locale: Locale) {
    // Not remembering a language is harmless; the page keeps working.
    let _ = LocalStorage::set(LOCALE_KEY, locale.tag());
}

/// The browser's preferred language if the kit speaks it, else English.
pub fn browser_locale() -> Locale {
    let langs = web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|a| a.iter().filter_map(|v| v.as_string()).collect::<Vec<_>>())
        .unwrap_or_default();
    langs
        .iter()
        .find_map(|tag| {
            Locale::from_tag(tag).or_else(|| match tag.split('-').next() {
                Some("zh") => Some(Locale::ZhCn),
                Some(primary) => Locale::from_tag(primary),
                None => None,
            })
        })
        .unwrap_or(Locale::En)
}
