//! The site map. Each mode a device runs on its own is a bundle of its own,
//! with its own page, so a lobby tablet loads only the kiosk and a shopper's
//! phone only the shopper's screens:
//!
//! | bundle | page | routes |
//! |---|---|---|
//! | [`App`] (`src/main.rs`) | index.html | `/`, `/login` |
//! | [`AdminApp`] (`src/bin/admin.rs`) | admin.html | `/admin` |
//! | [`KioskApp`] (`src/bin/kiosk.rs`) | kiosk.html | `/kiosk` |
//! | [`KioskStaffApp`] (`src/bin/kiosk_staff.rs`) | kiosk-staff.html | `/kiosk/staff` |
//! | [`ShopApp`] (`src/bin/shop.rs`) | shop.html | `/shop`, `/shop/visit/:id` |
//! | [`DashboardApp`] (`src/bin/dashboard.rs`) | dashboard.html | `/dashboard` |
//! | [`ReportApp`] (`src/bin/report.rs`) | report.html | `/report` |
//!
//! The server sends each route its page, and one service worker caches them
//! all. Links between bundles are page loads (see [`Frame`]).

use crate::components::{provide_inbox, Frame, InboxLink};
use crate::i18n::provide_i18n;
use crate::pages::{
    provide_kiosk_lock, AdminPage, DashboardPage, HomePage, KioskGuard, KioskPage, KioskStaffPage,
    LoginPage, NotFound, ReportPage, ShopPage, VisitPage,
};
use crate::session::{provide_session, use_auth, AccountMenu};
use crate::sync::provide_sync;
use crate::update::{provide_update, UpdateBanner};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

/// What every bundle needs: strings, the outbox's sync client, updates.
fn provide_common() {
    provide_i18n();
    provide_sync();
    provide_update();
}

/// The start page and the sign-in: the first page most people load, so it
/// carries neither the admin screens nor the alert inbox's count.
#[component]
pub fn App() -> impl IntoView {
    provide_common();
    provide_session();
    view! {
        <Router>
            // A locked kiosk goes back to /kiosk.
            <KioskGuard />
            <RoutedFrame routed=&["/", "/login"] account=account_menu() />
            <UpdateBanner />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/login") view=LoginPage />
                </Routes>
            </main>
        </Router>
    }
}

/// The admin's and reviewer's screens, at `/admin` (the screen in `?s=`).
#[component]
pub fn AdminApp() -> impl IntoView {
    provide_common();
    provide_inbox(provide_session());
    view! {
        <Router>
            <KioskGuard />
            <RoutedFrame routed=&["/admin"] account=with_inbox(true) />
            <UpdateBanner />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/admin") view=AdminPage />
                </Routes>
            </main>
        </Router>
    }
}

/// The mystery shopper's screens, at `/shop`.
#[component]
pub fn ShopApp() -> impl IntoView {
    provide_common();
    crate::sync::photos::provide_photo_sync();
    view! {
        <Router>
            <KioskGuard />
            <RoutedFrame routed=&["/shop"] account=account_menu() />
            <UpdateBanner />
            <crate::pages::shop::photos::PhotoProgress />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/shop") view=ShopPage />
                    <Route path=path!("/shop/visit/:id") view=VisitPage />
                </Routes>
            </main>
        </Router>
    }
}

/// The manager's dashboard, at `/dashboard` (its filter lives in the URL's query).
#[component]
pub fn DashboardApp() -> impl IntoView {
    provide_common();
    provide_inbox(provide_session());
    view! {
        <Router>
            <KioskGuard />
            <RoutedFrame routed=&["/dashboard"] account=with_inbox(false) />
            <UpdateBanner />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/dashboard") view=DashboardPage />
                </Routes>
            </main>
        </Router>
    }
}

/// The monthly report, at `/report?branch=…&month=…` (or `region=`): a
/// page to print, apart from the dashboard's charts.
#[component]
pub fn ReportApp() -> impl IntoView {
    provide_common();
    provide_inbox(provide_session());
    view! {
        <Router>
            <KioskGuard />
            <RoutedFrame routed=&["/report"] account=with_inbox(true) />
            <UpdateBanner />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/report") view=ReportPage />
                </Routes>
            </main>
        </Router>
    }
}

/// The frame, marking the current route; `routed` are the paths this
/// bundle's router shows without a page load.
#[component]
fn RoutedFrame(routed: &'static [&'static str], account: ViewFn) -> impl IntoView {
    let location = use_location();
    view! { <Frame current=location.pathname routed account /> }
}

/// The signed-in person's menu (none where nobody signs in).
fn account_menu() -> ViewFn {
    ViewFn::from(|| use_auth().map(|auth| view! { <AccountMenu auth /> }))
}

/// The alert inbox with its unread count, then the person's menu: for the
/// bundles managers and admins use; `external` where the inbox is another
/// bundle's page.
fn with_inbox(external: bool) -> ViewFn {
    ViewFn::from(move || {
        use_auth().map(|auth| {
            view! {
                <InboxLink external />
                <AccountMenu auth />
            }
        })
    })
}

/// The lobby kiosk's customers, at `/kiosk`: a locked kiosk, so no frame.
/// Staff's screens are [`KioskStaffApp`]'s.
#[component]
pub fn KioskApp() -> impl IntoView {
    crate::loaded::watch_first_frame();
    provide_common();
    crate::sync::contacts::provide_contact_sync();
    view! {
        <main id="main">
            <KioskPage />
        </main>
    }
}

/// The kiosk's staff page, at `/kiosk/staff`: enrolment, setup, the PIN
/// prompt and the staff menu. A locked kiosk shows no frame.
#[component]
pub fn KioskStaffApp() -> impl IntoView {
    provide_common();
    let locked = provide_kiosk_lock();
    view! {
        <Show when=move || !locked.get()>
            <Frame current="/kiosk".to_string() />
        </Show>
        <main id="main">
            <KioskStaffPage />
        </main>
    }
}
