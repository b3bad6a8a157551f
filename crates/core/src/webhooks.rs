//! Where alerts go beyond the inbox: webhooks (a bank's own systems) and
//! e-mail, how each post is signed, and when a failed delivery is tried
//! again.
//!
//! A webhook receives `POST <url>` with the JSON [`Event`] and two headers:
//! [`DELIVERY_HEADER`] (the delivery's id, the same on every retry, so a
//! receiver can drop a repeat) and [`SIGNATURE_HEADER`],
//! `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (see
//! [`signature`]). The secret is made by the server and shown to the admin
//! once. Any 2xx answer is a delivery; anything else is tried again after
//! [`backoff`], up to the server's maximum of attempts.
//!
//! ```
//! use branchpulse_core::webhooks::{signature, verify};
//! let body = br#"{"event":"webhook.test"}"#;
//! let header = signature("whsec_example", 1_767_225_600, body);
//! assert!(verify("whsec_example", &header, body, 1_767_225_630, 300));
//! ```

use crate::access::{check_label, FieldError};
use crate::alerts::{Alert, Finding};
use crate::ProblemCode;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::time::Duration;
use uuid::Uuid;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-BranchPulse-Signature";
/// The header carrying the delivery's id.
pub const DELIVERY_HEADER: &str = "X-BranchPulse-Delivery";
/// Longest webhook URL, in characters.
pub const MAX_URL_CHARS: usize = 2000;
/// The longest wait between two attempts, whatever the base and attempt.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// Body of `POST /api/v1/webhooks` and `PUT /api/v1/webhooks/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// What people call it, 1–120 characters.
    pub name: String,
    /// Where alerts are posted: an absolute `http://` or `https://` URL
    /// without a user name or password, at most 2000 characters.
    pub url: String,
    /// Whether alerts are posted to it; a switched-off webhook's
    /// deliveries fail, logged.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A webhook as `GET /api/v1/webhooks` lists it: its secret only as a hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// Its id (what a rule's `recipients.webhooks` names).
    pub id: Uuid,
    /// What people call it.
    pub name: String,
    /// Where alerts are posted.
    pub url: String,
    /// Whether alerts are posted to it.
    pub active: bool,
    /// The secret's end (`whsec_…AbCd`), to tell which one a receiver has.
    pub secret_hint: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A webhook with its signing secret: the answer of `POST /api/v1/webhooks`
/// and of `POST /api/v1/webhooks/{id}/secret`, the only times the secret
/// is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookSecret {
    /// The webhook.
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The key of its signatures, in full. Keep it in the receiving
    /// system; it is not shown again.
    pub secret: String,
}

/// What a webhook receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "event")]
pub enum Event {
    /// A rule raised an alert (`read` is always false).
    #[serde(rename = "alert.raised")]
    AlertRaised {
        /// The alert, as an inbox lists it.
        alert: Alert,
    },
    /// An admin asked for a test (`POST /api/v1/webhooks/{id}/test`).
    #[serde(rename = "webhook.test")]
    Test {
        /// The webhook tested.
        webhook: Uuid,
        /// When it was sent, RFC 3339.
        sent_at: String,
    },
}

/// How a delivery travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Posted to a webhook.
    Webhook,
    /// Sent by e-mail.
    Email,
}

impl Channel {
    /// The wire name, also the database's.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }

    /// The channel named `name`.
    pub fn parse(name: &str) -> Option<Channel> {
        [Channel::Webhook, Channel::Email]
            .into_iter()
            .find(|c| c.as_str() == name)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt (`next_at`).
    Pending,
    /// Answered 2xx (a webhook) or accepted by the mail server.
    Delivered,
    /// Given up: the attempts ran out, or it cannot be sent at all.
    Failed,
}

impl DeliveryStatus {
    /// The wire name, also the database's.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// One attempt of a delivery (or a test): the delivery log's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When it started, RFC 3339, UTC.
    pub at: String,
    /// Whether it delivered.
    pub delivered: bool,
    /// The receiver's HTTP status, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// What went wrong, in English, when it did not deliver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub millis: u64,
}

/// An alert's delivery to one webhook or address, with its attempts:
/// `GET /api/v1/alerts/{id}/deliveries` and
/// `GET /api/v1/webhooks/{id}/deliveries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// Its id, sent as the `X-BranchPulse-Delivery` header.
    pub id: Uuid,
    /// The alert delivered.
    pub alert: Uuid,
    /// Webhook or e-mail.
    pub channel: Channel,
    /// The webhook's id, or the e-mail address.
    pub target: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due, RFC 3339 (pending only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at: Option<String>,
    /// The attempts, oldest first.
    pub log: Vec<Attempt>,
}

/// A webhook as an admin sends it: a label for a name and a URL the
/// server can post to.
pub fn check_webhook(w: &NewWebhook) -> Result<(), FieldError> {
    check_label("name", &w.name)?;
    check_url(&w.url)
}

/// An absolute `http://` or `https://` URL with a host (a name, IPv4 or
/// `[IPv6]`) and an optional port, no user name or password (they would
/// sit in logs and lists in clear: a receiver checks the signature
/// instead), no fragment, only characters a URL may hold unencoded, at
/// most [`MAX_URL_CHARS`].
pub fn check_url(url: &str) -> Result<(), FieldError> {
    let bad = |why: &str| {
        FieldError {
        field: "url",
        code: ProblemCode::BadWebhookUrl,
        problem: format!(
            "{why}; give an absolute http:// or https:// address, e.g. https://hooks.bank.example/branchpulse"
        ),
    }
    };
    if url.is_empty() {
        return Err(bad("must not be empty"));
    }
    if url.chars().count() > MAX_URL_CHARS {
        return Err(bad(&format!("must be at most {MAX_URL_CHARS} characters")));
    }
    if !url.bytes().all(url_byte) {
        return Err(bad(
            "holds a space, a control character or a character that must be percent-encoded",
        ));
    }
    if !percent_escapes_ok(url) {
        return Err(bad("holds a % not followed by two hexadecimal digits"));
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return Err(bad("must start with http:// or https://"));
    };
    if url.contains('#') {
        return Err(bad("must not have a fragment (#…), which is never sent"));
    }
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    if authority.contains('@') {
        return Err(bad("must not hold a user name or password"));
    }
    let port = if let Some(v6) = authority.strip_prefix('[') {
        let Some((host, after)) = v6.split_once(']') else {
            return Err(bad("has an IPv6 address without its closing ]"));
        };
        if !(host.contains(':')
            && host
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.'))
        {
            return Err(bad("must name a host"));
        }
        match after {
            "" => None,
            after => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => {
                    return Err(bad(
                        "has something after the IPv6 address that is not a port",
                    ))
                }
            },
        }
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let labels_ok = host
            .strip_suffix('.')
            .unwrap_or(host)
            .split('.')
            .all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if host.is_empty() || !labels_ok {
            return Err(bad("must name a host"));
        }
        port
    };
    if let Some(port) = port {
        let ok = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65_535).contains(&p));
        if !ok {
            return Err(bad("has a port that is not 1 to 65535"));
        }
    }
    Ok(())
}

