//! The false-discovery rate over many comparisons (Benjamini & Hochberg 1995).
//!
//! A dashboard of 500 branches compares some 5,000 figures with the network.
//! Flagging each one whose own 95 % interval leaves out the network value
//! would flag about 250 of them when no branch truly differs. Instead every
//! comparison of one answer gets a p-value, and [`adjust`] turns them into
//! Benjamini–Hochberg adjusted p-values: flagging those at or below [`Q`]
//! keeps the expected share of false flags among all flags at or below 5 %
//! (for independent or positively dependent tests), with 12 branches as
//! with 500.
//!
//! ```
//! use branchpulse_core::fdr;
//! let adjusted = fdr::adjust(&[0.01, 0.04, 0.03, 0.5]);
//! assert_eq!(adjusted, [0.04, 0.04 * 4.0 / 3.0, 0.04 * 4.0 / 3.0, 0.5]);
//! assert_eq!(fdr::rejected(&[0.01, 0.04, 0.03, 0.5]), [true, false, false, false]);
//! ```

use crate::collect;

/// The false-discovery rate the dashboard's flags keep to.
pub const Q: f64 = 0.05;

/// Benjamini–Hochberg adjusted p-values, in the order given: for the i-th
/// smallest of m p-values, `min over j ≥ i of (m / j) · p₍ⱼ₎`, at most 1.
/// A comparison is rejected at rate q exactly when its adjusted p-value is
/// at most q (the step-up rule: the largest k with `p₍ₖ₎ ≤ k·q/m` and every
/// smaller one). Ties get the same adjusted value. A NaN p-value counts as 1.
pub fn adjust(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let clean = |x: f64| if x.is_nan() { 1.0 } else { x.clamp(0.0, 1.0) };
    let mut order: Vec<usize> = (0..m).collect();
    collect::sort_by(&mut order, |&a, &b| clean(p[a]).total_cmp(&clean(p[b])));
    let mut out = vec![1.0; m];
    let mut running = 1.0_f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        let scaled = clean(p[i]) * m as f64 / (rank + 1) as f64;
        running = running.min(scaled);
        // Never below p itself, which p·m/m can be by rounding.
        out[i] = running.max(clean(p[i]));
    }
    out
}

/// Which comparisons Benjamini–Hochberg rejects at rate [`Q`], in the order given.
pub fn rejected(p: &[f64]) -> Vec<bool> {
    adjust(p).into_iter().map(|a| a <= Q).collect()
}
