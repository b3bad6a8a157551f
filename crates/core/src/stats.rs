//! Intervals for the figures shown to managers (95% unless stated).
//!
//! Every figure a manager sees carries its `n` and a 95% interval:
//! [`wilson`] for proportions (CSAT, pass rates), [`mean_interval`] (Student t)
//! for mean scores, [`nps_adjusted_wald`] for NPS. [`differs`] says whether a
//! branch is better or worse than the network only where its interval says so;
//! [`Sample::test`] gives the p-value that inverts each interval, for
//! flags over many comparisons at once ([`crate::fdr`]); and [`too_few`]
//! marks figures resting on fewer than [`MIN_N`] answers.
//!
//! Nothing here allocates more than the caller gives it; the Student-t
//! quantile comes from `statrs` (see [`t_quantile`] for very large samples).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// The two-sided 95% normal quantile, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959964;

/// Below this many answers a figure is shown greyed as "too few responses".
pub const MIN_N: u64 = 30;

/// Whether a figure on `n` answers is too thin to show as a finding.
pub fn too_few(n: u64) -> bool {
    n < MIN_N
}

/// A figure with its sample size and 95% interval, on the figure's own scale.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Estimate {
    /// The sample size.
    pub n: u64,
    /// The point estimate.
    pub value: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
}

impl Estimate {
    fn scaled(self, k: f64) -> Estimate {
        Estimate {
            n: self.n,
            value: self.value * k,
            low: self.low * k,
            high: self.high * k,
        }
    }
}

/// Running count, sum and sum of squares of a series of values.
///
/// This is what server rollups store per branch × period × figure: it can be
/// grown one value at a time with [`Moments::add`] and combined across
/// branches or periods with [`Moments::merge`], and [`mean_interval`] turns
/// it into a mean with its t-interval.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Moments {
    /// How many values.
    pub n: u64,
    /// Their sum.
    pub sum: f64,
    /// The sum of their squares.
    pub sum_sq: f64,
}

impl Moments {
    /// Count one more value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Add `other`'s values to these (rollups of branches or periods).
    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// The mean, `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// The sample variance (n − 1 denominator), `None` below two values.
    /// Never negative: rounding in `sum_sq − sum²/n` is clamped at 0.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        Some(((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0))
    }
}

impl FromIterator<f64> for Moments {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut m = Moments::default();
        iter.into_iter().for_each(|x| m.add(x));
        m
    }
}

impl Extend<f64> for Moments {
    fn extend<I: IntoIterator<Item = f64>>(&mut self, iter: I) {
        iter.into_iter().for_each(|x| self.add(x));
    }
}

/// The mean of `m` with its 95% Student-t interval (n − 1 degrees of freedom),
/// clamped to `range` (the scale's bounds, e.g. `(0.0, 100.0)` for scores).
///
/// - `n == 0` → `None`;
/// - `n == 1` → the interval is the whole `range`: one answer says nothing
///   about the spread, and an interval of zero width would claim certainty;
/// - `n ≥ 2` → `mean ± t(0.975, n−1) · s/√n`, clamped to `range`. If every value
///   is the same the interval has zero width, as the t-interval does (up to
///   rounding in the sums: a width of order 10⁻⁷ for values like 68.437379).
///
/// Values are expected within `range`, and so is their mean; `value` is
/// clamped to `range` too, which only undoes rounding (n copies of x, summed
/// and divided by n, can come out an ulp above x), so that the interval
/// always contains `value` and stays within `range`.
///
/// Returns `None` if the sums are not finite, or if `range` is not a range
/// (low > high, or NaN).
pub fn mean_interval(m: &Moments, range: (f64, f64)) -> Option<Estimate> {
    let (lo, hi) = range;
    if lo.is_nan() || hi.is_nan() || lo > hi {
        return None;
    }
    let mean = m.mean()?;
    if !mean.is_finite() || !m.sum_sq.is_finite() {
        return None;
    }
    let value = mean.clamp(lo, hi);
    let Some(var) = m.variance() else {
        return Some(Estimate {
            n: m.n,
            value,
            low: lo,
            high: hi,
        });
    };
    let t = t_quantile(0.975, (m.n - 1) as f64)?;
    let half = t * (var / m.n as f64).sqrt();
    Some(Estimate {
        n: m.n,
        value,
        low: (value - half).clamp(lo, hi),
        high: (value + half).clamp(lo, hi),
    })
}

