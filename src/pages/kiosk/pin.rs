//! The PIN prompt in front of the staff menu and of a change of setup.

use super::config::KioskSetup;
use crate::i18n::{t, Key};
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn PinPrompt(
    setup: StoredValue<KioskSetup>,
    on_ok: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let pin = RwSignal::new(String::new());
    let wrong = RwSignal::new(false);
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(i) = input.get() {
            let _ = i.focus();
        }
    });
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if setup.with_value(|s| s.pin_matches(&pin.get_untracked())) {
            on_ok.run(());
        } else {
            wrong.set(true);
            pin.set(String::new());
        }
    };
    view! {
        <form class="kiosk-pin" on:submit=submit>
            <h1>{t(Key::StaffMenu)}</h1>
            <label for="kiosk-pin-input">{t(Key::EnterPin)}</label>
            <input
                id="kiosk-pin-input"
                type="password"
                inputmode="numeric"
                autocomplete="off"
                maxlength="8"
                node_ref=input
                prop:value=pin
                on:input=move |ev| pin.set(event_target_value(&ev))
            />
            <p class="error" role="alert">
                {move || wrong.get().then(t(Key::WrongPin))}
            </p>
            <div class="kiosk-nav">
                <button type="button" on:click=move |_| on_cancel.run(())>
                    {t(Key::Cancel)}
                </button>
                <button type="submit" class="primary">
                    {t(Key::Confirm)}
                </button>
            </div>
        </form>
    }
}
