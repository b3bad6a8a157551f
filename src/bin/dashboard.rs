//! The manager's dashboard as a bundle of its own (dashboard.html): charts,
//! filters and exports, loaded only by those who open them.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(branchpulse::DashboardApp);
}
