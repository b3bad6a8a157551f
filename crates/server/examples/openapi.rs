//! Prints the API reference (OpenAPI 3, JSON) the code generates:
//! `cargo xtask openapi` writes it to `docs/openapi.json`.

fn main() {
    print!("{}", branchpulse_server::routes::openapi::document());
}
