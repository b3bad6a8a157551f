//! The dashboard filter in a URL, rollups of responses, and the figures
//! computed from summed rollups, against values worked out by hand.

use branchpulse_core::aggregate::{
    aggregate, aggregate_responses, comments_of, counted_quantile, figures, week_label, week_start,
    CommentQuery, Filter, FilterError, Reference, Rollup, DEFAULT_COMMENTS,
};
use branchpulse_core::protocol::Branch;
use branchpulse_core::questionnaire::{self, Dimension, Questionnaire};
use branchpulse_core::scorecard::Definitions;
use branchpulse_core::stats::{self, Comparison};
use branchpulse_core::{Channel, Response};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use time::macros::date;

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

fn branch(code: &str, region: &str) -> Branch {
    Branch {
        code: code.into(),
        name: format!("Branch {code}"),
        region: region.into(),
        active: true,
        format: None,
    }
}

fn network() -> Vec<Branch> {
    vec![
        branch("N01", "North"),
        branch("N02", "North"),
        branch("S01", "South"),
        branch("S02", "South"),
    ]
}

/// A kiosk response to lobby v2's first section: ratings for overall,
/// staff_care (empathy), ease (process), fees_worth (value), confidence
/// (trust), then NPS; 0 = unanswered. The optional "more" section is left
/// unanswered, so process convenience is ease's alone.
fn kiosk_response(branch: &str, day: &str, ratings: [u8; 5], nps: Option<u8>) -> Response {
    let mut answers = serde_json::Map::new();
    for (id, r) in ["overall", "staff_care", "ease", "fees_worth", "confidence"]
        .iter()
        .zip(ratings)
    {
        if r > 0 {
            answers.insert((*id).into(), json!({ "type": "rating", "value": r }));
        }
    }
    if let Some(n) = nps {
        answers.insert("recommend".into(), json!({ "type": "nps", "value": n }));
    }
    response(branch, day, "lobby", "kiosk", Value::Object(answers))
}

fn response(branch: &str, day: &str, q: &str, channel: &str, answers: Value) -> Response {
    serde_json::from_value(json!({
        "id": uuid::Uuid::from_u128(rand_id(branch, day, &answers)),
        "questionnaire_id": q, "questionnaire_version": version(q),
        "branch": branch, "device_id": "tab-1", "channel": channel, "locale": "en",
        "started_at": format!("{day}T09:58:00+08:00"),
        "submitted_at": format!("{day}T10:00:00+08:00"),
        "answers": answers,
    }))
    .unwrap()
}

/// The version of `q` in questionnaires/.
fn version(q: &str) -> u32 {
    match q {
        "lobby" => kiosk().version,
        _ => shop().version,
    }
}

fn rand_id(branch: &str, day: &str, answers: &Value) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (branch, day, answers.to_string()).hash(&mut h);
    u128::from(h.finish())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

// ---- the filter in a URL ----

#[test]
fn a_filter_round_trips_through_its_query_string() {
    let f = Filter {
        from: Some(date!(2026 - 01 - 05)),
        to: Some(date!(2026 - 03 - 29)),
        channel: Some(Channel::MysteryShop),
        questionnaire: Some("branch_visit".into()),
        branches: vec!["N01".into(), "N02".into()],
        region: Some("North".into()),
        format: Some("community".into()),
        against: Reference::Peers,
    };
    let q = f.to_query();
    assert_eq!(
        q,
        "from=2026-01-05&to=2026-03-29&channel=mystery_shop&questionnaire=branch_visit&branches=N01%2CN02&region=North&format=community&against=peers"
    );
    assert_eq!(Filter::from_query(&q).unwrap(), f);
    // What axum's Query does: serde_urlencoded straight into the type.
    assert_eq!(serde_urlencoded::from_str::<Filter>(&q).unwrap(), f);
    assert_eq!(Filter::default().to_query(), "");
    assert_eq!(Filter::from_query("").unwrap(), Filter::default());
}

#[test]
fn branches_are_one_comma_list_written_either_way() {
    for q in [
        "branches=N01,N02",
        "branches=N01%2CN02",
        "branches=%20N01%20,,N02,N01",
    ] {
        let f = Filter::from_query(q).unwrap();
        assert_eq!(f.branches, ["N01", "N02"], "{q}");
        assert_eq!(serde_urlencoded::from_str::<Filter>(q).unwrap(), f, "{q}");
    }
}

