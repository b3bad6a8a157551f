//! The intervals shown to managers, against published and hand-worked values.

use branchpulse_core::stats::{
    difference, differs, mean_interval, mean_interval_of, median, movement, nps_adjusted_wald,
    quantile, t_quantile, too_few, wilson, Comparison, Estimate, Moments, Movement, MIN_N, Z95,
};

/// `a` and `b` agree to `tol` (absolute).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, tol: f64) {
    assert!(
        close(actual, expected, tol),
        "got {actual}, expected {expected} ± {tol}"
    );
}

// ---------------------------------------------------------------------------
// Student's t quantile

#[test]
fn t_quantile_matches_the_printed_table() {
    // Two-sided 95% critical values, as printed (3 decimals) in any t table.
    for (df, printed) in [
        (1.0, 12.706),
        (2.0, 4.303),
        (10.0, 2.228),
        (29.0, 2.045),
        (100.0, 1.984),
    ] {
        let t = t_quantile(0.975, df).unwrap();
        assert_close(t, printed, 0.0005);
    }
    // Other columns of the same table: one-sided 95% and two-sided 99%.
    assert_close(t_quantile(0.95, 5.0).unwrap(), 2.015, 0.0005);
    assert_close(t_quantile(0.95, 20.0).unwrap(), 1.725, 0.0005);
    assert_close(t_quantile(0.995, 10.0).unwrap(), 3.169, 0.0005);
    assert_close(t_quantile(0.995, 60.0).unwrap(), 2.660, 0.0005);
}

