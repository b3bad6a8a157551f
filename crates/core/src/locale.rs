//! Languages the kit speaks and translated text.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A language offered to users. The serialized form is the BCP 47 tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Locale {
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
    /// Spanish.
    #[serde(rename = "es")]
    Es,
}

impl Locale {
    /// Every language, in the order pickers show them.
    pub const ALL: [Locale; 3] = [Locale::ZhCn, Locale::En, Locale::Es];

    /// The language's BCP 47 tag, as serialized.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
            Locale::Es => "es",
        }
    }

    /// The language of a BCP 47 tag (any case), if the kit speaks it.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(tag))
    }

    /// The language's name written in that language, for language pickers.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::ZhCn => "中文",
            Locale::En => "English",
            Locale::Es => "Español",
        }
    }
}

/// Text in several languages, e.g. `{"en": "Welcome", "es": "Bienvenido"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Text(pub BTreeMap<Locale, String>);

impl Text {
    /// The text in `locale`, falling back to English, then to any language,
    /// so a display never shows nothing.
    pub fn get(&self, locale: Locale) -> &str {
        self.0
            .get(&locale)
            .or_else(|| self.0.get(&Locale::En))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Whether the text is given, not blank, in `locale`.
    pub fn has(&self, locale: Locale) -> bool {
        self.0.get(&locale).is_some_and(|s| !s.trim().is_empty())
    }
}
