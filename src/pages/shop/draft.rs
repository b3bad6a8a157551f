//! A visit report in progress, kept in localStorage under
//! `branchpulse.draft.shop.<report id>` and saved on every change.
//!
//! After submission the draft stays, marked submitted: the report is then
//! read-only, and its place in the outbox (waiting, rejected, gone = sent)
//! tells its status. The questionnaire it answers is kept beside it
//! (`branchpulse.shop.q.<id>.<version>`), so a visit started online can be
//! finished offline after a restart.

use crate::pages::kiosk::config;
use crate::pages::response::{time_at, Finished};
use crate::storage::drafts::{self, DraftError};
use crate::storage::keys::{self, SHOP_DRAFT_ID_PREFIX as ID_PREFIX};
use branchpulse_core::collect;
use branchpulse_core::validate::Problem;
use branchpulse_core::{Answer, Channel, Item, Locale, Questionnaire, Response, VisitTimes, YesNo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The mystery-shop questionnaire's waiting-time item, filled from the
/// "joined the queue" and "served" taps.
pub const WAIT_ITEM: &str = "wait_seconds";
/// The questionnaire of ad-hoc visits.
pub const DEFAULT_QUESTIONNAIRE: &str = "branch_visit";
/// The tab of the timing panel; the review tab is [`REVIEW_TAB`]; other
/// tabs are section ids.
pub const TIMING_TAB: &str = "timing";
pub const REVIEW_TAB: &str = "review";

/// The four taps of a visit, in ms since the epoch (`Date.now()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Marks {
    pub arrived: Option<f64>,
    pub joined: Option<f64>,
    pub served: Option<f64>,
    pub left: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Arrived,
    Joined,
    Served,
    Left,
}

impl Mark {
    pub const ALL: [Mark; 4] = [Mark::Arrived, Mark::Joined, Mark::Served, Mark::Left];
}

impl Marks {
    pub fn get(&self, mark: Mark) -> Option<f64> {
        match mark {
            Mark::Arrived => self.arrived,
            Mark::Joined => self.joined,
            Mark::Served => self.served,
            Mark::Left => self.left,
        }
    }

    pub fn set(&mut self, mark: Mark, at: Option<f64>) {
        *match mark {
            Mark::Arrived => &mut self.arrived,
            Mark::Joined => &mut self.joined,
            Mark::Served => &mut self.served,
            Mark::Left => &mut self.left,
        } = at;
    }

    /// The waiting time in whole seconds: served − joined.
    pub fn wait_seconds(&self) -> Option<u32> {
        let (joined, served) = (self.joined?, self.served?);
        (served >= joined).then(|| ((served - joined) / 1000.0).round() as u32)
    }
}

/// Where a report stands, as the list and the visit page show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Ready,
    Waiting,
    Sent,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitDraft {
    /// The report's id, and the response's once submitted.
    pub id: Uuid,
    /// The assignment (`GET /api/v1/visits`), none for an ad-hoc visit.
    #[serde(default)]
    pub assignment: Option<Uuid>,
    pub branch: String,
    pub scenario: String,
    #[serde(default)]
    pub due: Option<String>,
    pub questionnaire_id: String,
    pub questionnaire_version: u32,
    pub locale: Locale,
    /// ms since the epoch.
    pub started_at: f64,
    pub answers: BTreeMap<String, Answer>,
    /// By item or section id.
    #[serde(default)]
    pub comments: BTreeMap<String, String>,
    #[serde(default)]
    pub marks: Marks,
    /// Set when the waiting time was entered by hand: why.
    #[serde(default)]
    pub wait_reason: Option<String>,
    /// The open tab: [`TIMING_TAB`], a section id or [`REVIEW_TAB`].
    #[serde(default)]
    pub tab: String,
    /// ms since the epoch; set once submitted, and then read-only.
    #[serde(default)]
    pub submitted_at: Option<f64>,
    /// The returned report this one corrects (its `revises`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revises: Option<Uuid>,
    /// The reviewer's note on the returned report, shown above the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Calls being counted, by call item id: the time of each ring tap (ms
    /// since the epoch). The item's answer is set, and its taps dropped,
    /// when the shopper taps "answered" or "no answer".
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rings: BTreeMap<String, Vec<f64>>,
}

impl VisitDraft {
    pub fn new(
        q: &Questionnaire,
        branch: String,
        scenario: String,
        assignment: Option<Uuid>,
        due: Option<String>,
        locale: Locale,
    ) -> VisitDraft {
        VisitDraft {
            id: config::new_uuid(),
            assignment,
            branch,
            scenario,
            due,
            questionnaire_id: q.id.clone(),
            questionnaire_version: q.version,
            locale: if q.languages.contains(&locale) {
                locale
            } else {
                q.languages.first().copied().unwrap_or(locale)
            },
            started_at: js_sys::Date::now(),
            answers: BTreeMap::new(),
            comments: BTreeMap::new(),
            marks: Marks::default(),
            wait_reason: None,
            tab: TIMING_TAB.into(),
            submitted_at: None,
            revises: None,
            note: None,
            rings: BTreeMap::new(),
        }
    }

