//! A customer's request to be contacted: after their response, the kiosk
//! sends the phone number or e-mail address they typed
//! (`POST /api/v1/contacts`, `cases::ContactRequest`). It is kept apart from
//! the answers (`store::contacts`), and storing it raises the
//! contact-request alert of each active rule whose scope covers the branch,
//! in the same transaction; the alert names the response, never the
//! details, which only the case's owner and admins read.
//!
//! The kiosk sends it only once its response is stored, and keeps sending
//! it until the server has it: a contact whose response has not arrived yet
//! is answered 409 (the device tries again later), the same request again
//! is a success, and its id or its response taken by another is a 409 it
//! will not get past.

use crate::error::ApiError;
use crate::store::access::DeviceRow;
use crate::store::contacts::ContactRecord;
use crate::AppState;
use branchpulse_core::access::DeviceKind;
use branchpulse_core::cases::{check_contact, ContactRequest, ContactWay, MAX_EMAIL_CHARS};
use branchpulse_core::protocol::Branch;
use branchpulse_core::ProblemCode;
use time::OffsetDateTime;

/// What became of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Stored now, and its alerts raised.
    New,
    /// Stored before with the same content: nothing done.
    Known,
}

/// Take `request` from kiosk `device`.
pub async fn receive(
    state: &AppState,
    device: &DeviceRow,
    request: ContactRequest,
    now: OffsetDateTime,
) -> Result<Received, ApiError> {
    if device.kind != DeviceKind::Kiosk {
        return Err(ApiError::Forbidden(
            "only lobby kiosks send a customer's request to be contacted".into(),
        )
        .coded(ProblemCode::DevicesOnly));
    }
    let value = check_contact(request.way, &request.value)
        .map_err(|code| refused_value(request.way, code))?;
    let owner = state
        .store
        .report_owner(request.response)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(format!(
                "response: {} not received yet — send the contact again after the response syncs",
                request.response
            ))
            .coded(ProblemCode::NotFound)
            .at("response")
        })?;
    if owner.channel != "kiosk" || device.branch.as_deref() != Some(owner.branch.as_str()) {
        return Err(ApiError::Forbidden(format!(
            "response: {} is not a kiosk response of this kiosk's branch",
            request.response
        ))
        .at("response"));
    }
    let record = ContactRecord {
        id: request.id,
        response: request.response,
        branch: owner.branch,
        way: request.way,
        value,
        locale: request.locale,
        received_at: now,
    };
    if let Some(known) = known(state, &record).await? {
        return Ok(known);
    }
    // Its region decides which regional rules cover it; a branch missing
    // from the catalog (removed since) is covered by network-wide rules.
    let branch = state
        .catalog
        .branches()
        .iter()
        .find(|b| b.code == record.branch)
        .cloned()
        .unwrap_or_else(|| Branch {
            code: record.branch.clone(),
            name: record.branch.clone(),
            region: String::new(),
            active: false,
            format: None,
        });
    match state.store.add_contact(&record, &branch, device.id).await? {
        Some(alerts) => {
            tracing::info!(contact = %record.id, response = %record.response, alerts, "contact request stored");
            Ok(Received::New)
        }
        // Taken at the same moment: by this id (a resend racing itself),
        // or by another contact of the response.
        None => match known(state, &record).await? {
            Some(known) => Ok(known),
            None => Err(ApiError::Conflict(format!(
                "response: {} already has a contact request; one is kept per response",
                record.response
            ))
            .at("response")),
        },
    }
}

/// `Some` when `record`'s id is stored: the same request again, or a 409
/// when the id was sent with other content.
async fn known(state: &AppState, record: &ContactRecord) -> Result<Option<Received>, ApiError> {
    let Some(stored) = state.store.contact_request(record.id).await? else {
        return Ok(None);
    };
    let same = stored.response == record.response
        && stored.way == record.way
        && stored.value == record.value
        && stored.locale == record.locale;
    if !same {
        return Err(ApiError::Conflict(format!(
            "id: contact request {} was sent with other content; a new request needs a new id",
            record.id
        ))
        .at("id"));
    }
    Ok(Some(Received::Known))
}

/// 422 at `value`, with core's code.
fn refused_value(way: ContactWay, code: ProblemCode) -> ApiError {
    let why = match (code, way) {
        (ProblemCode::Empty, _) => "empty".to_owned(),
        (ProblemCode::TooLong, _) => format!("longer than {MAX_EMAIL_CHARS} characters"),
        (_, ContactWay::Phone) => {
            "not a phone number: 6 to 15 digits, with + - ( ) . or spaces".to_owned()
        }
        (_, ContactWay::Email) => "not an e-mail address (name@domain.tld)".to_owned(),
    };
    ApiError::Unprocessable(format!("value: {why}"))
        .coded(code)
        .at("value")
}
