//! Scores: each answered item on 0–100, weighted means per dimension and section.

use crate::questionnaire::{Dimension, Item, Questionnaire};
use crate::response::Answer;
use std::collections::BTreeMap;

/// The scores of one response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreCard {
    /// Weighted mean over every scored item, 0–100; `None` if nothing scored.
    pub overall: Option<f64>,
    /// Per dimension present in the questionnaire; `None` where nothing scored.
    pub dimensions: BTreeMap<Dimension, Option<f64>>,
    /// Per section id.
    pub sections: BTreeMap<String, Option<f64>>,
    /// Ids of critical items answered "no".
    pub critical_failures: Vec<String>,
    /// False when any critical item failed.
    pub passed: bool,
}

/// One answer on 0–100, or `None` when it does not score (N-A, text, untargeted seconds, wrong type).
pub fn item_score(item: &Item, answer: &Answer) -> Option<f64> {
    let _ = (item, answer);
    todo!("helper")
}

pub fn score(q: &Questionnaire, answers: &BTreeMap<String, Answer>) -> ScoreCard {
    let _ = (q, answers);
    todo!("helper")
}
