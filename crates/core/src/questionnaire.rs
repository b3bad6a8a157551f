//! Questionnaires: sections of items, each item in at most one dimension.
//!
//! Questionnaires are data files (see `questionnaires/` at the project root).
//! [`load`] parses and checks one, so a mistake in a file is reported with the
//! file, the item and the problem instead of surfacing later as a bad form.

use crate::locale::{Locale, Text};
use crate::problem::ProblemCode;
use crate::response::Answer;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod check;
mod parse;

/// Limits on a questionnaire file, far above what a real bank
/// questionnaire needs (the default kiosk has 7 items, the mystery shop
/// 40), so that an upload cannot make every response to it slow to check
/// or a device's form unusable. [`load`] refuses a file over any of them,
/// naming the limit and the place.
///
/// At most this many sections.
pub const MAX_SECTIONS: usize = 50;
/// At most this many items in the whole questionnaire.
pub const MAX_ITEMS: usize = 500;
/// At most this many options on a choice item.
pub const MAX_OPTIONS: usize = 50;
/// At most this many characters in one translation of a text (a title,
/// an item's text or help, an option's label).
pub const MAX_TEXT_CHARS: usize = 2000;
/// At most this many characters in an id (of the questionnaire, a section,
/// an item or an option): ids appear in URLs, field names and CSV headers.
pub const MAX_ID_CHARS: usize = 64;
/// At most this many `show_if` links from an item back to an item shown
/// always: a follow-up of a follow-up is 2.
pub const MAX_SHOW_IF_DEPTH: usize = 8;
/// The largest item weight.
pub const MAX_WEIGHT: f64 = 1000.0;

/// Who fills the questionnaire in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Care and attention from the staff.
    Empathy,
    /// How easy the process was.
    ProcessConvenience,
    /// Value for money.
    Value,
    /// Trust in the bank and its advice.
    Trust,
    /// The hall, signage and cleanliness (mystery shops).
    Environment,
}

impl Dimension {
    /// Every dimension, customers' first.
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

    /// The dimension's JSON name, e.g. `process_convenience`.
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

/// A questionnaire: what a kiosk or a shopper's phone asks, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Questionnaire {
    /// Its id; with `version`, what a response names.
    pub id: String,
    /// Bumped whenever items change; a response keeps the version it answered.
    pub version: u32,
    /// Kiosk or mystery shop.
    pub kind: Kind,
    /// Its title in each of its languages.
    pub title: Text,
    /// Languages this questionnaire is offered in; every text must have them.
    pub languages: Vec<Locale>,
    /// Its items, in groups, in the order they are asked.
    pub sections: Vec<Section>,
}

/// A group of items; on a mystery-shop form, a stage of the visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    /// The section's id, unique in the questionnaire.
    pub id: String,
    /// Its heading.
    pub title: Text,
    /// Its items, in order.
    pub items: Vec<Item>,
    /// The kiosk shows the section's items on one screen with one "Done",
    /// rather than one item per screen: for a closing group of optional
    /// questions, which a customer can then skip with a single tap.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub together: bool,
}

/// One question of a questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    /// The item's id, unique in the questionnaire; answers are keyed by it.
    pub id: String,
    /// `None` for meta items (comments, NPS) that do not score a dimension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Dimension>,
    /// What kind of answer it takes.
    #[serde(flatten)]
    pub kind: ItemKind,
    /// The question, in each language.
    pub text: Text,
    /// Optional help shown under the item text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// Its weight in its dimension's score (1 when absent).
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Whether a response must answer it (when it is shown).
    #[serde(default)]
    pub required: bool,
    /// A "no" on a critical item fails the whole mystery-shop visit.
    #[serde(default)]
    pub critical: bool,
    /// Shown only when another item has a given answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
    /// The words under a rating's five points (rating items only):
    /// satisfaction when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// The item offers "does not apply" ([`Answer::NotApplicable`]), which
    /// leaves it out of every score and denominator. Rating, NPS and choice
    /// items only; a yes/no item has its own `na`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_applicable: bool,
    /// The service commitment this item measures, if it is one; the
    /// dashboard's scorecard lists every commitment of the questionnaires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<Commitment>,
    /// A yes_no item may take its answer from a `call` item (its id): yes
    /// when the call was answered, no when not. The app fills it from the
    /// ring counter and validation refuses a response where the two
    /// disagree, so the call-loss rate comes from the taps too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_call: Option<String>,
}

