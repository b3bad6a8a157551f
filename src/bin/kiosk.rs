//! The lobby kiosk's own bundle (kiosk.html): only what a tablet in the lobby
//! runs, so it loads and starts sooner than the whole app.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(branchpulse::KioskApp);
}
