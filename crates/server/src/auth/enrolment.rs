//! Devices: made by an admin with a one-time code, enrolled by exchanging
//! the code for a token, revoked at once. Only hashes of codes and tokens
//! are stored; the code and the token are shown once. A kiosk's staff PIN
//! is set by its admin, kept as salt and hash, and handed to the kiosk at
//! enrolment and with each status report (`crate::status`).

use super::{qr, secret};
use crate::error::ApiError;
use crate::store::access::{rfc3339, DeviceRow};
use crate::AppState;
use axum::http::{header, HeaderMap};
use branchpulse_core::access::{
    check_new_device, check_pin, group_code, normalize_code, DeviceKind, Enrolled, Enrolment,
    NewDevice,
};
use branchpulse_core::ProblemCode;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// This server's origin as devices reach it: `--public-url`, or the
/// request's own host and scheme.
fn origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let scheme = if super::sign_in::is_https(headers) {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}

/// The answer that shows a new code once.
fn enrolment(
    state: &AppState,
    headers: &HeaderMap,
    device: &DeviceRow,
    code: &str,
    now: OffsetDateTime,
) -> Result<Enrolment, ApiError> {
    let page = match device.kind {
        DeviceKind::Kiosk => "/kiosk",
        DeviceKind::Shopper => "/shop",
    };
    let url = format!("{page}?enrol={code}");
    let full = format!("{}{url}", origin(state, headers));
    let qr_svg = qr::svg(&full).ok_or_else(|| {
        ApiError::Internal(format!(
            "the enrolment URL is too long for a QR code: {full}"
        ))
    })?;
    Ok(Enrolment {
        device: device.to_api(now),
        code: group_code(code),
        expires_at: device.code_expires_at.map(rfc3339).unwrap_or_default(),
        url,
        qr_svg,
    })
}

fn code_life(state: &AppState) -> Duration {
    Duration::seconds(i64::from(state.config.enrol_code_secs))
}

/// `POST /devices`: a new device and its first code.
pub async fn create(
    state: &AppState,
    headers: &HeaderMap,
    admin: &str,
    new: NewDevice,
) -> Result<Enrolment, ApiError> {
    check_new_device(&new, &state.catalog.branches()).map_err(ApiError::from)?;
    let now = OffsetDateTime::now_utc();
    let code = secret::enrolment_code();
    let row = DeviceRow {
        id: Uuid::new_v4(),
        kind: new.kind,
        label: new.label.trim().to_owned(),
        branch: new.branch,
        shopper: new.shopper.map(|s| s.trim().to_owned()),
        code_expires_at: Some(now.saturating_add(code_life(state))),
        token_expires_at: None,
        enrolled_at: None,
        last_seen_at: None,
        revoked_at: None,
        created_by: admin.to_owned(),
        created_at: now,
        pin: new.pin.as_deref().map(secret::pin_hash),
        report: None,
        reported_at: None,
    };
    state.store.add_device(&row, &secret::hash(&code)).await?;
    state
        .store
        .audit(
            &format!("user:{admin}"),
            "device.create",
            &row.id.to_string(),
            // Whether a PIN was set, never the PIN.
            json!({ "kind": new.kind, "label": row.label, "branch": row.branch, "shopper": row.shopper, "pin_set": row.pin.is_some() }),
        )
        .await?;
    enrolment(state, headers, &row, &code, now)
}

/// `POST /devices/{id}/code`: a new code; the old token stops working.
pub async fn new_code(
    state: &AppState,
    headers: &HeaderMap,
    admin: &str,
    id: Uuid,
) -> Result<Enrolment, ApiError> {
    let now = OffsetDateTime::now_utc();
    let code = secret::enrolment_code();
    let row = state
        .store
        .new_device_code(
            id,
            &secret::hash(&code),
            now.saturating_add(code_life(state)),
        )
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no device {id}")))?;
    state
        .store
        .audit(
            &format!("user:{admin}"),
            "device.code",
            &id.to_string(),
            json!({}),
        )
        .await?;
    enrolment(state, headers, &row, &code, now)
}

/// `POST /devices/{id}/revoke`.
pub async fn revoke(state: &AppState, admin: &str, id: Uuid) -> Result<(), ApiError> {
    let now = OffsetDateTime::now_utc();
    if !state.store.revoke_device(id, now).await? {
        return Err(ApiError::NotFound(format!("no device {id}")));
    }
    state
        .store
        .audit(
            &format!("user:{admin}"),
            "device.revoke",
            &id.to_string(),
            json!({}),
        )
        .await?;
    Ok(())
}

/// `PUT /devices/{id}/pin`: a kiosk's new staff PIN, under a fresh salt.
/// The kiosk takes it up with its next status report. A PIN of the wrong
/// form or for a shopper's phone is refused before anything is written.
pub async fn set_pin(state: &AppState, admin: &str, id: Uuid, pin: &str) -> Result<(), ApiError> {
    check_pin(pin).map_err(|e| {
        ApiError::BadRequest(e.to_string())
            .coded(e.code)
            .at(e.field)
    })?;
    let device = state
        .store
        .device(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no device {id}")))?;
    if device.kind != DeviceKind::Kiosk {
        return Err(
            ApiError::BadRequest("pin: only a kiosk has a staff PIN".into())
                .coded(ProblemCode::PinOnlyForKiosks)
                .at("pin"),
        );
    }
    if !state
        .store
        .set_device_pin(id, &secret::pin_hash(pin))
        .await?
    {
        return Err(ApiError::NotFound(format!("no device {id}")));
    }
    state
        .store
        .audit(
            &format!("user:{admin}"),
            "device.pin",
            &id.to_string(),
            // That it changed, never the PIN or its hash.
            json!({}),
        )
        .await?;
    Ok(())
}

/// `POST /devices/enrol`: the code, once, for a token.
pub async fn enrol(state: &AppState, typed: &str) -> Result<Enrolled, ApiError> {
    let refused = || {
        ApiError::Unauthorized(
            "unknown, used or expired enrolment code: ask an admin for a new one".into(),
        )
        .coded(ProblemCode::EnrolmentCodeRefused)
    };
    let code = normalize_code(typed).ok_or_else(refused)?;
    let now = OffsetDateTime::now_utc();
    let token = secret::token();
    let life = Duration::seconds(i64::from(state.config.device_token_secs));
    let device = state
        .store
        .enrol(
            &secret::hash(&code),
            &secret::hash(&token),
            now.saturating_add(life),
            now,
        )
        .await?
        .ok_or_else(refused)?;
    state
        .store
        .audit(
            &format!("device:{}", device.id),
            "device.enrol",
            &device.id.to_string(),
            json!({ "kind": device.kind, "label": device.label }),
        )
        .await?;
    Ok(Enrolled {
        token,
        device: device.to_api(now),
        pin: device.pin,
    })
}
