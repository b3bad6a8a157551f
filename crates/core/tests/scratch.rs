use branchpulse_core::stats::t_quantile;
#[test]
fn scratch() {
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut rnd = || { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; (seed >> 11) as f64 / (1u64 << 53) as f64 };
    let t0 = std::time::Instant::now();
    let (mut some, mut none, mut slow) = (0, 0, 0);
    for _ in 0..300_000 {
        let df = 10f64.powf(rnd() * 6.0 - 3.0).min(2000.0);
        let p = if rnd() < 0.5 { 10f64.powf(-rnd() * 200.0) } else { rnd() };
        let s = std::time::Instant::now();
        let r = std::panic::catch_unwind(|| t_quantile(p, df));
        if s.elapsed().as_millis() > 5 { slow += 1; println!("slow df {df} p {p:e} {:?}", s.elapsed()); }
        match r {
            Ok(Some(t)) => { some += 1; let u = t_quantile(1.0 - p, df); if p > 1e-5 && p < 1.0 - 1e-5 { if let Some(u) = u { assert!(((t + u) / t).abs() < 1e-6 || (t+u).abs() < 1e-9, "df {df} p {p} t {t} u {u}"); } } }
            Ok(None) => none += 1,
            Err(_) => panic!("panic df {df} p {p:e}"),
        }
    }
    println!("some {some} none {none} slow {slow} total {:?}", t0.elapsed());
}
