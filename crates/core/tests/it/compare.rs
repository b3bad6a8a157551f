//! Flags that stay honest at scale: p-values that invert each figure's
//! interval, Benjamini–Hochberg over an answer, and peer groups.

use branchpulse_core::aggregate::{
    aggregate, comparisons, figures, Filter, Part, Reference, Rollup,
};
use branchpulse_core::fdr;
use branchpulse_core::protocol::Branch;
use branchpulse_core::scorecard::Definitions;
use branchpulse_core::stats::{self, Comparison, Moments, Sample};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::macros::date;

/// Benjamini & Hochberg (1995), section 4.1: fifteen p-values of a study
/// of myocardial infarction; at q = 0.05 the procedure rejects the four
/// smallest (Bonferroni only the three smallest).
const BH_1995: [f64; 15] = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
    0.6528, 0.7590, 1.0000,
];

#[test]
fn benjamini_hochberg_rejects_four_of_their_fifteen() {
    let rejected = fdr::rejected(&BH_1995);
    assert_eq!(rejected.iter().filter(|r| **r).count(), 4);
    assert!(rejected[..4].iter().all(|r| *r));
    // Shuffled, the same four are rejected.
    let mut shuffled = BH_1995;
    shuffled.reverse();
    let r = fdr::rejected(&shuffled);
    assert_eq!(r[11..], [true, true, true, true]);
    assert!(r[..11].iter().all(|r| !r));
    // By hand: p₍₄₎ · 15/4 = 0.035625; p₍₅₎ · 15/5 = 0.0603.
    let adjusted = fdr::adjust(&BH_1995);
    assert!((adjusted[3] - 0.0095 * 15.0 / 4.0).abs() < 1e-15);
    assert!((adjusted[4] - 0.0201 * 3.0).abs() < 1e-15);
    // p₍₆₎ takes p₍₇₎ · 15/7 = 0.063857, the smallest of those above it.
    for (a, expected) in adjusted[5..9].iter().zip([
        0.0298 * 15.0 / 7.0,
        0.0298 * 15.0 / 7.0,
        0.0344 * 15.0 / 8.0,
        0.0459 * 15.0 / 9.0,
    ]) {
        assert!((a - expected).abs() < 1e-15, "{a}");
    }
    assert_eq!(adjusted[14], 1.0);
}

#[test]
fn ties_share_their_adjusted_value() {
    // Four p-values of 0.02 and one of 0.5: each tie is 0.02 · 5/4 = 0.025.
    let a = fdr::adjust(&[0.02, 0.5, 0.02, 0.02, 0.02]);
    assert_eq!(a, [0.025, 0.5, 0.025, 0.025, 0.025]);
    assert_eq!(
        fdr::rejected(&[0.02, 0.5, 0.02, 0.02, 0.02]),
        [true, false, true, true, true]
    );
}

#[test]
fn nothing_is_rejected_when_everything_is_null() {
    assert!(fdr::adjust(&[]).is_empty());
    assert_eq!(fdr::adjust(&[1.0, 1.0, 1.0]), [1.0, 1.0, 1.0]);
    // Uniform p-values: the smallest, 1/101, times 100 is far above q.
    let p: Vec<f64> = (1..=100).map(|i| f64::from(i) / 101.0).collect();
    assert!(fdr::rejected(&p).iter().all(|r| !r));
    // One alone is its own adjusted value: the interval rule.
    assert_eq!(fdr::adjust(&[0.049]), [0.049]);
    assert_eq!(fdr::rejected(&[0.049]), [true]);
    assert_eq!(fdr::rejected(&[0.051]), [false]);
    // Two: the smaller must be at most q/2.
    assert_eq!(fdr::rejected(&[0.049, 0.051]), [false, false]);
    assert_eq!(fdr::rejected(&[0.02, 0.051]), [true, false]);
    assert_eq!(fdr::adjust(&[f64::NAN]), [1.0]);
}

