//! Validation: every rule yields a problem naming the right field.

use branchpulse_core::questionnaire::{self, Questionnaire};
use branchpulse_core::validate::{
    check_strings, only_in_the_future, validate, Problem, ProblemKind, Rules, MAX_COMMENT_CHARS,
    MAX_ID_CHARS,
};
use branchpulse_core::{Answer, Channel, Locale, Response, VisitTimes, YesNo};
use serde_json::json;
use std::collections::BTreeMap;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const NOW: OffsetDateTime = datetime!(2025-03-14 10:30 UTC);

fn rules() -> Rules {
    Rules {
        now: NOW,
        max_clock_skew: Duration::minutes(5),
        max_age: Duration::days(400),
    }
}

/// A kiosk questionnaire in English and Spanish:
/// section `main`: `q1` rating (required), `q2` yes/no, `q3` rating shown
/// only if `q2` is "no" (required when shown), `rec` NPS, `wait` seconds up
/// to 600, `visit_type` choice of `teller` or `advisor`, `note` text of at
/// most 10 characters.
fn kiosk() -> Questionnaire {
    let t = |s: &str| json!({ "en": s, "es": s });
    let q = json!({
        "id": "lobby", "version": 2, "kind": "kiosk", "title": t("Lobby"), "languages": ["en", "es"],
        "sections": [{ "id": "main", "title": t("Main"), "items": [
            { "id": "q1", "dimension": "empathy", "type": "rating", "text": t("Q1"), "required": true },
            { "id": "q2", "dimension": "trust", "type": "yes_no", "text": t("Q2") },
            { "id": "q3", "dimension": "trust", "type": "rating", "text": t("Q3"), "required": true,
              "show_if": { "item": "q2", "equals": { "type": "yes_no", "value": "no" } } },
            { "id": "rec", "type": "nps", "text": t("Recommend") },
            { "id": "wait", "dimension": "process_convenience", "type": "seconds", "max": 600, "text": t("Wait") },
            { "id": "visit_type", "type": "choice", "text": t("Why"), "options": [
                { "id": "teller", "label": t("Teller") }, { "id": "advisor", "label": t("Advisor") } ] },
            { "id": "note", "type": "text", "max_len": 10, "text": t("Note") }
        ] }]
    });
    questionnaire::load("lobby.json", &q.to_string()).unwrap()
}

fn mystery_shop() -> Questionnaire {
    let t = |s: &str| json!({ "en": s });
    let q = json!({
        "id": "visit", "version": 1, "kind": "mystery_shop", "title": t("Visit"), "languages": ["en"],
        "sections": [{ "id": "arrival", "title": t("Arrival"), "items": [
            { "id": "greeted", "dimension": "empathy", "type": "yes_no", "text": t("Greeted?"),
              "required": true, "critical": true }
        ] }]
    });
    questionnaire::load("visit.json", &q.to_string()).unwrap()
}