#[test]
fn blank_and_unknown_parameters_are_ignored() {
    let f = Filter::from_query("from=&channel=&branches=&region=%20&tab=trend").unwrap();
    assert_eq!(f, Filter::default());
}

#[test]
fn bad_filter_values_say_what_is_wrong() {
    let err = |q: &str| Filter::from_query(q).unwrap_err();
    assert_eq!(
        err("from=2026-13-01"),
        FilterError::BadDate {
            param: "from",
            value: "2026-13-01".into()
        }
    );
    assert!(err("to=yesterday").to_string().contains("YYYY-MM-DD"));
    assert_eq!(err("channel=web"), FilterError::BadChannel("web".into()));
    assert_eq!(
        err("from=2026-03-02&to=2026-03-01").to_string(),
        "from: 2026-03-02 is after to (2026-03-01): the date range is empty"
    );
    // The same errors reach a Query extractor.
    let e = serde_urlencoded::from_str::<Filter>("channel=web").unwrap_err();
    assert!(e.to_string().contains("kiosk or mystery_shop"), "{e}");
    assert!(Filter::from_query("from=2026-03-01&to=2026-03-01").is_ok());
}

#[test]
fn regions_and_branch_codes_are_checked_against_the_branch_list() {
    let branches = network();
    let f = Filter::from_query("region=West").unwrap();
    assert_eq!(
        f.check(&branches, &[]),
        Err(FilterError::UnknownRegion("West".into()))
    );
    let f = Filter::from_query("branches=N01,X9").unwrap();
    assert_eq!(
        f.check(&branches, &[]),
        Err(FilterError::UnknownBranch("X9".into()))
    );
    let f = Filter::from_query("region=North&branches=N01,S01").unwrap();
    assert_eq!(f.check(&branches, &[]), Ok(()));
    let chosen: Vec<&str> = branches
        .iter()
        .filter(|b| f.selects(b))
        .map(|b| b.code.as_str())
        .collect();
    assert_eq!(
        chosen,
        ["N01"],
        "branches and region together: both must hold"
    );
}

#[test]
fn a_format_selects_its_branches_and_must_exist() {
    use branchpulse_core::protocol::Format;
    let mut branches = network();
    branches[0].format = Some("community".into());
    branches[2].format = Some("community".into());
    branches[3].format = Some("flagship".into());
    let text = |en: &str| -> branchpulse_core::Text {
        serde_json::from_value(json!({"zh-CN": en, "en": en, "es": en})).unwrap()
    };
    let formats = ["community", "flagship", "loan_centre"].map(|code| Format {
        code: code.into(),
        name: text(code),
    });
    let chosen = |q: &str| -> Vec<String> {
        let f = Filter::from_query(q).unwrap();
        assert_eq!(f.check(&branches, &formats), Ok(()), "{q}");
        branches
            .iter()
            .filter(|b| f.selects(b))
            .map(|b| b.code.clone())
            .collect()
    };
    assert_eq!(chosen("format=community"), ["N01", "S01"]);
    assert_eq!(chosen("format=community&region=South"), ["S01"]);
    assert_eq!(chosen("format=community&branches=N01,N02,S02"), ["N01"]);
    // N02 has no format: only the whole network takes it in.
    assert_eq!(chosen(""), ["N01", "N02", "S01", "S02"]);
    assert!(
        chosen("format=loan_centre").is_empty(),
        "a format without branches selects none"
    );
    assert!(Filter::from_query("format=community").unwrap().narrows());
    assert!(!Filter::from_query("against=peers").unwrap().narrows());
    let f = Filter::from_query("format=drive_through").unwrap();
    let e = f.check(&branches, &formats).unwrap_err();
    assert_eq!(e, FilterError::UnknownFormat("drive_through".into()));
    assert_eq!(
        (e.code(), e.field()),
        (branchpulse_core::ProblemCode::UnknownFormat, Some("format"))
    );
    assert_eq!(Filter::from_query("format=%20").unwrap().format, None);
}

#[test]
fn comment_queries_round_trip_with_their_limit() {
    let c = CommentQuery::from_query("branches=N01&q=%E6%8E%92%E9%98%9F&limit=5").unwrap();
    assert_eq!(c.q.as_deref(), Some("排队"));
    assert_eq!(c.limit, 5);
    assert_eq!(c.filter.branches, ["N01"]);
    assert_eq!(CommentQuery::from_query(&c.to_query()).unwrap(), c);
    assert_eq!(
        serde_urlencoded::from_str::<CommentQuery>(&c.to_query()).unwrap(),
        c
    );
    assert_eq!(
        CommentQuery::from_query("").unwrap().limit,
        DEFAULT_COMMENTS
    );
    for bad in ["limit=0", "limit=201", "limit=ten"] {
        assert!(
            matches!(CommentQuery::from_query(bad), Err(FilterError::BadLimit(_))),
            "{bad}"
        );
    }
    assert!(CommentQuery::from_query("channel=phone").is_err());
}

