//! Evidence: photos a mystery shopper attaches to an item or a stage of a
//! report. The phone shrinks each photo through a canvas (which drops its
//! Exif and XMP), announces it once the report is stored, and sends it in
//! chunks, resuming from what the server says it has. On the last chunk
//! the server checks the bytes against the announced SHA-256 and takes out
//! any metadata segment a phone may still have sent ([`clean_jpeg`]), so
//! no stored photo carries a location or a camera's name.
//!
//! Who sees them: the shopper's phones (status only), admins and reviewers
//! always, managers of the branch once the report is approved.

use crate::auth::scope::allows_code;
use crate::auth::Reader;
use crate::error::ApiError;
use crate::store::access::DeviceRow;
use crate::store::{EvidenceRecord, ReportOwner};
use crate::AppState;
use branchpulse_core::access::{DeviceKind, Role};
use branchpulse_core::protocol::{EvidenceStatus, EvidenceSummary, NewEvidence};
use branchpulse_core::ProblemCode;
use bytes::Bytes;
use img_parts::jpeg::{markers, Jpeg};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

/// Largest photo, in bytes: a 1600-pixel JPEG at quality 0.8 is 200–600 KB.
pub const MAX_PHOTO_BYTES: u64 = 2 * 1024 * 1024;
/// Most photos one report may carry.
pub const MAX_PHOTOS_PER_REPORT: usize = 10;
/// Largest chunk of one `PUT …/content`.
pub const MAX_CHUNK_BYTES: usize = 256 * 1024;
/// The one type taken: what the phone's canvas makes.
pub const CONTENT_TYPE: &str = "image/jpeg";
/// Longest item or stage id.
const MAX_ID_CHARS: usize = 100;

/// What the phone learns after announcing a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announced {
    New(EvidenceStatus),
    Known(EvidenceStatus),
}

pub fn status_of(e: &EvidenceRecord) -> EvidenceStatus {
    EvidenceStatus {
        id: e.id,
        received: e.received,
        size: e.size,
        complete: e.complete,
        error: None,
    }
}

pub fn summary_of(e: &EvidenceRecord) -> EvidenceSummary {
    EvidenceSummary {
        id: e.id,
        report: e.report,
        item: e.item.clone(),
        stage: e.stage.clone(),
        size: e.size,
        complete: e.complete,
    }
}

/// The report `report` as a shopper's phone may attach to: stored, a
/// mystery shop, sent by this phone or another of its shopper's.
async fn owned_report(
    state: &AppState,
    device: &DeviceRow,
    report: Uuid,
) -> Result<ReportOwner, ApiError> {
    if device.kind != DeviceKind::Shopper {
        return Err(
            ApiError::Forbidden("only shoppers' phones attach photos to reports".into())
                .coded(ProblemCode::DevicesOnly),
        );
    }
    let owner = state.store.report_owner(report).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "report: {report} not received yet — retry after the report syncs"
        ))
        .at("report")
    })?;
    let same_shopper = device.shopper.is_some() && owner.shopper == device.shopper;
    if owner.channel != "mystery_shop" || !(owner.device == Some(device.id) || same_shopper) {
        return Err(ApiError::Forbidden(format!(
            "report: {report} is not a report of this phone's shopper"
        ))
        .at("report"));
    }
    Ok(owner)
}

