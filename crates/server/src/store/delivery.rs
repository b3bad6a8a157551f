//! Webhooks and the delivery of alerts: the rows and the `Store` methods;
//! the queries are in `sql/delivery.rs`, the sender in `crate::delivery`.

use super::{Store, StoreError};
use branchpulse_core::alerts::Alert;
use branchpulse_core::webhooks::{
    secret_hint, Attempt, Channel, Delivery, DeliveryStatus, NewWebhook, Webhook,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// A webhook as stored: with its secret, which signs every post (so it is
/// kept as it is, not hashed).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: Uuid,
    pub name: String,
    pub url: String,
    pub secret: String,
    pub active: bool,
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for WebhookRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRow")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

impl WebhookRow {
    /// The webhook as the API lists it: the secret only as a hint.
    pub fn to_api(&self) -> Webhook {
        Webhook {
            id: self.id,
            name: self.name.clone(),
            url: self.url.clone(),
            active: self.active,
            secret_hint: secret_hint(&self.secret),
            created_at: super::access::rfc3339(self.created_at),
        }
    }
}

/// A delivery claimed for one attempt, leased to this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: Uuid,
    pub alert: Uuid,
    pub channel: Channel,
    /// The webhook's id, or the e-mail address.
    pub target: String,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// The outcome of a claimed delivery's attempt, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub id: Uuid,
    /// The attempt made (its number is the delivery's attempts after it).
    pub attempt: Attempt,
    /// When it started (`attempt.at`, as an instant).
    pub at: OffsetDateTime,
    pub status: DeliveryStatus,
    /// When the next attempt is due (pending only; else `at`).
    pub next_at: OffsetDateTime,
}

impl Store {
    /// Every webhook, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<WebhookRow>, StoreError> {
        dispatch!(self, delivery::webhooks())
    }

    /// One webhook.
    pub async fn webhook(&self, id: Uuid) -> Result<Option<WebhookRow>, StoreError> {
        dispatch!(self, delivery::webhook(id))
    }

    /// Store a new webhook.
    pub async fn add_webhook(&self, webhook: &WebhookRow) -> Result<(), StoreError> {
        dispatch!(self, delivery::add_webhook(webhook))
    }

    /// Change a webhook's name, URL and switch (not its secret); `None` if
    /// there is no such webhook.
    pub async fn update_webhook(
        &self,
        id: Uuid,
        webhook: &NewWebhook,
    ) -> Result<Option<WebhookRow>, StoreError> {
        dispatch!(self, delivery::update_webhook(id, webhook))
    }

    /// Replace a webhook's secret; `None` if there is no such webhook.
    pub async fn set_webhook_secret(
        &self,
        id: Uuid,
        secret: &str,
    ) -> Result<Option<WebhookRow>, StoreError> {
        dispatch!(self, delivery::set_webhook_secret(id, secret))
    }

    /// Delete a webhook; its deliveries and their log stay (those still
    /// pending fail at their next attempt). `false` if there was none.
    pub async fn delete_webhook(&self, id: Uuid) -> Result<bool, StoreError> {
        dispatch!(self, delivery::delete_webhook(id))
    }

    /// Lease up to `limit` deliveries due at `now` to this server until
    /// `lease_until`, soonest due first. A delivery leased elsewhere and
    /// not yet expired is never among them.
    pub async fn claim_deliveries(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Claimed>, StoreError> {
        dispatch!(self, delivery::claim(now, lease_until, limit))
    }

    /// Log a claimed delivery's attempt and set its status, next attempt
    /// and attempts, ending its lease, in one transaction. `false` when
    /// another server recorded an attempt of it meanwhile (its lease had
    /// run out): the attempt is logged, the status left to the other.
    pub async fn finish_delivery(&self, finished: &Finished) -> Result<bool, StoreError> {
        dispatch!(self, delivery::finish(finished))
    }

    /// An alert as a webhook receives it (`read` false), with its case.
    pub async fn delivered_alert(&self, id: Uuid) -> Result<Option<Alert>, StoreError> {
        dispatch!(self, delivery::alert(id))
    }

    /// An alert's deliveries, webhooks first, each with its attempts.
    pub async fn alert_deliveries(&self, alert: Uuid) -> Result<Vec<Delivery>, StoreError> {
        dispatch!(self, delivery::alert_deliveries(alert))
    }

    /// The latest `limit` deliveries to a webhook (by their alerts, newest
    /// first), each with its attempts.
    pub async fn webhook_deliveries(
        &self,
        webhook: Uuid,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        dispatch!(self, delivery::webhook_deliveries(webhook, limit))
    }
}
