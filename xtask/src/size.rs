//! `cargo xtask size`: what the release build weighs, and the first-load budget.

use crate::build::{asset_files, brotli_bytes, gzip_bytes};
use crate::cmd;
use anyhow::{bail, Result};
use std::path::Path;

/// What we aim for: html + js + wasm + css of a first visit, brotli.
/// Printed with the gap to it; not enforced (see the ceilings).
pub const FIRST_LOAD_TARGET: u64 = 150 * 1000;

/// The enforced ceilings, per page, set a little above what each measures
/// here so that growth is noticed. The Leptos 0.8 runtime alone
/// (reactive_graph, tachys, leptos_router) came to ~155 KB brotli for a bare
/// shell with a router, so every page is over the target. Each mode a device
/// runs alone is a bundle of its own: the lobby kiosk (kiosk.html: no router,
/// no other mode; 237 KB, 247 KB with device enrolment), the shopper's
/// phone (shop.html: 300 KB, 312 KB with device enrolment), the
/// manager's dashboard (dashboard.html, with plotters and the offline
/// aggregation: 342 KB); the main app (index.html: start page, admin) 215 KB.
/// The admin's screens (six sections of forms and tables, sign-in, the
/// questionnaire loader to check an upload before sending it) took the main
/// app to 306 KB; the dashboard's sign-in and scope to 352 KB. With device
/// enrolment as well (and the people's strings, which every bundle's
/// translation table carries, and the frame's account menu): kiosk 254 KB,
/// shop 318 KB, main app 311 KB, dashboard 356 KB. The sync client's
/// deferred responses and its splitting of failing batches (with the
/// status bar's and the staff menu's notes) took them to 258, 323, 314 and
/// 360 KB. Core's hardening (the past bound on device clocks, control
/// characters refused in every stored string, typed problems) and the
/// questionnaires fetched with the device's token took the kiosk to 263 and
/// the shop to 327 KB; the main app reached 329 KB with the questionnaire
/// loader's limits and exact error paths (serde_path_to_error) and the
/// admin's role and scope change. Problem codes in error bodies (issue 23:
/// every bundle reads the code and field; only the main app carries the
/// texts of the 60-odd codes in three languages, `src/problem.rs`) took the
/// main app to 333 KB (+4.3 KB) and the dashboard to 363 KB (+2.1 KB); the
/// kiosk and shop grew by under 1 KB. Issue 17 lowered the kiosk's: the
/// customer flow without a start screen, scales and "does not apply", the
/// admin's staff PIN with its waits, status reports and the questionnaire
/// taken between customers added about 10 KB, and the kiosk dropped more:
/// the translations per bundle (-8 KB), no file loader for a newer
/// questionnaire (the server checked it), no `f64::clamp` (its panic
/// message brought float formatting), no account menu and no questionnaire
/// preview list (-14 KB): 257 KB. Issue 18 raised two: the dashboard to
/// 423 KB (+60 KB: each channel's figures loaded and drawn apart, the
/// headline figures with their change, the commitment scorecard, waits per
/// branch and the heat map, about +20 KB; the drill-down from a score to
/// its items and comments, with its kept copies and its offline
/// computation, about +35 KB; item names sent with the figures), and the
/// main app to 338 KB (+2 KB: the questionnaire format's commitment field
/// and core's scorecard types). Issue 21's screens raised two: the shop to
/// 354 KB (+27 KB: the visits' windows in words and statuses, the starts
/// kept on the phone, a returned report read and kept — the whole
/// `ReportDetail` with its `Response` — and made into a correction), the
/// main app to 425 KB (+84 KB: the coordinator's window form, filters and
/// quotas, and the reviewer's queue and report page, which reads a whole
/// `Response` with its times, a questionnaire version and the photos; its
/// views are the bulk, not yet measured with twiggy). The kiosk carries
/// none of it. The rest of issue 21 raised two more: the shop to 387 KB
/// (382.4 KB, +28 KB: the ring counter; photos taken or chosen, shrunk
/// through a canvas, kept in IndexedDB and sent in chunks that resume;
/// their hash moved to `crypto.subtle`, -5 KB), and the kiosk to 263 KB
/// (261.9 KB, +2 KB: the questionnaire format's call item and its answer,
/// which every bundle that loads questionnaires reads and validates), and
/// the main app to 434 KB (429.7 KB, +4.3 KB over the screens' 425.4: the
/// reviewer's page names call answers in words, marks the photos of
/// earlier versions and counts each report's photos in the queue).
/// Issue 20's screens raised two: the dashboard to 482 KB (477.5 KB, +52.4
/// KB over 425.1: the alert inbox and an alert's page that makes a case,
/// the case list and page with its steps, notes, history and contact, the
/// case counts per branch, the frame's unread count, the problem texts its
/// forms now say, and admin.css, whose forms it shares, +1.4 KB), and the
/// main app to 474 KB (469.0 KB, +39.9 KB over 429.1: the alert rules'
/// form and list, webhooks with their secret and delivery log, the frame's
/// unread count). Reading alerts, cases, rules and webhooks field by field
/// with the browser's JSON parser (serde's derives of the tagged and
/// flattened core types buffer whole values), one resource per screen and
/// no standard sort took 10.2 and 8.4 KB off the first builds (487.7 and
/// 477.4 KB); what is left is the views (tachys and reactive_graph, twiggy).
/// Issue 20's contact request raised the kiosk to 278 KB (274.9 KB,
/// +13 KB, measured with twiggy against the commit before it: the
/// thank-you's offer and the two steps — phone or e-mail, then the number
/// with its note and core's check — about 6 KB with their strings in three
/// languages; the request's own IndexedDB store and its sender, which
/// waits for the response to leave the outbox, sends, backs off and drops
/// what the server will never take, about 6 KB; the setup's switch 1 KB).
/// Drawing the steps once and hiding them, and a sender without a
/// cross-tab lock, saved 1 KB of it. The other bundles carry none of it.
/// Issue 19 (network scale) raised two: the dashboard to 547 KB (542.0 KB,
/// +62.9 over 479.1), each part measured against the main it started from:
/// the branch table (paged, searched, sorted by an interval bound, its rows
/// ticked for the charts) +18 KB with table.css; key drivers (the two
/// importance-against-score charts, their tables and texts) +13 KB; the
/// monthly report (its pickers, sections, change column, quoted comments,
/// report.css with the A4 print rules) +21 KB; the rest, about 11 KB, is
/// the peer comparison's select and legend in words, the branches' formats
/// and the report's key-drivers section. The main app rose to 484 KB
/// (479.6 KB, +8.4 over 471.2): the formats screen (a format's code and
/// names in three languages) and a branch's format. Drawing a table page's
/// rows as one string and reading the drivers field by field saved about
/// 1 KB; splitting the report and the admin screens into bundles of their
/// own is issue 22's.
/// Issue 22 (2026-12-06) lowered four and set two. The admin's screens
/// left index.html for admin.html and the monthly report left
/// dashboard.html for report.html; dates are read without `time`'s format
/// descriptions (-6 KB in the dashboard, -5 in the shop). index.html, now the
/// start page and the sign-in, went from 479.6 to 212.6 KB: budget 214.
/// admin.html measured 466.0 and 467.0 KB in two builds: 470. report.html
/// 340.9 KB: 343. The dashboard measured 527.8 KB (peer groups as a
/// selection and the searchable branch picker added about 15 KB, the split
/// took 19 off): 530. The shop measured 374.9 KB: 377. The kiosk's app shell (the first
/// question shown from a kept copy before the wasm starts: the copy's code
/// and a 1 KB script) took the kiosk from 274.7 to 278.5 KB: 280, paid
/// for by the first question at 0.30x a SurveyJS page instead of 0.6x.
/// The kiosk's staff screens (enrolment, setup, the PIN prompt, the staff
/// menu, kiosk mode off, and the frame with its status bar, which only an
/// unlocked kiosk shows) left kiosk.html for kiosk-staff.html at
/// /kiosk/staff: the customer's first load went from 278.5 to 223.0 KB:
/// 225. kiosk-staff.html measured 214.4 and 214.0 KB: 216, loaded only when staff
/// enrol, set up or open their menu (and pre-cached for offline).
/// CSS per page (main.css keeps what every page uses; kiosk.css, shop.css
/// and dashboard.css where they are shown) took 1.6-3.3 KB off each first
/// load. Measured in the CI run of both: kiosk 221.4 KB: 223; kiosk-staff
/// 212.4: 214; shop 373.4: 375; index 209.3: 211; dashboard 525.8: 528;
/// admin 463.5 (it has varied by 1 KB between builds): 466; report 338.8: 341.
/// One copy of the sorting code (`branchpulse_core::collect`: maps, sets
/// and sorts had copied the standard stable sort per element type) and an
/// admin upload checked by the server's loader alone (no second loader in
/// the browser) lowered all but two: kiosk 219.5 KB: 221; shop 366.2: 368;
/// dashboard 509.6: 511; admin 410.6: 413; report 336.4: 338; kiosk-staff
/// (212.5) and index (209.1) keep theirs. wasm-opt at -O2 for the five
/// pages still at -Oz (smaller over the wire, as for the kiosk and shop):
/// kiosk-staff 211.3: 213; index 208.4: 210; dashboard 506.7: 508; admin
/// 407.3: 409; report 334.5: 336.
/// Each budget leaves under 1% for builds on other machines, so a real
/// regression still trips it.
pub const BUDGETS: [(&str, u64); 7] = [
    ("kiosk.html", 221 * 1000),
    ("kiosk-staff.html", 213 * 1000),
    ("shop.html", 368 * 1000),
    ("index.html", 210 * 1000),
    ("dashboard.html", 508 * 1000),
    ("admin.html", 409 * 1000),
    ("report.html", 336 * 1000),
];

