//! The mystery-shop programme: a visit's window and life, and the review a
//! report passes before it counts.
//!
//! A visit is planned with a [`Window`] (the days, weekdays and hours the
//! bank wants measured, e.g. "a weekday between 12:00 and 14:00"), assigned
//! to a shopper, started on the phone, reported, and reviewed. Only an
//! approved report counts in figures and exports. The rules of which step
//! may follow which are here, in [`next`], so the server and the app agree.

use serde::{Deserialize, Serialize};
use time::{Date, Month, PrimitiveDateTime};
use uuid::Uuid;

/// Where a visit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    /// Planned, no shopper yet: any shopper's phone lists it.
    Planned,
    /// A shopper is to make it.
    Assigned,
    /// The shopper has started it on the phone.
    InProgress,
    /// A report has arrived and awaits review.
    Submitted,
    /// Its report was approved: it counts.
    Approved,
    /// Its report came back to the shopper with a note, to correct.
    Returned,
    /// Its report was rejected; it never counts.
    Rejected,
    /// Called off by a coordinator.
    Cancelled,
}

impl VisitStatus {
    /// Every status, in the order of a visit's life.
    pub const ALL: [VisitStatus; 8] = [
        VisitStatus::Planned,
        VisitStatus::Assigned,
        VisitStatus::InProgress,
        VisitStatus::Submitted,
        VisitStatus::Approved,
        VisitStatus::Returned,
        VisitStatus::Rejected,
        VisitStatus::Cancelled,
    ];

    /// Whether the shopper still has something to do: the visit may be
    /// overdue.
    pub fn awaits_shopper(self) -> bool {
        matches!(
            self,
            VisitStatus::Planned
                | VisitStatus::Assigned
                | VisitStatus::InProgress
                | VisitStatus::Returned
        )
    }

    /// Whether nothing more can happen to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            VisitStatus::Approved | VisitStatus::Rejected | VisitStatus::Cancelled
        )
    }
}

/// What happens to a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A coordinator sets (`true`) or clears (`false`) the shopper.
    Assign(bool),
    /// The shopper starts it on the phone.
    Start,
    /// A report arrives (the first, or one correcting a returned report).
    Submit,
    /// The reviewer approves the report.
    Approve,
    /// The reviewer sends the report back with a note.
    Return,
    /// The reviewer rejects the report.
    Reject,
    /// A coordinator calls it off.
    Cancel,
}

/// A step that may not follow the visit's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a visit that is {from:?} cannot take the step {event:?}")]
pub struct NotAllowed {
    /// Where the visit stood.
    pub from: VisitStatus,
    /// What was asked.
    pub event: Event,
}

/// The status after `event`, or why it may not happen. Starting twice is
/// allowed (a phone resends its start); a second report while one awaits
/// review, or after the visit has ended, is not: one visit has exactly
/// one counted report.
pub fn next(from: VisitStatus, event: Event) -> Result<VisitStatus, NotAllowed> {
    use VisitStatus as S;
    let to = match (from, event) {
        (S::Planned | S::Assigned, Event::Assign(true)) => S::Assigned,
        (S::Planned | S::Assigned, Event::Assign(false)) => S::Planned,
        (S::Planned | S::Assigned | S::InProgress, Event::Start) => S::InProgress,
        (S::Planned | S::Assigned | S::InProgress | S::Returned, Event::Submit) => S::Submitted,
        (S::Submitted, Event::Approve) => S::Approved,
        (S::Submitted, Event::Return) => S::Returned,
        (S::Submitted, Event::Reject) => S::Rejected,
        (S::Planned | S::Assigned | S::InProgress | S::Returned, Event::Cancel) => S::Cancelled,
        _ => return Err(NotAllowed { from, event }),
    };
    Ok(to)
}

/// Hours of the day a visit must begin in: from `from`:00 to before `to`:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hours {
    /// First hour, 0–23.
    pub from: u8,
    /// The hour it ends, 1–24, after `from`.
    pub to: u8,
}

/// When a visit must be made, in the branch's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// First day, `YYYY-MM-DD`.
    #[serde(with = "crate::aggregate::iso_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-01-05"))]
    pub from: Date,
    /// Last day (the visit is due by its end), `YYYY-MM-DD`.
    #[serde(with = "crate::aggregate::iso_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-01-30"))]
    pub to: Date,
    /// ISO weekdays allowed, 1 = Monday … 7 = Sunday; empty: any day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weekdays: Vec<u8>,
    /// Hours the visit must begin in; absent: any time the branch is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Hours>,
}

