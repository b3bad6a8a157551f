//! Alerts and follow-up cases in the reader's words: an alert's kind and
//! what it found, a rule's thresholds, a case's status and the steps it may
//! take next, which cases a list keeps, times to resolve. Shared by the
//! dashboard's inbox and cases and the admin's rules; pure, so the browser
//! tests check them by hand.

use crate::i18n::{text, Key};
use branchpulse_core::alerts::{AlertKind, Finding, RuleKind};
use branchpulse_core::cases::{may_move, Case, CaseStatus};
use branchpulse_core::collect;
use branchpulse_core::Locale;

/// What an alert kind is called.
pub fn alert_kind_key(k: AlertKind) -> Key {
    match k {
        AlertKind::UnhappyBurst => Key::AlKindUnhappyBurst,
        AlertKind::CriticalFailure => Key::AlKindCriticalFailure,
        AlertKind::MissedCommitment => Key::AlKindMissedCommitment,
        AlertKind::LowScoreComment => Key::AlKindLowScoreComment,
        AlertKind::SilentKiosk => Key::AlKindSilentKiosk,
        AlertKind::ContactRequest => Key::AlKindContactRequest,
    }
}

/// The kind of what an alert found.
pub fn finding_kind(f: &Finding) -> AlertKind {
    match f {
        Finding::UnhappyBurst { .. } => AlertKind::UnhappyBurst,
        Finding::CriticalFailure { .. } => AlertKind::CriticalFailure,
        Finding::MissedCommitment { .. } => AlertKind::MissedCommitment,
        Finding::LowScoreComment { .. } => AlertKind::LowScoreComment,
        Finding::SilentKiosk { .. } => AlertKind::SilentKiosk,
        Finding::ContactRequest => AlertKind::ContactRequest,
    }
}

/// What an alert found, in `l`: "6 of 10 answers unhappy in 30 min".
/// `item` names an item id (its text where the reader has it).
pub fn describe_finding(f: &Finding, l: Locale, item: &dyn Fn(&str) -> String) -> String {
    let items = |ids: &[String]| {
        ids.iter()
            .map(|i| item(i))
            .collect::<Vec<_>>()
            .join(text(l, Key::WinListJoin))
    };
    match f {
        Finding::UnhappyBurst {
            n,
            low,
            window_minutes,
            ..
        } => text(l, Key::AlFindBurst)
            .replace("{low}", &low.to_string())
            .replace("{n}", &n.to_string())
            .replace("{m}", &window_minutes.to_string()),
        Finding::CriticalFailure { items: ids } => {
            text(l, Key::AlFindCritical).replace("{items}", &items(ids))
        }
        Finding::MissedCommitment { items: ids } => {
            text(l, Key::AlFindMissed).replace("{items}", &items(ids))
        }
        Finding::LowScoreComment { score, comment } => text(l, Key::AlFindLowScore)
            .replace("{score}", &score.to_string())
            .replace("{comment}", comment),
        Finding::SilentKiosk { device, since } => text(l, Key::AlFindSilent)
            .replace("{device}", device)
            .replace("{since}", &local_time(since)),
        Finding::ContactRequest => text(l, Key::AlFindContact).to_string(),
    }
}

/// A rule's thresholds in words, in `l`; `None` for kinds without any.
pub fn describe_rule(rule: &RuleKind, l: Locale) -> Option<String> {
    Some(match *rule {
        RuleKind::UnhappyBurst {
            window_minutes,
            min_count,
            share_percent,
            low_max,
        } => text(l, Key::RuleBurstSays)
            .replace("{share}", &share_percent.to_string())
            .replace("{min}", &min_count.to_string())
            .replace("{low}", &low_max.to_string())
            .replace("{m}", &window_minutes.to_string()),
        RuleKind::LowScoreComment { low_max } => {
            text(l, Key::RuleLowSays).replace("{low}", &low_max.to_string())
        }
        RuleKind::SilentKiosk { hours } => {
            text(l, Key::RuleSilentSays).replace("{h}", &hours.to_string())
        }
        _ => return None,
    })
}