    /// A new report correcting the returned `old` (same visit, the same
    /// answers, comments and timings to start from), answering `q`.
    pub fn correcting(
        q: &Questionnaire,
        old: &Response,
        note: Option<String>,
        scenario: String,
        due: Option<String>,
        locale: Locale,
    ) -> VisitDraft {
        let ms = |t: time::OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000) as f64;
        let mut d = VisitDraft::new(q, old.branch.clone(), scenario, old.assignment, due, locale);
        d.started_at = ms(old.started_at);
        d.answers = old.answers.clone();
        d.comments = old.comments.clone();
        if let Some(v) = &old.visit {
            d.marks = Marks {
                arrived: v.arrived_at.map(ms),
                joined: v.queue_joined_at.map(ms),
                served: v.served_at.map(ms),
                left: v.left_at.map(ms),
            };
            d.wait_reason = v.wait_override_reason.clone();
        }
        d.revises = Some(old.id);
        d.note = note;
        d.prune(q);
        d
    }

    fn key(id: &str) -> String {
        keys::draft(&format!("{ID_PREFIX}{id}"))
    }

    /// Draft `id`: `Ok(None)` if there is none; an unreadable one is moved
    /// aside and reported.
    pub fn load(id: &str) -> Result<Option<VisitDraft>, DraftError> {
        drafts::load(&Self::key(id))
    }

    pub fn save(&self) -> Result<(), DraftError> {
        drafts::save(&Self::key(&self.id.to_string()), self)
    }

    pub fn delete(id: &str) {
        drafts::remove(&Self::key(id));
    }

    /// Every report on the device, newest first, and the problems of those
    /// that could not be read (moved aside).
    pub fn all() -> (Vec<VisitDraft>, Vec<DraftError>) {
        let mut found = Vec::new();
        let mut problems = Vec::new();
        for id in drafts::draft_ids() {
            let Some(id) = id.strip_prefix(ID_PREFIX) else {
                continue;
            };
            match Self::load(id) {
                Ok(Some(d)) => found.push(d),
                Ok(None) => {}
                Err(e) => problems.push(e),
            }
        }
        collect::sort_by(&mut found, |a, b| b.started_at.total_cmp(&a.started_at));
        (found, problems)
    }

    /// Drop answers to items no longer shown (a show_if source changed).
    pub fn prune(&mut self, q: &Questionnaire) {
        let hidden: Vec<String> = q
            .items()
            .filter(|i| !q.visible(i, &self.answers))
            .map(|i| i.id.clone())
            .collect();
        for id in hidden {
            self.answers.remove(&id);
        }
    }

    /// The waiting time follows the taps unless it was entered by hand.
    pub fn fill_wait(&mut self, q: &Questionnaire) {
        if self.wait_reason.is_some() || q.item(WAIT_ITEM).is_none() {
            return;
        }
        match self.marks.wait_seconds() {
            Some(s) => self.answers.insert(WAIT_ITEM.into(), Answer::Seconds(s)),
            None => self.answers.remove(WAIT_ITEM),
        };
    }

    /// A yes_no item filled from a call follows the call's answer: yes
    /// when it was answered, no when not, nothing while it is counted.
    pub fn fill_calls(&mut self, q: &Questionnaire) {
        for item in q.items() {
            let Some(call) = &item.from_call else {
                continue;
            };
            match self.answers.get(call) {
                Some(Answer::Call { answered, .. }) => {
                    let v = if *answered { YesNo::Yes } else { YesNo::No };
                    self.answers.insert(item.id.clone(), Answer::YesNo(v));
                }
                _ => {
                    self.answers.remove(&item.id);
                }
            }
        }
    }

    /// Required items shown but not answered, in questionnaire order.
    pub fn missing<'q>(&self, q: &'q Questionnaire) -> Vec<&'q Item> {
        q.items()
            .filter(|i| i.required && q.visible(i, &self.answers))
            .filter(|i| !self.answers.contains_key(&i.id))
            .collect()
    }

    pub fn status(&self, q: Option<&Questionnaire>) -> Status {
        match (self.submitted_at, q) {
            (Some(_), _) => Status::Waiting,
            (None, Some(q)) if self.missing(q).is_empty() => Status::Ready,
            (None, _) => Status::Draft,
        }
    }

    /// The report as a response, checked with the server's rules.
    pub fn to_response(&self, q: &Questionnaire, now_ms: f64) -> Result<Response, Vec<Problem>> {
        let time = |ms: f64| time_at(ms, now_ms);
        let comments = collect::map(
            self.comments
                .iter()
                .filter(|(_, c)| !c.trim().is_empty())
                .map(|(k, c)| (k.clone(), c.trim().to_owned())),
        );
        Finished {
            id: self.id,
            branch: self.branch.clone(),
            channel: Channel::MysteryShop,
            locale: self.locale,
            started_at: self.started_at,
            answers: self.answers.clone(),
            comments,
            visit: Some(VisitTimes {
                arrived_at: self.marks.arrived.map(time),
                queue_joined_at: self.marks.joined.map(time),
                served_at: self.marks.served.map(time),
                left_at: self.marks.left.map(time),
                wait_override_reason: self.wait_reason.clone(),
            }),
            assignment: self.assignment,
            revises: self.revises,
            partial: false,
        }
        .into_response(q, now_ms)
    }
}

/// Keep questionnaire `json` (parsed as `q`) for the visits that answer it.
pub fn keep_questionnaire(q: &Questionnaire, json: &str) -> Result<(), DraftError> {
    drafts::save(&keys::shop_questionnaire(&q.id, q.version), json)
}

/// The kept questionnaire `id` version `version`.
pub fn kept_questionnaire(id: &str, version: u32) -> Result<Option<Questionnaire>, DraftError> {
    let Some(json) = drafts::load::<String>(&keys::shop_questionnaire(id, version))? else {
        return Ok(None);
    };
    serde_json::from_str(&json)
        .map(Some)
        .map_err(|e| DraftError::Corrupt {
            key: keys::shop_questionnaire(id, version),
            moved_to: None,
            reason: e.to_string(),
        })
}
