//! Security headers on every answer, pages and API alike.
//!
//! The Content-Security-Policy allows only this origin's own files: no
//! inline script (Trunk's start-up script is moved to a file at build time,
//! see xtask/src/loader.rs), no inline style attribute (the app sets styles
//! through the CSSOM, which the policy does not cover), no plugins, no
//! framing. WebAssembly needs `'wasm-unsafe-eval'` to compile, and nothing
//! more: plain `'unsafe-eval'` stays off. Images may also be `blob:` URLs:
//! the shopper's photos are shown from the phone's own storage.
//!
//! The Permissions-Policy turns the camera off everywhere but the
//! shopper's pages (`/shop`), where a photo of a receipt or a queue ticket
//! is taken ([`camera_for_shop`]).

use axum::http::{header, HeaderName, HeaderValue};
use tower_http::set_header::SetResponseHeaderLayer;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; \
     img-src 'self' blob:; \
     connect-src 'self'; \
     manifest-src 'self'; \
     worker-src 'self'; \
     object-src 'none'; \
     base-uri 'none'; \
     form-action 'self'; \
     frame-ancestors 'none'";

pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

/// The shopper's pages take photos with this origin's camera.
pub const SHOP_PERMISSIONS_POLICY: &str =
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=()";

/// Each header with its value; applied in [`super::app`].
pub fn all() -> [(HeaderName, HeaderValue); 6] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        // Addresses inside the app (a visit's id, a filter) stay inside it.
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        // For browsers older than frame-ancestors.
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        // The kit needs none of these; a compromised page cannot ask for them.
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ),
    ]
}

/// HSTS, for a server whose public URL is https: browsers then refuse to
/// reach it over plain HTTP for a year (no `includeSubDomains`: the bank's
/// other hosts are not ours to decide for).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// The headers of this server: [`all`], and HSTS when `public_url` is https.
pub fn for_site(public_url: Option<&str>) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = all().to_vec();
    let https = public_url.is_some_and(|u| {
        u.trim()
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    });
    if https {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        ));
    }
    headers
}

pub fn layer(name: HeaderName, value: HeaderValue) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, value)
}

/// The shopper's pages (`/shop` and below) get [`SHOP_PERMISSIONS_POLICY`];
/// installed outside the other headers, so that it has the last word.
pub async fn camera_for_shop(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let shop = path == "/shop" || path.starts_with("/shop/");
    let mut response = next.run(request).await;
    if shop {
        response.headers_mut().insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(SHOP_PERMISSIONS_POLICY),
        );
    }
    response
}
