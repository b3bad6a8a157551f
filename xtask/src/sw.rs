//! `cargo xtask post-build [DIR]`: finish a built app — move the inline
//! start-up script to a file ([`crate::loader`]), then write the service
//! worker `sw.js`, which must list that file too.
//!
//! Trunk runs it as a `post_build` hook (see Trunk.toml), with
//! `TRUNK_STAGING_DIR` naming the directory that is about to become dist/.
//! The worker is `sw.template.js` with two things filled in from that
//! directory: the list of files to pre-cache (every file of the build,
//! hashed assets, manifest and icons) and a build id, a hash of all their
//! names and contents. A new build therefore gets a new worker whenever
//! anything in it changed, and no list is ever kept by hand.

use crate::build::asset_files;
use anyhow::{bail, Context, Result};
use std::path::Path;

const TEMPLATE: &str = include_str!("sw.template.js");
pub const SW_FILE: &str = "sw.js";

/// Finish `dir`: the argument, else `$TRUNK_STAGING_DIR`.
pub fn post_build(args: &[String]) -> Result<()> {
    let dir = match args.first() {
        Some(d) => d.clone(),
        None => std::env::var("TRUNK_STAGING_DIR")
            .context("cargo xtask post-build DIR, or run as a Trunk hook (TRUNK_STAGING_DIR)")?,
    };
    let dir = Path::new(&dir);
    if let Some(name) = crate::loader::externalize(dir)? {
        println!("xtask post-build: the start-up script is now {name}");
    }
    let (id, count) = write(dir)?;
    println!(
        "xtask post-build: {}/{SW_FILE}: build {id}, {count} files pre-cached",
        dir.display()
    );
    Ok(())
}

/// Write the worker into `dir`; its build id and how many files it lists.
pub fn write(dir: &Path) -> Result<(String, usize)> {
    if !dir.join("index.html").is_file() {
        bail!("{} has no index.html", dir.display());
    }
    let mut urls = Vec::new();
    let mut hash = Fnv::new();
    for file in asset_files(dir)? {
        let rel = file
            .strip_prefix(dir)?
            .to_str()
            .context("a non-UTF-8 file name")?
            .replace('\\', "/");
        if rel == SW_FILE || rel.starts_with('.') {
            continue;
        }
        hash.write(rel.as_bytes());
        hash.write(&std::fs::read(&file)?);
        if rel != "index.html" {
            urls.push(format!("/{rel}"));
        }
    }
    let id = format!("{:016x}", hash.0);
    let text = render(&id, &urls)?;
    std::fs::write(dir.join(SW_FILE), text)?;
    Ok((id, urls.len() + 1))
}

fn render(id: &str, urls: &[String]) -> Result<String> {
    let list = serde_json::to_string(urls)?;
    Ok(TEMPLATE
        .replace("__BUILD_ID__", id)
        .replace("__ASSETS__", &list))
}

/// FNV-1a, 64 bits: stable across Rust versions, unlike `DefaultHasher`.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        self.0 = (self.0 ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_file_but_itself_and_changes_id_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("index.html"), "<html>").unwrap();
        std::fs::write(d.join("app-0123456789abcdef.js"), "js").unwrap();
        std::fs::create_dir(d.join("icons")).unwrap();
        std::fs::write(d.join("icons/icon-192.png"), "png").unwrap();
        let (id, n) = write(d).unwrap();
        assert_eq!(n, 3);
        let sw = std::fs::read_to_string(d.join(SW_FILE)).unwrap();
        assert!(sw.contains(&format!("const BUILD_ID = '{id}';")));
        assert!(sw.contains(r#"["/app-0123456789abcdef.js","/icons/icon-192.png"]"#));
        assert!(!sw.contains("__ASSETS__"));
        // Running again over its own output changes nothing.
        assert_eq!(write(d).unwrap().0, id);
        std::fs::write(d.join("index.html"), "<html lang=en>").unwrap();
        assert_ne!(write(d).unwrap().0, id);
    }

    #[test]
    fn every_bundle_page_has_its_route_offline() {
        // Each page built beside index.html is the page of its route, `/x`
        // for `x.html` and `/x/y` for `x-y.html`; otherwise an offline
        // visit would get the start page.
        for page in crate::build::BUNDLE_PAGES {
            let route = page.trim_end_matches(".html").replace('-', "/");
            assert!(
                TEMPLATE.contains(&format!("'/{route}': '/{page}'")),
                "sw.template.js PAGES has no '/{route}': '/{page}'"
            );
        }
    }
}
