//! The project's commands, run as `cargo xtask <command>`:
//!
//! - `run`   install missing tools, build the app (release), start the server
//! - `test`  everything CI runs: fmt, clippy, native, browser and end-to-end tests
//! - `size`  the release build's assets: raw, gzip, brotli, and the first-load budget
//! - `bench` benchmarks that print figures
//! - `e2e`   release build + real server + the end-to-end tests (all, or the files named)
//! - `openapi` write the API reference the code generates to docs/openapi.json
//! - `post-build` finish a build (Trunk's post_build hook): move the inline
//!   start-up script to a file, then write the service worker
//!
//! Every step says what it does; steps that take minutes the first time say so.

mod build;
mod cmd;
mod e2e;
mod loader;
mod postgres;
mod size;
mod sw;
mod tools;

use anyhow::{bail, Result};
use std::path::PathBuf;

const USAGE: &str =
    "usage: cargo xtask <run [--addr ADDR] [--database-url URL] [--demo] | test | size | bench | e2e [FILE.test.js…] | openapi | post-build [DIR]>";

fn main() {
    if let Err(e) = real_main() {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("run") => run(&root, &args[1..]),
        Some("test") => test(&root),
        Some("size") => size::report(&root.join("dist")),
        Some("bench") => bench(&root),
        Some("e2e") => {
            tools::ensure_app_tools(&root)?;
            tools::ensure_browser()?;
            tools::ensure_e2e_packages(&root)?;
            build::release(&root)?;
            e2e::run(&root, &args[1..])
        }
        Some("openapi") => openapi(&root),
        Some("post-build") => sw::post_build(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the project root")
        .to_path_buf()
}

/// `--name value` from the command line, else `$ENV`, else nothing.
fn option(args: &[String], name: &str, env: &str) -> Option<String> {
    args.windows(2)
        .find(|w| w[0] == name)
        .map(|w| w[1].clone())
        .or_else(|| std::env::var(env).ok().filter(|v| !v.is_empty()))
}

fn run(root: &std::path::Path, args: &[String]) -> Result<()> {
    tools::ensure_app_tools(root)?;
    build::release(root)?;
    let addr =
        option(args, "--addr", "BRANCHPULSE_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
    let db = option(args, "--database-url", "BRANCHPULSE_DATABASE_URL")
        .unwrap_or_else(|| "sqlite://data/branchpulse.db".into());
    let server = e2e::release_server(root)?;
    cmd::step(&format!(
        "Starting the server on http://{addr} (Ctrl-C stops it)"
    ));
    let mut command = std::process::Command::new(server);
    command
        .args(["--addr", &addr, "--database-url", &db, "--dist", "dist"])
        .args(["--questionnaires", "questionnaires"]);
    // Demo data goes only into an empty database, and only when asked.
    if args.iter().any(|a| a == "--demo") {
        command.arg("--demo");
    }
    cmd::run(&mut command)
}

fn test(root: &std::path::Path) -> Result<()> {
    let started = std::time::Instant::now();
    tools::ensure_app_tools(root)?;
    tools::ensure_browser()?;
    tools::ensure_e2e_packages(root)?;
    tools::ensure_leptosfmt()?;

    cmd::step("Checking formatting (cargo fmt --check, leptosfmt --check on src/)");
    cmd::run(cmd::cargo().args(["fmt", "--all", "--check"]))?;
    // rustfmt leaves the inside of `view!` alone; leptosfmt formats it, with
    // the settings of leptosfmt.toml.
    cmd::run(
        std::process::Command::new("leptosfmt")
            .args(["--check", "src"])
            .current_dir(root)
            .env("PATH", tools::path_with_tools()),
    )?;

    cmd::step("Linting (clippy, warnings denied; native and wasm32)");
    cmd::run(cmd::cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--exclude",
        "branchpulse",
        "--",
        "-D",
        "warnings",
    ]))?;
    cmd::run(cmd::cargo().args([
        "clippy",
        "-p",
        "branchpulse",
        "--all-targets",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;

    // Built once for the hostile-input tests of both runs below, and the
    // end-to-end tests: what users run is what is tested.
    let server = e2e::release_server(root)?;
    cmd::step("Native tests: core, server (real SQLite over HTTP), xtask");
    cmd::run(
        cmd::cargo()
            .args(["test", "--workspace", "--exclude", "branchpulse"])
            .env(e2e::RELEASE_SERVER_VAR, &server),
    )?;

    // The app's pure parts (chart helpers, URL state, descriptions) are
    // plain Rust, tested natively; what needs a browser is tested below.
    cmd::step("Native tests: the app's pure parts");
    cmd::run(cmd::cargo().args(["test", "-p", "branchpulse", "--lib"]))?;

    let cluster = postgres::start()?;
    postgres::server_tests(&cluster, &server)?;
    drop(cluster);

    cmd::step("Browser tests: wasm-bindgen-test in headless Chromium");
    cmd::run(&mut browser_tests())?;

    build::release(root)?;
    size::report(&root.join("dist"))?;

    e2e::run(root, &[])?;
    println!(
        "\nxtask test: all steps passed in {:.0?}",
        started.elapsed()
    );
    Ok(())
}

/// docs/openapi.json from the server's handlers and core's wire types; a
/// server test fails until it is rewritten after they change.
fn openapi(root: &std::path::Path) -> Result<()> {
    cmd::step("Writing docs/openapi.json (the server's openapi example)");
    let out = cmd::cargo()
        .args([
            "run",
            "-q",
            "-p",
            "branchpulse-server",
            "--example",
            "openapi",
        ])
        .stderr(std::process::Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("generating the API reference failed ({})", out.status);
    }
    std::fs::write(root.join("docs/openapi.json"), out.stdout)?;
    println!("wrote docs/openapi.json");
    Ok(())
}

fn bench(root: &std::path::Path) -> Result<()> {
    tools::ensure_app_tools(root)?;
    tools::ensure_browser()?;
    cmd::step(
        "Server benchmarks: HTTP ingest beside plain inserts; dashboard aggregates latency over 1,000,000 responses × 500 branches (seeding takes a few minutes); SQLite beside PostgreSQL",
    );
    let cluster = postgres::start()?;
    cmd::run(
        cmd::cargo()
            .args(["bench", "-p", "branchpulse-server"])
            .env("BRANCHPULSE_BENCH_POSTGRES", &cluster.url),
    )?;
    drop(cluster);
    cmd::step("Outbox write latency in headless Chromium (IndexedDB)");
    cmd::run(browser_tests().args(["--release", "--test", "outbox_latency", "--", "--nocapture"]))?;
    kiosk_bench(root)?;
    dashboard_bench(root)
}

/// The kiosk's and the shop's first question at 4× CPU slowdown, each beside
/// a SurveyJS page of the same questionnaire measured in the same run:
/// release build, real server, e2e/bench/first-question.js.
fn kiosk_bench(root: &std::path::Path) -> Result<()> {
    tools::ensure_e2e_packages(root)?;
    build::release(root)?;
    cmd::step("First question: kiosk (tablet) and shop (phone) beside SurveyJS, same run (Chromium, CPU 4x slower)");
    let data = tempfile::tempdir()?;
    let server = e2e::start_server(root, data.path())?;
    cmd::run(
        std::process::Command::new("node")
            .arg("bench/first-question.js")
            .current_dir(root.join("e2e"))
            .env("BASE_URL", &server.url)
            .env("ADMIN_PASSWORD", e2e::ADMIN_PASSWORD)
            .env("CHROMIUM", tools::CHROMIUM),
    )
}

/// The dashboard: from the aggregates' arrival to all charts drawn, in
/// Chromium (e2e/bench/dashboard-charts.js), on a fresh server it seeds;
/// then at 500 branches (seeded through the API, many requests at a time)
/// the branch table's load and draw at 4× CPU slowdown beside the
/// aggregates' answer time, and the key-drivers chart's when it is marked.
fn dashboard_bench(root: &std::path::Path) -> Result<()> {
    tools::ensure_e2e_packages(root)?;
    build::release(root)?;
    cmd::step("Dashboard: data arrival to all charts drawn; at 500 branches the branch table (Chromium, CPU 4x slower)");
    let data = tempfile::tempdir()?;
    // Seeding 500 branches sends some 1,500 requests from one address,
    // past the per-address limit that protects a real server.
    let server = e2e::start_server_with(
        root,
        data.path(),
        &[
            ("BRANCHPULSE_RATE_PER_IP", "100000"),
            ("BRANCHPULSE_RATE_BURST_IP", "100000"),
        ],
    )?;
    cmd::run(
        std::process::Command::new("node")
            .arg("bench/dashboard-charts.js")
            .current_dir(root.join("e2e"))
            .env("BASE_URL", &server.url)
            .env("ADMIN_PASSWORD", e2e::ADMIN_PASSWORD)
            .env("CHROMIUM", tools::CHROMIUM),
    )
}

/// `cargo test` of the app in headless Chromium through wasm-bindgen-test-runner.
fn browser_tests() -> std::process::Command {
    let mut c = cmd::cargo();
    c.args([
        "test",
        "-p",
        "branchpulse",
        "--target",
        "wasm32-unknown-unknown",
    ])
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env("CHROMEDRIVER", tools::CHROMEDRIVER)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    c
}