/// A valid answer to `kiosk()`, started 3 minutes and submitted 1 minute ago.
fn kiosk_response() -> Response {
    Response {
        id: Uuid::from_u128(0x42),
        questionnaire_id: "lobby".into(),
        questionnaire_version: 2,
        branch: "B001".into(),
        device_id: "kiosk-7".into(),
        channel: Channel::Kiosk,
        locale: Locale::Es,
        started_at: NOW - Duration::minutes(3),
        submitted_at: NOW - Duration::minutes(1),
        answers: [
            ("q1", Answer::Rating(4)),
            ("q2", Answer::YesNo(YesNo::Yes)),
            ("rec", Answer::Nps(9)),
            ("wait", Answer::Seconds(600)),
            ("visit_type", Answer::Choice("advisor".into())),
            ("note", Answer::Text("Muy bien 👍".into())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        comments: BTreeMap::new(),
        visit: None,
        assignment: None,
        revises: None,
        partial: false,
    }
}

/// A valid answer to `mystery_shop()` with visit times in order.
fn shop_response() -> Response {
    Response {
        id: Uuid::from_u128(0x43),
        questionnaire_id: "visit".into(),
        questionnaire_version: 1,
        branch: "B002".into(),
        device_id: "phone-3".into(),
        channel: Channel::MysteryShop,
        locale: Locale::En,
        started_at: NOW - Duration::minutes(40),
        submitted_at: NOW - Duration::minutes(2),
        answers: [("greeted".to_owned(), Answer::YesNo(YesNo::No))].into(),
        comments: [("arrival".to_owned(), "Nobody at the door.".to_owned())].into(),
        visit: Some(VisitTimes {
            arrived_at: Some(NOW - Duration::minutes(35)),
            queue_joined_at: Some(NOW - Duration::minutes(34)),
            served_at: Some(NOW - Duration::minutes(20)),
            left_at: Some(NOW - Duration::minutes(10)),
            wait_override_reason: None,
        }),
        assignment: None,
        revises: None,
        partial: false,
    }
}

/// The fields named by the problems of `r` against `q`.
fn fields(q: &Questionnaire, r: &Response) -> Vec<String> {
    match validate(q, r, &rules()) {
        Ok(()) => Vec::new(),
        Err(problems) => problems.into_iter().map(|p| p.field).collect(),
    }
}

/// `r` has exactly one problem, on `field`, and its message mentions `words`.
#[track_caller]
fn assert_one(q: &Questionnaire, r: &Response, field: &str, words: &[&str]) -> Problem {
    let problems = validate(q, r, &rules()).expect_err("the response should be refused");
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = problems.into_iter().next().unwrap();
    assert_eq!(p.field, field, "{p}");
    for w in words {
        assert!(p.message.contains(w), "message should mention {w:?}: {p}");
    }
    assert_eq!(p.to_string(), format!("{field}: {}", p.message));
    p
}

#[test]
fn valid_responses_pass() {
    assert_eq!(validate(&kiosk(), &kiosk_response(), &rules()), Ok(()));
    assert_eq!(
        validate(&mystery_shop(), &shop_response(), &rules()),
        Ok(())
    );
}

#[test]
fn the_follow_up_when_shown() {
    let mut r = kiosk_response();
    r.answers.insert("q2".into(), Answer::YesNo(YesNo::No));
    // q3 is now shown and required.
    assert_one(&kiosk(), &r, "answers.q3", &["required"]);
    r.answers.insert("q3".into(), Answer::Rating(2));
    assert_eq!(validate(&kiosk(), &r, &rules()), Ok(()));
}

#[test]
fn envelope_fields() {
    let q = kiosk();
    let mut r = kiosk_response();
    r.questionnaire_version = 1;
    assert_one(&q, &r, "questionnaire_version", &["1", "2"]);

    let mut r = kiosk_response();
    r.questionnaire_id = "lobbby".into();
    assert_one(&q, &r, "questionnaire_id", &["lobbby"]);

    let mut r = kiosk_response();
    r.channel = Channel::MysteryShop;
    assert_one(&q, &r, "channel", &[]);
    let mut r = shop_response();
    r.channel = Channel::Kiosk;
    r.visit = None;
    assert_one(&mystery_shop(), &r, "channel", &[]);

    let mut r = kiosk_response();
    r.locale = Locale::ZhCn;
    assert_one(&q, &r, "locale", &["zh-CN"]);
}

#[test]
fn branch_and_device() {
    let q = kiosk();
    for blank in ["", "   "] {
        let mut r = kiosk_response();
        r.branch = blank.into();
        assert_one(&q, &r, "branch", &["empty"]);
        let mut r = kiosk_response();
        r.device_id = blank.into();
        assert_one(&q, &r, "device_id", &["empty"]);
    }
    let mut r = kiosk_response();
    r.branch = "B".repeat(MAX_ID_CHARS + 1);
    assert_one(&q, &r, "branch", &["longer"]);
    let mut r = kiosk_response();
    r.device_id = "d".repeat(MAX_ID_CHARS + 1);
    assert_one(&q, &r, "device_id", &["longer"]);
    // Exactly the limit, counted in characters, not bytes.
    let mut r = kiosk_response();
    r.device_id = "设".repeat(MAX_ID_CHARS);
    assert_eq!(validate(&q, &r, &rules()), Ok(()));
}

#[test]
fn timestamps_in_the_future() {
    let q = kiosk();
    // Within the allowed clock difference: accepted.
    let mut r = kiosk_response();
    r.started_at = NOW + Duration::minutes(1);
    r.submitted_at = NOW + Duration::minutes(5);
    assert_eq!(validate(&q, &r, &rules()), Ok(()));
    // Beyond it.
    let mut r = kiosk_response();
    r.submitted_at = NOW + Duration::minutes(5) + Duration::seconds(1);
    let p = assert_one(&q, &r, "submitted_at", &["future", "clock"]);
    assert!(p.message.contains("301 s"), "{p}");

    assert_eq!(p.kind, ProblemKind::InTheFuture);

    let mut r = kiosk_response();
    r.started_at = NOW + Duration::hours(1);
    r.submitted_at = NOW + Duration::hours(2);
    assert_eq!(fields(&q, &r), ["started_at", "submitted_at"]);
    let problems = validate(&q, &r, &rules()).unwrap_err();
    assert!(only_in_the_future(&problems), "{problems:?}");
    // In the future and wrong otherwise too: not something time will fix.
    r.answers.remove("q1");
    let problems = validate(&q, &r, &rules()).unwrap_err();
    assert!(!only_in_the_future(&problems), "{problems:?}");
    assert!(!only_in_the_future(&[]));
}

#[test]
fn timestamps_too_far_in_the_past() {
    let q = kiosk();
    // Up to the bound: accepted.
    let mut r = kiosk_response();
    r.started_at = NOW - Duration::days(400);
    assert_eq!(validate(&q, &r, &rules()), Ok(()));
    // Beyond it, as a tablet whose clock went back to 1970.
    r.started_at = NOW - Duration::days(400) - Duration::seconds(1);
    let p = assert_one(
        &q,
        &r,
        "started_at",
        &["2024-02-08", "400 days", "clock looks wrong"],
    );
    assert_eq!(p.kind, ProblemKind::Invalid);
    r.started_at = OffsetDateTime::UNIX_EPOCH;
    r.submitted_at = OffsetDateTime::UNIX_EPOCH + Duration::minutes(1);
    assert_eq!(fields(&q, &r), ["started_at", "submitted_at"]);
    let problems = validate(&q, &r, &rules()).unwrap_err();
    assert!(problems[1].message.contains("1970-01-01"), "{problems:?}");
    assert!(!only_in_the_future(&problems));

    let q = mystery_shop();
    let mut r = shop_response();
    r.visit.as_mut().unwrap().arrived_at = Some(OffsetDateTime::UNIX_EPOCH);
    assert_one(&q, &r, "visit.arrived_at", &["1970-01-01", "clock"]);
}

#[test]
fn extreme_dates_and_bounds_do_not_panic() {
    let q = mystery_shop();
    let earliest = time::PrimitiveDateTime::MIN.assume_utc();
    let latest = time::PrimitiveDateTime::MAX.assume_utc();
    // Bounds that fall beyond the calendar leave that side open.
    for (now, skew, age) in [
        (latest, Duration::MAX, Duration::MAX),
        (earliest, Duration::MAX, Duration::MAX),
        (NOW, Duration::MIN, Duration::MIN),
        (latest, Duration::ZERO, Duration::days(400)),
        (earliest, Duration::ZERO, Duration::days(400)),
    ] {
        let rules = Rules {
            now,
            max_clock_skew: skew,
            max_age: age,
        };
        for t in [earliest, latest, NOW] {
            let mut r = shop_response();
            r.started_at = t;
            r.submitted_at = t;
            let v = r.visit.as_mut().unwrap();
            v.arrived_at = Some(t);
            v.left_at = Some(latest);
            let _ = validate(&q, &r, &rules);
        }
    }
    let mut r = shop_response();
    r.submitted_at = latest;
    r.visit.as_mut().unwrap().left_at = Some(earliest);
    let problems = validate(&q, &r, &rules()).unwrap_err();
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["submitted_at", "visit.left_at", "visit.left_at"]);
}

#[test]
fn control_characters_in_any_stored_string() {
    let q = mystery_shop();
    type Spoil = fn(&mut Response);
    let cases: [(&str, Spoil); 10] = [
        ("questionnaire_id", |r| r.questionnaire_id.push('\0')),
        ("branch", |r| r.branch.push('\u{1b}')),
        ("device_id", |r| r.device_id.insert(0, '\u{7f}')),
        ("answers.note", |r| {
            r.answers.insert("note".into(), Answer::Text("ok\0".into()));
        }),
        ("answers.choice", |r| {
            r.answers
                .insert("choice".into(), Answer::Choice("a\u{8}".into()));
        }),
        ("answers.g\\0", |r| {
            r.answers.insert("g\0".into(), Answer::YesNo(YesNo::Yes));
        }),
        ("comments.arrival", |r| {
            r.comments.insert("arrival".into(), "x\u{85}".into());
        }),
        ("comments.\\u{c}", |r| {
            r.comments.insert("\u{c}".into(), "x".into());
        }),
        ("visit.wait_override_reason", |r| {
            r.visit.as_mut().unwrap().wait_override_reason = Some("\u{0}".into());
        }),
        ("answers.note", |r| {
            r.answers
                .insert("note".into(), Answer::Text("\u{9b}31m".into()));
        }),
    ];
    for (field, spoil) in cases {
        let mut r = shop_response();
        spoil(&mut r);
        let p = assert_one(&q, &r, field, &["control character U+"]);
        assert_eq!(p.kind, ProblemKind::Invalid);
        assert_eq!(check_strings(&r).unwrap_err(), [p]);
    }
    // Tab and line breaks, Windows' included, are text.
    let mut r = shop_response();
    r.comments
        .insert("arrival".into(), "Nobody\tat the door.\r\nNobody.\n".into());
    r.visit.as_mut().unwrap().wait_override_reason = Some("phone\r\nlocked".into());
    assert_eq!(validate(&q, &r, &rules()), Ok(()));
    assert_eq!(check_strings(&r), Ok(()));
}

#[test]
fn submitted_before_started() {
    let mut r = kiosk_response();
    r.submitted_at = r.started_at - Duration::seconds(1);
    assert_one(&kiosk(), &r, "submitted_at", &["before started_at"]);
}

#[test]
fn answer_of_the_wrong_type() {
    let q = kiosk();
    let mut r = kiosk_response();
    r.answers.insert("q1".into(), Answer::Text("5".into()));
    assert_one(&q, &r, "answers.q1", &["rating", "text"]);
    let mut r = kiosk_response();
    r.answers.insert("q2".into(), Answer::Rating(1));
    assert_one(&q, &r, "answers.q2", &["yes_no", "rating"]);
}

#[test]
fn answers_out_of_range() {
    let q = kiosk();
    let cases = [
        ("q1", Answer::Rating(0), "out of range"),
        ("q1", Answer::Rating(6), "out of range"),
        ("rec", Answer::Nps(11), "out of range"),
        ("wait", Answer::Seconds(601), "600"),
        (
            "visit_type",
            Answer::Choice("manager".into()),
            "\"manager\"",
        ),
        ("note", Answer::Text("eleven char".into()), "at most 10"),
    ];
    for (id, answer, words) in cases {
        let mut r = kiosk_response();
        r.answers.insert(id.into(), answer);
        assert_one(&q, &r, &format!("answers.{id}"), &[words]);
    }
    // The bounds themselves are fine.
    let mut r = kiosk_response();
    r.answers.insert("q1".into(), Answer::Rating(1));
    r.answers.insert("rec".into(), Answer::Nps(0));
    r.answers.insert("wait".into(), Answer::Seconds(0));
    r.answers
        .insert("note".into(), Answer::Text("ñ".repeat(10)));
    assert_eq!(validate(&q, &r, &rules()), Ok(()));
}

#[test]
fn answer_to_an_unknown_item() {
    let mut r = kiosk_response();
    r.answers.insert("q9".into(), Answer::Rating(3));
    assert_one(
        &kiosk(),
        &r,
        "answers.q9",
        &["not an item", "\"lobby\"", "version 2"],
    );
}

#[test]
fn hidden_item_answered() {
    let mut r = kiosk_response();
    // q3 is shown only when q2 is "no"; q2 is "yes".
    r.answers.insert("q3".into(), Answer::Rating(5));
    assert_one(&kiosk(), &r, "answers.q3", &["not shown", "show_if"]);
    // A hidden required item may stay unanswered (kiosk_response passes), and
    // with q2 unanswered q3 is hidden too.
    let mut r = kiosk_response();
    r.answers.remove("q2");
    assert_eq!(validate(&kiosk(), &r, &rules()), Ok(()));
}

#[test]
fn hidden_follow_up_of_a_hidden_follow_up() {
    let t = json!({ "en": "?" });
    let q = json!({
        "id": "chain", "version": 1, "kind": "mystery_shop", "title": t, "languages": ["en"],
        "sections": [{ "id": "s", "title": t, "items": [
            { "id": "a", "type": "yes_no", "text": t, "required": true },
            { "id": "b", "type": "yes_no", "text": t, "required": true,
              "show_if": { "item": "a", "equals": { "type": "yes_no", "value": "no" } } },
            { "id": "c", "type": "rating", "text": t, "required": true,
              "show_if": { "item": "b", "equals": { "type": "yes_no", "value": "yes" } } }
        ] }]
    });
    let q = questionnaire::load("chain.json", &q.to_string()).unwrap();
    let mut r = shop_response();
    r.questionnaire_id = "chain".into();
    r.comments.clear();
    r.answers = [
        ("a".to_owned(), Answer::YesNo(YesNo::Yes)),
        ("b".to_owned(), Answer::YesNo(YesNo::Yes)),
        ("c".to_owned(), Answer::Rating(3)),
    ]
    .into();
    assert_eq!(fields(&q, &r), ["answers.b", "answers.c"]);
    // Shown all the way down, and required: c must be answered.
    r.answers.insert("a".into(), Answer::YesNo(YesNo::No));
    assert_eq!(validate(&q, &r, &rules()), Ok(()));
    r.answers.remove("c");
    assert_eq!(fields(&q, &r), ["answers.c"]);
}

#[test]
fn required_answer_missing() {
    let mut r = kiosk_response();
    r.answers.remove("q1");
    assert_one(&kiosk(), &r, "answers.q1", &["required"]);
    // Not-applicable is an answer.
    let mut r = shop_response();
    r.answers.insert("greeted".into(), Answer::YesNo(YesNo::Na));
    assert_eq!(validate(&mystery_shop(), &r, &rules()), Ok(()));
}

#[test]
fn comments() {
    let q = mystery_shop();
    let mut r = shop_response();
    r.comments.insert("departure".into(), "?".into());
    assert_one(
        &q,
        &r,
        "comments.departure",
        &["neither an item nor a section"],
    );

    let mut r = shop_response();
    r.comments
        .insert("greeted".into(), "x".repeat(MAX_COMMENT_CHARS + 1));
    assert_one(&q, &r, "comments.greeted", &["longer"]);

    // On an item and on a section, up to the limit: fine.
    let mut r = shop_response();
    r.comments
        .insert("greeted".into(), "é".repeat(MAX_COMMENT_CHARS));
    assert_eq!(validate(&q, &r, &rules()), Ok(()));
}

#[test]
fn visit_times_on_a_kiosk_response() {
    let mut r = kiosk_response();
    r.visit = Some(VisitTimes::default());
    assert_one(&kiosk(), &r, "visit", &["mystery-shop"]);
}

#[test]
fn visit_times_out_of_order() {
    let q = mystery_shop();
    let mut r = shop_response();
    let v = r.visit.as_mut().unwrap();
    v.served_at = Some(NOW - Duration::minutes(36));
    // served before both arrival and queue-joining; reported against the one just before.
    assert_one(&q, &r, "visit.served_at", &["before visit.queue_joined_at"]);

    let mut r = shop_response();
    let v = r.visit.as_mut().unwrap();
    v.left_at = Some(NOW - Duration::minutes(25));
    assert_one(&q, &r, "visit.left_at", &["before visit.served_at"]);

    // A mark left out is skipped: the order is checked between the others.
    let mut r = shop_response();
    let v = r.visit.as_mut().unwrap();
    v.served_at = None;
    v.left_at = Some(NOW - Duration::minutes(34) - Duration::seconds(1));
    assert_one(&q, &r, "visit.left_at", &["before visit.queue_joined_at"]);
    let mut r = shop_response();
    r.visit.as_mut().unwrap().served_at = None;
    assert_eq!(validate(&q, &r, &rules()), Ok(()));
}

#[test]
fn visit_times_in_the_future_and_override_reason() {
    let q = mystery_shop();
    let mut r = shop_response();
    r.visit.as_mut().unwrap().left_at = Some(NOW + Duration::hours(1));
    assert_one(&q, &r, "visit.left_at", &["future"]);

    let mut r = shop_response();
    r.visit.as_mut().unwrap().wait_override_reason = Some("  ".into());
    assert_one(&q, &r, "visit.wait_override_reason", &["empty"]);
    let mut r = shop_response();
    r.visit.as_mut().unwrap().wait_override_reason =
        Some("Timer stopped when my phone locked".into());
    assert_eq!(validate(&q, &r, &rules()), Ok(()));
}

#[test]
fn every_problem_is_reported_in_order() {
    let q = kiosk();
    let mut r = kiosk_response();
    r.questionnaire_version = 9;
    r.locale = Locale::ZhCn;
    r.submitted_at = NOW + Duration::days(1);
    r.answers.remove("q1");
    r.answers.insert("rec".into(), Answer::Nps(12));
    r.answers.insert("zzz".into(), Answer::Nps(1));
    r.comments.insert("nope".into(), "x".into());
    r.visit = Some(VisitTimes::default());
    assert_eq!(
        fields(&q, &r),
        [
            "questionnaire_version",
            "locale",
            "submitted_at",
            "answers.q1",
            "answers.rec",
            "answers.zzz",
            "comments.nope",
            "visit"
        ]
    );
}

/// A mystery shop with a phone stage: `call` (call, 3 rings, required) and
/// `answered` (yes_no filled from `call`, required).
fn phone_shop() -> Questionnaire {
    let t = |s: &str| json!({ "en": s });
    let q = json!({
        "id": "visit", "version": 1, "kind": "mystery_shop", "title": t("Visit"), "languages": ["en"],
        "sections": [{ "id": "phone", "title": t("Phone"), "items": [
            { "id": "call", "dimension": "process_convenience", "type": "call", "max_rings": 3,
              "text": t("Call"), "required": true },
            { "id": "answered", "dimension": "process_convenience", "type": "yes_no",
              "from_call": "call", "text": t("Answered?"), "required": true }
        ] }]
    });
    questionnaire::load("visit.json", &q.to_string()).unwrap()
}

fn call(rings: u8, answered: bool, seconds: u32) -> Answer {
    Answer::Call {
        rings,
        answered,
        seconds,
    }
}

fn phone_response(call_answer: Answer, yes_no: YesNo) -> Response {
    let mut r = shop_response();
    r.comments.clear();
    r.answers = [
        ("call".to_owned(), call_answer),
        ("answered".to_owned(), Answer::YesNo(yes_no)),
    ]
    .into();
    r
}

#[test]
fn a_call_answer_is_read_and_checked() {
    let q = phone_shop();
    // The wire shape of the answer.
    let a: Answer = serde_json::from_value(
        json!({ "type": "call", "value": { "rings": 4, "answered": true, "seconds": 21 } }),
    )
    .unwrap();
    assert_eq!(a, call(4, true, 21));
    assert_eq!(
        serde_json::to_value(call(0, false, 0)).unwrap(),
        json!({ "type": "call", "value": { "rings": 0, "answered": false, "seconds": 0 } })
    );

    for ok in [
        call(1, true, 0),
        call(4, true, 21),
        call(50, true, 600),
        call(0, false, 0),
        call(7, false, 45),
    ] {
        let yes_no = match ok {
            Answer::Call { answered: true, .. } => YesNo::Yes,
            _ => YesNo::No,
        };
        assert_eq!(
            fields(&q, &phone_response(ok.clone(), yes_no)),
            [] as [&str; 0],
            "{ok:?}"
        );
    }
    let refused = |a: Answer, yes_no: YesNo, words: &[&str]| {
        assert_one(&q, &phone_response(a, yes_no), "answers.call", words);
    };
    refused(call(51, true, 60), YesNo::Yes, &["51 rings", "50"]);
    refused(call(5, true, 601), YesNo::Yes, &["601 seconds", "600"]);
    refused(call(0, true, 0), YesNo::Yes, &["answered after 0 rings"]);
    refused(call(0, false, 12), YesNo::No, &["12 seconds", "no ring"]);
    refused(
        Answer::Seconds(12),
        YesNo::Yes,
        &["expected a call", "got seconds"],
    );
    // A yes_no answer where the call goes: the wrong type, named.
    let mut r = phone_response(call(2, true, 9), YesNo::Yes);
    r.answers.insert("call".into(), Answer::YesNo(YesNo::Yes));
    assert_one(&q, &r, "answers.call", &["expected a call", "got yes_no"]);
}

#[test]
fn a_yes_no_item_from_a_call_must_say_what_the_call_says() {
    let q = phone_shop();
    let p = assert_one(
        &q,
        &phone_response(call(4, true, 21), YesNo::No),
        "answers.answered",
        &["\"no\"", "\"call\" was answered", "must be \"yes\""],
    );
    assert_eq!(p.kind, ProblemKind::Invalid);
    assert_one(
        &q,
        &phone_response(call(4, true, 21), YesNo::Na),
        "answers.answered",
        &["\"na\"", "was answered", "must be \"yes\""],
    );
    assert_one(
        &q,
        &phone_response(call(6, false, 30), YesNo::Yes),
        "answers.answered",
        &["\"yes\"", "was not answered", "must be \"no\""],
    );
    assert_one(
        &q,
        &phone_response(call(6, false, 30), YesNo::Na),
        "answers.answered",
        &["\"na\"", "was not answered", "must be \"no\""],
    );
    // Both are required: neither may be left out.
    let mut r = phone_response(call(2, true, 8), YesNo::Yes);
    r.answers.remove("call");
    assert_eq!(fields(&q, &r), ["answers.call"]);
}
