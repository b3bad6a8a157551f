//! Dashboard aggregates: the filter a manager chooses, the additive sums kept
//! per day and branch ([`Rollup`]), and the figures with their n and 95%
//! intervals computed from those sums ([`Aggregates`]).
//!
//! The server keeps a [`Rollup`] per (day, branch, questionnaire, channel),
//! adding [`Rollup::of`] each response once, when it is stored. A dashboard
//! request sums the rows that match a [`Filter`] per branch and ISO week
//! ([`Part`]) and [`aggregate`] turns them into [`Aggregates`]. The web app
//! does the same offline from responses on the device
//! ([`aggregate_responses`]), so both show the same figures.
//!
//! ```
//! use branchpulse_core::aggregate::Filter;
//! let f = Filter::from_query("from=2026-01-05&to=2026-03-29&channel=kiosk&branches=N01,N02").unwrap();
//! assert_eq!(f.branches, ["N01", "N02"]);
//! assert_eq!(Filter::from_query(&f.to_query()).unwrap(), f);
//! ```
//!
//! # The filter in a URL
//!
//! `GET /api/v1/aggregates?from=2026-01-05&to=2026-03-29&channel=kiosk&questionnaire=lobby&branches=N01,N02`
//!
//! | parameter | value | absent or empty |
//! |---|---|---|
//! | `from`, `to` | dates `YYYY-MM-DD`, both included; the day a response was submitted, in the device's own time zone | no bound |
//! | `channel` | `kiosk` or `mystery_shop` | both |
//! | `questionnaire` | a questionnaire id, e.g. `lobby` | all |
//! | `branches` | branch codes separated by commas: `N01,N02` | all |
//! | `region` | a region name, e.g. `North` | all; with `branches`, only those branches of that region |
//! | `format` | a format's code (peer group), e.g. `community` | all; with `branches` or `region`, only those branches of that format |
//! | `against` | `network` or `peers`: what each branch's figures are compared with | `network` |
//!
//! Unknown parameters are ignored (the app keeps other state in its URL).
//! Dates outside [`EARLIEST_DAY`]..=[`LATEST_DAY`] (2000-01-01 to 2100-12-31)
//! are refused, naming the parameter, as is a `from` after `to`: no bank
//! data lies outside, and date arithmetic near the ends of the calendar
//! would overflow.
//!
//! The trend has at most [`MAX_TREND_WEEKS`] points (five years of weeks):
//! when the filter's range is longer, it is first narrowed to the weeks
//! with data, then to its latest [`MAX_TREND_WEEKS`] weeks. The figures
//! always cover the whole range.
//!
//! # The JSON of `Aggregates`
//!
//! ```text
//! {
//!   "filter": { "from": "2026-01-05", "to": "2026-03-29", "channel": "kiosk", "branches": "N01,N02" },
//!   "network": Figures,                     // every branch of the list, for the filter's days,
//!                                           // channel and questionnaire (not only those listed)
//!   "selection": Figures,                   // the listed branches (or the region) together, not
//!                                           // compared; absent unless branches, region or format narrow
//!   "trend": [TrendPoint],                  // the network, one point per ISO week in range
//!   "branches": [ { "code": "N01", "name": "Harbour Square", "region": "North",
//!                   "figures": Figures,     // with "comparison" filled in
//!                   "format": "community",   // its peer group; absent without one
//!                   "trend": [TrendPoint] } ]   // the same weeks as the network's
//!   "peers": { "community": Figures },      // against=peers: the selected branches of each
//!                                           // format together, what their branches are compared with
//!   "flags": { "compared_with": "network" | "peers", "q": 0.05,
//!              "tests": 480, "flagged": 12 }   // comparisons made and flagged (see below)
//!   "channels": [Aggregates]                // without a channel: the kiosk's answer, then the
//!                                           // mystery shop's, flagged as one family
//! }
//! Figures = {
//!   "n": 412,                               // responses
//!   "too_few": false,                       // n < 30
//!   "completed": 380,                       // responses answered to the end (not partial)
//!   "completion": Figure,                   // % of the n responses completed, 0–100 (Wilson)
//!   "overall": Figure,                      // overall score 0–100
//!   "dimensions": { "empathy": Figure, "process_convenience": Figure, "value": Figure,
//!                   "trust": Figure, "environment": Figure },   // always all five; 0–100
//!   "csat": Figure,                         // % top-2-box, 0–100 (Wilson interval)
//!   "nps": Figure,                          // −100..100 (adjusted-Wald interval)
//!   "mystery": { "visits": 9,
//!                "score": Figure,           // overall visit score 0–100
//!                "pass_rate": Figure,       // % of visits without a critical failure
//!                "critical_failures": [ { "item": "privacy_respected", "count": 2, "n": 9 } ] },
//!   "wait": { "n": 9, "too_few": true, "median": 240.0, "p90": 610.5,   // seconds; null when n = 0
//!             "histogram": [ { "from": 0, "to": 60, "count": 1 }, …, { "from": 1800, "to": null, "count": 0 } ],
//!             "target": 600,                // the waiting item's target, seconds; absent without one
//!             "within_target": Figure,      // % of visits waiting <= target (Wilson)
//!             "slots": [ { "weekday": 2, "hour": 12, "n": 4, "mean": 930.0, "over_target": 3 } ] },
//!                                           // by the weekday (0 = Monday) and local hour the visit
//!                                           // began; only slots with visits; absent when none
//!   "satisfaction": Figure,                 // the overall-satisfaction question's mean, 1–5 (t-interval)
//!   "commitments": [ { "questionnaire_id": "branch_visit", "item": "phone_rings_seconds",
//!                      "target": 80.0,      // % of answers that must meet it
//!                      "rate": Figure,      // % that met it (Wilson)
//!                      "standing": "met" | "missed" | "unclear" } ],   // absent while too few
//!   "change": { "from": "2025-10-13", "to": "2026-01-04",   // the previous period of the same
//!               "csat": Change, "nps": Change, "satisfaction": Change }   // length; only when the
//!                                           // filter has from and to
//! }
//! Change = { "previous": Figure,            // the figure in the previous period
//!            "difference": Estimate,        // now − then, 95% interval (MOVER); absent if either has n = 0
//!            "movement": "up" | "down" | "steady" }   // absent when either is too few
//! Figure = { "n": 412, "too_few": false,
//!            "estimate": { "n": 412, "value": 71.2, "low": 68.9, "high": 73.5 } | null,   // null when n = 0
//!            "comparison": "better" | "worse" | "indistinguishable" }   // branches only, and only
//!                                                // when neither side is too few; absent otherwise
//! ```
//!
//! # What a flag means
//!
//! Each branch figure compared (overall, completion, the dimensions, CSAT,
//! satisfaction, NPS, visit score and pass rate) is tested against its
//! reference, the network's figure or, with `against=peers`, the figure of
//! the selected branches of its format (a branch without a format is then
//! not compared): the test its own 95 % interval inverts
//! ([`stats::Sample::test`]), so one comparison alone is flagged exactly when
//! the interval leaves the reference out. Every p-value of the answer then
//! goes through Benjamini–Hochberg at q = 5 % ([`crate::fdr`]): `better` and
//! `worse` are the rejected ones, and among all flags shown at most 5 % are
//! expected false, with 12 branches or with 500. A figure too few on either
//! side is not tested.
//!
//! The family is what one screen shows. Without a channel in the filter the
//! dashboard shows the kiosk's and the mystery shop's figures side by side
//! (never added together), so the answer's `channels` hold each channel's
//! answer apart and all their comparisons are one family
//! ([`aggregate_channels`]): each channel's `flags` counts the tests and
//! flags of both. With a channel, that channel is the family.
//!
//! ```text
//! TrendPoint = { "week": "2026-W02", "start": "2026-01-05", "n": 37,
//!                "overall": { "n": 37, "mean": 70.1 } | null,
//!                "dimensions": { "empathy": { "n": 37, "mean": 72.5 }, … } }   // only those with answers
//! ```
//!
//! `Items` (`GET /api/v1/items?<filter>`, [`scorecard::Items`]), the items behind the scores:
//!
//! ```text
//! { "filter": { … },
//!   "network": [ItemFigure],                // every scored item answered, questionnaire order
//!   "branches": [ { "code": "N01", "items": [ItemFigure] } ] }   // "comparison" filled in
//! ItemFigure = { "questionnaire_id": "branch_visit", "item": "greeted_on_arrival",
//!                "dimension": "empathy",    // absent for an item outside the dimensions
//!                "yes_no": true,            // figure: % yes (Wilson); else mean score 0–100
//!                "max_rings": 3,            // a call item: % answered within 3 rings (Wilson)
//!                "figure": Figure }
//! ```
//!
//! `Comment` (`GET /api/v1/comments?<filter>&q=<search>&limit=<per branch>`), a JSON array, newest first:
//!
//! ```text
//! { "response_id": "…uuid…", "branch": "N01", "questionnaire_id": "lobby", "channel": "kiosk",
//!   "submitted_at": "2026-03-01T10:15:00+08:00", "item": "comment", "text": "…" }
//! ```

