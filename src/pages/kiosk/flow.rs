//! The customer's side: language choice → one item per screen → thank you
//! → start again, with the idle countdown over the questions.

use super::config::KioskSetup;
use super::draft::{visible_steps, Draft};
use super::question::QuestionScreen;
use crate::i18n::{reset_in_text, set_locale, t, text, use_locale, Key};
use crate::sync::use_sync;
use branchpulse_core::Locale;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How long the thank-you screen stays, in ms.
const THANKS_MS: u64 = 6_000;
/// The countdown after the idle timeout: this many seconds, or the idle
/// timeout itself when that is shorter.
const COUNTDOWN_SECS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Start,
    Question,
    Thanks,
}

#[component]
pub fn Customers(
    setup: StoredValue<KioskSetup>,
    on_staff: Callback<()>,
    warning: RwSignal<Option<String>>,
) -> impl IntoView {
    let sync = use_sync();
    let locale = use_locale();
    let keep = setup.with_value(|s| s.keep_partial);
    // What a reload in the middle finds: resumed only when "keep" is set.
    let resumed = match Draft::load() {
        Some(d) if keep => Some(d),
        Some(_) => {
            Draft::discard();
            None
        }
        None => None,
    };
    let first = match &resumed {
        Some(d) if !d.parked => {
            set_locale(d.locale);
            Screen::Question
        }
        _ => Screen::Start,
    };
    let screen = RwSignal::new(first);
    let draft = RwSignal::new(resumed.filter(|d| !d.parked));
    let sending = RwSignal::new(false);
    let on_warn = Callback::new(move |e: String| warning.set(Some(e)));

    let update = use_context::<crate::update::Update>();
    // Back to the start screen: nothing of this customer stays in the DOM.
    // Between customers is also the one moment a new version may load.
    let reset = move || {
        super::config::take_newer_questionnaire(setup);
        draft.set(None);
        sending.set(false);
        screen.set(Screen::Start);
        if let Some(update) = update.filter(|u| u.ready.get_untracked()) {
            update.apply();
        }
    };

    let start = move |l: Locale| {
        set_locale(l);
        let mut d = match Draft::load() {
            Some(d) if keep => d,
            _ => Draft::new(l),
        };
        d.locale = l;
        d.parked = false;
        // A questionnaire edited since: continue at an item still shown.
        let steps = setup.with_value(|s| {
            d.prune(&s.questionnaire);
            visible_steps(&s.questionnaire, &d.answers)
        });
        if !steps.contains(&d.step) {
            d.step = steps.first().copied().unwrap_or(0);
        }
        if let Err(e) = d.save() {
            on_warn.run(e.to_string());
        }
        draft.set(Some(d));
        screen.set(Screen::Question);
    };

    let submit = Callback::new(move |()| {
        if sending.get_untracked() {
            return;
        }
        let Some(d) = draft.get_untracked() else {
            return;
        };
        match setup.with_value(|s| d.to_response(s)) {
            Ok(response) => {
                sending.set(true);
                spawn_local(async move {
                    if let Err(e) = sync.save(&response).await {
                        // Not the customer's fault: thank them, keep the
                        // response in localStorage if that still works, and
                        // tell staff.
                        let key = crate::storage::keys::kiosk_unsaved(&response.id.to_string());
                        let _ = crate::storage::drafts::save(&key, &response);
                        on_warn.run(e.to_string());
                    }
                    Draft::discard();
                    draft.set(None);
                    sending.set(false);
                    screen.set(Screen::Thanks);
                });
            }
            Err(problems) => {
                // Only a required item can be missing here; go back to it.
                let target = setup.with_value(|s| {
                    problems.iter().find_map(|p| {
                        let id = p.field.strip_prefix("answers.")?;
                        s.questionnaire.items().position(|i| i.id == id)
                    })
                });
                match target {
                    Some(step) => draft.update(|d| {
                        if let Some(d) = d {
                            d.step = step;
                        }
                    }),
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

    // Idle: the last touch, and the countdown once the timeout passed.
    let idle_ms = f64::from(setup.with_value(|s| s.idle_secs)) * 1000.0;
    let countdown_secs = setup.with_value(|s| s.idle_secs).min(COUNTDOWN_SECS);
    let last_touch = StoredValue::new(js_sys::Date::now());
    let deadline = StoredValue::new(0.0f64);
    let countdown = RwSignal::new(None::<u32>);
    let touched = move || {
        last_touch.set_value(js_sys::Date::now());
    };
    let time_out = move || {
        countdown.set(None);
        if keep {
            draft.update_untracked(|d| {
                if let Some(d) = d {
                    d.parked = true;
                }
            });
            super::question::save(draft, on_warn);
        } else {
            Draft::discard();
        }
        reset();
    };
    let tick = move || {
        if screen.get_untracked() != Screen::Question {
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
                    time_out();
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

    // The thank-you screen goes by itself.
    Effect::new(move |_| {
        if screen.get() == Screen::Thanks {
            if let Ok(h) = set_timeout_with_handle(reset, Duration::from_millis(THANKS_MS)) {
                on_cleanup(move || h.clear());
            }
        }
    });

    let open = Memo::new(move |_| countdown.with(Option::is_some));
    let step = Memo::new(move |_| draft.with(|d| d.as_ref().map(|d| d.step)));
    let body = move || match screen.get() {
        Screen::Start => view! { <StartScreen setup start /> }.into_any(),
        Screen::Question => match step.get() {
            Some(step) => {
                view! { <QuestionScreen setup draft step on_submit=submit on_warn sending /> }
                    .into_any()
            }
            None => ().into_any(),
        },
        Screen::Thanks => {
            view! { <ThanksScreen done=Callback::new(move |()| reset()) /> }.into_any()
        }
    };
    view! {
        <div
            class="kiosk"
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

#[component]
fn StartScreen(
    setup: StoredValue<KioskSetup>,
    start: impl Fn(Locale) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (title, offered) = setup.with_value(|s| (s.questionnaire.title.clone(), s.offered()));
    view! {
        <section class="kiosk-start">
            <h1>
                {offered
                    .iter()
                    .map(|l| view! { <span lang=l.tag()>{title.get(*l).to_string()}</span> })
                    .collect_view()}
            </h1>
            <div class="kiosk-languages">
                {offered
                    .iter()
                    .map(|l| {
                        let l = *l;
                        view! {
                            <button
                                type="button"
                                class="kiosk-language"
                                lang=l.tag()
                                on:click=move |_| start(l)
                            >
                                <span class="kiosk-language-name">{l.native_name()}</span>
                                <span class="kiosk-language-cta">
                                    {text(l, Key::ChooseLanguage)}
                                </span>
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
}

#[component]
fn ThanksScreen(done: Callback<()>) -> impl IntoView {
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
            <p>{t(Key::ThankYouBody)}</p>
            <button type="button" class="primary" on:click=move |_| done.run(())>
                {t(Key::Done)}
            </button>
        </section>
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
