//! Follow-up cases, and the customer's request to be contacted.
//!
//! An alert may become a case: someone owns it, by a due date, writes notes
//! and moves it open → in progress → resolved → customer informed. A
//! customer who asked at the kiosk to be contacted leaves a phone number or
//! an e-mail address; it is kept apart from the answers, shown only to the
//! case's owner and admins, and erased a set time after the case closes.

use crate::access::{FieldError, Role, User};
use crate::problem::ProblemCode;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Made, nobody working on it yet.
    Open,
    /// Its owner is working on it.
    InProgress,
    /// The cause is dealt with.
    Resolved,
    /// The customer was told what was done: the case is closed.
    CustomerInformed,
}

impl CaseStatus {
    /// Every status, in a case's order.
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Open,
        CaseStatus::InProgress,
        CaseStatus::Resolved,
        CaseStatus::CustomerInformed,
    ];

    /// The wire name, also the database's.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Resolved => "resolved",
            CaseStatus::CustomerInformed => "customer_informed",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether someone still has to act: such a case may be overdue.
    pub fn is_pending(self) -> bool {
        matches!(self, CaseStatus::Open | CaseStatus::InProgress)
    }
}

/// Whether a case may go from `from` to `to`. Forward one step, or from
/// open straight to resolved; a resolved case may be reopened (in
/// progress) until the customer is informed, which closes it.
pub fn may_move(from: CaseStatus, to: CaseStatus) -> bool {
    use CaseStatus as S;
    matches!(
        (from, to),
        (S::Open, S::InProgress)
            | (S::Open | S::InProgress, S::Resolved)
            | (S::Resolved, S::CustomerInformed | S::InProgress)
    )
}

/// Whether a case due on `due` is overdue on `today`.
pub fn is_overdue(status: CaseStatus, due: Date, today: Date) -> bool {
    status.is_pending() && due < today
}

/// Why a case that is `from` may not go to `to`, in English, naming the
/// steps it may take; `None` when it may ([`may_move`]).
pub fn step_refusal(from: CaseStatus, to: CaseStatus) -> Option<String> {
    if may_move(from, to) {
        return None;
    }
    let next: Vec<&str> = CaseStatus::ALL
        .into_iter()
        .filter(|s| may_move(from, *s))
        .map(CaseStatus::as_str)
        .collect();
    let from_name = from.as_str();
    Some(if next.is_empty() {
        format!(
            "status: the case is {from_name}, which closes it; it cannot go to {}",
            to.as_str()
        )
    } else if from == to {
        format!(
            "status: the case is already {from_name}; it may go to {}",
            next.join(" or ")
        )
    } else {
        format!(
            "status: a case that is {from_name} cannot go to {}; it may go to {}",
            to.as_str(),
            next.join(" or ")
        )
    })
}

/// Whether `user` may own a case at a branch their scope includes
/// (`in_scope`): an active branch manager, regional manager or admin.
/// Reviewers run the mystery-shop programme and follow up nothing.
pub fn may_own(user: &User, in_scope: bool) -> bool {
    user.active && matches!(user.role, Role::Admin | Role::Regional | Role::Manager) && in_scope
}

/// Whether `user` may make or change a case owned by `owner` at a branch
/// their scope includes or not (`in_scope`): its owner, any admin, and the
/// branch's managers and regional managers (so a case does not wait on an
/// owner who is away). Reviewers and managers of other branches may not.
pub fn may_change(user: &User, owner: Uuid, in_scope: bool) -> bool {
    user.id == owner
        || user.role == Role::Admin
        || (matches!(user.role, Role::Regional | Role::Manager) && in_scope)
}

/// Whether `user` may read the customer's contact details on a case owned
/// by `owner`: only its owner and admins, whoever else sees the case.
pub fn may_see_contact(user: &User, owner: Uuid) -> bool {
    user.id == owner || user.role == Role::Admin
}

/// How far ahead of today a due date may be set, in days.
pub const MAX_DUE_DAYS: i64 = 366;

/// A due date as typed, checked: `YYYY-MM-DD`, not before the day the
/// alert was raised (`alert_day`) and at most [`MAX_DUE_DAYS`] after
/// `today`.
pub fn check_due(due: &str, alert_day: Date, today: Date) -> Result<Date, FieldError> {
    let day = crate::day::parse(due.trim()).ok_or_else(|| FieldError {
        field: "due",
        code: ProblemCode::BadDate,
        problem: format!("\"{due}\" is not a date; use YYYY-MM-DD"),
    })?;
    let latest = today.checked_add(time::Duration::days(MAX_DUE_DAYS));
    if day < alert_day || latest.is_some_and(|latest| day > latest) {
        return Err(FieldError {
            field: "due",
            code: ProblemCode::DueOutOfRange,
            problem: format!(
                "{day} is not between the alert's day ({alert_day}) and {MAX_DUE_DAYS} days from today"
            ),
        });
    }
    Ok(day)
}

