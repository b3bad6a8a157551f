//! Moves Trunk's inline start-up script out of index.html, so the server's
//! Content-Security-Policy can forbid inline scripts altogether.
//!
//! Trunk writes the code that loads the app (`import init … await init(…)`)
//! as an inline `<script type="module">` and has no option to write it as a
//! file (trunk-rs/trunk#288). This step, run after each build before the
//! service worker is written, puts that code in `start-<hash>.js` and points
//! index.html at it. The hash is of the content, so the file is cached like
//! every other hashed asset.

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

const OPEN: &str = "<script type=\"module\">";
const CLOSE: &str = "</script>";

/// Rewrite `dir/index.html`; the name of the file written, or `None` when the
/// page has no inline script left (already done).
pub fn externalize(dir: &Path) -> Result<Option<String>> {
    let index = dir.join("index.html");
    let html =
        std::fs::read_to_string(&index).with_context(|| format!("reading {}", index.display()))?;
    let Some(start) = html.find(OPEN) else {
        if html.contains("<script>") {
            bail!(
                "{} has an inline script this step does not know",
                index.display()
            );
        }
        return Ok(None);
    };
    let body_at = start + OPEN.len();
    let end = html[body_at..]
        .find(CLOSE)
        .map(|i| body_at + i)
        .context("index.html: an unclosed <script>")?;
    let code = html[body_at..end].trim();
    let digest = Sha256::digest(code.as_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("start-{hash}.js");
    std::fs::write(dir.join(&name), format!("{code}\n"))?;
    let tag = format!("<script type=\"module\" src=\"/{name}\"></script>");
    let rewritten = format!("{}{tag}{}", &html[..start], &html[end + CLOSE.len()..]);
    if rewritten.contains(OPEN) {
        bail!("{} has more than one inline script", index.display());
    }
    std::fs::write(&index, rewritten)?;
    Ok(Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_the_inline_module_into_a_hashed_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let page = "<head>\n<script type=\"module\">\nimport init from '/app-0123456789abcdef.js';\nawait init();\n</script>\n<link rel=\"modulepreload\" href=\"/app-0123456789abcdef.js\"></head><body></body>";
        std::fs::write(d.join("index.html"), page).unwrap();
        let name = externalize(d).unwrap().unwrap();
        assert!(name.starts_with("start-") && name.len() == "start-0123456789abcdef.js".len());
        let html = std::fs::read_to_string(d.join("index.html")).unwrap();
        assert!(html.contains(&format!(
            "<script type=\"module\" src=\"/{name}\"></script>"
        )));
        assert!(!html.contains("await init"));
        assert!(
            html.contains("modulepreload"),
            "the rest of the page is kept"
        );
        let code = std::fs::read_to_string(d.join(&name)).unwrap();
        assert!(code.starts_with("import init from '/app-0123456789abcdef.js';"));
        // A second run finds nothing inline and changes nothing.
        assert_eq!(externalize(d).unwrap(), None);
        assert_eq!(std::fs::read_to_string(d.join("index.html")).unwrap(), html);
    }

    #[test]
    fn refuses_a_page_it_cannot_rewrite_safely() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<script>alert(1)</script>").unwrap();
        assert!(externalize(dir.path()).is_err());
        std::fs::write(dir.path().join("index.html"), "<script type=\"module\">x").unwrap();
        assert!(externalize(dir.path()).is_err());
    }
}
