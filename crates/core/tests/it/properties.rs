//! Properties that hold for every input, checked on random ones.

use branchpulse_core::questionnaire::{self, Questionnaire};
use branchpulse_core::response::{Answer, YesNo};
use branchpulse_core::score::{csat, item_score, nps, score};
use branchpulse_core::stats::{
    mean_interval, mean_interval_of, nps_adjusted_wald, quantile, t_quantile, wilson, Moments,
};
use branchpulse_core::ItemKind;
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------
// Intervals

proptest! {
    #[test]
    fn wilson_contains_its_estimate_within_0_1((n, s) in (1u64..5_000).prop_flat_map(|n| (Just(n), 0..=n))) {
        let e = wilson(s, n).unwrap();
        prop_assert_eq!(e.n, n);
        prop_assert!(0.0 <= e.low && e.low <= e.value && e.value <= e.high && e.high <= 1.0, "{:?}", e);
    }

    #[test]
    fn nps_contains_its_estimate_within_100(pro in 0u64..3_000, pas in 0u64..3_000, det in 0u64..3_000) {
        prop_assume!(pro + pas + det > 0);
        let e = nps_adjusted_wald(pro, pas, det).unwrap();
        prop_assert_eq!(e.n, pro + pas + det);
        prop_assert!(-100.0 <= e.low && e.low <= e.value && e.value <= e.high && e.high <= 100.0, "{:?}", e);
    }

    #[test]
    fn csat_and_nps_of_answers_stay_in_range(
        ratings in prop::collection::vec(0u8..8, 0..200),
        scores in prop::collection::vec(0u8..13, 0..200),
    ) {
        if let Some(e) = csat(ratings.iter().copied()) {
            prop_assert!(0.0 <= e.low && e.low <= e.value && e.value <= e.high && e.high <= 100.0, "{:?}", e);
        }
        if let Some(e) = nps(scores.iter().copied()) {
            prop_assert!(-100.0 <= e.low && e.low <= e.value && e.value <= e.high && e.high <= 100.0, "{:?}", e);
        }
    }

    #[test]
    fn mean_interval_contains_its_estimate_within_the_range(
        (lo, hi, values) in (-1e6f64..1e6, 0.0f64..1e6).prop_flat_map(|(lo, width)| {
            let hi = lo + width;
            (Just(lo), Just(hi), prop::collection::vec(lo..=hi, 1..60))
        })
    ) {
        let e = mean_interval_of(&values, (lo, hi)).unwrap();
        prop_assert_eq!(e.n, values.len() as u64);
        prop_assert!(lo <= e.low && e.low <= e.value && e.value <= e.high && e.high <= hi, "{:?} in {}..{}", e, lo, hi);
    }

    #[test]
    fn mean_interval_of_repeated_values(x in 0.0f64..100.0, n in 1usize..500) {
        // The sum of n copies of x, divided by n, can round past x: the interval still holds it.
        let e = mean_interval_of(&vec![x; n], (0.0, x)).unwrap();
        prop_assert!(0.0 <= e.low && e.low <= e.value && e.value <= e.high && e.high <= x, "{:?}", e);
    }

    #[test]
    fn mean_interval_of_scores(values in prop::collection::vec(prop_oneof![Just(0.0), Just(25.0), Just(50.0), Just(75.0), Just(100.0)], 2..400)) {
        let e = mean_interval_of(&values, (0.0, 100.0)).unwrap();
        prop_assert!(0.0 <= e.low && e.low <= e.value && e.value <= e.high && e.high <= 100.0, "{:?}", e);
        // Wider than zero unless every value is the same.
        let all_same = values.iter().all(|v| *v == values[0]);
        prop_assert_eq!(e.low == e.high, all_same, "{:?}", e);
    }

    #[test]
    fn merging_moments_is_adding_everything(
        a in prop::collection::vec(0u32..=100, 0..50),
        b in prop::collection::vec(0u32..=100, 0..50),
    ) {
        let mut merged: Moments = a.iter().map(|&x| f64::from(x)).collect();
        merged.merge(&b.iter().map(|&x| f64::from(x)).collect());
        let all: Moments = a.iter().chain(&b).map(|&x| f64::from(x)).collect();
        prop_assert_eq!(merged, all);
        prop_assert_eq!(mean_interval(&merged, (0.0, 100.0)), mean_interval(&all, (0.0, 100.0)));
    }

    #[test]
    fn t_quantile_is_above_the_normal_and_falls_with_df(df in 1u32..100_000) {
        let df = f64::from(df);
        let t = t_quantile(0.975, df).unwrap();
        let next = t_quantile(0.975, df + 1.0).unwrap();
        prop_assert!(t > 1.959_963_984_540_054, "t(0.975, {}) = {}", df, t);
        prop_assert!(next < t, "t(0.975, {}) = {} is not below t(0.975, {}) = {}", df + 1.0, next, df, t);
    }

    #[test]
    fn t_quantile_is_increasing_in_p(df in 0.5f64..2_000.0, p in 0.0001f64..0.9999, dp in 0.0001f64..0.01) {
        let (a, b) = (t_quantile(p, df), t_quantile((p + dp).min(0.9999), df));
        if let (Some(a), Some(b)) = (a, b) {
            prop_assert!(a <= b, "t({}, {}) = {} > t({}, {}) = {}", p, df, a, p + dp, df, b);
        }
    }

    #[test]
    fn quantiles_stay_between_min_and_max(mut values in prop::collection::vec(-1e9f64..1e9, 1..100), q in 0.0f64..=1.0) {
        values.sort_by(f64::total_cmp);
        let x = quantile(&values, q).unwrap();
        prop_assert!(values[0] <= x && x <= values[values.len() - 1]);
        let higher = quantile(&values, (q + 0.1).min(1.0)).unwrap();
        prop_assert!(x <= higher);
    }
}

