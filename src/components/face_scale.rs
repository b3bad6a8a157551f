//! The 1–5 rating as five large faces. Each face is a button with its text
//! label under it (the label is the button's accessible name), so the
//! meaning never rests on the drawing or its colour alone.
//!
//! Props: `value` (the current rating, if any), `on_pick` (called with
//! 1–5), `labelledby` (the id of the question's heading), `scale` (whose
//! words label the faces, so a question about ease is answered "very
//! difficult … very easy"). The buttons carry `aria-pressed` and
//! `data-value`.

use crate::i18n::{scale_labels, text, use_locale};
use branchpulse_core::Scale;
use leptos::prelude::*;

#[component]
pub fn FaceScale(
    #[prop(into)] value: Signal<Option<u8>>,
    on_pick: Callback<u8>,
    #[prop(into)] labelledby: String,
    scale: Scale,
) -> impl IntoView {
    let locale = use_locale();
    let labels = scale_labels(scale);
    view! {
        <div class="face-scale" role="group" aria-labelledby=labelledby>
            {(1u8..=5)
                .map(|n| {
                    view! {
                        <button
                            type="button"
                            class=format!("face face-{n}")
                            data-value=n
                            aria-pressed=move || (value.get() == Some(n)).to_string()
                            on:click=move |_| on_pick.run(n)
                        >
                            <Face n />
                            <span class="face-label">
                                {move || text(locale.get(), labels[usize::from(n - 1)])}
                            </span>
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Face `n` (1 = very unhappy … 5 = very happy), decorative.
#[component]
fn Face(n: u8) -> impl IntoView {
    // The mouth's bend: negative frowns, positive smiles.
    let bend = [-16, -8, 0, 8, 16][usize::from(n - 1)];
    let mouth = format!("M30 66 Q50 {} 70 66", 66 + bend);
    view! {
        <svg viewBox="0 0 100 100" aria-hidden="true" focusable="false">
            <circle class="face-bg" cx="50" cy="50" r="46" />
            <circle class="face-eye" cx="35" cy="40" r="6" />
            <circle class="face-eye" cx="65" cy="40" r="6" />
            <path class="face-mouth" d=mouth />
        </svg>
    }
}
