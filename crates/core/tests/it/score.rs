//! Scoring one response, and CSAT and NPS over many.

use branchpulse_core::questionnaire::{self, Dimension, Questionnaire};
use branchpulse_core::response::{Answer, YesNo};
use branchpulse_core::score::{csat, is_top_two, item_score, nps, nps_class, score, NpsClass};
use branchpulse_core::stats;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn item(id: &str, kind: &str, extra: Value) -> Value {
    let mut v = json!({ "id": id, "type": kind, "text": { "en": format!("Item {id}") } });
    if let (Value::Object(v), Value::Object(extra)) = (&mut v, extra) {
        v.extend(extra);
    }
    v
}

/// A visit form with one item of each kind.
///
/// - `welcome`: rating, empathy, weight 1; `listened`: rating, empathy, weight 3
/// - `accurate`: yes/no, trust, weight 2; `id_checked`: yes/no, trust, critical
/// - `wait`: seconds, target 300 s, process convenience; `queue_len`: seconds, no target
/// - `hall`: choice, environment: `spotless` 100, `ok` 40, `unrated` (no score)
/// - `recommend`: NPS, no dimension; `overall`: rating, no dimension
/// - `fee_explained`: yes/no, value, critical, shown only if `accurate` is "no"
/// - `notes`: text
fn visit_form() -> Questionnaire {
    let q = json!({
        "id": "visit", "version": 1, "kind": "mystery_shop",
        "title": { "en": "Visit" }, "languages": ["en"],
        "sections": [
            { "id": "service", "title": { "en": "Service" }, "items": [
                item("welcome", "rating", json!({ "dimension": "empathy" })),
                item("listened", "rating", json!({ "dimension": "empathy", "weight": 3 })),
                item("accurate", "yes_no", json!({ "dimension": "trust", "weight": 2 })),
                item("id_checked", "yes_no", json!({ "dimension": "trust", "critical": true })),
                item("wait", "seconds", json!({ "dimension": "process_convenience", "target": 300 })),
                item("queue_len", "seconds", json!({ "dimension": "process_convenience" })),
                item("hall", "choice", json!({ "dimension": "environment", "options": [
                    { "id": "spotless", "label": { "en": "Spotless" }, "score": 100 },
                    { "id": "ok", "label": { "en": "OK" }, "score": 40 },
                    { "id": "unrated", "label": { "en": "Could not see" } }
                ] })),
            ] },
            { "id": "after", "title": { "en": "After" }, "items": [
                item("recommend", "nps", json!({})),
                item("overall", "rating", json!({})),
                item("fee_explained", "yes_no", json!({
                    "dimension": "value", "critical": true,
                    "show_if": { "item": "accurate", "equals": { "type": "yes_no", "value": "no" } }
                })),
                item("notes", "text", json!({})),
            ] }
        ]
    });
    questionnaire::load("visit.json", &q.to_string()).expect("the test questionnaire loads")
}

fn answers<const N: usize>(list: [(&str, Answer); N]) -> BTreeMap<String, Answer> {
    list.into_iter().map(|(id, a)| (id.to_owned(), a)).collect()
}

fn yes() -> Answer {
    Answer::YesNo(YesNo::Yes)
}
fn no() -> Answer {
    Answer::YesNo(YesNo::No)
}
fn na() -> Answer {
    Answer::YesNo(YesNo::Na)
}

#[track_caller]
fn assert_score(actual: Option<f64>, expected: f64) {
    let a = actual.unwrap_or_else(|| panic!("expected a score of {expected}, got none"));
    assert!((a - expected).abs() < 1e-9, "got {a}, expected {expected}");
}

// ---------------------------------------------------------------------------
// One item

#[test]
fn rating_maps_to_0_to_100() {
    let q = visit_form();
    let welcome = q.item("welcome").unwrap();
    // (r − 1)/4 · 100
    for (r, expected) in [(1, 0.0), (2, 25.0), (3, 50.0), (4, 75.0), (5, 100.0)] {
        assert_eq!(
            item_score(welcome, &Answer::Rating(r)),
            Some(expected),
            "rating {r}"
        );
    }
    assert_eq!(item_score(welcome, &Answer::Rating(0)), None);
    assert_eq!(item_score(welcome, &Answer::Rating(6)), None);
}

