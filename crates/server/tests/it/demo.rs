//! `--demo`: a realistic network through the real ingest, the same on every
//! run, only into an empty database.

use crate::common;

use branchpulse_core::aggregate::Filter;
use branchpulse_core::stats::Comparison;
use branchpulse_server::{demo, read_models, AppState};
use time::macros::datetime;

async fn state(dir: &std::path::Path) -> AppState {
    let mut config = common::config_in(dir);
    config.database_url = common::fresh_database(dir).await;
    AppState::open(config).await.unwrap()
}

#[tokio::test]
async fn the_demo_seeds_a_network_with_real_differences_once() {
    let now = datetime!(2026-03-30 12:00 UTC);
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path()).await;
    let seeded = demo::seed_if_empty(&s, now)
        .await
        .unwrap()
        .expect("empty database");
    assert!((2000..6000).contains(&seeded.kiosk), "{seeded:?}");
    assert_eq!(seeded.visits, 96);
    let stored = s.store.count().await.unwrap();
    assert_eq!(
        stored as usize,
        seeded.kiosk + seeded.visits,
        "none refused"
    );

    let a = read_models::aggregates(&s, &Filter::default())
        .await
        .unwrap();
    assert_eq!(a.network.n, stored);
    assert_eq!(a.branches.len(), 12);
    // 84 days, Monday 2026-01-05 to Sunday 2026-03-29 (the day before `now`).
    assert_eq!(a.trend.len(), 12);
    assert_eq!(a.network.mystery.visits, 96);
    assert!(a.network.wait.median.is_some());
    let flags: Vec<Comparison> = a
        .branches
        .iter()
        .flat_map(|b| b.figures.dimensions.values())
        .filter_map(|f| f.comparison)
        .collect();
    assert!(flags.contains(&Comparison::Better), "{flags:?}");
    assert!(flags.contains(&Comparison::Worse), "{flags:?}");
    assert!(
        a.branches.iter().any(|b| b.figures.too_few),
        "a small branch shows 'too few responses'"
    );
    assert!(a.network.csat.estimate.is_some() && a.network.nps.estimate.is_some());
    // About one kiosk customer in ten walks away; visits are always whole.
    let kiosk = read_models::aggregates(&s, &Filter::from_query("channel=kiosk").unwrap())
        .await
        .unwrap();
    let walked_away = (kiosk.network.n - kiosk.network.completed) as f64 / kiosk.network.n as f64;
    assert!((0.07..0.13).contains(&walked_away), "{walked_away}");
    assert_eq!(
        a.network.n - a.network.completed,
        kiosk.network.n - kiosk.network.completed
    );
    // Some fees do not apply, and the optional questions are answered by some.
    let payloads = common::stored_rows(&s.config.database_url).await;
    let with = |needle: &str| payloads.iter().filter(|(_, p)| p.contains(needle)).count();
    let kiosk_n = seeded.kiosk;
    let not_applicable = with("\"fees_worth\":{\"type\":\"not_applicable\"}");
    assert!(
        (kiosk_n / 5..kiosk_n / 2).contains(&not_applicable),
        "{not_applicable} of {kiosk_n}"
    );
    let together = with("\"reason\":{\"type\":\"choice\"");
    assert!(
        (kiosk_n / 4..kiosk_n / 2).contains(&together),
        "{together} of {kiosk_n}"
    );
    // A walk-away is partial, and its value dimension has fewer answers than
    // its responses.
    assert!(with("\"partial\":true") > 0);
    assert!(
        kiosk.network.dimensions[&branchpulse_core::questionnaire::Dimension::Value].n
            < kiosk.network.completed
    );

    // Not again into a database that holds responses.
    assert_eq!(demo::seed_if_empty(&s, now).await.unwrap(), None);
    assert_eq!(s.store.count().await.unwrap(), stored);

    // The same data on another run.
    let dir2 = tempfile::tempdir().unwrap();
    let s2 = state(dir2.path()).await;
    demo::seed_if_empty(&s2, now).await.unwrap();
    let b = read_models::aggregates(&s2, &Filter::default())
        .await
        .unwrap();
    // Equal up to rounding: a database may add the same sums in another order.
    assert_eq!(
        rounded(serde_json::to_value(&a).unwrap()),
        rounded(serde_json::to_value(&b).unwrap())
    );
    s.store.close().await;
    s2.store.close().await;
}

/// Every float rounded to 6 decimals.
fn rounded(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            let x = (n.as_f64().unwrap() * 1e6).round() / 1e6;
            serde_json::json!(x)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(rounded).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, rounded(v))).collect()),
        other => other,
    }
}
