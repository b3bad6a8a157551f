//! What managers came for beyond the dimension scores: the service
//! commitments, each item behind a score, waiting time by hour and
//! weekday, and the change since the previous period.
//!
//! Every figure follows the rules of [`crate::stats`]: an n and a 95%
//! interval, greyed below [`stats::MIN_N`], a flag only where the interval
//! says so.
//!
//! The sums ([`ItemSums`], [`SlotSums`]) are grown per response by
//! [`crate::aggregate::Rollup::of`] and stored by the server beside the
//! other rollups; [`Definitions`] says, from the questionnaires in use,
//! which items are commitments and what the waiting-time target is.

use crate::aggregate::{self, Figure, Filter};
use crate::collect;
use crate::protocol::Branch;
use crate::questionnaire::{Dimension, ItemKind, Kind, Questionnaire};
use crate::stats::{self, Estimate, Movement};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The sums of one scored item: its answers' scores (0–100) and, for a
/// commitment's item, how many met the commitment.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ItemSums {
    /// Scores of the answers that scored.
    pub score: stats::Moments,
    /// Answers that met the item's commitment (0 for other items).
    pub met: u64,
}

impl ItemSums {
    /// Add `other`'s sums to these.
    pub fn merge(&mut self, other: &ItemSums) {
        self.score.merge(&other.score);
        self.met += other.met;
    }
}

/// Item sums by questionnaire id, then item id.
pub type ItemMap = BTreeMap<String, BTreeMap<String, ItemSums>>;

/// Add every item of `other` to `into`.
pub fn merge_items(into: &mut ItemMap, other: &ItemMap) {
    for (q, items) in other {
        let mine = into.entry(q.clone()).or_default();
        for (item, sums) in items {
            mine.entry(item.clone()).or_default().merge(sums);
        }
    }
}

/// Hours of a week: a slot is `weekday × 24 + hour`, Monday 0:00 being 0.
pub const SLOTS: u16 = 7 * 24;

/// The slot of the week a local time falls in.
pub fn slot_of(at: time::OffsetDateTime) -> u16 {
    u16::from(at.weekday().number_days_from_monday()) * 24 + u16::from(at.hour())
}

/// Waiting times (seconds) of the visits that began in one slot of the week.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SlotSums {
    /// The waits, in seconds.
    pub wait: stats::Moments,
    /// Waits longer than the waiting-time item's target.
    pub over: u64,
}

impl SlotSums {
    /// Add `other`'s sums to these.
    pub fn merge(&mut self, other: &SlotSums) {
        self.wait.merge(&other.wait);
        self.over += other.over;
    }
}

/// One commitment as the questionnaires in use define it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentDef {
    /// The questionnaire whose item measures it.
    pub questionnaire_id: String,
    /// The item.
    pub item: String,
    /// Percent of answers that must meet it.
    pub target: f64,
}

/// An item's words, sent with the figures that name it: a manager is not
/// given the mystery-shop questionnaire (a branch must not read what the
/// next visit checks), but may read the items of reports already counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemName {
    /// The item's text, in each language of its questionnaire.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub text: crate::Text,
    /// The commitment's label, when the item measures one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<BTreeMap<String, String>>))]
    pub commitment: Option<crate::Text>,
}

/// Item names by questionnaire id, then item id.
pub type Names = BTreeMap<String, BTreeMap<String, ItemName>>;

/// What the figures need to know from the questionnaires in use.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Definitions {
    /// Every commitment, in questionnaire then item order.
    pub commitments: Vec<CommitmentDef>,
    /// The longest wait that meets the waiting-time target, in seconds: the
    /// target of the first mystery-shop questionnaire's waiting item.
    pub wait_target: Option<u32>,
    /// Every item's words; the figures copy those they name.
    pub names: Names,
}

impl Definitions {
    /// The names of `wanted` (questionnaire, item) pairs; an item given
    /// without its questionnaire (a critical failure) is looked up in all.
    pub fn names_of<'a>(
        &self,
        wanted: impl IntoIterator<Item = (Option<&'a str>, &'a str)>,
    ) -> Names {
        let mut out = Names::new();
        for (q, item) in wanted {
            let found = self
                .names
                .iter()
                .filter(|(id, _)| q.is_none_or(|q| q == id.as_str()))
                .find_map(|(id, items)| items.get(item).map(|n| (id, n)));
            if let Some((id, name)) = found {
                out.entry(id.clone())
                    .or_default()
                    .insert(item.to_owned(), name.clone());
            }
        }
        out
    }
}

