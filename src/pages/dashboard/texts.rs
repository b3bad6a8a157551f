//! The questionnaires in use, kept on the device, so that the dashboard
//! names items, critical failures and commitments by their text in the
//! reader's language rather than by their ids.

use crate::storage::kept;
use branchpulse_core::scorecard::Definitions;
use branchpulse_core::{Locale, Questionnaire};
use std::sync::Arc;

/// The active questionnaires (their latest versions), cheap to clone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Texts(Arc<Vec<Questionnaire>>);

impl Texts {
    /// The questionnaires the reader may see, from the server or the kept
    /// copies; those that cannot be had are left out (their items then
    /// show their ids).
    pub async fn load() -> Texts {
        let mut out = Vec::new();
        if let Ok(list) = kept::questionnaires().await {
            for s in list {
                if let Ok(q) = kept::questionnaire(&s.id).await {
                    out.push(q);
                }
            }
        }
        Texts(Arc::new(out))
    }

    /// The questionnaires.
    pub fn all(&self) -> &[Questionnaire] {
        &self.0
    }

    /// Commitments and waiting-time target, as the server reads them.
    pub fn definitions(&self) -> Definitions {
        Definitions::of(self.0.iter())
    }

    /// An item's text: from `questionnaire` when given, else from the first
    /// questionnaire that has the item; its id when none has it.
    pub fn item(&self, questionnaire: Option<&str>, item: &str, locale: Locale) -> String {
        self.find(questionnaire, item)
            .map(|i| i.text.get(locale).to_owned())
            .unwrap_or_else(|| item.to_owned())
    }

    /// A commitment's label (else its item's text).
    pub fn commitment(&self, questionnaire: &str, item: &str, locale: Locale) -> String {
        match self.find(Some(questionnaire), item) {
            Some(i) => match &i.commitment {
                Some(c) => c.label.get(locale).to_owned(),
                None => i.text.get(locale).to_owned(),
            },
            None => item.to_owned(),
        }
    }

    fn find(&self, questionnaire: Option<&str>, item: &str) -> Option<&branchpulse_core::Item> {
        self.0
            .iter()
            .filter(|q| questionnaire.is_none_or(|id| q.id == id))
            .find_map(|q| q.item(item))
    }
}