/// `POST /api/v1/evidence`: announce a photo. The same announcement again
/// answers what has been received so far; another one with that id is a
/// conflict.
pub async fn announce(
    state: &AppState,
    device: &DeviceRow,
    new: NewEvidence,
    now: OffsetDateTime,
) -> Result<Announced, ApiError> {
    let bad = |field: &str, message: String| ApiError::Unprocessable(message).at(field);
    if new.content_type != CONTENT_TYPE {
        return Err(ApiError::UnsupportedMediaType(format!(
            "content_type: \"{}\" is not taken; send the photo as {CONTENT_TYPE}",
            new.content_type
        ))
        .at("content_type"));
    }
    if new.size == 0 {
        return Err(bad("size", "size: a photo has at least one byte".into()));
    }
    if new.size > MAX_PHOTO_BYTES {
        return Err(ApiError::TooLarge(format!(
            "size: {} bytes is over the {MAX_PHOTO_BYTES} bytes a photo may have; shrink it first",
            new.size
        ))
        .at("size"));
    }
    if new.sha256.len() != 64
        || !new
            .sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(bad(
            "sha256",
            "sha256: expected 64 lowercase hex digits".into(),
        ));
    }
    let place = match (&new.item, &new.stage) {
        (Some(id), None) => ("item", id),
        (None, Some(id)) => ("stage", id),
        _ => {
            return Err(bad(
                "item",
                "item, stage: give exactly one (the item or the stage the photo shows)".into(),
            ))
        }
    };
    if place.1.is_empty() || place.1.chars().count() > MAX_ID_CHARS {
        return Err(bad(
            place.0,
            format!("{}: an id of 1 to {MAX_ID_CHARS} characters", place.0),
        ));
    }
    let owner = owned_report(state, device, new.report).await?;
    if let Some(stored) = state.store.evidence(new.id).await? {
        let same = stored.report == new.report
            && stored.item == new.item
            && stored.stage == new.stage
            && stored.size == new.size
            && stored.sha256 == new.sha256;
        if !same {
            return Err(ApiError::Conflict(format!(
                "id: photo {} was announced with other details; announce a new photo with a new id",
                new.id
            ))
            .at("id"));
        }
        return Ok(Announced::Known(status_of(&stored)));
    }
    if owner.erased {
        return Err(ApiError::Problem {
            status: axum::http::StatusCode::GONE,
            code: ProblemCode::NotFound,
            field: Some("report".into()),
            message: format!(
                "report: the free texts and photos of {} were erased; no photo is taken for it",
                new.report
            ),
        });
    }
    if state.store.report_evidence(new.report).await?.len() >= MAX_PHOTOS_PER_REPORT {
        return Err(bad(
            "report",
            format!("report: a report carries at most {MAX_PHOTOS_PER_REPORT} photos"),
        ));
    }
    let record = EvidenceRecord {
        id: new.id,
        report: new.report,
        item: new.item,
        stage: new.stage,
        content_type: new.content_type,
        size: new.size,
        sha256: new.sha256,
        received: 0,
        complete: false,
        created_at: now,
    };
    if !state.store.add_evidence(&record).await? {
        // Announced at the same moment by another request: answer as a resend.
        return Box::pin(announce(state, device, new_of(&record), now)).await;
    }
    Ok(Announced::New(status_of(&record)))
}

fn new_of(e: &EvidenceRecord) -> NewEvidence {
    NewEvidence {
        id: e.id,
        report: e.report,
        item: e.item.clone(),
        stage: e.stage.clone(),
        content_type: e.content_type.clone(),
        size: e.size,
        sha256: e.sha256.clone(),
    }
}

/// What a chunk did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// Taken (or the photo is now whole and stored).
    Taken(EvidenceStatus),
    /// Not taken: it does not start where the received bytes end. The
    /// phone sends from `received`.
    Elsewhere(EvidenceStatus),
}

/// `PUT /api/v1/evidence/{id}/content?offset=N`: the chunk of photo `id`
/// that starts at `offset`. The last one completes the photo: checked
/// against its SHA-256, cleaned of metadata, stored. If the bytes are not
/// what was announced or not a JPEG, every received byte is dropped (422)
/// and the photo starts again from 0.
pub async fn put_chunk(
    state: &AppState,
    device: &DeviceRow,
    id: Uuid,
    offset: u64,
    bytes: &[u8],
) -> Result<Chunk, ApiError> {
    let e = device_evidence(state, device, id).await?;
    if bytes.len() > MAX_CHUNK_BYTES {
        return Err(ApiError::TooLarge(format!(
            "a chunk has at most {MAX_CHUNK_BYTES} bytes; this one has {}",
            bytes.len()
        )));
    }
    let elsewhere = |e: &EvidenceRecord, why: String| {
        let mut status = status_of(e);
        status.error = Some(why);
        Chunk::Elsewhere(status)
    };
    if e.complete {
        return Ok(Chunk::Taken(status_of(&e)));
    }
    if offset != e.received {
        return Ok(elsewhere(
            &e,
            format!(
                "offset: {offset} is not where the received bytes end; send from {}",
                e.received
            ),
        ));
    }
    if offset + bytes.len() as u64 > e.size {
        return Err(ApiError::TooLarge(format!(
            "the photo was announced with {} bytes; this chunk goes past them",
            e.size
        )));
    }
    if !state.store.append_evidence(id, offset, bytes).await? {
        // Another request took a chunk in between.
        let now = device_evidence(state, device, id).await?;
        return Ok(elsewhere(
            &now,
            format!(
                "offset: another chunk came first; send from {}",
                now.received
            ),
        ));
    }
    let received = offset + bytes.len() as u64;
    if received < e.size {
        let mut status = status_of(&e);
        status.received = received;
        return Ok(Chunk::Taken(status));
    }
    finish(state, &e).await
}

