//! The lobby kiosk's own bundle (kiosk.html): only what a tablet in the lobby
//! shows its customers, so it loads and starts sooner than the whole app;
//! the staff's screens are kiosk-staff.html's (`src/bin/kiosk_staff.rs`).
fn main() {
    console_error_panic_hook::set_once();
    // The shell (kiosk-shell.js) goes in the task that draws the app, so
    // no frame is blank; a tap on it goes to the app's own button.
    let early = branchpulse::kiosk_shell::take();
    leptos::mount::mount_to_body(branchpulse::KioskApp);
    branchpulse::kiosk_shell::replay(early);
}
