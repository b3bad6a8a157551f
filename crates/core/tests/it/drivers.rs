//! Key drivers: Johnson's relative weights and the standardised coefficients
//! against a reference computation (`tests/drivers/reference.py`, numpy, by
//! another route: the SVD of the predictors), and properties checked by hand.
//!
//! Re-run the reference (its output is `tests/drivers/reference.txt`, whose
//! numbers are embedded below):
//! `python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy &&
//!  /tmp/venv/bin/python crates/core/tests/drivers/reference.py`

use branchpulse_core::drivers::{
    case_of, drivers_of, fit, outcome, percentile, Case, Reason, MIN_CASES, RESAMPLES, SEED,
};
use branchpulse_core::questionnaire::{self, Dimension};
use branchpulse_core::Response;
use serde_json::{json, Value};

/// The reference's data: four dimension scores, satisfaction, NPS.
fn data() -> Vec<[f64; 6]> {
    include_str!("../drivers/data.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let v: Vec<f64> = line.split(',').map(|c| c.parse().unwrap()).collect();
            std::array::from_fn(|i| v[i])
        })
        .collect()
}

fn split(rows: &[[f64; 6]], col: usize) -> (Vec<[f64; 4]>, Vec<f64>) {
    rows.iter()
        .map(|r| ([r[0], r[1], r[2], r[3]], r[col]))
        .unzip()
}

fn assert_close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: {actual} against {expected} (±{tol})"
    );
}

// tests/drivers/reference.txt, as printed by reference.py.
const SATISFACTION: (f64, [f64; 4], [f64; 4], [f64; 4]) = (
    0.491373797147,
    [
        0.397119044693,
        0.022327614101,
        0.040224891655,
        0.031702246698,
    ],
    [
        80.818115861895,
        4.543916307744,
        8.186210149682,
        6.451757680678,
    ],
    [
        0.704888104583,
        -0.099195301457,
        0.039551283504,
        0.048266559539,
    ],
);
const NPS: (f64, [f64; 4], [f64; 4], [f64; 4]) = (
    0.372571645457,
    [
        0.066144186732,
        0.036814554114,
        0.218313816301,
        0.051299088309,
    ],
    [
        17.753414018174,
        9.881201257040,
        58.596465663243,
        13.768919061544,
    ],
    [
        0.134296958745,
        0.068659989230,
        0.443936710677,
        0.152103461174,
    ],
);

#[test]
fn weights_and_coefficients_match_the_reference() {
    let rows = data();
    assert_eq!(rows.len(), 80);
    for (col, (r2, weights, shares, betas), name) in
        [(4, SATISFACTION, "satisfaction"), (5, NPS, "nps")]
    {
        let (x, y) = split(&rows, col);
        let f = fit(&x, &y).unwrap();
        assert_close(f.r2, r2, 1e-9, name);
        for j in 0..4 {
            assert_close(f.weights[j], weights[j], 1e-9, name);
            assert_close(f.shares()[j], shares[j], 1e-7, name);
            assert_close(f.betas[j], betas[j], 1e-9, name);
        }
    }
}

#[test]
fn percentiles_interpolate_as_numpy_does() {
    let mut v = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6, 5.0];
    v.sort_by(f64::total_cmp);
    // reference.txt: "percentiles 1.075 3.0 8.4".
    assert_close(percentile(&v, 0.025), 1.075, 1e-12, "2.5%");
    assert_close(percentile(&v, 0.5), 3.0, 1e-12, "50%");
    assert_close(percentile(&v, 0.975), 8.4, 1e-12, "97.5%");
    assert_eq!(percentile(&[7.0], 0.975), 7.0);
    assert!(percentile(&[], 0.5).is_nan());
}

#[test]
fn weights_sum_to_r_squared_and_the_true_driver_leads() {
    let rows = data();
    let (x, y) = split(&rows, 4);
    let o = outcome(&x, &y, RESAMPLES, SEED);
    let r2 = o.r2.unwrap();
    let sum: f64 = o.drivers.iter().map(|d| d.weight.value).sum();
    assert_close(sum, r2.value, 1e-12, "sum of weights");
    let shares: f64 = o.drivers.iter().map(|d| d.share.value).sum();
    assert_close(shares, 100.0, 1e-9, "sum of shares");
    // Empathy drives satisfaction in the data (reference.py's generator):
    // its interval lies above every other dimension's.
    let empathy = o.drivers[0];
    assert_eq!(empathy.dimension, Dimension::Empathy);
    for d in &o.drivers[1..] {
        assert!(empathy.weight.low > d.weight.high, "{d:?}");
    }
}

#[test]
fn intervals_hold_the_estimate_and_repeat_with_the_seed() {
    let rows = data();
    for col in [4, 5] {
        let (x, y) = split(&rows, col);
        let a = outcome(&x, &y, 300, 7);
        assert_eq!(a.resamples, 300);
        assert_eq!(a.n, 80);
        let r2 = a.r2.unwrap();
        assert!(r2.low <= r2.value && r2.value <= r2.high, "{r2:?}");
        assert!(r2.low < r2.high);
        for d in &a.drivers {
            for e in [d.weight, d.share, d.beta] {
                assert!(e.low <= e.value && e.value <= e.high, "{d:?}");
                assert_eq!(e.n, 80);
            }
        }
        assert_eq!(a, outcome(&x, &y, 300, 7), "same seed, same answer");
        let other = outcome(&x, &y, 300, 8);
        assert_ne!(a.r2, other.r2, "another seed draws other resamples");
        assert_eq!(a.drivers[0].weight.value, other.drivers[0].weight.value);
    }
}

