//! Erasing free texts: on request (a customer wrote their phone number in
//! the comment, say) and by the retention settings (`retention.rs`: banks
//! keep texts and staff names only so long). The scores stay.
//!
//! An erased response keeps no hash of what the device sent: that hash
//! would let anyone holding the database confirm a guessed text (a staff
//! member's name). Its `payload_hash` becomes a marker and the hash of the
//! erased payload (`purged-text:<hex>`); a resend of the original is
//! erased the same way before it is compared ([`same_as_stored`]), so it is
//! still answered `duplicate` — not `conflict` — and the text does not
//! come back.

use crate::error::ApiError;
use crate::store::{canonical_json, sha256_hex, Store, StoreError};
use crate::AppState;
use branchpulse_core::access::Purged;
use branchpulse_core::{Answer, Channel, Response};
use time::OffsetDateTime;
use uuid::Uuid;

/// The items of the mystery-shop questionnaires that hold a staff
/// member's name (the name on the badge).
pub const STAFF_NAME_ITEMS: &[&str] = &["staff_name"];

/// What is erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erase {
    /// Every free text: text answers, comments, the reason a visit's
    /// waiting time was changed.
    Text,
    /// Only the staff names ([`STAFF_NAME_ITEMS`]).
    StaffNames,
}

impl Erase {
    /// The start of the payload hash of a response erased this way.
    pub fn marker(self) -> &'static str {
        match self {
            Erase::Text => "purged-text:",
            Erase::StaffNames => "purged-names:",
        }
    }

    /// The erasure a stored payload hash says was done, if any.
    pub fn of_hash(hash: &str) -> Option<Erase> {
        [Erase::Text, Erase::StaffNames]
            .into_iter()
            .find(|e| hash.starts_with(e.marker()))
    }

    /// A `LIKE` pattern of the hashes of responses that need no erasing
    /// this way (already erased so, or more).
    pub fn done_pattern(self) -> &'static str {
        match self {
            Erase::Text => "purged-text:%",
            Erase::StaffNames => "purged-%",
        }
    }

    /// The dashboard's comment items this erasure removes (`None`: all).
    /// Text erasure removes the report's photos too: like a comment, a
    /// photo is free content that may show what a person wrote or looks like.
    pub fn comment_items(self) -> Option<&'static [&'static str]> {
        match self {
            Erase::Text => None,
            Erase::StaffNames => Some(STAFF_NAME_ITEMS),
        }
    }

    /// The data class, as the audit log names it.
    pub fn class(self) -> &'static str {
        match self {
            Erase::Text => "free_text",
            Erase::StaffNames => "staff_names",
        }
    }

    /// Remove from `response` what this erasure removes; how many texts
    /// went. Depends on nothing but the response, so that a resend is
    /// erased exactly as the stored copy was.
    pub fn apply(self, response: &mut Response) -> usize {
        match self {
            Erase::Text => strip_text(response),
            Erase::StaffNames => strip_staff_names(response),
        }
    }
}

/// Remove `response`'s text answers, its comments and the reason its
/// visit's waiting time was changed; how many were removed.
pub fn strip_text(response: &mut Response) -> usize {
    let before = response.answers.len() + response.comments.len();
    response
        .answers
        .retain(|_, answer| !matches!(answer, Answer::Text(_)));
    response.comments.clear();
    let reason = response
        .visit
        .as_mut()
        .and_then(|v| v.wait_override_reason.take());
    before - response.answers.len() - response.comments.len() + usize::from(reason.is_some())
}

/// Remove the staff names of a mystery-shop report; how many were removed.
pub fn strip_staff_names(response: &mut Response) -> usize {
    if response.channel != Channel::MysteryShop {
        return 0;
    }
    let before = response.answers.len();
    response
        .answers
        .retain(|item, _| !STAFF_NAME_ITEMS.contains(&item.as_str()));
    before - response.answers.len()
}

/// The payload hash of `response` as stored: of the whole response, or,
/// once erased, the marker and the hash of the erased response.
pub fn stored_hash(response: &Response, erased: Option<Erase>) -> String {
    match erased {
        None => sha256_hex(&canonical_json(response)),
        Some(e) => {
            let mut erased = response.clone();
            e.apply(&mut erased);
            format!("{}{}", e.marker(), sha256_hex(&canonical_json(&erased)))
        }
    }
}

/// Whether `response` (sent by a device) is the response stored with
/// payload hash `hash`, before or after its texts were erased.
pub fn same_as_stored(hash: &str, response: &Response) -> bool {
    *hash == stored_hash(response, Erase::of_hash(hash))
}

