//! The release build of the web app, plus precompressed siblings of each asset.

use crate::cmd;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Modes built as bundles of their own, each from its own page (kiosk.html,
/// dashboard.html, …), so a device loads only its mode; the main app
/// (index.html) has the start page and the sign-in. The server and the
/// service worker serve each page for its route.
pub const BUNDLE_PAGES: [&str; 6] = [
    "kiosk.html",
    "kiosk-staff.html",
    "shop.html",
    "dashboard.html",
    "admin.html",
    "report.html",
];

/// Every bundle of the web app, built by Trunk into dist/; then one service
/// worker for all of them, and `x.br` and `x.gz` beside every file so the
/// server can send them without compressing on each request.
pub fn release(root: &Path) -> Result<()> {
    cmd::step("Building the web app (trunk build --release; several minutes the first time)");
    trunk(root, &[])?;
    let dist = root.join("dist");
    for page in BUNDLE_PAGES.iter().filter(|p| root.join(p).is_file()) {
        cmd::step(&format!(
            "Building the bundle of {page} (trunk build --release {page})"
        ));
        let out = root.join("target/trunk").join(page);
        trunk(root, &["--dist", path_str(&out)?, page])?;
        // Its hashed files join the main app's; its page becomes dist/<page>.
        for file in asset_files(&out)? {
            let name = file.strip_prefix(&out)?;
            let to = match name.to_str() {
                Some("index.html") => dist.join(page),
                Some(crate::sw::SW_FILE) => continue,
                _ => dist.join(name),
            };
            std::fs::copy(&file, &to).with_context(|| format!("copying {}", file.display()))?;
        }
    }
    for page in std::iter::once(&"index.html").chain(BUNDLE_PAGES.iter()) {
        let Ok(html) = std::fs::read_to_string(dist.join(page)) else {
            continue;
        };
        if html.contains("<script type=\"module\">") {
            anyhow::bail!(
                "dist/{page} has an inline script: Trunk.toml must run `cargo xtask post-build` after the build"
            );
        }
    }
    // One worker that knows every bundle.
    let (id, count) = crate::sw::write(&dist)?;
    println!("service worker: build {id}, {count} files pre-cached");
    cmd::step("Precompressing assets (brotli, gzip)");
    for file in asset_files(&dist)? {
        let data = std::fs::read(&file)?;
        std::fs::write(sibling(&file, "br"), brotli_bytes(&data)?)?;
        std::fs::write(sibling(&file, "gz"), gzip_bytes(&data)?)?;
    }
    Ok(())
}

fn trunk(root: &Path, args: &[&str]) -> Result<()> {
    cmd::run(
        std::process::Command::new("trunk")
            .args(["build", "--release"])
            .args(args)
            .current_dir(root)
            .env("PATH", crate::tools::path_with_tools())
            // Trunk reads NO_COLOR as a boolean flag, not the usual "1".
            .env("NO_COLOR", "true"),
    )
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str().context("a non-UTF-8 path")
}

/// Every file under `dir` that is not itself a compressed sibling.
pub fn asset_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz")) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub fn sibling(file: &Path, ext: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

pub fn brotli_bytes(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(data)?;
    }
    Ok(out)
}

pub fn gzip_bytes(data: &[u8]) -> Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(data)?;
    Ok(w.finish()?)
}