#[test]
fn comment_searches_are_plain_text_of_a_sensible_length() {
    for bad in ["q=queue%00", "q=%1B%5B2J"] {
        let e = CommentQuery::from_query(bad).unwrap_err();
        assert!(matches!(e, FilterError::BadSearch(_)), "{bad}: {e}");
        assert!(
            e.to_string()
                .starts_with("q: contains the control character"),
            "{e}"
        );
    }
    let long = format!(
        "q={}",
        "a".repeat(branchpulse_core::aggregate::MAX_SEARCH_CHARS + 1)
    );
    let e = CommentQuery::from_query(&long).unwrap_err();
    assert!(
        e.to_string().starts_with("q: is 201 characters long"),
        "{e}"
    );
    let ok = CommentQuery::from_query("q=two%0Alines%09tab").unwrap();
    assert_eq!(ok.q.as_deref(), Some("two\nlines\ttab"));
}

// ---- rollups of single responses ----

#[test]
fn a_kiosk_response_rolls_up_its_scores_csat_and_nps() {
    let q = kiosk();
    let r = Rollup::of(
        &q,
        &kiosk_response("N01", "2026-03-02", [5, 5, 4, 3, 5], Some(10)),
    );
    assert_eq!(r.n, 1);
    // empathy 100, process 75, value 50, trust 100; overall their mean.
    assert_eq!(r.overall.sum, 81.25);
    assert_eq!(r.dimensions[&Dimension::Empathy].sum, 100.0);
    assert_eq!(r.dimensions[&Dimension::ProcessConvenience].sum, 75.0);
    assert_eq!(r.dimensions[&Dimension::Value].sum, 50.0);
    assert_eq!(r.dimensions[&Dimension::Trust].sum, 100.0);
    assert!(!r.dimensions.contains_key(&Dimension::Environment));
    assert_eq!((r.csat_n, r.csat_top), (1, 1));
    assert_eq!(r.nps.promoters, 1);
    assert_eq!(r.visits, 0);

    let r = Rollup::of(
        &q,
        &kiosk_response("N01", "2026-03-02", [3, 0, 0, 0, 0], None),
    );
    assert_eq!((r.csat_n, r.csat_top), (1, 0));
    assert_eq!(
        r.overall.n, 0,
        "the overall rating is CSAT's, not a dimension"
    );
    assert_eq!(r.nps.promoters + r.nps.passives + r.nps.detractors, 0);
}

fn visit(branch: &str, day: &str, wait: u32, privacy: &str) -> Response {
    response(
        branch,
        day,
        "branch_visit",
        "mystery_shop",
        json!({
            "greeted_on_arrival": { "type": "yes_no", "value": "yes" },
            "wait_seconds": { "type": "seconds", "value": wait },
            "privacy_respected": { "type": "yes_no", "value": privacy },
            "identity_verified": { "type": "yes_no", "value": "yes" },
            "phone_answered": { "type": "yes_no", "value": "no" },
        }),
    )
}

#[test]
fn a_visit_rolls_up_pass_critical_failures_and_wait() {
    let q = shop();
    let v = visit("N01", "2026-03-03", 420, "no");
    let r = Rollup::of(&q, &v);
    assert_eq!((r.visits, r.passes), (1, 0));
    assert_eq!(
        r.critical,
        BTreeMap::from([("privacy_respected".into(), 1)])
    );
    assert_eq!(r.wait, BTreeMap::from([(420, 1)]));
    let card = branchpulse_core::score::score(&q, &v.answers);
    assert_eq!(r.visit_score.sum, card.overall.unwrap());
    assert_eq!(r.visit_score, r.overall);

    let r = Rollup::of(&q, &visit("N01", "2026-03-03", 60, "yes"));
    assert_eq!((r.visits, r.passes), (1, 1));
    assert!(r.critical.is_empty());
}

// ---- figures from summed rollups ----

