use crate::i18n::{t, Key};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <h1>{t(Key::AppName)}</h1>
        <p>{t(Key::Tagline)}</p>
        <ul class="modes">
            // Every mode is a bundle of its own: page loads.
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
                <a href="/admin" rel="external">
                    {t(Key::AdminTitle)}
                </a>
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
