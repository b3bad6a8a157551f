//! The language to start in when none was chosen (the chosen one is kept by
//! `storage::settings`).

use branchpulse_core::Locale;

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
