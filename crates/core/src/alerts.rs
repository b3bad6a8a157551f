//! Alert rules: what about a branch's answers (or silence) should reach
//! someone within minutes, and who.
//!
//! A [`Rule`] has a kind with its thresholds, a scope (network, region or
//! branch) and recipients. The server evaluates the rules of a response's
//! branch in the transaction that stores it (a mystery-shop report: the one
//! that approves it, since only then does it count) and keeps at most one
//! alert per rule and [`dedup key`](Alert::key): two replicas, or a device
//! resending a batch, never raise the same alert twice. The judgements
//! themselves are here, pure, so they are tested by hand.

use crate::access::{FieldError, Role, Scope};
use crate::aggregate::{comments_of, satisfaction_of};
use crate::cases::{check_contact, ContactWay, MAX_EMAIL_CHARS};
use crate::protocol::Branch;
use crate::questionnaire::Commitment;
use crate::response::{Channel, Response};
use crate::score::{item_score, score};
use crate::{ProblemCode, Questionnaire};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;
use time::OffsetDateTime;
use uuid::Uuid;

/// What a rule watches, with its thresholds. Read by hand (see
/// [`RuleKind::deserialize`]): serde's own reading of a tagged enum loses
/// the place of a wrong threshold, which a 422 must name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleKind {
    /// At least `share_percent` % of the kiosk's satisfaction answers at a
    /// branch in the last `window_minutes` were `low_max` or less (of 5),
    /// with at least `min_count` answers in that window.
    UnhappyBurst {
        /// 5 to 1440.
        window_minutes: u32,
        /// 1 to 1000.
        min_count: u32,
        /// 1 to 100.
        share_percent: u8,
        /// 1 to 4: answers up to this are unhappy.
        low_max: u8,
    },
    /// An approved mystery-shop report with a critical failure.
    CriticalFailure,
    /// A response (kiosk, or an approved report) missing a service
    /// commitment, e.g. a wait over its target.
    MissedCommitment,
    /// A kiosk satisfaction answer of `low_max` or less with a comment.
    LowScoreComment {
        /// 1 to 4.
        low_max: u8,
    },
    /// An active kiosk that has sent no response for `hours`.
    SilentKiosk {
        /// 1 to 720.
        hours: u32,
    },
    /// A customer asked at the kiosk to be contacted.
    ContactRequest,
}

/// The kind of a rule or alert without its thresholds: what lists show and
/// filter by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// See [`RuleKind::UnhappyBurst`].
    UnhappyBurst,
    /// See [`RuleKind::CriticalFailure`].
    CriticalFailure,
    /// See [`RuleKind::MissedCommitment`].
    MissedCommitment,
    /// See [`RuleKind::LowScoreComment`].
    LowScoreComment,
    /// See [`RuleKind::SilentKiosk`].
    SilentKiosk,
    /// See [`RuleKind::ContactRequest`].
    ContactRequest,
}

impl AlertKind {
    /// Every kind, in the order the admin's form offers them.
    pub const ALL: [AlertKind; 6] = [
        AlertKind::UnhappyBurst,
        AlertKind::CriticalFailure,
        AlertKind::MissedCommitment,
        AlertKind::LowScoreComment,
        AlertKind::SilentKiosk,
        AlertKind::ContactRequest,
    ];

    /// The wire name (`unhappy_burst`, …), also the database's.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::UnhappyBurst => "unhappy_burst",
            AlertKind::CriticalFailure => "critical_failure",
            AlertKind::MissedCommitment => "missed_commitment",
            AlertKind::LowScoreComment => "low_score_comment",
            AlertKind::SilentKiosk => "silent_kiosk",
            AlertKind::ContactRequest => "contact_request",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// The keys of a rule's JSON object.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum RuleField {
    Kind,
    WindowMinutes,
    MinCount,
    SharePercent,
    LowMax,
    Hours,
}

impl RuleField {
    fn name(&self) -> &'static str {
        match self {
            RuleField::Kind => "kind",
            RuleField::WindowMinutes => "window_minutes",
            RuleField::MinCount => "min_count",
            RuleField::SharePercent => "share_percent",
            RuleField::LowMax => "low_max",
            RuleField::Hours => "hours",
        }
    }
}

impl<'de> Deserialize<'de> for RuleKind {
    /// `{"kind": "…", …its thresholds}`, in any order; a threshold of the
    /// wrong type is refused at its own key (`window_minutes: invalid
    /// type…`), as are unknown keys, a key given twice, and a threshold of
    /// another kind of rule.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RuleKind, D::Error> {
        d.deserialize_map(RuleVisitor)
    }
}

