//! The store's side of contact requests: a customer's phone number or
//! e-mail address, kept in `contacts`, apart from the answers (no export,
//! figure or comment list reads that table). See `crate::contacts` for the
//! rules and `sql/contacts.rs` for the queries.

use super::{Store, StoreError};
use branchpulse_core::cases::ContactWay;
use branchpulse_core::protocol::Branch;
use branchpulse_core::Locale;
use time::OffsetDateTime;
use uuid::Uuid;

/// A contact request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    /// Made on the kiosk.
    pub id: Uuid,
    /// The response the customer had just given (one contact per response).
    pub response: Uuid,
    /// The response's branch.
    pub branch: String,
    pub way: ContactWay,
    /// As checked by `cases::check_contact` (trimmed).
    pub value: String,
    pub locale: Locale,
    pub received_at: OffsetDateTime,
}

impl Store {
    /// Store `c`, sent by kiosk `device`, and in the same transaction raise
    /// the contact-request alert of each active rule whose scope covers
    /// `branch`. The number of alerts raised, or `None` (nothing stored or
    /// raised) when its id or its response already has a contact.
    pub async fn add_contact(
        &self,
        c: &ContactRecord,
        branch: &Branch,
        device: Uuid,
    ) -> Result<Option<usize>, StoreError> {
        dispatch!(self, contacts::add(c, branch, device))
    }

    /// Contact request `id`, if stored.
    pub async fn contact_request(&self, id: Uuid) -> Result<Option<ContactRecord>, StoreError> {
        dispatch!(self, contacts::get(id))
    }
}