/// Pages reported without a budget (none: every page has one).
pub const UNBUDGETED: [&str; 0] = [];

pub fn report(dist: &Path) -> Result<()> {
    cmd::step("Asset sizes of the release build (bytes)");
    if !dist.join("index.html").exists() {
        bail!(
            "{} has no index.html: build first (cargo xtask run, or trunk build --release)",
            dist.display()
        );
    }
    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "asset", "raw", "gzip", "brotli"
    );
    let mut brotli = std::collections::BTreeMap::new();
    for file in asset_files(dist)? {
        let data = std::fs::read(&file)?;
        let (gz, br) = (
            gzip_bytes(&data)?.len() as u64,
            brotli_bytes(&data)?.len() as u64,
        );
        let name = file
            .strip_prefix(dist)
            .unwrap_or(&file)
            .display()
            .to_string();
        println!("{name:<48} {:>10} {gz:>10} {br:>10}", data.len());
        brotli.insert(name, br);
    }
    let mut over = Vec::new();
    let pages = BUDGETS
        .iter()
        .map(|&(page, budget)| (page, Some(budget)))
        .chain(UNBUDGETED.iter().map(|&page| (page, None)));
    for (page, budget) in pages {
        let Ok(html) = std::fs::read_to_string(dist.join(page)) else {
            println!("{page}: not built");
            continue;
        };
        // The page and the scripts, wasm and styles it names: what a first
        // visit downloads before the first screen (the service worker and
        // the icons come after).
        let mut total = brotli.get(page).copied().unwrap_or_default();
        let mut parts = vec![page.to_string()];
        for asset in first_load_assets(&html) {
            total += brotli
                .get(&asset)
                .copied()
                .ok_or_else(|| anyhow::anyhow!("{page} names {asset}, which is not in dist"))?;
            parts.push(asset);
        }
        let budget_text = budget.map_or("no budget yet".to_string(), |b| {
            format!("budget {} KB", b / 1000)
        });
        println!(
            "first load of {page} ({}), brotli: {total} bytes = {:.1} KB; {budget_text}, target {} KB ({:+.1} KB from the target)",
            parts.join(" + "),
            total as f64 / 1000.0,
            FIRST_LOAD_TARGET / 1000,
            (total as f64 - FIRST_LOAD_TARGET as f64) / 1000.0
        );
        if let Some(wasm) = parts.iter().find(|p| p.ends_with(".wasm")) {
            let (carried, all) = strings_carried(dist, &std::fs::read(dist.join(wasm))?)?;
            println!("  {page} carries {carried} of the app's {all} English strings");
        }
        if let Some(budget) = budget.filter(|&b| total > b) {
            over.push(format!(
                "{page}: {total} bytes is over its {budget}-byte budget"
            ));
        }
    }
    if !over.is_empty() {
        bail!("first-load budget exceeded: {}", over.join("; "));
    }
    Ok(())
}

