use crate::i18n::{t, Key};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <h1>{t(Key::AppName)}</h1>
        <p>{t(Key::Tagline)}</p>
        <ul class="modes">
            // The kiosk is a bundle of its own: a page load.
            <li><a href="/kiosk" rel="external">{t(Key::KioskTitle)}</a></li>
            <li><A href="/shop">{t(Key::ShopTitle)}</A></li>
            <li><A href="/dashboard">{t(Key::DashboardTitle)}</A></li>
            <li><A href="/admin">{t(Key::AdminTitle)}</A></li>
        </ul>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>{t(Key::NotFoundTitle)}</h1>
        <p>{t(Key::NotFoundBody)}</p>
        <A href="/">{t(Key::GoHome)}</A>
    }
}
