//! Alert rules worked by hand: what an admin may set (`NewRule::check`),
//! what one response shows the rules (`Observed::of`), the per-response
//! judgements, the unhappy burst at the edges of its window and its
//! thresholds, silence, and the keys that keep one alert per rule and
//! thing found.

use branchpulse_core::access::{Role, Scope};
use branchpulse_core::alerts::{
    burst, burst_key, bursts, judge, response_key, silent, silent_key, visible, Finding, NewRule,
    Observed, Recipients, RuleKind, MAX_TARGETS,
};
use branchpulse_core::protocol::Branch;
use branchpulse_core::{questionnaire, ItemKind, ProblemCode, Questionnaire, Response};
use serde_json::{json, Value};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn branches() -> Vec<Branch> {
    [("N01", "North"), ("N02", "North"), ("S01", "South")]
        .map(|(code, region)| Branch {
            code: code.into(),
            name: format!("Branch {code}"),
            region: region.into(),
            active: true,
            format: None,
        })
        .to_vec()
}

fn burst_rule(window_minutes: u32, min_count: u32, share_percent: u8, low_max: u8) -> RuleKind {
    RuleKind::UnhappyBurst {
        window_minutes,
        min_count,
        share_percent,
        low_max,
    }
}

fn rule(kind: RuleKind) -> NewRule {
    NewRule {
        name: "Unhappy lunchtime".into(),
        rule: kind,
        scope: Scope::All,
        recipients: Recipients::default(),
        active: true,
    }
}

/// The field and code `check` refuses `r` with (`None`: accepted).
fn refusal(r: &NewRule) -> Option<(&'static str, ProblemCode)> {
    r.check(&branches()).err().map(|e| (e.field, e.code))
}

#[test]
fn a_rule_of_every_kind_with_thresholds_in_range_is_accepted() {
    for kind in [
        burst_rule(15, 5, 50, 2),
        RuleKind::CriticalFailure,
        RuleKind::MissedCommitment,
        RuleKind::LowScoreComment { low_max: 2 },
        RuleKind::SilentKiosk { hours: 24 },
        RuleKind::ContactRequest,
    ] {
        assert_eq!(refusal(&rule(kind.clone())), None, "{kind:?}");
    }
}

#[test]
fn the_name_is_one_to_80_characters_without_control_characters() {
    let named = |name: &str| NewRule {
        name: name.into(),
        ..rule(RuleKind::CriticalFailure)
    };
    assert_eq!(refusal(&named("")), Some(("name", ProblemCode::Empty)));
    assert_eq!(refusal(&named("   ")), Some(("name", ProblemCode::Empty)));
    // Characters, not bytes: 80 Chinese characters are 240 bytes.
    assert_eq!(refusal(&named(&"排".repeat(80))), None);
    assert_eq!(
        refusal(&named(&"排".repeat(81))),
        Some(("name", ProblemCode::TooLong))
    );
    assert_eq!(refusal(&named(&"a".repeat(80))), None);
    for bad in ["a\tb", "a\nb", "a\u{0}b", "a\u{7f}b"] {
        assert_eq!(
            refusal(&named(bad)),
            Some(("name", ProblemCode::ControlCharacters)),
            "{bad:?}"
        );
    }
}

#[test]
fn each_threshold_is_refused_one_past_either_end_of_its_range() {
    let out = ProblemCode::OutOfRange;
    // (rule, the field refused or None), at and past each end.
    let cases = [
        (burst_rule(5, 1, 1, 1), None),
        (burst_rule(1440, 1000, 100, 4), None),
        (burst_rule(4, 5, 50, 2), Some("rule.window_minutes")),
        (burst_rule(1441, 5, 50, 2), Some("rule.window_minutes")),
        (burst_rule(15, 0, 50, 2), Some("rule.min_count")),
        (burst_rule(15, 1001, 50, 2), Some("rule.min_count")),
        (burst_rule(15, 5, 0, 2), Some("rule.share_percent")),
        (burst_rule(15, 5, 101, 2), Some("rule.share_percent")),
        (burst_rule(15, 5, 50, 0), Some("rule.low_max")),
        (burst_rule(15, 5, 50, 5), Some("rule.low_max")),
        (RuleKind::LowScoreComment { low_max: 1 }, None),
        (RuleKind::LowScoreComment { low_max: 4 }, None),
        (
            RuleKind::LowScoreComment { low_max: 0 },
            Some("rule.low_max"),
        ),
        (
            RuleKind::LowScoreComment { low_max: 5 },
            Some("rule.low_max"),
        ),
        (RuleKind::SilentKiosk { hours: 1 }, None),
        (RuleKind::SilentKiosk { hours: 720 }, None),
        (RuleKind::SilentKiosk { hours: 0 }, Some("rule.hours")),
        (RuleKind::SilentKiosk { hours: 721 }, Some("rule.hours")),
    ];
    for (kind, field) in cases {
        assert_eq!(
            refusal(&rule(kind.clone())),
            field.map(|f| (f, out)),
            "{kind:?}"
        );
    }
    let e = rule(burst_rule(4, 5, 50, 2))
        .check(&branches())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "rule.window_minutes: must be 5 to 1440, not 4"
    );
}

