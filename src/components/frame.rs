//! The frame around every page but a locked kiosk: the name, the modes, the
//! language switch and the status bar.
//!
//! Links are plain anchors so the frame serves both bundles: in the main app
//! the router takes them over; the kiosk has a bundle of its own (see
//! `src/bin/kiosk.rs`), so its link is `rel="external"` (a page load) from
//! the main app, as every link is from the kiosk bundle.

use crate::components::{LanguageSwitch, StatusBar};
use crate::i18n::{t, Key};
use leptos::prelude::*;

#[component]
pub fn Frame(
    /// The current path, to mark its link with `aria-current`.
    #[prop(into)]
    current: Signal<String>,
) -> impl IntoView {
    let link = move |href: &'static str, key: Key| {
        let here = move || (current.get() == href).then_some("page");
        let rel = (href == "/kiosk").then_some("external");
        view! { <a href=href rel=rel aria-current=here>{t(key)}</a> }
    };
    view! {
        <header class="topbar">
            <a href="/" class="brand">{t(Key::AppName)}</a>
            <nav aria-label=t(Key::NavLabel)>
                {link("/kiosk", Key::NavKiosk)}
                {link("/shop", Key::NavShop)}
                {link("/dashboard", Key::NavDashboard)}
                {link("/admin", Key::NavAdmin)}
            </nav>
            <LanguageSwitch/>
        </header>
        <StatusBar/>
    }
}
