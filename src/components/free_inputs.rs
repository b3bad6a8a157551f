//! The two typed answers shared by the kiosk and the shopper's form: a
//! number of seconds and a free text. Each reports its answer as typed
//! (`None` while it is empty or not a valid number).

use crate::i18n::{t, Key};
use branchpulse_core::Answer;
use leptos::prelude::*;

/// Seconds, 0 to `max`, with the unit after the field.
#[component]
pub fn SecondsInput(
    class: &'static str,
    max: u32,
    answer: Memo<Option<Answer>>,
    set: Callback<Option<Answer>>,
    labelledby: String,
    #[prop(into, optional)] readonly: Signal<bool>,
) -> impl IntoView {
    let initial = match answer.get_untracked() {
        Some(Answer::Seconds(s)) => s.to_string(),
        _ => String::new(),
    };
    view! {
        <label class=class>
            <input
                type="number"
                inputmode="numeric"
                min="0"
                max=max
                aria-labelledby=labelledby
                readonly=readonly
                prop:value=initial
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    set.run(
                        v.trim().parse::<u32>().ok().filter(|s| *s <= max).map(Answer::Seconds),
                    );
                }
            />
            " "
            {t(Key::Seconds)}
        </label>
    }
}

/// Free text up to `max_len` characters; blank counts as no answer.
#[component]
pub fn TextInput(
    class: &'static str,
    rows: u32,
    max_len: u32,
    answer: Memo<Option<Answer>>,
    set: Callback<Option<Answer>>,
    labelledby: String,
    #[prop(default = None)] describedby: Option<String>,
    #[prop(into, optional)] readonly: Signal<bool>,
) -> impl IntoView {
    let initial = match answer.get_untracked() {
        Some(Answer::Text(s)) => s,
        _ => String::new(),
    };
    view! {
        <textarea
            class=class
            rows=rows
            maxlength=max_len
            aria-labelledby=labelledby
            aria-describedby=describedby
            readonly=readonly
            prop:value=initial
            on:input=move |ev| {
                let v = event_target_value(&ev);
                set.run((!v.trim().is_empty()).then_some(Answer::Text(v)));
            }
        ></textarea>
    }
}
