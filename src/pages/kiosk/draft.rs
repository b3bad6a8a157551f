//! The customer's answers in progress: written to localStorage on every
//! answer (`branchpulse.draft.kiosk`), turned into a
//! [`branchpulse_core::Response`] at the end.

use super::config::{self, KioskSetup};
use crate::pages::response::Finished;
use crate::storage::{drafts, keys};
use branchpulse_core::validate::Problem;
use branchpulse_core::{Answer, Channel, Item, Locale, Questionnaire, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: Uuid,
    pub locale: Locale,
    /// ms since the epoch (`Date.now()`).
    pub started_at: f64,
    /// Index of the current item in the questionnaire's flat item list.
    pub step: usize,
    pub answers: BTreeMap<String, Answer>,
    /// Set when the idle timeout parked it: the next start resumes it, but
    /// a reload shows the start screen rather than the question.
    #[serde(default)]
    pub parked: bool,
}

impl Draft {
    pub fn new(locale: Locale) -> Draft {
        Draft {
            id: config::new_uuid(),
            locale,
            started_at: js_sys::Date::now(),
            step: 0,
            answers: BTreeMap::new(),
            parked: false,
        }
    }

    pub fn load() -> Option<Draft> {
        drafts::load(&keys::draft(keys::KIOSK_DRAFT_ID))
            .ok()
            .flatten()
    }

    /// Save on the device; a failure is for staff, never for the customer.
    pub fn save(&self) -> Result<(), drafts::DraftError> {
        drafts::save(&keys::draft(keys::KIOSK_DRAFT_ID), self)
    }

    pub fn discard() {
        drafts::remove(&keys::draft(keys::KIOSK_DRAFT_ID));
    }

    /// Drop answers to items that are no longer shown (a show_if source changed).
    pub fn prune(&mut self, q: &Questionnaire) {
        let items: Vec<&Item> = q.items().collect();
        for item in items {
            if !q.visible(item, &self.answers) {
                self.answers.remove(&item.id);
            }
        }
    }

    /// The finished response for `setup`, checked with the same rules as
    /// the server.
    pub fn to_response(&self, setup: &KioskSetup) -> Result<Response, Vec<Problem>> {
        Finished {
            id: self.id,
            branch: setup.branch.clone(),
            channel: Channel::Kiosk,
            locale: self.locale,
            started_at: self.started_at,
            answers: self.answers.clone(),
            comments: BTreeMap::new(),
            visit: None,
            assignment: None,
            partial: false,
        }
        .into_response(&setup.questionnaire, js_sys::Date::now())
    }
}

/// Items shown for `answers`, as indexes into the flat item list.
pub fn visible_steps(q: &Questionnaire, answers: &BTreeMap<String, Answer>) -> Vec<usize> {
    q.items()
        .enumerate()
        .filter(|(_, item)| q.visible(item, answers))
        .map(|(i, _)| i)
        .collect()
}
