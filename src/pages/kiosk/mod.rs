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
mod status;

use crate::components::{take_code_from_address, EnrolForm};
use crate::i18n::{t, Key};
use crate::storage::enrolment;
use crate::storage::enrolment::Enrolment;
use crate::sync::use_sync;
use branchpulse_core::access::DeviceKind;
use config::KioskSetup;
use flow::Customers;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use pin::PinPrompt;
use setup::SetupForm;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// First setup, or a change after the PIN.
    Setup,
    Customers,
    /// Asking for the PIN; then the staff menu, or the setup form.
    Pin {
        then_setup: bool,
    },
    Staff,
    /// Set up, but kiosk mode is off.
    Off,
}

#[component]
pub fn KioskPage() -> impl IntoView {
    let setup = RwSignal::new(config::setup_at_start());
    config::follow_page_setup(setup);
    let mode = RwSignal::new(
        match setup.with_untracked(|s| s.as_ref().map(|s| s.locked)) {
            None => Mode::Setup,
            Some(true) => Mode::Customers,
            Some(false) => Mode::Off,
        },
    );
    let warning = RwSignal::new(None::<String>);
    let sync = use_sync();

    // The enrolment comes first: without it nothing could be sent.
    let (kept, unreadable) = match enrolment::load() {
        Ok(kept) => (kept.filter(|e| e.device.kind == DeviceKind::Kiosk), false),
        Err(_) => (None, true),
    };
    let unreadable = RwSignal::new(unreadable);
    let enrolled = RwSignal::new(kept);
    // `Some`: the enrolment screen is open, with the code of the address
    // (the admin's QR code) or empty when staff asked for it.
    let enrolling = RwSignal::new(take_code_from_address());
    let reports = status::start(setup);
    let enrolled_now = Callback::new(move |e: Enrolment| {
        // Another branch than the one set up: the setup must follow it.
        let moved = setup.with_untracked(|s| {
            s.as_ref()
                .is_some_and(|s| e.device.branch.as_ref() != Some(&s.branch))
        });
        // The PIN belongs to the device the code was for: none means none.
        config::keep_staff_pin(e.pin.as_ref());
        unreadable.set(false);
        enrolled.set(Some(e));
        enrolling.set(None);
        if moved {
            mode.set(Mode::Setup);
        }
        // What waited for a valid token goes now.
        sync.sync_now();
        reports.now();
    });
    let enrol_again = Callback::new(move |()| enrolling.set(Some(String::new())));

    // Locked: the app leaves out its navigation and status bar.
    let lock = use_context::<KioskLock>();
    let mark = move |on: bool| {
        mark_locked(on);
        if let Some(KioskLock(l)) = lock {
            if l.get_untracked() != on {
                l.set(on);
            }
        }
    };
    Effect::new(move |_| mark(setup.with(|s| s.as_ref().is_some_and(|s| s.locked))));
    on_cleanup(move || mark(false));

    let done = Callback::new(move |s: KioskSetup| {
        // Made once, at the first setup, then kept.
        config::device_id();
        // Answers to another setup's questionnaire cannot be resumed.
        draft::Draft::discard();
        setup.set(Some(s));
        mode.set(Mode::Customers);
    });
    let leave = Callback::new(move |()| {
        let mut s = setup.get_untracked();
        if let Some(s) = s.as_mut() {
            s.locked = false;
            let _ = s.save();
        }
        setup.set(s);
        mode.set(Mode::Off);
        // The start page is in the main app: a page load.
        let _ = window().location().assign("/");
    });
    let relock = move |_| {
        let mut s = setup.get_untracked();
        if let Some(s) = s.as_mut() {
            s.locked = true;
            let _ = s.save();
        }
        setup.set(s);
        mode.set(Mode::Customers);
    };
    let back = Callback::new(move |()| {
        let locked = setup.with_untracked(|s| s.as_ref().is_some_and(|s| s.locked));
        mode.set(if locked { Mode::Customers } else { Mode::Off });
    });

    move || {
        let code = enrolling.get();
        let Some(device) = enrolled.get().filter(|_| code.is_none()) else {
            shell::forget();
            let cancel = enrolled
                .with(Option::is_some)
                .then(|| Callback::new(move |()| enrolling.set(None)));
            return view! {
                <h1>{t(Key::KioskTitle)}</h1>
                <EnrolForm
                    kind=DeviceKind::Kiosk
                    code=code.filter(|c| !c.is_empty())
                    unreadable=unreadable.get_untracked()
                    on_done=enrolled_now
                    on_cancel=cancel
                />
            }
            .into_any();
        };
        let branch = device.device.branch.clone().unwrap_or_default();
        let label = device.device.label.clone();
        let Some(current) = setup.get() else {
            shell::forget();
            return view! { <SetupScreen current=None branch on_done=done /> }.into_any();
        };
        let stored = StoredValue::new(current.clone());
        let on_staff = Callback::new(move |()| mode.set(Mode::Pin { then_setup: false }));
        let now = mode.get();
        // The customers' screens start anew here, so no one is answering:
        // a newer questionnaire offered meanwhile is taken now.
        if now == Mode::Customers {
            config::take_newer_questionnaire(stored);
        } else if matches!(now, Mode::Setup | Mode::Off) {
            // Only a customer's screen has a shell.
            shell::forget();
        }
        match now {
            Mode::Setup => {
                view! { <SetupScreen current=Some(current) branch on_done=done on_cancel=back /> }
                    .into_any()
            }
            Mode::Customers => view! { <Customers setup=stored on_staff warning /> }.into_any(),
            Mode::Pin { then_setup } => view! {
                <PinPrompt
                    on_ok=Callback::new(move |()| {
                        mode.set(if then_setup { Mode::Setup } else { Mode::Staff })
                    })
                    on_cancel=back
                    on_enrol=enrol_again
                />
            }
            .into_any(),
            Mode::Staff => view! {
                <StaffMenu
                    setup=current
                    label
                    warning
                    report_problem=reports.problem
                    on_enrol=enrol_again
                    on_back=back
                    on_change=Callback::new(move |()| mode.set(Mode::Setup))
                    on_leave=leave
                />
            }
            .into_any(),
            Mode::Off => view! {
                <section class="kiosk-off">
                    <h1>{t(Key::KioskTitle)}</h1>
                    <p>{t(Key::KioskOff)}</p>
                    <p>
                        {t(Key::Branch)} ": " {current.branch.clone()} " — "
                        {current.branch_name.clone()}
                    </p>
                    <p>{t(Key::EnrolledAs)} ": " {label}</p>
                    <div class="kiosk-nav">
                        <button type="button" on:click=move |_| enrol_again.run(())>
                            {t(Key::EnrolAgainLink)}
                        </button>
                        <button
                            type="button"
                            on:click=move |_| mode.set(Mode::Pin { then_setup: true })
                        >
                            {t(Key::ChangeSetup)}
                        </button>
                        <button type="button" class="primary" on:click=relock>
                            {t(Key::StartKiosk)}
                        </button>
                    </div>
                </section>
            }
            .into_any(),
        }
    }
}