proptest! {
    #[test]
    fn adjusted_p_values_keep_the_order_of_the_p_values(
        p in prop::collection::vec(0.0f64..=1.0, 0..60)
    ) {
        let a = fdr::adjust(&p);
        for i in 0..p.len() {
            prop_assert!(a[i] >= p[i] && a[i] <= 1.0);
            for j in 0..p.len() {
                if p[i] <= p[j] {
                    prop_assert!(a[i] <= a[j]);
                }
            }
        }
    }

    /// One comparison alone is flagged exactly when the figure's interval
    /// leaves the reference out (away from the interval's very ends, where
    /// the rounded z of the interval and the exact tail differ).
    #[test]
    fn one_comparison_is_the_interval_rule(
        sample in any_sample(),
        reference in -100.0f64..=100.0,
    ) {
        let (estimate, reference) = match sample {
            Sample::Percent { successes, n } => (
                stats::wilson(successes, n).map(|e| scaled(e, 100.0)),
                reference.abs(),
            ),
            Sample::Mean(m) => (stats::mean_interval(&m, (0.0, 100.0)), reference.abs()),
            Sample::Nps { promoters, passives, detractors } => {
                (stats::nps_adjusted_wald(promoters, passives, detractors), reference)
            }
        };
        let estimate = estimate.unwrap();
        let near_an_end = (reference - estimate.low).abs().min((reference - estimate.high).abs());
        prop_assume!(near_an_end > 1e-6);
        let verdict = comparisons(&[sample.test(reference)])[0];
        prop_assert_eq!(verdict, Some(stats::differs(&estimate, reference)));
    }
}

fn scaled(e: stats::Estimate, k: f64) -> stats::Estimate {
    stats::Estimate {
        n: e.n,
        value: e.value * k,
        low: e.low * k,
        high: e.high * k,
    }
}

fn any_sample() -> impl Strategy<Value = Sample> {
    prop_oneof![
        (30u64..2000)
            .prop_flat_map(|n| (0..=n, Just(n)))
            .prop_map(|(successes, n)| Sample::Percent { successes, n }),
        prop::collection::vec(0u8..=4, 30..300).prop_map(|answers| {
            // Dimension scores: a 1–5 answer as 0, 25, …, 100.
            Sample::Mean(answers.iter().map(|a| f64::from(*a) * 25.0).collect())
        }),
        (0u64..300, 0u64..300, 0u64..300)
            .prop_filter("at least 30 answers", |(p, a, d)| p + a + d >= 30)
            .prop_map(|(promoters, passives, detractors)| Sample::Nps {
                promoters,
                passives,
                detractors
            }),
    ]
}

#[test]
fn the_tests_sit_on_the_interval_ends() {
    // At the end of its own interval a figure's p-value is 5 %.
    let e = stats::wilson(30, 100).unwrap();
    let s = Sample::Percent {
        successes: 30,
        n: 100,
    };
    for end in [e.low, e.high] {
        let p = s.test(end * 100.0).unwrap().p;
        assert!((p - 0.05).abs() < 1e-6, "{p}");
    }
    let m: Moments = [60.0, 70.0, 80.0, 75.0, 65.0].into_iter().collect();
    let e = stats::mean_interval(&m, (0.0, 100.0)).unwrap();
    for end in [e.low, e.high] {
        let p = Sample::Mean(m).test(end).unwrap().p;
        assert!((p - 0.05).abs() < 1e-6, "{p}");
    }
    // A large sample (t on 4,999 degrees of freedom).
    let m: Moments = (0..5000).map(|i| f64::from(i % 101)).collect();
    let e = stats::mean_interval(&m, (0.0, 100.0)).unwrap();
    let p = Sample::Mean(m).test(e.high).unwrap().p;
    assert!((p - 0.05).abs() < 1e-6, "{p}");
    let e = stats::nps_adjusted_wald(50, 30, 20).unwrap();
    let s = Sample::Nps {
        promoters: 50,
        passives: 30,
        detractors: 20,
    };
    for end in [e.low, e.high] {
        let p = s.test(end).unwrap().p;
        assert!((p - 0.05).abs() < 1e-6, "{p}");
    }
    // Hand-checked: 30 of 100 against 40 %: z = −0.1/√(0.4·0.6/100) = −2.0412,
    // two-sided p = 0.041227.
    let t = s_percent(30, 100).test(40.0).unwrap();
    assert!((t.p - 0.041227).abs() < 1e-6, "{}", t.p);
    assert!(!t.above);
    // No spread: certain. A reference off the scale is clamped to it.
    let same: Moments = [50.0; 40].into_iter().collect();
    assert_eq!(Sample::Mean(same).test(50.0).unwrap().p, 1.0);
    assert_eq!(Sample::Mean(same).test(49.0).unwrap().p, 0.0);
    assert_eq!(s_percent(0, 40).test(0.0).unwrap().p, 1.0);
    assert_eq!(s_percent(3, 40).test(0.0).unwrap().p, 0.0);
    assert_eq!(s_percent(3, 40).test(f64::NAN), None);
    assert_eq!(s_percent(0, 0).test(50.0), None);
}