#[test]
fn figures_equal_hand_computed_values() {
    let q = kiosk();
    let mut sum = Rollup::default();
    for r in [
        kiosk_response("N01", "2026-03-02", [5, 5, 4, 3, 5], Some(10)),
        kiosk_response("N01", "2026-03-03", [3, 3, 2, 1, 4], Some(6)),
        kiosk_response("N01", "2026-03-04", [4, 4, 0, 0, 0], Some(8)),
    ] {
        sum.merge(&Rollup::of(&q, &r));
    }
    let f = figures(&sum, &Definitions::default());
    assert_eq!(f.n, 3);
    assert!(f.too_few);
    // Overall: 81.25, 37.5, 75 → mean 64.5833; s = 23.6725; t(0.975, 2) = 4.302653.
    let o = f.overall.estimate.unwrap();
    assert!(close(o.value, 64.583333333), "{o:?}");
    assert!(close(o.low, 5.803373400), "{o:?}");
    assert_eq!(o.high, 100.0, "clamped to the scale");
    // Empathy: 100, 50, 75 → 75 ± 62.1034 → [12.8966, 100].
    let e = f.dimensions[&Dimension::Empathy];
    assert_eq!(e.n, 3);
    assert!(close(e.estimate.unwrap().low, 12.896557204));
    // Value: 50 and 0 → 25 ± t(0.975, 1)·35.36/√2 = 25 ± 317.7 → the whole scale.
    let v = f.dimensions[&Dimension::Value].estimate.unwrap();
    assert_eq!((v.n, v.value, v.low, v.high), (2, 25.0, 0.0, 100.0));
    assert_eq!(f.dimensions[&Dimension::Environment].n, 0);
    assert_eq!(f.dimensions[&Dimension::Environment].estimate, None);
    // CSAT: 2 of 3 in the top two boxes; Wilson [20.766, 93.851].
    let c = f.csat.estimate.unwrap();
    assert!(
        close(c.value, 66.666666667) && close(c.low, 20.765959881) && close(c.high, 93.850805598)
    );
    // NPS: one promoter, one passive, one detractor → 0; adjusted Wald:
    // n' = 6, p' = d' = 1.75/6, half = 1.959964·√(0.583333/6) = 0.611126.
    let n = f.nps.estimate.unwrap();
    assert_eq!(n.value, 0.0);
    assert!(close(n.high, 61.112615), "{n:?}");
    assert!(close(n.low, -61.112615));
    assert_eq!(f.mystery.visits, 0);
    assert_eq!(f.mystery.pass_rate.estimate, None);
    assert_eq!(f.wait.median, None);
}

/// A lobby v2 response with `answers` as given, `partial` or not.
fn lobby(day: &str, partial: bool, answers: Value) -> Response {
    let mut r = response("N01", day, "lobby", "kiosk", answers);
    r.partial = partial;
    r
}

