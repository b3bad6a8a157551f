//! The mystery shopper's own bundle (shop.html): a phone on a poor network
//! downloads only the shopper's screens.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(branchpulse::ShopApp);
}
