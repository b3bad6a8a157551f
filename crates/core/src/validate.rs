//! Checking a response against the questionnaire it answers.
//!
//! The server runs this on every response it receives, and the app runs it
//! before a response enters the outbox, so both refuse the same things with
//! the same words. Every problem names the field it is about
//! (`answers.q3`, `submitted_at`), so a rejected response can be fixed or
//! explained without guessing.

use crate::questionnaire::{Kind, Questionnaire};
use crate::response::{Channel, Response, VisitTimes};
use time::{Duration, OffsetDateTime};

/// Longest free-text comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// Longest device id and branch code, in characters.
pub const MAX_ID_CHARS: usize = 128;

/// One thing wrong with a response; `field` names it (`answers.q3`, `submitted_at`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What validation needs from outside: the caller's clock and its tolerance.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub now: OffsetDateTime,
    /// How far in the future a device clock may be before timestamps are refused.
    pub max_clock_skew: Duration,
}

/// Check `r` against `q` (the questionnaire id+version it names).
///
/// Every problem is reported, not just the first, in a fixed order: the
/// response's own fields, then answers in questionnaire order, then
/// comments and visit times.
pub fn validate(q: &Questionnaire, r: &Response, rules: &Rules) -> Result<(), Vec<Problem>> {
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
    let latest = rules.now + rules.max_clock_skew;
    for (field, t) in [
        ("started_at", r.started_at),
        ("submitted_at", r.submitted_at),
    ] {
        if t > latest {
            out.push(Problem::new(field, future(t, rules)));
        }
    }
    if r.submitted_at < r.started_at {
        out.push(Problem::new("submitted_at", "is before started_at"));
    }
}

fn future(t: OffsetDateTime, rules: &Rules) -> String {
    format!(
        "is {} s in the future, more than the {} s of clock difference allowed: check the device's clock",
        (t - rules.now).whole_seconds(),
        rules.max_clock_skew.whole_seconds()
    )
}

fn answers(q: &Questionnaire, r: &Response, out: &mut Vec<Problem>) {
    for item in q.items() {
        let field = format!("answers.{}", item.id);
        let visible = q.visible(item, &r.answers);
        match r.answers.get(&item.id) {
            Some(_) if !visible => out.push(Problem::new(
                field,
                "is answered, but the item is not shown for the answers given (show_if)",
            )),
            Some(answer) => {
                if let Err(e) = item.kind.accepts(answer) {
                    out.push(Problem::new(field, e));
                }
            }
            None if item.required && visible => {
                out.push(Problem::new(field, "is required but has no answer"));
            }
            None => {}
        }
    }
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
    let latest = rules.now + rules.max_clock_skew;
    let mut previous: Option<(&str, OffsetDateTime)> = None;
    for (field, t) in marks {
        let Some(t) = t else { continue };
        if t > latest {
            out.push(Problem::new(field, future(t, rules)));
        }
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
