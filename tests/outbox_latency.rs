//! Outbox write latency in a real Chromium: how long `add` takes from call
//! to committed transaction, one response at a time as a kiosk saves them.
//! Prints p50 / p95 (target p95 ≤ 20 ms); asserts only that every write
//! landed. `cargo xtask bench` runs it with `--nocapture` to show the figures.
#![cfg(target_arch = "wasm32")]

mod common;

use branchpulse::storage::outbox::Outbox;
use common::response;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const WRITES: u128 = 300;

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    branchpulse_core::stats::quantile(sorted, q).unwrap()
}

#[wasm_bindgen_test]
async fn outbox_write_latency() {
    let name = "bp-bench-latency";
    Outbox::delete_named(name).await.unwrap();
    let outbox = Outbox::open_named(name).await.unwrap();
    let mut times = Vec::with_capacity(WRITES as usize);
    for n in 0..WRITES {
        let r = response(1_000_000 + n);
        let start = now_ms();
        outbox.add(&r).await.unwrap();
        times.push(now_ms() - start);
    }
    assert_eq!(
        outbox.count().await.unwrap(),
        WRITES as u32,
        "every write committed"
    );
    times.sort_by(f64::total_cmp);
    console_log!(
        "outbox write latency, {WRITES} single-response writes: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms (target p95 <= 20 ms)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1]
    );
    outbox.close();
    Outbox::delete_named(name).await.unwrap();
}
