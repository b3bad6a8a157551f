//! The customer's side: the first question, in the kiosk's language → one
//! screen at a time → thank you (offering, where the setup says so, to
//! contact them about the visit: [`super::contact`]) → the first question
//! again, for a customer who finds nothing of the one before; with the idle
//! countdown whenever a customer has left a trace or is giving their
//! contact details.

use super::config::KioskSetup;
use super::contact::{Asked, ContactScreen};
use super::draft::{pages, Draft, Page};
use super::question::QuestionScreen;
use crate::i18n::{reset_in_text, show_locale, t, use_locale, Key};
use crate::sync::use_sync;
use branchpulse_core::{Answer, Locale};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use uuid::Uuid;

/// How long the thank-you screen stays, in ms.
const THANKS_MS: u64 = 6_000;
/// The same when it offers to contact the customer: time to read the
/// question and tap "Yes", short enough that the next customer does not
/// find the offer about someone else's visit.
const THANKS_OFFER_MS: u64 = 12_000;
/// The countdown after the idle timeout: this many seconds, or the idle
/// timeout itself when that is shorter.
const COUNTDOWN_SECS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Question,
    /// A customer's answers on their way to the outbox: nothing of them is
    /// drawn, and nothing new can be answered before they are safe.
    Leaving,
    Thanks,
    /// The customer said yes to being contacted: how, then the number or
    /// address. Idle time counts here as on a question.
    Contact,
    /// Their request is kept: thanked again.
    Contacted,
}

/// What the screens of one customer share.
#[derive(Clone, Copy)]
pub struct Visit {
    pub setup: StoredValue<KioskSetup>,
    /// `None` until the first answer: a customer who only looks leaves
    /// nothing to send.
    pub draft: RwSignal<Option<Draft>>,
    /// The current screen's [`Page::at`].
    pub at: RwSignal<usize>,
    pub large: RwSignal<bool>,
    pub sending: RwSignal<bool>,
    locale: RwSignal<Locale>,
    on_warn: Callback<String>,
    /// The customer is done: send, then thank them.
    pub submit: Callback<()>,
}

// Plain methods rather than memos and callbacks: each new memo or callback
// type is framework code in a bundle that has no bytes to spare, and a
// questionnaire's few screens are quick to work out again.
impl Visit {
    /// The screens for the answers so far (tracked).
    pub fn pages(&self) -> Vec<Page> {
        self.draft.with(|d| {
            let none = Default::default();
            let answers = d.as_ref().map_or(&none, |d| &d.answers);
            self.setup.with_value(|s| pages(&s.questionnaire, answers))
        })
    }

    /// Record (or, with `None`, clear) the answer to item `id`, in the
    /// language the customer reads, and keep it on the device.
    pub fn set_answer(&self, id: &str, a: Option<Answer>) {
        let (locale, setup) = (self.locale.get_untracked(), self.setup);
        self.draft.update(|d| {
            let d = d.get_or_insert_with(|| Draft::new(locale));
            d.locale = locale;
            match a {
                Some(a) => d.answers.insert(id.to_string(), a),
                None => d.answers.remove(id),
            };
            setup.with_value(|s| d.prune(&s.questionnaire));
        });
        save(self.draft, self.on_warn);
    }
}