struct RuleVisitor;

impl<'de> serde::de::Visitor<'de> for RuleVisitor {
    type Value = RuleKind;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a rule: an object with its \"kind\" and thresholds")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RuleKind, A::Error> {
        use serde::de::Error;
        let mut kind: Option<AlertKind> = None;
        let (mut window_minutes, mut min_count, mut hours) =
            (None::<u32>, None::<u32>, None::<u32>);
        let (mut share_percent, mut low_max) = (None::<u8>, None::<u8>);
        let mut seen = Vec::new();
        while let Some(key) = map.next_key::<RuleField>()? {
            let name = key.name();
            if seen.contains(&name) {
                return Err(A::Error::duplicate_field(name));
            }
            seen.push(name);
            match key {
                RuleField::Kind => kind = Some(map.next_value()?),
                RuleField::WindowMinutes => window_minutes = Some(map.next_value()?),
                RuleField::MinCount => min_count = Some(map.next_value()?),
                RuleField::SharePercent => share_percent = Some(map.next_value()?),
                RuleField::LowMax => low_max = Some(map.next_value()?),
                RuleField::Hours => hours = Some(map.next_value()?),
            }
        }
        let kind = kind.ok_or_else(|| A::Error::missing_field("kind"))?;
        let takes: &'static [&'static str] = match kind {
            AlertKind::UnhappyBurst => &["window_minutes", "min_count", "share_percent", "low_max"],
            AlertKind::LowScoreComment => &["low_max"],
            AlertKind::SilentKiosk => &["hours"],
            _ => &[],
        };
        if let Some(other) = seen.iter().find(|n| **n != "kind" && !takes.contains(n)) {
            return Err(A::Error::unknown_field(other, takes));
        }
        fn needed<T, E: Error>(value: Option<T>, name: &'static str) -> Result<T, E> {
            value.ok_or_else(|| E::missing_field(name))
        }
        Ok(match kind {
            AlertKind::UnhappyBurst => RuleKind::UnhappyBurst {
                window_minutes: needed(window_minutes, "window_minutes")?,
                min_count: needed(min_count, "min_count")?,
                share_percent: needed(share_percent, "share_percent")?,
                low_max: needed(low_max, "low_max")?,
            },
            AlertKind::CriticalFailure => RuleKind::CriticalFailure,
            AlertKind::MissedCommitment => RuleKind::MissedCommitment,
            AlertKind::LowScoreComment => RuleKind::LowScoreComment {
                low_max: needed(low_max, "low_max")?,
            },
            AlertKind::SilentKiosk => RuleKind::SilentKiosk {
                hours: needed(hours, "hours")?,
            },
            AlertKind::ContactRequest => RuleKind::ContactRequest,
        })
    }
}

impl RuleKind {
    /// The kind without its thresholds.
    pub fn kind(&self) -> AlertKind {
        match self {
            RuleKind::UnhappyBurst { .. } => AlertKind::UnhappyBurst,
            RuleKind::CriticalFailure => AlertKind::CriticalFailure,
            RuleKind::MissedCommitment => AlertKind::MissedCommitment,
            RuleKind::LowScoreComment { .. } => AlertKind::LowScoreComment,
            RuleKind::SilentKiosk { .. } => AlertKind::SilentKiosk,
            RuleKind::ContactRequest => AlertKind::ContactRequest,
        }
    }
}

/// Who receives a rule's alerts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Recipients {
    /// Users whose inbox shows the alert: those of these roles whose scope
    /// includes the alert's branch. Admins always see every alert.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Webhooks (`GET /api/v1/webhooks`) the alert is posted to.
    #[serde(default)]
    pub webhooks: Vec<Uuid>,
    /// Addresses the alert is e-mailed to, when the server has SMTP set up.
    #[serde(default)]
    pub emails: Vec<String>,
}

/// Body of `POST /api/v1/alert-rules` and `PUT /api/v1/alert-rules/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRule {
    /// What people call it, 1–80 characters.
    pub name: String,
    /// What it watches, with its thresholds.
    pub rule: RuleKind,
    /// The branches it watches.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub scope: Scope,
    /// Who receives its alerts.
    #[serde(default)]
    pub recipients: Recipients,
    /// Whether it is evaluated.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A rule as `GET /api/v1/alert-rules` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    /// Its id.
    pub id: Uuid,
    /// The rule as set.
    #[serde(flatten)]
    pub def: NewRule,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// Longest rule name, in characters.
pub const MAX_RULE_NAME_CHARS: usize = 80;
/// Most e-mail addresses or webhooks one rule sends to.
pub const MAX_TARGETS: usize = 20;

