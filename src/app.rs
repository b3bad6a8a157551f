//! The site map: one route per mode, each under the shared frame.

use crate::components::{LanguageSwitch, StatusBar};
use crate::i18n::{provide_i18n, t, Key};
use crate::pages::{
    AdminPage, DashboardPage, HomePage, KioskGuard, KioskPage, NotFound, ShopPage, VisitPage,
};
use crate::sync::provide_sync;
use crate::update::{provide_update, UpdateBanner};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    provide_sync();
    provide_update();
    view! {
        <Router>
            // A locked kiosk stays on /kiosk (and hides this frame).
            <KioskGuard/>
            <header class="topbar">
                <A href="/" attr:class="brand">{t(Key::AppName)}</A>
                <nav aria-label=t(Key::NavLabel)>
                    <A href="/kiosk">{t(Key::NavKiosk)}</A>
                    <A href="/shop">{t(Key::NavShop)}</A>
                    <A href="/dashboard">{t(Key::NavDashboard)}</A>
                    <A href="/admin">{t(Key::NavAdmin)}</A>
                </nav>
                <LanguageSwitch/>
            </header>
            <StatusBar/>
            <UpdateBanner/>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/kiosk") view=KioskPage/>
                    <Route path=path!("/shop") view=ShopPage/>
                    <Route path=path!("/shop/visit/:id") view=VisitPage/>
                    <Route path=path!("/dashboard") view=DashboardPage/>
                    <Route path=path!("/admin") view=AdminPage/>
                </Routes>
            </main>
        </Router>
    }
}
