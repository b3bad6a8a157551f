//! `/admin`: the admin's screens, one section at a time (`?s=`): branches,
//! questionnaires, visits, devices, users, alert rules and webhooks, and
//! the audit log with the free-text purge. Only an admin sees them; anyone
//! else gets a sign-in link or a "not allowed".
//!
//! Every form runs the checks the server runs (`branchpulse_core::access`)
//! before sending, and shows the server's 4xx problem, in the admin's
//! language, next to the field the server names. Every text from the
//! server (branch names, labels, comments) goes into the page as text,
//! never as markup.

mod alerts;
mod audit;
mod branches;
mod devices;
mod formats;
mod questionnaires;
mod quotas;
mod reports;
mod users;
mod visits;
mod webhooks;

use crate::i18n::{t, Key};
use crate::session::{login_url, Account, Auth};
use branchpulse_core::access::Role;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

// What the people's screens share (forms, lists, confirmations), used by
// the sections as `super::…`.
pub(super) use super::forms::{
    cards, focus_later, given, listing, missing, say, short_time, table, Confirm, Problem,
};

/// The sections, as named in the URL (`/admin?s=users`).
const SECTIONS: [(&str, Key); 8] = [
    ("branches", Key::AdmBranches),
    ("questionnaires", Key::Questionnaires),
    ("visits", Key::AdmVisits),
    ("reports", Key::AdmReports),
    ("devices", Key::AdmDevices),
    ("users", Key::AdmUsers),
    ("alerts", Key::AdmAlerts),
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
                        <a
                            class="button"
                            id="admin-sign-in"
                            href=login_url("/admin")
                            rel="external"
                        >
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
            "alerts" => view! { <alerts::Alerts /> }.into_any(),
            "branches" => view! { <branches::Branches /> }.into_any(),
            _ => view! { <visits::Visits /> }.into_any(),
        }}
    }
}