#[test]
fn the_scope_names_a_branch_or_region_that_exists() {
    let scoped = |scope: Scope| NewRule {
        scope,
        ..rule(RuleKind::MissedCommitment)
    };
    assert_eq!(refusal(&scoped(Scope::Branch("N02".into()))), None);
    assert_eq!(refusal(&scoped(Scope::Region("South".into()))), None);
    assert_eq!(
        refusal(&scoped(Scope::Branch("X99".into()))),
        Some(("scope", ProblemCode::UnknownBranch))
    );
    // A region is a region of some branch, matched exactly.
    assert_eq!(
        refusal(&scoped(Scope::Region("north".into()))),
        Some(("scope", ProblemCode::UnknownRegion))
    );
}

#[test]
fn recipients_hold_at_most_20_addresses_and_20_webhooks_each_well_formed() {
    let to = |emails: Vec<String>, webhooks: usize| NewRule {
        recipients: Recipients {
            roles: vec![],
            webhooks: (0..webhooks).map(|n| Uuid::from_u128(n as u128)).collect(),
            emails,
        },
        ..rule(RuleKind::CriticalFailure)
    };
    let addresses = |n: usize| (0..n).map(|i| format!("ops{i}@bank.example")).collect();
    assert_eq!(refusal(&to(addresses(MAX_TARGETS), MAX_TARGETS)), None);
    assert_eq!(
        refusal(&to(addresses(MAX_TARGETS + 1), 0)),
        Some(("recipients.emails", ProblemCode::TooMany))
    );
    assert_eq!(
        refusal(&to(vec![], MAX_TARGETS + 1)),
        Some(("recipients.webhooks", ProblemCode::TooMany))
    );
    for (bad, code) in [
        ("ops.bank.example", ProblemCode::BadEmail),
        ("ops@bank", ProblemCode::BadEmail),
        (" ops@bank.example", ProblemCode::BadEmail),
        ("ops@bank.example ", ProblemCode::BadEmail),
        ("", ProblemCode::Empty),
    ] {
        let emails = vec!["ok@bank.example".into(), bad.into()];
        assert_eq!(
            refusal(&to(emails, 0)),
            Some(("recipients.emails", code)),
            "{bad:?}"
        );
    }
    let long = format!("{}@bank.example", "a".repeat(250));
    assert_eq!(
        refusal(&to(vec![long], 0)),
        Some(("recipients.emails", ProblemCode::TooLong))
    );
    let e = to(vec!["ok@bank.example".into(), "nope".into()], 0)
        .check(&branches())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "recipients.emails: entry 2 is not an e-mail address such as name@example.com"
    );
}

#[test]
fn a_rule_reads_only_known_kinds_roles_and_fields() {
    let body = |rule: Value, roles: Value| {
        serde_json::from_value::<NewRule>(json!({
            "name": "x", "rule": rule, "scope": {"kind": "branch", "value": "N01"},
            "recipients": {"roles": roles}
        }))
    };
    let read = body(
        json!({"kind": "silent_kiosk", "hours": 24}),
        json!(["manager"]),
    )
    .unwrap();
    assert_eq!(read.rule, RuleKind::SilentKiosk { hours: 24 });
    assert_eq!(read.scope, Scope::Branch("N01".into()));
    assert!(read.active, "a rule is on unless said otherwise");
    assert!(body(
        json!({"kind": "silent_kiosk", "hours": 24}),
        json!(["shopper"])
    )
    .is_err());
    assert!(body(json!({"kind": "loud_kiosk"}), json!([])).is_err());
    assert!(body(
        json!({"kind": "silent_kiosk", "hours": 24, "days": 1}),
        json!([])
    )
    .is_err());
    assert!(body(json!({"kind": "silent_kiosk", "hours": -1}), json!([])).is_err());
}