use crate::collect;
use crate::problem::ProblemCode;
use crate::protocol::{Branch, Format};
use crate::questionnaire::{Dimension, ItemKind, Questionnaire};
use crate::response::{Answer, Channel, Response};
use crate::score::{self, NpsClass};
use crate::scorecard::{
    self, Change, Changes, CommitmentFigure, Definitions, ItemMap, SlotSums, WaitSlot,
};
use crate::stats::{self, Comparison, Estimate, Moments, Sample, Test};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub(crate) use crate::day::iso as iso_date;

/// The part of the network and time a dashboard looks at.
///
/// Serialized as its URL query parameters (see the module docs), so the same
/// form goes into the app's URL, the server's `Query` extractor and JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "FilterParams", into = "FilterParams")]
pub struct Filter {
    /// First day included.
    pub from: Option<Date>,
    /// Last day included.
    pub to: Option<Date>,
    /// Kiosk or mystery shop; `None` for both (their figures are still kept apart).
    pub channel: Option<Channel>,
    /// A questionnaire id.
    pub questionnaire: Option<String>,
    /// Branch codes; empty means every branch.
    pub branches: Vec<String>,
    /// Only the branches of this region.
    pub region: Option<String>,
    /// Only the branches of this format (peer group), by its code.
    pub format: Option<String>,
    /// What each branch is compared with.
    pub against: Reference,
}

/// What each branch's figures are compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// Every branch of the list together.
    #[default]
    Network,
    /// The selected branches of the branch's format.
    Peers,
}

impl Reference {
    /// `network` or `peers`, as in URLs.
    pub fn label(self) -> &'static str {
        match self {
            Reference::Network => "network",
            Reference::Peers => "peers",
        }
    }
}

/// A filter value that cannot be used; the message names the parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("{param}: \"{value}\" is not a date; use YYYY-MM-DD, e.g. 2026-03-31")]
    /// A date parameter is not `YYYY-MM-DD`.
    BadDate {
        /// `from` or `to`.
        param: &'static str,
        /// What was given.
        value: String,
    },
    /// `channel` is neither `kiosk` nor `mystery_shop`.
    #[error("channel: \"{0}\" is not a channel; use kiosk or mystery_shop")]
    BadChannel(String),
    #[error(
        "{param}: {value} is outside the dates the dashboard covers ({} to {}); choose a date in that range",
        format_date(EARLIEST_DAY),
        format_date(LATEST_DAY)
    )]
    /// A date is outside [`EARLIEST_DAY`] to [`LATEST_DAY`].
    OutOfRange {
        /// `from` or `to`.
        param: &'static str,
        /// What was given.
        value: String,
    },
    #[error("from: {from} is after to ({to}): the date range is empty")]
    /// `from` is after `to`.
    EmptyRange {
        /// The first day asked for.
        from: String,
        /// The last day asked for.
        to: String,
    },
    /// `region` names no branch's region.
    #[error("region: no branch is in region \"{0}\"")]
    UnknownRegion(String),
    /// `format` names no format of the list.
    #[error("format: no format \"{0}\"; GET /api/v1/formats lists them")]
    UnknownFormat(String),
    /// `against` is neither `network` nor `peers`.
    #[error("against: \"{0}\" is not what branches are compared with; use network or peers")]
    BadAgainst(String),
    /// `branches` names a code that is not a branch.
    #[error("branches: unknown branch code \"{0}\"")]
    UnknownBranch(String),
    /// `limit` is not a whole number in range.
    #[error("limit: \"{0}\" is not a whole number from 1 to {max}", max = MAX_COMMENTS)]
    BadLimit(String),
    /// `by` is neither `time` nor `score`.
    #[error("by: \"{0}\" is not an order of comments; use time or score")]
    BadOrder(String),
    /// The comment search holds a control character.
    #[error("q: {0}")]
    BadSearch(String),
    /// The comment search is longer than [`MAX_SEARCH_CHARS`].
    #[error("q: is {0} characters long; search for at most {MAX_SEARCH_CHARS}")]
    SearchTooLong(usize),
    /// The query string is not URL-encoded parameters.
    #[error("the query string cannot be read: {0}")]
    Malformed(String),
}

impl FilterError {
    /// What is wrong, by name.
    pub fn code(&self) -> ProblemCode {
        match self {
            FilterError::BadDate { .. } => ProblemCode::BadDate,
            FilterError::BadChannel(_) => ProblemCode::BadChannel,
            FilterError::BadAgainst(_) => ProblemCode::BadAgainst,
            FilterError::OutOfRange { .. } => ProblemCode::DateOutOfRange,
            FilterError::EmptyRange { .. } => ProblemCode::EmptyDateRange,
            FilterError::UnknownRegion(_) => ProblemCode::UnknownRegion,
            FilterError::UnknownFormat(_) => ProblemCode::UnknownFormat,
            FilterError::UnknownBranch(_) => ProblemCode::UnknownBranch,
            FilterError::BadLimit(_) => ProblemCode::BadLimit,
            FilterError::BadOrder(_) => ProblemCode::BadQuery,
            FilterError::BadSearch(_) => ProblemCode::ControlCharacters,
            FilterError::SearchTooLong(_) => ProblemCode::SearchTooLong,
            FilterError::Malformed(_) => ProblemCode::BadQuery,
        }
    }

    /// The parameter at fault; `None` when the query string as a whole
    /// cannot be read.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            FilterError::BadDate { param, .. } | FilterError::OutOfRange { param, .. } => {
                Some(param)
            }
            FilterError::BadChannel(_) => Some("channel"),
            FilterError::BadAgainst(_) => Some("against"),
            FilterError::EmptyRange { .. } => Some("from"),
            FilterError::UnknownRegion(_) => Some("region"),
            FilterError::UnknownFormat(_) => Some("format"),
            FilterError::UnknownBranch(_) => Some("branches"),
            FilterError::BadLimit(_) => Some("limit"),
            FilterError::BadOrder(_) => Some("by"),
            FilterError::BadSearch(_) | FilterError::SearchTooLong(_) => Some("q"),
            FilterError::Malformed(_) => None,
        }
    }
}

/// Longest comment search (`q=`), in characters: a search is a few words.
pub const MAX_SEARCH_CHARS: usize = 200;

fn search(q: Option<String>) -> Result<Option<String>, FilterError> {
    let Some(q) = given(q) else { return Ok(None) };
    crate::text::check_plain("q", &q).map_err(|e| FilterError::BadSearch(e.reason()))?;
    let n = q.chars().count();
    if n > MAX_SEARCH_CHARS {
        return Err(FilterError::SearchTooLong(n));
    }
    Ok(Some(q))
}

