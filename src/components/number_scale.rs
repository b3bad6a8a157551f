//! A row of numbered buttons (NPS 0–10), each at least 48 × 48 px, with the
//! item's own help (e.g. "0 = not at all likely, 10 = extremely likely")
//! described by `describedby`.

use leptos::prelude::*;

#[component]
pub fn NumberScale(
    from: u8,
    to: u8,
    #[prop(into)] value: Signal<Option<u8>>,
    on_pick: Callback<u8>,
    #[prop(into)] labelledby: String,
    describedby: Option<String>,
) -> impl IntoView {
    view! {
        <div
            class="number-scale"
            role="group"
            aria-labelledby=labelledby
            aria-describedby=describedby
        >
            {(from..=to)
                .map(|n| {
                    view! {
                        <button
                            type="button"
                            data-value=n
                            aria-pressed=move || (value.get() == Some(n)).to_string()
                            on:click=move |_| on_pick.run(n)
                        >
                            {n}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