/// How many of the app's strings (`src/i18n/en.toml`, beside `dist`) are
/// in `wasm`, of how many: each bundle should carry only those it shows.
fn strings_carried(dist: &Path, wasm: &[u8]) -> Result<(usize, usize)> {
    let file = dist
        .parent()
        .unwrap_or(Path::new("."))
        .join("src/i18n/en.toml");
    let table: toml::Table = std::fs::read_to_string(&file)?.parse()?;
    let texts: Vec<&str> = table.values().filter_map(|v| v.as_str()).collect();
    // Short texts ("none", "items") also occur inside other strings and code.
    let telling: Vec<&str> = texts.into_iter().filter(|t| t.len() >= 12).collect();
    let carried = telling
        .iter()
        .filter(|t| wasm.windows(t.len()).any(|w| w == t.as_bytes()))
        .count();
    Ok((carried, telling.len()))
}

/// The `.js`, `.wasm` and `.css` files an HTML page names (`href="/x"`, `src="/x"`).
fn first_load_assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for quoted in html.split("=\"/").skip(1) {
        let Some(path) = quoted.split('"').next() else {
            continue;
        };
        let first_load = [".js", ".wasm", ".css"].iter().any(|e| path.ends_with(e));
        if first_load && !out.iter().any(|p: &String| p == path) {
            out.push(path.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_its_scripts_wasm_and_styles_once() {
        let html = r#"<link rel="manifest" href="/manifest.webmanifest"><link rel="stylesheet" href="/main-1.css"/>
<script type="module" src="/start-2.js"></script><link rel="modulepreload" href="/app-3.js"><link rel="preload" href="/app-3_bg.wasm" as="fetch"><link rel="icon" href="/favicon-4.svg"><a href="/app-3.js">"#;
        assert_eq!(
            first_load_assets(html),
            ["main-1.css", "start-2.js", "app-3.js", "app-3_bg.wasm"]
        );
    }
}