#[test]
fn a_rule_reads_back_as_written_and_a_wrong_threshold_is_refused_at_its_key() {
    for kind in [
        burst_rule(15, 5, 50, 2),
        RuleKind::CriticalFailure,
        RuleKind::MissedCommitment,
        RuleKind::LowScoreComment { low_max: 2 },
        RuleKind::SilentKiosk { hours: 24 },
        RuleKind::ContactRequest,
    ] {
        let written = serde_json::to_value(&kind).unwrap();
        assert_eq!(serde_json::from_value::<RuleKind>(written).unwrap(), kind);
    }
    assert_eq!(
        serde_json::to_value(burst_rule(15, 5, 50, 2)).unwrap(),
        json!({"kind": "unhappy_burst", "window_minutes": 15, "min_count": 5, "share_percent": 50, "low_max": 2})
    );
    // The kind may come last.
    let read: RuleKind =
        serde_json::from_value(json!({"hours": 3, "kind": "silent_kiosk"})).unwrap();
    assert_eq!(read, RuleKind::SilentKiosk { hours: 3 });
    // Where a body's reader (the server's, through serde_path_to_error)
    // places each problem.
    let place = |rule: Value| {
        let body = json!({"name": "x", "rule": rule, "scope": {"kind": "all"}});
        let e = serde_path_to_error::deserialize::<_, NewRule>(body).unwrap_err();
        (e.path().to_string(), e.inner().to_string())
    };
    let burst = |field: &str, value: Value| {
        let mut r = serde_json::to_value(burst_rule(15, 5, 50, 2)).unwrap();
        r[field] = value;
        r
    };
    assert_eq!(
        place(burst("share_percent", json!(300))).0,
        "rule.share_percent"
    );
    assert_eq!(
        place(burst("window_minutes", json!(-1))).0,
        "rule.window_minutes"
    );
    assert_eq!(place(burst("min_count", json!("5"))).0, "rule.min_count");
    assert_eq!(place(burst("low_max", json!(1.5))).0, "rule.low_max");
    assert_eq!(place(burst("kind", json!("loud_kiosk"))).0, "rule.kind");
    let (at, why) = place(json!({"kind": "critical_failure", "hours": 3}));
    assert_eq!(at, "rule");
    assert!(why.contains("unknown field `hours`"), "{why}");
    let (_, why) = place(json!({"kind": "silent_kiosk"}));
    assert!(why.contains("missing field `hours`"), "{why}");
    let (_, why) = place(json!({"window_minutes": 15}));
    assert!(why.contains("missing field `kind`"), "{why}");
    let (_, why) = place(json!({"kind": "silent_kiosk", "hours": 3, "days": 1}));
    assert!(why.contains("unknown field `days`"), "{why}");
    let twice = r#"{"name": "x", "rule": {"kind": "silent_kiosk", "hours": 3, "hours": 4}, "scope": {"kind": "all"}}"#;
    let e = serde_json::from_str::<NewRule>(twice).unwrap_err();
    assert!(e.to_string().contains("duplicate field `hours`"), "{e}");
}

fn seen(satisfaction: Option<u8>, comment: &str) -> Observed {
    Observed {
        satisfaction,
        comment: comment.into(),
        ..Observed::default()
    }
}

#[test]
fn a_low_score_with_a_comment_fires_and_nothing_else_does() {
    let r = RuleKind::LowScoreComment { low_max: 2 };
    assert_eq!(
        judge(&r, &seen(Some(2), "Nobody at the counter.")),
        Some(Finding::LowScoreComment {
            score: 2,
            comment: "Nobody at the counter.".into()
        })
    );
    assert!(judge(&r, &seen(Some(1), "Rude.")).is_some());
    // One above the threshold, no comment, no answer: nothing.
    assert_eq!(judge(&r, &seen(Some(3), "Slow.")), None);
    assert_eq!(judge(&r, &seen(Some(1), "")), None);
    assert_eq!(judge(&r, &seen(None, "Slow.")), None);
}

