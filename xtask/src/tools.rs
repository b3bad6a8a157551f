//! Installing the exact tool versions the build needs, skipping what is right.
//!
//! Each check prints one line: either "ok" with the version found, or what
//! is being installed and how long that may take the first time.

use crate::cmd::{self, version_of};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
/// npm package version of binaryen; its wasm-opt reports `version_132`.
/// Debian's binaryen 108 makes wasm that fails to instantiate in Chromium.
pub const BINARYEN_VERSION: &str = "132";
/// Formats the `view!` macros of `src/`, which rustfmt leaves as they are.
/// 0.1.33 builds with `cargo install --locked` on Rust 1.95.
pub const LEPTOSFMT_VERSION: &str = "0.1.33";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn root() -> PathBuf {
    crate::project_root()
}

fn binaryen_bin() -> PathBuf {
    root().join("tools/binaryen/node_modules/.bin")
}

fn cargo_bin() -> PathBuf {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin")
}

/// PATH with the project's wasm-opt and cargo's bin folder in front.
pub fn path_with_tools() -> String {
    let mut parts = vec![binaryen_bin(), cargo_bin()];
    if let Some(path) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(parts)
        .expect("PATH entries contain no separator")
        .to_string_lossy()
        .into_owned()
}

/// The wasm-bindgen version pinned with `=` in the app's Cargo.toml.
pub fn pinned_wasm_bindgen(root: &Path) -> Result<String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let doc: toml::Table = toml::from_str(&manifest).context("reading Cargo.toml")?;
    let spec = doc
        .get("dependencies")
        .and_then(|d| d.get("wasm-bindgen"))
        .and_then(|v| {
            v.as_str()
                .or_else(|| v.get("version").and_then(|v| v.as_str()))
        })
        .context("Cargo.toml has no [dependencies] wasm-bindgen")?;
    match spec.strip_prefix('=') {
        Some(v) => Ok(v.trim().to_string()),
        None => bail!("wasm-bindgen must be pinned with '=' in Cargo.toml (found \"{spec}\"): the CLI must match it exactly"),
    }
}

/// The wasm32 target, trunk, wasm-bindgen-cli and wasm-opt, at the right versions.
pub fn ensure_app_tools(root: &Path) -> Result<()> {
    cmd::step("Checking build tools");
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, true, "10–15 minutes")?;
    let wb = pinned_wasm_bindgen(root)?;
    ensure_cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        &wb,
        false,
        "3–5 minutes",
    )?;
    ensure_wasm_opt(root)
}

/// leptosfmt, for the formatting check of `cargo xtask test`.
pub fn ensure_leptosfmt() -> Result<()> {
    ensure_cargo_tool(
        "leptosfmt",
        "leptosfmt",
        LEPTOSFMT_VERSION,
        true,
        "2–4 minutes",
    )
}

fn ensure_wasm_target() -> Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let installed = out
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == "wasm32-unknown-unknown")
        })
        .unwrap_or(false);
    if installed {
        println!("ok: Rust target wasm32-unknown-unknown");
        return Ok(());
    }
    println!("installing: Rust target wasm32-unknown-unknown (rustup)");
    cmd::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// `program --version` must print `<something> <version>`; otherwise install `krate`.
fn ensure_cargo_tool(
    program: &str,
    krate: &str,
    version: &str,
    locked: bool,
    takes: &str,
) -> Result<()> {
    let found = version_of(program, "--version");
    if found
        .as_deref()
        .is_some_and(|v| v.split_whitespace().nth(1) == Some(version))
    {
        println!("ok: {program} {version}");
        return Ok(());
    }
    let was = found.map(|v| format!(" (found {v})")).unwrap_or_default();
    println!("installing: {krate} {version}{was} with cargo install; takes {takes} the first time");
    let mut c = Command::new("cargo");
    c.args(["install", krate, "--version", version, "--force"]);
    // wasm-bindgen-cli's lock file names a crate version the registry lacks.
    if locked {
        c.arg("--locked");
    }
    cmd::run(&mut c)
}

fn ensure_wasm_opt(root: &Path) -> Result<()> {
    let want = format!("version_{BINARYEN_VERSION}");
    let exe = binaryen_bin().join("wasm-opt");
    let found = version_of(exe.to_str().unwrap_or("wasm-opt"), "--version");
    if found.as_deref().is_some_and(|v| v.contains(&want)) {
        println!("ok: wasm-opt {want} (npm binaryen@{BINARYEN_VERSION}, tools/binaryen)");
        return Ok(());
    }
    println!("installing: wasm-opt from npm binaryen@{BINARYEN_VERSION} into tools/binaryen (under a minute)");
    let dir = root.join("tools/binaryen");
    std::fs::create_dir_all(&dir)?;
    cmd::run(
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&dir)
            .args([
                "--no-audit",
                "--no-fund",
                "--no-save",
                &format!("binaryen@{BINARYEN_VERSION}"),
            ]),
    )?;
    match version_of(exe.to_str().unwrap_or("wasm-opt"), "--version") {
        Some(v) if v.contains(&want) => Ok(()),
        other => bail!("wasm-opt from npm reports {other:?}, expected {want}"),
    }
}

/// Debian's chromium and chromium-driver, for browser and end-to-end tests.
pub fn ensure_browser() -> Result<()> {
    let chromium = Path::new(CHROMIUM)
        .exists()
        .then(|| version_of(CHROMIUM, "--version"))
        .flatten();
    let driver = Path::new(CHROMEDRIVER)
        .exists()
        .then(|| version_of(CHROMEDRIVER, "--version"))
        .flatten();
    if let (Some(c), Some(d)) = (&chromium, &driver) {
        println!("ok: {c}; {d}");
        return Ok(());
    }
    println!("installing: Debian chromium and chromium-driver with apt-get (a few minutes)");
    apt_install(&["chromium", "chromium-driver"])
}

/// `apt-get update` then `apt-get install -y PACKAGES` (through sudo unless root).
pub fn apt_install(packages: &[&str]) -> Result<()> {
    let apt = |args: &[&str]| {
        let mut c = if is_root() {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd::run(&mut c)
    };
    apt(&["update", "-q"])?;
    apt(&[&["install", "-y", "-q"][..], packages].concat())
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The end-to-end tests' npm packages (playwright-core, axe-core), from the lock file.
pub fn ensure_e2e_packages(root: &Path) -> Result<()> {
    let dir = root.join("e2e");
    let lock = std::fs::read(dir.join("package-lock.json")).context("e2e/package-lock.json")?;
    let installed = std::fs::read(dir.join("node_modules/.package-lock.json")).ok();
    // npm writes node_modules/.package-lock.json on install; if its package
    // set matches the lock file's, the install is current.
    if installed.is_some_and(|i| same_packages(&i, &lock)) {
        println!("ok: e2e npm packages");
        return Ok(());
    }
    println!("installing: e2e npm packages (npm ci; under a minute)");
    cmd::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir),
    )
}

fn same_packages(installed: &[u8], lock: &[u8]) -> bool {
    let versions = |b: &[u8]| -> Option<Vec<(String, String)>> {
        let doc: serde_json::Value = serde_json::from_slice(b).ok()?;
        let mut out: Vec<(String, String)> = doc
            .get("packages")?
            .as_object()?
            .iter()
            .filter(|(name, _)| name.starts_with("node_modules/"))
            .map(|(name, p)| {
                (
                    name.clone(),
                    p["version"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        out.sort();
        Some(out)
    };
    matches!((versions(installed), versions(lock)), (Some(a), Some(b)) if !a.is_empty() && a == b)
}
