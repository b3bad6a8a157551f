//! What the people's screens share (the admin's sections, the dashboard's
//! inbox and cases): a form's problems shown at their field, lists and
//! tables from the server with their loading, error and empty states, a
//! button that asks again, and small readers of form values.

use crate::api::ApiError;
use crate::i18n::{t, text, Key};
use crate::session::Auth;
use branchpulse_core::access::FieldError;
use branchpulse_core::{Locale, ProblemCode};
use leptos::prelude::*;

/// What a failed request means to the reader, in `l`.
pub(crate) fn say(e: &ApiError, l: Locale) -> String {
    match e {
        ApiError::Network(_) | ApiError::Timeout { .. } => text(l, Key::PplOffline).into(),
        ApiError::Server { status: 401, .. } => text(l, Key::AdmSessionEnded).into(),
        ApiError::Server { status: 403, .. } => text(l, Key::AdmNotAllowed).into(),
        ApiError::Server {
            code: Some(code),
            message,
            ..
        } => crate::problem::say(*code, message, l),
        // A server from before problem codes: its English is all there is.
        ApiError::Server { message, .. } => message.clone(),
        ApiError::Decode(e) => format!("{}: {e}", text(l, Key::ErrAnswer)),
    }
}

/// A 401 means the session ended: the page falls back to its sign-in link.
pub(crate) fn notice_end(e: &ApiError, auth: Option<Auth>) {
    if let (ApiError::Server { status: 401, .. }, Some(auth)) = (e, auth) {
        auth.ended();
    }
}

/// What is wrong with a form: the field it is about (or none) and the
/// message. Field ids are `{form}-{field}`, the message's `{form}-{field}-error`.
#[derive(Clone, Copy)]
pub(crate) struct Problem {
    form: StoredValue<String>,
    locale: RwSignal<Locale>,
    /// Taken when the form is made: requests end outside any component.
    auth: Option<Auth>,
    at: RwSignal<Option<(String, String)>>,
}

impl Problem {
    pub(crate) fn new(form: impl Into<String>) -> Problem {
        Problem {
            form: StoredValue::new(form.into()),
            locale: crate::i18n::use_locale(),
            auth: use_context(),
            at: RwSignal::new(None),
        }
    }

    pub(crate) fn clear(self) {
        self.at.set(None);
    }

    /// Keep a check's result; whether it passed.
    pub(crate) fn check(self, result: Result<(), FieldError>) -> bool {
        match result {
            Ok(()) => true,
            Err(e) => {
                let l = self.locale.get_untracked();
                self.refuse(e.field, crate::problem::say(e.code, &e.problem, l));
                false
            }
        }
    }

    /// Show `message` next to `field` (`""`: for the whole form).
    pub(crate) fn refuse(self, field: &str, message: String) {
        self.at.set(Some((field.to_string(), message)));
    }

    /// A failed request: next to the field the server names, if it is one
    /// of `fields`, else for the whole form.
    pub(crate) fn failed(self, e: &ApiError, fields: &[&str], l: Locale) {
        notice_end(e, self.auth);
        let field = match e {
            ApiError::Server {
                status,
                field: Some(field),
                ..
            } if (400..500).contains(status) => fields.iter().find(|f| *f == field).copied(),
            _ => None,
        };
        self.refuse(field.unwrap_or_default(), say(e, l));
    }

    /// Send a form's `request`, the form `busy` until it is answered; `then`
    /// takes the answer, and a refusal is shown at the field it names (one of
    /// `fields`) in the language the reader has by then.
    pub(crate) fn send<T: 'static>(
        self,
        busy: RwSignal<bool>,
        fields: &'static [&'static str],
        request: impl std::future::Future<Output = Result<T, ApiError>> + 'static,
        then: impl FnOnce(T) + 'static,
    ) {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = request.await;
            busy.set(false);
            match result {
                Ok(answer) => then(answer),
                Err(e) => self.failed(&e, fields, self.locale.get_untracked()),
            }
        });
    }

    pub(crate) fn id(self, field: &str) -> String {
        self.form.with_value(|form| format!("{form}-{field}"))
    }

    pub(crate) fn is_at(self, field: &'static str) -> impl Fn() -> Option<&'static str> + Copy {
        move || {
            self.at
                .with(|p| p.as_ref().is_some_and(|(f, _)| f == field))
                .then_some("true")
        }
    }

    /// The message for `field` (`""`: the whole form), where it goes.
    pub(crate) fn show(self, field: &'static str) -> impl IntoView {
        let id = format!(
            "{}-error",
            self.id(if field.is_empty() { "form" } else { field })
        );
        move || {
            self.at.with(|p| {
                p.as_ref().filter(|(f, _)| f == field).map(|(_, m)| {
                    view! {
                        <p class="error field-error" id=id.clone() role="alert">
                            {m.clone()}
                        </p>
                    }
                })
            })
        }
    }

    /// For `aria-describedby` of the field's input.
    pub(crate) fn described(self, field: &'static str) -> String {
        format!("{}-error", self.id(field))
    }
}