#[test]
fn yes_no_and_not_applicable() {
    let q = visit_form();
    let accurate = q.item("accurate").unwrap();
    assert_eq!(item_score(accurate, &yes()), Some(100.0));
    assert_eq!(item_score(accurate, &no()), Some(0.0));
    assert_eq!(item_score(accurate, &na()), None);
}

#[test]
fn nps_item_maps_to_tenths() {
    let q = visit_form();
    let recommend = q.item("recommend").unwrap();
    assert_eq!(item_score(recommend, &Answer::Nps(0)), Some(0.0));
    assert_eq!(item_score(recommend, &Answer::Nps(7)), Some(70.0));
    assert_eq!(item_score(recommend, &Answer::Nps(10)), Some(100.0));
    assert_eq!(item_score(recommend, &Answer::Nps(11)), None);
}

#[test]
fn seconds_against_the_target() {
    let q = visit_form();
    let wait = q.item("wait").unwrap();
    assert_eq!(item_score(wait, &Answer::Seconds(0)), Some(100.0));
    assert_eq!(
        item_score(wait, &Answer::Seconds(300)),
        Some(100.0),
        "at the target counts as met"
    );
    assert_eq!(item_score(wait, &Answer::Seconds(301)), Some(0.0));
    let untargeted = q.item("queue_len").unwrap();
    assert_eq!(
        item_score(untargeted, &Answer::Seconds(10)),
        None,
        "no target: evidence only"
    );
}

#[test]
fn choice_uses_the_option_score() {
    let q = visit_form();
    let hall = q.item("hall").unwrap();
    let choose = |id: &str| item_score(hall, &Answer::Choice(id.into()));
    assert_eq!(choose("spotless"), Some(100.0));
    assert_eq!(choose("ok"), Some(40.0));
    assert_eq!(
        choose("unrated"),
        None,
        "an option without a score does not score"
    );
    assert_eq!(choose("missing"), None);
}

#[test]
fn text_and_wrong_types_never_score() {
    let q = visit_form();
    assert_eq!(
        item_score(q.item("notes").unwrap(), &Answer::Text("fine".into())),
        None
    );
    assert_eq!(item_score(q.item("welcome").unwrap(), &yes()), None);
    assert_eq!(
        item_score(q.item("accurate").unwrap(), &Answer::Rating(5)),
        None
    );
    assert_eq!(item_score(q.item("wait").unwrap(), &Answer::Nps(3)), None);
}

// ---------------------------------------------------------------------------
// A whole response

#[test]
fn weighted_means_per_dimension_section_and_overall() {
    let q = visit_form();
    let card = score(
        &q,
        &answers([
            ("welcome", Answer::Rating(5)),               // empathy 100, w1
            ("listened", Answer::Rating(2)),              // empathy 25, w3
            ("accurate", yes()),                          // trust 100, w2
            ("id_checked", no()),                         // trust 0, w1
            ("wait", Answer::Seconds(420)),               // process 0, w1
            ("queue_len", Answer::Seconds(90)),           // not scored
            ("hall", Answer::Choice("ok".into())),        // environment 40, w1
            ("recommend", Answer::Nps(10)),               // meta
            ("overall", Answer::Rating(5)),               // meta
            ("notes", Answer::Text("Long queue".into())), // never scored
        ]),
    );
    // Empathy: (100·1 + 25·3)/4 = 43.75. Trust: (100·2 + 0·1)/3 = 66.67.
    assert_score(card.dimensions[&Dimension::Empathy], 43.75);
    assert_score(card.dimensions[&Dimension::Trust], 200.0 / 3.0);
    assert_score(card.dimensions[&Dimension::ProcessConvenience], 0.0);
    assert_score(card.dimensions[&Dimension::Environment], 40.0);
    // `value` is on the form (fee_explained) but hidden here: present, unscored.
    assert_eq!(card.dimensions[&Dimension::Value], None);
    assert_eq!(card.dimensions.len(), 5);
    // Overall: (100 + 75 + 200 + 0 + 0 + 40)/(1 + 3 + 2 + 1 + 1 + 1) = 415/9.
    assert_score(card.overall, 415.0 / 9.0);
    assert_score(card.sections["service"], 415.0 / 9.0);
    // The second section has only meta and hidden items.
    assert_eq!(card.sections["after"], None);
    assert_eq!(card.sections.len(), 2);
}

