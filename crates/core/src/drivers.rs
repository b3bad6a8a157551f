//! Key drivers: how strongly each customer dimension moves overall
//! satisfaction (1–5) and the likelihood to recommend (NPS item, 0–10).
//!
//! For each outcome, over the responses that answered it and scored all four
//! customer dimensions ([`Dimension::CUSTOMER`]; complete cases only):
//!
//! - **relative weights** (Johnson 2000, *Multivariate Behavioral Research*
//!   35(1)): the predictors are replaced by their closest orthogonal
//!   counterparts `Z = X·R⁻½` (R the dimensions' correlation matrix, `R½`
//!   its symmetric square root Λ), `y` is regressed on `Z` (β = Λ⁻¹·r_xy) and
//!   each dimension gets back the share of each orthogonal variable it is
//!   made of: `ε_j = Σ_k Λ_jk² β_k²`. The raw weights add up to R²; each is
//!   also given as a percentage of R². Unlike coefficients, they stay
//!   positive and meaningful when the dimensions are correlated, as
//!   customers' ratings of one visit always are.
//! - **standardised coefficients** `b = R⁻¹·r_xy`, which cost nothing more,
//!   for readers used to regression.
//!
//! Every figure carries a 95% bootstrap percentile interval: [`RESAMPLES`]
//! resamples of the respondents (with replacement, the same size), drawn by
//! a Xoshiro256++ generator seeded with [`SEED`], so the same responses
//! always give the same intervals; percentiles interpolate linearly between
//! order statistics (numpy's default). A resample that cannot be fitted (a
//! dimension constant in it) is left out, and [`Outcome::resamples`] says
//! how many were used.
//!
//! No figures, with a [`Reason`], when fewer than [`MIN_CASES`] complete
//! cases, when the outcome or a dimension does not vary, or when the
//! dimensions are collinear (the correlation matrix's smallest eigenvalue
//! under [`MIN_EIGENVALUE`]): any weights would then be arbitrary.
//!
//! The JSON of `GET /api/v1/drivers?<filter>` ([`Drivers`]):
//!
//! ```text
//! { "filter": { … }, "cap": 20000, "read": 412, "capped": false,
//!   "satisfaction": Outcome, "nps": Outcome,
//!   "scores": { "empathy": Figure, … } }     // the selected branches' dimension scores, 0–100
//! Outcome = { "n": 398, "resamples": 400, "reason": "too_few" | "constant" | "collinear",   // absent when fitted
//!             "dimension": "value",           // with "constant": the dimension that does not vary
//!             "r2": Estimate,                 // absent when not fitted
//!             "drivers": [ { "dimension": "empathy", "weight": Estimate,   // raw, sums to R²
//!                            "share": Estimate,      // % of R²
//!                            "beta": Estimate } ] }  // standardised coefficient
//! ```

use crate::aggregate::{csat_item, nps_item, Figure, Filter};
use crate::questionnaire::{Dimension, Questionnaire};
use crate::response::{Answer, Response};
use crate::score;
use crate::stats::Estimate;
use nalgebra::{Matrix4, SymmetricEigen, Vector4};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fewer complete cases than this: no drivers (the same threshold as a figure's "too few").
pub const MIN_CASES: usize = 30;
/// Bootstrap resamples per outcome.
pub const RESAMPLES: u32 = 400;
/// The bootstrap generator's seed: fixed, so an answer never changes on reload.
pub const SEED: u64 = 2000;
/// Below this smallest eigenvalue of the dimensions' correlation matrix they
/// are taken as collinear (one is, to within rounding, a mix of the others).
pub const MIN_EIGENVALUE: f64 = 1e-6;
/// The number of dimensions (predictors).
const P: usize = 4;

/// One response's figures, as [`crate::aggregate::Rollup::of`] scores them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Case {
    /// The four customer dimensions' scores, 0–100, in [`Dimension::CUSTOMER`] order.
    pub dimensions: [f64; P],
    /// The overall-satisfaction answer (1–5), if given.
    pub satisfaction: Option<f64>,
    /// The likelihood to recommend (0–10), if given.
    pub nps: Option<f64>,
}

/// The response's [`Case`], scored with `q` (the version it answered); `None`
/// unless all four customer dimensions scored. Hidden items count nowhere.
pub fn case_of(q: &Questionnaire, response: &Response) -> Option<Case> {
    let card = score::score(q, &response.answers);
    let mut dimensions = [0.0; P];
    for (slot, dim) in dimensions.iter_mut().zip(Dimension::CUSTOMER) {
        *slot = (*card.dimensions.get(&dim)?)?;
    }
    let shown = q.shown(&response.answers);
    let answer = |id: Option<&str>| {
        id.filter(|id| shown.contains(id))
            .and_then(|id| response.answers.get(id))
    };
    let satisfaction = match answer(csat_item(q)) {
        Some(Answer::Rating(x)) if (1..=5).contains(x) => Some(f64::from(*x)),
        _ => None,
    };
    let nps = match answer(nps_item(q)) {
        Some(Answer::Nps(x)) if *x <= 10 => Some(f64::from(*x)),
        _ => None,
    };
    Some(Case {
        dimensions,
        satisfaction,
        nps,
    })
}

