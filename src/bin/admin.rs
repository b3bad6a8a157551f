//! The admin's and reviewer's screens as a bundle of their own (admin.html,
//! at /admin): the start page and the sign-in load none of their forms.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(branchpulse::AdminApp);
}
