//! Kiosk mode: the lobby tablet's questionnaire.
//!
//! **Setup, once, by a manager** ([`setup`]): branch, questionnaire (of kind
//! kiosk), the languages offered and the one each customer starts in, the
//! idle timeout in seconds. It is saved in localStorage
//! (`branchpulse.kiosk.setup`) with the questionnaire itself, so the kiosk
//! comes back after a reload or a restart without the network. Saving turns
//! kiosk mode on ("locked"): the app's navigation and status bar are hidden,
//! and [`KioskGuard`] brings any other address (the back button, a typed
//! URL, the start page after a restart) back to `/kiosk`. The small "Staff"
//! button asks for the PIN and opens the staff menu: back to customers,
//! change setup, leave kiosk mode.
//!
//! **Two pages, two bundles** ([`staff`]): `/kiosk` (kiosk.html,
//! [`KioskPage`]) is the customer's alone — the questionnaire, the status
//! reports, the lock. Enrolment, setup, the PIN prompt, the staff menu and
//! kiosk mode off are `/kiosk/staff` (kiosk-staff.html,
//! [`KioskStaffPage`]), a page load away both ways, so the customer's first
//! load carries none of them. The staff page asks the PIN at every load.
//!
//! **The staff PIN is the admin's** ([`pin`]): set at /admin when the
//! kiosk is made or later, never on the tablet; the kiosk gets its salted
//! hash at enrolment and with every status report, and checks it offline.
//! Wrong PINs in a row make the prompt wait, longer each time.
//!
//! **Status reports** ([`status`]): right after enrolment, after each sync
//! pass and every five minutes the kiosk tells the server what it asks and
//! what waits on it; the answer brings the PIN and, when the questionnaire
//! in use on the server is another version, that version, which the
//! customer flow takes between two customers.
//!
//! The device id (`branchpulse.device_id`) is a UUID made once and kept.
//!
//! **Enrolment, before all that**: a kiosk sends only with the token an
//! admin's one-time code gave it (`storage::enrolment`). Until it has one,
//! the first screen asks for the code; opening `/kiosk?enrol=CODE` (the
//! admin's QR code) enrols at once. The enrolled device's branch is the
//! kiosk's branch: the setup shows it, it is not chosen. When the server
//! refuses the token (revoked, expired) the outbox keeps everything, the
//! customer's screen shows a small staff note, and the staff menu (or
//! `/kiosk?enrol`) takes a new code; the outbox then syncs.
//!
//! **The customer** ([`flow`], [`question`]). Every tap counts, so there is
//! no start screen: the kiosk waits on its first question, in the kiosk's
//! language, and the first tap is the first answer. Every question screen
//! has a compact language switch (each language named in its own; the
//! answers stay) and a "Larger text" switch (bigger type, full contrast,
//! one column). Items come one per screen — faces labelled in the item's
//! own scale ("very difficult … very easy"), 0–10 for NPS, yes/no, options,
//! "does not apply" where the item offers it — except a `together` section,
//! whose items share one screen and one button. On a single-item screen a
//! tap is the answer: the chosen button is marked with a ✓ for
//! `question::CONFIRM_MS`, then the next screen comes by itself (the last
//! one sends); Back stays. Typed answers and `together` screens wait for
//! their button. The lobby questionnaire takes 7 taps: six answers and
//! "Send". Required items are enforced with a friendly message and
//! `show_if` is respected. The answers become a
//! [`branchpulse_core::Response`] checked with `branchpulse_core::validate`
//! and committed to the outbox (`use_sync().save`) → "thank you" → the
//! first question for the next customer. If the device cannot save, the
//! customer is still thanked (it is not their fault); the response is kept
//! in localStorage if possible (`branchpulse.draft.kiosk.unsaved.<id>`) and
//! a small staff-facing warning stays on screen.
//!
//! **The shell** ([`shell`]): each new customer's blank first question is
//! copied into localStorage; at the next start `kiosk-shell.js` shows that
//! copy before the wasm has arrived, and a tap on one of its answers is
//! given to the app's own button once the app has started — if the copy
//! was of the very screen the app starts on (questionnaire version, item,
//! languages), else it is dropped. No other screen is copied, and the
//! enrolment, setup and kiosk-off screens remove the copy.
//!
//! **Each answer is saved as given** ([`draft`]): the draft
//! `branchpulse.draft.kiosk` in localStorage, written from the first answer
//! on (a customer who only looks leaves none).
//!
//! **Walking away — the decision.** A customer who leaves has their answers
//! sent, and nothing of them passes to the next customer. Once a customer
//! has left a trace (an answer, a screen past the first, another language,
//! larger text), the set time without a touch opens a dialog that counts
//! down ten seconds (or the idle timeout, if shorter) with "Continue". When
//! it runs out, the answers given are sent as a response — `partial` unless
//! every shown required item is answered; nothing is sent when nothing was
//! answered — and the next customer starts. A reload or a power cut in the
//! middle does the same at the next load: the stored draft, if it has
//! answers, is sent as partial, and the screen starts clean. Done, the
//! thank-you screen's timeout, the idle timeout and a reload all end the
//! same way: the draft key removed, the screens rebuilt from nothing (no
//! pressed button, no typed text), the kiosk's language, normal text, and
//! the focus on the first question's heading. The customer's language is
//! never remembered (`i18n::show_locale`). Earlier versions could keep a
//! walked-away customer's answers for the next start ("keep") or drop them
//! ("discard"); the first let a stranger finish someone else's answers and
//! the second lost what customers had told us, so neither remains.

