//! Security headers on every answer, pages and API alike.
//!
//! The Content-Security-Policy allows only this origin's own files: no
//! inline script (Trunk's start-up script is moved to a file at build time,
//! see xtask/src/loader.rs), no inline style attribute (the app sets styles
//! through the CSSOM, which the policy does not cover), no plugins, no
//! framing. WebAssembly needs `'wasm-unsafe-eval'` to compile, and nothing
//! more: plain `'unsafe-eval'` stays off.

use axum::http::{header, HeaderName, HeaderValue};
use tower_http::set_header::SetResponseHeaderLayer;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; \
     img-src 'self'; \
     connect-src 'self'; \
     manifest-src 'self'; \
     worker-src 'self'; \
     object-src 'none'; \
     base-uri 'none'; \
     form-action 'self'; \
     frame-ancestors 'none'";

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
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
            ),
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