#[component]
pub fn Customers(
    setup: StoredValue<KioskSetup>,
    on_staff: Callback<()>,
    warning: RwSignal<Option<String>>,
) -> impl IntoView {
    let sync = use_sync();
    let locale = use_locale();
    let home = setup.with_value(KioskSetup::home_locale);
    show_locale(locale, home);
    let screen = RwSignal::new(Screen::Question);
    // Every new customer gets screens built from nothing.
    let round = RwSignal::new(0u32);
    let draft = RwSignal::new(None::<Draft>);
    let large = RwSignal::new(false);
    let sending = RwSignal::new(false);
    // The response just sent, while its customer may ask to be contacted.
    let sent = StoredValue::new(None::<Uuid>);
    let on_warn = Callback::new(move |e: String| warning.set(Some(e)));
    // Only the first screen's place: no answer shows or hides it. Kept, as
    // a newer questionnaire taken between customers may move it.
    let first_of = move || {
        setup.with_value(|s| {
            pages(&s.questionnaire, &Default::default())
                .first()
                .map_or(0, |p| p.at)
        })
    };
    let first = StoredValue::new(first_of());
    let at = RwSignal::new(first.get_value());
    super::shell::showing(setup.with_value(super::shell::key));

    let update = use_context::<crate::update::Update>();
    // The next customer starts from nothing: no answer, no language, no
    // larger text of the one before. Between customers is also the one
    // moment a new version may load, of the app or of the questionnaire.
    let new_customer = move || {
        if super::config::take_newer_questionnaire(setup) {
            first.set_value(first_of());
        }
        draft.set(None);
        sent.set_value(None);
        large.set(false);
        show_locale(locale, home);
        sending.set(false);
        at.set(first.get_value());
        screen.set(Screen::Question);
        round.update(|r| *r += 1);
        if let Some(update) = update {
            update.apply_if_waiting();
        }
    };

    // Into the outbox; when the device cannot save it the customer is
    // still not told (it is not their fault): it is kept in localStorage
    // if that still works, and staff are warned.
    let keep = move |response: branchpulse_core::Response, then: Screen| {
        sending.set(true);
        spawn_local(async move {
            match sync.save(&response).await {
                Ok(_) => sent.set_value(Some(response.id)),
                Err(e) => {
                    let key = crate::storage::keys::kiosk_unsaved(&response.id.to_string());
                    let _ = crate::storage::drafts::save(&key, &response);
                    on_warn.run(e.to_string());
                }
            }
            Draft::discard();
            if then == Screen::Thanks {
                draft.set(None);
                sending.set(false);
                screen.set(Screen::Thanks);
            } else {
                new_customer();
            }
        });
    };

    // The customer walked away (the idle timeout, a reload, a power cut):
    // what they answered is sent, partial unless every shown required item
    // is answered; nothing at all is sent for no answer.
    let walk_away = move |d: Option<Draft>| {
        let response = d
            .filter(|d| !d.answers.is_empty())
            .map(|d| setup.with_value(|s| d.to_response(s, true)));
        match response {
            Some(Ok(r)) => {
                screen.set(Screen::Leaving);
                keep(r, Screen::Question);
            }
            Some(Err(problems)) => {
                // Answers this questionnaire cannot take (it changed under
                // them): staff should know; the next customer must not see them.
                on_warn.run(
                    problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                );
                Draft::discard();
                new_customer();
            }
            None => {
                Draft::discard();
                new_customer();
            }
        }
    };
    // A reload or a power cut in the middle of a customer.
    walk_away(Draft::load());

    let submit = Callback::new(move |()| {
        if sending.get_untracked() {
            return;
        }
        let Some(mut d) = draft.get_untracked() else {
            // Nothing answered, nothing to send: still thanked.
            screen.set(Screen::Thanks);
            return;
        };
        d.locale = locale.get_untracked();
        match setup.with_value(|s| d.to_response(s, false)) {
            Ok(response) => keep(response, Screen::Thanks),
            Err(problems) => {
                // Only a required item can be missing here; go back to it.
                let target = setup.with_value(|s| {
                    let ids: Vec<&str> = s.questionnaire.items().map(|i| i.id.as_str()).collect();
                    problems.iter().find_map(|p| {
                        let id = p.field.strip_prefix("answers.")?;
                        let k = ids.iter().position(|i| *i == id)?;
                        let answers = &d.answers;
                        pages(&s.questionnaire, answers)
                            .into_iter()
                            .find(|p| p.items.contains(&k))
                            .map(|p| p.at)
                    })
                });
                match target {
                    Some(to) => at.set(to),
                    None => on_warn.run(
                        problems
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                }
            }
        }
    });

    // Idle: the last touch, and the countdown once the timeout passed. It
    // runs only while a customer has left a trace (an answer, a screen past
    // the first, another language, larger text): the kiosk may wait on its
    // first question all day.
    let traced = move || {
        draft.with_untracked(Option::is_some)
            || at.get_untracked() != first.get_value()
            || locale.get_untracked() != home
            || large.get_untracked()
    };
    let idle_ms = f64::from(setup.with_value(|s| s.idle_secs)) * 1000.0;
    let countdown_secs = setup.with_value(|s| s.idle_secs).min(COUNTDOWN_SECS);
    let last_touch = StoredValue::new(js_sys::Date::now());
    let deadline = StoredValue::new(0.0f64);
    let countdown = RwSignal::new(None::<u32>);
    let touched = move || {
        last_touch.set_value(js_sys::Date::now());
    };
    let tick = move || {
        let watched = match screen.get_untracked() {
            Screen::Question => traced(),
            Screen::Contact => true,
            _ => false,
        };
        if !watched {
            touched();
            return;
        }
        let now = js_sys::Date::now();
        match countdown.get_untracked() {
            None if now - last_touch.get_value() >= idle_ms => {
                deadline.set_value(now + f64::from(countdown_secs) * 1000.0);
                countdown.set(Some(countdown_secs));
            }
            None => {}
            Some(_) => {
                let left = ((deadline.get_value() - now) / 1000.0).ceil();
                if left <= 0.0 {
                    countdown.set(None);
                    let mut d = draft.get_untracked();
                    if let Some(d) = d.as_mut() {
                        d.locale = locale.get_untracked();
                    }
                    walk_away(d);
                } else {
                    countdown.set(Some(left as u32));
                }
            }
        }
    };
    if let Ok(h) = set_interval_with_handle(tick, Duration::from_millis(250)) {
        on_cleanup(move || h.clear());
    }
    let still_here = move || {
        touched();
        countdown.set(None);
    };

    // Offered only for a response the outbox holds, when the setup says so.
    let offer = move || setup.with_value(|s| s.offer_contact) && sent.with_value(Option::is_some);
    // The thank-you screens go by themselves. A timer that outlives its
    // screen does nothing, even where clearing it failed (a fake clock's
    // ids do not fit web-sys's i32 handles): the next customer is never
    // sent off by the one before's thanks.
    Effect::new(move |_| {
        let shown = screen.get();
        let ms = match shown {
            Screen::Thanks if offer() => THANKS_OFFER_MS,
            Screen::Thanks | Screen::Contacted => THANKS_MS,
            _ => return,
        };
        let of = round.get_untracked();
        let done = move || {
            if round.try_get_untracked() == Some(of) && screen.try_get_untracked() == Some(shown) {
                new_customer();
            }
        };
        if let Ok(h) = set_timeout_with_handle(done, Duration::from_millis(ms)) {
            on_cleanup(move || h.clear());
        }
    });
    let asked = Callback::new(move |a: Asked| match a {
        Asked::Kept => screen.set(Screen::Contacted),
        Asked::Declined | Asked::NotKept => new_customer(),
    });

    // Each new customer's first question, still blank, is copied for the
    // shell: once drawn (the frame after), and at start not before `load`,
    // so the copy never holds the first question back.
    Effect::new(move |_| {
        round.track();
        if screen.get() != Screen::Question {
            return;
        }
        let take = move || {
            let blank = screen.try_get_untracked() == Some(Screen::Question)
                && draft.try_with_untracked(Option::is_none) == Some(true)
                && at.try_get_untracked() == first.try_get_value()
                && locale.try_get_untracked() == Some(home)
                && large.try_get_untracked() == Some(false);
            if let Some(key) = setup.try_with_value(super::shell::key).filter(|_| blank) {
                super::shell::keep(&key, home.tag());
            }
        };
        if document().ready_state() == "complete" {
            request_animation_frame(take);
        } else {
            crate::loaded::after_load(move || request_animation_frame(take));
        }
    });

    let visit = Visit {
        setup,
        draft,
        at,
        large,
        sending,
        locale,
        on_warn,
        submit,
    };
    let open = Memo::new(move |_| countdown.with(Option::is_some));
    let body = move || {
        round.track();
        match screen.get() {
            Screen::Question => view! { <QuestionScreen visit at=at.get() /> }.into_any(),
            Screen::Leaving => ().into_any(),
            Screen::Contact => match sent.get_value() {
                Some(response) => {
                    view! { <ContactScreen response on_done=asked on_warn /> }.into_any()
                }
                None => ().into_any(),
            },
            // One place for both thanks: a component drawn in two places is
            // compiled into each.
            shown => {
                let contacted = shown == Screen::Contacted;
                let yes = (!contacted && offer())
                    .then(|| Callback::new(move |()| screen.set(Screen::Contact)));
                let body = if contacted {
                    Key::ContactThanks
                } else {
                    Key::ThankYouBody
                };
                view! { <ThanksScreen done=Callback::new(move |()| new_customer()) offer=yes body /> }
                    .into_any()
            }
        }
    };
    view! {
        <div
            class="kiosk"
            class:kiosk-large=move || large.get()
            on:pointerdown=move |_| touched()
            on:keydown=move |_| touched()
            on:input=move |_| touched()
        >
            {body}
            {move || {
                open.get().then(|| view! { <IdleDialog countdown locale on_continue=still_here /> })
            }}
            <div class="kiosk-staff">
                <p
                    class="kiosk-warning"
                    data-testid="kiosk-enrol-again"
                    hidden=move || {
                        !sync
                            .state
                            .with(|s| s.last_error.as_ref().is_some_and(|e| e.needs_enrolment()))
                    }
                >
                    {t(Key::KioskEnrolAgain)}
                </p>
                <p class="kiosk-warning" hidden=move || warning.with(Option::is_none)>
                    {t(Key::StaffWarning)}
                    ": "
                    {move || warning.get().unwrap_or_default()}
                </p>
                <button type="button" class="kiosk-staff-button" on:click=move |_| on_staff.run(())>
                    {t(Key::Staff)}
                </button>
            </div>
        </div>
    }
}

/// Keep the draft on the device; if that fails, tell staff, not the customer.
fn save(draft: RwSignal<Option<Draft>>, on_warn: Callback<String>) {
    let result = draft.with_untracked(|d| d.as_ref().map(Draft::save));
    if let Some(Err(e)) = result {
        on_warn.run(e.to_string());
    }
}

#[component]
fn ThanksScreen(
    done: Callback<()>,
    /// Offer to contact the customer: "Yes" runs it.
    offer: Option<Callback<()>>,
    /// Under the thanks.
    body: Key,
) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    view! {
        <section class="kiosk-thanks">
            <h1 tabindex="-1" node_ref=heading>
                {t(Key::ThankYou)}
            </h1>
            <p>{t(body)}</p>
            <button type="button" class="primary" on:click=move |_| done.run(())>
                {t(Key::Done)}
            </button>
        </section>
        {offer
            .map(|yes| {
                view! {
                    <section class="kiosk-contact-offer" aria-labelledby="kiosk-contact-offer">
                        <h2 id="kiosk-contact-offer">{t(Key::ContactOffer)}</h2>
                        <button type="button" class="primary" on:click=move |_| yes.run(())>
                            {t(Key::ContactYes)}
                        </button>
                    </section>
                }
            })}
    }
}

/// A native modal `<dialog>`: `showModal()` makes the rest of the page inert
/// and keeps the focus inside, so a keyboard user cannot tab behind it;
/// Escape counts as "continue".
#[component]
fn IdleDialog(
    countdown: RwSignal<Option<u32>>,
    locale: RwSignal<Locale>,
    on_continue: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });
    view! {
        <dialog
            class="kiosk-idle"
            node_ref=dialog
            role="alertdialog"
            aria-labelledby="kiosk-idle-title"
            aria-describedby="kiosk-idle-left"
            on:cancel=move |e: web_sys::Event| {
                e.prevent_default();
                on_continue();
            }
        >
            <h2 id="kiosk-idle-title">{t(Key::StillThere)}</h2>
            <p id="kiosk-idle-left" data-testid="idle-countdown">
                {move || reset_in_text(locale.get(), countdown.get().unwrap_or(0))}
            </p>
            <button type="button" class="primary" autofocus on:click=move |_| on_continue()>
                {t(Key::Continue)}
            </button>
        </dialog>
    }
}
