//! One item on one screen: the question, its answer widget (faces, 0–10,
//! yes/no, options, seconds or a comment box), progress, Back and Next
//! (Send on the last shown item). A required item without an answer gets a
//! friendly message instead of moving on.

use super::config::KioskSetup;
use super::draft::{visible_steps, Draft};
use crate::components::{ItemInput, Look};
use crate::i18n::{progress_text, t, text, use_locale, Key};
use branchpulse_core::Answer;
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn QuestionScreen(
    setup: StoredValue<KioskSetup>,
    draft: RwSignal<Option<Draft>>,
    step: usize,
    on_submit: Callback<()>,
    on_warn: Callback<String>,
    #[prop(into)] sending: Signal<bool>,
) -> impl IntoView {
    let locale = use_locale();
    let Some(item) = setup.with_value(|s| s.questionnaire.items().nth(step).cloned()) else {
        return ().into_any();
    };
    let id = item.id.clone();
    let heading_id = format!("kq-{}", item.id);
    let help_id = format!("kh-{}", item.id);
    let answer = {
        let id = id.clone();
        Memo::new(move |_| draft.with(|d| d.as_ref().and_then(|d| d.answers.get(&id).cloned())))
    };
    let missing = RwSignal::new(false);
    let set_answer = {
        let id = id.clone();
        Callback::new(move |a: Option<Answer>| {
            missing.set(false);
            draft.update(|d| {
                if let Some(d) = d {
                    match a.clone() {
                        Some(a) => d.answers.insert(id.clone(), a),
                        None => d.answers.remove(&id),
                    };
                    setup.with_value(|s| d.prune(&s.questionnaire));
                }
            });
            save(draft, on_warn);
        })
    };
    // Positions among the items shown for the answers so far.
    let steps = Memo::new(move |_| {
        draft.with(|d| {
            let answers = d.as_ref().map(|d| d.answers.clone()).unwrap_or_default();
            setup.with_value(|s| visible_steps(&s.questionnaire, &answers))
        })
    });
    let position = move || steps.with(|v| v.iter().position(|s| *s == step).unwrap_or(0));
    let is_last = move || steps.with(|v| v.last().is_none_or(|last| *last <= step));
    let required = item.required;
    let next = move |_| {
        if required && answer.with(Option::is_none) {
            missing.set(true);
            return;
        }
        if is_last() {
            on_submit.run(());
            return;
        }
        let to = steps.with(|v| v.iter().copied().find(|s| *s > step));
        if let Some(to) = to {
            draft.update(|d| {
                if let Some(d) = d {
                    d.step = to;
                }
            });
            save(draft, on_warn);
        }
    };
    let back = move |_| {
        let to = steps.with(|v| v.iter().copied().rev().find(|s| *s < step));
        if let Some(to) = to {
            draft.update(|d| {
                if let Some(d) = d {
                    d.step = to;
                }
            });
            save(draft, on_warn);
        }
    };
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let question = item.text.clone();
    let help = item.help.clone();
    let has_help = help.is_some();
    let widget = view! {
        <ItemInput
            look=Look::Kiosk
            kind=item.kind.clone()
            answer
            set=set_answer
            labelledby=heading_id.clone()
            describedby=has_help.then(|| help_id.clone())
        />
    };
    view! {
        <section class="kiosk-question" data-item=id.clone()>
            <p class="kiosk-progress-text">
                {move || progress_text(locale.get(), position() + 1, steps.with(Vec::len))}
            </p>
            <div class="kiosk-progress" aria-hidden="true">
                // `style:` sets the property through the CSSOM, which the
                // Content-Security-Policy allows (a style attribute it would not).
                <div style:width=move || {
                    let n = steps.with(Vec::len).max(1);
                    format!("{}%", (position() + 1) * 100 / n)
                }></div>
            </div>
            <h1 id=heading_id.clone() tabindex="-1" node_ref=heading>
                {move || question.get(locale.get()).to_string()}
            </h1>
            {help
                .map(|h| {
                    view! {
                        <p class="kiosk-help" id=help_id.clone()>
                            {move || h.get(locale.get()).to_string()}
                        </p>
                    }
                })}
            {widget}
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
                <button type="button" class="primary kiosk-next" on:click=next disabled=sending>
                    {move || text(locale.get(), if is_last() { Key::Send } else { Key::Next })}
                </button>
            </div>
        </section>
    }
    .into_any()
}

/// Keep the draft on the device; if that fails, tell staff, not the customer.
pub fn save(draft: RwSignal<Option<Draft>>, on_warn: Callback<String>) {
    let result = draft.with_untracked(|d| d.as_ref().map(Draft::save));
    if let Some(Err(e)) = result {
        on_warn.run(e.to_string());
    }
}