#[test]
fn meta_items_never_count_in_overall() {
    let q = visit_form();
    let base = answers([("welcome", Answer::Rating(3))]);
    let mut with_meta = base.clone();
    with_meta.insert("recommend".into(), Answer::Nps(0));
    with_meta.insert("overall".into(), Answer::Rating(1));
    let (a, b) = (score(&q, &base), score(&q, &with_meta));
    assert_score(a.overall, 50.0);
    assert_eq!(a, b);
    // Only meta answers: nothing to score.
    let meta_only = score(
        &q,
        &answers([
            ("recommend", Answer::Nps(9)),
            ("overall", Answer::Rating(4)),
        ]),
    );
    assert_eq!(meta_only.overall, None);
    assert!(meta_only.dimensions.values().all(Option::is_none));
    assert!(meta_only.sections.values().all(Option::is_none));
}

#[test]
fn unanswered_form_scores_nothing_and_passes() {
    let card = score(&visit_form(), &BTreeMap::new());
    assert_eq!(card.overall, None);
    assert!(card.passed);
    assert!(card.critical_failures.is_empty());
}

#[test]
fn hidden_items_are_ignored() {
    let q = visit_form();
    // fee_explained is shown only when `accurate` is "no".
    let hidden = score(&q, &answers([("accurate", yes()), ("fee_explained", no())]));
    assert_eq!(hidden.dimensions[&Dimension::Value], None);
    assert_score(hidden.overall, 100.0);
    assert!(
        hidden.passed,
        "a hidden critical item cannot fail the visit"
    );
    assert_eq!(hidden.sections["after"], None);

    let shown = score(&q, &answers([("accurate", no()), ("fee_explained", no())]));
    assert_score(shown.dimensions[&Dimension::Value], 0.0);
    assert_score(shown.overall, 0.0);
    assert_score(shown.sections["after"], 0.0);
    assert!(!shown.passed);
    assert_eq!(shown.critical_failures, ["fee_explained"]);

    // Without the answer it depends on, the follow-up stays hidden.
    let orphan = score(&q, &answers([("fee_explained", yes())]));
    assert_eq!(orphan.overall, None);
}

#[test]
fn a_critical_no_fails_the_visit() {
    let q = visit_form();
    let failed = score(
        &q,
        &answers([("welcome", Answer::Rating(5)), ("id_checked", no())]),
    );
    assert!(!failed.passed);
    assert_eq!(failed.critical_failures, ["id_checked"]);
    // The failure does not change the arithmetic of the scores.
    assert_score(failed.overall, 50.0);

    for ok in [yes(), na()] {
        let card = score(&q, &answers([("id_checked", ok.clone())]));
        assert!(card.passed, "{ok:?} on a critical item passes");
        assert!(card.critical_failures.is_empty());
    }
    // A "no" on a non-critical item does not fail.
    assert!(score(&q, &answers([("accurate", no())])).passed);
}

#[test]
fn critical_failures_in_questionnaire_order() {
    let q = visit_form();
    let card = score(
        &q,
        &answers([
            ("id_checked", no()),
            ("accurate", no()),
            ("fee_explained", no()),
        ]),
    );
    assert_eq!(card.critical_failures, ["id_checked", "fee_explained"]);
}

#[test]
fn weight_that_is_not_positive_does_not_count() {
    // load() refuses such weights; a questionnaire built in code may still carry one.
    let mut q = visit_form();
    for s in &mut q.sections {
        for i in &mut s.items {
            if i.id == "listened" {
                i.weight = 0.0;
            }
            if i.id == "welcome" {
                i.weight = f64::NAN;
            }
        }
    }
    let card = score(
        &q,
        &answers([
            ("welcome", Answer::Rating(1)),
            ("listened", Answer::Rating(1)),
            ("accurate", yes()),
        ]),
    );
    assert_eq!(card.dimensions[&Dimension::Empathy], None);
    assert_score(card.overall, 100.0);
}

