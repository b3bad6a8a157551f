//! The device's enrolment: the token it got for its one-time code and the
//! device as the server described it (kind, branch or shopper), kept in
//! localStorage so that a restart, even offline, is still the same device.
//!
//! An unreadable value is moved aside to `<key>.corrupt` (as drafts are) and
//! the device counts as not enrolled: it asks for a new code instead of
//! sending a token it cannot read.

use super::drafts::{self, DraftError};
use branchpulse_core::access::{DeviceKind, Enrolled};

/// localStorage key of the enrolment.
pub const ENROLMENT_KEY: &str = "branchpulse.device.enrolment";

/// The kept enrolment: `Ok(None)` when the device was never enrolled, an
/// error when the kept value could not be read (it was moved aside).
pub fn load() -> Result<Option<Enrolled>, DraftError> {
    drafts::load(ENROLMENT_KEY)
}

/// The kept enrolment, if it can be read.
pub fn current() -> Option<Enrolled> {
    load().ok().flatten()
}

/// The kept enrolment if it is one of `kind`.
pub fn of_kind(kind: DeviceKind) -> Option<Enrolled> {
    current().filter(|e| e.device.kind == kind)
}

/// The token to send as `Authorization: Bearer …`.
pub fn token() -> Option<String> {
    current().map(|e| e.token)
}

/// Keep a new enrolment, replacing the old one.
pub fn save(enrolled: &Enrolled) -> Result<(), DraftError> {
    drafts::save(ENROLMENT_KEY, enrolled)
}