impl Definitions {
    /// From the latest version of each questionnaire (older versions'
    /// answers still count: items keep their ids across versions).
    pub fn of<'a>(latest: impl IntoIterator<Item = &'a Questionnaire>) -> Definitions {
        let mut latest: Vec<&Questionnaire> = latest.into_iter().collect();
        collect::sort_by(&mut latest, |a, b| a.id.cmp(&b.id));
        let mut d = Definitions::default();
        for q in latest {
            for item in q.items() {
                d.names.entry(q.id.clone()).or_default().insert(
                    item.id.clone(),
                    ItemName {
                        text: item.text.clone(),
                        commitment: item.commitment.as_ref().map(|c| c.label.clone()),
                    },
                );
                if let Some(c) = &item.commitment {
                    d.commitments.push(CommitmentDef {
                        questionnaire_id: q.id.clone(),
                        item: item.id.clone(),
                        target: c.target,
                    });
                }
            }
            if d.wait_target.is_none() && q.kind == Kind::MysteryShop {
                d.wait_target = aggregate::wait_item(q)
                    .and_then(|id| q.item(id))
                    .and_then(|i| match i.kind {
                        ItemKind::Seconds { target, .. } => target,
                        _ => None,
                    });
            }
        }
        d
    }

    /// The (questionnaire, item) pairs whose sums the scorecard reads.
    pub fn commitment_items(&self) -> Vec<(String, String)> {
        self.commitments
            .iter()
            .map(|c| (c.questionnaire_id.clone(), c.item.clone()))
            .collect()
    }
}

/// Where a commitment's rate stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The whole interval is at or above the target.
    Met,
    /// The whole interval is below the target.
    Missed,
    /// The interval includes the target: not known yet.
    Unclear,
}

/// One commitment's rate at a branch or in the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentFigure {
    /// The questionnaire of its item.
    pub questionnaire_id: String,
    /// The item measuring it (the app names it by the commitment's label).
    pub item: String,
    /// Percent of answers that must meet it.
    pub target: f64,
    /// Percent of answers that met it, with its Wilson interval.
    pub rate: Figure,
    /// Against the target; `None` while the figure is too few or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standing: Option<Standing>,
}

/// Percent (0–100) of `k` out of `n`, with its Wilson interval.
pub fn percent(k: u64, n: u64) -> Figure {
    Figure::new(n, stats::wilson(k, n).map(|e| scaled(e, 100.0)))
}

fn scaled(e: Estimate, k: f64) -> Estimate {
    Estimate {
        n: e.n,
        value: e.value * k,
        low: e.low * k,
        high: e.high * k,
    }
}

/// The commitments' figures from summed item sums.
pub fn commitments(items: &ItemMap, defs: &Definitions) -> Vec<CommitmentFigure> {
    defs.commitments
        .iter()
        .map(|c| {
            let sums = items
                .get(&c.questionnaire_id)
                .and_then(|m| m.get(&c.item))
                .copied()
                .unwrap_or_default();
            let rate = percent(sums.met.min(sums.score.n), sums.score.n);
            let standing = rate.estimate.filter(|_| !rate.too_few).map(|e| {
                if e.low >= c.target {
                    Standing::Met
                } else if e.high < c.target {
                    Standing::Missed
                } else {
                    Standing::Unclear
                }
            });
            CommitmentFigure {
                questionnaire_id: c.questionnaire_id.clone(),
                item: c.item.clone(),
                target: c.target,
                rate,
                standing,
            }
        })
        .collect()
}

/// Waiting time of the visits that began in one hour of one weekday.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitSlot {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    /// 0–23, the branch's local time.
    pub hour: u8,
    /// Visits.
    pub n: u64,
    /// Their mean wait, seconds.
    pub mean: f64,
    /// Visits that waited longer than the target.
    pub over_target: u64,
}

/// The slots with visits, in week order.
pub fn wait_slots(slots: &BTreeMap<u16, SlotSums>) -> Vec<WaitSlot> {
    slots
        .iter()
        .filter(|(slot, _)| **slot < SLOTS)
        .filter_map(|(slot, s)| {
            Some(WaitSlot {
                weekday: (slot / 24) as u8,
                hour: (slot % 24) as u8,
                n: s.wait.n,
                mean: s.wait.mean()?,
                over_target: s.over.min(s.wait.n),
            })
        })
        .collect()
}

