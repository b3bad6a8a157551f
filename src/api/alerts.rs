//! Alerts, follow-up cases, alert rules and webhooks (issue 20): the
//! inbox and cases of the managers in scope, the admin's rules and
//! webhooks with their delivery log.

use super::request::Call;
use super::ApiError;
use branchpulse_core::alerts::{Alert, NewRule, Rule, Unread};
use branchpulse_core::cases::{Case, CaseChange, CaseCounts, NewCase};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

fn enc(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// How many alerts the inbox asks for at a time.
pub const PAGE: u32 = 50;

/// The alerts in the reader's inbox at the frame's badge.
pub async fn unread() -> Result<Unread, ApiError> {
    Call::get("/alerts/unread").read().await
}

/// Which alerts the inbox lists: `""` / `false` for any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub branch: String,
    /// A kind as the API writes it (`unhappy_burst`).
    pub kind: String,
    pub unread: bool,
    /// Older than this alert's `raised_at` (the next page).
    pub before: Option<String>,
}

impl AlertFilter {
    /// The query string (without `?`).
    pub fn query(&self) -> String {
        let mut q = vec![format!("limit={PAGE}")];
        if !self.branch.is_empty() {
            q.push(format!("branch={}", enc(&self.branch)));
        }
        if !self.kind.is_empty() {
            q.push(format!("kind={}", enc(&self.kind)));
        }
        if self.unread {
            q.push("unread=true".into());
        }
        if let Some(b) = &self.before {
            q.push(format!("before={}", enc(b)));
        }
        q.join("&")
    }
}

/// The inbox, newest first.
pub async fn alerts(filter: AlertFilter) -> Result<Vec<Alert>, ApiError> {
    Call::get(&format!("/alerts?{}", filter.query()))
        .read()
        .await
}

pub async fn alert(id: Uuid) -> Result<Alert, ApiError> {
    Call::get(&format!("/alerts/{id}")).read().await
}

/// Mark alert `id` read for the signed-in reader.
pub async fn mark_read(id: Uuid) -> Result<(), ApiError> {
    Call::post(&format!("/alerts/{id}/read"))
        .session()
        .send()
        .await
}

/// Mark every alert of the reader's inbox read.
pub async fn mark_all_read() -> Result<(), ApiError> {
    Call::post("/alerts/read").session().send().await
}

/// The cases the reader may see (the list filters them on the page).
pub async fn cases() -> Result<Vec<Case>, ApiError> {
    Call::get("/cases").read().await
}

/// A case with its history, and how long its contact details are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePage {
    pub case: Case,
    /// Days the contact details are kept after the customer is informed,
    /// when the server says.
    pub contact_days: Option<u32>,
}

#[derive(Deserialize)]
struct Kept {
    #[serde(default)]
    contact_retention_days: Option<u32>,
}

fn case_page(text: &str) -> Result<CasePage, ApiError> {
    Ok(CasePage {
        case: super::decode(text)?,
        contact_days: super::decode::<Kept>(text)?.contact_retention_days,
    })
}

pub async fn case(id: Uuid) -> Result<CasePage, ApiError> {
    case_page(&Call::get(&format!("/cases/{id}")).text().await?)
}

/// Make a case of an alert (409 when it has one already).
pub async fn make_case(new: &NewCase) -> Result<Case, ApiError> {
    Call::post("/cases").session().json(new)?.read().await
}

/// Change a case: a status step, a note, the owner or the due date.
pub async fn change_case(id: Uuid, change: &CaseChange) -> Result<CasePage, ApiError> {
    case_page(
        &Call::patch(&format!("/cases/{id}"))
            .session()
            .json(change)?
            .text()
            .await?,
    )
}