// ---------------------------------------------------------------------------
// Scores

/// A form with every kind of item, several yes/no items (one critical, one
/// a follow-up), three dimensions and a meta section.
fn form() -> Questionnaire {
    let t = |s: &str| json!({ "en": s });
    let yes_no = |id: &str, dim: &str| json!({ "id": id, "dimension": dim, "type": "yes_no", "text": t(id) });
    let q = json!({
        "id": "props", "version": 1, "kind": "mystery_shop", "title": t("Props"), "languages": ["en"],
        "sections": [
            { "id": "a", "title": t("A"), "items": [
                { "id": "r1", "dimension": "empathy", "type": "rating", "text": t("r1"), "weight": 2 },
                yes_no("y1", "empathy"),
                { "id": "y2", "dimension": "trust", "type": "yes_no", "text": t("y2"), "critical": true, "weight": 3 },
                { "id": "y3", "dimension": "trust", "type": "yes_no", "text": t("y3"),
                  "show_if": { "item": "y1", "equals": { "type": "yes_no", "value": "no" } } },
                { "id": "s1", "dimension": "process_convenience", "type": "seconds", "target": 120, "max": 900, "text": t("s1") },
                { "id": "c1", "dimension": "process_convenience", "type": "choice", "text": t("c1"), "options": [
                    { "id": "x", "label": t("x"), "score": 100 },
                    { "id": "y", "label": t("y"), "score": 33.3 },
                    { "id": "z", "label": t("z") } ] }
            ] },
            { "id": "b", "title": t("B"), "items": [
                yes_no("y4", "value"),
                { "id": "n1", "type": "nps", "text": t("n1") },
                { "id": "m1", "type": "rating", "text": t("m1") },
                { "id": "tx", "type": "text", "text": t("tx") }
            ] }
        ]
    });
    questionnaire::load("props.json", &q.to_string()).unwrap()
}

fn yes_no() -> impl Strategy<Value = YesNo> {
    prop_oneof![Just(YesNo::Yes), Just(YesNo::No), Just(YesNo::Na)]
}

/// Any answers to `form()`, of the right type or not, in range or not, some items left out.
fn any_answers() -> impl Strategy<Value = BTreeMap<String, Answer>> {
    let answer = prop_oneof![
        (0u8..8).prop_map(Answer::Rating),
        yes_no().prop_map(Answer::YesNo),
        (0u8..14).prop_map(Answer::Nps),
        (0u32..1_200).prop_map(Answer::Seconds),
        prop_oneof![Just("x"), Just("y"), Just("z"), Just("w")]
            .prop_map(|s| Answer::Choice(s.into())),
        "[a-z ]{0,20}".prop_map(Answer::Text),
    ];
    const IDS: [&str; 11] = [
        "r1", "y1", "y2", "y3", "s1", "c1", "y4", "n1", "m1", "tx", "unknown",
    ];
    prop::collection::btree_map(
        prop::sample::select(&IDS[..]).prop_map(String::from),
        answer,
        0..12,
    )
}