/// A service commitment the bank publishes ("phone answered within three
/// rings"), measured by one item: an answer meets it when the item scores
/// [`Commitment::MET_SCORE`] or more, that is a yes, a time at or under the
/// item's target, a rating of 4 or 5, or a call answered within the item's
/// rings. Only those kinds of item may carry one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Commitment {
    /// What is promised, in each language, as the scorecard names it.
    pub label: Text,
    /// The share of answers (percent, 0–100) that must meet it.
    pub target: f64,
}

impl Commitment {
    /// The lowest item score (0–100) that meets a commitment.
    pub const MET_SCORE: f64 = 75.0;
}

/// What a rating's five points say, so that every question is answered in
/// its own words ("very difficult … very easy", not "very dissatisfied …
/// very satisfied" under a question about ease). The words themselves are
/// the app's translations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Very dissatisfied … very satisfied.
    #[default]
    Satisfaction,
    /// Strongly disagree … strongly agree.
    Agreement,
    /// Not at all confident … completely confident.
    Confidence,
    /// Not at all worth it … completely worth it.
    Worth,
    /// Very difficult … very easy.
    Ease,
    /// Very poor … excellent.
    Quality,
}

impl Scale {
    /// Every scale, in the order of the file format's documentation.
    pub const ALL: [Scale; 6] = [
        Scale::Satisfaction,
        Scale::Agreement,
        Scale::Confidence,
        Scale::Worth,
        Scale::Ease,
        Scale::Quality,
    ];
}

impl Item {
    /// The item's rating scale: its own, or satisfaction.
    pub fn scale(&self) -> Scale {
        self.scale.unwrap_or_default()
    }

    /// Whether `answer` is a possible answer to this item: what
    /// [`ItemKind::accepts`] accepts, or "does not apply" where the item
    /// offers it.
    pub fn accepts(&self, answer: &Answer) -> Result<(), String> {
        match answer {
            Answer::NotApplicable if self.not_applicable => Ok(()),
            Answer::NotApplicable => Err(format!(
                "\"does not apply\" is not offered by this item; expected {}",
                self.kind.expected()
            )),
            _ => self.kind.accepts(answer),
        }
    }
}

fn default_weight() -> f64 {
    1.0
}

/// The item's answer type; the JSON field `type` selects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        /// The longest duration that scores 100, in seconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<u32>,
        /// The longest duration accepted, in seconds (4 hours when absent).
        #[serde(default = "default_max_seconds")]
        max: u32,
    },
    /// One option of several; an option may carry a 0–100 score.
    Choice {
        /// The options, in the order they are shown.
        options: Vec<ChoiceOption>,
    },
    /// Free text; never scored.
    Text {
        /// The longest answer, in characters (2000 when absent).
        #[serde(default = "default_max_len")]
        max_len: u32,
    },
    /// A telephone call, counted by the shopper ring by ring: answered
    /// within `max_rings` scores 100, later or not at all scores 0.
    Call {
        /// The most rings that still score 100 (1–[`MAX_CALL_RINGS`]).
        max_rings: u8,
    },
}

/// The most rings a call answer may count: far more than anyone waits, few
/// enough that a mistyped count is caught.
pub const MAX_CALL_RINGS: u8 = 50;
/// The longest call a call answer may time, in seconds, from the first ring
/// to the answer or to hanging up.
pub const MAX_CALL_SECONDS: u32 = 600;
/// The largest `max_rings` of a call item.
pub const MAX_CALL_MAX_RINGS: u8 = 20;

