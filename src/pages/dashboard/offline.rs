//! Figures from the responses on this device, for when the server cannot be
//! reached and no copy of these figures was kept: the responses waiting in
//! the outbox, aggregated by the same functions as the server's
//! (`branchpulse_core::aggregate`), with the questionnaires and branches
//! kept on the device.

use super::texts::Texts;
use crate::storage::kept;
use crate::storage::outbox::Outbox;
use branchpulse_core::aggregate::{aggregate_responses, items_of_responses, Aggregates, Filter};
use branchpulse_core::protocol::Branch;
use branchpulse_core::scorecard::Items;
use branchpulse_core::{Questionnaire, Response};

/// What the device holds to compute figures from.
struct Device {
    responses: Vec<Response>,
    /// The versions the responses answered.
    questionnaires: Vec<Questionnaire>,
    branches: Vec<Branch>,
}

impl Device {
    async fn read() -> Result<Device, String> {
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
        Ok(Device {
            responses,
            questionnaires,
            branches,
        })
    }

    fn questionnaire(&self, id: &str, version: u32) -> Option<&Questionnaire> {
        self.questionnaires
            .iter()
            .find(|q| q.id == id && q.version == version)
    }
}

/// The figures for `filter` of the outbox's responses, and how many
/// responses the device holds.
pub async fn from_device(filter: &Filter) -> Result<(Aggregates, usize), String> {
    let d = Device::read().await?;
    let defs = Texts::load().await.definitions();
    let aggregates = aggregate_responses(filter, &d.branches, &defs, &d.responses, |id, v| {
        d.questionnaire(id, v)
    });
    Ok((aggregates, d.responses.len()))
}

/// The item figures (the drill-down) for `filter` of the outbox's
/// responses, and how many responses the device holds.
pub async fn items_from_device(filter: &Filter) -> Result<(Items, usize), String> {
    let d = Device::read().await?;
    let texts = Texts::shared().await;
    let latest: Vec<&Questionnaire> = texts.all().iter().collect();
    let items = items_of_responses(filter, &d.branches, &latest, &d.responses, |id, v| {
        d.questionnaire(id, v)
    });
    Ok((items, d.responses.len()))
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