/// What a case status is called.
pub fn case_status_key(s: CaseStatus) -> Key {
    match s {
        CaseStatus::Open => Key::CaseOpen,
        CaseStatus::InProgress => Key::CaseInProgress,
        CaseStatus::Resolved => Key::CaseResolved,
        CaseStatus::CustomerInformed => Key::CaseInformed,
    }
}

/// The steps a case at `from` may take (core's `may_move`), forward ones
/// first, each with its button's words.
pub fn case_steps(from: CaseStatus) -> Vec<(CaseStatus, Key)> {
    let mut steps: Vec<(CaseStatus, Key)> = CaseStatus::ALL
        .into_iter()
        .filter(|to| may_move(from, *to))
        .map(|to| {
            let key = match to {
                CaseStatus::InProgress if from == CaseStatus::Resolved => Key::CaseStepReopen,
                CaseStatus::InProgress => Key::CaseStepStart,
                CaseStatus::Resolved => Key::CaseStepResolve,
                _ => Key::CaseStepInform,
            };
            (to, key)
        })
        .collect();
    // Reopening goes back: offered after the step forward.
    collect::sort_by_key(&mut steps, |(to, _)| *to < from);
    steps
}

/// Which cases the list asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only the reader's own.
    pub mine: bool,
    pub status: Option<CaseStatus>,
    pub overdue: bool,
}

impl CaseFilter {
    /// The query of `GET /api/v1/cases` (without `?`): the server filters.
    pub fn query(&self) -> String {
        let mut q = Vec::new();
        if self.mine {
            q.push("owner=me".to_string());
        }
        if let Some(s) = self.status {
            q.push(format!("status={}", s.as_str()));
        }
        if self.overdue {
            q.push("overdue=true".into());
        }
        q.join("&")
    }
}

/// Cases in the order a list shows them: those still to act on first,
/// soonest due first; then resolved, then closed ones, latest first.
pub fn sort_cases(cases: &mut [Case]) {
    let rank = |c: &Case| match c.status {
        CaseStatus::Open | CaseStatus::InProgress => 0,
        CaseStatus::Resolved => 1,
        CaseStatus::CustomerInformed => 2,
    };
    let before = |a: &Case, b: &Case| match rank(a).cmp(&rank(b)) {
        std::cmp::Ordering::Equal if rank(a) == 0 => a.due < b.due,
        std::cmp::Ordering::Equal => a.created_at > b.created_at,
        o => o.is_lt(),
    };
    // An insertion sort: a reader's cases are few, and the standard sorts
    // cost the bundle about 8 KB of wasm per type they sort.
    for i in 1..cases.len() {
        let mut j = i;
        while j > 0 && before(&cases[j], &cases[j - 1]) {
            cases.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// A time to resolve: hours under two days (one decimal under ten),
/// else days with one decimal.
pub fn duration_words(hours: f64, l: Locale) -> String {
    let one = |v: f64| {
        let tenths = (v * 10.0).round() as i64;
        if tenths % 10 == 0 {
            (tenths / 10).to_string()
        } else {
            format!("{}.{}", tenths / 10, tenths % 10)
        }
    };
    if hours < 10.0 {
        text(l, Key::CaseHours).replace("{n}", &one(hours))
    } else if hours < 48.0 {
        text(l, Key::CaseHours).replace("{n}", &(hours.round() as i64).to_string())
    } else {
        text(l, Key::CaseDays).replace("{n}", &one(hours / 24.0))
    }
}

/// An RFC 3339 instant as `YYYY-MM-DD HH:MM` in the browser's time zone;
/// the text itself when it is not one.
pub fn local_time(at: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(at));
    if d.get_time().is_nan() {
        return at.to_string();
    }
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The badge's refresh interval: `poll=<seconds>` in the page's query
/// (1–3600; the tests set it low), else a minute.
pub fn poll_ms(query: &str) -> u32 {
    query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("poll="))
        .and_then(|s| s.parse::<u32>().ok())
        .filter(|s| (1..=3600).contains(s))
        .map_or(60_000, |s| s * 1000)
}
