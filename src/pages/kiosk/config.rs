//! What the manager sets up once, kept in localStorage so that a reload or
//! a restart (even offline) comes back as the same kiosk: the branch, the
//! questionnaire itself (the full JSON), the languages and the one each
//! customer starts in, the idle timeout, the PIN as a salted SHA-256, and
//! the device id.
//!
//! Setups stored by older versions still load: a missing default language
//! is the first offered one, and their `keep_partial` (the idle timeout's
//! old keep-or-discard choice) is ignored, since a customer who walks away
//! now always has their answers sent.

use crate::storage::{drafts, keys};
use branchpulse_core::{Kind, Locale, Questionnaire, Text};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Shortest idle timeout a manager may set, in seconds.
pub const MIN_IDLE_SECS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KioskSetup {
    /// The branch's code.
    pub branch: String,
    pub branch_name: String,
    /// The questionnaire, kept whole (as the server sent it) so the kiosk
    /// works offline; [`KioskSetup::questionnaire`] is it parsed.
    pub questionnaire_json: String,
    #[serde(skip, default = "unparsed")]
    pub questionnaire: Questionnaire,
    /// Offered to customers, in this order.
    pub languages: Vec<Locale>,
    /// The language every customer starts in; `None` (a setup from before
    /// it existed): the first offered.
    #[serde(default)]
    pub default_language: Option<Locale>,
    /// Seconds without a touch before the "still there?" countdown.
    pub idle_secs: u32,
    /// Hex salt and hex SHA-256 of salt ‖ PIN.
    pub pin_salt: String,
    pub pin_hash: String,
    /// Kiosk mode is on: customers only, navigation hidden.
    pub locked: bool,
}

impl KioskSetup {
    pub fn load() -> Option<KioskSetup> {
        let mut setup: KioskSetup = drafts::load(keys::KIOSK_SETUP).ok().flatten()?;
        setup.questionnaire = serde_json::from_str(&setup.questionnaire_json).ok()?;
        Some(setup)
    }

    pub fn save(&self) -> Result<(), drafts::DraftError> {
        drafts::save(keys::KIOSK_SETUP, self)
    }

    /// Set a new PIN (a fresh salt each time).
    pub fn set_pin(&mut self, pin: &str) {
        self.pin_salt = hex(&random_bytes::<16>());
        self.pin_hash = pin_hash(&self.pin_salt, pin);
    }

    pub fn pin_matches(&self, pin: &str) -> bool {
        !self.pin_hash.is_empty() && pin_hash(&self.pin_salt, pin.trim()) == self.pin_hash
    }

    /// The languages offered, in questionnaire order, never empty.
    pub fn offered(&self) -> Vec<Locale> {
        let list: Vec<Locale> = self
            .languages
            .iter()
            .copied()
            .filter(|l| self.questionnaire.languages.contains(l))
            .collect();
        if list.is_empty() {
            self.questionnaire.languages.clone()
        } else {
            list
        }
    }
}

impl KioskSetup {
    /// The language each customer starts in: the one set, if still offered.
    pub fn home_locale(&self) -> Locale {
        let offered = self.offered();
        self.default_language
            .filter(|l| offered.contains(l))
            .or_else(|| offered.first().copied())
            .unwrap_or(Locale::En)
    }
}

/// Stands in until `questionnaire_json` is parsed.
fn unparsed() -> Questionnaire {
    Questionnaire {
        id: String::new(),
        version: 0,
        kind: Kind::Kiosk,
        title: Text::default(),
        languages: Vec::new(),
        sections: Vec::new(),
    }
}

/// Whether the kiosk is locked, read from storage (for the app's guard).
pub fn is_locked() -> bool {
    KioskSetup::load().is_some_and(|s| s.locked)
}

/// A PIN is 4 to 8 digits.
pub fn pin_ok(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

fn pin_hash(salt: &str, pin: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b":");
    h.update(pin.as_bytes());
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Random bytes from `crypto.getRandomValues` (also outside secure contexts).
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        // No Web Crypto at all: still unique enough for ids.
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (js_sys::Math::random() * 256.0) as u8 ^ (i as u8);
        }
    }
    bytes
}

/// A new random (version 4) UUID.
pub fn new_uuid() -> Uuid {
    uuid::Builder::from_random_bytes(random_bytes::<16>()).into_uuid()
}

/// This device's id: made once, then kept.
pub fn device_id() -> String {
    if let Ok(Some(id)) = drafts::load::<String>(keys::DEVICE_ID) {
        return id;
    }
    let id = new_uuid().to_string();
    let _ = drafts::save(keys::DEVICE_ID, &id);
    id
}