impl ItemKind {
    /// The JSON `type` of the item: `rating`, `yes_no`, `nps`, `seconds`, `choice`, `text` or `call`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ItemKind::Rating => "rating",
            ItemKind::YesNo => "yes_no",
            ItemKind::Nps => "nps",
            ItemKind::Seconds { .. } => "seconds",
            ItemKind::Choice { .. } => "choice",
            ItemKind::Text { .. } => "text",
            ItemKind::Call { .. } => "call",
        }
    }

    /// Whether `answer` is a possible answer to an item of this kind: the
    /// right type and in range (rating 1–5, NPS 0–10, seconds up to `max`,
    /// one of the choice's option ids, text up to `max_len` characters).
    /// The error says what was expected and what was given, in plain words.
    pub fn accepts(&self, answer: &Answer) -> Result<(), String> {
        let wrong_type = || {
            Err(format!(
                "expected {}, got {}",
                self.expected(),
                answer.type_name()
            ))
        };
        match (self, answer) {
            (ItemKind::Rating, Answer::Rating(r)) => {
                if (1..=5).contains(r) {
                    Ok(())
                } else {
                    Err(format!("rating {r} is out of range: a rating is 1–5"))
                }
            }
            (ItemKind::YesNo, Answer::YesNo(_)) => Ok(()),
            (ItemKind::Nps, Answer::Nps(n)) => {
                if *n <= 10 {
                    Ok(())
                } else {
                    Err(format!("NPS score {n} is out of range: NPS is 0–10"))
                }
            }
            (ItemKind::Seconds { max, .. }, Answer::Seconds(s)) => {
                if s <= max {
                    Ok(())
                } else {
                    Err(format!(
                        "{s} seconds is more than this item's maximum of {max} seconds"
                    ))
                }
            }
            (ItemKind::Choice { options }, Answer::Choice(c)) => {
                if options.iter().any(|o| &o.id == c) {
                    Ok(())
                } else {
                    Err(format!(
                        "\"{c}\" is not one of the options: {}",
                        option_list(options)
                    ))
                }
            }
            (ItemKind::Text { max_len }, Answer::Text(t)) => {
                let len = t.chars().count();
                if len <= *max_len as usize {
                    Ok(())
                } else {
                    Err(format!(
                        "text is {len} characters long; at most {max_len} are allowed"
                    ))
                }
            }
            (
                ItemKind::Call { .. },
                Answer::Call {
                    rings,
                    answered,
                    seconds,
                },
            ) => {
                if *rings > MAX_CALL_RINGS {
                    Err(format!(
                        "{rings} rings is more than the {MAX_CALL_RINGS} a call may count"
                    ))
                } else if *seconds > MAX_CALL_SECONDS {
                    Err(format!(
                        "a call of {seconds} seconds is longer than the {MAX_CALL_SECONDS} seconds a call may last"
                    ))
                } else if *answered && *rings == 0 {
                    Err(
                        "the call is answered after 0 rings; an answered call rang at least once"
                            .into(),
                    )
                } else if *rings == 0 && *seconds > 0 {
                    Err(format!(
                        "the call lasted {seconds} seconds with no ring; its time counts from the first ring, so it is 0"
                    ))
                } else {
                    Ok(())
                }
            }
            _ => wrong_type(),
        }
    }

    /// What an answer to this kind of item looks like, e.g. "a rating 1–5".
    pub fn expected(&self) -> String {
        match self {
            ItemKind::Rating => "a rating 1–5".into(),
            ItemKind::YesNo => "yes_no (yes, no or na)".into(),
            ItemKind::Nps => "an NPS score 0–10".into(),
            ItemKind::Seconds { max, .. } => format!("seconds (0–{max})"),
            ItemKind::Choice { options } => format!("a choice of {}", option_list(options)),
            ItemKind::Text { max_len } => format!("text of at most {max_len} characters"),
            ItemKind::Call { .. } => format!(
                "a call (rings 0–{MAX_CALL_RINGS}, answered true or false, seconds 0–{MAX_CALL_SECONDS})"
            ),
        }
    }
}

fn option_list(options: &[ChoiceOption]) -> String {
    let ids: Vec<String> = options.iter().map(|o| format!("\"{}\"", o.id)).collect();
    ids.join(", ")
}

fn default_max_seconds() -> u32 {
    4 * 60 * 60
}

fn default_max_len() -> u32 {
    2000
}

/// One option of a `choice` item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChoiceOption {
    /// The option's id, what a `choice` answer holds.
    pub id: String,
    /// What the option says, in each language.
    pub label: Text,
    /// Its score, 0–100; an option without one does not score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// Show an item only when another item has a given answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowIf {
    /// The id of the item whose answer decides.
    pub item: String,
    /// The answer that shows the item.
    pub equals: Answer,
}

