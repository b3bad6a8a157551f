//! What the manager sets up once, kept in localStorage so that a reload or
//! a restart (even offline) comes back as the same kiosk: the branch, the
//! questionnaire itself (the full JSON), the languages and the one each
//! customer starts in, the idle timeout, and the device id. The staff PIN is
//! not the setup's: an admin sets it, and the kiosk keeps the salted SHA-256
//! it was sent under its own key ([`staff_pin`]).
//!
//! Setups stored by older versions still load: a missing default language
//! is the first offered one, a missing contact offer is on, and their `keep_partial` (the idle timeout's
//! old keep-or-discard choice) and PIN fields are ignored, since a customer
//! who walks away now always has their answers sent and the PIN is the
//! admin's.
//!
//! A newer version of the questionnaire, found by the status report
//! (`status.rs`), waits in [`offer_newer_questionnaire`] until the customer
//! flow takes it between customers ([`take_newer_questionnaire`]).

use crate::storage::{drafts, keys};
use branchpulse_core::access::PinHash;
use branchpulse_core::{Kind, Locale, Questionnaire, Text};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
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
    /// After a customer sends their answers, the thank-you screen offers
    /// to contact them about the visit. On unless the manager turned it
    /// off, also for setups stored before it existed.
    #[serde(default = "yes")]
    pub offer_contact: bool,
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

fn yes() -> bool {
    true
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

thread_local! {
    /// The setup as the kiosk bundle read it at start, until its page takes it.
    static AT_START: RefCell<Option<Option<KioskSetup>>> = const { RefCell::new(None) };
}

/// Whether the kiosk is locked, keeping what was read for [`setup_at_start`]:
/// the kiosk bundle reads the setup (the questionnaire with it) once per start.
pub fn is_locked_at_start() -> bool {
    let setup = KioskSetup::load();
    let locked = setup.as_ref().is_some_and(|s| s.locked);
    AT_START.with(|a| *a.borrow_mut() = Some(setup));
    locked
}

/// The setup read by [`is_locked_at_start`], once; afterwards read anew.
pub fn setup_at_start() -> Option<KioskSetup> {
    AT_START
        .with(|a| a.borrow_mut().take())
        .unwrap_or_else(KioskSetup::load)
}

/// The staff PIN an admin set for this kiosk, as last sent by the server.
pub fn staff_pin() -> Option<PinHash> {
    drafts::load(keys::KIOSK_PIN).ok().flatten()
}

/// Keep what the server says the staff PIN is: `None` (no PIN set) erases
/// the kept one, so a PIN the server no longer has stops working.
pub fn keep_staff_pin(pin: Option<&PinHash>) {
    let _ = match pin {
        Some(pin) => drafts::save(keys::KIOSK_PIN, pin),
        None => {
            drafts::remove(keys::KIOSK_PIN);
            Ok(())
        }
    };
}

/// Whether `pin` is the one `kept` was made from.
pub fn pin_matches(kept: &PinHash, pin: &str) -> bool {
    !kept.hash.is_empty() && pin_hash(&kept.salt, pin.trim()).eq_ignore_ascii_case(&kept.hash)
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

thread_local! {
    /// A newer version of the kiosk's questionnaire: parsed, and as sent.
    static NEWER: RefCell<Option<(Questionnaire, String)>> = const { RefCell::new(None) };
    /// The kiosk page's setup, updated with the questionnaire it takes.
    static PAGE_SETUP: RefCell<Option<RwSignal<Option<KioskSetup>>>> = const { RefCell::new(None) };
}

/// Hold `questionnaire` (checked by the caller; `json` as the server sent
/// it) until the customer flow is between customers.
pub fn offer_newer_questionnaire(questionnaire: Questionnaire, json: String) {
    NEWER.with(|n| *n.borrow_mut() = Some((questionnaire, json)));
}

/// The questionnaire offered and not yet taken, if any: its version.
pub fn newer_offered() -> Option<u32> {
    NEWER.with(|n| n.borrow().as_ref().map(|(q, _)| q.version))
}

/// The kiosk page's own setup signal: [`take_newer_questionnaire`] keeps it
/// in step without making the page draw the customers' screens again.
pub fn follow_page_setup(setup: RwSignal<Option<KioskSetup>>) {
    PAGE_SETUP.with(|p| *p.borrow_mut() = Some(setup));
}

/// Switch `setup` to the newer version of its questionnaire, if one was
/// offered: the customer flow calls this at its reset point, between two
/// customers, never while someone answers. Kept on the device at once so a
/// restart comes back with it. Returns whether it switched.
pub fn take_newer_questionnaire(setup: StoredValue<KioskSetup>) -> bool {
    let Some((questionnaire, json)) = NEWER.with(|n| n.borrow_mut().take()) else {
        return false;
    };
    let Some(mut next) = setup.try_get_value() else {
        return false;
    };
    // Set up with another questionnaire since it was offered: not for this one.
    if next.questionnaire.id != questionnaire.id
        || next.questionnaire.version == questionnaire.version
    {
        return false;
    }
    next.questionnaire = questionnaire;
    next.questionnaire_json = json;
    // Storage full: the kiosk still asks the new version until a restart.
    let _ = next.save();
    setup.set_value(next.clone());
    // Untracked: the page must not draw the customer's screens anew; it
    // reads the setup again when staff open their menu.
    if let Some(page) = PAGE_SETUP.with(|p| *p.borrow()) {
        page.try_update_untracked(|s| *s = Some(next));
    }
    true
}

fn tab_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Why a response could not be saved, as the customer's page last said
/// (`keys::KIOSK_STAFF_WARNING`): the staff menu is another page.
pub fn staff_warning() -> Option<String> {
    tab_storage()?.get_item(keys::KIOSK_STAFF_WARNING).ok()?
}

/// Keep `warning` for the staff menu; sessionStorage, since the
/// localStorage that failed the response may be full.
pub fn keep_staff_warning(warning: &str) {
    if let Some(s) = tab_storage() {
        let _ = s.set_item(keys::KIOSK_STAFF_WARNING, warning);
    }
}
