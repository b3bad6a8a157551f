//! Timing evidence: one tap each for arrived, joined the queue, served and
//! left, and a stopwatch of the wait.
//!
//! The stopwatch is never a counter: it is `served (or now) − joined`,
//! from the stored taps, so it stays right across a screen lock, a tab in
//! the background or a reload. A 1 s timer only re-reads the clock.

use super::draft::{Mark, VisitDraft};
use super::visit::Ctx;
use crate::i18n::{t, Key};
use leptos::prelude::*;
use std::time::Duration;

fn mark_key(m: Mark) -> (Key, Key) {
    match m {
        Mark::Arrived => (Key::ShopArrived, Key::ShopTapArrived),
        Mark::Joined => (Key::ShopJoined, Key::ShopTapJoined),
        Mark::Served => (Key::ShopServed, Key::ShopTapServed),
        Mark::Left => (Key::ShopLeft, Key::ShopTapLeft),
    }
}

fn mark_name(m: Mark) -> &'static str {
    match m {
        Mark::Arrived => "arrived",
        Mark::Joined => "joined",
        Mark::Served => "served",
        Mark::Left => "left",
    }
}

/// `ms` since the epoch as the device's local `HH:MM:SS`.
pub fn clock_time(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// A duration in ms as `M:SS`, or `H:MM:SS` from an hour on.
pub fn duration_text(ms: f64) -> String {
    let s = (ms.max(0.0) / 1000.0).floor() as u64;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The clock, re-read every second while the page is open.
pub(super) fn ticking_now() -> ReadSignal<f64> {
    let (now, set_now) = signal(js_sys::Date::now());
    if let Ok(h) = set_interval_with_handle(
        move || set_now.set(js_sys::Date::now()),
        Duration::from_millis(1000),
    ) {
        on_cleanup(move || h.clear());
    }
    now
}

#[component]
pub fn Timing(ctx: Ctx) -> impl IntoView {
    let now = ticking_now();
    let marks = Memo::new(move |_| ctx.draft.with(|d| d.marks));
    let waited = move || {
        let m = marks.get();
        let joined = m.joined?;
        Some(m.served.unwrap_or_else(|| now.get()) - joined)
    };
    let visit_time = move || {
        let m = marks.get();
        let arrived = m.arrived?;
        Some(m.left.unwrap_or_else(|| now.get()) - arrived)
    };
    let running = move || marks.with(|m| m.joined.is_some() && m.served.is_none());
    view! {
        <section class="shop-timing" aria-labelledby="tab-title">
            <h2 id="tab-title" tabindex="-1">
                {t(Key::ShopTiming)}
            </h2>
            <div class="shop-stopwatch" class:running=running>
                <p>
                    <span class="label">{t(Key::ShopWaitStopwatch)}</span>
                    <span class="value" data-testid="stopwatch">
                        {move || waited().map_or("–:––".to_owned(), duration_text)}
                    </span>
                </p>
                <p>
                    <span class="label">{t(Key::ShopVisitClock)}</span>
                    <span class="value" data-testid="visit-clock">
                        {move || visit_time().map_or("–:––".to_owned(), duration_text)}
                    </span>
                </p>
            </div>
            <ol class="shop-marks">
                {Mark::ALL.into_iter().map(|m| view! { <MarkRow ctx m marks /> }).collect_view()}
            </ol>
            <p class="shop-hint">{t(Key::ShopTimingHint)}</p>
        </section>
    }
}

#[component]
fn MarkRow(ctx: Ctx, m: Mark, marks: Memo<super::draft::Marks>) -> impl IntoView {
    let (name_key, tap_key) = mark_key(m);
    let at = move || marks.with(|x| x.get(m));
    // Taps are "now", so a later moment already tapped means this one was
    // missed: tapping it now would put the times out of order.
    let later_tapped = move || {
        marks.with(|x| {
            Mark::ALL
                .iter()
                .skip_while(|other| **other != m)
                .skip(1)
                .any(|other| x.get(*other).is_some())
        })
    };
    let set = move |v: Option<f64>| {
        ctx.edit(move |d: &mut VisitDraft| d.marks.set(m, v));
    };
    view! {
        <li class="shop-mark" data-mark=mark_name(m)>
            <button
                type="button"
                class="shop-tap"
                aria-pressed=move || at().is_some().to_string()
                disabled=move || at().is_some() || later_tapped() || ctx.locked()
                on:click=move |_| set(Some(js_sys::Date::now()))
            >
                {move || if at().is_some() { t(name_key)() } else { t(tap_key)() }}
            </button>
            <span class="shop-mark-time" data-testid=format!("time-{}", mark_name(m))>
                {move || at().map_or_else(|| "––:––:––".to_owned(), clock_time)}
            </span>
            <button
                type="button"
                class="shop-clear"
                hidden=move || at().is_none() || ctx.locked()
                aria-label=move || format!("{} — {}", t(Key::ShopClear)(), t(name_key)())
                on:click=move |_| set(None)
            >
                {t(Key::ShopClear)}
            </button>
        </li>
    }
}
