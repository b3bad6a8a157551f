//! The silent-kiosk sweep: every `--alert-sweep-secs`, each active
//! `silent_kiosk` rule is asked about the enrolled kiosks of the open
//! branches it watches. A kiosk counts as heard from at its last stored
//! response (by the server's clock), or at its enrolment when that is
//! later; silent that many hours, it raises one alert per stretch of
//! silence (`alerts::silent_key`), however many replicas sweep.

use crate::catalog::BranchStatus;
use crate::store::alerts::Raise;
use crate::store::StoreError;
use crate::AppState;
use branchpulse_core::access::{DeviceKind, DeviceStatus};
use branchpulse_core::alerts::{silent, silent_key, Finding, RuleKind};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Sweep once at `now`; how many alerts were raised.
pub async fn run(state: &AppState, now: OffsetDateTime) -> Result<u32, StoreError> {
    let rules: Vec<_> = state
        .store
        .alert_rules()
        .await?
        .into_iter()
        .filter(|r| r.def.active && matches!(r.def.rule, RuleKind::SilentKiosk { .. }))
        .collect();
    if rules.is_empty() {
        return Ok(0);
    }
    let last = state.store.kiosks_last_response().await?;
    let mut raised = 0;
    for device in state.store.devices().await? {
        if device.kind != DeviceKind::Kiosk || device.status(now) != DeviceStatus::Enrolled {
            continue;
        }
        let Some(code) = &device.branch else { continue };
        let BranchStatus::Active(branch) = state.catalog.branch(code) else {
            continue;
        };
        let heard = [last.get(&device.id).copied(), device.enrolled_at];
        let Some(since) = heard.into_iter().flatten().max() else {
            continue;
        };
        for rule in rules.iter().filter(|r| r.covers(&branch)) {
            let RuleKind::SilentKiosk { hours } = rule.def.rule else {
                continue;
            };
            if !silent(since, now, hours) {
                continue;
            }
            let finding = Finding::SilentKiosk {
                device: device.label.clone(),
                since: since.format(&Rfc3339).unwrap_or_default(),
            };
            let alert = Raise {
                rule,
                key: silent_key(&device.id.to_string(), since),
                branch: code,
                finding: &finding,
                response: None,
                device: Some(device.id),
                at: now,
            };
            if state.store.raise(&alert).await?.is_some() {
                raised += 1;
            }
        }
    }
    Ok(raised)
}

/// Run [`run`] every `every`, the first time one interval after start.
pub fn watch(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            match run(&state, OffsetDateTime::now_utc()).await {
                Ok(0) => {}
                Ok(raised) => tracing::info!(raised, "silent kiosks found"),
                Err(e) => {
                    tracing::warn!(error = %e, "the silent-kiosk sweep failed; trying again at the next one")
                }
            }
        }
    })
}