/// A note as typed, checked: plain text of at most
/// [`MAX_CASE_NOTE_CHARS`] characters, trimmed; `None` when blank.
pub fn check_note(note: &str) -> Result<Option<String>, FieldError> {
    let note = note.trim();
    if let Err(e) = crate::text::check_plain("note", note) {
        return Err(FieldError {
            field: "note",
            code: e.code(),
            problem: e.reason(),
        });
    }
    let n = note.chars().count();
    if n > MAX_CASE_NOTE_CHARS {
        return Err(FieldError {
            field: "note",
            code: ProblemCode::TooLong,
            problem: format!("is {n} characters long; the longest is {MAX_CASE_NOTE_CHARS}"),
        });
    }
    Ok((!note.is_empty()).then(|| note.to_owned()))
}

/// What a [`NewCase`] asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCase {
    /// The due date.
    pub due: Date,
    /// The first note, if one was written.
    pub note: Option<String>,
}

/// Check a new case's due date and note against the day its alert was
/// raised and `today`. The alert and the owner are checked by the server,
/// which knows them.
pub fn check_new_case(
    new: &NewCase,
    alert_day: Date,
    today: Date,
) -> Result<CheckedCase, FieldError> {
    Ok(CheckedCase {
        due: check_due(&new.due, alert_day, today)?,
        note: check_note(&new.note)?,
    })
}

/// What a [`CaseChange`] asks for, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedChange {
    /// A new owner (to be checked by the server with [`may_own`]).
    pub owner: Option<Uuid>,
    /// A new due date.
    pub due: Option<Date>,
    /// The next status (to be checked with [`may_move`]).
    pub status: Option<CaseStatus>,
    /// A note to add.
    pub note: Option<String>,
}

impl CaseChange {
    /// Whether it names nothing to change.
    pub fn is_empty(&self) -> bool {
        self.owner.is_none() && self.due.is_none() && self.status.is_none() && self.note.is_none()
    }
}

/// Check a change's due date and note (a note sent must say something).
pub fn check_change(
    change: &CaseChange,
    alert_day: Date,
    today: Date,
) -> Result<CheckedChange, FieldError> {
    let due = change
        .due
        .as_deref()
        .map(|d| check_due(d, alert_day, today))
        .transpose()?;
    let note = match change.note.as_deref() {
        None => None,
        Some(text) => Some(check_note(text)?.ok_or_else(|| FieldError {
            field: "note",
            code: ProblemCode::Empty,
            problem: "is empty; write the note, or leave the field out".into(),
        })?),
    };
    Ok(CheckedChange {
        owner: change.owner,
        due,
        status: change.status,
        note,
    })
}

/// What the case counts need of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    /// Where it stands.
    pub status: CaseStatus,
    /// When it is due.
    pub due: Date,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was first resolved, if it was.
    pub resolved_at: Option<OffsetDateTime>,
}

/// The counts of `cases`, all at `branch`, on `today`: how many stand at
/// each status, how many are overdue, and the median hours from making to
/// first resolution over those resolved or closed (a case reopened since
/// is not counted until it is resolved again).
pub fn tally(branch: &str, cases: &[CaseFacts], today: Date) -> CaseCounts {
    let count = |status: CaseStatus| cases.iter().filter(|c| c.status == status).count() as u32;
    let mut hours: Vec<f64> = cases
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                CaseStatus::Resolved | CaseStatus::CustomerInformed
            )
        })
        .filter_map(|c| {
            c.resolved_at
                .map(|r| (r - c.created_at).as_seconds_f64() / 3600.0)
        })
        .collect();
    CaseCounts {
        branch: branch.to_owned(),
        open: count(CaseStatus::Open),
        in_progress: count(CaseStatus::InProgress),
        overdue: cases
            .iter()
            .filter(|c| is_overdue(c.status, c.due, today))
            .count() as u32,
        resolved: count(CaseStatus::Resolved),
        informed: count(CaseStatus::CustomerInformed),
        median_hours_to_resolve: crate::stats::median(&mut hours),
    }
}