/// A list from the server with its loading, error and empty states.
pub(crate) fn listing<T, V>(
    list: LocalResource<Result<Vec<T>, ApiError>>,
    empty: Key,
    show: impl Fn(Vec<T>) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    let locale = crate::i18n::use_locale();
    let auth = use_context::<Auth>();
    move || match list.get() {
        None => view! {
            <p class="loading" role="status">
                {t(Key::Loading)}
            </p>
        }
        .into_any(),
        Some(Err(e)) => {
            notice_end(&e, auth);
            view! {
                <div class="error" role="alert">
                    <p>{t(Key::LoadFailed)} ": " {say(&e, locale.get())}</p>
                    <button type="button" on:click=move |_| list.refetch()>
                        {t(Key::Retry)}
                    </button>
                </div>
            }
            .into_any()
        }
        Some(Ok(items)) if items.is_empty() => view! { <p class="empty">{t(empty)}</p> }.into_any(),
        Some(Ok(items)) => show(items).into_any(),
    }
}

/// A list from the server as one admin section's table: a row of
/// `headings`, then `row` for each item (with [`listing`]'s states).
pub(crate) fn table<T, V>(
    list: LocalResource<Result<Vec<T>, ApiError>>,
    empty: Key,
    id: &'static str,
    headings: &'static [Key],
    row: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    listing(list, empty, move |all: Vec<T>| {
        let row = row.clone();
        view! {
            <div class="table-wrap">
                <table class="admin-table" id=id>
                    <thead>
                        <tr>
                            {headings
                                .iter()
                                .map(|k| view! { <th scope="col">{t(*k)}</th> })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>{all.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        }
    })
}

/// A list from the server as cards (`.follow-item`s), which read on a
/// phone as well as on a laptop: `item` for each (with [`listing`]'s states).
pub(crate) fn cards<T, V>(
    list: LocalResource<Result<Vec<T>, ApiError>>,
    empty: Key,
    id: &'static str,
    item: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    listing(list, empty, move |all: Vec<T>| {
        view! {
            <ul class="follow-list" id=id>
                {all.into_iter().map(item.clone()).collect_view()}
            </ul>
        }
    })
}

/// A button that asks again before it acts: `question` with `yes` and Cancel.
#[component]
pub(crate) fn Confirm(
    label: Key,
    question: Key,
    yes: Key,
    on_yes: Callback<()>,
    #[prop(optional)] disabled: Signal<bool>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    move || {
        if asking.get() {
            view! {
                <span class="confirm" role="group">
                    <span>{t(question)}</span>
                    <button
                        type="button"
                        class="danger"
                        on:click=move |_| {
                            asking.set(false);
                            on_yes.run(());
                        }
                    >
                        {t(yes)}
                    </button>
                    <button type="button" on:click=move |_| asking.set(false)>
                        {t(Key::Cancel)}
                    </button>
                </span>
            }
            .into_any()
        } else {
            view! {
                <button type="button" disabled=disabled on:click=move |_| asking.set(true)>
                    {t(label)}
                </button>
            }
            .into_any()
        }
    }
}

/// Focus element `id` once the view has been redrawn (a form that opened,
/// a page of a report).
pub(crate) fn focus_later(id: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(id) {
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                let _ = el.focus();
            }
        }
    });
}

/// `Some(value)` unless it is empty after trimming.
pub(crate) fn given(value: String) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// An RFC 3339 time as `YYYY-MM-DD HH:MM` (UTC), to read at a glance.
pub(crate) fn short_time(at: &str) -> String {
    at.get(..16).unwrap_or(at).replacen('T', " ", 1)
}

/// A choice left empty, as `code`: what the server would answer for it.
pub(crate) fn missing(field: &'static str, code: ProblemCode) -> FieldError {
    FieldError {
        field,
        code,
        problem: "nothing chosen".into(),
    }
}

/// A list filter's on/off box, its label around it.
#[component]
pub(crate) fn FilterCheck(
    id: &'static str,
    label: Key,
    #[prop(into)] changed: Callback<bool>,
) -> impl IntoView {
    view! {
        <label class="check">
            <input id=id type="checkbox" on:change=move |e| changed.run(event_target_checked(&e)) />
            {t(label)}
        </label>
    }
}

/// A list filter's choice of one value (the `<option>`s given as children)
/// or any (`""`).
#[component]
pub(crate) fn FilterChoice(
    id: &'static str,
    label: Key,
    #[prop(into)] changed: Callback<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <label>
            {t(label)} <select id=id on:change=move |e| changed.run(event_target_value(&e))>
                <option value="">{t(Key::VisAny)}</option>
                {children()}
            </select>
        </label>
    }
}