/// [`mean_interval`] of a slice of values.
pub fn mean_interval_of(values: &[f64], range: (f64, f64)) -> Option<Estimate> {
    mean_interval(&values.iter().copied().collect(), range)
}

/// The share `successes / n` (0..1) with its 95% Wilson score interval
/// (Wilson 1927; Newcombe 1998, method 3), `z` = [`Z95`].
/// `None` when `n == 0` or `successes > n`.
pub fn wilson(successes: u64, n: u64) -> Option<Estimate> {
    if n == 0 || successes > n {
        return None;
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    Some(Estimate {
        n,
        value: p,
        // The Wilson interval always contains p; min/max only guard rounding at 0 and n.
        low: (centre - half).clamp(0.0, 1.0).min(p),
        high: (centre + half).clamp(0.0, 1.0).max(p),
    })
}

/// NPS (−100..100) from counts, with the 95% adjusted-Wald interval.
///
/// Source: Rocks, B. (2016), "Interval estimation for the 'net promoter score'",
/// *The American Statistician* 70(4); as taught by Sauro & Lewis (MeasuringU,
/// "Evaluating NPS confidence intervals with real-world data", 2021): add 3 to
/// n, ¾ to the promoters and ¾ to the detractors (so ³⁄₂ to the passives),
/// then a Wald interval on the adjusted figures:
///
/// ```text
/// n' = n + 3,  p' = (promoters + ¾)/n',  d' = (detractors + ¾)/n'
/// NPS' = p' − d',  Var' = p' + d' − NPS'²
/// interval = NPS' ± z·√(Var'/n')
/// ```
///
/// `value` is the plain NPS of the raw counts (what managers know), while the
/// interval is centred on the adjusted NPS'; both are ×100 and the interval is
/// clamped to [−100, 100]. For very small n (e.g. a single promoter) the
/// adjusted interval can miss the raw NPS; it is then widened just enough to
/// include it, so a figure never lies outside its own interval.
/// `None` when there are no answers.
pub fn nps_adjusted_wald(promoters: u64, passives: u64, detractors: u64) -> Option<Estimate> {
    let n = promoters + passives + detractors;
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let value = (promoters as f64 - detractors as f64) / nf;
    let n_adj = nf + 3.0;
    let p = (promoters as f64 + 0.75) / n_adj;
    let d = (detractors as f64 + 0.75) / n_adj;
    let nps_adj = p - d;
    let var = (p + d - nps_adj * nps_adj).max(0.0);
    let half = Z95 * (var / n_adj).sqrt();
    Some(
        Estimate {
            n,
            value,
            low: (nps_adj - half).clamp(-1.0, 1.0).min(value),
            high: (nps_adj + half).clamp(-1.0, 1.0).max(value),
        }
        .scaled(100.0),
    )
}

/// The median (type-7 quantile 0.5); sorts `values` in place.
/// `None` when empty or when a value is NaN.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.iter().any(|v| v.is_nan()) {
        return None;
    }
    values.sort_by(f64::total_cmp);
    quantile(values, 0.5)
}

/// The `q` quantile (0 ≤ q ≤ 1) of ascending-sorted values, by linear
/// interpolation between order statistics (Hyndman & Fan type 7, the default
/// of R and NumPy): `h = (n−1)·q`, `x[⌊h⌋] + (h−⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`.
/// Used for wait-time median and p90. `None` when empty or `q` is outside [0, 1].
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    debug_assert!(
        sorted.windows(2).all(|w| w[0] <= w[1]),
        "quantile needs sorted values"
    );
    let h = (sorted.len() - 1) as f64 * q;
    let i = h.floor() as usize;
    let lower = sorted[i];
    match sorted.get(i + 1) {
        Some(&upper) => Some(lower + (h - i as f64) * (upper - lower)),
        None => Some(lower),
    }
}

/// How a branch's figure stands against its reference (the network's
/// figure, or its peers'). In an aggregates answer a flag holds the
/// false-discovery rate at 5 % across all its comparisons (see
/// `aggregate`'s "What a flag means"); [`differs`] is the rule for one
/// comparison alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Above the reference, and flagged.
    Better,
    /// Below the reference, and flagged.
    Worse,
    /// Not flagged as different.
    Indistinguishable,
}