/// Why an outcome has no drivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Fewer than [`MIN_CASES`] complete cases.
    TooFew,
    /// The outcome, or the dimension named, has the same value in every case.
    Constant,
    /// The dimensions are collinear.
    Collinear,
}

/// One fit on one sample: what the bootstrap repeats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// R² of the regression of the outcome on the four dimensions.
    pub r2: f64,
    /// Johnson's raw relative weights; they sum to `r2`.
    pub weights: [f64; P],
    /// Standardised regression coefficients.
    pub betas: [f64; P],
}

impl Fit {
    /// The weights as percentages of R² (0 when R² is 0).
    pub fn shares(&self) -> [f64; P] {
        self.weights.map(|w| {
            if self.r2 > 0.0 {
                100.0 * w / self.r2
            } else {
                0.0
            }
        })
    }
}

/// A fit that cannot be made, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unfit {
    /// Why.
    pub reason: Reason,
    /// With [`Reason::Constant`]: the dimension that does not vary (`None`: the outcome).
    pub dimension: Option<Dimension>,
}

/// Cross-products of the cases, centred on the whole sample's means so the
/// sums stay well-conditioned: what a correlation matrix is made of.
#[derive(Clone, Copy, Default)]
struct Sums {
    n: f64,
    /// Sums of x (4) and y, centred.
    s: [f64; P + 1],
    /// Sums of products, upper triangle used.
    ss: [[f64; P + 1]; P + 1],
}

impl Sums {
    fn add(&mut self, row: &[f64; P + 1]) {
        self.n += 1.0;
        for i in 0..=P {
            self.s[i] += row[i];
            for j in i..=P {
                self.ss[i][j] += row[i] * row[j];
            }
        }
    }

    /// Covariance (times n) of columns i and j.
    fn cov(&self, i: usize, j: usize) -> f64 {
        let (i, j) = (i.min(j), i.max(j));
        self.ss[i][j] - self.s[i] * self.s[j] / self.n
    }

    fn fit(&self) -> Result<Fit, Unfit> {
        // A variance this small next to 0–100 scores is rounding of a constant.
        const TINY: f64 = 1e-9;
        let var: [f64; P + 1] = std::array::from_fn(|i| self.cov(i, i) / self.n);
        if var[P] <= TINY {
            return Err(Unfit {
                reason: Reason::Constant,
                dimension: None,
            });
        }
        if let Some(k) = (0..P).find(|&k| var[k] <= TINY) {
            return Err(Unfit {
                reason: Reason::Constant,
                dimension: Some(Dimension::CUSTOMER[k]),
            });
        }
        let sd: [f64; P + 1] = var.map(|v| (v * self.n).sqrt());
        let rxx = Matrix4::from_fn(|i, j| {
            if i == j {
                1.0
            } else {
                self.cov(i, j) / (sd[i] * sd[j])
            }
        });
        let rxy = Vector4::from_fn(|i, _| self.cov(i, P) / (sd[i] * sd[P]));
        let eig = SymmetricEigen::new(rxx);
        if eig.eigenvalues.min() < MIN_EIGENVALUE {
            return Err(Unfit {
                reason: Reason::Collinear,
                dimension: None,
            });
        }
        let v = eig.eigenvectors;
        let root = v * Matrix4::from_diagonal(&eig.eigenvalues.map(f64::sqrt)) * v.transpose();
        let inv_root =
            v * Matrix4::from_diagonal(&eig.eigenvalues.map(|l| 1.0 / l.sqrt())) * v.transpose();
        let inv = v * Matrix4::from_diagonal(&eig.eigenvalues.map(|l| 1.0 / l)) * v.transpose();
        let beta_z = inv_root * rxy;
        let betas = inv * rxy;
        let weights: [f64; P] = std::array::from_fn(|j| {
            (0..P)
                .map(|k| root[(j, k)].powi(2) * beta_z[k].powi(2))
                .sum()
        });
        Ok(Fit {
            r2: rxy.dot(&betas),
            weights,
            betas: std::array::from_fn(|j| betas[j]),
        })
    }
}

/// The rows (4 dimensions, outcome) of the complete cases, centred.
fn rows(x: &[[f64; P]], y: &[f64]) -> Vec<[f64; P + 1]> {
    let n = y.len().max(1) as f64;
    let mut mean = [0.0; P + 1];
    for (xi, yi) in x.iter().zip(y) {
        for k in 0..P {
            mean[k] += xi[k] / n;
        }
        mean[P] += yi / n;
    }
    x.iter()
        .zip(y)
        .map(|(xi, yi)| std::array::from_fn(|k| if k < P { xi[k] } else { *yi } - mean[k]))
        .collect()
}

/// Johnson's relative weights and the standardised coefficients of `y` on
/// the four columns of `x` (one row per case); no minimum size.
pub fn fit(x: &[[f64; P]], y: &[f64]) -> Result<Fit, Unfit> {
    let mut sums = Sums::default();
    rows(x, y).iter().for_each(|r| sums.add(r));
    if sums.n < (P + 2) as f64 {
        return Err(Unfit {
            reason: Reason::TooFew,
            dimension: None,
        });
    }
    sums.fit()
}

