//! End-to-end tests: the release build served by the real server, driven in
//! headless Chromium by the Playwright scripts in e2e/.

use crate::cmd;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A server process that is killed when dropped, so a failing test never
/// leaves it running.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first-run admin's password in end-to-end runs (the tests read it
/// from `ADMIN_PASSWORD`); a real server generates one or takes it from the
/// operator.
pub const ADMIN_PASSWORD: &str = "e2e admin password 2026";

/// How old a response the e2e servers accept, in days. The fixtures sit on
/// fixed dates (the dashboard's June 2025, the admin's February 2024) so that
/// their figures can be checked by hand; the default bound (400 days) would
/// refuse them as dated by a wrong device clock. The bound itself is tested
/// by the server's suite.
const FIXTURE_AGE_DAYS: &str = "3650";

/// The variable that hands the release server to the server's tests
/// (crates/server/tests/it/hostile.rs), so they run what users run.
pub const RELEASE_SERVER_VAR: &str = "BRANCHPULSE_RELEASE_SERVER";

/// Build the server as users run it (`--release`, its real panic setting;
/// nothing to do when it is up to date) and return its path.
pub fn release_server(root: &Path) -> Result<PathBuf> {
    cmd::step("Building the server (release; a few minutes the first time)");
    cmd::run(cmd::cargo().args(["build", "--release", "-p", "branchpulse-server"]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| root.join(t))
        .unwrap_or_else(|| root.join("target"));
    let exe = format!("branchpulse-server{}", std::env::consts::EXE_SUFFIX);
    Ok(target.join("release").join(exe))
}

/// Start the release server on a free loopback port with a fresh SQLite file.
pub fn start_server(root: &Path, data_dir: &Path) -> Result<Server> {
    start_server_with(root, data_dir, &[])
}

/// [`start_server`] with more settings in its environment.
pub fn start_server_with(root: &Path, data_dir: &Path, env: &[(&str, &str)]) -> Result<Server> {
    let server = release_server(root)?;
    let log = std::fs::File::create(data_dir.join("server.log"))?;
    let mut child = Command::new(server)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--dist",
            "dist",
            "--questionnaires",
            "questionnaires",
        ])
        .arg("--database-url")
        .arg(format!("sqlite://{}", data_dir.join("e2e.db").display()))
        .env("BRANCHPULSE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        // Every test enrols its devices and signs in from this one address;
        // the per-address limits are the server tests' to check.
        .env("BRANCHPULSE_ENROL_PER_MINUTE", "6000")
        .env("BRANCHPULSE_SIGN_IN_PER_MINUTE", "6000")
        .env("BRANCHPULSE_MAX_RESPONSE_AGE_DAYS", FIXTURE_AGE_DAYS)
        .envs(env.iter().copied())
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .context("starting branchpulse-server")?;
    let stdout = child.stdout.take().context("server stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("BranchPulse listening on ") {
                    break url.trim().to_string();
                }
            }
            _ => {
                let _ = child.kill();
                let log = std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default();
                bail!("the server exited before listening:\n{log}");
            }
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(Server { child, url })
}

/// Every e2e/*.test.js file, or only `files` when some are named (for a quick
/// turn on one feature; CI always runs them all).
pub fn run(root: &Path, files: &[String]) -> Result<()> {
    cmd::step("End-to-end tests: release build + real server + headless Chromium");
    let data = tempfile::tempdir()?;
    let server = start_server(root, data.path())?;
    let binary = release_server(root)?;
    println!("server at {}", server.url);
    let result = cmd::run(
        Command::new("node")
            .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
            .args(files)
            .current_dir(root.join("e2e"))
            .env("BASE_URL", &server.url)
            .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("DATABASE_PATH", data.path().join("e2e.db"))
            // The tests that start a server of their own start this one.
            .env("SERVER_BIN", &binary)
            .env("BRANCHPULSE_MAX_RESPONSE_AGE_DAYS", FIXTURE_AGE_DAYS)
            .env("CHROMIUM", crate::tools::CHROMIUM),
    );
    if result.is_err() {
        let log = std::fs::read_to_string(data.path().join("server.log")).unwrap_or_default();
        eprintln!("--- server log ---\n{log}");
    }
    result
}