// ---------------------------------------------------------------------------
// Over many responses

#[test]
fn csat_is_the_top_two_box_share() {
    assert!(!is_top_two(3));
    assert!(is_top_two(4));
    assert!(is_top_two(5));
    // 5, 4, 4, 5, 4 are top-2-box; 3, 2, 1 are not; 0 and 6 are not ratings and are left out.
    let e = csat([5, 4, 3, 2, 1, 5, 4, 4, 0, 6]).unwrap();
    assert_eq!(e.n, 8);
    assert!((e.value - 62.5).abs() < 1e-12);
    let w = stats::wilson(5, 8).unwrap();
    // Wilson 5/8: 0.3057–0.8632, as percentages.
    assert!(
        (e.low - 100.0 * w.low).abs() < 1e-9 && (e.low - 30.57).abs() < 0.01,
        "{e:?}"
    );
    assert!(
        (e.high - 100.0 * w.high).abs() < 1e-9 && (e.high - 86.32).abs() < 0.01,
        "{e:?}"
    );
    assert_eq!(csat([]), None);
    assert_eq!(csat([0, 7]), None);
}

#[test]
fn nps_classes_and_value() {
    assert_eq!(nps_class(0), NpsClass::Detractor);
    assert_eq!(nps_class(6), NpsClass::Detractor);
    assert_eq!(nps_class(7), NpsClass::Passive);
    assert_eq!(nps_class(8), NpsClass::Passive);
    assert_eq!(nps_class(9), NpsClass::Promoter);
    assert_eq!(nps_class(10), NpsClass::Promoter);
    // Promoters 10, 9, 9; passives 8, 7; detractors 6, 0, 3; 11 is left out.
    // NPS = (3 − 3)/8 = 0.
    let e = nps([10, 9, 9, 8, 7, 6, 0, 3, 11]).unwrap();
    assert_eq!(e.n, 8);
    assert_eq!(e.value, 0.0);
    assert_eq!(Some(e), stats::nps_adjusted_wald(3, 2, 3));
    // 3 promoters, 1 detractor of 4: 75% − 25% = 50.
    assert_eq!(nps([9, 10, 10, 2]).unwrap().value, 50.0);
    assert_eq!(nps([]), None);
}

#[test]
fn a_call_scores_100_when_answered_within_its_rings() {
    let q = questionnaire::load(
        "phone.json",
        &json!({
            "id": "phone", "version": 1, "kind": "mystery_shop",
            "title": { "en": "Phone" }, "languages": ["en"],
            "sections": [{ "id": "phone", "title": { "en": "Phone" }, "items": [
                item("call", "call", json!({ "dimension": "process_convenience", "max_rings": 3, "weight": 2 })),
                item("polite", "rating", json!({ "dimension": "process_convenience" })),
            ] }]
        })
        .to_string(),
    )
    .unwrap();
    let call_item = q.item("call").unwrap();
    let call = |rings, answered, seconds| Answer::Call {
        rings,
        answered,
        seconds,
    };
    // Within three rings, however long each ring took.
    assert_score(item_score(call_item, &call(1, true, 4)), 100.0);
    assert_score(item_score(call_item, &call(3, true, 40)), 100.0);
    // The fourth ring is too late; a call not answered is lost.
    assert_score(item_score(call_item, &call(4, true, 16)), 0.0);
    assert_score(item_score(call_item, &call(2, false, 9)), 0.0);
    assert_score(item_score(call_item, &call(0, false, 0)), 0.0);
    // Another item's kind of answer does not score.
    assert_eq!(item_score(call_item, &Answer::Seconds(10)), None);

    // Weighted with the rating: (0·2 + 75·1) / 3 = 25; (100·2 + 75) / 3 = 91.67.
    let late = answers([("call", call(5, true, 24)), ("polite", Answer::Rating(4))]);
    assert_score(score(&q, &late).overall, 25.0);
    let quick = answers([("call", call(2, true, 8)), ("polite", Answer::Rating(4))]);
    assert_score(score(&q, &quick).overall, 275.0 / 3.0);
    assert_score(
        score(&q, &quick).dimensions[&Dimension::ProcessConvenience],
        275.0 / 3.0,
    );
}
