//! `/login?next=/path`: sign in with a user name and password, then go on
//! to `next` (a path of this site only, see [`safe_next`]).

use crate::api::admin::{self as api, SignInError};
use crate::api::ApiError;
use crate::i18n::{t, text, use_locale, Key};
use crate::session::{safe_next, Auth};
use branchpulse_core::access::Login;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Whether `path` is shown by this bundle's router (no page load needed).
fn routed_here(path: &str) -> bool {
    let route = path.split(['?', '#']).next().unwrap_or_default();
    route == "/"
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let locale = use_locale();
    let query = use_query_map();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = locale.get_untracked();
        let login = Login {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        if login.username.is_empty() || login.password.is_empty() {
            return problem.set(Some(text(l, Key::PplLoginEmpty).into()));
        }
        busy.set(true);
        problem.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::sign_in(&login).await;
            busy.set(false);
            match result {
                Ok(session) => {
                    password.set(String::new());
                    auth.signed_in(session);
                    let next = query.with_untracked(|q| safe_next(q.get_str("next")).to_string());
                    if routed_here(&next) {
                        navigate(&next, Default::default());
                    } else {
                        // Another bundle's page (admin, dashboard): a page load.
                        let _ = window().location().set_href(&next);
                    }
                }
                Err(e) => problem.set(Some(match e {
                    SignInError::Refused => text(l, Key::PplLoginRefused).into(),
                    SignInError::Wait(secs) => {
                        text(l, Key::PplLoginWait).replace("{n}", &secs.to_string())
                    }
                    SignInError::Failed(ApiError::Network(_) | ApiError::Timeout { .. }) => {
                        text(l, Key::PplOffline).into()
                    }
                    SignInError::Failed(e) => format!("{}: {e}", text(l, Key::LoadFailed)),
                })),
            }
        });
    };

    view! {
        <div class="login">
            <h1>{t(Key::PplSignIn)}</h1>
            {move || {
                auth.user()
                    .map(|u| {
                        view! {
                            <p class="hint">
                                {t(Key::PplSignedInAs)} " " <strong>{u.username}</strong>
                            </p>
                        }
                    })
            }}
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="login-username">{t(Key::PplUsername)}</label>
                    <input
                        id="login-username"
                        name="username"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        aria-required="true"
                        prop:value=username
                        on:input=move |e| username.set(event_target_value(&e))
                    />
                </div>
                <div class="field">
                    <label for="login-password">{t(Key::PplPassword)}</label>
                    <input
                        id="login-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        aria-required="true"
                        prop:value=password
                        on:input=move |e| password.set(event_target_value(&e))
                    />
                </div>
                <p class="error" id="login-problem" role="alert">
                    {move || problem.get()}
                </p>
                <button type="submit" class="primary" disabled=busy>
                    {t(Key::PplSignIn)}
                </button>
            </form>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::routed_here;

    #[test]
    fn only_this_bundles_routes_skip_the_page_load() {
        // The admin's screens are a bundle of their own (admin.html).
        assert!(!routed_here("/admin?s=users"));
        assert!(routed_here("/"));
        assert!(routed_here("/?lang=es"));
        assert!(!routed_here("/dashboard?branches=N01"));
        assert!(!routed_here("/admin/x"));
    }
}
