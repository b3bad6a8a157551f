//! The enrolment screen of a kiosk or a shopper's phone: the one-time code
//! an admin made for this device, typed (`abcde fghjk`, `ABCDE-FGHJK`…) or
//! taken from the address the admin's QR code holds (`?enrol=CODE`), is
//! exchanged for the device's token, kept by `storage::enrolment`.
//!
//! Test hooks: `#enrol-code` (the input), `data-testid` `enrol-error`.

use crate::api::{self, ApiError};
use crate::i18n::{t, text, use_locale, Key};
use crate::storage::enrolment;
use crate::storage::enrolment::Enrolment;
use branchpulse_core::access::{normalize_code, DeviceKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The query parameter of the enrolment address.
const PARAM: &str = "enrol";

/// The code in the address (`?enrol=CODE`; `Some("")` for a bare
/// `?enrol`, which asks for a new code), removed from the address bar and
/// the history entry at once so that it is not left on the device.
pub fn take_code_from_address() -> Option<String> {
    let location = window().location();
    let url = web_sys::Url::new(&location.href().ok()?).ok()?;
    let params = url.search_params();
    let code = params.get(PARAM)?;
    params.delete(PARAM);
    let search = params.to_string().as_string().unwrap_or_default();
    let mut clean = url.pathname();
    if !search.is_empty() {
        clean = format!("{clean}?{search}");
    }
    clean.push_str(&url.hash());
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    Some(code)
}

/// Where this device enters a new code: its own mode's page (the kiosk's
/// staff page), with a bare `?enrol`.
pub fn enrol_again_href() -> &'static str {
    let shopper = match enrolment::current() {
        Some(e) => e.device.kind == DeviceKind::Shopper,
        None => window()
            .location()
            .pathname()
            .is_ok_and(|p| p.starts_with("/shop")),
    };
    if shopper {
        "/shop?enrol"
    } else {
        "/kiosk/staff?enrol"
    }
}

/// What went wrong, kept as keys so a language switch translates it.
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    key: Key,
    detail: Option<String>,
}

impl Problem {
    fn new(key: Key) -> Problem {
        Problem { key, detail: None }
    }
}

fn problem_of(error: &ApiError) -> Problem {
    match error {
        ApiError::Server { status: 401, .. } => Problem::new(Key::EnrolErrRefused),
        ApiError::Server { status: 429, .. } => Problem::new(Key::EnrolErrTooMany),
        ApiError::Network(_) | ApiError::Timeout { .. } => Problem::new(Key::EnrolErrOffline),
        ApiError::Server {
            status, message, ..
        } => Problem {
            key: Key::EnrolErrServer,
            detail: Some(format!("HTTP {status}: {message}")),
        },
        ApiError::Decode(e) => Problem {
            key: Key::EnrolErrServer,
            detail: Some(e.clone()),
        },
    }
}

#[component]
pub fn EnrolForm(
    /// The kind of device this page needs.
    kind: DeviceKind,
    /// A code from the address, tried at once.
    #[prop(default = None)]
    code: Option<String>,
    /// The kept enrolment could not be read (it was moved aside).
    #[prop(optional)]
    unreadable: bool,
    on_done: Callback<Enrolment>,
    /// Shown as "Cancel" when the device is enrolled already.
    #[prop(default = None)]
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let locale = use_locale();
    let typed = RwSignal::new(code.clone().unwrap_or_default());
    let problem = RwSignal::new(unreadable.then(|| Problem::new(Key::EnrolUnreadable)));
    let busy = RwSignal::new(false);
    let send = move |typed: String| {
        let Some(code) = normalize_code(&typed) else {
            return problem.set(Some(Problem::new(Key::EnrolErrMalformed)));
        };
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = api::enrol(&code).await;
            if result.is_ok() {
                // The visits kept on the device were the previous enrolment's shopper's.
                crate::storage::kept::forget_visits();
            }
            busy.set(false);
            match result {
                Ok(enrolled) if enrolled.device.kind != kind => {
                    problem.set(Some(Problem::new(match kind {
                        DeviceKind::Kiosk => Key::EnrolErrNotKiosk,
                        DeviceKind::Shopper => Key::EnrolErrNotShopper,
                    })))
                }
                Ok(enrolled) => match enrolment::save(&enrolled) {
                    Ok(()) => on_done.run(enrolled),
                    Err(e) => problem.set(Some(Problem {
                        key: Key::ErrStorage,
                        detail: Some(e.to_string()),
                    })),
                },
                Err(e) => problem.set(Some(problem_of(&e))),
            }
        });
    };
    if let Some(code) = code.filter(|c| !c.trim().is_empty()) {
        send(code);
    }
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        send(typed.get_untracked());
    };
    let message = move || {
        problem.get().map(|p| {
            let said = text(locale.get(), p.key);
            match p.detail {
                Some(detail) => format!("{said}: {detail}"),
                None => said.to_string(),
            }
        })
    };
    let intro = match kind {
        DeviceKind::Kiosk => Key::EnrolIntroKiosk,
        DeviceKind::Shopper => Key::EnrolIntroShop,
    };
    view! {
        <form class="enrol" on:submit=submit novalidate>
            <h2>{t(Key::EnrolTitle)}</h2>
            <p>{t(intro)}</p>
            <div class="field">
                <label for="enrol-code">{t(Key::EnrolCode)}</label>
                <input
                    id="enrol-code"
                    type="text"
                    autocomplete="one-time-code"
                    autocapitalize="characters"
                    spellcheck="false"
                    maxlength="40"
                    aria-describedby="enrol-code-hint"
                    aria-invalid=move || problem.with(Option::is_some).to_string()
                    prop:value=typed
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
                <p id="enrol-code-hint" class="hint">
                    {t(Key::EnrolCodeHint)}
                </p>
            </div>
            <p class="error" role="alert" data-testid="enrol-error">
                {message}
            </p>
            <div class="kiosk-nav">
                {on_cancel
                    .map(|c| {
                        view! {
                            <button type="button" on:click=move |_| c.run(())>
                                {t(Key::Cancel)}
                            </button>
                        }
                    })} <button type="submit" class="primary" disabled=busy>
                    {move || t(if busy.get() { Key::Enrolling } else { Key::EnrolSubmit })()}
                </button>
            </div>
        </form>
    }
}
