//! The store's side of evidence (photos of a report): see `crate::evidence`
//! for the rules, `sql/evidence.rs` for the queries.

use super::{Store, StoreError};
use time::OffsetDateTime;
use uuid::Uuid;

/// A photo as stored, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRecord {
    pub id: Uuid,
    pub report: Uuid,
    pub item: Option<String>,
    pub stage: Option<String>,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub received: u64,
    pub complete: bool,
    pub created_at: OffsetDateTime,
}

/// What decides who may attach photos to a report and read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOwner {
    pub branch: String,
    /// `kiosk` or `mystery_shop`.
    pub channel: String,
    /// The enrolled device that sent it.
    pub device: Option<Uuid>,
    /// That device's shopper.
    pub shopper: Option<String>,
    /// Its free texts (and photos) were erased.
    pub erased: bool,
}

impl Store {
    /// Who sent report `id`; `None` if it is not stored.
    pub async fn report_owner(&self, id: Uuid) -> Result<Option<ReportOwner>, StoreError> {
        dispatch!(self, evidence::report_owner(id))
    }

    /// Whether report `id` awaits review: its photos are not released yet.
    pub async fn report_held(&self, id: Uuid) -> Result<bool, StoreError> {
        dispatch!(self, evidence::report_held(id))
    }

    /// Store a newly announced photo; `false` if its id is stored already.
    pub async fn add_evidence(&self, e: &EvidenceRecord) -> Result<bool, StoreError> {
        dispatch!(self, evidence::add(e))
    }

    pub async fn evidence(&self, id: Uuid) -> Result<Option<EvidenceRecord>, StoreError> {
        dispatch!(self, evidence::get(id))
    }

    /// A report's photos, in the order they were announced.
    pub async fn report_evidence(&self, report: Uuid) -> Result<Vec<EvidenceRecord>, StoreError> {
        dispatch!(self, evidence::of_report(report))
    }

    /// Keep `bytes` as the next chunk of photo `id` if it starts at
    /// `offset`, where the received bytes end; `false` (nothing kept) if not.
    pub async fn append_evidence(
        &self,
        id: Uuid,
        offset: u64,
        bytes: &[u8],
    ) -> Result<bool, StoreError> {
        dispatch!(self, evidence::append(id, offset, bytes))
    }

    /// Every byte received of photo `id`, in order.
    pub async fn received_evidence(&self, id: Uuid) -> Result<Vec<u8>, StoreError> {
        dispatch!(self, evidence::received_bytes(id))
    }

    /// End the upload of photo `id`: keep `data` as the photo, or (`None`)
    /// drop what was received so that it starts again.
    pub async fn finish_evidence(&self, id: Uuid, data: Option<&[u8]>) -> Result<bool, StoreError> {
        dispatch!(self, evidence::finish(id, data))
    }

    /// The bytes of complete photo `id`.
    pub async fn evidence_content(&self, id: Uuid) -> Result<Option<Vec<u8>>, StoreError> {
        dispatch!(self, evidence::content(id))
    }
}
