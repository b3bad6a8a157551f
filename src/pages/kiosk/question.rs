//! One screen: a single item, or a `together` section's items under one
//! button; above them the language switch and "Larger text", below them
//! Back and, where it is needed, Next or Send.
//!
//! A tap on a face, yes/no, 0–10, an option or "does not apply" on a
//! single-item screen is the whole answer: the chosen button shows it for
//! [`CONFIRM_MS`], then the next screen comes (or, on the last screen, the
//! response is sent). Typed answers and `together` screens wait for the
//! button. A required item without an answer gets a friendly message
//! instead of moving on.

use super::flow::Visit;
use crate::components::{ItemInput, Look};
use crate::i18n::{progress_text, show_locale, t, text, use_locale, Key};
use branchpulse_core::{Answer, Item, ItemKind, Text};
use leptos::html;
use leptos::prelude::*;
use std::time::Duration;

/// How long a tapped answer is shown as chosen before the next screen: long
/// enough to see what was recorded, short enough not to wait for.
pub const CONFIRM_MS: u64 = 600;

#[component]
pub fn QuestionScreen(visit: Visit, at: usize) -> impl IntoView {
    let Visit { setup, draft, .. } = visit;
    let locale = use_locale();
    let pages = move || visit.pages();
    let Some(page) = untrack(|| {
        let v = pages();
        v.iter().find(|p| p.at == at).or_else(|| v.first()).cloned()
    }) else {
        return ().into_any();
    };
    let at = page.at;
    let together = page.together;
    // The items shown on this screen: answers on it may show or hide some.
    let shown = move || {
        pages()
            .into_iter()
            .find(|p| p.at == at)
            .map(|p| p.items)
            .unwrap_or_default()
    };
    let item_at = move |k: usize| setup.with_value(|s| s.questionnaire.items().nth(k).cloned());
    let position = move || pages().iter().position(|p| p.at == at).unwrap_or(0);
    let is_last = move || pages().last().is_none_or(|p| p.at <= at);
    let missing = RwSignal::new(false);

    let forward = move || {
        if visit.at.get_untracked() != at {
            return;
        }
        let unanswered = untrack(|| {
            shown().iter().any(|k| {
                item_at(*k).is_some_and(|i| {
                    i.required
                        && draft.with_untracked(|d| {
                            d.as_ref().is_none_or(|d| !d.answers.contains_key(&i.id))
                        })
                })
            })
        });
        if unanswered {
            missing.set(true);
            return;
        }
        if untrack(is_last) {
            visit.submit.run(());
            return;
        }
        if let Some(to) = untrack(pages).iter().map(|p| p.at).find(|p| *p > at) {
            visit.at.set(to);
        }
    };

    // The confirmation's timer: a new tap or Back makes it stale; leaving
    // the screen disposes the signals it checks.
    let confirming = RwSignal::new(false);
    let taps = RwSignal::new(0u32);
    let stop = move || {
        taps.update(|n| *n += 1);
        confirming.set(false);
    };
    let confirm = move || {
        stop();
        confirming.set(true);
        let tap = taps.get_untracked();
        set_timeout(
            move || {
                if taps.try_get_untracked() == Some(tap) {
                    confirming.set(false);
                    forward();
                }
            },
            Duration::from_millis(CONFIRM_MS),
        );
    };

    let back = move |_| {
        stop();
        if let Some(to) = untrack(pages).iter().rev().map(|p| p.at).find(|p| *p < at) {
            visit.at.set(to);
        }
    };
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            // Focusing lays the page out. At start that is left to the
            // frame that draws the first question (it lays the page out
            // anyway), so the question is not held back.
            if crate::loaded::first_frame_drawn() {
                let _ = h.focus();
            } else {
                request_animation_frame(move || {
                    let _ = h.focus();
                });
            }
        }
    });

    let (title, body, single) = if together {
        let section = setup.with_value(|s| s.questionnaire.sections[page.section].clone());
        // Every item is drawn once and hidden while show_if hides it: no
        // list to diff, which keeps the kiosk's bundle small.
        let body = section
            .items
            .iter()
            .enumerate()
            .map(|(n, item)| {
                let hidden = Signal::derive(move || !shown().contains(&(at + n)));
                view! { <ItemBlock visit item=item.clone() subheading=true missing hidden /> }
            })
            .collect_view()
            .into_any();
        (section.title, body, None)
    } else {
        let Some(item) = item_at(page.items[0]) else {
            return ().into_any();
        };
        let by_tap = matches!(
            item.kind,
            ItemKind::Rating | ItemKind::Nps | ItemKind::YesNo | ItemKind::Choice { .. }
        );
        let required = item.required;
        let answered = {
            let id = item.id.clone();
            move || draft.with(|d| d.as_ref().is_some_and(|d| d.answers.contains_key(&id)))
        };
        let title = item.text.clone();
        let body = view! {
            <ItemBlock
                visit
                item
                subheading=false
                missing
                hidden=false
                on_tap=Callback::new(move |()| confirm())
            />
        }
        .into_any();
        // A tap moves on by itself; the button is for typed answers, for
        // skipping an optional item, and for coming back to an answered one.
        let needs_button = move || !by_tap || !required || answered();
        (title, body, Some(needs_button))
    };
    let heading_id = if together {
        format!("ks-{at}")
    } else {
        format!("kq-{}", item_at(at).map(|i| i.id).unwrap_or_default())
    };
    let data_item = (!together).then(|| item_at(at).map(|i| i.id).unwrap_or_default());
    let data_section =
        together.then(|| setup.with_value(|s| s.questionnaire.sections[page.section].id.clone()));
    let offered = setup.with_value(|s| s.offered());

    view! {
        <section
            class="kiosk-question"
            class:confirming=move || confirming.get()
            data-item=data_item
            data-section=data_section
        >
            <div class="kiosk-tools">
                <Languages offered />
                <button
                    type="button"
                    class="kiosk-larger"
                    aria-pressed=move || visit.large.get().to_string()
                    on:click=move |_| visit.large.update(|l| *l = !*l)
                >
                    {t(Key::LargerText)}
                </button>
            </div>
            <p class="kiosk-progress-text">
                {move || progress_text(locale.get(), position() + 1, pages().len())}
            </p>
            <div class="kiosk-progress" aria-hidden="true">
                // `style:` sets the property through the CSSOM, which the
                // Content-Security-Policy allows (a style attribute it would not).
                <div style:width=move || {
                    let n = pages().len().max(1);
                    format!("{}%", (position() + 1) * 100 / n)
                }></div>
            </div>
            <h1 id=heading_id tabindex="-1" node_ref=heading>
                {move || title.get(locale.get()).to_string()}
            </h1>
            {body}
            <p class="kiosk-required" role="alert">
                {move || missing.get().then(|| text(locale.get(), Key::Required))}
            </p>
            <div class="kiosk-nav">
                <button
                    type="button"
                    class="kiosk-back"
                    on:click=back
                    hidden=move || position() == 0
                >
                    {t(Key::Back)}
                </button>
                <button
                    type="button"
                    class="primary kiosk-next"
                    on:click=move |_| {
                        stop();
                        forward();
                    }
                    disabled=visit.sending
                    hidden=move || single.as_ref().is_some_and(|needed| !needed())
                >
                    {move || text(locale.get(), if is_last() { Key::Send } else { Key::Next })}
                </button>
            </div>
        </section>
    }
    .into_any()
}