/// Whether `branch` is better or worse than `network_value`, flagged only where
/// the interval says so. "Better" means *higher*: for figures where lower is
/// better (wait times), the caller swaps the meaning. This does not look at
/// [`too_few`]; a greyed figure should not be flagged by the caller either.
pub fn differs(branch: &Estimate, network_value: f64) -> Comparison {
    if branch.low > network_value {
        Comparison::Better
    } else if branch.high < network_value {
        Comparison::Worse
    } else {
        Comparison::Indistinguishable
    }
}

/// What a figure was computed from, kept to test it against a reference
/// value by inverting its own interval: a figure is significantly different
/// from a value (two-sided, 5 %) exactly when its 95 % interval leaves the
/// value out, so a flag of one comparison is the interval's word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    /// `successes` of `n`, shown as a percentage ([`wilson`]): the score test.
    Percent {
        /// Successes.
        successes: u64,
        /// Trials.
        n: u64,
    },
    /// Values summed in `Moments` ([`mean_interval`]): the one-sample t-test.
    Mean(Moments),
    /// NPS answers by class ([`nps_adjusted_wald`]): the adjusted-Wald z.
    Nps {
        /// Answers of 9–10.
        promoters: u64,
        /// Answers of 7–8.
        passives: u64,
        /// Answers of 0–6.
        detractors: u64,
    },
}

/// A two-sided test of a figure against a reference value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Test {
    /// The two-sided p-value.
    pub p: f64,
    /// Whether the figure lies above the reference (by the statistic the
    /// interval is centred on).
    pub above: bool,
}

impl Sample {
    /// The test of this sample against `reference`, on the figure's own
    /// scale (0–100 for percentages, −100..100 for NPS). `None` without
    /// answers or with a reference that is not a number.
    ///
    /// - Percent: `z = (p̂ − p₀) / √(p₀(1 − p₀)/n)`, whose |z| ≤ z₉₅ is the
    ///   Wilson interval; at p₀ = 0 or 1 any other p̂ gives p = 0.
    /// - Mean: `t = (x̄ − μ₀) / (s/√n)` on n − 1 degrees of freedom; one value
    ///   (no spread) gives p = 1, as its interval is the whole scale.
    /// - NPS: `z = (NPS′ − NPS₀) / √(Var′/n′)`, the adjusted-Wald statistic.
    pub fn test(&self, reference: f64) -> Option<Test> {
        if !reference.is_finite() {
            return None;
        }
        let normal = |z: f64| 2.0 * Normal::standard().sf(z.abs());
        match *self {
            Sample::Percent { successes, n } => {
                if n == 0 || successes > n {
                    return None;
                }
                let p = successes as f64 / n as f64;
                let p0 = (reference / 100.0).clamp(0.0, 1.0);
                let se = (p0 * (1.0 - p0) / n as f64).sqrt();
                Some(Test {
                    p: exact_or(p - p0, se, normal),
                    above: p > p0,
                })
            }
            Sample::Mean(m) => {
                let mean = m.mean()?;
                let Some(var) = m.variance() else {
                    return Some(Test {
                        p: 1.0,
                        above: mean > reference,
                    });
                };
                let df = (m.n - 1) as f64;
                let t_dist = StudentsT::new(0.0, 1.0, df).ok()?;
                let se = (var / m.n as f64).sqrt();
                Some(Test {
                    p: exact_or(mean - reference, se, |t| 2.0 * t_dist.sf(t.abs())),
                    above: mean > reference,
                })
            }
            Sample::Nps {
                promoters,
                passives,
                detractors,
            } => {
                let n = promoters + passives + detractors;
                if n == 0 {
                    return None;
                }
                let n_adj = n as f64 + 3.0;
                let p = (promoters as f64 + 0.75) / n_adj;
                let d = (detractors as f64 + 0.75) / n_adj;
                let nps_adj = p - d;
                let var = (p + d - nps_adj * nps_adj).max(0.0);
                let diff = nps_adj - reference / 100.0;
                Some(Test {
                    p: exact_or(diff, (var / n_adj).sqrt(), normal),
                    above: diff > 0.0,
                })
            }
        }
    }
}

/// The p-value of `difference / se` by `tail`, where a zero standard error
/// means certainty: p = 1 at no difference, 0 at any other.
fn exact_or(difference: f64, se: f64, tail: impl Fn(f64) -> f64) -> f64 {
    if se > 0.0 {
        tail(difference / se).clamp(0.0, 1.0)
    } else if difference == 0.0 {
        1.0
    } else {
        0.0
    }
}

