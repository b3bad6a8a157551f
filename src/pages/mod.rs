//! One module per mode; each later grows into a folder of its own.

mod admin;
mod dashboard;
mod forms;
mod home;
mod kiosk;
mod login;
mod response;
pub(crate) mod shop;

pub use admin::AdminPage;
pub use dashboard::{DashboardPage, DriversView, ReportPage};
pub use home::{HomePage, NotFound};
pub use kiosk::{provide_kiosk_lock, shell as kiosk_shell, KioskGuard, KioskPage, KioskStaffPage};
pub use login::LoginPage;
pub use shop::{ShopPage, VisitPage};
