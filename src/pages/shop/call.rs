//! The ring counter of a `call` item: the shopper taps "Ring" at each ring
//! heard, then "Answered" or "No answer", so "answered within three rings"
//! and the call-loss rate come from the taps, not from an estimate.
//!
//! The taps are kept in the draft (saved on every change), so a count in
//! progress survives a reload; the timer is `now − first ring`, re-read
//! every second, never a counter of its own.

use super::draft::VisitDraft;
use super::timing::ticking_now;
use super::visit::Ctx;
use crate::i18n::{t, Key};
use branchpulse_core::questionnaire::{MAX_CALL_RINGS, MAX_CALL_SECONDS};
use branchpulse_core::Answer;
use leptos::prelude::*;

/// Whole seconds from the first ring to `end`, within what a call answer may hold.
fn call_seconds(taps: &[f64], end: f64) -> u32 {
    match taps.first() {
        Some(first) => (((end - first).max(0.0) / 1000.0).round() as u32).min(MAX_CALL_SECONDS),
        None => 0,
    }
}

fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_owned(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

#[component]
pub fn CallItem(ctx: Ctx, id: String, labelledby: String) -> impl IntoView {
    let now = ticking_now();
    let taps = {
        let id = id.clone();
        Memo::new(move |_| {
            ctx.draft
                .with(|d| d.rings.get(&id).cloned().unwrap_or_default())
        })
    };
    let done = {
        let id = id.clone();
        Memo::new(move |_| {
            ctx.draft.with(|d| match d.answers.get(&id) {
                Some(Answer::Call {
                    rings,
                    answered,
                    seconds,
                }) => Some((*rings, *answered, *seconds)),
                _ => None,
            })
        })
    };
    let locked = move || ctx.locked();
    let count = move || taps.with(Vec::len);
    let edit = move |id: String, f: fn(&mut VisitDraft, &str)| {
        ctx.edit(move |d: &mut VisitDraft| f(d, &id));
    };
    let ring = {
        let id = id.clone();
        move |_| {
            let at = js_sys::Date::now();
            let id = id.clone();
            ctx.edit(move |d: &mut VisitDraft| {
                let taps = d.rings.entry(id).or_default();
                if taps.len() < usize::from(MAX_CALL_RINGS) {
                    taps.push(at);
                }
            });
        }
    };
    let finish = move |id: String, answered: bool| {
        let at = js_sys::Date::now();
        ctx.edit(move |d: &mut VisitDraft| {
            let taps = d.rings.remove(&id).unwrap_or_default();
            if answered && taps.is_empty() {
                return;
            }
            let answer = Answer::Call {
                rings: taps.len().min(usize::from(MAX_CALL_RINGS)) as u8,
                answered,
                seconds: call_seconds(&taps, at),
            };
            d.answers.insert(id, answer);
        });
    };
    let answered = {
        let id = id.clone();
        move |_| finish(id.clone(), true)
    };
    let hung_up = {
        let id = id.clone();
        move |_| finish(id.clone(), false)
    };
    let undo = {
        let id = id.clone();
        move |_| {
            edit(id.clone(), |d, id| {
                if let Some(taps) = d.rings.get_mut(id) {
                    taps.pop();
                    if taps.is_empty() {
                        d.rings.remove(id);
                    }
                }
            })
        }
    };
    let reset = {
        let id = id.clone();
        move |_| {
            edit(id.clone(), |d, id| {
                d.rings.remove(id);
                d.answers.remove(id);
            })
        }
    };
    // What the screen reader hears after each tap, and what the eye reads.
    let status = move || match done.get() {
        Some((rings, true, seconds)) => fill(
            t(Key::ShopCallDoneAnswered)(),
            &[
                ("rings", rings.to_string()),
                ("seconds", seconds.to_string()),
            ],
        ),
        Some((rings, false, seconds)) => fill(
            t(Key::ShopCallDoneLost)(),
            &[
                ("rings", rings.to_string()),
                ("seconds", seconds.to_string()),
            ],
        ),
        None if count() == 0 => t(Key::ShopCallNotStarted)().to_owned(),
        None => fill(t(Key::ShopCallRings)(), &[("rings", count().to_string())]),
    };
    let timer = move || {
        (done.get().is_none() && count() > 0).then(|| {
            let seconds = taps.with(|taps| call_seconds(taps, now.get()));
            fill(t(Key::ShopCallTimer)(), &[("seconds", seconds.to_string())])
        })
    };
    let counting = move || done.get().is_none() && !locked();
    let full = move || !counting() || count() >= usize::from(MAX_CALL_RINGS);
    view! {
        <div class="shop-call" role="group" aria-labelledby=labelledby data-testid="ring-counter">
            <p class="shop-hint">{t(Key::ShopCallHint)}</p>
            <p class="shop-call-status" aria-live="polite" data-testid="call-status">
                {status}
            </p>
            <p class="shop-call-timer" data-testid="call-timer">
                {timer}
            </p>
            <button type="button" class="shop-ring" data-action="ring" disabled=full on:click=ring>
                <span>{t(Key::ShopCallRing)}</span>
                <span class="shop-ring-count" aria-hidden="true">
                    {count}
                </span>
            </button>
            <div class="shop-call-end">
                <button
                    type="button"
                    class="yes"
                    data-action="answered"
                    disabled=move || !counting() || count() == 0
                    on:click=answered
                >
                    {t(Key::ShopCallAnswered)}
                </button>
                <button
                    type="button"
                    class="no"
                    data-action="no-answer"
                    disabled=move || !counting()
                    on:click=hung_up
                >
                    {t(Key::ShopCallNoAnswer)}
                </button>
            </div>
            <div class="shop-call-fix">
                <button
                    type="button"
                    data-action="undo"
                    disabled=move || !counting() || count() == 0
                    on:click=undo
                >
                    {t(Key::ShopCallUndo)}
                </button>
                <button
                    type="button"
                    data-action="reset"
                    disabled=move || locked() || (done.get().is_none() && count() == 0)
                    on:click=reset
                >
                    {t(Key::ShopCallReset)}
                </button>
            </div>
        </div>
    }
}
