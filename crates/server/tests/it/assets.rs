//! Serving the built app: precompressed assets, cache headers, SPA fallback.

use crate::common;

use common::{TestServer, WASM};

async fn get(server: &TestServer, path: &str, encoding: &str) -> reqwest::Response {
    server
        .client
        .get(server.at(path))
        .header("accept-encoding", encoding)
        .send()
        .await
        .unwrap()
}

fn header<'a>(resp: &'a reqwest::Response, name: &str) -> &'a str {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn hashed_assets_are_precompressed_and_immutable() {
    let server = TestServer::start().await;
    let path = format!("/{WASM}");
    for (accept, encoding, body) in [
        ("br, gzip", "br", &b"\0asm-br"[..]),
        ("gzip", "gzip", &b"\0asm-gz"[..]),
        ("identity", "", &b"\0asm-raw"[..]),
    ] {
        let resp = get(&server, &path, accept).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "content-encoding"), encoding, "{accept}");
        assert!(header(&resp, "cache-control").contains("immutable"));
        assert_eq!(header(&resp, "content-type"), "application/wasm");
        assert_eq!(resp.bytes().await.unwrap(), body, "{accept}");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_page_is_revalidated_and_app_routes_get_it() {
    let server = TestServer::start().await;
    for path in [
        "/",
        "/index.html",
        "/kiosk",
        "/shop",
        "/dashboard/branches",
        "/admin",
    ] {
        let resp = get(&server, path, "identity").await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(header(&resp, "cache-control"), "no-cache", "{path}");
        assert!(
            header(&resp, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert!(
            resp.text().await.unwrap().contains("<title>BranchPulse"),
            "{path}"
        );
    }
    let resp = get(&server, "/kiosk", "br").await;
    assert_eq!(header(&resp, "content-encoding"), "br");
    server.stop().await;
}

#[tokio::test]
async fn a_mode_with_its_own_bundle_gets_its_page_when_it_is_built() {
    let server = TestServer::start().await;
    // Without kiosk.html (the test dist has none), /kiosk is the main app's page.
    let main_page = get(&server, "/kiosk", "identity")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        main_page,
        get(&server, "/", "identity").await.text().await.unwrap()
    );
    let dist = server.dir.path().join("dist");
    std::fs::write(
        dist.join("kiosk.html"),
        "<title>BranchPulse kiosk bundle</title>",
    )
    .unwrap();
    std::fs::write(dist.join("kiosk.html.br"), b"br-kiosk").unwrap();
    let resp = get(&server, "/kiosk", "identity").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "cache-control"), "no-cache");
    assert!(header(&resp, "content-type").starts_with("text/html"));
    assert_eq!(
        resp.text().await.unwrap(),
        "<title>BranchPulse kiosk bundle</title>"
    );
    let resp = get(&server, "/kiosk", "br").await;
    assert_eq!(header(&resp, "content-encoding"), "br");
    assert_eq!(resp.bytes().await.unwrap(), &b"br-kiosk"[..]);
    // The shopper's bundle serves /shop and what is below it, not look-alikes.
    std::fs::write(
        dist.join("shop.html"),
        "<title>BranchPulse shop bundle</title>",
    )
    .unwrap();
    for path in ["/shop", "/shop/visit/0c9f6d0e-5f7a-4c1e-9d2b-0a1b2c3d4e5f"] {
        let body = get(&server, path, "identity").await.text().await.unwrap();
        assert_eq!(body, "<title>BranchPulse shop bundle</title>", "{path}");
    }
    // Every other route keeps the main app.
    for path in [
        "/",
        "/shopping",
        "/admin",
        "/kioskx",
        "/kiosk/no-such-screen",
    ] {
        let body = get(&server, path, "identity").await.text().await.unwrap();
        assert_eq!(body, main_page, "{path}");
    }
    server.stop().await;
}

/// A stand-in page in dist for each bundle `(file, title)`, as if built.
fn build_pages(server: &TestServer, pages: &[(&str, &str)]) {
    let dist = server.dir.path().join("dist");
    for (file, title) in pages {
        std::fs::write(
            dist.join(file),
            format!("<title>BranchPulse {title} bundle</title>"),
        )
        .unwrap();
    }
}

/// Each `(path, title)` is answered with that bundle's page, revalidated
/// on every visit.
async fn assert_bundle_pages(server: &TestServer, served: &[(&str, &str)]) {
    for (path, title) in served {
        let resp = get(server, path, "identity").await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(header(&resp, "cache-control"), "no-cache", "{path}");
        assert_eq!(
            resp.text().await.unwrap(),
            format!("<title>BranchPulse {title} bundle</title>"),
            "{path}"
        );
    }
}

/// Each path is answered with the main app's page.
async fn assert_main_app(server: &TestServer, main_page: &str, paths: &[&str]) {
    for path in paths {
        let body = get(server, path, "identity").await.text().await.unwrap();
        assert_eq!(body, main_page, "{path}");
    }
}

