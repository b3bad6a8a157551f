//! Scores: each answered item on 0–100, weighted means per dimension and section.
//!
//! - rating r (1–5) → (r − 1)/4 · 100; yes → 100, no → 0, N-A → not scored;
//!   NPS n (0–10) → n/10 · 100; seconds → 100 at or under the item's target,
//!   0 over it (no target: not scored); choice → the option's own score;
//!   text → not scored; call → 100 when answered within the item's
//!   `max_rings`, else 0 (later, or not answered).
//! - A dimension's score is the weighted mean (item `weight`) of the scored,
//!   visible items of that dimension; a section's score and the overall score
//!   are the weighted means of their scored, visible items **that have a
//!   dimension** (meta items such as NPS or comments never count there).
//! - A critical item answered "no" fails a mystery-shop visit.
//!
//! Aggregates over many responses: [`csat`] (top-2-box share) and [`nps`], each
//! with its interval from [`crate::stats`].

use crate::collect;
use crate::questionnaire::{Dimension, Item, ItemKind, Questionnaire};
use crate::response::{Answer, YesNo};
use crate::stats::{self, Estimate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The scores of one response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreCard {
    /// Weighted mean over every scored item that has a dimension, 0–100;
    /// `None` if nothing scored.
    pub overall: Option<f64>,
    /// Per dimension present on some item of the questionnaire; `None` where nothing scored.
    pub dimensions: BTreeMap<Dimension, Option<f64>>,
    /// Per section id (every section); scored items with a dimension only.
    pub sections: BTreeMap<String, Option<f64>>,
    /// Ids of visible critical items answered "no", in questionnaire order.
    pub critical_failures: Vec<String>,
    /// False when any critical item failed.
    pub passed: bool,
}

/// One answer on 0–100, or `None` when it does not score (N-A, text, untargeted seconds, wrong type).
///
/// Out-of-range answers (a rating of 7, an NPS of 11) and choice scores outside
/// 0–100 do not score either: validation refuses them, and a score never
/// leaves 0–100.
pub fn item_score(item: &Item, answer: &Answer) -> Option<f64> {
    match (&item.kind, answer) {
        (ItemKind::Rating, Answer::Rating(r)) if (1..=5).contains(r) => {
            Some(f64::from(r - 1) / 4.0 * 100.0)
        }
        (ItemKind::YesNo, Answer::YesNo(yn)) => match yn {
            YesNo::Yes => Some(100.0),
            YesNo::No => Some(0.0),
            YesNo::Na => None,
        },
        (ItemKind::Nps, Answer::Nps(n)) if *n <= 10 => Some(f64::from(*n) / 10.0 * 100.0),
        (ItemKind::Seconds { target, .. }, Answer::Seconds(s)) => {
            target.map(|t| if *s <= t { 100.0 } else { 0.0 })
        }
        (
            ItemKind::Call { max_rings },
            Answer::Call {
                rings, answered, ..
            },
        ) => Some(if *answered && rings <= max_rings {
            100.0
        } else {
            0.0
        }),
        (ItemKind::Choice { options }, Answer::Choice(id)) => options
            .iter()
            .find(|o| o.id == *id)
            .and_then(|o| o.score)
            .filter(|s| (0.0..=100.0).contains(s)),
        _ => None,
    }
}

/// A running weighted mean.
#[derive(Default, Clone, Copy)]
struct Mean {
    sum: f64,
    weight: f64,
}

impl Mean {
    fn add(&mut self, score: f64, weight: f64) {
        self.sum += score * weight;
        self.weight += weight;
    }

    fn get(self) -> Option<f64> {
        // Clamped: rounding must not push a mean of 0–100 scores past either bound.
        (self.weight > 0.0).then(|| (self.sum / self.weight).clamp(0.0, 100.0))
    }
}

/// Score one response's `answers` against `q`. Hidden items (see
/// [`Questionnaire::visible`]) are ignored, answered or not; items with a
/// weight that is not a positive number do not count in any mean.
pub fn score(q: &Questionnaire, answers: &BTreeMap<String, Answer>) -> ScoreCard {
    let mut overall = Mean::default();
    let mut dimensions: BTreeMap<Dimension, Mean> = collect::map(
        q.items()
            .filter_map(|i| i.dimension)
            .map(|d| (d, Mean::default())),
    );
    let mut sections = BTreeMap::new();
    let mut critical_failures = Vec::new();
    let shown = q.shown(answers);

    for section in &q.sections {
        let mut sec = Mean::default();
        for item in &section.items {
            let Some(answer) = answers.get(&item.id) else {
                continue;
            };
            if !shown.contains(item.id.as_str()) {
                continue;
            }
            if item.critical && *answer == Answer::YesNo(YesNo::No) {
                critical_failures.push(item.id.clone());
            }
            let (Some(dim), Some(s)) = (item.dimension, item_score(item, answer)) else {
                continue;
            };
            if !(item.weight.is_finite() && item.weight > 0.0) {
                continue;
            }
            sec.add(s, item.weight);
            overall.add(s, item.weight);
            dimensions.entry(dim).or_default().add(s, item.weight);
        }
        sections.insert(section.id.clone(), sec.get());
    }

    ScoreCard {
        overall: overall.get(),
        dimensions: collect::map(dimensions.into_iter().map(|(d, m)| (d, m.get()))),
        sections,
        passed: critical_failures.is_empty(),
        critical_failures,
    }
}

/// Whether a 1–5 rating is in the top two boxes (4 or 5), as CSAT counts it.
pub fn is_top_two(rating: u8) -> bool {
    matches!(rating, 4 | 5)
}

/// The Net Promoter class of a 0–10 answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NpsClass {
    /// 9–10.
    Promoter,
    /// 7–8.
    Passive,
    /// 0–6.
    Detractor,
}