/// The thresholds' ranges (as [`RuleKind`] documents them): what
/// [`NewRule::check`] accepts and the admin's form offers.
pub const WINDOW_MINUTES: RangeInclusive<u32> = 5..=1440;
/// See [`WINDOW_MINUTES`].
pub const MIN_COUNT: RangeInclusive<u32> = 1..=1000;
/// See [`WINDOW_MINUTES`].
pub const SHARE_PERCENT: RangeInclusive<u8> = 1..=100;
/// See [`WINDOW_MINUTES`]: a 5 is never unhappy.
pub const LOW_MAX: RangeInclusive<u8> = 1..=4;
/// See [`WINDOW_MINUTES`]: an hour to a month.
pub const SILENT_HOURS: RangeInclusive<u32> = 1..=720;

fn refused(field: &'static str, code: ProblemCode, problem: impl Into<String>) -> FieldError {
    FieldError {
        field,
        code,
        problem: problem.into(),
    }
}

fn within<T: PartialOrd + std::fmt::Display>(
    field: &'static str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<(), FieldError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(refused(
            field,
            ProblemCode::OutOfRange,
            format!("must be {} to {}, not {value}", range.start(), range.end()),
        ))
    }
}

impl NewRule {
    /// What is wrong with this rule, given the branches that exist: the
    /// name (1–[`MAX_RULE_NAME_CHARS`] characters, no control characters),
    /// each threshold in its range, a scope naming a branch or region that
    /// exists, and at most [`MAX_TARGETS`] e-mail addresses and as many
    /// webhooks, each address well formed. (Roles need no check: only the
    /// four roles can be read.) Whether the webhooks exist is for the
    /// server to say.
    pub fn check(&self, branches: &[Branch]) -> Result<(), FieldError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(refused("name", ProblemCode::Empty, "must not be empty"));
        }
        if self.name.chars().count() > MAX_RULE_NAME_CHARS {
            return Err(refused(
                "name",
                ProblemCode::TooLong,
                format!("must be at most {MAX_RULE_NAME_CHARS} characters"),
            ));
        }
        if self.name.chars().any(char::is_control) {
            return Err(refused(
                "name",
                ProblemCode::ControlCharacters,
                "must not contain control characters",
            ));
        }
        match self.rule {
            RuleKind::UnhappyBurst {
                window_minutes,
                min_count,
                share_percent,
                low_max,
            } => {
                within("rule.window_minutes", window_minutes, WINDOW_MINUTES)?;
                within("rule.min_count", min_count, MIN_COUNT)?;
                within("rule.share_percent", share_percent, SHARE_PERCENT)?;
                within("rule.low_max", low_max, LOW_MAX)?;
            }
            RuleKind::LowScoreComment { low_max } => within("rule.low_max", low_max, LOW_MAX)?,
            RuleKind::SilentKiosk { hours } => within("rule.hours", hours, SILENT_HOURS)?,
            RuleKind::CriticalFailure | RuleKind::MissedCommitment | RuleKind::ContactRequest => {}
        }
        match &self.scope {
            Scope::All => {}
            Scope::Region(region) => {
                if !branches.iter().any(|b| &b.region == region) {
                    return Err(refused(
                        "scope",
                        ProblemCode::UnknownRegion,
                        format!("no branch is in region \"{region}\""),
                    ));
                }
            }
            Scope::Branch(code) => {
                if !branches.iter().any(|b| &b.code == code) {
                    return Err(refused(
                        "scope",
                        ProblemCode::UnknownBranch,
                        format!("no branch \"{code}\""),
                    ));
                }
            }
        }
        let r = &self.recipients;
        for (field, n) in [
            ("recipients.emails", r.emails.len()),
            ("recipients.webhooks", r.webhooks.len()),
        ] {
            if n > MAX_TARGETS {
                return Err(refused(
                    field,
                    ProblemCode::TooMany,
                    format!("has {n} entries; at most {MAX_TARGETS} are allowed"),
                ));
            }
        }
        for (i, email) in r.emails.iter().enumerate() {
            // Stored as sent: an address with spaces around it is refused
            // rather than trimmed, so what the admin reads is what is used.
            let problem = match check_contact(ContactWay::Email, email) {
                Ok(trimmed) if trimmed == *email => continue,
                Ok(_) => (ProblemCode::BadEmail, "has spaces around it".to_owned()),
                Err(ProblemCode::TooLong) => (
                    ProblemCode::TooLong,
                    format!("is longer than {MAX_EMAIL_CHARS} characters"),
                ),
                Err(ProblemCode::Empty) => (ProblemCode::Empty, "is empty".to_owned()),
                Err(code) => (
                    code,
                    "is not an e-mail address such as name@example.com".into(),
                ),
            };
            return Err(refused(
                "recipients.emails",
                problem.0,
                format!("entry {} {}", i + 1, problem.1),
            ));
        }
        Ok(())
    }
}