/// Check and store the whole photo, or drop what was received.
async fn finish(state: &AppState, e: &EvidenceRecord) -> Result<Chunk, ApiError> {
    let whole = state.store.received_evidence(e.id).await?;
    let problem = if whole.len() as u64 != e.size {
        Some(format!(
            "the photo has {} bytes, not the {} announced; it is sent again from 0",
            whole.len(),
            e.size
        ))
    } else if format!("{:x}", Sha256::digest(&whole)) != e.sha256 {
        Some(
            "sha256: the bytes received are not those announced; the photo is sent again from 0"
                .into(),
        )
    } else {
        None
    };
    let cleaned = match problem {
        Some(p) => Err(p),
        None => clean_jpeg(&whole).map_err(|why| format!("not a JPEG that can be kept: {why}")),
    };
    match cleaned {
        Ok(data) => {
            state.store.finish_evidence(e.id, Some(&data)).await?;
            let mut status = status_of(e);
            status.received = e.size;
            status.complete = true;
            Ok(Chunk::Taken(status))
        }
        Err(message) => {
            state.store.finish_evidence(e.id, None).await?;
            Err(ApiError::Unprocessable(message))
        }
    }
}

/// Photo `id` as the shopper's phone that may send it sees it.
async fn device_evidence(
    state: &AppState,
    device: &DeviceRow,
    id: Uuid,
) -> Result<EvidenceRecord, ApiError> {
    let missing = || ApiError::NotFound(format!("no photo {id}; announce it first"));
    let e = state.store.evidence(id).await?.ok_or_else(missing)?;
    owned_report(state, device, e.report)
        .await
        .map_err(|_| missing())?;
    Ok(e)
}

/// Most versions followed back from a report: far more than a visit has,
/// a bound should the chain ever loop.
const MAX_VERSIONS: usize = 50;

/// Report `report` and the earlier versions it corrects, newest first. A
/// corrected report is a new response, but the photos sent with the
/// versions before it still show what the shopper saw.
async fn versions(state: &AppState, report: Uuid) -> Result<Vec<Uuid>, ApiError> {
    let mut chain = vec![report];
    while chain.len() < MAX_VERSIONS {
        let last = chain[chain.len() - 1];
        match state.store.report(last).await?.and_then(|r| r.revises) {
            Some(earlier) if !chain.contains(&earlier) => chain.push(earlier),
            _ => break,
        }
    }
    Ok(chain)
}

/// The later versions that correct report `report`, oldest first.
async fn later_versions(state: &AppState, report: Uuid) -> Result<Vec<Uuid>, ApiError> {
    let mut later: Vec<Uuid> = Vec::new();
    let mut at = report;
    while later.len() < MAX_VERSIONS {
        match state.store.report(at).await?.and_then(|r| r.revised_by) {
            Some(next) if next != report && !later.contains(&next) => {
                later.push(next);
                at = next;
            }
            _ => break,
        }
    }
    Ok(later)
}

/// The photos of report `report` and of the versions it corrects, the
/// earliest version's first, each version's in the order announced.
pub async fn photos_of(state: &AppState, report: Uuid) -> Result<Vec<EvidenceRecord>, ApiError> {
    let mut photos = Vec::new();
    for version in versions(state, report).await?.into_iter().rev() {
        photos.extend(state.store.report_evidence(version).await?);
    }
    Ok(photos)
}

/// Whether the reader may see the photos of a report: admins and
/// reviewers always; other readers within their scope once it is approved.
/// A held report stays unknown to them, as its visit does.
pub async fn may_read(state: &AppState, reader: &Reader, report: Uuid) -> Result<(), ApiError> {
    let missing = || ApiError::NotFound(format!("no report {report} among those you may read"));
    let owner = state
        .store
        .report_owner(report)
        .await?
        .ok_or_else(missing)?;
    if reviews(reader.user.role) {
        return Ok(());
    }
    if !allows_code(&reader.scope, &owner.branch, &state.catalog.branches())
        || state.store.report_held(report).await?
    {
        return Err(missing());
    }
    Ok(())
}

/// The roles that read reports in full before they are approved.
fn reviews(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Reviewer)
}