/// How one headline figure moved since the previous period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// The figure in the previous period.
    pub previous: Figure,
    /// Now − then, with its 95% interval ([`stats::difference`]); `None`
    /// when either period has no answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<Estimate>,
    /// Only when neither period is too few.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub movement: Option<Movement>,
}

impl Change {
    /// From `previous` to `current`.
    pub fn between(current: &Figure, previous: &Figure) -> Change {
        let difference = match (&current.estimate, &previous.estimate) {
            (Some(now), Some(then)) => Some(stats::difference(now, then)),
            _ => None,
        };
        Change {
            previous: *previous,
            movement: difference
                .filter(|_| !current.too_few && !previous.too_few)
                .map(|d| stats::movement(&d)),
            difference,
        }
    }
}

/// The headline figures' changes since the previous period of the same length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Changes {
    /// The previous period's first day.
    #[serde(with = "aggregate::iso_date")]
    pub from: time::Date,
    /// Its last day.
    #[serde(with = "aggregate::iso_date")]
    pub to: time::Date,
    /// CSAT.
    pub csat: Change,
    /// NPS.
    pub nps: Change,
    /// The overall-satisfaction question's mean.
    pub satisfaction: Change,
}

/// One item behind a score, at a branch or in the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemFigure {
    /// Its questionnaire (the app shows the item's text from it).
    pub questionnaire_id: String,
    /// The item.
    pub item: String,
    /// Its dimension, if it scores one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Dimension>,
    /// A yes/no item: `figure` is the percent of yes (Wilson); otherwise
    /// the mean score 0–100 (t-interval).
    pub yes_no: bool,
    /// A call item: the most rings that count as answered in time; `figure`
    /// is then the percent of calls answered within them (Wilson).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rings: Option<u8>,
    /// The figure, with `comparison` against the network for a branch.
    pub figure: Figure,
}

/// One branch's items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchItems {
    /// The branch's code.
    pub code: String,
    /// Its items, as [`Items::network`].
    pub items: Vec<ItemFigure>,
}

/// What `GET /api/v1/items` answers: the figures of every scored item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Items {
    /// The filter applied.
    #[cfg_attr(feature = "openapi", schema(value_type = aggregate::FilterParams))]
    pub filter: Filter,
    /// Every branch of the list together, items in questionnaire order.
    pub network: Vec<ItemFigure>,
    /// The branches the filter selects.
    pub branches: Vec<BranchItems>,
    /// The words of every item listed.
    #[serde(default)]
    pub names: Names,
    /// With `against=peers`, by format code: the items of the selected
    /// branches of that format together, what each of them is compared with.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub peers: BTreeMap<String, Vec<ItemFigure>>,
    /// How the branches' items were compared: one family, every item of
    /// every branch listed.
    #[serde(default)]
    pub flags: aggregate::Flags,
}

/// Every item of `sums`, those of the questionnaires in `latest` in their
/// order and any other after them by id.
fn item_figures(sums: &ItemMap, latest: &[&Questionnaire]) -> Vec<ItemFigure> {
    let mut out = Vec::new();
    for (qid, items) in sums {
        let q = latest.iter().find(|q| q.id == *qid);
        let position = |id: &str| {
            q.and_then(|q| q.items().position(|i| i.id == id))
                .unwrap_or(usize::MAX)
        };
        let mut ordered: Vec<(&String, &ItemSums)> = items.iter().collect();
        collect::sort_by_key(&mut ordered, |(id, _)| (position(id), (*id).clone()));
        for (id, s) in ordered {
            let item = q.and_then(|q| q.item(id));
            let yes_no = item.is_some_and(|i| i.kind == ItemKind::YesNo);
            let max_rings = item.and_then(|i| match i.kind {
                ItemKind::Call { max_rings } => Some(max_rings),
                _ => None,
            });
            let figure = if yes_no || max_rings.is_some() {
                // A yes (a call answered in time) scores 100 and anything
                // else 0, so the sum counts them.
                let yes = (s.score.sum / 100.0).round().clamp(0.0, s.score.n as f64) as u64;
                percent(yes, s.score.n)
            } else {
                Figure::new(s.score.n, stats::mean_interval(&s.score, (0.0, 100.0)))
            };
            out.push(ItemFigure {
                questionnaire_id: qid.clone(),
                item: id.clone(),
                dimension: item.and_then(|i| i.dimension),
                yes_no,
                max_rings,
                figure,
            });
        }
    }
    out
}