/// How a figure moved from one period to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// The whole interval of the difference lies above 0.
    Up,
    /// The whole interval of the difference lies below 0.
    Down,
    /// The interval of the difference includes 0: no change shown.
    Steady,
}

/// `current − previous` with its 95% interval, built from the two figures'
/// own intervals by the MOVER method (Zou & Donner 2008): each side of the
/// difference's interval adds, in quadrature, the distances from the point
/// estimates to the opposite ends of the two intervals. With two Wilson
/// intervals this is Newcombe's (1998) method 10 for a difference of
/// proportions; it also serves NPS (adjusted-Wald) and means (t). The two
/// periods' answers are independent, which holds for different days.
/// The difference's `n` is the current figure's.
pub fn difference(current: &Estimate, previous: &Estimate) -> Estimate {
    let d = current.value - previous.value;
    let below = (current.value - current.low).hypot(previous.high - previous.value);
    let above = (current.high - current.value).hypot(previous.value - previous.low);
    Estimate {
        n: current.n,
        value: d,
        low: d - below,
        high: d + above,
    }
}

/// Whether a [`difference`]'s interval shows a change.
pub fn movement(difference: &Estimate) -> Movement {
    if difference.low > 0.0 {
        Movement::Up
    } else if difference.high < 0.0 {
        Movement::Down
    } else {
        Movement::Steady
    }
}

/// The `p` quantile of Student's t distribution with `df` degrees of freedom
/// (`df` may be fractional; `f64::INFINITY` gives the normal quantile).
///
/// `None` unless 0 < p < 1 and df > 0. Also `None` in the far tails, where
/// the answer could not be trusted: when p or 1 − p is below 10⁻¹⁰, and
/// when |t| would exceed 10⁵ (only with fewer than two degrees of freedom:
/// for ν = 1, p below 3.2·10⁻⁶ or above 1 − 3.2·10⁻⁶).
///
/// `t_quantile(0.975, 29.0)` ≈ 2.0452 is the multiplier of a 95% interval on 30 values.
///
/// Up to 1000 degrees of freedom this is `statrs`' Student-t quantile, which
/// inverts the incomplete beta function. Checked against 40-digit values it
/// is exact to about 10⁻¹¹ relative while |t| ≤ 10⁵; further out it goes wrong
/// by orders of magnitude (for ν = 1 and p = 10⁻⁹ it is 79% short), for
/// ν = 936 and p = 10⁻¹⁰⁵ it does not return, and below p ≈ 10⁻¹⁶² it panics.
///
/// Beyond 1000 degrees of freedom `statrs` loses digits and then stalls
/// (t(0.975, 10⁶) comes out as 1.95985 instead of 1.95997, t(0.975, 10⁷) as
/// 1.83, and t(0.975, 3·10⁷) does not return), so the Cornish–Fisher
/// expansion around the normal quantile (Abramowitz & Stegun 26.7.5) is used
/// instead: for ν > 1000 its relative error is below 10⁻¹¹ for tail
/// probabilities down to 10⁻¹⁰, and below 10⁻¹⁵ at p = 0.975.
pub fn t_quantile(p: f64, df: f64) -> Option<f64> {
    // Written so that NaN is refused too.
    let in_domain = p > 0.0 && p < 1.0 && df > 0.0;
    if !in_domain {
        return None;
    }
    if p.min(1.0 - p) < MIN_TAIL {
        return None;
    }
    if df > LARGE_DF {
        let z = Normal::standard().inverse_cdf(p);
        return Some(cornish_fisher(z, df));
    }
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(p);
    (t.abs() <= MAX_T).then_some(t)
}

/// Degrees of freedom beyond which [`t_quantile`] uses the normal quantile
/// with the Cornish–Fisher correction instead of `statrs`' Student t.
const LARGE_DF: f64 = 1e3;
/// The largest |t| that `statrs` gives reliably.
const MAX_T: f64 = 1e5;
/// The smallest tail probability (p or 1 − p) that [`t_quantile`] answers.
const MIN_TAIL: f64 = 1e-10;

/// A&S 26.7.5: t ≈ z + g₁/ν + g₂/ν² + g₃/ν³ + g₄/ν⁴, for large ν.
fn cornish_fisher(z: f64, df: f64) -> f64 {
    let z2 = z * z;
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
}
