//! Delivering alerts beyond the inbox: to webhooks (signed posts) and by
//! e-mail, tried again with back-off, every attempt logged.
//!
//! An alert's deliveries are queued in the transaction that raises it
//! (`store/sql/alerts.rs`, one per webhook and address of the rule). Here,
//! every `--delivery-interval-ms` each server leases the due ones (a
//! guarded UPDATE: two replicas never send the same attempt), sends them,
//! and records each attempt with its outcome: delivered, due again after
//! [`backoff`], or failed once `--delivery-max-attempts` are spent (or at
//! once when waiting cannot help: the webhook was deleted or switched off,
//! the address is not one, SMTP is not configured, the mail server refused
//! it for good). A server stopped in the middle of an attempt leaves its
//! lease to run out, and another server tries again: a receiver may then
//! see a delivery twice, under the same `X-BranchPulse-Delivery` id.

mod mail;
mod post;
pub mod webhooks;

use crate::config::Config;
use crate::store::delivery::{Claimed, Finished};
use crate::store::StoreError;
use crate::AppState;
use branchpulse_core::webhooks::{
    alert_path, backoff, mail_body, mail_subject, Attempt, Channel, DeliveryStatus, Event,
};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::task::JoinSet;
use uuid::Uuid;

pub use post::TIMEOUT;

/// Deliveries leased per round trip; the next batch follows at once.
const BATCH: u32 = 16;

/// How long a claimed delivery is this server's: well past the longest
/// attempt, so that it only runs out when this server stopped.
const LEASE: Duration = Duration::from_secs(120);

/// What e-mail deliveries say when this server has no SMTP server.
pub const NO_SMTP: &str = "SMTP is not configured on this server: set BRANCHPULSE_SMTP_URL and \
                           BRANCHPULSE_SMTP_FROM";

/// How this server sends: its HTTP client and, if configured, its mailer.
#[derive(Clone)]
pub struct Senders {
    poster: post::Poster,
    mailer: Option<mail::Mailer>,
}

impl std::fmt::Debug for Senders {
    // The mailer's settings hold the SMTP password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Senders")
            .field("smtp", &self.mailer.is_some())
            .finish_non_exhaustive()
    }
}

impl Senders {
    /// The senders `config` sets up; an error names the setting at fault.
    pub fn new(config: &Config) -> Result<Senders, String> {
        Ok(Senders {
            poster: post::Poster::new()?,
            mailer: mail::Mailer::from_config(config)?,
        })
    }
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub http_status: Option<u16>,
    /// `None`: delivered.
    pub error: Option<String>,
    /// Trying again cannot help.
    pub permanent: bool,
}

impl Sent {
    fn delivered(http_status: Option<u16>) -> Sent {
        Sent {
            http_status,
            error: None,
            permanent: false,
        }
    }

    fn failed(http_status: Option<u16>, error: String) -> Sent {
        Sent {
            http_status,
            error: Some(error),
            permanent: false,
        }
    }

    fn permanent(error: impl Into<String>) -> Sent {
        Sent {
            http_status: None,
            error: Some(error.into()),
            permanent: true,
        }
    }
}

/// Send the due deliveries every `--delivery-interval-ms` (none when 0).
pub fn watch(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let every = state.config.delivery_interval_ms;
    if every == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut timer = tokio::time::interval(Duration::from_millis(every));
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            if let Err(e) = run_due(&state).await {
                tracing::warn!(error = %e, "alert deliveries: the database could not be reached; trying again at the next round");
            }
        }
    }))
}

/// Send every delivery due now, in batches, each batch's at once; how many.
pub async fn run_due(state: &AppState) -> Result<usize, StoreError> {
    let mut total = 0;
    loop {
        let now = now_ms();
        let claimed = state
            .store
            .claim_deliveries(now, now + LEASE, BATCH)
            .await?;
        let n = claimed.len();
        let mut sending = JoinSet::new();
        for c in claimed {
            let state = state.clone();
            sending.spawn(async move { attempt(&state, c).await });
        }
        while let Some(done) = sending.join_next().await {
            match done {
                Ok(Ok(())) => {}
                // Its lease runs out and it is tried again.
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "alert delivery: its outcome could not be recorded")
                }
                Err(e) => tracing::error!(error = %e, "alert delivery: the attempt panicked"),
            }
        }
        total += n;
        if n < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Make one attempt of `c` and record it.