/// The class of an NPS answer: 9–10 promoter, 7–8 passive, 0–6 detractor.
/// Values above 10 (refused by validation) count as promoters.
pub fn nps_class(n: u8) -> NpsClass {
    match n {
        0..=6 => NpsClass::Detractor,
        7 | 8 => NpsClass::Passive,
        _ => NpsClass::Promoter,
    }
}

/// CSAT: the percentage (0–100) of top-2-box answers (4 or 5), with its 95%
/// Wilson interval; `None` without answers.
///
/// Which answers feed CSAT: the answers to **one** rating item across
/// responses, at most one per response — the headline CSAT uses the kiosk
/// questionnaire's overall-satisfaction rating item; any other rating item
/// has its own CSAT the same way. Do not pool several items of one response:
/// the Wilson interval assumes independent answers, and pooling would
/// overstate n. Values outside 1–5 are ignored (not counted in n).
pub fn csat<I: IntoIterator<Item = u8>>(ratings: I) -> Option<Estimate> {
    let (mut top, mut n) = (0u64, 0u64);
    for r in ratings.into_iter().filter(|r| (1..=5).contains(r)) {
        n += 1;
        top += u64::from(is_top_two(r));
    }
    stats::wilson(top, n).map(|e| Estimate {
        n: e.n,
        value: e.value * 100.0,
        low: e.low * 100.0,
        high: e.high * 100.0,
    })
}

/// NPS: % promoters − % detractors (−100..100), with its 95% adjusted-Wald
/// interval ([`stats::nps_adjusted_wald`]); `None` without answers.
/// Pass the answers (0–10) of the questionnaire's NPS item, one per response;
/// values above 10 are ignored.
pub fn nps<I: IntoIterator<Item = u8>>(scores: I) -> Option<Estimate> {
    let (mut pro, mut pas, mut det) = (0u64, 0u64, 0u64);
    for s in scores.into_iter().filter(|s| *s <= 10) {
        match nps_class(s) {
            NpsClass::Promoter => pro += 1,
            NpsClass::Passive => pas += 1,
            NpsClass::Detractor => det += 1,
        }
    }
    stats::nps_adjusted_wald(pro, pas, det)
}
