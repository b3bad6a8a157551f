//! Request rates, as tower layers (`tower_governor`): per client address on
//! the whole API, per device token on `POST /responses`, and stricter ones
//! per address on enrolling and signing in. Over the rate: 429 with
//! `Retry-After`, in the API's JSON error shape.
//!
//! The buckets are kept in each server's memory: with several replicas the
//! rates are per replica. The sign-in back-off that matters against
//! password guessing is per account and in the database (see `sign_in`).

use crate::config::Config;
use crate::error::ApiError;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, Response};
use axum::response::IntoResponse;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::{KeyExtractor, PeerIpKeyExtractor};
use tower_governor::{GovernorError, GovernorLayer};

/// The client's address: the peer's, or, behind trusted reverse proxies,
/// the one the nearest of them wrote in `X-Forwarded-For`.
///
/// Each proxy appends the address it received from to the right of the
/// list, so only the right end is written by proxies we trust: with `hops`
/// proxies in front of the server, the client is the `hops`th entry from
/// the right. Entries further left were written by the client and are
/// never read (picking the leftmost would let a client rotate it to get
/// fresh buckets). A list shorter than `hops`, or an entry that is not an
/// address, falls back to the peer.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp {
    pub trust_proxy: bool,
    pub hops: u32,
}

impl ClientIp {
    pub fn of(config: &Config) -> ClientIp {
        ClientIp {
            trust_proxy: config.trust_proxy,
            hops: config.trusted_proxy_hops,
        }
    }
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        if self.trust_proxy {
            if let Some(ip) = forwarded_client(req.headers(), self.hops) {
                return Ok(ip);
            }
        }
        PeerIpKeyExtractor.extract(req)
    }
}

/// The client named by the `hops`th `X-Forwarded-For` entry from the right.
pub fn forwarded_client(headers: &HeaderMap, hops: u32) -> Option<IpAddr> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let hops = usize::try_from(hops.max(1)).unwrap_or(usize::MAX);
    let entry = entries.get(entries.len().checked_sub(hops)?)?;
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// The device token of a request, as the guards read it (`Bearer` and
/// spaces stripped), so that spelling the header differently does not
/// give a fresh bucket. Requests without one share one bucket; they are
/// refused with 401 anyway.
#[derive(Debug, Clone, Copy)]
pub struct DeviceToken;

impl KeyExtractor for DeviceToken {
    type Key = String;

    fn extract<T>(&self, req: &Request<T>) -> Result<String, GovernorError> {
        Ok(crate::auth::extract::bearer(req.headers())
            .and_then(Result::ok)
            .map(crate::store::sha256_hex)
            .unwrap_or_default())
    }
}

fn refused(limit: &'static str, error: GovernorError) -> Response<Body> {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            crate::telemetry::count_refusal(limit);
            ApiError::TooManyRequests {
                message: format!(
                    "too many requests: try again in {} seconds",
                    wait_time.max(1)
                ),
                retry_after: wait_time.max(1),
            }
        }
        other => ApiError::Internal(format!("rate limit: {other}")),
    }
    .into_response()
}

/// A rate: `per` requests each `period`, up to `burst` at once.
fn layer<K: KeyExtractor + Send + Sync + 'static>(
    name: &'static str,
    key: K,
    period: Duration,
    burst: u32,
    methods: Option<Vec<Method>>,
) -> GovernorLayer<K, governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>, Body>
where
    K::Key: Send + Sync,
{
    let mut builder = GovernorConfigBuilder::default().key_extractor(key);
    builder.period(period).burst_size(burst.max(1));
    if let Some(m) = methods {
        builder.methods(m);
    }
    let config: Arc<GovernorConfig<K, _>> = Arc::new(
        builder
            .finish()
            .expect("a period above zero and a burst of at least one"),
    );
    spawn_cleanup(Arc::clone(&config));
    GovernorLayer::new(config).error_handler(move |e| refused(name, e))
}

/// Forget idle clients now and then, so the buckets do not grow forever.
fn spawn_cleanup<K: KeyExtractor + Send + Sync + 'static>(
    config: Arc<
        GovernorConfig<K, governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>>,
    >,
) where
    K::Key: Send + Sync,
{
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let weak = Arc::downgrade(&config);
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                let Some(config) = weak.upgrade() else { break };
                config.limiter().retain_recent();
            }
        });
    }
}

fn every(per: u32, unit: Duration) -> Duration {
    (unit / per.max(1)).max(Duration::from_nanos(1))
}

pub type Layer<K> =
    GovernorLayer<K, governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>, Body>;

/// Per client address, on every API request; `None` when turned off (0).
pub fn per_ip(config: &Config) -> Option<Layer<ClientIp>> {
    (config.rate_per_ip > 0).then(|| {
        layer(
            "per_ip",
            ClientIp::of(config),
            every(config.rate_per_ip, Duration::from_secs(1)),
            config.rate_burst_ip,
            None,
        )
    })
}

/// Per device token, on `POST /responses`.
pub fn per_device(config: &Config) -> Option<Layer<DeviceToken>> {
    (config.rate_per_device > 0).then(|| {
        layer(
            "per_device",
            DeviceToken,
            every(config.rate_per_device, Duration::from_secs(1)),
            config.rate_burst_device,
            None,
        )
    })
}

/// Per client address, on enrolling (codes are guessed this way).
pub fn enrol(config: &Config) -> Option<Layer<ClientIp>> {
    (config.enrol_per_minute > 0).then(|| {
        layer(
            "enrol",
            ClientIp::of(config),
            every(config.enrol_per_minute, Duration::from_secs(60)),
            config.enrol_per_minute,
            None,
        )
    })
}

/// Per client address, on signing in (`POST /session` only).
pub fn sign_in(config: &Config) -> Option<Layer<ClientIp>> {
    (config.sign_in_per_minute > 0).then(|| {
        layer(
            "sign_in",
            ClientIp::of(config),
            every(config.sign_in_per_minute, Duration::from_secs(60)),
            config.sign_in_per_minute,
            Some(vec![Method::POST]),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_counted_from_the_right() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let h = headers(&["1.1.1.1, 2.2.2.2", "3.3.3.3"]);
        assert_eq!(forwarded_client(&h, 1), Some(ip("3.3.3.3")));
        assert_eq!(forwarded_client(&h, 2), Some(ip("2.2.2.2")));
        assert_eq!(forwarded_client(&h, 3), Some(ip("1.1.1.1")));
        // Fewer entries than proxies: the peer is used instead.
        assert_eq!(forwarded_client(&h, 4), None);
        assert_eq!(forwarded_client(&headers(&[]), 1), None);
        assert_eq!(forwarded_client(&headers(&["junk"]), 1), None);
        assert_eq!(
            forwarded_client(&headers(&["[2001:db8::1]:443"]), 1),
            Some(ip("2001:db8::1"))
        );
        assert_eq!(
            forwarded_client(&headers(&["5.5.5.5:80"]), 1),
            Some(ip("5.5.5.5"))
        );
    }
}
