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

use crate::access::{Role, Scope};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// What a rule watches, with its thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