/// The URL form of a [`Filter`]: every parameter as text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct FilterParams {
    /// First day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `kiosk` or `mystery_shop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// A questionnaire id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questionnaire: Option<String>,
    /// Comma-separated codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branches: Option<String>,
    /// A region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A format's code (peer group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `network` (the default) or `peers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<String>,
}

/// `Some(trimmed)` unless absent or blank.
fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The first and last days a filter may name. Wide enough for any bank's
/// data (and the app's defaults), far enough from the ends of the calendar
/// that a week or a day either side of any filter date still exists.
pub const EARLIEST_DAY: Date = time::macros::date!(2000 - 01 - 01);
/// See [`EARLIEST_DAY`].
pub const LATEST_DAY: Date = time::macros::date!(2100 - 12 - 31);

/// The most points a trend has: five years of weeks (see the module docs).
pub const MAX_TREND_WEEKS: usize = 261;

fn parse_date(param: &'static str, value: Option<String>) -> Result<Option<Date>, FilterError> {
    let Some(value) = given(value) else {
        return Ok(None);
    };
    let date = crate::day::parse(&value).ok_or_else(|| FilterError::BadDate {
        param,
        value: value.clone(),
    })?;
    if !(EARLIEST_DAY..=LATEST_DAY).contains(&date) {
        return Err(FilterError::OutOfRange { param, value });
    }
    Ok(Some(date))
}

fn format_date(date: Date) -> String {
    crate::day::format(date)
}

impl TryFrom<FilterParams> for Filter {
    type Error = FilterError;

    fn try_from(p: FilterParams) -> Result<Filter, FilterError> {
        let from = parse_date("from", p.from)?;
        let to = parse_date("to", p.to)?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(FilterError::EmptyRange {
                    from: format_date(from),
                    to: format_date(to),
                });
            }
        }
        let channel = match given(p.channel).as_deref() {
            None => None,
            Some("kiosk") => Some(Channel::Kiosk),
            Some("mystery_shop") => Some(Channel::MysteryShop),
            Some(other) => return Err(FilterError::BadChannel(other.to_owned())),
        };
        let against = match given(p.against).as_deref() {
            None | Some("network") => Reference::Network,
            Some("peers") => Reference::Peers,
            Some(other) => return Err(FilterError::BadAgainst(other.to_owned())),
        };
        let mut branches: Vec<String> = Vec::new();
        for code in p.branches.as_deref().unwrap_or_default().split(',') {
            let code = code.trim();
            if !code.is_empty() && !branches.iter().any(|b| b == code) {
                branches.push(code.to_owned());
            }
        }
        Ok(Filter {
            from,
            to,
            channel,
            questionnaire: given(p.questionnaire),
            branches,
            region: given(p.region),
            format: given(p.format),
            against,
        })
    }
}

impl From<Filter> for FilterParams {
    fn from(f: Filter) -> FilterParams {
        FilterParams {
            from: f.from.map(format_date),
            to: f.to.map(format_date),
            channel: f.channel.map(|c| channel_label(c).to_owned()),
            questionnaire: f.questionnaire,
            branches: (!f.branches.is_empty()).then(|| f.branches.join(",")),
            region: f.region,
            format: f.format,
            against: (f.against != Reference::Network).then(|| f.against.label().to_owned()),
        }
    }
}

/// `kiosk` or `mystery_shop`, as in URLs, JSON and the database.
pub fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Kiosk => "kiosk",
        Channel::MysteryShop => "mystery_shop",
    }
}

impl Filter {
    /// Read a URL query string (without the `?`), as the server does.
    pub fn from_query(query: &str) -> Result<Filter, FilterError> {
        let params: FilterParams =
            serde_urlencoded::from_str(query).map_err(|e| FilterError::Malformed(e.to_string()))?;
        Filter::try_from(params)
    }

    /// The URL query string (without the `?`); empty for the empty filter.
    pub fn to_query(&self) -> String {
        serde_urlencoded::to_string(FilterParams::from(self.clone()))
            .expect("text parameters always encode")
    }

    /// Check the branch codes, the region and the format against the
    /// known branches and formats (a format without branches is known: it
    /// selects none).
    pub fn check(&self, branches: &[Branch], formats: &[Format]) -> Result<(), FilterError> {
        if let Some(format) = &self.format {
            if !formats.iter().any(|f| &f.code == format) {
                return Err(FilterError::UnknownFormat(format.clone()));
            }
        }
        if let Some(region) = &self.region {
            if !branches.iter().any(|b| &b.region == region) {
                return Err(FilterError::UnknownRegion(region.clone()));
            }
        }
        for code in &self.branches {
            if !branches.iter().any(|b| &b.code == code) {
                return Err(FilterError::UnknownBranch(code.clone()));
            }
        }
        Ok(())
    }

    /// The period of the same length just before this one (same
    /// branches, channel and questionnaire): `None` unless both `from` and
    /// `to` are given, or when it would start before [`EARLIEST_DAY`].
    pub fn previous(&self) -> Option<Filter> {
        let (from, to) = (self.from?, self.to?);
        let days = (to - from).whole_days() + 1;
        let before_to = from.previous_day()?;
        let before_from = from.checked_sub(time::Duration::days(days))?;
        (before_from >= EARLIEST_DAY).then(|| Filter {
            from: Some(before_from),
            to: Some(before_to),
            ..self.clone()
        })
    }

    /// Whether the filter takes in `branch` (by the branch list, the region
    /// and the format): the one place the selection is decided, for every
    /// answer that lists branches.
    pub fn selects(&self, branch: &Branch) -> bool {
        (self.branches.is_empty() || self.branches.contains(&branch.code))
            && self.region.as_ref().is_none_or(|r| &branch.region == r)
            && self
                .format
                .as_ref()
                .is_none_or(|f| branch.format.as_ref() == Some(f))
    }

    /// Whether branches, a region or a format narrow the network.
    pub fn narrows(&self) -> bool {
        !self.branches.is_empty() || self.region.is_some() || self.format.is_some()
    }

    /// Whether a day's figures of one questionnaire and channel are in range.
    /// The branch is checked by [`Filter::selects`].
    pub fn takes(&self, day: Date, questionnaire_id: &str, channel: Channel) -> bool {
        self.from.is_none_or(|f| day >= f)
            && self.to.is_none_or(|t| day <= t)
            && self.channel.is_none_or(|c| c == channel)
            && self
                .questionnaire
                .as_ref()
                .is_none_or(|q| q == questionnaire_id)
    }
}

/// The day a response counts for: its submission date in the device's own
/// offset (the branch's local day), the same on the server and the device.
pub fn day_of(response: &Response) -> Date {
    response.submitted_at.date()
}

/// The Monday starting `day`'s ISO week. Never panics: in the first days
/// of the calendar, whose Monday cannot be represented, it is the first
/// representable day.
pub fn week_start(day: Date) -> Date {
    let back = i64::from(day.weekday().number_days_from_monday());
    day.checked_sub(time::Duration::days(back))
        .unwrap_or(Date::MIN)
}

/// `2026-W02`: the ISO year and week of `day`.
pub fn week_label(day: Date) -> String {
    let (year, week, _) = day.to_iso_week_date();
    format!("{year}-W{week:02}")
}

/// Counts of NPS answers by class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NpsCounts {
    /// Answers of 9 or 10.
    pub promoters: u64,
    /// Answers of 7 or 8.
    pub passives: u64,
    /// Answers of 0 to 6.
    pub detractors: u64,
}

