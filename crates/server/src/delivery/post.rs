//! Posting to a webhook: one signed `POST`, at most [`TIMEOUT`], no
//! redirects followed (a receiver that moved is told by its failures, and
//! a signed alert never goes to an address the admin did not enter).

use super::Sent;
use branchpulse_core::webhooks::{signature, DELIVERY_HEADER, SIGNATURE_HEADER};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, USER_AGENT};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The longest a post may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client of webhook posts (cloning shares its connections).
#[derive(Clone)]
pub struct Poster {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Poster {
    /// A client trusting the system's certificate store, for http and https.
    pub fn new() -> Result<Poster, String> {
        // rustls 0.23.48 deprecates ring for lacking post-quantum key
        // exchange; X25519 is what most receivers speak today, and ring
        // builds in seconds where aws-lc-rs takes minutes (lettre uses ring too).
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut http = HttpConnector::new();
        // The connector below chooses TLS by the scheme; this one only connects.
        http.enforce_http(false);
        http.set_connect_timeout(Some(TIMEOUT));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_platform_verifier(provider)
            .map_err(|e| format!("webhooks: the system's certificates cannot be used: {e}"))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Poster {
            client: Client::builder(TokioExecutor::new()).build(https),
        })
    }

    /// Post `body` to `url`, signed with `secret` at `t` (Unix seconds),
    /// as delivery `delivery`. Any 2xx answer delivers it.
    pub async fn post(
        &self,
        url: &str,
        secret: &str,
        delivery: Uuid,
        t: i64,
        body: Vec<u8>,
    ) -> Sent {
        let request = hyper::Request::post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(
                USER_AGENT,
                concat!("BranchPulse/", env!("CARGO_PKG_VERSION")),
            )
            .header(SIGNATURE_HEADER, signature(secret, t, &body))
            .header(DELIVERY_HEADER, delivery.to_string())
            .body(Full::new(Bytes::from(body)));
        let request = match request {
            Ok(request) => request,
            Err(e) => return Sent::permanent(format!("the webhook's URL cannot be used: {e}")),
        };
        match tokio::time::timeout(TIMEOUT, self.client.request(request)).await {
            Err(_) => Sent::failed(None, format!("no answer within {} s", TIMEOUT.as_secs())),
            Ok(Err(e)) => Sent::failed(None, chain(&e)),
            Ok(Ok(answer)) => {
                let status = answer.status();
                if status.is_success() {
                    Sent::delivered(Some(status.as_u16()))
                } else {
                    Sent::failed(
                        Some(status.as_u16()),
                        format!("answered {status}; any 2xx delivers"),
                    )
                }
            }
        }
    }
}

/// An error with its causes, `outer: inner: …` (hyper's own message alone
/// says little: "client error (Connect)").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use branchpulse_core::webhooks::check_url;

    /// Every URL core lets an admin save is one hyper can post to: core's
    /// check is the only one an admin sees.
    #[test]
    fn every_url_core_accepts_makes_a_request() {
        for url in [
            "https://hooks.bank.example/branchpulse",
            "HTTPS://Hooks.Bank.Example",
            "http://10.0.0.5:8080/alerts?source=branchpulse&x=%20y",
            "https://[2001:db8::1]:8443/hook",
            "https://hooks.bank.example/a/[b]/c!$&'()*+,;=:@~.-_?q=[1]",
            "http://localhost:1",
        ] {
            check_url(url).unwrap();
            let request = hyper::Request::post(url).body(());
            assert!(request.is_ok(), "{url}: {:?}", request.err());
            let uri = request.unwrap().uri().clone();
            assert!(
                matches!(uri.scheme_str(), Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https")),
                "{url}"
            );
            assert!(uri.host().is_some_and(|h| !h.is_empty()), "{url}");
        }
    }
}
