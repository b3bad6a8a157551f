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
use branchpulse_core::{Answer, Item, ItemKind};
use leptos::html;
use leptos::prelude::*;
use std::time::Duration;

/// How long a tapped answer is shown as chosen before the next screen: long
/// enough to see what was recorded, short enough not to wait for.
pub const CONFIRM_MS: u64 = 600;

#[component]
pub fn QuestionScreen(visit: Visit, at: usize) -> impl IntoView {
    let Visit {
        setup,
        draft,
        pages,
        ..
    } = visit;
    let locale = use_locale();
    let Some(page) =
        pages.with_untracked(|v| v.iter().find(|p| p.at == at).or_else(|| v.first()).cloned())
    else {
        return ().into_any();
    };
    let at = page.at;
    let together = page.together;
    // The items shown on this screen: answers on it may show or hide some.
    let shown = Memo::new(move |_| {
        pages.with(|v| {
            v.iter()
                .find(|p| p.at == at)
                .map(|p| p.items.clone())
                .unwrap_or_default()
        })
    });
    let item_at = move |k: usize| setup.with_value(|s| s.questionnaire.items().nth(k).cloned());
    let position = move || pages.with(|v| v.iter().position(|p| p.at == at).unwrap_or(0));
    let is_last = move || pages.with(|v| v.last().is_none_or(|p| p.at <= at));
    let missing = RwSignal::new(false);

    let forward = move || {
        if visit.at.get_untracked() != at {
            return;
        }
        let unanswered = shown.with_untracked(|items| {
            items.iter().any(|k| {
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
        if is_last() {
            visit.submit.run(());
            return;
        }
        if let Some(to) = pages.with_untracked(|v| v.iter().map(|p| p.at).find(|p| *p > at)) {
            visit.at.set(to);
        }
    };

    // The confirmation's timer: a new tap restarts it, Back or leaving the
    // screen stops it.
    let confirming = RwSignal::new(false);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let stop = move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        timer.set_value(None);
        confirming.set(false);
    };
    on_cleanup(stop);
    let confirm = move || {
        stop();
        confirming.set(true);
        let h = set_timeout_with_handle(
            move || {
                confirming.set(false);
                forward();
            },
            Duration::from_millis(CONFIRM_MS),
        );
        timer.set_value(h.ok());
    };

    let back = move |_| {
        stop();
        if let Some(to) = pages.with_untracked(|v| v.iter().rev().map(|p| p.at).find(|p| *p < at)) {
            visit.at.set(to);
        }
    };
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });

    let (title, help, body, single) = if together {
        let section = setup.with_value(|s| s.questionnaire.sections[page.section].clone());
        // Every item is drawn once and hidden while show_if hides it: no
        // list to diff, which keeps the kiosk's bundle small.
        let body = section
            .items
            .iter()
            .enumerate()
            .map(|(n, item)| {
                let hidden = move || shown.with(|v| !v.contains(&(at + n)));
                view! { <TogetherItem visit item=item.clone() missing hidden /> }
            })
            .collect_view()
            .into_any();
        (section.title, None, body, None)
    } else {
        let Some(item) = item_at(page.items[0]) else {
            return ().into_any();
        };
        let taps = matches!(
            item.kind,
            ItemKind::Rating | ItemKind::Nps | ItemKind::YesNo | ItemKind::Choice { .. }
        );
        let required = item.required;
        let id = item.id.clone();
        let answer = answer_of(visit, id.clone());
        let set = Callback::new(move |a: Option<Answer>| {
            missing.set(false);
            let tapped = taps && a.is_some();
            visit.set_answer.run((id.clone(), a));
            if tapped {
                confirm();
            }
        });
        let help_id = format!("kh-{}", item.id);
        let help = item.help.clone().map(|h| (h, help_id.clone()));
        let title = item.text.clone();
        let body = view! {
            <ItemInput
                look=Look::Kiosk
                labelledby=format!("kq-{}", item.id)
                describedby=help.is_some().then_some(help_id)
                item
                answer
                set
            />
        }
        .into_any();
        // A tap moves on by itself; the button is for typed answers, for
        // skipping an optional item, and for coming back to an answered one.
        let needs_button = move || !taps || !required || answer.with(Option::is_some);
        (title, help, body, Some(needs_button))
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
                {move || progress_text(locale.get(), position() + 1, pages.with(Vec::len))}
            </p>
            <div class="kiosk-progress" aria-hidden="true">
                // `style:` sets the property through the CSSOM, which the
                // Content-Security-Policy allows (a style attribute it would not).
                <div style:width=move || {
                    let n = pages.with(Vec::len).max(1);
                    format!("{}%", (position() + 1) * 100 / n)
                }></div>
            </div>
            <h1 id=heading_id tabindex="-1" node_ref=heading>
                {move || title.get(locale.get()).to_string()}
            </h1>
            {help
                .map(|(h, id)| {
                    view! {
                        <p class="kiosk-help" id=id>
                            {move || h.get(locale.get()).to_string()}
                        </p>
                    }
                })}
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
                    hidden=move || single.is_some_and(|needed| !needed())
                >
                    {move || text(locale.get(), if is_last() { Key::Send } else { Key::Next })}
                </button>
            </div>
        </section>
    }
    .into_any()
}

/// One item of a `together` screen: its question as a subheading, its help,
/// its input.
#[component]
fn TogetherItem(
    visit: Visit,
    item: Item,
    missing: RwSignal<bool>,
    hidden: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let locale = use_locale();
    let id = item.id.clone();
    let heading_id = format!("kq-{id}");
    let help_id = format!("kh-{id}");
    let answer = answer_of(visit, id.clone());
    let set = {
        let id = id.clone();
        Callback::new(move |a: Option<Answer>| {
            missing.set(false);
            visit.set_answer.run((id.clone(), a));
        })
    };
    let question = item.text.clone();
    let help = item.help.clone();
    let describedby = help.is_some().then(|| help_id.clone());
    view! {
        <div class="kiosk-item" data-item=id hidden=hidden>
            <h2 id=heading_id.clone()>{move || question.get(locale.get()).to_string()}</h2>
            {help
                .map(|h| {
                    view! {
                        <p class="kiosk-help" id=help_id>
                            {move || h.get(locale.get()).to_string()}
                        </p>
                    }
                })}
            <ItemInput look=Look::Kiosk labelledby=heading_id describedby item answer set />
        </div>
    }
}

fn answer_of(visit: Visit, id: String) -> Memo<Option<Answer>> {
    Memo::new(move |_| {
        visit
            .draft
            .with(|d| d.as_ref().and_then(|d| d.answers.get(&id).cloned()))
    })
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
