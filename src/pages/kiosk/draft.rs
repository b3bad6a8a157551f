//! The customer's answers in progress: written to localStorage on every
//! answer (`branchpulse.draft.kiosk`), so that a reload or a power cut
//! cannot lose them, and turned into a [`branchpulse_core::Response`] when
//! the customer sends them or walks away. The screens a questionnaire
//! makes ([`pages`]) are worked out from the answers, never stored.

use super::config::{self, KioskSetup};
use crate::pages::response::Finished;
use crate::storage::{drafts, keys};
use branchpulse_core::validate::Problem;
use branchpulse_core::{Answer, Channel, Item, Locale, Questionnaire, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Drafts stored by older versions carry `step` and `parked` too; serde
/// skips them, and such a draft is sent like any other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: Uuid,
    pub locale: Locale,
    /// ms since the epoch (`Date.now()`) of the first answer: the kiosk may
    /// wait on its first question for hours before someone taps.
    pub started_at: f64,
    pub answers: BTreeMap<String, Answer>,
}

impl Draft {
    pub fn new(locale: Locale) -> Draft {
        Draft {
            id: config::new_uuid(),
            locale,
            started_at: js_sys::Date::now(),
            answers: BTreeMap::new(),
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

    /// The response for `setup`, checked with the same rules as the
    /// server. `walked_away`: sent without the customer's "Send", so it is
    /// partial unless every shown required item is answered.
    pub fn to_response(
        &self,
        setup: &KioskSetup,
        walked_away: bool,
    ) -> Result<Response, Vec<Problem>> {
        let q = &setup.questionnaire;
        let partial = walked_away
            && q.items().any(|i| {
                i.required && q.visible(i, &self.answers) && !self.answers.contains_key(&i.id)
            });
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
            revises: None,
            partial,
        }
        .into_response(q, js_sys::Date::now())
    }
}

/// One screen of the questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Its place: the flat index of its first item, shown or not, so it
    /// stays the same while answers on it show or hide items.
    pub at: usize,
    /// The items shown on it, as flat indexes.
    pub items: Vec<usize>,
    /// A `together` section: all its items and one button, no auto-advance.
    pub together: bool,
    /// Its section, as an index.
    pub section: usize,
}

/// The screens for `answers`: one per shown item, one per `together`
/// section with a shown item.
pub fn pages(q: &Questionnaire, answers: &BTreeMap<String, Answer>) -> Vec<Page> {
    let mut out = Vec::new();
    let mut at = 0;
    for (n, section) in q.sections.iter().enumerate() {
        let shown = section
            .items
            .iter()
            .enumerate()
            .filter(|(_, item)| q.visible(item, answers))
            .map(|(k, _)| at + k);
        if section.together {
            let items: Vec<usize> = shown.collect();
            if !items.is_empty() {
                out.push(Page {
                    at,
                    items,
                    together: true,
                    section: n,
                });
            }
        } else {
            out.extend(shown.map(|k| Page {
                at: k,
                items: vec![k],
                together: false,
                section: n,
            }));
        }
        at += section.items.len();
    }
    out
}
