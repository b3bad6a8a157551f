//! The site map. The main app has one route per mode under the shared
//! frame; the lobby kiosk is a bundle of its own ([`KioskApp`], built from
//! `src/bin/kiosk.rs` and served at `/kiosk`), so a tablet loads only the
//! kiosk, not the shopper's and the manager's screens.

use crate::components::Frame;
use crate::i18n::provide_i18n;
use crate::pages::{
    provide_kiosk_lock, AdminPage, DashboardPage, HomePage, KioskGuard, KioskPage, NotFound,
    ShopPage,
};
use crate::sync::provide_sync;
use crate::update::{provide_update, UpdateBanner};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    provide_sync();
    provide_update();
    view! {
        <Router>
            // A locked kiosk goes back to /kiosk.
            <KioskGuard/>
            <RoutedFrame/>
            <UpdateBanner/>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/shop") view=ShopPage/>
                    <Route path=path!("/dashboard") view=DashboardPage/>
                    <Route path=path!("/admin") view=AdminPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// The main app's routes; links to any other page load it.
const ROUTED: &[&str] = &["/", "/shop", "/dashboard", "/admin"];

#[component]
fn RoutedFrame() -> impl IntoView {
    let location = use_location();
    view! { <Frame current=location.pathname routed=ROUTED/> }
}

/// The lobby kiosk alone, at `/kiosk`. A locked kiosk shows no frame.
#[component]
pub fn KioskApp() -> impl IntoView {
    provide_i18n();
    provide_sync();
    provide_update();
    let locked = provide_kiosk_lock();
    view! {
        <Show when=move || !locked.get()>
            <Frame current="/kiosk".to_string()/>
        </Show>
        <main id="main">
            <KioskPage/>
        </main>
    }
}
