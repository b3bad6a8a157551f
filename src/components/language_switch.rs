use crate::i18n::{set_locale, t, use_locale, Key};
use branchpulse_core::Locale;
use leptos::prelude::*;

/// zh / en / es, each name written in its own language; remembers the choice.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="language-switch" role="group" aria-label=t(Key::Language)>
            {Locale::ALL
                .into_iter()
                .map(|l| {
                    view! {
                        <button
                            type="button"
                            lang=l.tag()
                            aria-pressed=move || (locale.get() == l).to_string()
                            on:click=move |_| set_locale(l)
                        >
                            {l.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
