//! The customer's answers in progress: written to localStorage on every
//! answer (`branchpulse.draft.kiosk`), turned into a
//! [`branchpulse_core::Response`] at the end.

use super::config::{self, KioskSetup};
use crate::storage::{drafts, keys};
use branchpulse_core::validate::{validate, Problem, Rules, DEFAULT_MAX_AGE_DAYS};
use branchpulse_core::{Answer, Channel, Item, Locale, Questionnaire, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;
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
        let q = &setup.questionnaire;
        let now_ms = js_sys::Date::now();
        let response = Response {
            id: self.id,
            questionnaire_id: q.id.clone(),
            questionnaire_version: q.version,
            branch: setup.branch.clone(),
            device_id: config::device_id(),
            channel: Channel::Kiosk,
            locale: self.locale,
            started_at: time_of(self.started_at.min(now_ms)),
            submitted_at: time_of(now_ms),
            answers: self.answers.clone(),
            comments: BTreeMap::new(),
            visit: None,
            assignment: None,
        };
        let rules = Rules {
            now: time_of(now_ms),
            max_clock_skew: time::Duration::minutes(5),
            max_age: time::Duration::days(DEFAULT_MAX_AGE_DAYS.into()),
        };
        validate(q, &response, &rules).map(|()| response)
    }
}

/// ms since the epoch as a UTC time, to the millisecond.
fn time_of(ms: f64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Items shown for `answers`, as indexes into the flat item list.
pub fn visible_steps(q: &Questionnaire, answers: &BTreeMap<String, Answer>) -> Vec<usize> {
    q.items()
        .enumerate()
        .filter(|(_, item)| q.visible(item, answers))
        .map(|(i, _)| i)
        .collect()
}
