//! The monthly report as a bundle of its own (report.html, at /report): a
//! report opens and prints without the dashboard's charts and table.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(branchpulse::ReportApp);
}