/// Case counts and time to resolve per branch, for cases made between
/// `from` and `to` (`YYYY-MM-DD`, either may be empty).
pub async fn case_stats(
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<CaseCounts>, ApiError> {
    let mut q = Vec::new();
    if let Some(f) = from {
        q.push(format!("from={}", enc(&f)));
    }
    if let Some(t) = to {
        q.push(format!("to={}", enc(&t)));
    }
    Call::get(&format!("/cases/stats?{}", q.join("&")))
        .read()
        .await
}

pub async fn rules() -> Result<Vec<Rule>, ApiError> {
    Call::get("/alert-rules").read().await
}

pub async fn add_rule(rule: &NewRule) -> Result<Rule, ApiError> {
    Call::post("/alert-rules")
        .session()
        .json(rule)?
        .read()
        .await
}

pub async fn change_rule(id: Uuid, rule: &NewRule) -> Result<Rule, ApiError> {
    Call::put(&format!("/alert-rules/{id}"))
        .session()
        .json(rule)?
        .read()
        .await
}

pub async fn delete_rule(id: Uuid) -> Result<(), ApiError> {
    Call::delete(&format!("/alert-rules/{id}"))
        .session()
        .send()
        .await
}

// The webhooks' wire types are core's `webhooks` (issue 20, the delivery
// side); read here with the fields the screens show.

/// A webhook as the admin lists it; `secret` only in the answer that made
/// it or gave it a new secret (it is shown once).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Webhook {
    pub id: Uuid,
    pub name: String,
    pub url: String,
    #[serde(default = "yes")]
    pub active: bool,
    /// The secret's end (`whsec_…AbCd`), to tell which one a receiver has.
    #[serde(default)]
    pub secret_hint: String,
    #[serde(default)]
    pub secret: Option<String>,
}

fn yes() -> bool {
    true
}

/// Body of `POST /api/v1/webhooks` and `PUT /api/v1/webhooks/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewWebhook {
    pub name: String,
    pub url: String,
    pub active: bool,
}

pub async fn webhooks() -> Result<Vec<Webhook>, ApiError> {
    Call::get("/webhooks").read().await
}

/// Make a webhook; the answer has its secret.
pub async fn add_webhook(hook: &NewWebhook) -> Result<Webhook, ApiError> {
    Call::post("/webhooks").session().json(hook)?.read().await
}

pub async fn change_webhook(id: Uuid, hook: &NewWebhook) -> Result<Webhook, ApiError> {
    Call::put(&format!("/webhooks/{id}"))
        .session()
        .json(hook)?
        .read()
        .await
}

/// A new secret for webhook `id` (the old one signs nothing more).
pub async fn new_secret(id: Uuid) -> Result<Webhook, ApiError> {
    Call::post(&format!("/webhooks/{id}/secret"))
        .session()
        .read()
        .await
}

pub async fn delete_webhook(id: Uuid) -> Result<(), ApiError> {
    Call::delete(&format!("/webhooks/{id}"))
        .session()
        .send()
        .await
}

/// One try to deliver: the delivery log's line, and what a test gives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Attempt {
    /// 1 for the first.
    #[serde(default)]
    pub attempt: u32,
    /// RFC 3339.
    pub at: String,
    pub delivered: bool,
    /// The receiver's HTTP status, if it answered.
    #[serde(default)]
    pub http_status: Option<u16>,
    /// Why it failed, if it did (English, from the server).
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub millis: u64,
}

/// Post a signed test event to webhook `id` now: what came of it.
pub async fn test_webhook(id: Uuid) -> Result<Attempt, ApiError> {
    Call::post(&format!("/webhooks/{id}/test"))
        .session()
        .read()
        .await
}

/// An alert's delivery to one webhook, with its attempts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Delivery {
    pub id: Uuid,
    pub alert: Uuid,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// The next try, while pending.
    #[serde(default)]
    pub next_at: Option<String>,
    /// Oldest first.
    #[serde(default)]
    pub log: Vec<Attempt>,
}

/// Webhook `id`'s latest deliveries, newest alert first.
pub async fn deliveries(id: Uuid) -> Result<Vec<Delivery>, ApiError> {
    Call::get(&format!("/webhooks/{id}/deliveries"))
        .read()
        .await
}
