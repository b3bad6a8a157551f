//! The PIN prompt in front of the staff menu and of a change of setup.
//!
//! The PIN is the one an admin set for this kiosk (`config::staff_pin`),
//! checked offline against its salted hash. Until an admin set one the
//! prompt says where to set it, and offers to enrol again (a new code is
//! the admin's too). After [`FREE_TRIES`] wrong PINs in a row the prompt
//! waits [`FIRST_WAIT_MS`], doubled at each further wrong PIN up to
//! [`MAX_WAIT_MS`], and refuses every PIN meanwhile, the right one too:
//! four to eight digits are few, and the tablet stands in a public lobby.
//! The count and the wait are kept in localStorage, so a reload does not
//! start them again; the right PIN clears them.

use super::config;
use crate::i18n::{t, text, use_locale, Key};
use crate::storage::{drafts, keys};
use leptos::html;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Wrong PINs in a row before the prompt waits.
pub const FREE_TRIES: u32 = 3;
/// The first wait, in ms.
pub const FIRST_WAIT_MS: f64 = 30_000.0;
/// The longest wait, in ms.
pub const MAX_WAIT_MS: f64 = 15.0 * 60_000.0;

/// What [`keys::KIOSK_PIN_LOCKOUT`] keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Lockout {
    /// Wrong PINs in a row.
    failures: u32,
    /// No PIN is checked before this time (ms since the epoch).
    until: f64,
}

impl Lockout {
    fn load() -> Lockout {
        drafts::load(keys::KIOSK_PIN_LOCKOUT)
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// How long the wait after `failures` wrong PINs is.
    fn wait_ms(failures: u32) -> f64 {
        if failures < FREE_TRIES {
            return 0.0;
        }
        let doublings = (failures - FREE_TRIES).min(16);
        (FIRST_WAIT_MS * f64::from(1u32 << doublings)).min(MAX_WAIT_MS)
    }

    /// Ms still to wait at `now`; never more than the wait that was given,
    /// so a clock set back does not lock staff out for longer.
    fn left_ms(&self, now: f64) -> f64 {
        // Not `f64::clamp`: its NaN check formats floats in its panic
        // message, which would bring float formatting into the kiosk (~6 KB).
        (self.until - now)
            .min(Self::wait_ms(self.failures))
            .max(0.0)
    }

    fn wrong(&mut self, now: f64) {
        self.failures = self.failures.saturating_add(1);
        self.until = now + Self::wait_ms(self.failures);
        // Storage full: the wait holds until a reload, which is still a wait.
        let _ = drafts::save(keys::KIOSK_PIN_LOCKOUT, self);
    }

    fn clear() {
        drafts::remove(keys::KIOSK_PIN_LOCKOUT);
    }
}

#[component]
pub fn PinPrompt(
    on_ok: Callback<()>,
    on_cancel: Callback<()>,
    /// Enrol again with a new admin code (offered while no PIN is set).
    on_enrol: Callback<()>,
) -> impl IntoView {
    let locale = use_locale();
    let kept = RwSignal::new(config::staff_pin());
    let pin = RwSignal::new(String::new());
    let wrong = RwSignal::new(false);
    let lockout = RwSignal::new(Lockout::load());
    let now = RwSignal::new(js_sys::Date::now());
    // Each second: the countdown, and a PIN that a status report brought
    // while the prompt is open.
    // A timer may outlive the prompt by one tick: nothing here assumes it lives.
    let tick = move || {
        let at = js_sys::Date::now();
        now.try_set(at);
        // A wait over: the last wrong PIN is old news.
        let over = lockout
            .try_with_untracked(|l| l.failures >= FREE_TRIES && l.left_ms(at) == 0.0)
            .unwrap_or(false);
        if over && wrong.try_get_untracked() == Some(true) {
            wrong.try_set(false);
        }
        let fresh = config::staff_pin();
        if kept.try_with_untracked(|k| *k != fresh) == Some(true) {
            kept.try_set(fresh);
        }
    };
    if let Ok(h) = set_interval_with_handle(tick, Duration::from_millis(1000)) {
        on_cleanup(move || h.clear());
    }
    let left_secs = Memo::new(move |_| {
        let ms = lockout.with(|l| l.left_ms(now.get()));
        (ms / 1000.0).ceil() as u32
    });
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(i) = input.get() {
            let _ = i.focus();
        }
    });

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let at = js_sys::Date::now();
        now.set(at);
        // Waiting: not even looked at, so the right PIN gives nothing away.
        if lockout.with_untracked(|l| l.left_ms(at)) > 0.0 {
            pin.set(String::new());
            return;
        }
        let entered = pin.get_untracked();
        pin.set(String::new());
        if kept.with_untracked(|k| k.as_ref().is_some_and(|k| config::pin_matches(k, &entered))) {
            Lockout::clear();
            on_ok.run(());
        } else {
            wrong.set(true);
            lockout.update(|l| l.wrong(at));
        }
    };
    let message = move || {
        let waiting = left_secs.get() > 0;
        (waiting || wrong.get()).then(|| {
            t(if waiting {
                Key::PinLocked
            } else {
                Key::WrongPin
            })()
        })
    };
    // Not in the alert: a live region read out every second would drown
    // everything else; `timer` is not announced by itself.
    let countdown = move || {
        let secs = left_secs.get();
        (secs > 0).then(|| {
            text(locale.get(), Key::PinWait)
                .replace("{t}", &format!("{}:{:02}", secs / 60, secs % 60))
        })
    };
    let form = move || {
        view! {
            <form class="kiosk-pin" on:submit=submit>
                <h1>{t(Key::StaffMenu)}</h1>
                <label for="kiosk-pin-input">{t(Key::EnterPin)}</label>
                <input
                    id="kiosk-pin-input"
                    type="password"
                    inputmode="numeric"
                    autocomplete="off"
                    maxlength="8"
                    aria-describedby="kiosk-pin-message"
                    node_ref=input
                    prop:value=pin
                    on:input=move |ev| pin.set(event_target_value(&ev))
                />
                <p class="error" id="kiosk-pin-message" data-testid="pin-message" role="alert">
                    {message}
                </p>
                <p class="kiosk-pin-wait" role="timer" data-testid="pin-wait">
                    {countdown}
                </p>
                <div class="kiosk-nav">
                    <button type="button" on:click=move |_| on_cancel.run(())>
                        {t(Key::Cancel)}
                    </button>
                    <button type="submit" class="primary">
                        {t(Key::Confirm)}
                    </button>
                </div>
            </form>
        }
    };
    let has_pin = Memo::new(move |_| kept.with(Option::is_some));
    move || {
        if has_pin.get() {
            form().into_any()
        } else {
            view! {
                <section class="kiosk-pin" aria-labelledby="kiosk-pin-title">
                    <h1 id="kiosk-pin-title">{t(Key::StaffMenu)}</h1>
                    <p data-testid="pin-not-set">{t(Key::PinNotSet)}</p>
                    <div class="kiosk-nav">
                        <button type="button" on:click=move |_| on_cancel.run(())>
                            {t(Key::Cancel)}
                        </button>
                        <button type="button" on:click=move |_| on_enrol.run(())>
                            {t(Key::EnrolAgainLink)}
                        </button>
                    </div>
                </section>
            }
            .into_any()
        }
    }
}
