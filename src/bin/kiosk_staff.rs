//! The kiosk's staff page as a bundle of its own (kiosk-staff.html, at
//! /kiosk/staff): enrolment, setup, the PIN prompt and the staff menu,
//! which the customer's bundle (kiosk.html) then need not carry.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(branchpulse::KioskStaffApp);
}