impl Questionnaire {
    /// Every item, section by section, in order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    /// The item with id `id`.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|i| i.id == id)
    }

    /// The section with id `id`.
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// The ids of the items shown for `answers`, in one pass over the items:
    /// for a loaded questionnaire, those for which [`Questionnaire::visible`]
    /// holds (an item whose show_if names a later item, which only a
    /// hand-built questionnaire can have, is hidden). Linear in the
    /// questionnaire's size, where asking `visible` of every item is not.
    pub fn shown<'q>(&'q self, answers: &BTreeMap<String, Answer>) -> BTreeSet<&'q str> {
        // Each shown item with the length of its show_if chain.
        let mut depth: BTreeMap<&str, usize> = BTreeMap::new();
        for item in self.items() {
            let d = match &item.show_if {
                None => Some(0),
                Some(cond) if answers.get(&cond.item) == Some(&cond.equals) => depth
                    .get(cond.item.as_str())
                    .map(|d| d + 1)
                    .filter(|d| *d <= MAX_SHOW_IF_DEPTH),
                Some(_) => None,
            };
            if let Some(d) = d {
                depth.entry(&item.id).or_insert(d);
            }
        }
        crate::collect::set(depth.into_keys())
    }

    /// Whether `item` is shown, given the answers so far.
    ///
    /// An item without `show_if` is always shown. An item with `show_if` is
    /// shown when the item it names is itself shown and its answer equals
    /// `show_if.equals`; so a follow-up of a hidden follow-up is hidden too.
    /// A hidden item must not be answered, and is not required.
    ///
    /// The cost is linear in the questionnaire's size: a loaded
    /// questionnaire's chains have at most [`MAX_SHOW_IF_DEPTH`] links (and
    /// no cycles, since show_if only points at earlier items); a hand-built
    /// one with a longer chain has the items beyond that depth hidden.
    pub fn visible(&self, item: &Item, answers: &BTreeMap<String, Answer>) -> bool {
        let mut current = item;
        for _ in 0..=MAX_SHOW_IF_DEPTH {
            let Some(cond) = &current.show_if else {
                return true;
            };
            if answers.get(&cond.item) != Some(&cond.equals) {
                return false;
            }
            match self.item(&cond.item) {
                Some(target) => current = target,
                None => return false,
            }
        }
        false
    }
}

/// What is wrong with a questionnaire file, naming the file and the item.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct LoadError {
    /// The file's name, as given to the loader.
    pub file: String,
    /// The item (or section) the problem is in, when it is in one.
    pub item: Option<String>,
    /// What is wrong and what would do.
    pub problem: String,
    /// Whether the file could not be read as a questionnaire or broke a
    /// rule once read: [`ProblemCode::QuestionnaireUnreadable`] or
    /// [`ProblemCode::QuestionnaireInvalid`].
    pub code: ProblemCode,
}

impl LoadError {
    /// `file: item "x": problem`, or `file: section "x": problem` for a
    /// problem with a section (whose `problem` starts with "section ").
    fn describe(&self) -> String {
        match (&self.item, self.problem.strip_prefix("section ")) {
            (Some(place), Some(rest)) => format!("{}: section \"{place}\": {rest}", self.file),
            (Some(item), None) => format!("{}: item \"{item}\": {}", self.file, self.problem),
            (None, _) => format!("{}: {}", self.file, self.problem),
        }
    }

    /// A rule broken by a file that was read.
    fn new(file: &str, item: Option<&str>, problem: impl Into<String>) -> LoadError {
        LoadError {
            file: file.to_owned(),
            item: item.map(str::to_owned),
            problem: problem.into(),
            code: ProblemCode::QuestionnaireInvalid,
        }
    }

    /// A file that is not JSON of a questionnaire's shape.
    fn unreadable(file: &str, item: Option<&str>, problem: impl Into<String>) -> LoadError {
        LoadError {
            code: ProblemCode::QuestionnaireUnreadable,
            ..LoadError::new(file, item, problem)
        }
    }
}

/// Parse a questionnaire from JSON and check it. `file` names the source in errors.
///
/// The first problem found is returned, naming the file, the item (or the
/// section, for a problem with a section) and what is wrong. Checked: JSON
/// syntax and shape (unknown values such as `"dimension": "speed"` and unknown
/// field names included), ids (non-empty, unique, letters, digits, `_`, `-`,
/// `.`), version ≥ 1, languages, a non-blank translation of every text in every
/// offered language, weights > 0, choice options, seconds targets, `critical`
/// only on yes/no items, `show_if` conditions (an earlier item, an answer
/// that item can have, not a call), call items' `max_rings`, `from_call`
/// (a yes_no item naming a call item), and the limits ([`MAX_SECTIONS`], [`MAX_ITEMS`],
/// [`MAX_OPTIONS`], [`MAX_TEXT_CHARS`], [`MAX_ID_CHARS`],
/// [`MAX_SHOW_IF_DEPTH`], [`MAX_WEIGHT`]).
///
/// Time and memory are linear in the size of `json`.
pub fn load(file: &str, json: &str) -> Result<Questionnaire, LoadError> {
    let q = parse::parse(file, json)?;
    check::check(file, &q)?;
    Ok(q)
}