async fn attempt(state: &AppState, c: Claimed) -> Result<(), StoreError> {
    let at = now_ms();
    let started = Instant::now();
    let sent = send(state, &c, at).await?;
    let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let number = c.attempts + 1;
    let config = &state.config;
    let (status, next_at) = if sent.error.is_none() {
        (DeliveryStatus::Delivered, at)
    } else if sent.permanent || number >= config.delivery_max_attempts {
        (DeliveryStatus::Failed, at)
    } else {
        let wait = backoff(number, Duration::from_secs(config.delivery_backoff_secs));
        (DeliveryStatus::Pending, at + wait)
    };
    let outcome = match status {
        DeliveryStatus::Delivered => "delivered",
        DeliveryStatus::Pending => "retry",
        DeliveryStatus::Failed => "failed",
    };
    crate::telemetry::count_delivery(c.channel.as_str(), outcome);
    match (&sent.error, status) {
        (None, _) => {
            tracing::info!(delivery = %c.id, alert = %c.alert, channel = c.channel.as_str(), attempt = number, "alert delivered")
        }
        (Some(e), DeliveryStatus::Failed) => {
            tracing::warn!(delivery = %c.id, alert = %c.alert, channel = c.channel.as_str(), attempt = number, error = %e, "alert delivery failed; no more attempts")
        }
        (Some(e), _) => {
            tracing::info!(delivery = %c.id, alert = %c.alert, channel = c.channel.as_str(), attempt = number, error = %e, "alert delivery failed; it will be tried again")
        }
    }
    let finished = Finished {
        id: c.id,
        attempt: Attempt {
            attempt: number,
            at: crate::store::access::rfc3339(at),
            delivered: sent.error.is_none(),
            http_status: sent.http_status,
            error: sent.error,
            millis,
        },
        at,
        status,
        next_at,
    };
    if !state.store.finish_delivery(&finished).await? {
        tracing::warn!(delivery = %c.id, "alert delivery: another server recorded an attempt meanwhile (this server's lease had run out)");
    }
    Ok(())
}

async fn send(state: &AppState, c: &Claimed, at: OffsetDateTime) -> Result<Sent, StoreError> {
    let Some(alert) = state.store.delivered_alert(c.alert).await? else {
        return Ok(Sent::permanent("the alert no longer exists"));
    };
    Ok(match c.channel {
        Channel::Webhook => {
            let webhook = match c.target.parse::<Uuid>() {
                Ok(id) => state.store.webhook(id).await?,
                Err(_) => None,
            };
            let Some(webhook) = webhook else {
                return Ok(Sent::permanent("the webhook was deleted"));
            };
            if !webhook.active {
                return Ok(Sent::permanent("the webhook is switched off"));
            }
            let body = serde_json::to_vec(&Event::AlertRaised { alert })
                .expect("an alert always serializes");
            state
                .senders
                .poster
                .post(
                    &webhook.url,
                    &webhook.secret,
                    c.id,
                    at.unix_timestamp(),
                    body,
                )
                .await
        }
        Channel::Email => {
            let Some(mailer) = &state.senders.mailer else {
                tracing::warn!(delivery = %c.id, "{NO_SMTP}");
                return Ok(Sent::permanent(NO_SMTP));
            };
            let branch = branch_words(state, &alert.branch);
            let link = format!(
                "{}{}",
                state
                    .config
                    .public_url
                    .as_deref()
                    .unwrap_or_default()
                    .trim_end_matches('/'),
                alert_path(alert.id)
            );
            let subject = mail_subject(&alert, &branch);
            mailer
                .send(&c.target, &subject, mail_body(&alert, &branch, &link))
                .await
        }
    })
}

/// A branch as people know it: `Harbour Square (N01)`, or its code alone.
fn branch_words(state: &AppState, code: &str) -> String {
    match state.catalog.branches().iter().find(|b| b.code == code) {
        Some(b) => format!("{} ({code})", b.name),
        None => code.to_owned(),
    }
}

/// Now, to the millisecond: what SQLite keeps, so that both databases give
/// back the same instants.
pub(crate) fn now_ms() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(t)
}
