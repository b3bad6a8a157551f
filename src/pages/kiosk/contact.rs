//! The customer's choice to be contacted, after their response: only once
//! they said yes on the thank-you screen does the kiosk ask how (phone or
//! e-mail, two large buttons), then the number or address, with what it is
//! used for, who sees it and when it is deleted beside the field. It is
//! checked on the tablet with the server's rule (`cases::check_contact`)
//! and kept apart from the response (`storage::contacts`) until the server
//! has it (`sync::contacts`).
//!
//! Nothing typed here is kept until "Send": the idle countdown, "No,
//! thanks", a reload or a power cut drop a half-typed number, and the next
//! customer's screens are built from nothing.

use crate::i18n::{t, text, use_locale, Key};
use crate::sync::contacts::use_contact_sync;
use branchpulse_core::cases::{
    check_contact, ContactRequest, ContactWay, MAX_EMAIL_CHARS, MAX_PHONE_CHARS,
};
use branchpulse_core::ProblemCode;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

/// Days a contact is kept after its case closes, as the server's default
/// (`BRANCHPULSE_CONTACT_RETENTION_DAYS`) says; the note beside the field
/// names it.
pub const RETENTION_DAYS: u32 = 30;

/// What became of the customer's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// Kept on the tablet, to be sent.
    Kept,
    /// "No, thanks".
    Declined,
    /// The tablet could not keep it: the customer was told to ask staff.
    NotKept,
}

#[component]
pub fn ContactScreen(
    /// The response the customer has just sent.
    response: Uuid,
    on_done: Callback<Asked>,
    /// For staff: why the tablet could not keep it.
    on_warn: Callback<String>,
) -> impl IntoView {
    let locale = use_locale();
    let sender = use_contact_sync();
    let way = RwSignal::new(None::<ContactWay>);
    let value = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Key>);
    let saving = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let heading = NodeRef::<html::H1>::new();
    let field = NodeRef::<html::Input>::new();
    // Each step's heading takes the focus, as each question's does; the
    // field takes it at once, so the tablet's keyboard comes up.
    Effect::new(move |_| {
        let typing = way.with(Option::is_some) && !failed.get();
        let (f, h) = (field.get(), heading.get());
        if typing {
            if let Some(f) = f {
                let _ = f.focus();
            }
        } else if let Some(h) = h {
            let _ = h.focus();
        }
    });

    let send = move || {
        let Some(w) = way.get_untracked() else { return };
        if saving.get_untracked() {
            return;
        }
        let checked = match check_contact(w, &value.get_untracked()) {
            Ok(v) => v,
            Err(code) => {
                return problem.set(Some(match (code, w) {
                    (ProblemCode::Empty, _) => Key::ContactErrEmpty,
                    (_, ContactWay::Phone) => Key::ContactErrPhone,
                    (_, ContactWay::Email) => Key::ContactErrEmail,
                }))
            }
        };
        let request = ContactRequest {
            id: super::config::new_uuid(),
            response,
            way: w,
            value: checked,
            locale: locale.get_untracked(),
        };
        saving.set(true);
        spawn_local(async move {
            match sender.save(&request).await {
                Ok(()) => on_done.run(Asked::Kept),
                Err(e) => {
                    on_warn.run(e.to_string());
                    failed.set(true);
                }
            }
        });
    };

    let no_thanks = move || {
        view! {
            <button
                type="button"
                class="kiosk-contact-no"
                on:click=move |_| on_done.run(Asked::Declined)
            >
                {t(Key::ContactNoThanks)}
            </button>
        }
    };

    let step = move || {
        if failed.get() {
            return view! {
                <h1 tabindex="-1" node_ref=heading>
                    {t(Key::ContactNotKept)}
                </h1>
                <div class="kiosk-nav">
                    <button
                        type="button"
                        class="primary"
                        on:click=move |_| on_done.run(Asked::NotKept)
                    >
                        {t(Key::Done)}
                    </button>
                </div>
            }
            .into_any();
        }
        match way.get() {
            None => view! {
                <h1 tabindex="-1" node_ref=heading>
                    {t(Key::ContactHow)}
                </h1>
                <div class="kiosk-contact-ways">
                    <button
                        type="button"
                        data-way="phone"
                        on:click=move |_| way.set(Some(ContactWay::Phone))
                    >
                        {t(Key::ContactByPhone)}
                    </button>
                    <button
                        type="button"
                        data-way="email"
                        on:click=move |_| way.set(Some(ContactWay::Email))
                    >
                        {t(Key::ContactByEmail)}
                    </button>
                </div>
                <div class="kiosk-nav">{no_thanks()}</div>
            }
            .into_any(),
            Some(w) => {
                let phone = w == ContactWay::Phone;
                let label = if phone {
                    Key::ContactPhoneLabel
                } else {
                    Key::ContactEmailLabel
                };
                let (kind, mode, max) = if phone {
                    ("tel", "tel", MAX_PHONE_CHARS)
                } else {
                    ("email", "email", MAX_EMAIL_CHARS)
                };
                let note = move || {
                    text(locale.get(), Key::ContactUse)
                        .replace("{days}", &RETENTION_DAYS.to_string())
                };
                // A shared tablet: the browser must neither keep nor suggest
                // one customer's number to the next (autocomplete off).
                view! {
                    <h1 tabindex="-1" node_ref=heading>
                        <label for="kiosk-contact-value">{t(label)}</label>
                    </h1>
                    <form
                        class="kiosk-contact-form"
                        novalidate
                        autocomplete="off"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            send();
                        }
                    >
                        <input
                            node_ref=field
                            id="kiosk-contact-value"
                            class="kiosk-contact-value"
                            type=kind
                            inputmode=mode
                            autocomplete="off"
                            spellcheck="false"
                            maxlength=max
                            aria-describedby="kiosk-contact-use kiosk-contact-problem"
                            aria-invalid=move || {
                                if problem.with(Option::is_some) { "true" } else { "false" }
                            }
                            prop:value=value
                            on:input=move |ev| {
                                value.set(event_target_value(&ev));
                                problem.set(None);
                            }
                        />
                        <p id="kiosk-contact-use" class="kiosk-contact-use">
                            {note}
                        </p>
                        <p id="kiosk-contact-problem" class="kiosk-required" role="alert">
                            {move || problem.get().map(|k| text(locale.get(), k))}
                        </p>
                        <div class="kiosk-nav">
                            <button
                                type="button"
                                class="kiosk-back"
                                on:click=move |_| {
                                    value.set(String::new());
                                    problem.set(None);
                                    way.set(None);
                                }
                            >
                                {t(Key::ContactBack)}
                            </button>
                            {no_thanks()}
                            <button type="submit" class="primary kiosk-next" disabled=saving>
                                {t(Key::Send)}
                            </button>
                        </div>
                    </form>
                }
                .into_any()
            }
        }
    };
    view! { <section class="kiosk-contact">{step}</section> }
}