/// Answers of the right type for each item (in range), some left out.
fn typed_answers() -> impl Strategy<Value = BTreeMap<String, Answer>> {
    let q = form();
    let per_item: Vec<BoxedStrategy<Option<(String, Answer)>>> = q
        .items()
        .map(|i| {
            let id = i.id.clone();
            let a: BoxedStrategy<Answer> = match &i.kind {
                ItemKind::Rating => (1u8..=5).prop_map(Answer::Rating).boxed(),
                ItemKind::YesNo => yes_no().prop_map(Answer::YesNo).boxed(),
                ItemKind::Nps => (0u8..=10).prop_map(Answer::Nps).boxed(),
                ItemKind::Seconds { max, .. } => (0..=*max).prop_map(Answer::Seconds).boxed(),
                ItemKind::Choice { options } => {
                    let ids: Vec<String> = options.iter().map(|o| o.id.clone()).collect();
                    prop::sample::select(ids).prop_map(Answer::Choice).boxed()
                }
                ItemKind::Text { .. } => "[a-z]{0,10}".prop_map(Answer::Text).boxed(),
                ItemKind::Call { .. } => (1u8..=50, any::<bool>(), 0u32..=600)
                    .prop_map(|(rings, answered, seconds)| Answer::Call {
                        rings,
                        answered,
                        seconds,
                    })
                    .boxed(),
            };
            prop::option::of(a.prop_map(move |a| (id.clone(), a))).boxed()
        })
        .collect();
    per_item.prop_map(|v| v.into_iter().flatten().collect())
}

/// `form()` with the given item weights (in questionnaire order).
fn weighted(weights: &[f64]) -> Questionnaire {
    let mut q = form();
    let mut w = weights.iter().cycle();
    for s in &mut q.sections {
        for i in &mut s.items {
            i.weight = *w.next().unwrap();
        }
    }
    q
}

const YES_NO_ITEMS: [&str; 4] = ["y1", "y2", "y3", "y4"];

proptest! {
    #[test]
    fn scores_stay_within_0_100(answers in any_answers()) {
        let q = form();
        for item in q.items() {
            if let Some(a) = answers.get(&item.id) {
                if let Some(s) = item_score(item, a) {
                    prop_assert!((0.0..=100.0).contains(&s), "{}: {:?} → {}", item.id, a, s);
                }
            }
        }
        let card = score(&q, &answers);
        let all = card.dimensions.values().chain(card.sections.values()).chain([&card.overall]);
        for s in all.flatten() {
            prop_assert!((0.0..=100.0).contains(s), "{:?}", card);
        }
        prop_assert_eq!(card.passed, card.critical_failures.is_empty());
    }

    #[test]
    fn weighted_scores_stay_within_0_100(
        answers in typed_answers(),
        weights in prop::collection::vec(0.001f64..1_000.0, 10),
    ) {
        let card = score(&weighted(&weights), &answers);
        let all = card.dimensions.values().chain(card.sections.values()).chain([&card.overall]);
        for s in all.flatten() {
            prop_assert!((0.0..=100.0).contains(s), "{:?}", card);
        }
    }

    #[test]
    fn adding_not_applicable_changes_no_score(
        answers in any_answers(),
        item in prop::sample::select(&YES_NO_ITEMS[..]),
    ) {
        prop_assume!(!answers.contains_key(item));
        let q = form();
        let mut with_na = answers.clone();
        with_na.insert(item.to_owned(), Answer::YesNo(YesNo::Na));
        prop_assert_eq!(score(&q, &answers), score(&q, &with_na));
    }

    #[test]
    fn dimension_scores_unchanged_by_not_applicable(
        answers in typed_answers(),
        weights in prop::collection::vec(0.001f64..1_000.0, 10),
        item in prop::sample::select(&YES_NO_ITEMS[..]),
    ) {
        let q = weighted(&weights);
        let mut without = answers.clone();
        without.remove(item);
        let mut with_na = answers;
        with_na.insert(item.to_owned(), Answer::YesNo(YesNo::Na));
        let (a, b) = (score(&q, &without), score(&q, &with_na));
        prop_assert_eq!(a.dimensions, b.dimensions);
        prop_assert_eq!(a.overall, b.overall);
    }

    #[test]
    fn overall_lies_between_the_dimension_scores(answers in typed_answers()) {
        // A weighted mean of weighted means lies within their range.
        let card = score(&form(), &answers);
        let dims: Vec<f64> = card.dimensions.values().flatten().copied().collect();
        match card.overall {
            None => prop_assert!(dims.is_empty()),
            Some(o) => {
                let lo = dims.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = dims.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(lo - 1e-9 <= o && o <= hi + 1e-9, "{} not in {}..{}", o, lo, hi);
            }
        }
    }
}
