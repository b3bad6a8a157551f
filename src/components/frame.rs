//! The frame around every page but a locked kiosk: the name, the modes, the
//! account (the bundles people sign in to: they pass it in, so the kiosk's
//! bundle, where nobody signs in, does not carry the account menu), the
//! language switch and the status bar.
//!
//! Links are plain anchors so the frame serves every bundle: a link to a
//! route of the current bundle is taken over by its router; a link to
//! another bundle's page (the kiosk's, see `src/bin/kiosk.rs`) is
//! `rel="external"`, a page load.

use crate::components::{LanguageSwitch, StatusBar};
use crate::i18n::{t, Key};
use leptos::prelude::*;

#[component]
pub fn Frame(
    /// The current path, to mark its link with `aria-current`.
    #[prop(into)]
    current: Signal<String>,
    /// The paths the current bundle's router shows without a page load.
    #[prop(optional)]
    routed: &'static [&'static str],
    /// The signed-in person's menu, in the bundles people sign in to.
    #[prop(optional)]
    account: Option<ViewFn>,
) -> impl IntoView {
    let rel = move |href: &str| (!routed.contains(&href)).then_some("external");
    let link = move |href: &'static str, key: Key| {
        let here = move || (current.get() == href).then_some("page");
        view! {
            <a href=href rel=rel(href) aria-current=here>
                {t(key)}
            </a>
        }
    };
    view! {
        <header class="topbar">
            <a href="/" rel=rel("/") class="brand">
                {t(Key::AppName)}
            </a>
            <nav aria-label=t(
                Key::NavLabel,
            )>
                {link("/kiosk", Key::NavKiosk)} {link("/shop", Key::NavShop)}
                {link("/dashboard", Key::NavDashboard)} {link("/admin", Key::NavAdmin)}
            </nav>
            {account.map(|a| a.run())}
            <LanguageSwitch />
        </header>
        <StatusBar />
    }
}
