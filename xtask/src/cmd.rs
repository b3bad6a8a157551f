//! Running commands with their output shown, and step headings.

use anyhow::{bail, Context, Result};
use std::process::Command;

pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// `cargo` with the tools folder and ~/.cargo/bin on PATH.
pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.env("PATH", crate::tools::path_with_tools());
    c
}

pub fn run(c: &mut Command) -> Result<()> {
    let shown = format!("{c:?}");
    let status = c
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

/// First line of `program --version`, or `None` if it is not installed.
pub fn version_of(program: &str, arg: &str) -> Option<String> {
    let out = Command::new(program)
        .arg(arg)
        .env("PATH", crate::tools::path_with_tools())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().next().map(|l| l.trim().to_string())
}
