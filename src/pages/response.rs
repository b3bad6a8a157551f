//! The one step from a form's draft to a finished response, shared by the
//! kiosk and the shopper's form: the questionnaire, the device and the
//! times are filled in, and the response is checked with the same rules as
//! the server, so a response the server would refuse never reaches the
//! outbox.

use super::kiosk::config;
use branchpulse_core::validate::{validate, Problem, Rules, DEFAULT_MAX_AGE_DAYS};
use branchpulse_core::{Answer, Channel, Locale, Questionnaire, Response, VisitTimes};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// What a form's draft holds of a response.
pub struct Finished {
    pub id: Uuid,
    pub branch: String,
    pub channel: Channel,
    pub locale: Locale,
    /// ms since the epoch (`Date.now()`).
    pub started_at: f64,
    pub answers: BTreeMap<String, Answer>,
    pub comments: BTreeMap<String, String>,
    pub visit: Option<VisitTimes>,
    pub assignment: Option<Uuid>,
    /// The returned report this one corrects.
    pub revises: Option<Uuid>,
    /// The customer walked away: required items may be missing.
    pub partial: bool,
}

impl Finished {
    /// The response to questionnaire `q`, submitted at `now_ms`, if the
    /// server's rules accept it.
    pub fn into_response(self, q: &Questionnaire, now_ms: f64) -> Result<Response, Vec<Problem>> {
        let response = Response {
            id: self.id,
            questionnaire_id: q.id.clone(),
            questionnaire_version: q.version,
            branch: self.branch,
            device_id: config::device_id(),
            channel: self.channel,
            locale: self.locale,
            started_at: time_at(self.started_at, now_ms),
            submitted_at: time_at(now_ms, now_ms),
            answers: self.answers,
            comments: self.comments,
            visit: self.visit,
            assignment: self.assignment,
            revises: self.revises,
            partial: self.partial,
        };
        let rules = Rules {
            now: time_at(now_ms, now_ms),
            max_clock_skew: time::Duration::minutes(5),
            max_age: time::Duration::days(DEFAULT_MAX_AGE_DAYS.into()),
        };
        validate(q, &response, &rules).map(|()| response)
    }
}

/// `ms` since the epoch as a UTC time to the millisecond, never later than
/// `now_ms`: a tap recorded by a clock that was then set back must not put
/// the response in the future.
pub fn time_at(ms: f64, now_ms: f64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms.min(now_ms) as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