/// Additive sums of responses: what the server keeps per (day, branch,
/// questionnaire, channel) and adds up for a filter. Every field adds
/// ([`Rollup::merge`]), so any set of rows sums to the rollup of their responses.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Rollup {
    /// Responses.
    pub n: u64,
    /// Responses answered to the end (not `partial`): the numerator of the
    /// completion rate. Every answered item of a partial response still
    /// counts in the other sums.
    #[serde(default)]
    pub completed: u64,
    /// Overall scores (0–100) of responses that scored.
    pub overall: Moments,
    /// Dimension scores (0–100) per response; a dimension without a score
    /// in a response does not count there.
    pub dimensions: BTreeMap<Dimension, Moments>,
    /// Answers to the CSAT item ([`csat_item`]) and how many were 4 or 5.
    pub csat_n: u64,
    /// CSAT answers of 4 or 5.
    pub csat_top: u64,
    /// Answers to the NPS item ([`nps_item`]).
    pub nps: NpsCounts,
    /// Mystery-shop visits, and those without a critical failure.
    pub visits: u64,
    /// Visits without a critical failure.
    pub passes: u64,
    /// Overall scores of mystery-shop visits.
    pub visit_score: Moments,
    /// Critical failures by item id.
    pub critical: BTreeMap<String, u64>,
    /// Waiting times ([`wait_item`]) of visits: seconds → how many visits.
    pub wait: BTreeMap<u32, u64>,
    /// Answers (1–5) to the overall-satisfaction question ([`csat_item`]).
    #[serde(default)]
    pub satisfaction: Moments,
    /// Every scored item's sums (the drill-down, and the scorecard's
    /// commitments).
    #[serde(default)]
    pub items: ItemMap,
    /// Visits' waiting times by the slot of the week they began in
    /// ([`scorecard::slot_of`]).
    #[serde(default)]
    pub wait_slots: BTreeMap<u16, SlotSums>,
}

/// The item whose 1–5 answers make CSAT: the first rating item without a
/// dimension (the kiosk's overall satisfaction).
pub fn csat_item(q: &Questionnaire) -> Option<&str> {
    q.items()
        .find(|i| i.kind == ItemKind::Rating && i.dimension.is_none())
        .map(|i| i.id.as_str())
}

/// The first NPS item.
pub fn nps_item(q: &Questionnaire) -> Option<&str> {
    q.items()
        .find(|i| i.kind == ItemKind::Nps)
        .map(|i| i.id.as_str())
}

/// The item that measures a visit's waiting time: the first seconds item of
/// the section `waiting`.
pub fn wait_item(q: &Questionnaire) -> Option<&str> {
    q.sections
        .iter()
        .filter(|s| s.id == WAITING_SECTION)
        .flat_map(|s| &s.items)
        .find(|i| matches!(i.kind, ItemKind::Seconds { .. }))
        .map(|i| i.id.as_str())
}

/// The id of the mystery-shop section that holds the waiting-time item.
pub const WAITING_SECTION: &str = "waiting";

impl Rollup {
    /// One response's contribution, scored with `q` (the questionnaire
    /// version the response answered).
    pub fn of(q: &Questionnaire, response: &Response) -> Rollup {
        let card = score::score(q, &response.answers);
        let mut r = Rollup {
            n: 1,
            completed: u64::from(!response.partial),
            ..Rollup::default()
        };
        if let Some(s) = card.overall {
            r.overall.add(s);
        }
        for (dim, s) in &card.dimensions {
            if let Some(s) = s {
                r.dimensions.entry(*dim).or_default().add(*s);
            }
        }
        let shown = q.shown(&response.answers);
        let visible = |id: &str| shown.contains(id);
        if let Some(id) = csat_item(q).filter(|id| visible(id)) {
            if let Some(Answer::Rating(x)) = response.answers.get(id) {
                if (1..=5).contains(x) {
                    r.csat_n = 1;
                    r.csat_top = u64::from(score::is_top_two(*x));
                    r.satisfaction.add(f64::from(*x));
                }
            }
        }
        for item in q.items().filter(|i| visible(&i.id)) {
            let Some(s) = response
                .answers
                .get(&item.id)
                .and_then(|a| score::item_score(item, a))
            else {
                continue;
            };
            let sums = r
                .items
                .entry(q.id.clone())
                .or_default()
                .entry(item.id.clone())
                .or_default();
            sums.score.add(s);
            if item.commitment.is_some() && s >= crate::questionnaire::Commitment::MET_SCORE {
                sums.met += 1;
            }
        }
        if let Some(id) = nps_item(q).filter(|id| visible(id)) {
            if let Some(Answer::Nps(x)) = response.answers.get(id) {
                if *x <= 10 {
                    match score::nps_class(*x) {
                        NpsClass::Promoter => r.nps.promoters = 1,
                        NpsClass::Passive => r.nps.passives = 1,
                        NpsClass::Detractor => r.nps.detractors = 1,
                    }
                }
            }
        }
        if response.channel == Channel::MysteryShop {
            r.visits = 1;
            r.passes = u64::from(card.passed);
            if let Some(s) = card.overall {
                r.visit_score.add(s);
            }
            for item in card.critical_failures {
                *r.critical.entry(item).or_default() += 1;
            }
            if let Some(id) = wait_item(q).filter(|id| visible(id)) {
                if let Some(Answer::Seconds(s)) = response.answers.get(id) {
                    r.wait.insert(*s, 1);
                    // The hour the visit began, in the branch's local time.
                    let began = response
                        .visit
                        .as_ref()
                        .and_then(|v| v.arrived_at.or(v.queue_joined_at))
                        .unwrap_or(response.submitted_at);
                    let target = match q.item(id).map(|i| &i.kind) {
                        Some(ItemKind::Seconds { target, .. }) => *target,
                        _ => None,
                    };
                    let slot = r.wait_slots.entry(scorecard::slot_of(began)).or_default();
                    slot.wait.add(f64::from(*s));
                    slot.over = u64::from(target.is_some_and(|t| *s > t));
                }
            }
        }
        r
    }

    /// Add `other`'s sums to these.
    pub fn merge(&mut self, other: &Rollup) {
        self.n += other.n;
        self.completed += other.completed;
        self.overall.merge(&other.overall);
        for (dim, m) in &other.dimensions {
            self.dimensions.entry(*dim).or_default().merge(m);
        }
        self.csat_n += other.csat_n;
        self.csat_top += other.csat_top;
        self.nps.promoters += other.nps.promoters;
        self.nps.passives += other.nps.passives;
        self.nps.detractors += other.nps.detractors;
        self.visits += other.visits;
        self.passes += other.passes;
        self.visit_score.merge(&other.visit_score);
        for (item, c) in &other.critical {
            *self.critical.entry(item.clone()).or_default() += c;
        }
        for (s, c) in &other.wait {
            *self.wait.entry(*s).or_default() += c;
        }
        self.satisfaction.merge(&other.satisfaction);
        scorecard::merge_items(&mut self.items, &other.items);
        for (slot, sums) in &other.wait_slots {
            self.wait_slots.entry(*slot).or_default().merge(sums);
        }
    }
}

/// The sums of one branch over one ISO week (or any part of it the filter keeps).
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The branch's code.
    pub branch: String,
    /// The Monday of the week ([`week_start`]).
    pub week: Date,
    /// The branch's sums for the week.
    pub rollup: Rollup,
}

/// One figure with its n and 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    /// Answers the figure is on.
    pub n: u64,
    /// `n < 30`: shown greyed as "too few responses", never flagged.
    pub too_few: bool,
    /// `None` when `n == 0`.
    pub estimate: Option<Estimate>,
    /// A branch against its reference (the network or its peers), flagged
    /// with the false-discovery rate held across the whole answer (see "What
    /// a flag means"): only when neither is too few.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
}

impl Figure {
    /// A figure on no answers.
    pub(crate) fn none() -> Figure {
        Figure::new(0, None)
    }

    pub(crate) fn new(n: u64, estimate: Option<Estimate>) -> Figure {
        Figure {
            n,
            too_few: stats::too_few(n),
            estimate,
            comparison: None,
        }
    }

    /// The test of this figure, computed from `sample`, against
    /// `reference`; `None` where either is too few or empty, as such a
    /// figure is never flagged.
    pub(crate) fn test(&self, sample: Sample, reference: &Figure) -> Option<Test> {
        match (&self.estimate, &reference.estimate) {
            (Some(_), Some(r)) if !self.too_few && !reference.too_few => sample.test(r.value),
            _ => None,
        }
    }
}