#[test]
fn critical_failures_and_missed_commitments_fire_on_their_own_rules_only() {
    let found = Observed {
        critical: vec!["privacy_respected".into()],
        missed: vec!["wait_seconds".into(), "phone_rings".into()],
        ..seen(Some(1), "Awful.")
    };
    assert_eq!(
        judge(&RuleKind::CriticalFailure, &found),
        Some(Finding::CriticalFailure {
            items: vec!["privacy_respected".into()]
        })
    );
    assert_eq!(
        judge(&RuleKind::MissedCommitment, &found),
        Some(Finding::MissedCommitment {
            items: vec!["wait_seconds".into(), "phone_rings".into()]
        })
    );
    // Judged elsewhere, or not at all per response.
    for other in [
        burst_rule(15, 1, 1, 4),
        RuleKind::SilentKiosk { hours: 1 },
        RuleKind::ContactRequest,
    ] {
        assert_eq!(judge(&other, &found), None, "{other:?}");
    }
    assert_eq!(
        judge(&RuleKind::CriticalFailure, &Observed::default()),
        None
    );
    assert_eq!(
        judge(&RuleKind::MissedCommitment, &Observed::default()),
        None
    );
}

const T: OffsetDateTime = datetime!(2026-03-02 12:00 UTC);

fn unhappy(n: u32, low: u32, window_minutes: u32) -> Option<Finding> {
    Some(Finding::UnhappyBurst {
        n,
        low,
        window_minutes,
        until: "2026-03-02T12:00:00Z".into(),
    })
}

#[test]
fn a_burst_needs_min_count_answers_and_the_share_at_or_over_the_threshold() {
    // 4 answers at least, half of them 2 or less.
    let r = burst_rule(15, 4, 50, 2);
    // Exactly min_count, share exactly at the threshold (2 of 4 = 50 %).
    assert_eq!(burst(&r, &[1, 2, 4, 5], T), unhappy(4, 2, 15));
    // One below the share: 1 of 4.
    assert_eq!(burst(&r, &[1, 3, 4, 5], T), None);
    // One below min_count, every answer unhappy.
    assert_eq!(burst(&r, &[1, 1, 1], T), None);
    // low_max is inclusive: 3 is not unhappy at low_max 2, is at 3.
    assert_eq!(burst(&r, &[3, 3, 3, 3], T), None);
    assert_eq!(
        burst(&burst_rule(15, 4, 50, 3), &[3, 3, 4, 4], T),
        unhappy(4, 2, 15)
    );
    // Compared exactly, not rounded: 1 of 3 is 33.3 %, over 33 and under 34.
    assert_eq!(
        burst(&burst_rule(15, 3, 33, 2), &[1, 5, 5], T),
        unhappy(3, 1, 15)
    );
    assert_eq!(burst(&burst_rule(15, 3, 34, 2), &[1, 5, 5], T), None);
    // No answers is never a burst, whatever the thresholds.
    assert_eq!(burst(&burst_rule(15, 1, 1, 4), &[], T), None);
    // Not a burst rule.
    assert_eq!(burst(&RuleKind::CriticalFailure, &[1, 1, 1, 1], T), None);
}

fn at(minutes: i64, seconds: i64) -> OffsetDateTime {
    T + Duration::minutes(minutes) + Duration::seconds(seconds)
}

#[test]
fn the_window_is_open_at_its_start_and_closed_at_its_end() {
    // Three answers, all unhappy, in 15 minutes.
    let r = burst_rule(15, 3, 100, 2);
    // 12:00, 12:10 and, new, 12:15: the window (12:00, 12:15] leaves
    // 12:00 out, so only two answers are in it.
    let answers = [(at(0, 0), 1), (at(10, 0), 2), (at(15, 0), 1)];
    assert_eq!(bursts(&r, &answers, &[at(15, 0)]), vec![]);
    // A second earlier, 12:14:59, and 12:00 is in (11:59:59, 12:14:59].
    let answers = [(at(0, 0), 1), (at(10, 0), 2), (at(14, 59), 1)];
    let found = bursts(&r, &answers, &[at(14, 59)]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, at(14, 59));
    assert_eq!(
        found[0].1,
        Finding::UnhappyBurst {
            n: 3,
            low: 3,
            window_minutes: 15,
            until: "2026-03-02T12:14:59Z".into()
        }
    );
}