#[test]
fn partial_and_not_applicable_answers_count_item_by_item() {
    let q = kiosk();
    let responses = [
        // Complete; fees "do not apply"; the optional section answered
        // (wait 5–10 minutes scores 75; resolved and reason have no dimension).
        lobby(
            "2026-03-02",
            false,
            json!({
                "overall": { "type": "rating", "value": 5 },
                "staff_care": { "type": "rating", "value": 4 },
                "ease": { "type": "rating", "value": 4 },
                "fees_worth": { "type": "not_applicable" },
                "confidence": { "type": "rating", "value": 5 },
                "recommend": { "type": "nps", "value": 9 },
                "wait": { "type": "choice", "value": "5_to_10" },
                "resolved": { "type": "yes_no", "value": "yes" },
                "reason": { "type": "choice", "value": "cash" },
            }),
        ),
        // The customer walked away after two ratings.
        lobby(
            "2026-03-03",
            true,
            json!({
                "overall": { "type": "rating", "value": 2 },
                "staff_care": { "type": "rating", "value": 3 },
            }),
        ),
        // Complete, the optional section skipped.
        lobby(
            "2026-03-04",
            false,
            json!({
                "overall": { "type": "rating", "value": 4 },
                "staff_care": { "type": "rating", "value": 5 },
                "ease": { "type": "rating", "value": 2 },
                "fees_worth": { "type": "rating", "value": 3 },
                "confidence": { "type": "rating", "value": 4 },
                "recommend": { "type": "nps", "value": 6 },
            }),
        ),
    ];
    // Each is a response the server would take.
    let rules = branchpulse_core::validate::Rules {
        now: time::macros::datetime!(2026-03-05 12:00 UTC),
        max_clock_skew: time::Duration::minutes(5),
        max_age: time::Duration::days(400),
    };
    for r in &responses {
        assert_eq!(
            branchpulse_core::validate::validate(&q, r, &rules),
            Ok(()),
            "{r:?}"
        );
    }
    let mut sum = Rollup::default();
    for r in &responses {
        sum.merge(&Rollup::of(&q, r));
    }
    assert_eq!((sum.n, sum.completed), (3, 2));
    let f = figures(&sum, &Definitions::default());
    assert_eq!((f.n, f.completed), (3, 2));
    // Completion: 2 of 3; Wilson [20.766, 93.851], as CSAT's 2 of 3 above.
    let c = f.completion.estimate.unwrap();
    assert_eq!(f.completion.n, 3);
    assert!(close(c.value, 66.666666667), "{c:?}");
    assert!(
        close(c.low, 20.765959881) && close(c.high, 93.850805598),
        "{c:?}"
    );
    // Empathy: 75 (4), 50 (3, from the partial response), 100 (5) → 75 on 3.
    let mean = |d: Dimension| {
        let fig = f.dimensions[&d];
        (fig.n, fig.estimate.map(|e| e.value))
    };
    assert_eq!(mean(Dimension::Empathy), (3, Some(75.0)));
    // Process convenience per response: ease 75 and wait 75 → 75; ease 25
    // → 25 (the partial response has neither) → 50 on 2.
    assert_eq!(mean(Dimension::ProcessConvenience), (2, Some(50.0)));
    // Value: "does not apply" leaves the denominator: only the 3 (50).
    assert_eq!(mean(Dimension::Value), (1, Some(50.0)));
    // Trust: 100 and 75.
    assert_eq!(mean(Dimension::Trust), (2, Some(87.5)));
    // Overall per response, over the scored items with a dimension:
    // (75 + 75 + 75 + 100) / 4 = 81.25; 50; (100 + 25 + 50 + 75) / 4 = 62.5.
    let o = f.overall.estimate.unwrap();
    assert_eq!(f.overall.n, 3);
    assert!(close(o.value, (81.25 + 50.0 + 62.5) / 3.0), "{o:?}");
    // CSAT: overall 5, 2, 4 → 2 of 3 (the partial response's rating counts).
    assert_eq!((sum.csat_n, sum.csat_top), (3, 2));
    // NPS: 9 and 6 (the partial response has none) → 50 − 50 = 0 on 2.
    assert_eq!(f.nps.n, 2);
    assert_eq!(f.nps.estimate.unwrap().value, 0.0);
    let mut json = serde_json::to_value(&f).unwrap();
    assert_eq!(json["completed"], 2);
    assert_eq!(json["completion"]["n"], 3);
    // Figures an app kept from a server before completion rates still read.
    let kept = json.as_object_mut().unwrap();
    kept.remove("completed");
    kept.remove("completion");
    let old: branchpulse_core::aggregate::Figures = serde_json::from_value(json).unwrap();
    assert_eq!(
        (old.completed, old.completion.n, old.completion.estimate),
        (0, 0, None)
    );
}

#[test]
fn not_applicable_alone_scores_nothing_but_counts_the_response() {
    let q = kiosk();
    let r = Rollup::of(
        &q,
        &lobby(
            "2026-03-02",
            true,
            json!({ "fees_worth": { "type": "not_applicable" } }),
        ),
    );
    assert_eq!((r.n, r.completed), (1, 0));
    assert_eq!(r.overall.n, 0);
    assert!(r.dimensions.is_empty());
    assert_eq!(r.csat_n, 0);
}

#[test]
fn mystery_figures_equal_hand_computed_values() {
    let q = shop();
    let mut sum = Rollup::default();
    for v in [
        visit("N01", "2026-03-03", 120, "yes"),
        visit("N01", "2026-03-04", 900, "no"),
        visit("N01", "2026-03-05", 300, "yes"),
        visit("N01", "2026-03-06", 1800, "yes"),
    ] {
        sum.merge(&Rollup::of(&q, &v));
    }
    let f = figures(&sum, &Definitions::default());
    assert_eq!(f.mystery.visits, 4);
    // 3 of 4 passed; Wilson(3, 4) = [30.064, 95.441].
    let p = f.mystery.pass_rate.estimate.unwrap();
    assert!(close(p.value, 75.0) && close(p.low, 30.064184), "{p:?}");
    assert!(close(p.high, 95.441274), "{p:?}");
    assert_eq!(f.mystery.critical_failures.len(), 1);
    let c = &f.mystery.critical_failures[0];
    assert_eq!((c.item.as_str(), c.count, c.n), ("privacy_respected", 1, 4));
    // Waits 120, 300, 900, 1800: median 600, p90 at h = 2.7 → 900 + 0.7·900 = 1530.
    assert_eq!(f.wait.n, 4);
    assert_eq!(f.wait.median, Some(600.0));
    assert!(close(f.wait.p90.unwrap(), 1530.0));
    let counts: Vec<(u32, u64)> = f.wait.histogram.iter().map(|b| (b.from, b.count)).collect();
    assert_eq!(
        counts,
        [
            (0, 0),
            (60, 0),
            (120, 1),
            (180, 0),
            (300, 1),
            (600, 0),
            (900, 1),
            (1200, 0),
            (1800, 1)
        ]
    );
    assert_eq!(f.wait.histogram.last().unwrap().to, None);
    assert_eq!(f.wait.histogram[2].to, Some(180));
}