/// The comparison of each test given (see "What a flag means"):
/// Benjamini–Hochberg over all of them at once, `None` where there is no
/// test (a figure too few on either side).
pub fn comparisons(tests: &[Option<Test>]) -> Vec<Option<Comparison>> {
    let p: Vec<f64> = tests.iter().flatten().map(|t| t.p).collect();
    let mut rejected = crate::fdr::rejected(&p).into_iter();
    tests
        .iter()
        .map(|t| {
            let t = t.as_ref()?;
            let flagged = rejected.next().expect("one verdict per test");
            Some(match (flagged, t.above) {
                (false, _) => Comparison::Indistinguishable,
                (true, true) => Comparison::Better,
                (true, false) => Comparison::Worse,
            })
        })
        .collect()
}

/// The figures of [`Figures`] a branch is compared on.
#[derive(Debug, Clone, Copy)]
enum Compared {
    Overall,
    Completion,
    Dimension(Dimension),
    Csat,
    Satisfaction,
    Nps,
    VisitScore,
    PassRate,
}

impl Compared {
    fn all() -> impl Iterator<Item = Compared> {
        [Compared::Overall, Compared::Completion]
            .into_iter()
            .chain(Dimension::ALL.iter().map(|d| Compared::Dimension(*d)))
            .chain([
                Compared::Csat,
                Compared::Satisfaction,
                Compared::Nps,
                Compared::VisitScore,
                Compared::PassRate,
            ])
    }

    fn of(self, f: &Figures) -> Figure {
        match self {
            Compared::Overall => f.overall,
            Compared::Completion => f.completion,
            Compared::Dimension(d) => f.dimensions.get(&d).copied().unwrap_or_else(Figure::none),
            Compared::Csat => f.csat,
            Compared::Satisfaction => f.satisfaction,
            Compared::Nps => f.nps,
            Compared::VisitScore => f.mystery.score,
            Compared::PassRate => f.mystery.pass_rate,
        }
    }

    fn of_mut(self, f: &mut Figures) -> &mut Figure {
        match self {
            Compared::Overall => &mut f.overall,
            Compared::Completion => &mut f.completion,
            Compared::Dimension(d) => f.dimensions.entry(d).or_insert_with(Figure::none),
            Compared::Csat => &mut f.csat,
            Compared::Satisfaction => &mut f.satisfaction,
            Compared::Nps => &mut f.nps,
            Compared::VisitScore => &mut f.mystery.score,
            Compared::PassRate => &mut f.mystery.pass_rate,
        }
    }

    /// What the figure of `r` is computed from.
    fn sample(self, r: &Rollup) -> Sample {
        match self {
            Compared::Overall => Sample::Mean(r.overall),
            Compared::Completion => Sample::Percent {
                successes: r.completed,
                n: r.n,
            },
            Compared::Dimension(d) => {
                Sample::Mean(r.dimensions.get(&d).copied().unwrap_or_default())
            }
            Compared::Csat => Sample::Percent {
                successes: r.csat_top,
                n: r.csat_n,
            },
            Compared::Satisfaction => Sample::Mean(r.satisfaction),
            Compared::Nps => Sample::Nps {
                promoters: r.nps.promoters,
                passives: r.nps.passives,
                detractors: r.nps.detractors,
            },
            Compared::VisitScore => Sample::Mean(r.visit_score),
            Compared::PassRate => Sample::Percent {
                successes: r.passes,
                n: r.visits,
            },
        }
    }
}

/// What branch `b` of `a` is compared with, if anything.
fn reference_of<'a>(a: &'a Aggregates, b: &BranchFigures) -> Option<&'a Figures> {
    match a.flags.compared_with {
        Reference::Network => Some(&a.network),
        Reference::Peers => b.format.as_ref().and_then(|f| a.peers.get(f)),
    }
}

/// Flag every compared figure of the branches of all `answers` (each with
/// its branches' sums, in its branch order) in one go: one
/// Benjamini–Hochberg family, whose size and flags each answer's
/// [`Flags`] then give.
fn flag_together(answers: &mut [(&mut Aggregates, Vec<Rollup>)]) {
    let mut tests = Vec::new();
    for (a, sums) in answers.iter() {
        for (b, sums) in a.branches.iter().zip(sums) {
            let reference = reference_of(a, b);
            for c in Compared::all() {
                tests.push(reference.and_then(|r| c.of(&b.figures).test(c.sample(sums), &c.of(r))));
            }
        }
    }
    let verdicts = comparisons(&tests);
    let flagged = verdicts
        .iter()
        .filter(|v| matches!(v, Some(Comparison::Better | Comparison::Worse)))
        .count() as u64;
    let tested = tests.iter().flatten().count() as u64;
    let mut each = verdicts.into_iter();
    for (a, _) in answers.iter_mut() {
        for b in &mut a.branches {
            for c in Compared::all() {
                c.of_mut(&mut b.figures).comparison = each.next().expect("one verdict per figure");
            }
        }
        a.flags.tests = tested;
        a.flags.flagged = flagged;
    }
}

/// A mystery-shop critical item and how many of `n` visits failed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriticalFailure {
    /// The critical item's id.
    pub item: String,
    /// Visits that failed it.
    pub count: u64,
    /// Visits that answered it.
    pub n: u64,
}

/// Mystery-shop figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mystery {
    /// Visits reported.
    pub visits: u64,
    /// Their mean overall score (0–100).
    pub score: Figure,
    /// Percent (0–100) of visits without a critical failure.
    pub pass_rate: Figure,
    /// Items with at least one failure, most failed first.
    pub critical_failures: Vec<CriticalFailure>,
}

/// The lower bounds (seconds) of the waiting-time histogram's buckets; the
/// last bucket has no upper bound.
pub const WAIT_BUCKETS: [u32; 9] = [0, 60, 120, 180, 300, 600, 900, 1200, 1800];

/// One bar of the waiting-time histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitBucket {
    /// Seconds, included.
    pub from: u32,
    /// Seconds, excluded; `None` for the last bucket.
    pub to: Option<u32>,
    /// Visits whose wait falls in the bucket.
    pub count: u64,
}

/// Waiting times of mystery-shop visits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wait {
    /// Visits with a waiting time.
    pub n: u64,
    /// `n < 30`: shown greyed.
    pub too_few: bool,
    /// Seconds (type-7 quantiles, as [`stats::quantile`]); `None` when `n == 0`.
    pub median: Option<f64>,
    /// Seconds, the 90th percentile; `None` when `n == 0`.
    pub p90: Option<f64>,
    /// Counts per bucket of [`WAIT_BUCKETS`].
    pub histogram: Vec<WaitBucket>,
    /// The longest wait that meets the target, seconds (the waiting item's
    /// `target`), if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u32>,
    /// Percent of visits that waited no longer than `target` (Wilson).
    #[serde(default = "Figure::none")]
    pub within_target: Figure,
    /// Waits by weekday and hour: the slots with visits, in week order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<WaitSlot>,
}

/// The figures of one branch or of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Responses.
    pub n: u64,
    /// `n < 30`: shown greyed.
    pub too_few: bool,
    /// Responses answered to the end; the others are kiosk customers who
    /// walked away (`partial`), whose answered items count in every figure.
    #[serde(default)]
    pub completed: u64,
    /// Percent (0–100) of the `n` responses answered to the end, with its
    /// Wilson interval: a kiosk whose customers often walk away asks too
    /// much of them. Figures kept by an app from an older server have none.
    #[serde(default = "Figure::none")]
    pub completion: Figure,
    /// The mean overall score (0–100).
    pub overall: Figure,
    /// Every dimension of [`Dimension::ALL`].
    pub dimensions: BTreeMap<Dimension, Figure>,
    /// Percent top-2-box (0–100).
    pub csat: Figure,
    /// −100..100.
    pub nps: Figure,
    /// Mystery-shop visits.
    pub mystery: Mystery,
    /// Waiting times.
    pub wait: Wait,
    /// The overall-satisfaction question's mean answer, on its 1–5 scale
    /// (t-interval). Figures kept by an app from an older server have none.
    #[serde(default = "Figure::none")]
    pub satisfaction: Figure,
    /// The service commitments ([`Definitions`]), in questionnaire order.
    #[serde(default)]
    pub commitments: Vec<CommitmentFigure>,
    /// CSAT, NPS and satisfaction against the previous period of the same
    /// length; only when the filter has both a first and a last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Changes>,
}