/// What an item's figure is computed from (see [`item_figures`]).
fn item_sample(f: &ItemFigure, s: &ItemSums) -> stats::Sample {
    if f.yes_no || f.max_rings.is_some() {
        stats::Sample::Percent {
            successes: (s.score.sum / 100.0).round().clamp(0.0, s.score.n as f64) as u64,
            n: s.score.n,
        }
    } else {
        stats::Sample::Mean(s.score)
    }
}

/// Turn item sums per branch into [`Items`]: the network is every branch
/// of the list (as in [`aggregate::aggregate`]), the filter's branches are
/// listed and compared with it, or with `against=peers` with the selected
/// branches of their format together (a branch without one is not compared).
pub fn items(
    filter: &Filter,
    branches: &[Branch],
    latest: &[&Questionnaire],
    parts: impl IntoIterator<Item = (String, ItemMap)>,
) -> Items {
    let known: BTreeMap<&str, bool> = collect::map(
        branches
            .iter()
            .map(|b| (b.code.as_str(), filter.selects(b))),
    );
    let mut network = ItemMap::new();
    let mut by_branch: BTreeMap<String, ItemMap> = BTreeMap::new();
    for (code, sums) in parts {
        let Some(&shown) = known.get(code.as_str()) else {
            continue;
        };
        merge_items(&mut network, &sums);
        if shown {
            merge_items(by_branch.entry(code).or_default(), &sums);
        }
    }
    let network = item_figures(&network, latest);
    let empty = ItemMap::new();
    let peers: BTreeMap<String, Vec<ItemFigure>> = match filter.against {
        aggregate::Reference::Network => BTreeMap::new(),
        aggregate::Reference::Peers => {
            let mut sums: BTreeMap<String, ItemMap> = BTreeMap::new();
            for b in branches.iter().filter(|b| filter.selects(b)) {
                if let Some(format) = &b.format {
                    let together = sums.entry(format.clone()).or_default();
                    merge_items(together, by_branch.get(&b.code).unwrap_or(&empty));
                }
            }
            collect::map(
                sums.iter()
                    .map(|(f, s)| (f.clone(), item_figures(s, latest))),
            )
        }
    };
    let mut listed: Vec<(&Branch, Vec<ItemFigure>)> = branches
        .iter()
        .filter(|b| filter.selects(b))
        .map(|b| {
            let items = by_branch
                .get(&b.code)
                .map(|s| item_figures(s, latest))
                .unwrap_or_default();
            (b, items)
        })
        .collect();
    // Benjamini–Hochberg over every item of every branch (see
    // aggregate's "What a flag means").
    let mut tests = Vec::new();
    for (b, items) in &listed {
        let sums = by_branch.get(&b.code).unwrap_or(&empty);
        let reference = match filter.against {
            aggregate::Reference::Network => Some(&network),
            aggregate::Reference::Peers => b.format.as_ref().and_then(|f| peers.get(f)),
        };
        for f in items {
            let net = reference.and_then(|r| {
                r.iter()
                    .find(|n| n.questionnaire_id == f.questionnaire_id && n.item == f.item)
            });
            let s = sums
                .get(&f.questionnaire_id)
                .and_then(|q| q.get(&f.item))
                .copied()
                .unwrap_or_default();
            tests.push(net.and_then(|net| f.figure.test(item_sample(f, &s), &net.figure)));
        }
    }
    let verdicts = aggregate::comparisons(&tests);
    let flags = aggregate::Flags {
        compared_with: filter.against,
        tests: tests.iter().flatten().count() as u64,
        flagged: verdicts
            .iter()
            .filter(|v| {
                matches!(
                    v,
                    Some(stats::Comparison::Better | stats::Comparison::Worse)
                )
            })
            .count() as u64,
        ..aggregate::Flags::default()
    };
    let mut verdicts = verdicts.into_iter();
    for (_, items) in &mut listed {
        for f in items {
            f.figure.comparison = verdicts.next().expect("one verdict per item");
        }
    }
    let branches = listed
        .into_iter()
        .map(|(b, items)| BranchItems {
            code: b.code.clone(),
            items,
        })
        .collect();
    let defs = Definitions::of(latest.iter().copied());
    let names = defs.names_of(
        network
            .iter()
            .map(|i| (Some(i.questionnaire_id.as_str()), i.item.as_str())),
    );
    Items {
        filter: filter.clone(),
        network,
        branches,
        names,
        peers,
        flags,
    }
}
