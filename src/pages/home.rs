use crate::i18n::{t, Key};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <h1>{t(Key::AppName)}</h1>
        <p>{t(Key::Tagline)}</p>
        <ul class="modes">
            // The kiosk, the shopper's screens and the dashboard are bundles of their own: page loads.
            <li>
                <a href="/kiosk" rel="external">
                    {t(Key::KioskTitle)}
                </a>
            </li>
            <li>
                <a href="/shop" rel="external">
                    {t(Key::ShopTitle)}
                </a>
            </li>
            <li>
                <a href="/dashboard" rel="external">
                    {t(Key::DashboardTitle)}
                </a>
            </li>
            <li>
                <A href="/admin">{t(Key::AdminTitle)}</A>
            </li>
        </ul>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>{t(Key::NotFoundTitle)}</h1>
        <p>{t(Key::NotFoundBody)}</p>
        // A page load: this may be another bundle than the start page's.
        <a href="/" rel="external">
            {t(Key::GoHome)}
        </a>
    }
}
