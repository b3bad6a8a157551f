//! Checking a response against the questionnaire it answers.
//!
//! The server runs this on every response it receives, and the app runs it
//! before a response enters the outbox, so both refuse the same things with
//! the same words. Every problem names the field it is about
//! (`answers.q3`, `submitted_at`), so a rejected response can be fixed or
//! explained without guessing.

use crate::questionnaire::{Kind, Questionnaire};
use crate::response::{Answer, Channel, Response, VisitTimes, YesNo};
use crate::text;
use std::borrow::Cow;
use time::{Duration, OffsetDateTime};

/// Longest free-text comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// Longest device id and branch code, in characters.
pub const MAX_ID_CHARS: usize = 128;
/// How many days before the server's clock a response may be dated, unless
/// the server is told otherwise (see [`Rules::max_age`]).
pub const DEFAULT_MAX_AGE_DAYS: u32 = 400;

/// One thing wrong with a response; `field` names it (`answers.q3`, `submitted_at`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Problem {
    /// The field at fault, e.g. `answers.q3`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
    /// Final, or gone once the clock has caught up.
    pub kind: ProblemKind,
}

/// Whether a problem is final or goes away by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// The response is wrong as it is: only changing it would help.
    Invalid,
    /// A timestamp is ahead of the checker's clock by more than the skew
    /// allowed. The same response is right later, once that clock has
    /// caught up (or the device's clock was corrected).
    InTheFuture,
}

impl Problem {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            field: field.into(),
            message: message.into(),
            kind: ProblemKind::Invalid,
        }
    }

    fn in_the_future(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            kind: ProblemKind::InTheFuture,
            ..Problem::new(field, message)
        }
    }
}

/// Whether `problems` (of one response) all go away by themselves: the
/// response is refused only for being dated in the future, so it is to be
/// sent again later rather than set aside.
pub fn only_in_the_future(problems: &[Problem]) -> bool {
    !problems.is_empty() && problems.iter().all(|p| p.kind == ProblemKind::InTheFuture)
}

/// What validation needs from outside: the caller's clock and its tolerance.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// The checker's clock.
    pub now: OffsetDateTime,
    /// How far in the future a device clock may be before timestamps are refused.
    pub max_clock_skew: Duration,
    /// How far in the past a timestamp may be. Older ones come from a device
    /// whose clock was reset (to 1970, say), not from a real visit: taken in,
    /// they would stretch every dashboard over decades.
    pub max_age: Duration,
}