impl Rule {
    /// Whether the rule is on and watches `branch`.
    pub fn covers(&self, branch: &Branch) -> bool {
        self.def.active && self.def.scope.allows(branch)
    }
}

/// Whether a user of `role` reading `scope` sees an alert of the rule
/// `def` about `branch` in their inbox: admins see every alert; anyone
/// else those of rules naming their role, for branches they read.
pub fn visible(role: Role, scope: &Scope, def: &NewRule, branch: &Branch) -> bool {
    role == Role::Admin || (def.recipients.roles.contains(&role) && scope.allows(branch))
}

/// What a rule's alert found, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// `low` of the `n` satisfaction answers in the `window_minutes` to
    /// `until` were unhappy.
    UnhappyBurst {
        /// Answers in the window.
        n: u32,
        /// Unhappy ones among them.
        low: u32,
        /// The rule's window.
        window_minutes: u32,
        /// The window's end (the response that tipped it), RFC 3339.
        until: String,
    },
    /// The critical items the visit failed.
    CriticalFailure {
        /// Item ids.
        items: Vec<String>,
    },
    /// The commitments the response missed.
    MissedCommitment {
        /// Item ids.
        items: Vec<String>,
    },
    /// An unhappy answer with its comment.
    LowScoreComment {
        /// The satisfaction answer, 1–5.
        score: u8,
        /// The customer's comment.
        comment: String,
    },
    /// A kiosk has been silent since `since`.
    SilentKiosk {
        /// The device's name.
        device: String,
        /// Its last response, or its enrolment, RFC 3339.
        since: String,
    },
    /// A customer asked to be contacted (the details are on the case, for
    /// its owner and admins only).
    ContactRequest,
}

/// An alert as an inbox lists it (`GET /api/v1/alerts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    /// Its id.
    pub id: Uuid,
    /// The rule that raised it.
    pub rule: Uuid,
    /// The rule's name when it was raised.
    pub rule_name: String,
    /// The branch's code.
    pub branch: String,
    /// When it was raised, RFC 3339 (UTC).
    pub raised_at: String,
    /// What was found.
    pub finding: Finding,
    /// The response it is about, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Uuid>,
    /// Whether the reader has opened it.
    pub read: bool,
    /// The case made of it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<Uuid>,
}

/// Alerts listed per page when `limit` is not given.
pub const PAGE: u32 = 50;
/// The most alerts one page may list.
pub const MAX_PAGE: u32 = 200;

/// `GET /api/v1/alerts/unread`: what the frame's badge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unread {
    /// Alerts in the reader's inbox not yet opened.
    pub count: u32,
}

/// What one stored response shows the per-response rules: the facts they
/// judge, worked out by the caller from the response and its questionnaire.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// The kiosk's overall-satisfaction answer (1–5), if given.
    pub satisfaction: Option<u8>,
    /// The response's comments, joined, trimmed; empty when none.
    pub comment: String,
    /// Critical items failed (approved mystery-shop reports).
    pub critical: Vec<String>,
    /// Commitment items answered and not met.
    pub missed: Vec<String>,
}

impl Observed {
    /// What `response` shows the rules, read with `q`, the questionnaire
    /// version it answered: the kiosk's satisfaction answer (the CSAT item,
    /// [`crate::aggregate::csat_item`], when shown), its comments, a report's critical
    /// failures (as [`score`] finds them) and every commitment item shown,
    /// answered and scored under [`Commitment::MET_SCORE`] (what the
    /// scorecard counts as not met), in questionnaire order.
    pub fn of(q: &Questionnaire, response: &Response) -> Observed {
        let shown = q.shown(&response.answers);
        let satisfaction =
            satisfaction_of(q, response).filter(|_| response.channel == Channel::Kiosk);
        let comment = comments_of(response)
            .iter()
            .map(|c| c.text.trim())
            .collect::<Vec<_>>()
            .join("\n");
        let critical = match response.channel {
            Channel::MysteryShop => score(q, &response.answers).critical_failures,
            Channel::Kiosk => Vec::new(),
        };
        let missed = q
            .items()
            .filter(|i| i.commitment.is_some() && shown.contains(i.id.as_str()))
            .filter(|i| {
                response
                    .answers
                    .get(&i.id)
                    .and_then(|a| item_score(i, a))
                    .is_some_and(|s| s < Commitment::MET_SCORE)
            })
            .map(|i| i.id.clone())
            .collect();
        Observed {
            satisfaction,
            comment,
            critical,
            missed,
        }
    }
}

