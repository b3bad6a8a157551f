//! The monthly report's own page (`/report?branch=N01&month=2026-11`, or
//! `region=`, `format=`), the report bundle's (`src/bin/report.rs`): the dashboard's
//! heading and tabs around [`report::Report`], with none of its charts,
//! so a report opens and prints without loading them.

use super::{report, sign_in_prompt, tabs, Screen};
use crate::i18n::{t, Key};
use crate::session::{Account, Auth};
use crate::storage::kept;
use leptos::prelude::*;

#[component]
pub fn ReportPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let signed_out = Memo::new(move |_| auth.0.with(|a| matches!(a, Account::SignedOut)));
    let checking = Memo::new(move |_| auth.0.with(|a| matches!(a, Account::Checking)));
    let scope = Memo::new(move |_| auth.user().map(|u| u.scope()));
    let branches = LocalResource::new(kept::branches);
    view! {
        <div class="dashboard">
            <h1>{t(Key::DashboardTitle)}</h1>
            <p class="intro">{t(Key::DashboardIntro)}</p>
            {move || {
                if signed_out.get() {
                    return sign_in_prompt().into_any();
                }
                if checking.get() {
                    return view! { <p class="loading">{t(Key::Loading)}</p> }.into_any();
                }
                let scope = scope.get();
                let list: Vec<_> = branches
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|b| scope.as_ref().is_none_or(|s| s.allows(b)))
                    .collect();
                view! {
                    {tabs(Screen::Report)}
                    <report::Report branches=list />
                }
                    .into_any()
            }}
        </div>
    }
}

/// The report's address for the dashboard's old one (`/dashboard?s=report&…`):
/// the same query without `s`.
pub fn from_dashboard(path_and_query: &str) -> String {
    let query = path_and_query.split_once('?').map_or("", |(_, q)| q);
    let rest: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("s="))
        .collect();
    if rest.is_empty() {
        "/report".to_string()
    } else {
        format!("/report?{}", rest.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::from_dashboard;

    #[test]
    fn the_old_address_keeps_its_place_and_month() {
        assert_eq!(
            from_dashboard("/dashboard?s=report&branch=N01&month=2024-08"),
            "/report?branch=N01&month=2024-08"
        );
        assert_eq!(
            from_dashboard("/dashboard?region=South+East&s=report&month=2026-11"),
            "/report?region=South+East&month=2026-11"
        );
        assert_eq!(from_dashboard("/dashboard?s=report"), "/report");
    }
}