/// What is wrong with a window, naming its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct BadWindow {
    /// `window.from`, `window.weekdays`, …
    pub field: &'static str,
    /// What to fix.
    pub reason: String,
}

/// The longest window, in days: a quarter and a little.
pub const MAX_WINDOW_DAYS: i64 = 100;

impl Window {
    /// Any day from `from` to `to`, any hour.
    pub fn days(from: Date, to: Date) -> Window {
        Window {
            from,
            to,
            weekdays: Vec::new(),
            hours: None,
        }
    }

    /// Check the window: days in order and within [`MAX_WINDOW_DAYS`],
    /// weekdays 1–7 without repeats and met by at least one of its days,
    /// hours within the day.
    pub fn check(&self) -> Result<(), BadWindow> {
        let bad = |field, reason: String| Err(BadWindow { field, reason });
        if self.to < self.from {
            return bad(
                "window.to",
                format!("{} is before the first day {}", self.to, self.from),
            );
        }
        let days = (self.to - self.from).whole_days() + 1;
        if days > MAX_WINDOW_DAYS {
            return bad(
                "window.to",
                format!("the window is {days} days long; the longest is {MAX_WINDOW_DAYS}"),
            );
        }
        let mut seen = [false; 8];
        for &d in &self.weekdays {
            if !(1..=7).contains(&d) {
                return bad(
                    "window.weekdays",
                    format!("{d} is not a weekday: use 1 (Monday) to 7 (Sunday)"),
                );
            }
            if std::mem::replace(&mut seen[usize::from(d)], true) {
                return bad("window.weekdays", format!("{d} is listed twice"));
            }
        }
        if !self.weekdays.is_empty() && !self.any_day_allowed() {
            return bad(
                "window.weekdays",
                "none of the window's days falls on those weekdays".into(),
            );
        }
        if let Some(h) = self.hours {
            if h.from > 23 || h.to > 24 || h.to <= h.from {
                return bad(
                    "window.hours",
                    format!(
                        "{}:00–{}:00 is not a span of the day: from 0–23, to after it, at most 24",
                        h.from, h.to
                    ),
                );
            }
        }
        Ok(())
    }

    fn any_day_allowed(&self) -> bool {
        let mut day = self.from;
        for _ in 0..7 {
            if day > self.to {
                return false;
            }
            if self.allows_weekday(day) {
                return true;
            }
            match day.next_day() {
                Some(d) => day = d,
                None => return false,
            }
        }
        false
    }

    fn allows_weekday(&self, day: Date) -> bool {
        self.weekdays.is_empty() || self.weekdays.contains(&day.weekday().number_from_monday())
    }

    /// Whether a visit beginning at `local` (the branch's local time) is in
    /// the window.
    pub fn contains(&self, local: PrimitiveDateTime) -> bool {
        let day = local.date();
        let hour_ok = self
            .hours
            .is_none_or(|h| (h.from..h.to).contains(&local.hour()));
        (self.from..=self.to).contains(&day) && self.allows_weekday(day) && hour_ok
    }

    /// Whether the window has passed by `today` with the shopper still to act.
    pub fn is_overdue(&self, status: VisitStatus, today: Date) -> bool {
        status.awaits_shopper() && self.to < today
    }
}

/// A calendar quarter, written `2026-Q1`: the unit of visit quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// The year.
    pub year: i32,
    /// 1–4.
    pub number: u8,
}

impl Quarter {
    /// The quarter `day` falls in.
    pub fn of(day: Date) -> Quarter {
        Quarter {
            year: day.year(),
            number: (u8::from(day.month()) - 1) / 3 + 1,
        }
    }

