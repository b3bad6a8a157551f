//! Who is signed in, shared through context by the bundles people use (the
//! main app and the dashboard). The session itself is an HttpOnly cookie;
//! what the page holds is the account and, inside `api`'s request builder,
//! the CSRF token, both in memory only. Whether this browser has signed in
//! is kept by `storage::settings`: without it nobody is signed in, and a
//! visitor's page makes no request that can only be refused.

use crate::api::admin as api;
use crate::i18n::{t, text, use_locale, Key};
use crate::storage::kept;
use crate::storage::settings::{self, set_signed_in as hint};
use branchpulse_core::access::{Session, User};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Debug, Clone, PartialEq)]
pub enum Account {
    /// Asking the server.
    Checking,
    SignedOut,
    SignedIn(Session),
    /// The server could not be reached (offline): nobody is known.
    Unreachable(String),
}

#[derive(Clone, Copy)]
pub struct Auth(pub RwSignal<Account>);

/// Share who is signed in: asked of the server if this browser signed in.
pub fn provide_session() -> Auth {
    let auth = Auth(RwSignal::new(Account::SignedOut));
    provide_context(auth);
    if settings::signed_in() {
        auth.refresh();
    }
    auth
}

pub fn use_auth() -> Option<Auth> {
    use_context()
}

impl Auth {
    pub fn refresh(self) {
        self.0.set(Account::Checking);
        spawn_local(async move {
            self.0.set(match api::session().await {
                Ok(Some(s)) => Account::SignedIn(s),
                Ok(None) => {
                    hint(false);
                    Account::SignedOut
                }
                Err(e) => Account::Unreachable(e.to_string()),
            });
        });
    }

    /// Signed in just now.
    pub fn signed_in(self, session: Session) {
        hint(true);
        self.0.set(Account::SignedIn(session));
    }

    /// The signed-in user (tracked).
    pub fn user(self) -> Option<User> {
        self.0.with(|a| match a {
            Account::SignedIn(s) => Some(s.user.clone()),
            _ => None,
        })
    }

    /// The server said the session is gone (a 401 on a people's request).
    pub fn ended(self) {
        api::forget();
        hint(false);
        self.0.set(Account::SignedOut);
    }
}

/// Where to go after signing in: `next` if it is a path of this site,
/// else the start page. Only a path starting with one `/` is taken (no
/// `//host`, no `\`, which browsers read as `/`, no control characters,
/// which browsers drop), so a link cannot send someone elsewhere.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && !n.starts_with("/login") =>
        {
            n
        }
        _ => "/",
    }
}

/// The sign-in page, coming back to `next` (a path and query of this site).
pub fn login_url(next: &str) -> String {
    format!("/login?next={}", js_sys::encode_uri_component(next))
}

/// The current page's path and query, to come back to after signing in.
pub fn here() -> String {
    let l = window().location();
    format!(
        "{}{}",
        l.pathname().unwrap_or_default(),
        l.search().unwrap_or_default()
    )
}

/// The signed-in user's name and a sign-out button, for the frame; a
/// sign-in link when nobody is signed in.
#[component]
pub fn AccountMenu(auth: Auth) -> impl IntoView {
    let locale = use_locale();
    let problem = RwSignal::new(None::<String>);
    let sign_out = move |_| {
        spawn_local(async move {
            match api::sign_out().await {
                Ok(()) => {
                    // Signing out leaves none of people's data for the next person.
                    kept::drop_figures();
                    auth.ended();
                    // A page load: nothing of the session stays in memory.
                    let _ = window().location().set_href("/login");
                }
                Err(e) => problem.set(Some(format!(
                    "{}: {e}",
                    text(locale.get_untracked(), Key::PplSignOutFailed)
                ))),
            }
        });
    };
    move || match auth.0.get() {
        Account::SignedIn(s) => view! {
            <div class="account">
                <span class="account-name">{s.user.username}</span>
                <button type="button" id="sign-out" on:click=sign_out>
                    {t(Key::PplSignOut)}
                </button>
                {move || {
                    problem
                        .get()
                        .map(|p| {
                            view! {
                                <span class="error" role="alert">
                                    {p}
                                </span>
                            }
                        })
                }}
            </div>
        }
        .into_any(),
        Account::SignedOut => view! {
            <div class="account">
                <a href=login_url(&here()) rel="external" id="sign-in-link">
                    {t(Key::PplSignIn)}
                </a>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/admin")), "/admin");
        assert_eq!(
            safe_next(Some("/dashboard?branches=N01")),
            "/dashboard?branches=N01"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "javascript:alert(1)",
            "",
            "/login?next=//evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
