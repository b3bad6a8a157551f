//! Small settings in localStorage: the chosen language, whether this
//! browser has signed in, and durations an operator (or a test) may set.
//!
//! Storage can be disabled or full (private mode, quota): every function
//! here degrades to "not remembered" instead of failing the page.

use super::keys;
use branchpulse_core::Locale;
use gloo_storage::{LocalStorage, Storage};

pub fn saved_locale() -> Option<Locale> {
    let tag: String = LocalStorage::get(keys::LOCALE).ok()?;
    Locale::from_tag(&tag)
}

pub fn save_locale(locale: Locale) {
    // Not remembering a language is harmless; the page keeps working.
    let _ = LocalStorage::set(keys::LOCALE, locale.tag());
}

/// Whether this browser signed in (see [`keys::SIGNED_IN`]).
pub fn signed_in() -> bool {
    super::local()
        .and_then(|s| s.get_item(keys::SIGNED_IN).ok().flatten())
        .is_some()
}

pub fn set_signed_in(on: bool) {
    if let Some(s) = super::local() {
        let _ = if on {
            s.set_item(keys::SIGNED_IN, "1")
        } else {
            s.remove_item(keys::SIGNED_IN)
        };
    }
}

/// An operator's (or a test's) own duration, kept under `key` as a
/// positive whole number of milliseconds (quotes tolerated, since
/// `JSON.stringify` adds them).
pub fn ms(key: &str) -> Option<u32> {
    super::local()
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|v| v.trim().trim_matches('"').parse::<u32>().ok())
        .filter(|ms| *ms > 0)
}