/// The `q`-quantile (0..=1) of sorted values, interpolating linearly between
/// order statistics (Hyndman and Fan's type 7, numpy's default).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let h = q.clamp(0.0, 1.0) * last as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// One dimension's importance for one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Driver {
    /// The dimension.
    pub dimension: Dimension,
    /// Johnson's raw relative weight (0..1); the four add up to R².
    pub weight: Estimate,
    /// The weight as a percentage of R² (0–100).
    pub share: Estimate,
    /// The standardised regression coefficient.
    pub beta: Estimate,
}

/// The drivers of one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    /// Complete cases: responses that answered the outcome and scored all four dimensions.
    pub n: u64,
    /// Bootstrap resamples the intervals rest on (those that could be fitted).
    pub resamples: u32,
    /// Why there are no drivers; absent when there are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// With [`Reason::Constant`], the dimension that does not vary (absent: the outcome).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Dimension>,
    /// R² (0..1) of the outcome on the four dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r2: Option<Estimate>,
    /// One per customer dimension, in [`Dimension::CUSTOMER`] order; empty without a fit.
    #[serde(default)]
    pub drivers: Vec<Driver>,
}

impl Outcome {
    fn unfit(n: usize, why: Unfit) -> Outcome {
        Outcome {
            n: n as u64,
            resamples: 0,
            reason: Some(why.reason),
            dimension: why.dimension,
            r2: None,
            drivers: Vec::new(),
        }
    }
}

/// The drivers of `y` (one outcome) on `x`, with bootstrap intervals from
/// `resamples` resamples drawn with `seed`.
pub fn outcome(x: &[[f64; P]], y: &[f64], resamples: u32, seed: u64) -> Outcome {
    let n = y.len().min(x.len());
    if n < MIN_CASES {
        return Outcome::unfit(
            n,
            Unfit {
                reason: Reason::TooFew,
                dimension: None,
            },
        );
    }
    let rows = rows(&x[..n], &y[..n]);
    let mut all = Sums::default();
    rows.iter().for_each(|r| all.add(r));
    let point = match all.fit() {
        Ok(f) => f,
        Err(why) => return Outcome::unfit(n, why),
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut fits = Vec::with_capacity(resamples as usize);
    for _ in 0..resamples {
        let mut s = Sums::default();
        for _ in 0..n {
            s.add(&rows[rng.random_range(0..n)]);
        }
        if let Ok(f) = s.fit() {
            fits.push(f);
        }
    }
    let interval = |value: f64, of: &dyn Fn(&Fit) -> f64| {
        let mut v: Vec<f64> = fits.iter().map(of).collect();
        v.sort_by(f64::total_cmp);
        let (low, high) = if v.is_empty() {
            (value, value)
        } else {
            (percentile(&v, 0.025), percentile(&v, 0.975))
        };
        Estimate {
            n: n as u64,
            value,
            low,
            high,
        }
    };
    let shares = point.shares();
    let drivers = Dimension::CUSTOMER
        .iter()
        .enumerate()
        .map(|(j, &dimension)| Driver {
            dimension,
            weight: interval(point.weights[j], &|f| f.weights[j]),
            share: interval(shares[j], &|f| f.shares()[j]),
            beta: interval(point.betas[j], &|f| f.betas[j]),
        })
        .collect();
    Outcome {
        n: n as u64,
        resamples: fits.len() as u32,
        reason: None,
        dimension: None,
        r2: Some(interval(point.r2, &|f| f.r2)),
        drivers,
    }
}

/// The drivers of satisfaction and of NPS over `cases`, each on its own complete cases.
pub fn drivers_of(cases: &[Case]) -> (Outcome, Outcome) {
    let of = |pick: fn(&Case) -> Option<f64>| {
        let (x, y): (Vec<[f64; P]>, Vec<f64>) = cases
            .iter()
            .filter_map(|c| pick(c).map(|y| (c.dimensions, y)))
            .unzip();
        outcome(&x, &y, RESAMPLES, SEED)
    };
    (of(|c| c.satisfaction), of(|c| c.nps))
}

/// `GET /api/v1/drivers?<filter>`: the drivers of the kiosk's responses in
/// the filter, beside the dimensions' current scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Drivers {
    /// The filter, narrowed to the reader's branches; always the kiosk channel.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::aggregate::FilterParams))]
    pub filter: Filter,
    /// The most responses read: the latest ones of the filter.
    pub cap: u64,
    /// Responses read (at most `cap`).
    pub read: u64,
    /// True when the filter held more responses than `cap`, so only the latest were used.
    pub capped: bool,
    /// Overall satisfaction (1–5) on the dimensions.
    pub satisfaction: Outcome,
    /// The likelihood to recommend (0–10) on the dimensions.
    pub nps: Outcome,
    /// The score of each customer dimension (0–100) over the filter's
    /// branches together, from the dashboard's figures (every response of
    /// the filter, not only those read).
    pub scores: BTreeMap<Dimension, Figure>,
}
