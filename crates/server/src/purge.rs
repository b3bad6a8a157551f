//! Removing a response's free texts on request (a customer wrote their
//! phone number in the comment, say): the text answers and comments go,
//! the scores stay.
//!
//! The stored payload hash is left as it was, on purpose: it stands for
//! what the device sent, so a device that resends the original (its outbox
//! keeps it until confirmed) is answered `duplicate` — not `conflict`, and
//! the text does not come back.

use crate::changes;
use crate::error::ApiError;
use crate::ingest::store_error;
use crate::store::canonical_json;
use crate::AppState;
use branchpulse_core::access::Purged;
use branchpulse_core::questionnaire::{ItemKind, Questionnaire};
use branchpulse_core::{Answer, Response};
use time::OffsetDateTime;
use uuid::Uuid;

/// Remove `response`'s answers to text items and its comments; how many
/// were removed. Without its questionnaire, every text answer counts as one.
pub fn strip_text(response: &mut Response, questionnaire: Option<&Questionnaire>) -> usize {
    let before = response.answers.len() + response.comments.len();
    response.answers.retain(|item, answer| {
        let text_item = questionnaire
            .and_then(|q| q.item(item))
            .is_some_and(|i| matches!(i.kind, ItemKind::Text { .. }));
        !(text_item || matches!(answer, Answer::Text(_)))
    });
    response.comments.clear();
    before - response.answers.len() - response.comments.len()
}

/// Purge the free texts of stored response `id`, on behalf of `actor`
/// (`user:<name>`, for the audit log).
pub async fn purge_text(state: &AppState, actor: &str, id: Uuid) -> Result<Purged, ApiError> {
    let missing = || ApiError::NotFound(format!("no response {id}"));
    let payload = state
        .store
        .payload(id)
        .await
        .map_err(store_error)?
        .ok_or_else(missing)?;
    let mut response: Response = serde_json::from_str(&payload)
        .map_err(|e| ApiError::Internal(format!("stored response {id} cannot be read: {e}")))?;
    let catalog = state.catalog.snapshot();
    let q = catalog.questionnaire(&response.questionnaire_id, response.questionnaire_version);
    let removed = strip_text(&mut response, q);
    let found = state
        .store
        .purge_text(id, &canonical_json(&response), OffsetDateTime::now_utc())
        .await
        .map_err(store_error)?;
    if !found {
        return Err(missing());
    }
    // The detail says how much, never what: the text is gone on purpose.
    let detail = serde_json::json!({ "removed": removed });
    changes::audit(state, actor, "response.purge_text", &id.to_string(), detail).await?;
    Ok(Purged { id, removed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_answers_and_comments_go_scored_answers_stay() {
        let json = include_str!("../../../questionnaires/mystery_shop.json");
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
            "comments": {"waiting": "The guard was rude", scored.id.clone(): "Asked twice"}
        }))
        .unwrap();
        response.answers.insert(
            scored.id.clone(),
            Answer::YesNo(branchpulse_core::YesNo::Yes),
        );
        let mut expected = 2;
        if let Some(id) = &text_item {
            response
                .answers
                .insert(id.clone(), Answer::Text("my phone is 555".into()));
            expected += 1;
        }
        assert_eq!(strip_text(&mut response, Some(&q)), expected);
        assert!(response.comments.is_empty());
        assert_eq!(response.answers.len(), 1);
        assert!(response.answers.contains_key(&scored.id));
        assert_eq!(strip_text(&mut response, Some(&q)), 0);
    }
}
