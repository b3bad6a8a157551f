//! When to try again after a failed sync, and how far to split a batch
//! that keeps failing.
//!
//! Waits: exponential backoff with full jitter. The wait before retry `n`
//! is drawn uniformly from `0 ..= min(max, base · 2^(n−1))`, so devices
//! that lost the server at the same moment do not all come back at the
//! same moment. The app uses [`BASE_MS`] and [`MAX_MS`]; tests and
//! operators may shorten them (`SyncConfig`).
//!
//! Splitting: see [`split_size`].

/// Ceiling of the first wait.
pub const BASE_MS: f64 = 1_000.0;
/// The longest wait: five minutes.
pub const MAX_MS: f64 = 300_000.0;

/// The longest wait after `failures` failures in a row (0 after none).
pub fn ceiling_ms(failures: u32) -> f64 {
    ceiling_within(BASE_MS, MAX_MS, failures)
}

/// [`ceiling_ms`] for a first wait of `base` and a cap of `max` (ms).
pub fn ceiling_within(base: f64, max: f64, failures: u32) -> f64 {
    if failures == 0 {
        return 0.0;
    }
    // 2^19 times the base is far past any sane cap; stop doubling there.
    let doublings = (failures - 1).min(19);
    (base * f64::from(1u32 << doublings)).min(max)
}

/// The wait after `failures` failures in a row, for a `random` number in
/// `[0, 1)` (`Math.random()`): full jitter under [`ceiling_ms`].
pub fn delay_ms(failures: u32, random: f64) -> f64 {
    delay_within(BASE_MS, MAX_MS, failures, random)
}

/// [`delay_ms`] for a first wait of `base` and a cap of `max` (ms).
pub fn delay_within(base: f64, max: f64, failures: u32, random: f64) -> f64 {
    let random = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.5
    };
    ceiling_within(base, max, failures) * random
}

/// How many responses the next request carries: `size` (what waits, up to
/// the batch size), halved once for every `split_after` failed sends of
/// the oldest response in it, at least 1. A batch that failed three times
/// goes out in halves; what still fails with it, in quarters after three
/// more; and so on, until a response that makes the server fail is sent
/// alone. The others meanwhile go through in the parts that succeed.
pub fn split_size(size: u32, attempts: u32, split_after: u32) -> u32 {
    let halvings = attempts / split_after.max(1);
    size.checked_shr(halvings).unwrap_or(0).max(1)
}
