//! The store's side of alerts: the rules admins set, raising an alert
//! once per rule and key, and the inbox. Who sees which alert is decided
//! in `crate::alerts` and handed down as an [`Inbox`]; the queries are in
//! `sql/alerts.rs`. Judging at ingest and approval happens inside the
//! transactions of `sql/responses.rs` and `sql/reports.rs`.

use super::{Store, StoreError};
use branchpulse_core::alerts::{Alert, AlertKind, Finding, NewRule, Rule};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// An alert to raise (see `sql::alerts::raise`).
pub struct Raise<'a> {
    pub rule: &'a Rule,
    /// `alerts::response_key`, `burst_key`, `silent_key`, … : at most one
    /// alert per rule and key, ever.
    pub key: String,
    pub branch: &'a str,
    pub finding: &'a Finding,
    pub response: Option<Uuid>,
    pub device: Option<Uuid>,
    pub at: OffsetDateTime,
}

/// Whose inbox: the reader, and what they may see of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    pub user: Uuid,
    /// The rules whose alerts reach the reader; `None`: every rule (admins).
    pub rules: Option<Vec<Uuid>>,
    /// The branches the reader reads; `None`: every branch.
    pub branches: Option<Vec<String>>,
}

/// Which of an inbox's alerts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    /// Only this alert.
    pub id: Option<Uuid>,
    pub branch: Option<String>,
    pub kind: Option<AlertKind>,
    /// Only those the reader has opened (`true`) or not (`false`).
    pub read: Option<bool>,
    /// Only those listed after this one, newest first: (raised at, id).
    pub before: Option<(OffsetDateTime, Uuid)>,
    pub limit: u32,
}

/// An alert as listed, with the instant it sorts by.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    pub alert: Alert,
    pub raised_at: OffsetDateTime,
}

/// What became of deleting a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleDeleted {
    /// Gone, with its alerts (how many).
    Done(u64),
    NoSuchRule,
    /// A case was made of one of its alerts: kept (deactivate it instead).
    HasCases,
}

impl Store {
    /// Every rule, oldest first.
    pub async fn alert_rules(&self) -> Result<Vec<Rule>, StoreError> {
        dispatch!(self, alerts::rules())
    }

    /// Store a new rule (checked by the caller).
    pub async fn add_alert_rule(
        &self,
        id: Uuid,
        def: &NewRule,
        now: OffsetDateTime,
    ) -> Result<Rule, StoreError> {
        dispatch!(self, alerts::add_rule(id, def, now))
    }

    /// Replace rule `id`'s definition; `None` if there is no such rule.
    pub async fn update_alert_rule(
        &self,
        id: Uuid,
        def: &NewRule,
        now: OffsetDateTime,
    ) -> Result<Option<Rule>, StoreError> {
        dispatch!(self, alerts::update_rule(id, def, now))
    }

    /// Delete rule `id` and its alerts, unless a case was made of one.
    pub async fn delete_alert_rule(&self, id: Uuid) -> Result<RuleDeleted, StoreError> {
        dispatch!(self, alerts::delete_rule(id))
    }

    /// Those of `ids` that name no webhook.
    pub async fn unknown_webhooks(&self, ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        dispatch!(self, alerts::unknown_webhooks(ids))
    }

    /// Raise `r` in a transaction of its own (the silent-kiosk sweep): the
    /// new alert's id, or `None` when the rule already raised this key.
    pub async fn raise(&self, r: &Raise<'_>) -> Result<Option<Uuid>, StoreError> {
        dispatch!(self, alerts::raise_alone(r))
    }

    /// When each kiosk that is not revoked last had a response stored (by
    /// the server's clock); a kiosk that never had one is absent.
    pub async fn kiosks_last_response(&self) -> Result<HashMap<Uuid, OffsetDateTime>, StoreError> {
        dispatch!(self, alerts::kiosks_last_response())
    }

    /// The alerts of `inbox` that `filter` takes, newest first.
    pub async fn inbox(
        &self,
        inbox: &Inbox,
        filter: &InboxFilter,
    ) -> Result<Vec<AlertRow>, StoreError> {
        dispatch!(self, alerts::inbox(inbox, filter))
    }

    /// How many alerts of `inbox` its reader has not opened.
    pub async fn unread(&self, inbox: &Inbox) -> Result<u32, StoreError> {
        dispatch!(self, alerts::unread(inbox))
    }

    /// Mark `alert` (of the reader's inbox, checked by the caller) read by
    /// `user`; one read already keeps its first time.
    pub async fn mark_read(
        &self,
        user: Uuid,
        alert: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        dispatch!(self, alerts::mark_read(user, alert, now))
    }

    /// Mark every alert of `inbox` read; how many were unread.
    pub async fn mark_all_read(
        &self,
        inbox: &Inbox,
        now: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        dispatch!(self, alerts::mark_all_read(inbox, now))
    }
}