pub(crate) mod config;
mod contact;
mod draft;
mod flow;
mod pin;
mod question;
mod setup;
pub mod shell;
mod staff;
mod status;

use crate::storage::enrolment;
use branchpulse_core::access::DeviceKind;
use flow::Customers;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
pub use staff::KioskStaffPage;

/// The staff page's address (kiosk-staff.html, a bundle of its own).
pub const STAFF_PAGE: &str = "/kiosk/staff";

/// The customer's page: the questionnaire on an enrolled kiosk set up and
/// locked. Anything else (no enrolment, no setup, kiosk mode off, an
/// enrolment address) is the staff page's, a page load away, so none of
/// the staff's screens weigh on the customer's first load.
#[component]
pub fn KioskPage() -> impl IntoView {
    let search = window().location().search().unwrap_or_default();
    let enrolling = web_sys::UrlSearchParams::new_with_str(&search).is_ok_and(|p| p.has("enrol"));
    let enrolled = enrolment::peek().is_some_and(|e| e.device.kind == DeviceKind::Kiosk);
    let Some(current) = config::setup_at_start().filter(|s| s.locked && enrolled && !enrolling)
    else {
        // The enrolment code goes along in the address.
        to_staff(&search);
        return ().into_any();
    };
    mark_locked(true);
    let setup = RwSignal::new(Some(current.clone()));
    config::follow_page_setup(setup);
    status::start(setup);
    // The staff menu shows it too, on its own page.
    let warning = RwSignal::new(config::staff_warning());
    Effect::new(move |_| {
        if let Some(w) = warning.get() {
            config::keep_staff_warning(&w);
        }
    });
    let on_staff = Callback::new(|()| to_staff(""));
    view! { <Customers setup=StoredValue::new(current) on_staff warning /> }.into_any()
}

/// To the staff page, in place of this one in the history.
fn to_staff(search: &str) {
    let _ = window()
        .location()
        .replace(&format!("{STAFF_PAGE}{search}"));
}

/// Whether this device is a locked kiosk. The app renders its frame (the
/// navigation, the status bar) only when it is not: a locked kiosk never
/// shows them, and leaving them out makes the customer's first screen
/// appear sooner.
#[derive(Debug, Clone, Copy)]
pub struct KioskLock(pub RwSignal<bool>);

/// Provide [`KioskLock`], read once from storage; the kiosk page keeps it right.
pub fn provide_kiosk_lock() -> RwSignal<bool> {
    let locked = RwSignal::new(config::is_locked_at_start());
    provide_context(KioskLock(locked));
    locked
}

/// `<html data-kiosk="locked">` while kiosk mode is on.
fn mark_locked(on: bool) {
    if let Some(root) = document().document_element() {
        let _ = if on {
            root.set_attribute("data-kiosk", "locked")
        } else {
            root.remove_attribute("data-kiosk")
        };
    }
}

/// Keeps a locked kiosk on `/kiosk`: any other address of the main app (the
/// back button, a typed URL, the start page after a restart) goes back to
/// it — a page load, since the kiosk is a bundle of its own.
#[component]
pub fn KioskGuard() -> impl IntoView {
    let location = use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        if path != "/kiosk" && config::is_locked() {
            let _ = window().location().replace("/kiosk");
        }
    });
}
