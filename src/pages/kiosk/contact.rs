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
    let (asking, sorry) = (NodeRef::<html::H1>::new(), NodeRef::<html::H1>::new());
    let field = NodeRef::<html::Input>::new();
    let phone = move || way.get() == Some(ContactWay::Phone);
    // Each step's heading takes the focus, as each question's does; the
    // field takes it at once, so the tablet's keyboard comes up.
    Effect::new(move |_| {
        let (typing, failed) = (way.with(Option::is_some), failed.get());
        let _ = match (failed, typing) {
            (true, _) => sorry.get().map(|h| h.focus()),
            (false, true) => field.get().map(|f| f.focus()),
            (false, false) => asking.get().map(|h| h.focus()),
        };
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

    // Every step is drawn once and hidden while another shows: fewer
    // views to build and swap, which keeps the kiosk's bundle small.
    let decline = move |_| on_done.run(Asked::Declined);
    let note =
        move || text(locale.get(), Key::ContactUse).replace("{days}", &RETENTION_DAYS.to_string());
    view! {
        <section class="kiosk-contact">
            <div hidden=move || way.with(Option::is_some) || failed.get()>
                <h1 tabindex="-1" node_ref=asking>
                    {t(Key::ContactHow)}
                </h1>
                <div class="kiosk-contact-ways">
                    <button type="button" on:click=move |_| way.set(Some(ContactWay::Phone))>
                        {t(Key::ContactByPhone)}
                    </button>
                    <button type="button" on:click=move |_| way.set(Some(ContactWay::Email))>
                        {t(Key::ContactByEmail)}
                    </button>
                </div>
                <div class="kiosk-nav">
                    <button type="button" on:click=decline>
                        {t(Key::ContactNoThanks)}
                    </button>
                </div>
            </div>
            // A shared tablet: the browser must neither keep nor suggest one
            // customer's number to the next (autocomplete off).
            <form
                class="kiosk-contact-form"
                hidden=move || way.with(Option::is_none) || failed.get()
                novalidate
                autocomplete="off"
                on:submit=move |ev| {
                    ev.prevent_default();
                    send();
                }
            >
                <h1>
                    <label for="kiosk-contact-value">
                        {move || {
                            text(
                                locale.get(),
                                if phone() {
                                    Key::ContactPhoneLabel
                                } else {
                                    Key::ContactEmailLabel
                                },
                            )
                        }}
                    </label>
                </h1>
                <input
                    node_ref=field
                    id="kiosk-contact-value"
                    class="kiosk-contact-value"
                    type=move || if phone() { "tel" } else { "email" }
                    inputmode=move || if phone() { "tel" } else { "email" }
                    maxlength=move || if phone() { MAX_PHONE_CHARS } else { MAX_EMAIL_CHARS }
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="kiosk-contact-use kiosk-contact-problem"
                    aria-invalid=move || problem.with(Option::is_some).to_string()
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
                        on:click=move |_| {
                            value.set(String::new());
                            problem.set(None);
                            way.set(None);
                        }
                    >
                        {t(Key::ContactBack)}
                    </button>
                    <button type="button" on:click=decline>
                        {t(Key::ContactNoThanks)}
                    </button>
                    <button type="submit" class="primary" disabled=saving>
                        {t(Key::Send)}
                    </button>
                </div>
            </form>
            <div hidden=move || !failed.get()>
                <h1 tabindex="-1" node_ref=sorry>
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
            </div>
        </section>
    }
}
