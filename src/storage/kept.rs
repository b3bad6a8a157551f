//! Copies of the server's read-only answers (questionnaires, branches, the
//! shopper's visits, the dashboard's figures), kept in localStorage so that
//! the kiosk, the shopper and the dashboard work offline after a restart.
//!
//! Each read asks the server first; every good answer replaces the copy,
//! and when the server cannot be reached (no network, a timeout, a 5xx)
//! the copy is returned instead. The keys are [`keys::device_copy`] of the
//! request's address.

use super::{keys, local};
use crate::api::{self, ApiError, Call};
use branchpulse_core::aggregate::{Aggregates, Filter};
use branchpulse_core::programme::ReportDetail;
use branchpulse_core::protocol::{Branch, QuestionnaireSummary, Visit};
use branchpulse_core::scorecard::Items;
use branchpulse_core::Questionnaire;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// How many copies of figures stay on the device: the eight latest
/// filters, one answer each (both channels in it, apart). Each copy is tens
/// of KB, and localStorage (about 5 MB) is shared with drafts and settings.
pub const KEPT_AGGREGATES: usize = 8;

/// The branches, for the kiosk setup and the dashboard.
pub async fn branches() -> Result<Vec<Branch>, ApiError> {
    read(api::branches()).await.map(|(v, _)| v)
}

/// The questionnaires this device may read.
pub async fn questionnaires() -> Result<Vec<QuestionnaireSummary>, ApiError> {
    read(api::questionnaires()).await.map(|(v, _)| v)
}

/// The latest version of questionnaire `id`.
pub async fn questionnaire(id: &str) -> Result<Questionnaire, ApiError> {
    read(api::questionnaire(id)).await.map(|(v, _)| v)
}

/// The shopper's visits, and whether this is the kept copy (the server
/// could not be reached).
pub async fn visits() -> Result<(Vec<Visit>, bool), ApiError> {
    let answer = read(api::visits()).await?;
    if !answer.1 {
        if let Some(s) = local() {
            let _ = s.set_item(keys::SHOP_VISITS_AT, &super::now_iso());
        }
    }
    Ok(answer)
}

/// When the kept visits were read from the server (RFC 3339), if ever.
pub fn visits_as_of() -> Option<String> {
    local()?.get_item(keys::SHOP_VISITS_AT).ok()?
}

/// Report `id` in full (a returned one, to correct), and whether this is
/// the kept copy. Kept like the visits, so a returned report opens offline.
pub async fn report(id: Uuid) -> Result<(ReportDetail, bool), ApiError> {
    read(api::report(id)).await
}

/// The kept copy of report `id`, without asking the server.
pub fn kept_report(id: Uuid) -> Option<ReportDetail> {
    api::decode(&get(api::report(id).url())?).ok()
}

/// The latest version of questionnaire `id` as JSON text, for a shopper who
/// starts a visit offline.
pub async fn questionnaire_text(id: &str) -> Result<String, ApiError> {
    let call = api::questionnaire(id);
    let url = call.url().to_owned();
    let (text, from_device) = match through(call).await {
        // A revoked phone keeps the copy it was given: its report is sent
        // once it is enrolled again.
        Err(ApiError::Server { status: 401, .. }) if get(&url).is_some() => {
            (get(&url).unwrap_or_default(), true)
        }
        other => other?,
    };
    if !from_device {
        keep(&url, &text);
    }
    Ok(text)
}

/// The dashboard's figures for `filter`, and whether they are the copy
/// kept from the last time this filter was fetched.
pub async fn aggregates(filter: &Filter) -> Result<(Aggregates, bool), ApiError> {
    let call = api::aggregates(filter);
    let url = call.url().to_owned();
    let answer = read(call).await?;
    if !answer.1 {
        keep_only_recent(keys::RECENT_AGGREGATES, &url);
    }
    Ok(answer)
}

/// The item figures (the drill-down) for `filter`, and whether they are
/// the copy kept from the last time this filter was fetched; kept like
/// [`aggregates`], for as many filters.
pub async fn items(filter: &Filter) -> Result<(Items, bool), ApiError> {
    let call = api::items(filter);
    let url = call.url().to_owned();
    let answer = read(call).await?;
    if !answer.1 {
        keep_only_recent(keys::RECENT_ITEMS, &url);
    }
    Ok(answer)
}

/// Forget the shopper's visits: after a new enrolment they were the
/// previous shopper's.
pub fn forget_visits() {
    let Some(s) = local() else {
        return;
    };
    let _ = s.remove_item(&keys::device_copy(api::visits().url()));
    let _ = s.remove_item(keys::SHOP_VISITS_AT);
    // The previous shopper's returned reports.
    let prefix = keys::device_copy(&api::url("/reports/"));
    let found: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(&prefix))
        .collect();
    for k in found {
        let _ = s.remove_item(&k);
    }
}

/// Drop the dashboard's figures and item figures (people's data), so that
/// signing out leaves none of it for the next person.
pub fn drop_figures() {
    let Some(s) = local() else {
        return;
    };
    // No other path of the API begins with either.
    let prefixes = [
        keys::device_copy(&api::url("/aggregates")),
        keys::device_copy(&api::url("/items")),
    ];
    let found: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| prefixes.iter().any(|p| k.starts_with(p)))
        .collect();
    for k in found {
        let _ = s.remove_item(&k);
    }
}

/// `call`'s answer read as `T` (kept when fresh), or the kept copy; and
/// whether it is the kept copy. Only the decoding is generic: the rest is
/// compiled once.
async fn read<T: DeserializeOwned>(call: Call) -> Result<(T, bool), ApiError> {
    let url = call.url().to_owned();
    let (text, from_device) = through(call).await?;
    let value = api::decode(&text)?;
    if !from_device {
        keep(&url, &text);
    }
    Ok((value, from_device))
}

/// The answer's body, or the kept copy's when the server cannot be
/// reached; and whether it is the kept copy.
async fn through(call: Call) -> Result<(String, bool), ApiError> {
    let url = call.url().to_owned();
    let fresh = call.text().await;
    let unreachable = match &fresh {
        Err(ApiError::Network(_) | ApiError::Timeout { .. }) => true,
        Err(ApiError::Server { status, .. }) => *status >= 500,
        _ => false,
    };
    match unreachable.then(|| get(&url)).flatten() {
        Some(text) => Ok((text, true)),
        None => fresh.map(|text| (text, false)),
    }
}

fn get(url: &str) -> Option<String> {
    local()?.get_item(&keys::device_copy(url)).ok()?
}

fn keep(url: &str, text: &str) {
    if let Some(s) = local() {
        // Full storage only costs the offline copy, never the answer.
        let _ = s.set_item(&keys::device_copy(url), text);
    }
}

/// Note `url` as the newest kept figures in the list at `list` and drop
/// the copies beyond [`KEPT_AGGREGATES`].
fn keep_only_recent(list: &str, url: &str) {
    let Some(s) = local() else { return };
    let mut recent: Vec<String> = s
        .get_item(list)
        .ok()
        .flatten()
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default();
    recent.retain(|u| u != url);
    recent.push(url.to_string());
    while recent.len() > KEPT_AGGREGATES {
        let old = recent.remove(0);
        let _ = s.remove_item(&keys::device_copy(&old));
    }
    if let Ok(v) = serde_json::to_string(&recent) {
        let _ = s.set_item(list, &v);
    }
}