    /// Read `2026-Q1`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Quarter> {
        let (year, q) = text.trim().split_once("-Q")?;
        let year: i32 = year.parse().ok()?;
        let number: u8 = q.parse().ok()?;
        ((1..=4).contains(&number) && (2000..=2100).contains(&year))
            .then_some(Quarter { year, number })
    }

    /// Its first and last days.
    pub fn days(self) -> (Date, Date) {
        let first = Month::try_from(self.number * 3 - 2).expect("quarters are 1-4");
        let last = Month::try_from(self.number * 3).expect("quarters are 1-4");
        let start = Date::from_calendar_date(self.year, first, 1).expect("a valid first day");
        let end = Date::from_calendar_date(self.year, last, last.length(self.year))
            .expect("a valid last day");
        (start, end)
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

/// Where a report stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Awaits review; counts nowhere yet.
    Submitted,
    /// Counts in every figure and export.
    Approved,
    /// Sent back to the shopper with a note; a corrected version may follow.
    Returned,
    /// Never counts; the reason says why.
    Rejected,
}

/// A reviewer's decision on a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// It counts.
    Approve,
    /// Back to the shopper, with a note saying what to correct.
    Return,
    /// It never counts, with a reason.
    Reject,
}

impl Decision {
    /// The report's status after the decision.
    pub fn status(self) -> ReportStatus {
        match self {
            Decision::Approve => ReportStatus::Approved,
            Decision::Return => ReportStatus::Returned,
            Decision::Reject => ReportStatus::Rejected,
        }
    }

    /// The visit's step for the decision.
    pub fn event(self) -> Event {
        match self {
            Decision::Approve => Event::Approve,
            Decision::Return => Event::Return,
            Decision::Reject => Event::Reject,
        }
    }

    /// Whether a note is required: the shopper must know what to correct,
    /// and a rejection is explained.
    pub fn needs_note(self) -> bool {
        !matches!(self, Decision::Approve)
    }
}

/// Longest reviewer's note, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;

/// Body of `POST /api/v1/reports/{id}/review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Approve, return or reject.
    pub decision: Decision,
    /// What to correct (return) or why (reject); optional on approval.
    #[serde(default)]
    pub note: String,
}

/// A report as reviewers list it (`GET /api/v1/reports`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSummary {
    /// The response's id.
    pub id: Uuid,
    /// The visit it reports, if it was assigned one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<Uuid>,
    /// The branch's code.
    pub branch: String,
    /// The questionnaire answered.
    pub questionnaire_id: String,
    /// Its version.
    pub questionnaire_version: u32,
    /// The shopper whose phone sent it; hidden from managers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shopper: Option<String>,
    /// When the shopper submitted it, RFC 3339.
    pub submitted_at: String,
    /// Where it stands.
    pub status: ReportStatus,
    /// The reviewer's note of the last decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The returned report this one corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revises: Option<Uuid>,
    /// The report that corrected this one, once it was returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revised_by: Option<Uuid>,
    /// Photos attached to it.
    #[serde(default)]
    pub evidence: u32,
}

/// A visit's quarterly quota at a branch, and how far it has got
/// (`GET /api/v1/quotas?quarter=2026-Q1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaRow {
    /// The branch's code.
    pub branch: String,
    /// `2026-Q1`.
    pub quarter: String,
    /// Approved visits wanted in the quarter; 0 when none was set.
    pub target: u32,
    /// Visits planned in the quarter (by their window's last day), not cancelled.
    pub planned: u32,
    /// Of those, approved.
    pub approved: u32,
    /// Of those, overdue.
    pub overdue: u32,
}

/// One branch's target in `PUT /api/v1/quotas`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuotaTarget {
    /// The branch's code.
    pub branch: String,
    /// Approved visits wanted, 0–1000.
    pub target: u32,
}

/// Body of `PUT /api/v1/quotas`: set the targets of one quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    /// `2026-Q1`.
    pub quarter: String,
    /// The branches' targets; a branch left out keeps its target.
    pub targets: Vec<QuotaTarget>,
}

/// One decision in a report's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewEvent {
    /// When, RFC 3339 (UTC).
    pub at: String,
    /// Who decided (a user name); hidden from shoppers and managers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// What was decided.
    pub decision: Decision,
    /// The note given with it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A report in full (`GET /api/v1/reports/{id}`): what the reviewer reads,
/// and what a shopper's phone fetches to correct a returned report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportDetail {
    /// Where it stands.
    pub summary: ReportSummary,
    /// The report itself, as stored.
    pub response: crate::Response,
    /// Every version of the same report (the ones it revises and the ones
    /// revising it), oldest first, this one included.
    pub versions: Vec<ReportSummary>,
    /// Its review decisions, oldest first.
    pub history: Vec<ReviewEvent>,
}