/// Photo `id` as `reader` may see it.
pub async fn readable(
    state: &AppState,
    reader: &Reader,
    id: Uuid,
) -> Result<EvidenceRecord, ApiError> {
    let missing = || ApiError::NotFound(format!("no photo {id}"));
    let e = state.store.evidence(id).await?.ok_or_else(missing)?;
    if may_read(state, reader, e.report).await.is_ok() {
        return Ok(e);
    }
    // A photo sent with a version that was corrected is part of the later
    // versions too: readable by whoever may read one of them.
    for later in later_versions(state, e.report).await? {
        if may_read(state, reader, later).await.is_ok() {
            return Ok(e);
        }
    }
    Err(missing())
}

/// Photo `id` as a shopper's phone that sent it sees it.
pub async fn on_phone(
    state: &AppState,
    device: &DeviceRow,
    id: Uuid,
) -> Result<EvidenceRecord, ApiError> {
    device_evidence(state, device, id).await
}

/// The photos of report `report` and of the versions it corrects (all
/// its shopper's), for a phone that may attach to it.
pub async fn phone_list(
    state: &AppState,
    device: &DeviceRow,
    report: Uuid,
) -> Result<Vec<EvidenceRecord>, ApiError> {
    owned_report(state, device, report).await?;
    photos_of(state, report).await
}

/// APP segments kept: the JFIF header, a colour profile, Adobe's colour
/// transform. None of them says where or with what a photo was taken.
fn kept(marker: u8, contents: &[u8]) -> bool {
    match marker {
        markers::APP0 => contents.starts_with(b"JFIF\0"),
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::APP14 => contents.starts_with(b"Adobe"),
        markers::APP1..=markers::APP15 | markers::COM => false,
        _ => true,
    }
}

/// `bytes` without metadata: every APP segment but those [`kept`], every
/// comment, and anything after the end of the image (where a phone puts
/// the extra pictures of a multi-picture file, each with its own Exif).
/// Fails if `bytes` is not a JPEG, is cut short, or hides metadata
/// between the scans of a progressive image (a canvas never makes one).
pub fn clean_jpeg(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|e| e.to_string())?;
    jpeg.segments_mut()
        .retain(|s| kept(s.marker(), s.contents()));
    if jpeg.segments().last().map(|s| s.marker()) != Some(markers::SOS) {
        return Err("no image data (no start of scan)".into());
    }
    // Everything up to the first scan's data, as kept; then the scans.
    let head: usize = 2 + jpeg.segments().iter().map(|s| s.len()).sum::<usize>();
    let mut out = jpeg.encoder().bytes().to_vec();
    let end = head + scans_end(&out[head..])?;
    out.truncate(end);
    Ok(out)
}

/// Where the scans starting at `data` end: just after the end-of-image
/// marker. Between scans a progressive image has tables and further scan
/// headers; an APP segment or comment there is refused.
fn scans_end(data: &[u8]) -> Result<usize, String> {
    let mut i = 0;
    while i + 1 < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = data[i + 1];
        match marker {
            // Stuffed byte, restart marker, fill byte: still scan data.
            0x00 | markers::RST0..=markers::RST7 | 0xFF => i += if marker == 0xFF { 1 } else { 2 },
            markers::EOI => return Ok(i + 2),
            markers::APP0..=markers::APP15 | markers::COM => {
                return Err("metadata between the scans of a progressive image".into())
            }
            _ => {
                let len = data
                    .get(i + 2..i + 4)
                    .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
                    .ok_or("cut short in a segment header")?;
                i += 2 + len;
            }
        }
    }
    Err("cut short: no end of image".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_end_after_eoi_and_skip_tables_between_scans() {
        // Scan data with a stuffed 0xFF, a restart marker, a DHT whose
        // contents hold 0xFF 0xE1 (not an APP1), more data, EOI, trailer.
        let data = [
            0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56, 0xFF, 0xC4, 0x00, 0x04, 0xFF, 0xE1, 0x78,
            0xFF, 0xD9, 0xFF, 0xE1, 0x00,
        ];
        assert_eq!(scans_end(&data), Ok(16));
        assert!(scans_end(&[0x12, 0xFF, 0xFE, 0x00, 0x03, 0x41, 0xFF, 0xD9]).is_err());
        assert!(scans_end(&[0x12, 0x34]).is_err());
    }

    #[test]
    fn not_a_jpeg_is_refused() {
        assert!(clean_jpeg(b"\x89PNG\r\n\x1a\n").is_err());
        assert!(clean_jpeg(&[0xFF, 0xD8, 0xFF, 0xE0]).is_err());
    }
}