#[test]
fn branches_are_flagged_only_where_their_interval_excludes_the_network() {
    let q = kiosk();
    let mut responses = Vec::new();
    for i in 0..30 {
        // N01: every empathy answer 5 (100); N02: every one 1 (0);
        // S01: alternating 100 and 0 (mean 50); S02: five answers of 3 (50).
        responses.push(kiosk_response("N01", "2026-03-02", [4, 5, 0, 0, 0], None));
        responses.push(kiosk_response("N02", "2026-03-02", [4, 1, 0, 0, 0], None));
        let r = if i % 2 == 0 { 5 } else { 1 };
        responses.push(kiosk_response("S01", "2026-03-09", [4, r, 0, 0, 0], None));
        if i < 5 {
            responses.push(kiosk_response("S02", "2026-03-09", [4, 3, 0, 0, 0], None));
        }
    }
    let a = aggregate_responses(
        &Filter::default(),
        &network(),
        &Definitions::default(),
        &responses,
        |id, v| (id == "lobby" && v == q.version).then_some(&q),
    );
    let emp = |code: &str| {
        a.branches
            .iter()
            .find(|b| b.code == code)
            .unwrap()
            .figures
            .dimensions[&Dimension::Empathy]
    };
    // Network: (30·100 + 0 + 15·100 + 5·50) / 95 = 50.
    let net = a.network.dimensions[&Dimension::Empathy];
    assert_eq!(net.n, 95);
    assert!(close(net.estimate.unwrap().value, 50.0));
    assert_eq!(
        net.comparison, None,
        "the network is not compared with itself"
    );
    assert_eq!(emp("N01").comparison, Some(Comparison::Better));
    assert_eq!(emp("N02").comparison, Some(Comparison::Worse));
    assert_eq!(emp("S01").comparison, Some(Comparison::Indistinguishable));
    let s02 = emp("S02");
    assert!(s02.too_few);
    assert_eq!(s02.comparison, None, "too few: never flagged");
    // CSAT is 100% everywhere: equal to the network, never "better".
    let n01 = &a.branches[0].figures;
    assert_eq!(n01.csat.comparison, Some(Comparison::Indistinguishable));
    // Listed in branch-list order, not by score.
    let codes: Vec<&str> = a.branches.iter().map(|b| b.code.as_str()).collect();
    assert_eq!(codes, ["N01", "N02", "S01", "S02"]);
    // Two ISO weeks, the same on every branch's trend.
    let weeks: Vec<&str> = a.trend.iter().map(|t| t.week.as_str()).collect();
    assert_eq!(weeks, ["2026-W10", "2026-W11"]);
    assert_eq!((a.trend[0].n, a.trend[1].n), (60, 35));
    let n01_trend: Vec<u64> = a.branches[0].trend.iter().map(|t| t.n).collect();
    assert_eq!(n01_trend, [30, 0]);
    assert_eq!(
        a.branches[0].trend[0].dimensions[&Dimension::Empathy].mean,
        100.0
    );
    assert!(a.branches[0].trend[1].dimensions.is_empty());
}