#[tokio::test]
async fn the_admin_screens_and_the_monthly_report_get_pages_of_their_own() {
    let server = TestServer::start().await;
    let main_page = get(&server, "/", "identity").await.text().await.unwrap();
    // Not built (the test dist has neither): the main app's page.
    assert_main_app(&server, &main_page, &["/admin", "/report"]).await;
    build_pages(
        &server,
        &[("admin.html", "admin"), ("report.html", "report")],
    );
    assert_bundle_pages(
        &server,
        &[
            ("/admin", "admin"),
            ("/admin?s=users", "admin"),
            ("/report", "report"),
            ("/report?branch=N01&month=2026-11", "report"),
            ("/report?region=South+East&month=2026-11", "report"),
        ],
    )
    .await;
    // The start page and the sign-in stay the main app's; neither bundle
    // takes what is below it or a look-alike.
    let paths = [
        "/",
        "/login",
        "/login?next=%2Fadmin",
        "/administration",
        "/admin/users",
        "/reports",
        "/report/2026-11",
    ];
    assert_main_app(&server, &main_page, &paths).await;
    server.stop().await;
}

#[tokio::test]
async fn the_kiosk_staff_page_is_a_page_of_its_own() {
    let server = TestServer::start().await;
    let main_page = get(&server, "/", "identity").await.text().await.unwrap();
    // Not built: the main app's page, which shows "not found".
    assert_main_app(&server, &main_page, &["/kiosk/staff"]).await;
    build_pages(
        &server,
        &[("kiosk.html", "kiosk"), ("kiosk-staff.html", "staff")],
    );
    let dist = server.dir.path().join("dist");
    std::fs::write(dist.join("kiosk-staff.html.br"), b"br-staff").unwrap();
    assert_bundle_pages(
        &server,
        &[
            ("/kiosk", "kiosk"),
            ("/kiosk?enrol=ABCDE-FGHJK", "kiosk"),
            ("/kiosk/staff", "staff"),
            ("/kiosk/staff?enrol", "staff"),
        ],
    )
    .await;
    let resp = get(&server, "/kiosk/staff", "br").await;
    assert_eq!(header(&resp, "content-encoding"), "br");
    assert_eq!(resp.bytes().await.unwrap(), &b"br-staff"[..]);
    // Neither what is below it nor a look-alike.
    let paths = ["/kiosk/staffing", "/kiosk/staff/menu", "/kiosk-staff"];
    assert_main_app(&server, &main_page, &paths).await;
    server.stop().await;
}

#[tokio::test]
async fn missing_files_and_paths_outside_dist_are_not_served() {
    let server = TestServer::start().await;
    std::fs::write(server.dir.path().join("secret.txt"), "TOP-SECRET-CONTENT").unwrap();
    for path in [
        "/missing.js",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
    ] {
        let resp = get(&server, path, "identity").await;
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap();
        assert!(
            !body.contains("TOP-SECRET-CONTENT"),
            "{path} leaked a file outside dist"
        );
        assert!(
            status == 404 || status == 400 || (status == 200 && body.contains("<title>")),
            "{path}: {status}"
        );
    }
    assert_eq!(get(&server, "/missing.js", "identity").await.status(), 404);
    server.stop().await;
}

#[tokio::test]
async fn without_a_built_app_pages_say_how_to_build_it() {
    let server = TestServer::start_with(|c| c.dist = c.dist.with_file_name("not-built")).await;
    let resp = get(&server, "/kiosk", "identity").await;
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("cargo xtask run"));
    // The API works all the same.
    assert_eq!(server.get_json("/api/v1/health").await.0, 200);
    server.stop().await;
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let server = TestServer::start().await;
    // A page, a hashed asset, the API, an API error, a missing file.
    for path in [
        "/",
        "/kiosk",
        "/app-0123456789abcdef.js",
        "/api/v1/health",
        "/api/v1/nope",
        "/missing.png",
    ] {
        let resp = get(&server, path, "identity").await;
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&resp, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&resp, "referrer-policy"), "no-referrer", "{path}");
        let csp = header(&resp, "content-security-policy");
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        for wanted in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "style-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(directives.contains(&wanted), "{path}: {wanted} in {csp}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
            "{path}: {csp}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn the_camera_is_allowed_on_the_shoppers_pages_only() {
    let server = TestServer::start().await;
    let camera = |policy: &str| {
        policy
            .split(',')
            .map(str::trim)
            .find(|d| d.starts_with("camera="))
            .map(str::to_owned)
    };
    for (path, wanted) in [
        ("/shop", "camera=(self)"),
        ("/shop/visit/123", "camera=(self)"),
        ("/", "camera=()"),
        ("/kiosk", "camera=()"),
        ("/dashboard", "camera=()"),
        ("/shopping", "camera=()"),
        ("/api/v1/health", "camera=()"),
    ] {
        let resp = get(&server, path, "identity").await;
        let policy = header(&resp, "permissions-policy");
        assert_eq!(camera(policy).as_deref(), Some(wanted), "{path}: {policy}");
        assert!(policy.contains("geolocation=()"), "{path}: {policy}");
    }
    server.stop().await;
}