#[test]
fn t_quantile_to_more_digits() {
    // ν = 1 is the Cauchy distribution: t = tan(π(p − ½)), so t(0.975) = 1/tan(0.025π).
    let cauchy = 1.0 / (0.025 * std::f64::consts::PI).tan();
    assert_close(t_quantile(0.975, 1.0).unwrap(), cauchy, 1e-9);
    // ν = 2 has t = (2p − 1)/√(2p(1 − p)).
    let p: f64 = 0.975;
    let two = (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
    assert_close(t_quantile(p, 2.0).unwrap(), two, 1e-9);
    // R: qt(0.975, 29) = 2.045229642132703.
    assert_close(
        t_quantile(0.975, 29.0).unwrap(),
        2.045_229_642_132_703,
        1e-9,
    );
}

#[test]
fn t_quantile_is_symmetric_and_zero_at_the_median() {
    assert_eq!(t_quantile(0.5, 7.0), Some(0.0));
    for df in [1.0, 3.5, 12.0, 250.0, 5_000.0] {
        for p in [0.6, 0.9, 0.975, 0.999] {
            let upper = t_quantile(p, df).unwrap();
            let lower = t_quantile(1.0 - p, df).unwrap();
            assert!(upper > 0.0);
            assert_close(lower, -upper, 1e-9 * upper);
        }
    }
}

#[test]
fn t_quantile_for_large_samples_tends_to_the_normal() {
    // 40-digit values (mpmath): t(0.975, ν) for large ν, always above z = 1.959964.
    for (df, exact) in [
        (1e4, 1.960_201_239_890_63),
        (1e6, 1.959_966_356_814_11),
        (1e8, 1.959_964_008_262_77),
    ] {
        assert_close(t_quantile(0.975, df).unwrap(), exact, 1e-12);
    }
    assert_close(
        t_quantile(0.975, f64::INFINITY).unwrap(),
        1.959_963_984_540_054,
        1e-12,
    );
    assert_close(Z95, 1.959_963_984_540_054, 1e-6);
    // Decreasing in ν towards z, through the switch from statrs to Cornish–Fisher at 1000.
    let dfs = [
        500.0, 999.0, 1000.0, 1000.5, 1001.0, 2000.0, 1e5, 1e7, 3e7, 1e9,
    ];
    let ts: Vec<f64> = dfs
        .iter()
        .map(|&df| t_quantile(0.975, df).unwrap())
        .collect();
    assert!(ts.windows(2).all(|w| w[0] > w[1]), "{ts:?}");
    // Above Φ⁻¹(0.975) itself (Z95 = 1.959964 is rounded up, above t(0.975, 10⁹)).
    assert!(ts.iter().all(|&t| t > 1.959_963_984_540_054));
}

#[test]
fn t_quantile_refuses_what_it_cannot_answer() {
    for p in [0.0, 1.0, -0.1, 1.1, f64::NAN] {
        assert_eq!(t_quantile(p, 10.0), None, "p = {p}");
    }
    for df in [0.0, -1.0, f64::NAN, f64::NEG_INFINITY] {
        assert_eq!(t_quantile(0.975, df), None, "df = {df}");
    }
    // Far tails: below 1e-10, and beyond |t| = 1e5 (ν = 1: t = −1/tan(πp), −3.2e5 at p = 1e-6).
    assert_eq!(t_quantile(1e-11, 10.0), None);
    assert_eq!(t_quantile(1e-6, 1.0), None);
    assert_eq!(t_quantile(1.0 - 1e-6, 1.0), None);
    let t = t_quantile(1e-5, 1.0).unwrap();
    assert_close(t, -1.0 / (1e-5 * std::f64::consts::PI).tan(), 1e-6);
    assert!(t_quantile(1e-200, 500.0).is_none());
}

// ---------------------------------------------------------------------------
// Wilson interval

#[test]
fn wilson_matches_newcombe_1998() {
    // Newcombe, R. G. (1998), Statistics in Medicine 17, 857–872, table I, method 3.
    let cases = [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (0, 10, 0.0, 0.2775),
    ];
    for (s, n, low, high) in cases {
        let e = wilson(s, n).unwrap();
        assert_eq!(e.n, n);
        assert_close(e.value, s as f64 / n as f64, 1e-15);
        assert_close(e.low, low, 0.00005);
        assert_close(e.high, high, 0.00005);
    }
}

#[test]
fn wilson_is_mirror_symmetric_and_exact_at_the_ends() {
    // 10/10 mirrors 0/10: 0.7225–1.
    let all = wilson(10, 10).unwrap();
    assert_close(all.low, 0.7225, 0.00005);
    assert_eq!(all.high, 1.0);
    assert_eq!(wilson(0, 10).unwrap().low, 0.0);
    let a = wilson(15, 148).unwrap();
    let b = wilson(133, 148).unwrap();
    assert_close(a.low, 1.0 - b.high, 1e-12);
    assert_close(a.high, 1.0 - b.low, 1e-12);
}

#[test]
fn wilson_refuses_impossible_counts() {
    assert_eq!(wilson(0, 0), None);
    assert_eq!(wilson(11, 10), None);
}

// ---------------------------------------------------------------------------
// Mean with its t-interval

#[test]
fn mean_interval_worked_by_hand() {
    // Values 60, 70, 80, 90, 100: mean 80; deviations −20, −10, 0, 10, 20;
    // squares sum to 1000, so s² = 1000/4 = 250 and s/√n = √(250/5) = √50 = 7.0710678.
    // t(0.975, 4) = 2.7764451 (table: 2.776), half-width = 2.7764451 · 7.0710678 = 19.632432.
    // Interval: 80 ± 19.632432 = [60.367568, 99.632432].
    let e = mean_interval_of(&[60.0, 70.0, 80.0, 90.0, 100.0], (0.0, 100.0)).unwrap();
    assert_eq!(e.n, 5);
    assert_close(e.value, 80.0, 1e-12);
    assert_close(e.low, 60.367_568, 1e-6);
    assert_close(e.high, 99.632_432, 1e-6);
}

#[test]
fn mean_interval_is_clamped_to_the_scale() {
    // 0, 100, 100: mean 66.67, s = 57.735, s/√3 = 33.333, t(0.975, 2) = 4.3027: ±143.4,
    // far beyond 0–100 on both sides.
    let e = mean_interval_of(&[0.0, 100.0, 100.0], (0.0, 100.0)).unwrap();
    assert_close(e.value, 200.0 / 3.0, 1e-12);
    assert_eq!((e.low, e.high), (0.0, 100.0));
}

#[test]
fn mean_interval_small_cases() {
    assert_eq!(mean_interval(&Moments::default(), (0.0, 100.0)), None);
    // One value says nothing about spread: the whole scale.
    let one = mean_interval_of(&[42.0], (0.0, 100.0)).unwrap();
    assert_eq!(
        one,
        Estimate {
            n: 1,
            value: 42.0,
            low: 0.0,
            high: 100.0
        }
    );
    // Identical values: zero width, as the t-interval has.
    let same = mean_interval_of(&[75.0; 8], (0.0, 100.0)).unwrap();
    assert_eq!((same.low, same.value, same.high), (75.0, 75.0, 75.0));
    // Not finite: no figure.
    assert_eq!(mean_interval_of(&[1.0, f64::INFINITY], (0.0, 100.0)), None);
    // Not a range: no figure (and no panic from clamping).
    assert_eq!(mean_interval_of(&[1.0, 2.0], (100.0, 0.0)), None);
    assert_eq!(mean_interval_of(&[1.0, 2.0], (0.0, f64::NAN)), None);
}

#[test]
fn mean_of_identical_values_stays_inside_its_interval() {
    // 85 copies of 68.43737913785091 sum and divide to 68.43737913785093, an ulp
    // or two above every value: the figure is kept within the scale, and so
    // inside its own interval.
    let x = 68.437_379_137_850_91;
    let e = mean_interval_of(&[x; 85], (0.0, x)).unwrap();
    assert!(
        e.low <= e.value && e.value <= e.high && e.high <= x,
        "{e:?}"
    );
    assert!((e.value - x).abs() < 1e-12);
}

#[test]
fn moments_mean_and_variance() {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, s² = 32/7.
    let m: Moments = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
        .into_iter()
        .collect();
    assert_eq!(m.n, 8);
    assert_eq!(m.mean(), Some(5.0));
    assert_close(m.variance().unwrap(), 32.0 / 7.0, 1e-12);
    assert_eq!(Moments::default().mean(), None);
    assert_eq!([3.0].into_iter().collect::<Moments>().variance(), None);
}

#[test]
fn moments_merge_equals_adding_all() {
    let a = [12.0, 50.0, 75.0, 100.0];
    let b = [0.0, 25.0, 25.0];
    let c: [f64; 0] = [];
    let mut merged: Moments = a.into_iter().collect();
    merged.merge(&b.into_iter().collect());
    merged.merge(&c.into_iter().collect());
    let mut all = Moments::default();
    all.extend(a.into_iter().chain(b).chain(c));
    // Whole numbers: every sum is exact, whatever the order.
    assert_eq!(merged, all);
    assert_eq!(
        mean_interval(&merged, (0.0, 100.0)),
        mean_interval(&all, (0.0, 100.0))
    );
}

// ---------------------------------------------------------------------------
// NPS adjusted-Wald

#[test]
fn nps_adjusted_wald_worked_example() {
    // 50 promoters, 30 passives, 20 detractors: n = 100, NPS = 50% − 20% = 30.
    // n' = 103, p' = 50.75/103 = 0.4927184, d' = 20.75/103 = 0.2014563,
    // NPS' = p' − d' = 30/103 = 0.2912621,
    // Var' = p' + d' − NPS'² = 71.5/103 − (30/103)² = 0.6941748 − 0.0848337 = 0.6093411,
    // se = √(Var'/n') = √(0.6093411/103) = √0.0059159 = 0.0769151,
    // half = 1.959964 · 0.0769151 = 0.1507508,
    // interval = 0.2912621 ± 0.1507508 = [0.1405113, 0.4420130] → ×100: [14.0511, 44.2013].
    let e = nps_adjusted_wald(50, 30, 20).unwrap();
    assert_eq!(e.n, 100);
    assert_close(e.value, 30.0, 1e-12);
    assert_close(e.low, 14.0511, 0.0001);
    assert_close(e.high, 44.2013, 0.0001);
}

#[test]
fn nps_adjusted_wald_small_and_extreme() {
    assert_eq!(nps_adjusted_wald(0, 0, 0), None);
    // One promoter: NPS 100. Adjusted: n' = 4, p' = 1.75/4, d' = 0.75/4, NPS' = 0.25,
    // Var' = 0.625 − 0.0625 = 0.5625, half = 1.959964 · √(0.5625/4) = 0.734987:
    // [−0.485, 0.985], which misses 100, so the top is widened to 100.
    let one = nps_adjusted_wald(1, 0, 0).unwrap();
    assert_eq!(one.value, 100.0);
    assert_close(one.low, -48.4987, 0.0001);
    assert_eq!(one.high, 100.0);
    // All detractors: NPS −100; the interval stays within −100..100 and contains it.
    let bad = nps_adjusted_wald(0, 0, 500).unwrap();
    assert_eq!((bad.value, bad.low), (-100.0, -100.0));
    assert!(bad.high > -100.0 && bad.high < -98.0, "{bad:?}");
}

// ---------------------------------------------------------------------------
// Quantiles (type 7)

#[test]
fn quantile_type_7_matches_numpy() {
    // numpy.quantile(x, q) with the default method="linear".
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_close(quantile(&x, 0.9).unwrap(), 3.7, 1e-12);
    assert_close(quantile(&x, 0.5).unwrap(), 2.5, 1e-12);
    assert_close(quantile(&x, 0.25).unwrap(), 1.75, 1e-12);
    assert_eq!(quantile(&x, 0.0), Some(1.0));
    assert_eq!(quantile(&x, 1.0), Some(4.0));
    // numpy.percentile([15, 20, 35, 40, 50], [40, 90]) = [29., 46.]
    let y = [15.0, 20.0, 35.0, 40.0, 50.0];
    assert_close(quantile(&y, 0.4).unwrap(), 29.0, 1e-12);
    assert_close(quantile(&y, 0.9).unwrap(), 46.0, 1e-12);
    assert_eq!(quantile(&[7.0], 0.9), Some(7.0));
}

#[test]
fn quantile_and_median_edge_cases() {
    assert_eq!(quantile(&[], 0.5), None);
    assert_eq!(quantile(&[1.0, 2.0], -0.1), None);
    assert_eq!(quantile(&[1.0, 2.0], 1.5), None);
    assert_eq!(quantile(&[1.0, 2.0], f64::NAN), None);
    let mut odd = [300.0, 60.0, 120.0];
    assert_eq!(median(&mut odd), Some(120.0));
    assert_eq!(odd, [60.0, 120.0, 300.0], "median sorts in place");
    assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&mut []), None);
    assert_eq!(median(&mut [1.0, f64::NAN]), None);
}