#[test]
fn the_filter_chooses_days_channels_questionnaires_and_branches() {
    let (k, s) = (kiosk(), shop());
    let responses = vec![
        kiosk_response("N01", "2026-03-01", [5, 5, 5, 5, 5], None),
        kiosk_response("N01", "2026-03-02", [1, 1, 1, 1, 1], None),
        kiosk_response("S01", "2026-03-02", [3, 3, 3, 3, 3], None),
        visit("N02", "2026-03-02", 100, "yes"),
    ];
    let find = |id: &str, _v: u32| match id {
        "lobby" => Some(&k),
        "branch_visit" => Some(&s),
        _ => None,
    };
    let run = |q: &str| {
        aggregate_responses(
            &Filter::from_query(q).unwrap(),
            &network(),
            &Definitions::default(),
            &responses,
            find,
        )
    };
    assert_eq!(run("").network.n, 4);
    assert_eq!(run("from=2026-03-02").network.n, 3);
    assert_eq!(run("to=2026-03-01").network.n, 1);
    assert_eq!(run("channel=kiosk").network.n, 3);
    assert_eq!(run("channel=mystery_shop").network.mystery.visits, 1);
    assert_eq!(run("questionnaire=branch_visit").network.n, 1);
    // Branches and region choose the branches listed; the network stays
    // every branch, so that "better than the network" means the network.
    let north = run("region=North");
    assert_eq!(north.network.n, 4);
    let listed: Vec<(&str, u64)> = north
        .branches
        .iter()
        .map(|b| (b.code.as_str(), b.figures.n))
        .collect();
    assert_eq!(listed, [("N01", 2), ("N02", 1)]);
    // The region's own totals: N01's two responses and N02's visit.
    let region = north.selection.as_ref().expect("a region narrows");
    assert_eq!((region.n, region.mystery.visits), (3, 1));
    assert_eq!(region.csat.comparison, None, "not compared");
    assert_eq!(run("").selection, None, "nothing narrows the network");
    let one = run("branches=S01");
    assert_eq!(
        one.selection.as_ref().map(|s| s.n),
        Some(1),
        "one branch's totals"
    );
    assert_eq!(one.network.n, 4);
    assert_eq!(one.branches.len(), 1);
    assert_eq!(
        one.branches[0].figures.overall.estimate.unwrap().value,
        50.0,
        "only S01's ratings of 3"
    );
    assert_eq!(
        one.trend.iter().map(|t| t.n).sum::<u64>(),
        4,
        "the network's trend"
    );
    // The trend covers the filter's whole range, week by week.
    let t = run("from=2026-02-20&to=2026-03-02").trend;
    let weeks: Vec<&str> = t.iter().map(|t| t.week.as_str()).collect();
    assert_eq!(weeks, ["2026-W08", "2026-W09", "2026-W10"]);
}

#[test]
fn parts_summed_in_any_grouping_give_the_same_figures() {
    // What the server does (sums per branch and week, from day rows) and
    // what the app does (one part per response) must agree.
    let q = kiosk();
    let responses: Vec<Response> = (0..40u8)
        .map(|i| {
            let day = format!("2026-03-{:02}", 1 + i % 20);
            kiosk_response(
                if i % 3 == 0 { "N01" } else { "S01" },
                &day,
                [1 + i % 5, 1 + i % 4, 1 + i % 3, 5, 1 + i % 2],
                Some(i % 11),
            )
        })
        .collect();
    let filter = Filter::default();
    let per_response = aggregate_responses(
        &filter,
        &network(),
        &Definitions::default(),
        &responses,
        |_, _| Some(&q),
    );
    let mut rows: BTreeMap<(String, time::Date), Rollup> = BTreeMap::new();
    for r in &responses {
        rows.entry((r.branch.clone(), week_start(r.submitted_at.date())))
            .or_default()
            .merge(&Rollup::of(&q, r));
    }
    let summed = aggregate(
        &filter,
        &network(),
        &Definitions::default(),
        rows.into_iter().map(
            |((branch, week), rollup)| branchpulse_core::aggregate::Part {
                branch,
                week,
                rollup,
            },
        ),
    );
    assert_eq!(summed.network.n, per_response.network.n);
    assert_eq!(summed.branches.len(), per_response.branches.len());
    let (a, b) = (
        summed.network.overall.estimate.unwrap(),
        per_response.network.overall.estimate.unwrap(),
    );
    assert!(close(a.value, b.value) && close(a.low, b.low) && close(a.high, b.high));
    assert_eq!(summed.network.nps, per_response.network.nps);
    assert_eq!(summed.trend.len(), per_response.trend.len());
}

#[test]
fn weeks_are_iso_weeks() {
    assert_eq!(week_start(date!(2026 - 01 - 01)), date!(2025 - 12 - 29));
    assert_eq!(week_label(date!(2026 - 01 - 01)), "2026-W01");
    assert_eq!(week_label(date!(2027 - 01 - 01)), "2026-W53");
    assert_eq!(week_start(date!(2026 - 03 - 08)), date!(2026 - 03 - 02));
}

