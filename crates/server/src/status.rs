//! A kiosk's status reports (`POST /api/v1/device/status`): what it says of
//! itself is kept for its admin's device list, and it is told back what to
//! take up between customers — a newer questionnaire version, the staff PIN
//! its admin set. A report is a device's word about itself: bounded and
//! kept as sent, never trusted for anything else.

use crate::error::ApiError;
use crate::store::access::DeviceRow;
use crate::AppState;
use branchpulse_core::access::{check_report, DeviceConfig, DeviceReport};
use time::OffsetDateTime;

/// Keep `report` from `device`, received `now`, and answer its config.
pub async fn receive(
    state: &AppState,
    device: &DeviceRow,
    report: DeviceReport,
    now: OffsetDateTime,
) -> Result<DeviceConfig, ApiError> {
    check_report(&report).map_err(|e| {
        ApiError::BadRequest(e.to_string())
            .coded(e.code)
            .at(e.field)
    })?;
    // The token was good a moment ago; a device revoked since is refused
    // as its token would be now, and its report is not kept.
    let stored = state
        .store
        .device_report(device.id, &report, now)
        .await?
        .ok_or_else(crate::auth::extract::bad_token)?;
    Ok(DeviceConfig {
        questionnaire_version: newer_version(state, &report),
        pin: stored.pin,
    })
}

/// The active version of the questionnaire the kiosk reported, when it is
/// not the one it has; `None` when it reported none, or one this server
/// does not know (it will learn of it when an admin sets it up again).
fn newer_version(state: &AppState, report: &DeviceReport) -> Option<u32> {
    let id = report.questionnaire_id.as_deref()?;
    let active = state.catalog.latest(id)?.version;
    (report.questionnaire_version != Some(active)).then_some(active)
}
