//! `/admin`: the admin's screens, one section at a time (`?s=`): branches,
//! questionnaires, visits, devices, users, and the audit log with the
//! free-text purge. Only an admin sees them; anyone else gets a sign-in
//! link or a "not allowed".
//!
//! Every form runs the checks the server runs (`branchpulse_core::access`)
//! before sending, and shows the server's 4xx problem, in the admin's
//! language, next to the field the server names. Every text from the
//! server (branch names, labels, comments) goes into the page as text,
//! never as markup.

mod audit;
mod branches;
mod devices;
mod questionnaires;
mod quotas;
mod reports;
mod users;
mod visits;

use crate::api::ApiError;
use crate::i18n::{t, text, Key};
use crate::session::{login_url, Account, Auth};
use branchpulse_core::access::{FieldError, Role};
use branchpulse_core::{Locale, ProblemCode};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The sections, as named in the URL (`/admin?s=users`).
const SECTIONS: [(&str, Key); 7] = [
    ("branches", Key::AdmBranches),
    ("questionnaires", Key::Questionnaires),
    ("visits", Key::AdmVisits),
    ("reports", Key::AdmReports),
    ("devices", Key::AdmDevices),
    ("users", Key::AdmUsers),
    ("audit", Key::AdmAudit),
];

#[derive(Debug, Clone, PartialEq)]
enum Gate {
    Checking,
    SignedOut,
    Unreachable(String),
    NotAllowed,
    /// An admin (every section) or a reviewer (the programme's: visits
    /// and review).
    Staff(Role),
}

/// The sections `role` may open.
fn sections_of(role: Role) -> Vec<(&'static str, Key)> {
    SECTIONS
        .into_iter()
        .filter(|(id, _)| role == Role::Admin || PROGRAMME.contains(id))
        .collect()
}

/// The sections of the mystery-shop programme, open to reviewers too.
const PROGRAMME: [&str; 2] = ["visits", "reports"];

#[component]
pub fn AdminPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let gate = Memo::new(move |_| {
        auth.0.with(|a| match a {
            Account::Checking => Gate::Checking,
            Account::SignedOut => Gate::SignedOut,
            Account::Unreachable(e) => Gate::Unreachable(e.clone()),
            Account::SignedIn(s) if matches!(s.user.role, Role::Admin | Role::Reviewer) => {
                Gate::Staff(s.user.role)
            }
            Account::SignedIn(_) => Gate::NotAllowed,
        })
    });
    view! {
        <div class="admin">
            <h1>{t(Key::AdminTitle)}</h1>
            <p class="hint">{t(Key::AdminIntro)}</p>
            {move || match gate.get() {
                Gate::Checking => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
                Gate::SignedOut => {
                    view! {
                        <p>{t(Key::AdmSignInFirst)}</p>
                        <a class="button" id="admin-sign-in" href=login_url("/admin")>
                            {t(Key::PplSignIn)}
                        </a>
                    }
                        .into_any()
                }
                Gate::Unreachable(e) => {
                    view! {
                        <div class="error" role="alert">
                            <p>{t(Key::PplOffline)} " (" {e} ")"</p>
                            <button type="button" on:click=move |_| auth.refresh()>
                                {t(Key::Retry)}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Gate::NotAllowed => {
                    view! {
                        <p class="error" id="admin-not-allowed" role="alert">
                            {t(Key::AdmNotAllowed)}
                        </p>
                    }
                        .into_any()
                }
                Gate::Staff(role) => view! { <Sections role /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Sections(role: Role) -> impl IntoView {
    let query = use_query_map();
    let open = sections_of(role);
    let first = open[0].0;
    let ids: Vec<&'static str> = open.iter().map(|(id, _)| *id).collect();
    let current = Memo::new(move |_| {
        query.with(|q| {
            let s = q.get_str("s").unwrap_or_default();
            ids.iter().copied().find(|id| *id == s).unwrap_or(first)
        })
    });
    view! {
        <nav class="admin-tabs" aria-label=t(Key::AdmSections)>
            {open
                .into_iter()
                .map(|(id, key)| {
                    view! {
                        <a
                            href=format!("/admin?s={id}")
                            id=format!("tab-{id}")
                            aria-current=move || (current.get() == id).then_some("page")
                        >
                            {t(key)}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
        {move || match current.get() {
            "questionnaires" => view! { <questionnaires::Questionnaires /> }.into_any(),
            "visits" => view! { <visits::Visits /> }.into_any(),
            "reports" => view! { <reports::Reports /> }.into_any(),
            "devices" => view! { <devices::Devices /> }.into_any(),
            "users" => view! { <users::Users /> }.into_any(),
            "audit" => view! { <audit::Audit /> }.into_any(),
            "branches" => view! { <branches::Branches /> }.into_any(),
            _ => view! { <visits::Visits /> }.into_any(),
        }}
    }
}

/// What a failed request means to the admin, in `l`.
fn say(e: &ApiError, l: Locale) -> String {
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
fn notice_end(e: &ApiError, auth: Option<Auth>) {
    if let (ApiError::Server { status: 401, .. }, Some(auth)) = (e, auth) {
        auth.ended();
    }
}

/// What is wrong with a form: the field it is about (or none) and the
/// message. Field ids are `{form}-{field}`, the message's `{form}-{field}-error`.
#[derive(Clone, Copy)]
struct Problem {
    form: StoredValue<String>,
    locale: RwSignal<Locale>,
    /// Taken when the form is made: requests end outside any component.
    auth: Option<Auth>,
    at: RwSignal<Option<(String, String)>>,
}

impl Problem {
    fn new(form: impl Into<String>) -> Problem {
        Problem {
            form: StoredValue::new(form.into()),
            locale: crate::i18n::use_locale(),
            auth: use_context(),
            at: RwSignal::new(None),
        }
    }

    fn clear(self) {
        self.at.set(None);
    }

    /// Keep a check's result; whether it passed.
    fn check(self, result: Result<(), FieldError>) -> bool {
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
    fn refuse(self, field: &str, message: String) {
        self.at.set(Some((field.to_string(), message)));
    }

    /// A failed request: next to the field the server names, if it is one
    /// of `fields`, else for the whole form.
    fn failed(self, e: &ApiError, fields: &[&str], l: Locale) {
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

    fn id(self, field: &str) -> String {
        self.form.with_value(|form| format!("{form}-{field}"))
    }

    fn is_at(self, field: &'static str) -> impl Fn() -> Option<&'static str> + Copy {
        move || {
            self.at
                .with(|p| p.as_ref().is_some_and(|(f, _)| f == field))
                .then_some("true")
        }
    }

    /// The message for `field` (`""`: the whole form), where it goes.
    fn show(self, field: &'static str) -> impl IntoView {
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
    fn described(self, field: &'static str) -> String {
        format!("{}-error", self.id(field))
    }
}

/// A list from the server with its loading, error and empty states.
fn listing<T, V>(
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
fn table<T, V>(
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

/// A button that asks again before it acts: `question` with `yes` and Cancel.
#[component]
fn Confirm(
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
fn focus_later(id: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(id) {
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                let _ = el.focus();
            }
        }
    });
}

/// `Some(value)` unless it is empty after trimming.
fn given(value: String) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// An RFC 3339 time as `YYYY-MM-DD HH:MM` (UTC), to read at a glance.
fn short_time(at: &str) -> String {
    at.get(..16).unwrap_or(at).replacen('T', " ", 1)
}

/// A choice left empty, as `code`: what the server would answer for it.
fn missing(field: &'static str, code: ProblemCode) -> FieldError {
    FieldError {
        field,
        code,
        problem: "nothing chosen".into(),
    }
}
