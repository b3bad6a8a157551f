//! The device's enrolment: the token it got for its one-time code and what
//! the device needs to know about itself (kind, branch or shopper, label),
//! kept in localStorage so that a restart, even offline, is still the same
//! device.
//!
//! The kept value is the server's `access::Enrolled` answer, read into
//! [`Enrolment`]: the fields the device uses, the rest ignored (decoding the
//! whole `Device` — status, times — would cost wasm for nothing).
//!
//! An unreadable value is moved aside to `<key>.corrupt` (as drafts are) and
//! the device counts as not enrolled: it asks for a new code instead of
//! sending a token it cannot read.

use super::drafts::{self, DraftError};
use super::keys;
use branchpulse_core::access::{DeviceKind, PinHash};
use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

/// `access::Enrolled` as the device keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Sent as `Authorization: Bearer <token>`.
    pub token: String,
    pub device: EnrolledDevice,
    /// A kiosk's staff PIN as the enrolment answer carried it: read, never
    /// written here, since the kiosk keeps it under its own key
    /// (`keys::KIOSK_PIN`), where every status report replaces it.
    #[serde(default, skip_serializing)]
    pub pin: Option<PinHash>,
}

/// The fields of `access::Device` the device uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolledDevice {
    /// The server's id of the device (not the `device_id` of responses).
    pub id: String,
    pub kind: DeviceKind,
    pub label: String,
    /// A kiosk's branch.
    #[serde(default)]
    pub branch: Option<String>,
    /// A shopper's phone's shopper.
    #[serde(default)]
    pub shopper: Option<String>,
}

/// The kept enrolment: `Ok(None)` when the device was never enrolled, an
/// error when the kept value could not be read (it was moved aside).
pub fn load() -> Result<Option<Enrolment>, DraftError> {
    drafts::load(keys::ENROLMENT)
}

/// The kept enrolment, if it can be read.
pub fn current() -> Option<Enrolment> {
    load().ok().flatten()
}

/// The kept enrolment if it can be read, leaving an unreadable one where
/// it is: for the kiosk's customer page, which only decides whether to send
/// staff to the enrolment screen, where [`load`] then says it was unreadable.
pub fn peek() -> Option<Enrolment> {
    // `drafts::load` without its moving aside of what does not parse.
    LocalStorage::get(keys::ENROLMENT).ok()
}

/// The token to send as `Authorization: Bearer …`.
pub fn token() -> Option<String> {
    current().map(|e| e.token)
}

/// Keep a new enrolment, replacing the old one.
pub fn save(enrolment: &Enrolment) -> Result<(), DraftError> {
    drafts::save(keys::ENROLMENT, enrolment)
}
