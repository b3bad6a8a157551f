use branchpulse_core::stats::t_quantile;
#[test]
fn scratch() {
    for df in [0.5, 1.0, 2.0, 3.0, 10.0, 29.0, 100.0, 1e4, 1e6, 1e8, 1e10, f64::INFINITY] {
        for p in [1e-12, 0.001, 0.025, 0.4, 0.5, 0.6, 0.975, 0.999, 1.0 - 1e-12] {
            println!("df {df} p {p} -> {:?}", t_quantile(p, df));
        }
    }
}