#[test]
fn a_late_answer_counts_in_the_windows_of_later_answers() {
    let r = burst_rule(15, 3, 100, 2);
    // Stored: 12:05 and 12:10; arriving late: 12:00. The windows ending
    // at 12:00 and 12:05 hold one and two answers; the one ending at
    // 12:10, (11:55, 12:10], holds all three.
    let answers = [(at(5, 0), 1), (at(10, 0), 1), (at(0, 0), 2)];
    let found = bursts(&r, &answers, &[at(0, 0)]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, at(10, 0));
    // 12:15 is a whole window after the late answer: its window
    // (12:00, 12:15] leaves it out, and 12:14's holds only two.
    let answers = [(at(15, 0), 1), (at(14, 0), 1), (at(0, 0), 2)];
    assert_eq!(bursts(&r, &answers, &[at(0, 0)]), vec![]);
    // The window ending at the new answer (12:05) leaves out the one a
    // second later; the window ending at that one holds all three.
    let answers = [(at(0, 0), 1), (at(5, 0), 1), (at(5, 1), 1)];
    let found = bursts(&r, &answers, &[at(5, 0)]);
    assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [at(5, 1)]);
}

#[test]
fn each_window_of_the_clock_has_its_own_burst_key() {
    // 2026-03-02T12:00:00Z is 1772452800 s, 29540880 minutes after the
    // epoch: the start of 15-minute slot 1969392.
    assert_eq!(T.unix_timestamp(), 1_772_452_800);
    assert_eq!(burst_key("N01", T, 15), "burst:N01:1969392");
    assert_eq!(burst_key("N01", at(14, 59), 15), "burst:N01:1969392");
    assert_eq!(burst_key("N01", at(15, 0), 15), "burst:N01:1969393");
    assert_eq!(
        burst_key("N01", T - Duration::seconds(1), 15),
        "burst:N01:1969391"
    );
    // Another branch or window length is another key.
    assert_eq!(burst_key("N02", T, 15), "burst:N02:1969392");
    assert_eq!(burst_key("N01", T, 60), "burst:N01:492348");
    // Before 1970 the slots go on below zero (floor, not truncation).
    let early = datetime!(1969-12-31 23:59:00 UTC);
    assert_eq!(burst_key("N01", early, 15), "burst:N01:-1");
}

#[test]
fn a_kiosk_is_silent_from_the_hour_its_rule_names() {
    let since = datetime!(2026-03-02 08:00 UTC);
    assert!(!silent(
        since,
        since + Duration::hours(2) - Duration::seconds(1),
        2
    ));
    assert!(silent(since, since + Duration::hours(2), 2));
    assert!(silent(since, since + Duration::days(3), 2));
    assert_eq!(
        silent_key("8d4a", since),
        format!("silent:8d4a:{}", since.unix_timestamp())
    );
    // A new response starts a new stretch of silence, with its own key.
    assert_ne!(
        silent_key("8d4a", since),
        silent_key("8d4a", since + Duration::hours(5))
    );
    let id = Uuid::from_u128(7);
    assert_eq!(
        response_key(id),
        "response:00000000-0000-0000-0000-000000000007"
    );
}

fn kiosk() -> Questionnaire {
    questionnaire::load(
        "kiosk.json",
        include_str!("../../../../questionnaires/kiosk.json"),
    )
    .unwrap()
}

fn shop() -> Questionnaire {
    questionnaire::load(
        "mystery_shop.json",
        include_str!("../../../../questionnaires/mystery_shop.json"),
    )
    .unwrap()
}

fn response(q: &Questionnaire, channel: &str, answers: Value, comments: Value) -> Response {
    serde_json::from_value(json!({
        "id": Uuid::from_u128(1), "questionnaire_id": q.id, "questionnaire_version": q.version,
        "branch": "N01", "device_id": "tab-1", "channel": channel, "locale": "en",
        "started_at": "2026-03-02T11:58:00Z", "submitted_at": "2026-03-02T12:00:00Z",
        "answers": answers, "comments": comments,
    }))
    .unwrap()
}