/// Check `r` against `q` (the questionnaire id+version it names).
///
/// Every problem is reported, not just the first, in a fixed order: the
/// response's own fields, then answers in questionnaire order, then
/// comments and visit times. A response holding control characters is
/// refused for those alone ([`check_strings`]), so that no message repeats
/// them.
pub fn validate(q: &Questionnaire, r: &Response, rules: &Rules) -> Result<(), Vec<Problem>> {
    check_strings(r)?;
    let mut problems = Vec::new();
    envelope(q, r, &mut problems);
    times(r, rules, &mut problems);
    answers(q, r, &mut problems);
    comments(q, r, &mut problems);
    if let Some(visit) = &r.visit {
        visit_times(r.channel, visit, rules, &mut problems);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Check that every string of `r` that is stored is plain text
/// ([`text::check_plain`]): ids, answer and comment keys, choice and text
/// answers, comments and the wait override reason. Needs no questionnaire,
/// so a server can run it before looking anything up by those strings.
pub fn check_strings(r: &Response) -> Result<(), Vec<Problem>> {
    let mut out = Vec::new();
    let mut check = |field: Cow<'_, str>, s: &str, what: &str| {
        if let Err(e) = text::check_plain(&field, s) {
            out.push(Problem::new(
                e.field.clone(),
                format!("{what}{}", e.reason()),
            ));
        }
    };
    check("questionnaire_id".into(), &r.questionnaire_id, "");
    check("branch".into(), &r.branch, "");
    check("device_id".into(), &r.device_id, "");
    for (id, answer) in &r.answers {
        let field = keyed("answers", id);
        check(field.clone().into(), id, "the item id ");
        if let Answer::Choice(s) | Answer::Text(s) = answer {
            check(field.into(), s, "");
        }
    }
    for (id, comment) in &r.comments {
        let field = keyed("comments", id);
        check(field.clone().into(), id, "the item or section id ");
        check(field.into(), comment, "");
    }
    if let Some(reason) = r
        .visit
        .as_ref()
        .and_then(|v| v.wait_override_reason.as_ref())
    {
        check("visit.wait_override_reason".into(), reason, "");
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

/// `answers.q3`; a key that is not plain text shown escaped (`answers.q\03`).
fn keyed(prefix: &str, key: &str) -> String {
    if key.chars().all(text::is_allowed) {
        format!("{prefix}.{key}")
    } else {
        format!("{prefix}.{}", key.escape_debug())
    }
}

fn envelope(q: &Questionnaire, r: &Response, out: &mut Vec<Problem>) {
    if r.questionnaire_id != q.id {
        out.push(Problem::new(
            "questionnaire_id",
            format!(
                "is \"{}\", but this is questionnaire \"{}\"",
                r.questionnaire_id, q.id
            ),
        ));
    }
    if r.questionnaire_version != q.version {
        out.push(Problem::new(
            "questionnaire_version",
            format!(
                "is {}, but this is version {}",
                r.questionnaire_version, q.version
            ),
        ));
    }
    let expected = match q.kind {
        Kind::Kiosk => Channel::Kiosk,
        Kind::MysteryShop => Channel::MysteryShop,
    };
    if r.channel != expected {
        out.push(Problem::new(
            "channel",
            format!(
                "does not match the questionnaire, which is for the \"{}\" channel",
                match expected {
                    Channel::Kiosk => "kiosk",
                    Channel::MysteryShop => "mystery_shop",
                }
            ),
        ));
    }
    if r.partial && r.channel != Channel::Kiosk {
        out.push(Problem::new(
            "partial",
            "is only for a kiosk customer who walked away; a mystery-shop report is sent whole",
        ));
    }
    if r.partial && r.answers.is_empty() {
        out.push(Problem::new(
            "partial",
            "a partial response must answer at least one item; one with no answer is not sent",
        ));
    }
    if !q.languages.contains(&r.locale) {
        out.push(Problem::new(
            "locale",
            format!(
                "\"{}\" is not one of the questionnaire's languages",
                r.locale.tag()
            ),
        ));
    }
    for (field, value) in [("branch", &r.branch), ("device_id", &r.device_id)] {
        if value.trim().is_empty() {
            out.push(Problem::new(field, "is empty"));
        } else if value.chars().count() > MAX_ID_CHARS {
            out.push(Problem::new(
                field,
                format!("is longer than {MAX_ID_CHARS} characters"),
            ));
        }
    }
}

fn times(r: &Response, rules: &Rules, out: &mut Vec<Problem>) {
    for (field, t) in [
        ("started_at", r.started_at),
        ("submitted_at", r.submitted_at),
    ] {
        bounded(field, t, rules, out);
    }
    if r.submitted_at < r.started_at {
        out.push(Problem::new("submitted_at", "is before started_at"));
    }
}

/// Refuse `t` if it is beyond the clock skew ahead of `rules.now`, or more
/// than `rules.max_age` before it. Checked arithmetic: a bound beyond the
/// calendar's end leaves that side open instead of panicking.
fn bounded(field: &str, t: OffsetDateTime, rules: &Rules, out: &mut Vec<Problem>) {
    let latest = rules.now.checked_add(rules.max_clock_skew);
    let earliest = rules.now.checked_sub(rules.max_age);
    if latest.is_some_and(|latest| t > latest) {
        out.push(Problem::in_the_future(field, future(t, rules)));
    } else if earliest.is_some_and(|earliest| t < earliest) {
        out.push(Problem::new(field, past(t, rules)));
    }
}

fn future(t: OffsetDateTime, rules: &Rules) -> String {
    format!(
        "is {} s in the future, more than the {} s of clock difference allowed: \
         the device's clock looks wrong, check its date and time",
        t.unix_timestamp()
            .saturating_sub(rules.now.unix_timestamp()),
        rules.max_clock_skew.whole_seconds()
    )
}

fn past(t: OffsetDateTime, rules: &Rules) -> String {
    format!(
        "is dated {}, more than {} days before the server's date: \
         the device's clock looks wrong, check its date and time",
        t.date(),
        rules.max_age.whole_days()
    )
}

fn answers(q: &Questionnaire, r: &Response, out: &mut Vec<Problem>) {
    // Every item's visibility in one pass: asking `visible` per item walks
    // each show_if chain again, which made a large questionnaire quadratic.
    let shown = q.shown(&r.answers);
    for item in q.items() {
        let field = format!("answers.{}", item.id);
        let visible = shown.contains(item.id.as_str());
        match r.answers.get(&item.id) {
            Some(_) if !visible => out.push(Problem::new(
                field,
                "is answered, but the item is not shown for the answers given (show_if)",
            )),
            Some(answer) => {
                if let Err(e) = item.accepts(answer) {
                    out.push(Problem::new(field, e));
                }
            }
            // A partial response (the customer walked away) keeps what was
            // given; its unanswered items are simply missing.
            None if item.required && visible && !r.partial => {
                out.push(Problem::new(field, "is required but has no answer"));
            }
            None => {}
        }
    }
    calls(q, r, out);
    for id in r.answers.keys() {
        if q.item(id).is_none() {
            out.push(Problem::new(
                format!("answers.{id}"),
                format!(
                    "\"{id}\" is not an item of questionnaire \"{}\" version {}",
                    q.id, q.version
                ),
            ));
        }
    }
}

/// A yes_no item filled from a call says what the call's taps say: yes when
/// it was answered, no when not (not "na": the call was made, and leaving
/// it out would hide a lost call from the call-loss rate).
fn calls(q: &Questionnaire, r: &Response, out: &mut Vec<Problem>) {
    for item in q.items() {
        let Some(call) = &item.from_call else {
            continue;
        };
        let (Some(Answer::YesNo(given)), Some(Answer::Call { answered, .. })) =
            (r.answers.get(&item.id), r.answers.get(call))
        else {
            continue;
        };
        let (expected, what) = if *answered {
            (YesNo::Yes, "answered")
        } else {
            (YesNo::No, "not answered")
        };
        if *given != expected {
            let name = |v: YesNo| match v {
                YesNo::Yes => "yes",
                YesNo::No => "no",
                YesNo::Na => "na",
            };
            out.push(Problem::new(
                format!("answers.{}", item.id),
                format!(
                    "is \"{}\", but the call counted in \"{call}\" was {what}; this item takes its answer from that call (from_call), so it must be \"{}\"",
                    name(*given),
                    name(expected)
                ),
            ));
        }
    }
}

fn comments(q: &Questionnaire, r: &Response, out: &mut Vec<Problem>) {
    for (id, text) in &r.comments {
        let field = format!("comments.{id}");
        if q.item(id).is_none() && q.section(id).is_none() {
            out.push(Problem::new(
                field,
                "names neither an item nor a section of the questionnaire",
            ));
        } else if text.chars().count() > MAX_COMMENT_CHARS {
            out.push(Problem::new(
                field,
                format!("is longer than {MAX_COMMENT_CHARS} characters"),
            ));
        }
    }
}

fn visit_times(channel: Channel, visit: &VisitTimes, rules: &Rules, out: &mut Vec<Problem>) {
    if channel != Channel::MysteryShop {
        out.push(Problem::new(
            "visit",
            "only a mystery-shop response has visit times",
        ));
        return;
    }
    let marks = [
        ("visit.arrived_at", visit.arrived_at),
        ("visit.queue_joined_at", visit.queue_joined_at),
        ("visit.served_at", visit.served_at),
        ("visit.left_at", visit.left_at),
    ];
    let mut previous: Option<(&str, OffsetDateTime)> = None;
    for (field, t) in marks {
        let Some(t) = t else { continue };
        bounded(field, t, rules, out);
        if let Some((before, prev)) = previous {
            if t < prev {
                out.push(Problem::new(field, format!("is before {before}")));
            }
        }
        previous = Some((field, t));
    }
    if let Some(reason) = &visit.wait_override_reason {
        if reason.trim().is_empty() {
            out.push(Problem::new(
                "visit.wait_override_reason",
                "is empty; say why the waiting time was changed",
            ));
        } else if reason.chars().count() > MAX_COMMENT_CHARS {
            out.push(Problem::new(
                "visit.wait_override_reason",
                format!("is longer than {MAX_COMMENT_CHARS} characters"),
            ));
        }
    }
}