/// Body of `POST /api/v1/cases`: make a case of an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// The alert it follows up (one case per alert).
    pub alert: Uuid,
    /// The user who owns it (a manager, regional manager or admin whose
    /// scope includes the alert's branch).
    pub owner: Uuid,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// A first note, optional.
    #[serde(default)]
    pub note: String,
}

/// Body of `PATCH /api/v1/cases/{id}`: any of the fields, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseChange {
    /// A new owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Uuid>,
    /// A new due date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The next status (see [`may_move`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CaseStatus>,
    /// A note to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Longest case note, in characters.
pub const MAX_CASE_NOTE_CHARS: usize = 2000;

/// One entry of a case's history: a note or a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    /// When, RFC 3339 (UTC).
    pub at: String,
    /// Who (a user name).
    pub by: String,
    /// What changed: `created`, `status`, `owner`, `due` or `note`.
    pub what: String,
    /// The new value or the note's text.
    pub text: String,
}

/// A case as its list and page show it (`GET /api/v1/cases`, `GET
/// /api/v1/cases/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    /// Its id.
    pub id: Uuid,
    /// The alert it follows up.
    pub alert: crate::alerts::Alert,
    /// The branch's code.
    pub branch: String,
    /// The owner's id.
    pub owner: Uuid,
    /// The owner's user name.
    pub owner_name: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// Due before today and still open or in progress.
    pub overdue: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When it was (last) resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    /// When the customer was informed (the case closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informed_at: Option<String>,
    /// Whether the customer left contact details (true even when the
    /// reader may not see them).
    pub has_contact: bool,
    /// The details, for the case's owner and admins only, until erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Notes and changes, oldest first (on the case's page only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<CaseEvent>,
}

/// Cases at one branch (`GET /api/v1/cases/stats`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseCounts {
    /// The branch's code.
    pub branch: String,
    /// Open.
    pub open: u32,
    /// In progress.
    pub in_progress: u32,
    /// Open or in progress and past due.
    pub overdue: u32,
    /// Resolved (the customer not yet informed).
    pub resolved: u32,
    /// Closed: the customer was informed.
    pub informed: u32,
    /// Median hours from the case's making to its (first) resolution, over
    /// the resolved and closed ones; none when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_hours_to_resolve: Option<f64>,
}

/// How a customer wants to be contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactWay {
    /// By telephone.
    Phone,
    /// By e-mail.
    Email,
}

/// A customer's contact details, as the case's owner reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    /// Phone or e-mail.
    pub way: ContactWay,
    /// The number or address, as checked by [`check_contact`].
    pub value: String,
    /// The language the customer used, so the call is in it.
    pub locale: crate::Locale,
}

/// Body of `POST /api/v1/contacts`, sent by the kiosk after the response
/// it belongs to (with the device's token). Kept apart from the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    /// Made on the device: a resend is harmless.
    pub id: Uuid,
    /// The response the customer had just given.
    pub response: Uuid,
    /// Phone or e-mail.
    pub way: ContactWay,
    /// The number or address.
    pub value: String,
    /// The customer's language.
    pub locale: crate::Locale,
}

/// Longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// Longest phone number as typed: E.164's 15 digits leave room for a `+`,
/// spaces, dashes and brackets; more is padding, never a number.
pub const MAX_PHONE_CHARS: usize = 32;

/// A phone number or e-mail address as the customer typed it, or what is
/// wrong with it. A phone number keeps its `+`, digits, spaces, `-`, `(`,
/// `)` and `.`, has 6 to 15 digits (E.164's longest) and at most
/// [`MAX_PHONE_CHARS`] characters in all; an address has
/// one `@`, something before it, and a dotted domain after it, no spaces.
/// The trimmed value.
pub fn check_contact(way: ContactWay, value: &str) -> Result<String, ProblemCode> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ProblemCode::Empty);
    }
    match way {
        ContactWay::Phone => {
            let allowed = value
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
            let digits = value.chars().filter(char::is_ascii_digit).count();
            let plus_first = value.rfind('+').is_none_or(|i| i == 0);
            let short = value.chars().count() <= MAX_PHONE_CHARS;
            if !allowed || !plus_first || !short || !(6..=15).contains(&digits) {
                return Err(ProblemCode::BadPhone);
            }
        }
        ContactWay::Email => {
            if value.chars().count() > MAX_EMAIL_CHARS {
                return Err(ProblemCode::TooLong);
            }
            let ok = match value.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
                }
                None => false,
            };
            if !ok {
                return Err(ProblemCode::BadEmail);
            }
        }
    }
    Ok(value.to_owned())
}
