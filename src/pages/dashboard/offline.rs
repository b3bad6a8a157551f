//! Figures from the responses on this device, for when the server cannot be
//! reached and no copy of these figures was kept: the responses waiting in
//! the outbox, aggregated by the same functions as the server's
//! (`branchpulse_core::aggregate`), with the questionnaires and branches
//! kept on the device.

use crate::storage::kept;
use crate::storage::outbox::Outbox;
use branchpulse_core::aggregate::{aggregate_responses, Aggregates, Filter};
use branchpulse_core::{Questionnaire, Response};

/// The figures for `filter` of the outbox's responses, and how many
/// responses the device holds.
pub async fn from_device(filter: &Filter) -> Result<(Aggregates, usize), String> {
    let outbox = Outbox::open().await.map_err(|e| e.to_string())?;
    let batch = outbox.pending(u32::MAX).await;
    outbox.close();
    let batch = batch.map_err(|e| e.to_string())?;
    let responses: Vec<Response> = batch
        .ready
        .iter()
        .filter_map(|p| serde_json::from_str(&p.response).ok())
        .collect();
    let branches = kept::branches().await.map_err(|e| e.to_string())?;
    let mut questionnaires: Vec<Questionnaire> = Vec::new();
    for r in &responses {
        if !questionnaires.iter().any(|q| q.id == r.questionnaire_id) {
            if let Ok(q) = kept::questionnaire(&r.questionnaire_id).await {
                questionnaires.push(q);
            }
        }
    }
    let defs = super::texts::Texts::load().await.definitions();
    let aggregates = aggregate_responses(filter, &branches, &defs, &responses, |id, version| {
        questionnaires
            .iter()
            .find(|q| q.id == id && q.version == version)
    });
    Ok((aggregates, responses.len()))
}

/// Keep on the device what [`from_device`] needs: the branch list and every
/// questionnaire (the API module keeps a copy of each answer).
pub async fn prepare() {
    let _ = kept::branches().await;
    if let Ok(list) = kept::questionnaires().await {
        for q in list {
            let _ = kept::questionnaire(&q.id).await;
        }
    }
}
