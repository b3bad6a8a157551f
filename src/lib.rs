//! BranchPulse's web app: kiosk, mystery-shopper, dashboard and admin modes.
//!
//! `app.rs` is the site map; `api.rs` is the only module that talks to the
//! server; `i18n.rs` holds every user-visible string in zh-CN, en and es;
//! `storage/` keeps everything on the device (every key in
//! `storage/keys.rs`);
//! `sync/` sends the outbox to the server; `session.rs` holds who is signed in; `update.rs` registers the
//! service worker (offline start, installable app) and offers new versions.

pub mod api;
mod app;
pub mod charts;
pub mod components;
pub mod i18n;
mod loaded;
mod pages;
pub mod prefs;
pub mod problem;
pub mod session;
pub mod storage;
pub mod sync;
pub mod update;

pub use app::{AdminApp, App, DashboardApp, KioskApp, KioskStaffApp, ReportApp, ShopApp};
/// The dashboard branch table's search, sort and paging (plain Rust, so
/// the browser tests reach it too).
#[doc(hidden)]
#[path = "pages/dashboard/table/order.rs"]
pub mod branch_table_order;
/// The key drivers' view, for the browser tests.
pub use pages::{kiosk_shell, DriversView};
