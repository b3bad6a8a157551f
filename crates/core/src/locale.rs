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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Text(pub BTreeMap<Locale, String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        // The languages are read as text first: a key read straight into
        // `Locale` is no text to a path tracker, so a wrong value would be
        // reported at `name.?` rather than `name.zh-CN`.
        let by_tag = BTreeMap::<String, String>::deserialize(d)?;
        let mut out = BTreeMap::new();
        for (tag, text) in by_tag {
            let Some(locale) = Locale::ALL.into_iter().find(|l| l.tag() == tag) else {
                return Err(serde::de::Error::unknown_variant(
                    &tag,
                    &["zh-CN", "en", "es"],
                ));
            };
            out.insert(locale, text);
        }
        Ok(Text(out))
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(json: &str) -> String {
        let d = &mut serde_json::Deserializer::from_str(json);
        let e = serde_path_to_error::deserialize::<_, crate::protocol::Format>(d).unwrap_err();
        e.path().to_string()
    }

    #[test]
    fn a_wrong_entry_is_named_by_its_language() {
        assert_eq!(
            path_of(r#"{"code": "x", "name": {"zh-CN": 5}}"#),
            "name.zh-CN"
        );
        assert_eq!(
            path_of(r#"{"code": "x", "name": {"en": "A", "es": []}}"#),
            "name.es"
        );
        assert_eq!(
            path_of(r#"{"code": "x", "name": {"fr": "Agence"}}"#),
            "name"
        );
        let t: Text = serde_json::from_str(r#"{"es": "Hola", "zh-CN": "你好"}"#).unwrap();
        assert_eq!(t.get(Locale::ZhCn), "你好");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"zh-CN":"你好","es":"Hola"}"#
        );
        // Tags are exact, as before: a differently cased one is no language.
        assert!(serde_json::from_str::<Text>(r#"{"EN": "Hi"}"#).is_err());
    }
}
