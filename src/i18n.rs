//! Every user-visible string of the app, in zh-CN, en and es.
//!
//! The strings are data, one file per language (`src/i18n/{zh-CN,en,es}.toml`,
//! terms in `src/i18n/glossary.md`); the build script turns them into one
//! constant of [`Key`] per string. So a bundle carries only the strings its
//! code names, and a key missing from a language, or with other
//! `{placeholders}` there, fails the build instead of showing a raw key to a
//! customer. (leptos_i18n does the same from JSON files, but its ICU data
//! weighs more than all our strings; the first-load budget is 150 KB.)
//!
//! Questionnaire texts are not here: questionnaires carry their own
//! translations (`branchpulse_core::Text`).

use crate::prefs;
use crate::storage::settings;
use branchpulse_core::Locale;
use leptos::prelude::*;

/// One string of the app in each language, in [`Locale`] order; the
/// constants (`Key::KioskTitle`, …) come from the translation files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(&'static [&'static str; 3]);

include!(concat!(env!("OUT_DIR"), "/keys.rs"));

/// The string for `key` in `locale`.
pub fn text(locale: Locale, key: Key) -> &'static str {
    let i = match locale {
        Locale::ZhCn => 0,
        Locale::En => 1,
        Locale::Es => 2,
    };
    key.0[i]
}

/// The current language, shared through context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Locale>);

/// Provide the language: the saved choice, else the browser's, else English.
pub fn provide_i18n() -> I18n {
    let locale = settings::saved_locale().unwrap_or_else(prefs::browser_locale);
    let i18n = I18n(RwSignal::new(locale));
    set_document_lang(locale);
    provide_context(i18n);
    i18n
}

pub fn use_locale() -> RwSignal<Locale> {
    expect_context::<I18n>().0
}

/// Switch language, remember it, and tell assistive tech via `<html lang>`.
pub fn set_locale(locale: Locale) {
    show_locale(use_locale(), locale);
    settings::save_locale(locale);
}

/// Switch `current` (the [`use_locale`] signal, taken beforehand: timers
/// have no context to find it in) for now only: a kiosk customer's choice
/// must not outlive them.
pub fn show_locale(current: RwSignal<Locale>, locale: Locale) {
    current.set(locale);
    set_document_lang(locale);
}

/// The words under a rating's five points, worst first.
pub fn scale_labels(scale: branchpulse_core::Scale) -> [Key; 5] {
    use branchpulse_core::Scale::*;
    match scale {
        Satisfaction => [Key::Face1, Key::Face2, Key::Face3, Key::Face4, Key::Face5],
        Agreement => [
            Key::Agree1,
            Key::Agree2,
            Key::Agree3,
            Key::Agree4,
            Key::Agree5,
        ],
        Confidence => [
            Key::Confident1,
            Key::Confident2,
            Key::Confident3,
            Key::Confident4,
            Key::Confident5,
        ],
        Worth => [
            Key::Worth1,
            Key::Worth2,
            Key::Worth3,
            Key::Worth4,
            Key::Worth5,
        ],
        Ease => [Key::Ease1, Key::Ease2, Key::Ease3, Key::Ease4, Key::Ease5],
        Quality => [
            Key::Quality1,
            Key::Quality2,
            Key::Quality3,
            Key::Quality4,
            Key::Quality5,
        ],
    }
}

pub fn set_document_lang(locale: Locale) {
    // Unchanged, left alone: a new `lang` makes the browser restyle the page.
    if let Some(el) = document().document_element() {
        if el.get_attribute("lang").as_deref() != Some(locale.tag()) {
            let _ = el.set_attribute("lang", locale.tag());
        }
    }
}

/// A reactive translated string, for use in views.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let locale = use_locale();
    move || text(locale.get(), key)
}

pub fn dimension_key(d: branchpulse_core::Dimension) -> Key {
    use branchpulse_core::Dimension::*;
    match d {
        Empathy => Key::DimEmpathy,
        ProcessConvenience => Key::DimProcess,
        Value => Key::DimValue,
        Trust => Key::DimTrust,
        Environment => Key::DimEnvironment,
    }
}

/// "Question 2 of 7", in `locale`.
pub fn progress_text(locale: Locale, n: usize, of: usize) -> String {
    match locale {
        Locale::ZhCn => format!("第 {n} 题，共 {of} 题"),
        Locale::En => format!("Question {n} of {of}"),
        Locale::Es => format!("Pregunta {n} de {of}"),
    }
}

/// "Starting over in 8 s", in `locale`.
pub fn reset_in_text(locale: Locale, secs: u32) -> String {
    match locale {
        Locale::ZhCn => format!("{secs} 秒后将重新开始。"),
        Locale::En => format!("Starting over in {secs} s."),
        Locale::Es => format!("Se empezará de nuevo en {secs} s."),
    }
}
