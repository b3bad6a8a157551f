//! Erasing what the retention settings say is kept too long: free texts
//! after `--retain-free-text-days`, staff names after
//! `--retain-staff-names-days`, customers' contact details
//! `--contact-retention-days` after their cases closed, at start-up and
//! then on a timer. Each response is erased as `purge.rs` erases one on
//! request, its contact details with its texts.

use super::purge::{erase_one, Erase};
use crate::store::StoreError;
use crate::AppState;
use std::time::Duration;
use time::OffsetDateTime;

/// Responses erased per database round trip by [`run`].
const RETENTION_PAGE: u32 = 200;

/// What one retention run of one data class did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRun {
    pub class: &'static str,
    /// Responses submitted before this were erased.
    pub before: OffsetDateTime,
    /// Responses looked at (and marked erased), and texts removed.
    pub responses: u64,
    pub removed: u64,
}

/// Erase what the retention settings say is older than allowed at `now`:
/// free texts after `--retain-free-text-days`, staff names after
/// `--retain-staff-names-days` (unset: kept). Each class that is set
/// writes one audit line per run, even when nothing was due.
pub async fn run(state: &AppState, now: OffsetDateTime) -> Result<Vec<RetentionRun>, StoreError> {
    let classes = [
        (Erase::Text, state.config.retain_free_text_days),
        (Erase::StaffNames, state.config.retain_staff_names_days),
    ];
    let mut runs = Vec::new();
    for (how, days) in classes {
        let Some(days) = days else { continue };
        let before = now - time::Duration::days(i64::from(days));
        let (mut responses, mut removed) = (0, 0);
        let mut after = None;
        loop {
            let page = state
                .store
                .to_erase(how, before, after, RETENTION_PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.0);
            for (id, payload, hash) in &page {
                if let Some(n) = erase_one(&state.store, *id, payload, hash, how, now).await? {
                    responses += 1;
                    removed += n as u64;
                }
                if how == Erase::Text {
                    state
                        .store
                        .erase_contact(*id, "system:retention", "text_erased", now)
                        .await?;
                }
            }
        }
        let detail = serde_json::json!({
            "days": days,
            "submitted_before": before
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            "responses": responses,
            "removed": removed,
        });
        state
            .store
            .audit(
                "system:retention",
                "response.retention",
                how.class(),
                detail,
            )
            .await?;
        tracing::info!(
            class = how.class(),
            days,
            responses,
            removed,
            "retention run"
        );
        runs.push(RetentionRun {
            class: how.class(),
            before,
            responses,
            removed,
        });
    }
    runs.push(erase_contacts(state, now).await?);
    Ok(runs)
}

/// Erase the contact details whose cases all closed more than
/// `--contact-retention-days` before `now` (and any whose response's texts
/// are gone); each erasure has its own audit line, never the value.
async fn erase_contacts(state: &AppState, now: OffsetDateTime) -> Result<RetentionRun, StoreError> {
    let days = state.config.contact_retention_days;
    let before = now - time::Duration::days(i64::from(days));
    let erased = state.store.erase_contacts(before, now).await?.len() as u64;
    if erased > 0 {
        tracing::info!(days, erased, "contact details erased");
    }
    Ok(RetentionRun {
        class: "contacts",
        before,
        responses: erased,
        removed: erased,
    })
}

/// Run [`run`] every `every`, the first time after one interval (the
/// server runs it once at start-up itself). Contact details always have a
/// retention, so it always runs.
pub fn watch(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            if let Err(e) = run(&state, OffsetDateTime::now_utc()).await {
                tracing::warn!(error = %e, "retention run failed; trying again at the next one");
            }
        }
    })
}