#[test]
fn a_kiosk_response_shows_its_satisfaction_answer_and_its_comments() {
    let q = kiosk();
    let r = response(
        &q,
        "kiosk",
        json!({
            "overall": {"type": "rating", "value": 2},
            "staff_care": {"type": "rating", "value": 4},
            "comment": {"type": "text", "value": "  The queue did not move.  "}
        }),
        json!({}),
    );
    assert_eq!(
        Observed::of(&q, &r),
        Observed {
            satisfaction: Some(2),
            comment: "The queue did not move.".into(),
            critical: vec![],
            missed: vec![],
        }
    );
    // A customer who left before the satisfaction question: nothing to judge.
    let r = response(
        &q,
        "kiosk",
        json!({"staff_care": {"type": "rating", "value": 1}}),
        json!({}),
    );
    assert_eq!(Observed::of(&q, &r), Observed::default());
}

/// Every required item of the default visit answered, yes/no items with
/// `yes_no`; the call rang 9 times unanswered (so "answered" is no).
fn visit_answers(yes_no: &str) -> Value {
    let mut answers = json!({});
    for item in shop().items().filter(|i| i.required && i.show_if.is_none()) {
        answers[&item.id] = match &item.kind {
            ItemKind::YesNo if item.from_call.is_some() => json!({"type": "yes_no", "value": "no"}),
            ItemKind::Call { .. } => {
                json!({"type": "call", "value": {"rings": 9, "answered": false, "seconds": 45}})
            }
            ItemKind::YesNo => json!({"type": "yes_no", "value": yes_no}),
            ItemKind::Seconds { .. } => json!({"type": "seconds", "value": 600}),
            ItemKind::Choice { options } => json!({"type": "choice", "value": options[0].id}),
            other => panic!("unexpected required item {other:?}"),
        };
    }
    answers
}

#[test]
fn a_report_shows_its_critical_failures_and_the_commitments_it_missed() {
    let q = shop();
    // Every check passed, the wait at its 600 s target exactly (met), the
    // call not answered: both call commitments missed, in form order.
    let r = response(&q, "mystery_shop", visit_answers("yes"), json!({}));
    assert_eq!(
        Observed::of(&q, &r),
        Observed {
            satisfaction: None,
            comment: String::new(),
            critical: vec![],
            missed: vec!["phone_rings".into(), "phone_answered".into()],
        }
    );
    // Every check failed, a second over the target: the four critical
    // items, and every commitment.
    let mut answers = visit_answers("no");
    answers["wait_seconds"] = json!({"type": "seconds", "value": 601});
    let r = response(
        &q,
        "mystery_shop",
        answers,
        json!({"service": "Nobody looked up."}),
    );
    let seen = Observed::of(&q, &r);
    assert_eq!(
        seen.critical,
        [
            "identity_verified",
            "privacy_respected",
            "accurate_information",
            "no_pressure_selling"
        ]
    );
    assert_eq!(
        seen.missed,
        [
            "greeted_on_arrival",
            "wait_seconds",
            "first_contact_ownership",
            "phone_rings",
            "phone_answered"
        ]
    );
    assert_eq!(seen.comment, "Nobody looked up.");
    assert_eq!(
        seen.satisfaction, None,
        "a report has no kiosk satisfaction"
    );
}

#[test]
fn an_alert_reaches_admins_and_the_roles_its_rule_names_within_their_scope() {
    let to_managers = NewRule {
        recipients: Recipients {
            roles: vec![Role::Manager, Role::Reviewer],
            ..Recipients::default()
        },
        ..rule(RuleKind::CriticalFailure)
    };
    let [n01, n02, s01] = <[Branch; 3]>::try_from(branches()).unwrap();
    let n01_manager = Scope::Branch("N01".into());
    assert!(visible(Role::Manager, &n01_manager, &to_managers, &n01));
    assert!(!visible(Role::Manager, &n01_manager, &to_managers, &n02));
    // Regional managers are not named: not even their own region's.
    let north = Scope::Region("North".into());
    assert!(!visible(Role::Regional, &north, &to_managers, &n01));
    assert!(visible(Role::Reviewer, &Scope::All, &to_managers, &s01));
    // Admins see every alert, named or not.
    let to_nobody = rule(RuleKind::CriticalFailure);
    assert!(visible(Role::Admin, &Scope::All, &to_nobody, &s01));
    assert!(!visible(Role::Manager, &n01_manager, &to_nobody, &n01));
}