/// A mean with its n, for trend lines.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mean {
    /// Answers the mean is on.
    pub n: u64,
    /// The mean.
    pub mean: f64,
}

impl Mean {
    fn of(m: &Moments) -> Option<Mean> {
        m.mean().map(|mean| Mean { n: m.n, mean })
    }
}

/// One week of a trend line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    /// `2026-W02`.
    pub week: String,
    /// The week's Monday.
    #[serde(with = "iso_date")]
    pub start: Date,
    /// Responses that week.
    pub n: u64,
    /// The mean overall score; `None` without scored responses.
    pub overall: Option<Mean>,
    /// Dimensions with answers that week.
    pub dimensions: BTreeMap<Dimension, Mean>,
}

/// One branch's figures and trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchFigures {
    /// The branch's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Its format (peer group), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Its figures over the filter's dates.
    pub figures: Figures,
    /// Its weeks.
    pub trend: Vec<TrendPoint>,
}

/// What `GET /api/v1/aggregates` answers (see the module docs for the JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Aggregates {
    /// The filter applied, as understood.
    #[cfg_attr(feature = "openapi", schema(value_type = FilterParams))]
    pub filter: Filter,
    /// The figures of every branch of the list, together: what each
    /// branch is compared with.
    pub network: Figures,
    /// The figures of the branches the filter selects, together (a
    /// region's or a few branches' own totals, as the monthly report
    /// heads them); only when a branch list, a region or a format narrows the
    /// network. Not compared with the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<Figures>,
    /// The network's weeks.
    pub trend: Vec<TrendPoint>,
    /// The branches the filter selects, in the order of the branch list; a
    /// branch with no responses is listed with n = 0. Never sorted by a
    /// point estimate.
    pub branches: Vec<BranchFigures>,
    /// The words of the items these figures name (critical failures and
    /// commitments), for readers not given their questionnaire.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: scorecard::Names,
    /// With `against=peers`, by format code: the selected branches of that
    /// format together, what each of them is compared with.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub peers: BTreeMap<String, Figures>,
    /// How the branches' figures were compared (see "What a flag means").
    #[serde(default)]
    pub flags: Flags,
    /// Without a channel in the filter: each channel's answer apart (kiosk,
    /// then mystery shop), as the dashboard shows them side by side, their
    /// branches flagged as one family (see "What a flag means"). The
    /// figures above add both channels and are flagged on their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub channels: Vec<Aggregates>,
}

/// How the flags of one answer were set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flags {
    /// The network or each branch's peers.
    pub compared_with: Reference,
    /// The false-discovery rate kept to ([`crate::fdr::Q`]).
    pub q: f64,
    /// Comparisons tested (figures not too few on either side).
    pub tests: u64,
    /// Those flagged better or worse.
    pub flagged: u64,
}

impl Default for Flags {
    fn default() -> Flags {
        Flags {
            compared_with: Reference::Network,
            q: crate::fdr::Q,
            tests: 0,
            flagged: 0,
        }
    }
}

/// The figures of summed `r`, with the commitments and waiting-time
/// target of `defs`.
pub fn figures(r: &Rollup, defs: &Definitions) -> Figures {
    let scores = (0.0, 100.0);
    let mean = |m: &Moments| Figure::new(m.n, stats::mean_interval(m, scores));
    let percent = |e: Option<Estimate>| {
        e.map(|e| Estimate {
            n: e.n,
            value: e.value * 100.0,
            low: e.low * 100.0,
            high: e.high * 100.0,
        })
    };
    let nps_n = r.nps.promoters + r.nps.passives + r.nps.detractors;
    let mut critical_failures: Vec<CriticalFailure> = r
        .critical
        .iter()
        .filter(|(_, c)| **c > 0)
        .map(|(item, c)| CriticalFailure {
            item: item.clone(),
            count: *c,
            n: r.visits,
        })
        .collect();
    collect::sort_by(&mut critical_failures, |a, b| {
        b.count.cmp(&a.count).then(a.item.cmp(&b.item))
    });
    Figures {
        n: r.n,
        too_few: stats::too_few(r.n),
        completed: r.completed,
        completion: Figure::new(r.n, percent(stats::wilson(r.completed, r.n))),
        overall: mean(&r.overall),
        dimensions: collect::map(
            Dimension::ALL
                .iter()
                .map(|d| (*d, mean(&r.dimensions.get(d).copied().unwrap_or_default()))),
        ),
        csat: Figure::new(r.csat_n, percent(stats::wilson(r.csat_top, r.csat_n))),
        nps: Figure::new(
            nps_n,
            stats::nps_adjusted_wald(r.nps.promoters, r.nps.passives, r.nps.detractors),
        ),
        mystery: Mystery {
            visits: r.visits,
            score: mean(&r.visit_score),
            pass_rate: Figure::new(r.visits, percent(stats::wilson(r.passes, r.visits))),
            critical_failures,
        },
        wait: wait(&r.wait, &r.wait_slots, defs.wait_target),
        satisfaction: Figure::new(
            r.satisfaction.n,
            stats::mean_interval(&r.satisfaction, (1.0, 5.0)),
        ),
        commitments: scorecard::commitments(&r.items, defs),
        change: None,
    }
}

fn wait(counts: &BTreeMap<u32, u64>, slots: &BTreeMap<u16, SlotSums>, target: Option<u32>) -> Wait {
    let n: u64 = counts.values().sum();
    let mut histogram: Vec<WaitBucket> = WAIT_BUCKETS
        .iter()
        .enumerate()
        .map(|(i, &from)| WaitBucket {
            from,
            to: WAIT_BUCKETS.get(i + 1).copied(),
            count: 0,
        })
        .collect();
    for (seconds, c) in counts {
        // WAIT_BUCKETS starts at 0, so every value has a bucket.
        let i = WAIT_BUCKETS.partition_point(|b| b <= seconds) - 1;
        histogram[i].count += c;
    }
    let within = |t: u32| counts.range(..=t).map(|(_, c)| c).sum::<u64>();
    Wait {
        n,
        too_few: stats::too_few(n),
        median: counted_quantile(counts, 0.5),
        p90: counted_quantile(counts, 0.9),
        histogram,
        target,
        within_target: target.map_or_else(Figure::none, |t| scorecard::percent(within(t), n)),
        slots: scorecard::wait_slots(slots),
    }
}

/// [`stats::quantile`] (type 7) of values given as value → count, without
/// expanding them.
pub fn counted_quantile(counts: &BTreeMap<u32, u64>, q: f64) -> Option<f64> {
    let n: u64 = counts.values().sum();
    if n == 0 || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let h = (n - 1) as f64 * q;
    let i = h.floor() as u64;
    // The value at 0-based rank k among the sorted values.
    let at = |k: u64| {
        let mut seen = 0;
        for (v, c) in counts {
            seen += c;
            if k < seen {
                return f64::from(*v);
            }
        }
        f64::from(*counts.keys().next_back().expect("not empty"))
    };
    let lower = at(i);
    if i + 1 >= n {
        return Some(lower);
    }
    Some(lower + (h - i as f64) * (at(i + 1) - lower))
}

fn trend_point(week: Date, r: &Rollup) -> TrendPoint {
    TrendPoint {
        week: week_label(week),
        start: week,
        n: r.n,
        overall: Mean::of(&r.overall),
        dimensions: collect::map(
            r.dimensions
                .iter()
                .filter_map(|(d, m)| Mean::of(m).map(|m| (*d, m))),
        ),
    }
}