fn s_percent(successes: u64, n: u64) -> Sample {
    Sample::Percent { successes, n }
}

fn branch(code: String, format: Option<&str>) -> Branch {
    Branch {
        name: format!("Branch {code}"),
        code,
        region: "North".into(),
        active: true,
        format: format.map(str::to_owned),
    }
}

/// A branch's sums: `n` kiosk responses whose CSAT answer is top-2 with
/// probability `csat`, whose overall score is 0, 25, …, 100 with mean near
/// `score`, and whose NPS is promoter, passive or detractor with
/// probabilities 0.5, 0.3, 0.2.
fn simulated(rng: &mut StdRng, n: u64, csat: f64, score: f64) -> Rollup {
    let mut r = Rollup {
        n,
        completed: n,
        csat_n: n,
        ..Rollup::default()
    };
    for _ in 0..n {
        r.csat_top += u64::from(rng.random_bool(csat));
        // Four steps of 25 with success probability score/100: mean `score`.
        let steps = (0..4).filter(|_| rng.random_bool(score / 100.0)).count();
        r.overall.add(steps as f64 * 25.0);
        let u: f64 = rng.random();
        match u {
            u if u < 0.5 => r.nps.promoters += 1,
            u if u < 0.8 => r.nps.passives += 1,
            _ => r.nps.detractors += 1,
        }
    }
    r
}

/// 500 branches × (completion, overall, CSAT, NPS): every flag of the
/// per-interval rule and of Benjamini–Hochberg, and the false ones.
fn simulate(seed: u64, different: usize) -> (usize, usize, usize, usize, u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let branches: Vec<Branch> = (0..500).map(|i| branch(format!("B{i:03}"), None)).collect();
    let parts: Vec<Part> = branches
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let n = rng.random_range(40..=200);
            // The first `different` branches truly differ: CSAT 55 % not 70 %.
            let csat = if i < different { 0.55 } else { 0.70 };
            Part {
                branch: b.code.clone(),
                week: date!(2026 - 03 - 02),
                rollup: simulated(&mut rng, n, csat, 70.0),
            }
        })
        .collect();
    let a = aggregate(
        &Filter::default(),
        &branches,
        &Definitions::default(),
        parts,
    );
    let (mut per_interval, mut per_interval_false, mut bh, mut bh_false) = (0, 0, 0, 0);
    for (i, b) in a.branches.iter().enumerate() {
        let f = &b.figures;
        for (mine, net, truly) in [
            (&f.csat, &a.network.csat, i < different),
            (&f.overall, &a.network.overall, false),
            (&f.nps, &a.network.nps, false),
            (&f.completion, &a.network.completion, false),
        ] {
            let e = mine.estimate.unwrap();
            if stats::differs(&e, net.estimate.unwrap().value) != Comparison::Indistinguishable {
                per_interval += 1;
                per_interval_false += usize::from(!truly);
            }
            if matches!(
                mine.comparison,
                Some(Comparison::Better | Comparison::Worse)
            ) {
                bh += 1;
                bh_false += usize::from(!truly);
            }
        }
    }
    (
        per_interval,
        per_interval_false,
        bh,
        bh_false,
        a.flags.tests,
    )
}

