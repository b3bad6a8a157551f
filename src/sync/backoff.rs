//! When to try again after a failed sync: exponential backoff with full
//! jitter. The wait before retry `n` is drawn uniformly from
//! `0 ..= min(MAX, BASE · 2^(n−1))`, so devices that lost the server at the
//! same moment do not all come back at the same moment.

/// Ceiling of the first wait.
pub const BASE_MS: f64 = 1_000.0;
/// The longest wait: five minutes.
pub const MAX_MS: f64 = 300_000.0;

/// The longest wait after `failures` failures in a row (0 after none).
pub fn ceiling_ms(failures: u32) -> f64 {
    if failures == 0 {
        return 0.0;
    }
    // 2^19 s is far past the cap; stop doubling there.
    let doublings = (failures - 1).min(19);
    (BASE_MS * f64::from(1u32 << doublings)).min(MAX_MS)
}

/// The wait after `failures` failures in a row, for a `random` number in
/// `[0, 1)` (`Math.random()`): full jitter under [`ceiling_ms`].
pub fn delay_ms(failures: u32, random: f64) -> f64 {
    let random = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.5
    };
    ceiling_ms(failures) * random
}