/// The Mondays of every week from the filter's first to last day or, where
/// the filter has no bound, from the first to the last week with data; at
/// most [`MAX_TREND_WEEKS`] of them (see the module docs).
fn weeks(filter: &Filter, with_data: impl Iterator<Item = Date> + Clone) -> Vec<Date> {
    let data_first = with_data.clone().min();
    let data_last = with_data.max();
    let first = filter.from.map(week_start).or(data_first);
    let last = filter.to.map(week_start).or(data_last);
    let (Some(mut first), Some(mut last)) = (first, last) else {
        return Vec::new();
    };
    let span = |first: Date, last: Date| (last - first).whole_weeks();
    let cap = MAX_TREND_WEEKS as i64;
    if span(first, last) >= cap {
        // Empty weeks beyond the data only pad a range that fits.
        first = first.max(data_first.unwrap_or(first));
        last = last.min(data_last.unwrap_or(last));
    }
    if span(first, last) >= cap {
        first = last
            .checked_sub(time::Duration::weeks(cap - 1))
            .unwrap_or(first);
    }
    let mut out = Vec::new();
    let mut week = first;
    while week <= last && out.len() < MAX_TREND_WEEKS {
        out.push(week);
        match week.checked_add(time::Duration::weeks(1)) {
            Some(next) => week = next,
            None => break,
        }
    }
    out
}

/// Turn summed rollups into the dashboard's figures.
///
/// `branches` is the branch list (all of it: the filter picks); `parts` the
/// sums per branch and week of the rows the filter takes in (by day,
/// questionnaire and channel), for every branch. The network's figures and
/// trend are those of every branch of the list (parts of codes not on it are
/// left out); the filter's branches and region choose the branches listed
/// and compared with it.
pub fn aggregate(
    filter: &Filter,
    branches: &[Branch],
    defs: &Definitions,
    parts: impl IntoIterator<Item = Part>,
) -> Aggregates {
    let (mut a, sums) = unflagged(filter, branches, defs, parts);
    flag_together(&mut [(&mut a, sums)]);
    a
}

/// The answer of `filter` without a channel, and each channel's answer apart
/// in [`Aggregates::channels`], from each channel's parts: the channels'
/// branches flagged as one family, as the dashboard shows them on one
/// screen. With a channel in the filter, the answer of its parts alone.
pub fn aggregate_channels(
    filter: &Filter,
    branches: &[Branch],
    defs: &Definitions,
    parts: Vec<(Channel, Vec<Part>)>,
) -> Aggregates {
    if let Some(channel) = filter.channel {
        let own = parts.into_iter().filter(|(c, _)| *c == channel);
        return aggregate(filter, branches, defs, own.flat_map(|(_, p)| p));
    }
    let all = parts.iter().flat_map(|(_, p)| p.iter().cloned());
    let mut top = aggregate(filter, branches, defs, all);
    let mut each: Vec<(Aggregates, Vec<Rollup>)> = parts
        .into_iter()
        .map(|(channel, parts)| {
            let f = Filter {
                channel: Some(channel),
                ..filter.clone()
            };
            unflagged(&f, branches, defs, parts)
        })
        .collect();
    let mut family: Vec<(&mut Aggregates, Vec<Rollup>)> = each
        .iter_mut()
        .map(|(a, sums)| (a, std::mem::take(sums)))
        .collect();
    flag_together(&mut family);
    top.channels = each.into_iter().map(|(a, _)| a).collect();
    top
}

/// [`aggregate`]'s answer before its branches are flagged, and each
/// listed branch's sums (what its comparisons are tested on).
fn unflagged(
    filter: &Filter,
    branches: &[Branch],
    defs: &Definitions,
    parts: impl IntoIterator<Item = Part>,
) -> (Aggregates, Vec<Rollup>) {
    let selected: Vec<&Branch> = branches.iter().filter(|b| filter.selects(b)).collect();
    let known: BTreeMap<&str, bool> = collect::map(
        branches
            .iter()
            .map(|b| (b.code.as_str(), filter.selects(b))),
    );
    let mut by_branch: BTreeMap<String, BTreeMap<Date, Rollup>> = BTreeMap::new();
    let mut network_weeks: BTreeMap<Date, Rollup> = BTreeMap::new();
    let mut network = Rollup::default();
    let mut selection = Rollup::default();
    for part in parts {
        // The network is every branch of the list; the branch and region
        // choice only picks the branches shown beside it.
        let Some(&shown) = known.get(part.branch.as_str()) else {
            continue;
        };
        network_weeks
            .entry(part.week)
            .or_default()
            .merge(&part.rollup);
        network.merge(&part.rollup);
        if shown {
            selection.merge(&part.rollup);
            by_branch
                .entry(part.branch)
                .or_default()
                .entry(part.week)
                .or_default()
                .merge(&part.rollup);
        }
    }
    let weeks = weeks(filter, network_weeks.keys().copied());
    let empty = Rollup::default();
    let trend_of = |per_week: Option<&BTreeMap<Date, Rollup>>| -> Vec<TrendPoint> {
        weeks
            .iter()
            .map(|w| trend_point(*w, per_week.and_then(|m| m.get(w)).unwrap_or(&empty)))
            .collect()
    };
    let network_figures = figures(&network, defs);
    let totals: Vec<Rollup> = selected
        .iter()
        .map(|b| {
            let mut total = Rollup::default();
            for r in by_branch
                .get(b.code.as_str())
                .into_iter()
                .flat_map(|m| m.values())
            {
                total.merge(r);
            }
            total
        })
        .collect();
    let peers: BTreeMap<String, Figures> = match filter.against {
        Reference::Network => BTreeMap::new(),
        Reference::Peers => {
            let mut sums: BTreeMap<String, Rollup> = BTreeMap::new();
            for (b, total) in selected.iter().zip(&totals) {
                if let Some(format) = &b.format {
                    sums.entry(format.clone()).or_default().merge(total);
                }
            }
            collect::map(sums.iter().map(|(f, r)| (f.clone(), figures(r, defs))))
        }
    };
    let flags = Flags {
        compared_with: filter.against,
        ..Flags::default()
    };
    let branch_figures = selected
        .iter()
        .zip(&totals)
        .map(|(b, total)| BranchFigures {
            code: b.code.clone(),
            name: b.name.clone(),
            region: b.region.clone(),
            format: b.format.clone(),
            figures: figures(total, defs),
            trend: trend_of(by_branch.get(b.code.as_str())),
        })
        .collect();
    let named = network_figures
        .mystery
        .critical_failures
        .iter()
        .map(|c| (None, c.item.as_str()))
        .chain(
            network_figures
                .commitments
                .iter()
                .map(|c| (Some(c.questionnaire_id.as_str()), c.item.as_str())),
        );
    let names = defs.names_of(named);
    let narrowed = filter.narrows();
    let answer = Aggregates {
        filter: filter.clone(),
        trend: trend_of(Some(&network_weeks)),
        selection: narrowed.then(|| figures(&selection, defs)),
        network: network_figures,
        branches: branch_figures,
        names,
        peers,
        flags,
        channels: Vec::new(),
    };
    (answer, totals)
}

/// [`aggregate`] straight from responses (the app, offline). `questionnaire`
/// finds the version a response answered; responses whose questionnaire is
/// unknown are left out, as the server would have refused them.
pub fn aggregate_responses<'a>(
    filter: &Filter,
    branches: &[Branch],
    defs: &Definitions,
    responses: impl IntoIterator<Item = &'a Response> + Clone,
    questionnaire: impl Fn(&str, u32) -> Option<&'a Questionnaire> + Copy,
) -> Aggregates {
    let by_channel = |f: &Filter| -> Vec<(Channel, Vec<Part>)> {
        CHANNELS
            .into_iter()
            .filter(|c| f.channel.is_none_or(|own| own == *c))
            .map(|c| {
                let one = Filter {
                    channel: Some(c),
                    ..f.clone()
                };
                (c, parts_of(&one, responses.clone(), questionnaire))
            })
            .collect()
    };
    let mut a = aggregate_channels(filter, branches, defs, by_channel(filter));
    if let Some(before) = filter.previous() {
        let then = aggregate_channels(&before, branches, defs, by_channel(&before));
        with_changes(&mut a, &then);
    }
    a
}