#[test]
fn with_500_null_branches_few_flags_are_false() {
    // Every branch alike: every flag is false.
    let (per_interval, _, bh, _, tests) = simulate(19, 0);
    println!(
        "500 null branches, {tests} comparisons: per-interval rule {per_interval} flags, \
         Benjamini–Hochberg {bh}"
    );
    // The seed fixes the data, so these hold every run. Completion is 100 %
    // everywhere (never tested as different), so 1,500 tests can differ.
    assert_eq!(tests, 2000);
    assert!(per_interval >= 40, "{per_interval}");
    assert_eq!(bh, 0);
    // Over ten seeds, the average false share of BH's flags stays small
    // while the per-interval rule flags about 5 % of null comparisons.
    let mut false_shares = Vec::new();
    for seed in 0..10 {
        let (pi, pi_false, bh, bh_false, _) = simulate(seed, 25);
        let share = if bh == 0 {
            0.0
        } else {
            bh_false as f64 / bh as f64
        };
        println!(
            "seed {seed}, 25 of 500 truly worse: per-interval {pi} flags ({pi_false} false), \
             BH {bh} flags ({bh_false} false, {:.1} %)",
            share * 100.0
        );
        assert!(pi_false > bh_false);
        false_shares.push(share);
    }
    let mean = false_shares.iter().sum::<f64>() / false_shares.len() as f64;
    println!("mean false share of BH's flags: {:.1} %", mean * 100.0);
    // The seeds fix it at 4.1 %; the rate kept to is 5 %.
    assert!(mean <= 0.05, "{mean}");
}

#[test]
fn peers_are_the_selected_branches_of_a_format() {
    // Hand-made: two community branches (CSAT 30/40 and 10/40) and a
    // flagship (36/40); X01 has no format. With peers, C01 is compared with
    // the community figure 40/80 = 50 %, F01 with itself.
    let branches = vec![
        branch("C01".into(), Some("community")),
        branch("C02".into(), Some("community")),
        branch("F01".into(), Some("flagship")),
        branch("X01".into(), None),
    ];
    let rollup = |top: u64| Rollup {
        n: 40,
        completed: 40,
        csat_n: 40,
        csat_top: top,
        ..Rollup::default()
    };
    let parts = [("C01", 30), ("C02", 10), ("F01", 36), ("X01", 20)].map(|(code, top)| Part {
        branch: code.into(),
        week: date!(2026 - 03 - 02),
        rollup: rollup(top),
    });
    let peers = Filter {
        against: Reference::Peers,
        ..Filter::default()
    };
    let a = aggregate(&peers, &branches, &Definitions::default(), parts.clone());
    assert_eq!(a.flags.compared_with, Reference::Peers);
    let community = &a.peers["community"];
    assert_eq!(
        (community.csat.n, community.csat.estimate.unwrap().value),
        (80, 50.0)
    );
    assert_eq!(a.peers["flagship"].csat.estimate.unwrap().value, 90.0);
    assert_eq!(a.peers.len(), 2);
    let csat = |code: &str| {
        let b = a.branches.iter().find(|b| b.code == code).unwrap();
        b.figures.csat.comparison
    };
    // C01: 75 % against 50 %: z = 0.25/√(0.25/40) = 3.162, p = 0.00157;
    // C02: 25 % against 50 %, the same p. F01 is its own peer (p = 1).
    // Tested: CSAT and completion (100 % = 100 %) of C01, C02 and F01: six
    // p-values, the two smallest 0.00157 · 6/2 = 0.0047 ≤ 0.05.
    assert_eq!(csat("C01"), Some(Comparison::Better));
    assert_eq!(csat("C02"), Some(Comparison::Worse));
    assert_eq!(csat("F01"), Some(Comparison::Indistinguishable));
    assert_eq!(csat("X01"), None, "no format, no peers");
    assert_eq!(a.flags.tests, 6);
    assert_eq!(a.flags.flagged, 2);
    assert_eq!(a.branches[0].format.as_deref(), Some("community"));
    // Against the network (CSAT 96/160 = 60 %), F01 is better too, and X01 (50 %) tested.
    let a = aggregate(
        &Filter::default(),
        &branches,
        &Definitions::default(),
        parts.clone(),
    );
    assert!(a.peers.is_empty());
    assert_eq!(a.flags.compared_with, Reference::Network);
    let net = figures(
        &{
            let mut r = Rollup::default();
            for p in &parts {
                r.merge(&p.rollup);
            }
            r
        },
        &Definitions::default(),
    );
    assert_eq!(a.network.csat, net.csat);
    assert_eq!(a.network.csat.estimate.unwrap().value, 60.0);
    assert_eq!(a.flags.tests, 8);
    assert_eq!(
        a.branches
            .iter()
            .map(|b| b.figures.csat.comparison)
            .collect::<Vec<_>>(),
        [
            Some(Comparison::Indistinguishable),
            Some(Comparison::Worse),
            Some(Comparison::Better),
            Some(Comparison::Indistinguishable)
        ]
    );
    // Peers are those the filter selects: C01 alone is its own peer group.
    let only = Filter {
        branches: vec!["C01".into()],
        against: Reference::Peers,
        ..Filter::default()
    };
    let a = aggregate(&only, &branches, &Definitions::default(), parts);
    assert_eq!(a.peers["community"].csat.estimate.unwrap().value, 75.0);
    assert_eq!(
        a.branches[0].figures.csat.comparison,
        Some(Comparison::Indistinguishable)
    );
}

