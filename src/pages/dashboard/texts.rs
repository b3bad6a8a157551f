//! The questionnaires in use, kept on the device, so that the dashboard
//! names items, critical failures and commitments by their text in the
//! reader's language rather than by their ids.

use crate::storage::kept;
use branchpulse_core::scorecard::{Definitions, ItemName, Names};
use branchpulse_core::{Locale, Questionnaire};
use std::sync::Arc;

/// The active questionnaires (their latest versions), and the item names
/// sent with the figures (a manager is not given the mystery-shop
/// questionnaire, only the words of the items its counted reports name);
/// cheap to clone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Texts(Arc<Vec<Questionnaire>>, Arc<Names>);

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
        Texts(Arc::new(out), Arc::default())
    }

    /// These texts, and `names` for items of questionnaires not known here.
    pub fn with_names(&self, names: &Names) -> Texts {
        if names.is_empty() {
            return self.clone();
        }
        let mut all = (*self.1).clone();
        for (q, items) in names {
            all.entry(q.clone())
                .or_default()
                .extend(items.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        Texts(self.0.clone(), Arc::new(all))
    }

    fn named(&self, questionnaire: Option<&str>, item: &str) -> Option<&ItemName> {
        self.1
            .iter()
            .filter(|(id, _)| questionnaire.is_none_or(|q| q == id.as_str()))
            .find_map(|(_, items)| items.get(item))
    }

    /// [`Texts::load`] once per page: the comment list and the drill-down
    /// both name items. A load that found nothing (offline, nothing kept
    /// yet) is tried again next time.
    pub async fn shared() -> Texts {
        thread_local! {
            static LOADED: std::cell::RefCell<Option<Texts>> = const { std::cell::RefCell::new(None) };
        }
        if let Some(t) = LOADED.with(|l| l.borrow().clone()) {
            return t;
        }
        let t = Texts::load().await;
        if !t.0.is_empty() {
            LOADED.with(|l| *l.borrow_mut() = Some(t.clone()));
        }
        t
    }

    /// Texts of these questionnaires.
    #[cfg(test)]
    pub fn of(questionnaires: Vec<Questionnaire>) -> Texts {
        Texts(Arc::new(questionnaires), Arc::default())
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
        match self.find(questionnaire, item) {
            Some(i) => i.text.get(locale).to_owned(),
            None => match self.named(questionnaire, item) {
                Some(n) => n.text.get(locale).to_owned(),
                None => item.to_owned(),
            },
        }
    }

    /// A commitment's label (else its item's text).
    pub fn commitment(&self, questionnaire: &str, item: &str, locale: Locale) -> String {
        match self.find(Some(questionnaire), item) {
            Some(i) => match &i.commitment {
                Some(c) => c.label.get(locale).to_owned(),
                None => i.text.get(locale).to_owned(),
            },
            None => match self.named(Some(questionnaire), item) {
                Some(n) => n
                    .commitment
                    .as_ref()
                    .unwrap_or(&n.text)
                    .get(locale)
                    .to_owned(),
                None => item.to_owned(),
            },
        }
    }

    /// What a comment is attached to, as the reader sees it: the text of
    /// the item, else the title of the section, with that id; `None` when
    /// neither is known here.
    pub fn label(&self, questionnaire: &str, id: &str, locale: Locale) -> Option<String> {
        let q = self.0.iter().find(|q| q.id == questionnaire)?;
        match q.item(id) {
            Some(i) => Some(i.text.get(locale).to_owned()),
            None => q.section(id).map(|s| s.title.get(locale).to_owned()),
        }
    }

    /// A questionnaire's title, if it is known here.
    pub fn title(&self, questionnaire: &str, locale: Locale) -> Option<String> {
        self.0
            .iter()
            .find(|q| q.id == questionnaire)
            .map(|q| q.title.get(locale).to_owned())
    }

    /// Where an item comes in its questionnaire, if known here.
    pub fn position(&self, questionnaire: &str, item: &str) -> Option<usize> {
        let q = self.0.iter().find(|q| q.id == questionnaire)?;
        q.items().position(|i| i.id == item)
    }

    fn find(&self, questionnaire: Option<&str>, item: &str) -> Option<&branchpulse_core::Item> {
        self.0
            .iter()
            .filter(|q| questionnaire.is_none_or(|id| q.id == id))
            .find_map(|q| q.item(item))
    }
}