#[component]
fn SetupScreen(
    current: Option<KioskSetup>,
    /// The enrolled device's branch.
    branch: String,
    on_done: Callback<KioskSetup>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <h1>{t(Key::KioskTitle)}</h1>
        <p>{t(Key::KioskIntro)}</p>
        <SetupForm
            current
            branch
            on_done
            on_cancel=on_cancel.unwrap_or_else(|| Callback::new(|()| {}))
        />
    }
}

#[component]
fn StaffMenu(
    setup: KioskSetup,
    /// The enrolled device's label.
    label: String,
    warning: RwSignal<Option<String>>,
    /// Why the last status report failed (staff only).
    report_problem: RwSignal<Option<String>>,
    on_enrol: Callback<()>,
    on_back: Callback<()>,
    on_change: Callback<()>,
    on_leave: Callback<()>,
) -> impl IntoView {
    let sync = use_sync();
    view! {
        <section class="kiosk-staff-menu">
            <h1>{t(Key::StaffMenu)}</h1>
            <p>{t(Key::Branch)} ": " {setup.branch.clone()} " — " {setup.branch_name.clone()}</p>
            <p>{t(Key::EnrolledAs)} ": " {label}</p>
            <p
                class="kiosk-warning"
                data-testid="staff-enrol-again"
                hidden=move || {
                    !sync.state.with(|s| s.last_error.as_ref().is_some_and(|e| e.needs_enrolment()))
                }
            >
                {t(Key::ErrEnrolAgain)}
            </p>
            <p>
                <span data-testid="staff-waiting">{move || sync.state.get().waiting}</span>
                " "
                {t(Key::Waiting)}
                <span hidden=move || {
                    sync.state.with(|s| s.deferred == 0)
                }>" (" {move || sync.state.get().deferred} " " {t(Key::Deferred)} ")"</span>
            </p>
            <p
                class="kiosk-warning"
                data-testid="staff-needs-attention"
                hidden=move || sync.state.with(|s| s.rejected == 0)
            >
                {t(Key::NeedsAttention)}
                ": "
                {move || sync.state.get().rejected}
            </p>
            <p class="kiosk-warning" hidden=move || warning.with(Option::is_none)>
                {t(Key::StaffWarning)}
                ": "
                {move || warning.get().unwrap_or_default()}
            </p>
            <p
                class="kiosk-warning"
                data-testid="staff-report-failed"
                hidden=move || report_problem.with(Option::is_none)
            >
                {t(Key::ReportFailed)}
                ": "
                {move || report_problem.get().unwrap_or_default()}
            </p>
            <div class="kiosk-nav">
                <button type="button" class="primary" on:click=move |_| on_back.run(())>
                    {t(Key::BackToCustomers)}
                </button>
                <button type="button" on:click=move |_| on_change.run(())>
                    {t(Key::ChangeSetup)}
                </button>
                <button type="button" on:click=move |_| on_enrol.run(())>
                    {t(Key::EnrolAgainLink)}
                </button>
                <button type="button" on:click=move |_| on_leave.run(())>
                    {t(Key::LeaveKiosk)}
                </button>
            </div>
        </section>
    }
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