/// The kiosk's sums of a branch: 100 responses, `top` of them CSAT top-2.
fn kiosk_csat(top: u64) -> Rollup {
    Rollup {
        n: 100,
        completed: 100,
        csat_n: 100,
        csat_top: top,
        ..Rollup::default()
    }
}

/// The mystery shop's sums of a branch: 100 visits, `passes` without a
/// critical failure.
fn shop_visits(passes: u64) -> Rollup {
    Rollup {
        n: 100,
        completed: 100,
        visits: 100,
        passes,
        ..Rollup::default()
    }
}

fn parts(of: [(&str, Rollup); 2]) -> Vec<Part> {
    of.into_iter()
        .map(|(code, rollup)| Part {
            branch: code.into(),
            week: date!(2026 - 03 - 02),
            rollup,
        })
        .collect()
}

#[test]
fn both_channels_on_one_screen_are_one_family() {
    use branchpulse_core::aggregate::aggregate_channels;
    use branchpulse_core::Channel;
    let branches = vec![branch("A01".into(), None), branch("B01".into(), None)];
    let defs = Definitions::default();
    // Kiosk: CSAT 62/100 and 38/100 against the network's 50 %: score test
    // z = 0.12/√(0.25/100) = 2.4, p = 2·(1 − Φ(2.4)) = 0.0164 each.
    // Completion is 100 % everywhere (p = 1). Tested per channel: completion
    // and CSAT of two branches, m = 4.
    let kiosk = parts([("A01", kiosk_csat(62)), ("B01", kiosk_csat(38))]);
    let csat = |a: &branchpulse_core::aggregate::Aggregates| -> Vec<Option<Comparison>> {
        a.branches
            .iter()
            .map(|b| b.figures.csat.comparison)
            .collect()
    };
    // The kiosk alone: p₍₂₎ = 0.0164 ≤ 2 · 0.05/4 = 0.025, both flagged.
    let kiosk_only = Filter {
        channel: Some(Channel::Kiosk),
        ..Filter::default()
    };
    let alone = aggregate(&kiosk_only, &branches, &defs, kiosk.clone());
    assert_eq!((alone.flags.tests, alone.flags.flagged), (4, 2));
    assert_eq!(
        csat(&alone),
        [Some(Comparison::Better), Some(Comparison::Worse)]
    );
    // So does aggregate_channels with the channel in the filter: the
    // screen shows that channel alone.
    let same = aggregate_channels(
        &kiosk_only,
        &branches,
        &defs,
        vec![(Channel::Kiosk, kiosk.clone())],
    );
    assert_eq!(same, alone);

    // Both channels, the shop with pass rates 80/100 each (the network's
    // 80 %, p = 1): one family of m = 8 (completion ×4, CSAT ×2, pass rate
    // ×2). Sorted p: 0.0164, 0.0164, 1 × 6. k = 2: 0.0164 > 2 · 0.05/8 =
    // 0.0125; k = 1: 0.0164 > 0.00625. Nothing is flagged.
    let even = parts([("A01", shop_visits(80)), ("B01", shop_visits(80))]);
    let both = aggregate_channels(
        &Filter::default(),
        &branches,
        &defs,
        vec![
            (Channel::Kiosk, kiosk.clone()),
            (Channel::MysteryShop, even),
        ],
    );
    assert_eq!(both.channels.len(), 2);
    let (k, s) = (&both.channels[0], &both.channels[1]);
    assert_eq!(k.filter.channel, Some(Channel::Kiosk));
    assert_eq!(s.filter.channel, Some(Channel::MysteryShop));
    for a in [k, s] {
        assert_eq!((a.flags.tests, a.flags.flagged), (8, 0));
    }
    assert_eq!(
        csat(k),
        [
            Some(Comparison::Indistinguishable),
            Some(Comparison::Indistinguishable)
        ]
    );
    // The channels' own figures, never added together.
    assert_eq!(k.network.csat.n, 200);
    assert_eq!(k.network.mystery.visits, 0);
    assert_eq!(s.network.mystery.pass_rate.estimate.unwrap().value, 80.0);
    assert_eq!(s.network.csat.n, 0);

    // The shop's pass rates 95/100 and 65/100 against 80 %: z =
    // 0.15/√(0.16/100) = 3.75, p = 0.000177 each. Sorted p: 0.000177 × 2,
    // 0.0164 × 2, 1 × 4. k = 4: 0.0164 ≤ 4 · 0.05/8 = 0.025, so the four
    // smallest are flagged, the kiosk's two with them.
    let apart = parts([("A01", shop_visits(95)), ("B01", shop_visits(65))]);
    let both = aggregate_channels(
        &Filter::default(),
        &branches,
        &defs,
        vec![(Channel::Kiosk, kiosk), (Channel::MysteryShop, apart)],
    );
    let (k, s) = (&both.channels[0], &both.channels[1]);
    for a in [k, s] {
        assert_eq!((a.flags.tests, a.flags.flagged), (8, 4));
    }
    assert_eq!(csat(k), [Some(Comparison::Better), Some(Comparison::Worse)]);
    let pass: Vec<_> = s
        .branches
        .iter()
        .map(|b| b.figures.mystery.pass_rate.comparison)
        .collect();
    assert_eq!(pass, [Some(Comparison::Better), Some(Comparison::Worse)]);
    // The p-values by hand, checked against the tests themselves.
    let p = |sample: Sample, reference: f64| sample.test(reference).unwrap().p;
    assert!((p(s_percent(62, 100), 50.0) - 0.016395).abs() < 1e-5);
    assert!((p(s_percent(95, 100), 80.0) - 0.000177).abs() < 1e-5);
    assert!(
        (fdr::adjust(&[0.016395, 0.016395, 0.000177, 0.000177, 1.0, 1.0, 1.0, 1.0])[0]
            - 0.016395 * 8.0 / 4.0)
            .abs()
            < 1e-12
    );
}