/// The channels, in the order the dashboard shows them.
pub const CHANNELS: [Channel; 2] = [Channel::Kiosk, Channel::MysteryShop];

/// The responses `filter` takes in, as parts.
fn parts_of<'a>(
    filter: &Filter,
    responses: impl IntoIterator<Item = &'a Response>,
    questionnaire: impl Fn(&str, u32) -> Option<&'a Questionnaire>,
) -> Vec<Part> {
    responses
        .into_iter()
        .filter_map(|r| {
            let day = day_of(r);
            if !filter.takes(day, &r.questionnaire_id, r.channel) {
                return None;
            }
            let q = questionnaire(&r.questionnaire_id, r.questionnaire_version)?;
            Some(Part {
                branch: r.branch.clone(),
                week: week_start(day),
                rollup: Rollup::of(q, r),
            })
        })
        .collect()
}

/// [`scorecard::items`] straight from responses (the app, offline).
pub fn items_of_responses<'a>(
    filter: &Filter,
    branches: &[Branch],
    latest: &[&Questionnaire],
    responses: impl IntoIterator<Item = &'a Response>,
    questionnaire: impl Fn(&str, u32) -> Option<&'a Questionnaire>,
) -> scorecard::Items {
    let parts = parts_of(filter, responses, questionnaire)
        .into_iter()
        .map(|p| (p.branch, p.rollup.items));
    scorecard::items(filter, branches, latest, parts)
}

/// Fill in the headline figures' change since `previous`, the same
/// aggregates over the previous period ([`Filter::previous`]).
pub fn with_changes(current: &mut Aggregates, previous: &Aggregates) {
    let (Some(from), Some(to)) = (previous.filter.from, previous.filter.to) else {
        return;
    };
    let changes = |now: &Figures, then: &Figures| Changes {
        from,
        to,
        csat: Change::between(&now.csat, &then.csat),
        nps: Change::between(&now.nps, &then.nps),
        satisfaction: Change::between(&now.satisfaction, &then.satisfaction),
    };
    for (now, then) in current.channels.iter_mut().zip(&previous.channels) {
        with_changes(now, then);
    }
    current.network.change = Some(changes(&current.network, &previous.network));
    if let (Some(now), Some(then)) = (current.selection.as_mut(), previous.selection.as_ref()) {
        now.change = Some(changes(now, then));
    }
    for b in &mut current.branches {
        if let Some(then) = previous.branches.iter().find(|p| p.code == b.code) {
            b.figures.change = Some(changes(&b.figures, &then.figures));
        }
    }
}

/// A free-text answer or comment of a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    /// The response it is from.
    pub response_id: Uuid,
    /// The branch's code.
    pub branch: String,
    /// The questionnaire answered.
    pub questionnaire_id: String,
    /// Kiosk or mystery shop.
    pub channel: Channel,
    /// When the response was submitted.
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// The text item's id, or the item or section id a comment is attached to.
    pub item: String,
    /// The text.
    pub text: String,
    /// The response's answer to the overall-satisfaction question (1–5,
    /// [`satisfaction_of`]): how the customer who wrote it felt overall.
    /// `None` when not answered (or stored before scores were kept).
    #[serde(default)]
    pub satisfaction: Option<u8>,
}

/// `response`'s answer (1–5) to the overall-satisfaction question
/// ([`csat_item`]), when it was shown and answered; read with `q`, the
/// questionnaire version the response answered.
pub fn satisfaction_of(q: &Questionnaire, response: &Response) -> Option<u8> {
    let id = csat_item(q)?;
    if !q.shown(&response.answers).contains(id) {
        return None;
    }
    match response.answers.get(id) {
        Some(Answer::Rating(x)) if (1..=5).contains(x) => Some(*x),
        _ => None,
    }
}

/// Every non-blank free text of `response`: answers to text items, then
/// the comments attached to items or sections.
pub fn comments_of(response: &Response) -> Vec<Comment> {
    let texts = response
        .answers
        .iter()
        .filter_map(|(id, a)| match a {
            Answer::Text(t) => Some((id, t)),
            _ => None,
        })
        .chain(response.comments.iter());
    texts
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(item, text)| Comment {
            response_id: response.id,
            branch: response.branch.clone(),
            questionnaire_id: response.questionnaire_id.clone(),
            channel: response.channel,
            submitted_at: response.submitted_at,
            item: item.clone(),
            text: text.clone(),
            satisfaction: None,
        })
        .collect()
}

/// Text folded for a case-insensitive search (the same on every backend).
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// Comments per branch when `limit` is not given, and the most allowed.
pub const DEFAULT_COMMENTS: u32 = 20;
/// The most comments per branch a query may ask for.
pub const MAX_COMMENTS: u32 = 200;

/// `GET /api/v1/comments`: the filter, a search text and how many comments per branch.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "CommentParams", into = "CommentParams")]
pub struct CommentQuery {
    /// Which responses.
    pub filter: Filter,
    /// Only comments containing this text, case-insensitively.
    pub q: Option<String>,
    /// The latest this many per branch (per branch and satisfaction
    /// answer, by [`CommentOrder::Score`]).
    pub limit: u32,
    /// Which comments and in what order.
    pub by: CommentOrder,
}

/// How `GET /api/v1/comments` chooses and orders comments (`by=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommentOrder {
    /// The latest `limit` per branch, newest first (`by=time`, the default).
    #[default]
    Latest,
    /// The latest `limit` per branch at each satisfaction answer (1–5, then
    /// none), lowest answer first: the range of what customers said, for
    /// choosing representative comments (`by=score`).
    Score,
}

impl CommentOrder {
    /// Its URL value.
    pub fn param(self) -> &'static str {
        match self {
            CommentOrder::Latest => "time",
            CommentOrder::Score => "score",
        }
    }
}

/// The URL form of a [`CommentQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CommentParams {
    /// Which responses.
    #[serde(flatten)]
    pub filter: FilterParams,
    /// Search text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Comments per branch, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// `time` or `score` ([`CommentOrder`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl TryFrom<CommentParams> for CommentQuery {
    type Error = FilterError;

    fn try_from(p: CommentParams) -> Result<CommentQuery, FilterError> {
        let limit = match given(p.limit) {
            None => DEFAULT_COMMENTS,
            Some(l) => match l.parse::<u32>() {
                Ok(n) if (1..=MAX_COMMENTS).contains(&n) => n,
                _ => return Err(FilterError::BadLimit(l)),
            },
        };
        let by = match given(p.by).as_deref() {
            None | Some("time") => CommentOrder::Latest,
            Some("score") => CommentOrder::Score,
            Some(other) => return Err(FilterError::BadOrder(other.to_owned())),
        };
        Ok(CommentQuery {
            filter: Filter::try_from(p.filter)?,
            q: search(p.q)?,
            limit,
            by,
        })
    }
}

impl From<CommentQuery> for CommentParams {
    fn from(c: CommentQuery) -> CommentParams {
        CommentParams {
            filter: c.filter.into(),
            q: c.q,
            limit: Some(c.limit.to_string()),
            by: (c.by != CommentOrder::Latest).then(|| c.by.param().to_owned()),
        }
    }
}

impl CommentQuery {
    /// Read a URL query string (without `?`).
    pub fn from_query(query: &str) -> Result<CommentQuery, FilterError> {
        let params: CommentParams =
            serde_urlencoded::from_str(query).map_err(|e| FilterError::Malformed(e.to_string()))?;
        CommentQuery::try_from(params)
    }

    /// The URL query string (without `?`) of this query.
    pub fn to_query(&self) -> String {
        serde_urlencoded::to_string(CommentParams::from(self.clone()))
            .expect("text parameters always encode")
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_query())
    }
}