/// Erase `how` from stored response `id` whose payload is `payload` (and
/// hash `hash`); how many texts went. An erasure already covered by the
/// stored one changes nothing.
pub(super) async fn erase_one(
    store: &Store,
    id: Uuid,
    payload: &str,
    hash: &str,
    how: Erase,
    now: OffsetDateTime,
) -> Result<Option<usize>, StoreError> {
    let Ok(mut response) = serde_json::from_str::<Response>(payload) else {
        tracing::warn!(%id, "a stored response cannot be read; its texts were not erased");
        return Ok(None);
    };
    let removed = how.apply(&mut response);
    // Text erasure covers staff names: a response erased of its texts keeps
    // that marker when its names are erased later.
    let how = match (Erase::of_hash(hash), how) {
        (Some(Erase::Text), _) => Erase::Text,
        _ => how,
    };
    let hash = format!("{}{}", how.marker(), sha256_hex(&canonical_json(&response)));
    let found = store
        .erase(
            id,
            &canonical_json(&response),
            &hash,
            (removed > 0).then_some(now),
            how.comment_items(),
            how == Erase::Text,
        )
        .await?;
    Ok(found.then_some(removed))
}

/// Purge the free texts of stored response `id`, on behalf of `actor`
/// (`user:<name>`, for the audit log).
pub async fn purge_text(state: &AppState, actor: &str, id: Uuid) -> Result<Purged, ApiError> {
    let missing = || ApiError::NotFound(format!("no response {id}"));
    let (payload, hash) = state
        .store
        .payload_and_hash(id)
        .await?
        .ok_or_else(missing)?;
    if serde_json::from_str::<Response>(&payload).is_err() {
        return Err(ApiError::Internal(format!(
            "stored response {id} cannot be read"
        )));
    }
    let removed = erase_one(
        &state.store,
        id,
        &payload,
        &hash,
        Erase::Text,
        OffsetDateTime::now_utc(),
    )
    .await?
    .ok_or_else(missing)?;
    // The customer's contact details, kept apart, go with the texts.
    let now = OffsetDateTime::now_utc();
    let contact = state.store.erase_contact(id, actor, "purge", now).await?;
    // The detail says how much, never what: the text is gone on purpose.
    let detail = serde_json::json!({ "removed": removed, "contact": contact.is_some() });
    state
        .store
        .audit(actor, "response.purge_text", &id.to_string(), detail)
        .await?;
    Ok(Purged { id, removed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use branchpulse_core::questionnaire::ItemKind;

    #[test]
    fn text_answers_and_comments_go_scored_answers_stay() {
        let json = include_str!("../../../../questionnaires/mystery_shop.json");
        let q = branchpulse_core::questionnaire::load("mystery_shop.json", json).unwrap();
        let text_item = q
            .items()
            .find(|i| matches!(i.kind, ItemKind::Text { .. }))
            .map(|i| i.id.clone());
        let scored = q
            .items()
            .find(|i| matches!(i.kind, ItemKind::YesNo))
            .unwrap();
        let mut response: Response = serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-4000-8000-000000000001",
            "questionnaire_id": q.id,
            "questionnaire_version": q.version,
            "branch": "N01",
            "device_id": "phone-1",
            "channel": "mystery_shop",
            "locale": "en",
            "started_at": "2026-03-01T09:30:00Z",
            "submitted_at": "2026-03-01T09:50:00Z",
            "answers": {},
            "comments": {"waiting": "The guard was rude", scored.id.clone(): "Asked twice"},
            "visit": {"wait_override_reason": "Timer missed Ana at the desk"}
        }))
        .unwrap();
        response.answers.insert(
            scored.id.clone(),
            Answer::YesNo(branchpulse_core::YesNo::Yes),
        );
        let mut expected = 3;
        if let Some(id) = &text_item {
            response
                .answers
                .insert(id.clone(), Answer::Text("my phone is 555".into()));
            expected += 1;
        }
        let original = response.clone();
        assert_eq!(strip_text(&mut response), expected);
        assert!(response.comments.is_empty());
        assert_eq!(response.visit.as_ref().unwrap().wait_override_reason, None);
        assert_eq!(response.answers.len(), 1);
        assert!(response.answers.contains_key(&scored.id));
        assert_eq!(strip_text(&mut response), 0);

        // The stored hash after erasure is of the erased response: it
        // matches the original resent, not a guess with another text.
        let hash = stored_hash(&original, Some(Erase::Text));
        assert!(hash.starts_with("purged-text:"));
        assert_eq!(hash, stored_hash(&response, Some(Erase::Text)));
        assert!(same_as_stored(&hash, &original));
        assert_ne!(hash, stored_hash(&original, None));
        let mut other = original.clone();
        other.answers.insert(
            scored.id.clone(),
            Answer::YesNo(branchpulse_core::YesNo::No),
        );
        assert!(!same_as_stored(&hash, &other));
        // Without a marker the whole response counts.
        let plain = stored_hash(&original, None);
        assert!(same_as_stored(&plain, &original));
        assert!(!same_as_stored(&plain, &response));
    }
}
