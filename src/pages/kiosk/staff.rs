//! The kiosk's staff page, `/kiosk/staff` (kiosk-staff.html, a bundle of
//! its own): the enrolment, the first setup, the PIN prompt, the staff menu,
//! a change of setup and kiosk mode off. The customer's page sends staff
//! here with a page load, and everything here that ends in front of
//! customers ("Back to customers", a setup saved, kiosk mode started) goes
//! back to `/kiosk` with one.
//!
//! A set-up, locked kiosk opens on the PIN prompt, after every load: the
//! PIN passed is kept nowhere, so a typed address or a reload asks it
//! again. What needs no PIN needs none here either: the first setup, kiosk
//! mode off, and an admin's new code (`?enrol=CODE`, or a bare `?enrol`).

use super::config::{self, KioskSetup};
use super::pin::PinPrompt;
use super::setup::SetupForm;
use super::{draft, mark_locked, shell, status, KioskLock};
use crate::components::{take_code_from_address, EnrolForm};
use crate::i18n::{t, Key};
use crate::storage::enrolment;
use crate::storage::enrolment::Enrolment;
use crate::sync::use_sync;
use branchpulse_core::access::DeviceKind;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// First setup, or a change after the PIN.
    Setup,
    /// Back to the customer's page.
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
pub fn KioskStaffPage() -> impl IntoView {
    let setup = RwSignal::new(config::setup_at_start());
    // `Some`: the enrolment screen is open, with the code of the address
    // (the admin's QR code) or empty when staff asked for it.
    let enrolling = RwSignal::new(take_code_from_address());
    // Shown again from the browser's back-forward cache, the page would
    // still be past the PIN: load it anew instead.
    let _ = window_event_listener(leptos::ev::pageshow, |ev| {
        let persisted =
            js_sys::Reflect::get(&ev, &"persisted".into()).is_ok_and(|p| p.as_bool() == Some(true));
        if persisted {
            let _ = window().location().reload();
        }
    });
    let warning = config::staff_warning();
    let sync = use_sync();

    // The enrolment comes first: without it nothing could be sent.
    let (kept, unreadable) = match enrolment::load() {
        Ok(kept) => (kept.filter(|e| e.device.kind == DeviceKind::Kiosk), false),
        Err(_) => (None, true),
    };
    let mode = RwSignal::new(
        match setup.with_untracked(|s| s.as_ref().map(|s| s.locked)) {
            None => Mode::Setup,
            // Here for a new code (the address's, or none kept): then the
            // customers again, as on one page before.
            Some(true) if kept.is_none() || enrolling.with_untracked(Option::is_some) => {
                Mode::Customers
            }
            Some(true) => Mode::Pin { then_setup: false },
            Some(false) => Mode::Off,
        },
    );
    let unreadable = RwSignal::new(unreadable);
    let enrolled = RwSignal::new(kept);
    let reports = status::start(setup);
    // A PIN set meanwhile, and why reports fail, before staff look; not
    // offline, where it could only fail (the sync's pass does the same).
    if window().navigator().on_line() {
        reports.now();
    }
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
        let now = mode.get();
        if matches!(now, Mode::Setup | Mode::Off) {
            // Only a customer's screen has a shell.
            shell::forget();
        }
        match now {
            Mode::Customers => {
                // In place of this page: going back must not reopen the staff menu.
                let _ = window().location().replace("/kiosk");
                ().into_any()
            }
            Mode::Setup => {
                view! { <SetupScreen current=Some(current) branch on_done=done on_cancel=back /> }
                    .into_any()
            }
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
                    warning=warning.clone()
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
    /// Why a response could not be saved, as the customer's page said.
    warning: Option<String>,
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
            {warning
                .map(|w| {
                    view! {
                        <p class="kiosk-warning" data-testid="staff-warning">
                            {t(Key::StaffWarning)}
                            ": "
                            {w}
                        </p>
                    }
                })}
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