/// RFC 3986's unreserved and reserved characters, and `%`.
fn url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)
}

fn percent_escapes_ok(url: &str) -> bool {
    let bytes = url.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// What lists show of a secret: its prefix and last four characters.
pub fn secret_hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    let prefix = if secret.starts_with("whsec_") {
        "whsec_"
    } else {
        ""
    };
    format!("{prefix}…{tail}")
}

/// Lowercase hex HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    hex(&mac.finalize().into_bytes())
}

/// The `v1` of a post's signature: hex HMAC-SHA256 under the secret (its
/// text's bytes, as shown) of `"<t>.<body>"`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let mut data = format!("{t}.").into_bytes();
    data.extend_from_slice(body);
    hmac_sha256_hex(secret.as_bytes(), &data)
}

/// The [`SIGNATURE_HEADER`] of `body` posted at `t` (Unix seconds).
/// The time is signed too, so a receiver can refuse an old post replayed.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", sign(secret, t, body))
}

/// Whether `header` is a signature of `body` under `secret`, made at most
/// `tolerance_secs` from `now` (Unix seconds): what a receiver checks.
/// The comparison takes the same time wherever the two differ.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1.push(value),
            _ => {}
        }
    }
    let Some(t) = t else {
        return false;
    };
    if (now - t).abs() > tolerance_secs {
        return false;
    }
    let mut data = format!("{t}.").into_bytes();
    data.extend_from_slice(body);
    v1.iter().any(|hex_sig| {
        let Some(sig) = unhex(hex_sig) else {
            return false;
        };
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(&data);
        mac.verify_slice(&sig).is_ok()
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// How long to wait after the `attempt`-th failed attempt (1 for the
/// first) before the next: `base`, then twice as long after each further
/// failure, never more than [`MAX_BACKOFF`].
pub fn backoff(attempt: u32, base: Duration) -> Duration {
    let doublings = attempt.saturating_sub(1).min(31);
    base.checked_mul(1u32 << doublings)
        .map_or(MAX_BACKOFF, |d| d.min(MAX_BACKOFF))
}

/// An alert's e-mail subject: `[BranchPulse] <rule name> at <branch>`.
/// `branch` is the branch as people know it (its name and code).
pub fn mail_subject(alert: &Alert, branch: &str) -> String {
    format!("[BranchPulse] {} at {branch}", alert.rule_name)
}

/// An alert's e-mail, in plain text: what was found, in words, and where
/// to open it (`link`).
pub fn mail_body(alert: &Alert, branch: &str, link: &str) -> String {
    format!(
        "{rule} at {branch}\n\n{found}\n\nRaised at {at} (UTC).\nOpen it in BranchPulse: {link}\n\n\
         You receive this because an administrator named this address in the rule \"{rule}\".\n",
        rule = alert.rule_name,
        found = finding_words(&alert.finding),
        at = alert.raised_at,
    )
}

/// Where the dashboard shows an alert, as a path of the site.
pub fn alert_path(alert: Uuid) -> String {
    format!("/dashboard?s=inbox&alert={alert}")
}

/// What an alert found, in an English sentence.
pub fn finding_words(finding: &Finding) -> String {
    match finding {
        Finding::UnhappyBurst {
            n,
            low,
            window_minutes,
            until,
        } => format!(
            "{low} of the {n} satisfaction answers in the {window_minutes} minutes up to {until} were unhappy."
        ),
        Finding::CriticalFailure { items } => format!(
            "An approved mystery-shop visit failed critical items: {}.",
            items.join(", ")
        ),
        Finding::MissedCommitment { items } => format!(
            "A response missed service commitments: {}.",
            items.join(", ")
        ),
        Finding::LowScoreComment { score, comment } => format!(
            "A customer rated their satisfaction {score} of 5 and wrote: \"{comment}\""
        ),
        Finding::SilentKiosk { device, since } => {
            format!("The kiosk \"{device}\" has sent nothing since {since}.")
        }
        Finding::ContactRequest => "A customer asked to be contacted. Their details are on the \
                                    case, for its owner and admins only."
            .to_owned(),
    }
}