// ---------------------------------------------------------------------------
// Comparing with the network, and thin figures

#[test]
fn differs_only_where_the_interval_says_so() {
    let branch = Estimate {
        n: 120,
        value: 65.0,
        low: 60.0,
        high: 70.0,
    };
    assert_eq!(differs(&branch, 55.0), Comparison::Better);
    assert_eq!(differs(&branch, 75.0), Comparison::Worse);
    assert_eq!(differs(&branch, 65.0), Comparison::Indistinguishable);
    // The bounds themselves are inside the interval: not a difference.
    assert_eq!(differs(&branch, 60.0), Comparison::Indistinguishable);
    assert_eq!(differs(&branch, 70.0), Comparison::Indistinguishable);
}

#[test]
fn differs_on_a_real_wilson_interval() {
    // 81/263 = 30.8% (25.5–36.6%): clearly below a network at 45%, not different from 33%.
    let branch = wilson(81, 263).unwrap();
    assert_eq!(differs(&branch, 0.45), Comparison::Worse);
    assert_eq!(differs(&branch, 0.33), Comparison::Indistinguishable);
    assert_eq!(differs(&branch, 0.20), Comparison::Better);
}

#[test]
fn too_few_below_thirty() {
    assert_eq!(MIN_N, 30);
    assert!(too_few(0));
    assert!(too_few(29));
    assert!(!too_few(30));
}