/// Four dimensions made orthogonal by construction (a ±1 factorial design,
/// each combination twice), and an outcome on them: the weights are then
/// the squared correlations, by hand.
#[test]
fn orthogonal_dimensions_weigh_their_squared_correlations() {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for rep in 0..3 {
        for code in 0..16u32 {
            let s: [f64; 4] = std::array::from_fn(|k| if code >> k & 1 == 1 { 1.0 } else { -1.0 });
            x.push(s.map(|v| 50.0 + 25.0 * v));
            // Noise orthogonal to the four columns: the sign of the 3-way
            // interaction of the first three, alternating by repetition.
            let noise = s[0] * s[1] * s[2] * if rep == 1 { 1.0 } else { 0.5 };
            y.push(3.0 + 0.8 * s[0] + 0.4 * s[1] + 0.0 * s[2] + 0.2 * s[3] + noise);
        }
    }
    let f = fit(&x, &y).unwrap();
    let n = y.len() as f64;
    let my = y.iter().sum::<f64>() / n;
    let syy: f64 = y.iter().map(|v| (v - my).powi(2)).sum();
    for (k, slope) in [0.8, 0.4, 0.0, 0.2].into_iter().enumerate() {
        // corr(x_k, y) = slope · sd(x_k) / sd(y), with sd(x_k) = 1 on the ±1 scale.
        let r2 = slope * slope * n / syy;
        assert_close(f.weights[k], r2, 1e-12, "weight = r²");
        assert_close(f.betas[k], slope * n.sqrt() / syy.sqrt(), 1e-12, "beta = r");
    }
    assert_close(f.r2, f.weights.iter().sum(), 1e-12, "sum");
}

fn spread(n: usize) -> (Vec<[f64; 4]>, Vec<f64>) {
    let x: Vec<[f64; 4]> = (0..n)
        .map(|i| {
            let i = i as f64;
            [
                (i * 37.0) % 100.0,
                (i * 53.0) % 100.0,
                (i * 71.0) % 100.0,
                (i * 13.0) % 100.0,
            ]
        })
        .collect();
    let y = x
        .iter()
        .map(|r| 1.0 + r[0] / 30.0 + (r[1] % 7.0) / 10.0)
        .collect();
    (x, y)
}

#[test]
fn too_few_constant_and_collinear_give_no_figures_and_a_reason() {
    let (x, y) = spread(MIN_CASES - 1);
    let o = outcome(&x, &y, 50, 1);
    assert_eq!(
        (o.reason, o.n, o.r2, o.drivers.len()),
        (Some(Reason::TooFew), 29, None, 0)
    );
    let (x, y) = spread(MIN_CASES);
    assert_eq!(outcome(&x, &y, 50, 1).reason, None);

    let (mut x, y) = spread(60);
    for r in &mut x {
        r[2] = 75.0;
    }
    let o = outcome(&x, &y, 50, 1);
    assert_eq!(o.reason, Some(Reason::Constant));
    assert_eq!(o.dimension, Some(Dimension::Value));
    assert!(o.drivers.is_empty() && o.r2.is_none());

    let (x, _) = spread(60);
    let o = outcome(&x, &[4.0; 60], 50, 1);
    assert_eq!((o.reason, o.dimension), (Some(Reason::Constant), None));

    // Trust is the mean of the other three: exactly collinear.
    let (mut x, y) = spread(60);
    for r in &mut x {
        r[3] = (r[0] + r[1] + r[2]) / 3.0;
    }
    assert_eq!(outcome(&x, &y, 50, 1).reason, Some(Reason::Collinear));
}

fn kiosk_response(ratings: [u8; 5], nps: Option<u8>) -> Response {
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
    serde_json::from_value(json!({
        "id": uuid::Uuid::nil(), "questionnaire_id": "lobby", "questionnaire_version": 2,
        "branch": "N01", "device_id": "tab-1", "channel": "kiosk", "locale": "en",
        "started_at": "2026-03-02T09:58:00+08:00", "submitted_at": "2026-03-02T10:00:00+08:00",
        "answers": Value::Object(answers),
    }))
    .unwrap()
}

#[test]
fn a_response_becomes_a_complete_case_only_with_all_four_dimensions() {
    let q = questionnaire::load(
        "kiosk.json",
        include_str!("../../../../questionnaires/kiosk.json"),
    )
    .unwrap();
    let c = case_of(&q, &kiosk_response([4, 5, 3, 1, 2], Some(9))).unwrap();
    assert_eq!(
        c,
        Case {
            dimensions: [100.0, 50.0, 0.0, 25.0],
            satisfaction: Some(4.0),
            nps: Some(9.0),
        }
    );
    let c = case_of(&q, &kiosk_response([0, 5, 3, 1, 2], None)).unwrap();
    assert_eq!((c.satisfaction, c.nps), (None, None));
    assert_eq!(case_of(&q, &kiosk_response([4, 5, 3, 0, 2], Some(9))), None);

    // Satisfaction and NPS each on their own complete cases.
    let cases: Vec<Case> = (0..40)
        .map(|i| Case {
            dimensions: [
                (i * 37 % 100) as f64,
                (i * 53 % 100) as f64,
                (i * 71 % 100) as f64,
                (i * 13 % 100) as f64,
            ],
            satisfaction: (i % 4 != 0).then_some(1.0 + (i * 37 % 100) as f64 / 25.0),
            nps: (i < 20).then_some((i % 11) as f64),
        })
        .collect();
    let (sat, nps) = drivers_of(&cases);
    assert_eq!((sat.n, sat.reason), (30, None));
    assert_eq!((nps.n, nps.reason), (20, Some(Reason::TooFew)));
}