/// Whether `rule` fires on a response showing `seen`, and what it found.
/// The unhappy burst, silence and contact requests are judged elsewhere
/// ([`burst`], [`silent`]); they never fire here.
pub fn judge(rule: &RuleKind, seen: &Observed) -> Option<Finding> {
    match rule {
        RuleKind::CriticalFailure if !seen.critical.is_empty() => Some(Finding::CriticalFailure {
            items: seen.critical.clone(),
        }),
        RuleKind::MissedCommitment if !seen.missed.is_empty() => Some(Finding::MissedCommitment {
            items: seen.missed.clone(),
        }),
        RuleKind::LowScoreComment { low_max } => match seen.satisfaction {
            Some(score) if score <= *low_max && !seen.comment.is_empty() => {
                Some(Finding::LowScoreComment {
                    score,
                    comment: seen.comment.clone(),
                })
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether the satisfaction answers of a burst window (`answers`, 1–5,
/// those submitted in `(until − window, until]`) make an unhappy burst.
/// `share_percent` is compared exactly: `low × 100 ≥ share × n`.
pub fn burst(rule: &RuleKind, answers: &[u8], until: OffsetDateTime) -> Option<Finding> {
    let RuleKind::UnhappyBurst {
        window_minutes,
        min_count,
        share_percent,
        low_max,
    } = *rule
    else {
        return None;
    };
    let n = answers.len() as u64;
    let low = answers.iter().filter(|&&a| a <= low_max).count() as u64;
    (n >= u64::from(min_count) && n > 0 && low * 100 >= u64::from(share_percent) * n).then(|| {
        Finding::UnhappyBurst {
            n: n as u32,
            low: low as u32,
            window_minutes,
            until: rfc3339(until),
        }
    })
}

/// The unhappy bursts that new answers may have made: `answers` are the
/// branch's satisfaction answers (submitted at, 1–5) around the new ones,
/// at least from a window before the earliest new answer to a window after
/// the latest, and `new` the submission times of the answers just stored.
/// A new answer is in every window ending at it or at a later answer less
/// than a window after it, so each of those ends is judged with
/// [`burst`]; one finding per window that is a burst, by its end, earliest
/// first. (An answer that arrives late, after later ones, can make a burst
/// of a window ending at one of those.)
pub fn bursts(
    rule: &RuleKind,
    answers: &[(OffsetDateTime, u8)],
    new: &[OffsetDateTime],
) -> Vec<(OffsetDateTime, Finding)> {
    let RuleKind::UnhappyBurst { window_minutes, .. } = *rule else {
        return Vec::new();
    };
    let window = time::Duration::minutes(i64::from(window_minutes));
    let mut answers = answers.to_vec();
    answers.sort();
    let mut ends: Vec<OffsetDateTime> = answers
        .iter()
        .map(|(at, _)| *at)
        .filter(|at| new.iter().any(|t| t <= at && *at < *t + window))
        .chain(new.iter().copied())
        .collect();
    ends.sort();
    ends.dedup();
    ends.into_iter()
        .filter_map(|end| {
            let inside: Vec<u8> = answers
                .iter()
                .filter(|(at, _)| end - window < *at && *at <= end)
                .map(|(_, score)| *score)
                .collect();
            burst(rule, &inside, end).map(|f| (end, f))
        })
        .collect()
}

/// The burst window's key: one alert per rule, branch and window of the
/// clock (`window_minutes` long, counted from the Unix epoch), so a long
/// burst raises one alert per window, not one per answer.
pub fn burst_key(branch: &str, until: OffsetDateTime, window_minutes: u32) -> String {
    let minutes = until.unix_timestamp().div_euclid(60);
    let slot = minutes.div_euclid(i64::from(window_minutes.max(1)));
    format!("burst:{branch}:{slot}")
}

/// Whether a kiosk last heard from at `since` has been silent `hours` by `now`.
pub fn silent(since: OffsetDateTime, now: OffsetDateTime, hours: u32) -> bool {
    now - since >= time::Duration::hours(i64::from(hours))
}

/// The key of a silence: one alert per device and stretch of silence (a
/// new response starts a new stretch).
pub fn silent_key(device: &str, since: OffsetDateTime) -> String {
    format!("silent:{device}:{}", since.unix_timestamp())
}

/// The key of a per-response alert: one per rule and response.
pub fn response_key(response: Uuid) -> String {
    format!("response:{response}")
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
