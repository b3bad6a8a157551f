//! Questionnaires: sections of items, each item in at most one dimension.
//!
//! Questionnaires are data files (see `questionnaires/` at the project root).
//! [`load`] parses and checks one, so a mistake in a file is reported with the
//! file, the item and the problem instead of surfacing later as a bad form.

use crate::locale::{Locale, Text};
use crate::response::Answer;
use serde::{Deserialize, Serialize};

/// Who fills the questionnaire in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Customers on a lobby tablet.
    Kiosk,
    /// Mystery shoppers evaluating a visit on their phone.
    MysteryShop,
}

/// An experience dimension. The four customer dimensions come first;
/// `Environment` (hall, signage, cleanliness) appears on mystery-shop forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Empathy,
    ProcessConvenience,
    Value,
    Trust,
    Environment,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Empathy,
        Dimension::ProcessConvenience,
        Dimension::Value,
        Dimension::Trust,
        Dimension::Environment,
    ];
    /// The four dimensions customers judge a branch on.
    pub const CUSTOMER: [Dimension; 4] = [
        Dimension::Empathy,
        Dimension::ProcessConvenience,
        Dimension::Value,
        Dimension::Trust,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Dimension::Empathy => "empathy",
            Dimension::ProcessConvenience => "process_convenience",
            Dimension::Value => "value",
            Dimension::Trust => "trust",
            Dimension::Environment => "environment",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub id: String,
    /// Bumped whenever items change; a response keeps the version it answered.
    pub version: u32,
    pub kind: Kind,
    pub title: Text,
    /// Languages this questionnaire is offered in; every text must have them.
    pub languages: Vec<Locale>,
    pub sections: Vec<Section>,
}

/// A group of items; on a mystery-shop form, a stage of the visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    /// `None` for meta items (comments, NPS) that do not score a dimension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Dimension>,
    #[serde(flatten)]
    pub kind: ItemKind,
    pub text: Text,
    /// Optional help shown under the item text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    #[serde(default = "default_weight")]
    pub weight: f64,
    #[serde(default)]
    pub required: bool,
    /// A "no" on a critical item fails the whole mystery-shop visit.
    #[serde(default)]
    pub critical: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
}

fn default_weight() -> f64 {
    1.0
}

/// The item's answer type; the JSON field `type` selects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    /// 1–5, shown as faces on the kiosk.
    Rating,
    /// Yes / no / not applicable.
    YesNo,
    /// Net Promoter 0–10.
    Nps,
    /// A measured duration. At or under `target` scores 100, over scores 0;
    /// without a target the item is evidence only and does not score.
    Seconds {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<u32>,
        #[serde(default = "default_max_seconds")]
        max: u32,
    },
    /// One option of several; an option may carry a 0–100 score.
    Choice { options: Vec<ChoiceOption> },
    /// Free text; never scored.
    Text {
        #[serde(default = "default_max_len")]
        max_len: u32,
    },
}

fn default_max_seconds() -> u32 {
    4 * 60 * 60
}

fn default_max_len() -> u32 {
    2000
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub id: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// Show an item only when another item has a given answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShowIf {
    pub item: String,
    pub equals: Answer,
}

impl Questionnaire {
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|i| i.id == id)
    }
}

/// What is wrong with a questionnaire file, naming the file and the item.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {}{problem}", .item.as_ref().map(|i| format!("item \"{i}\": ")).unwrap_or_default())]
pub struct LoadError {
    pub file: String,
    /// The item (or section) the problem is in, when it is in one.
    pub item: Option<String>,
    pub problem: String,
}

/// Parse a questionnaire from JSON and check it. `file` names the source in errors.
pub fn load(file: &str, json: &str) -> Result<Questionnaire, LoadError> {
    let _ = (file, json);
    todo!("helper: parse + check")
}