// ---------------------------------------------------------------------------
// Change between periods

#[test]
fn difference_of_wilson_intervals_is_newcombes_method_10() {
    // Newcombe (1998), "Interval estimation for the difference between
    // independent proportions", Statistics in Medicine 17, Table II, method
    // 10 (score interval, no continuity correction).
    for ((a, m), (b, n), (low, high)) in [
        ((56, 70), (48, 80), (0.0524, 0.3339)),
        ((9, 10), (3, 10), (0.1705, 0.8090)),
    ] {
        let d = difference(&wilson(a, m).unwrap(), &wilson(b, n).unwrap());
        assert_close(d.value, a as f64 / m as f64 - b as f64 / n as f64, 1e-12);
        assert_close(d.low, low, 0.00005);
        assert_close(d.high, high, 0.00005);
        assert_eq!(movement(&d), Movement::Up);
        // The other way round, the interval mirrors.
        let back = difference(&wilson(b, n).unwrap(), &wilson(a, m).unwrap());
        assert_close(back.low, -high, 0.00005);
        assert_close(back.high, -low, 0.00005);
        assert_eq!(movement(&back), Movement::Down);
    }
}

#[test]
fn a_change_inside_the_noise_is_steady() {
    // 20/30 then 18/30: the difference interval spans 0.
    let d = difference(&wilson(20, 30).unwrap(), &wilson(18, 30).unwrap());
    assert!(d.low < 0.0 && d.high > 0.0, "{d:?}");
    assert_eq!(movement(&d), Movement::Steady);
}
