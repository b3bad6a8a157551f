//! The built web app (Trunk's `dist/`), served as files.
//!
//! `xtask` writes a brotli and a gzip copy beside every asset, so they are
//! sent precompressed. Hashed assets (`name-<hash>.js`) never change and are
//! cached for a year; everything else, index.html first, is revalidated on
//! every load so a new build is picked up at once. Any address that is not a
//! file and does not look like one gets index.html: the app's router
//! handles `/login` and the rest; each mode with a bundle of its own
//! (`/kiosk`, `/kiosk/staff`, `/shop`, `/dashboard`, `/admin`, `/report`)
//! gets its page.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::Path;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Modes built as bundles of their own, each with its own page: the route,
/// whether the routes below it are the bundle's too, and the page served
/// for them when it is built (else the main app's page, whose router shows
/// "not found" for an address no bundle has).
const BUNDLES: [(&str, bool, &str); 6] = [
    ("/kiosk", false, "kiosk.html"),
    ("/kiosk/staff", false, "kiosk-staff.html"),
    ("/shop", true, "shop.html"),
    ("/dashboard", false, "dashboard.html"),
    ("/admin", false, "admin.html"),
    ("/report", false, "report.html"),
];

/// `path` is `route`, or below it when `nested` (`/shop/visit/…` for `/shop`).
fn routes_to(path: &str, route: &str, nested: bool) -> bool {
    path.strip_prefix(route)
        .is_some_and(|rest| rest.is_empty() || (nested && rest.starts_with('/')))
}

pub fn router(dist: &Path) -> Router {
    let page = |path: &Path| ServeFile::new(path).precompressed_br().precompressed_gzip();
    let index_path = dist.join("index.html");
    let index = page(&index_path);
    let bundles: Vec<_> = BUNDLES
        .iter()
        .map(|&(route, nested, file)| (route, nested, dist.join(file), page(&dist.join(file))))
        .collect();
    let bundles = std::sync::Arc::new(bundles);
    let app_page = move |req: Request| {
        let index = index.clone();
        let index_path = index_path.clone();
        let bundles = bundles.clone();
        async move {
            if looks_like_file(req.uri().path()) {
                return ApiError::NotFound(format!("no file {}", req.uri().path())).into_response();
            }
            if !index_path.is_file() {
                return ApiError::Unavailable(
                    "the web app is not built: run `cargo xtask run`".into(),
                )
                .into_response();
            }
            // A build without a mode's own bundle serves it from the main app.
            let page = bundles
                .iter()
                .find(|(route, nested, path, _)| {
                    routes_to(req.uri().path(), route, *nested) && path.is_file()
                })
                .map_or(index, |(_, _, _, page)| page.clone());
            match page.oneshot(req).await {
                Ok(res) => res.map(Body::new),
                Err(never) => match never {},
            }
        }
    };
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(app_page.into_service());
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
}

async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let value = if hashed { IMMUTABLE } else { REVALIDATE };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or_default()
}

/// `/x/name.ext`: a request for a file, which must not get the app page.
fn looks_like_file(path: &str) -> bool {
    file_name(path).contains('.')
}

/// Trunk's hashed names: `branchpulse-0123456789abcdef.js`,
/// `branchpulse-0123456789abcdef_bg.wasm`, `main-0123456789abcdef.css`.
/// Trunk prints its 64-bit hash without leading zeros, so one name in 16
/// has 15 digits (`table-c04589b3bb9ea1e.css`); 12 or more is a hash for
/// all but one build in 65,536, which then is merely revalidated.
fn is_hashed(path: &str) -> bool {
    let name = file_name(path);
    let Some((_, tail)) = name.rsplit_once('-') else {
        return false;
    };
    let hash: &str = tail.split(['.', '_']).next().unwrap_or_default();
    (12..=16).contains(&hash.len())
        && hash.chars().all(|c| c.is_ascii_hexdigit())
        && tail.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_names_are_hashed_others_not() {
        assert!(is_hashed("/branchpulse-5d2c1b0a9f8e7d6c.js"));
        assert!(is_hashed("/branchpulse-5d2c1b0a9f8e7d6c_bg.wasm"));
        assert!(is_hashed("/main-0123456789abcdef.css"));
        assert!(is_hashed("/table-c04589b3bb9ea1e.css"));
        assert!(is_hashed("/branchpulse-1ac2bded0059275_bg.wasm"));
        assert!(!is_hashed("/branch-0123456789a.js"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/"));
        assert!(!is_hashed("/sw.js"));
        assert!(!is_hashed("/branch-visit"));
        assert!(!is_hashed("/my-icon.png"));
    }

    #[test]
    fn app_routes_are_not_files() {
        assert!(!looks_like_file("/kiosk"));
        assert!(!looks_like_file("/kiosk/setup"));
        assert!(looks_like_file("/missing.wasm"));
    }
}