/// One item's help and input; on a `together` screen also its question, as
/// a subheading (a single item's question is the screen's heading). The
/// one place the kiosk draws an [`ItemInput`], which keeps the kiosk's
/// bundle free of the shop's look.
#[component]
fn ItemBlock(
    visit: Visit,
    item: Item,
    /// Its question as a subheading.
    subheading: bool,
    missing: RwSignal<bool>,
    #[prop(into)] hidden: Signal<bool>,
    /// Called after a tapped answer (faces, 0–10, yes/no, an option, "does
    /// not apply"), on a single-item screen.
    #[prop(optional)]
    on_tap: Option<Callback<()>>,
) -> impl IntoView {
    let locale = use_locale();
    let id = item.id.clone();
    let heading_id = format!("kq-{id}");
    let help_id = format!("kh-{id}");
    let answer = {
        let id = id.clone();
        Memo::new(move |_| {
            visit
                .draft
                .with(|d| d.as_ref().and_then(|d| d.answers.get(&id).cloned()))
        })
    };
    let by_tap = matches!(
        item.kind,
        ItemKind::Rating | ItemKind::Nps | ItemKind::YesNo | ItemKind::Choice { .. }
    );
    let set = {
        let id = id.clone();
        Callback::new(move |a: Option<Answer>| {
            missing.set(false);
            let tapped = by_tap && a.is_some();
            visit.set_answer(&id, a);
            if let Some(on_tap) = on_tap.filter(|_| tapped) {
                on_tap.run(());
            }
        })
    };
    let question = item.text.clone();
    let help = item.help.clone();
    let describedby = help.is_some().then(|| help_id.clone());
    view! {
        <div class="kiosk-item" data-item=id hidden=hidden>
            {subheading
                .then(|| {
                    view! {
                        <h2 id=heading_id
                            .clone()>{move || question.get(locale.get()).to_string()}</h2>
                    }
                })}
            {help.map(|text| view! { <Help text id=help_id /> })}
            <ItemInput look=Look::Kiosk labelledby=heading_id describedby item answer set />
        </div>
    }
}

/// An item's help, which its input names with `aria-describedby`.
#[component]
fn Help(text: Text, id: String) -> impl IntoView {
    let locale = use_locale();
    view! {
        <p class="kiosk-help" id=id>
            {move || text.get(locale.get()).to_string()}
        </p>
    }
}

/// The offered languages, each named in its own: switching keeps the
/// answers, and lasts only for this customer.
#[component]
fn Languages(offered: Vec<branchpulse_core::Locale>) -> impl IntoView {
    let locale = use_locale();
    (offered.len() > 1).then(|| {
        view! {
            <div class="kiosk-language-switch" role="group" aria-label=t(Key::Language)>
                {offered
                    .into_iter()
                    .map(|l| {
                        view! {
                            <button
                                type="button"
                                lang=l.tag()
                                aria-pressed=move || (locale.get() == l).to_string()
                                on:click=move |_| show_locale(locale, l)
                            >
                                {l.native_name()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}