#[test]
fn the_json_shape_is_the_documented_one() {
    let q = kiosk();
    let responses = [kiosk_response(
        "N01",
        "2026-03-02",
        [5, 5, 4, 3, 5],
        Some(10),
    )];
    let filter = Filter::from_query("from=2026-03-02&branches=N01").unwrap();
    let a = aggregate_responses(
        &filter,
        &network(),
        &Definitions::default(),
        &responses,
        |_, _| Some(&q),
    );
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(
        v["filter"],
        json!({ "from": "2026-03-02", "branches": "N01" })
    );
    assert_eq!(v["network"]["n"], 1);
    assert_eq!(v["network"]["too_few"], true);
    assert_eq!(
        v["network"]["dimensions"]["empathy"]["estimate"]["value"],
        100.0
    );
    assert_eq!(
        v["network"]["dimensions"]["environment"]["estimate"],
        Value::Null
    );
    assert!(v["network"]["csat"].get("comparison").is_none());
    assert_eq!(v["selection"]["n"], 1, "N01's own totals");
    assert_eq!(v["branches"][0]["code"], "N01");
    assert_eq!(v["branches"][0]["name"], "Branch N01");
    assert_eq!(v["trend"][0]["week"], "2026-W10");
    assert_eq!(v["trend"][0]["start"], "2026-03-02");
    assert_eq!(
        v["trend"][0]["dimensions"]["trust"],
        json!({ "n": 1, "mean": 100.0 })
    );
    assert_eq!(
        v["network"]["wait"]["histogram"][0],
        json!({ "from": 0, "to": 60, "count": 0 })
    );
    let back: branchpulse_core::aggregate::Aggregates = serde_json::from_value(v).unwrap();
    assert_eq!(back, a);
}

#[test]
fn comments_are_text_answers_and_attached_comments() {
    let mut r = kiosk_response("N01", "2026-03-02", [5, 0, 0, 0, 0], None);
    r.answers.insert(
        "comment".into(),
        branchpulse_core::Answer::Text("<script>alert(1)</script> 排队太久".into()),
    );
    r.comments.insert("waiting".into(), "  ".into());
    r.comments.insert("service".into(), "Friendly".into());
    let c = comments_of(&r);
    let items: Vec<(&str, &str)> = c
        .iter()
        .map(|c| (c.item.as_str(), c.text.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            ("comment", "<script>alert(1)</script> 排队太久"),
            ("service", "Friendly")
        ]
    );
    assert_eq!(c[0].branch, "N01");
    assert_eq!(c[0].response_id, r.id);
}

proptest! {
    #[test]
    fn counted_quantiles_equal_quantiles_of_the_values(
        values in proptest::collection::vec(0u32..4000, 1..60),
        q in 0.0f64..=1.0,
    ) {
        let mut counts = BTreeMap::new();
        for v in &values {
            *counts.entry(*v).or_insert(0u64) += 1;
        }
        let mut sorted: Vec<f64> = values.iter().map(|v| f64::from(*v)).collect();
        sorted.sort_by(f64::total_cmp);
        let expected = stats::quantile(&sorted, q).unwrap();
        let got = counted_quantile(&counts, q).unwrap();
        prop_assert!((expected - got).abs() < 1e-9, "{expected} vs {got}");
    }
}

#[test]
fn filter_errors_name_their_code_and_parameter() {
    use branchpulse_core::ProblemCode;
    for (query, code, field) in [
        ("from=2026-13-01", ProblemCode::BadDate, Some("from")),
        ("to=9999-12-31", ProblemCode::DateOutOfRange, Some("to")),
        ("channel=web", ProblemCode::BadChannel, Some("channel")),
        (
            "from=2026-03-02&to=2026-03-01",
            ProblemCode::EmptyDateRange,
            Some("from"),
        ),
        ("limit=0", ProblemCode::BadLimit, Some("limit")),
        ("q=a%00", ProblemCode::ControlCharacters, Some("q")),
        ("from=a&from=b", ProblemCode::BadQuery, None),
    ] {
        let e = CommentQuery::from_query(query).unwrap_err();
        assert_eq!((e.code(), e.field()), (code, field), "{query}: {e}");
    }
    let long = format!(
        "q={}",
        "a".repeat(branchpulse_core::aggregate::MAX_SEARCH_CHARS + 1)
    );
    let e = CommentQuery::from_query(&long).unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        (ProblemCode::SearchTooLong, Some("q"))
    );
}
