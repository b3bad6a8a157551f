//! `--demo`: a realistic network through the real ingest, the same on every
//! run, only into an empty database.

use crate::common::{self, TestServer};

use branchpulse_core::aggregate::Filter;
use branchpulse_core::stats::{self, Comparison};
use branchpulse_server::{demo, read_models, AppState};
use serde_json::Value;
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::OffsetDateTime;

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
    assert_eq!(seeded.visits, 12 * demo::VISITS_PER_BRANCH);
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
    assert_eq!(
        a.network.mystery.visits,
        12 * demo::VISITS_PER_BRANCH as u64
    );
    assert!(a.network.wait.median.is_some());
    let flags: Vec<Comparison> = a
        .branches
        .iter()
        .flat_map(|b| b.figures.dimensions.values())
        .filter_map(|f| f.comparison)
        .collect();
    assert!(flags.contains(&Comparison::Better), "{flags:?}");
    assert!(flags.contains(&Comparison::Worse), "{flags:?}");
    // Kiosk and mystery-shop figures are read apart: the small branch has
    // too few kiosk responses, and every branch enough visits.
    let shop = read_models::aggregates(&s, &Filter::from_query("channel=mystery_shop").unwrap())
        .await
        .unwrap();
    assert!(shop.branches.iter().all(|b| !b.figures.too_few));
    assert!(a.network.csat.estimate.is_some() && a.network.nps.estimate.is_some());
    // About one kiosk customer in ten walks away; visits are always whole.
    let kiosk = read_models::aggregates(&s, &Filter::from_query("channel=kiosk").unwrap())
        .await
        .unwrap();
    assert!(
        kiosk.branches.iter().any(|b| b.figures.too_few),
        "a small branch shows 'too few responses'"
    );
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

/// The demo as a manager meets it: served by the real server (`--demo`),
/// read back over HTTP from the responses export, each property counted by
/// hand from the rows.
#[tokio::test]
async fn the_served_demo_has_something_true_for_each_new_view() {
    let s = TestServer::start_with(|c| c.demo = true).await;
    let (_, list) = s.get_json("/api/v1/branches").await;
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 12);
    let visits = visits_by_branch(&s).await;

    let mut meet_rings = 0;
    for (i, code) in codes.iter().enumerate() {
        let v = &visits[*code];
        // Enough visits for an interval to mean something.
        assert!(v.n >= 35, "{code}: {} visits", v.n);
        // Answered within three rings, of every call made (one nobody
        // answered misses it too).
        let within = v
            .calls
            .iter()
            .filter(|(answered, rings)| *answered && *rings <= 3)
            .count() as u64;
        let calls = v.calls.len() as u64;
        let rate = stats::wilson(within, calls).unwrap();
        if i == demo::SLOW_PHONE {
            assert!(rate.high < 0.90, "{code}: {within} of {calls}");
        } else {
            meet_rings += usize::from(rate.value >= 0.90);
        }
        // Weekday lunchtime (12:00–14:00) against weekday mornings.
        let mean = |w: &[f64]| w.iter().sum::<f64>() / w.len() as f64;
        let (lunch, morning) = (mean(&v.lunch), mean(&v.morning));
        if demo::LUNCH_QUEUE.contains(&i) {
            assert!(
                lunch > 900.0 && lunch > 2.5 * morning,
                "{code}: lunchtime {lunch:.0} s over {}, mornings {morning:.0} s",
                v.lunch.len()
            );
        } else {
            assert!(lunch < 600.0, "{code}: lunchtime {lunch:.0} s");
        }
    }
    assert!(
        meet_rings >= 9,
        "{meet_rings} of 11 answer within three rings"
    );

    // The second half of the quarter against the first: the improving
    // branch's CSAT, from the stored kiosk sums.
    let to = OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap())
        .date()
        - time::Duration::days(1);
    let from = to - time::Duration::days(demo::DAYS / 2 - 1);
    let (status, a) = s
        .get_json(&format!(
            "/api/v1/aggregates?channel=kiosk&from={from}&to={to}"
        ))
        .await;
    assert_eq!(status, 200, "{a}");
    let improving = &a["branches"][demo::IMPROVING];
    assert_eq!(improving["code"], codes[demo::IMPROVING]);
    let change = &improving["figures"]["change"]["csat"];
    assert_eq!(change["movement"], "up", "{change}");
    s.stop().await;
}

/// The same demo through `GET /api/v1/aggregates`: the service-commitment
/// scorecard and the waiting-time heat map, from the per-item and per-slot
/// sums the server stores.
#[tokio::test]
async fn the_served_demo_shows_the_commitments_and_the_lunchtime_queue() {
    let s = TestServer::start_with(|c| c.demo = true).await;
    let (status, a) = s.get_json("/api/v1/aggregates?channel=mystery_shop").await;
    assert_eq!(status, 200, "{a}");
    let branches = a["branches"].as_array().unwrap();
    let rings_standing = |b: &Value| {
        b["figures"]["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["item"] == "phone_rings")
            .map(|c| c["standing"].clone())
            .unwrap_or_else(|| panic!("no three-ring commitment: {}", b["code"]))
    };
    for (i, b) in branches.iter().enumerate() {
        assert!(b["figures"]["n"].as_u64().unwrap() >= 35, "{}", b["code"]);
        if i == demo::SLOW_PHONE {
            assert_eq!(rings_standing(b), "missed", "{}", b["code"]);
        } else {
            assert_ne!(rings_standing(b), "missed", "{}", b["code"]);
        }
        let mean = |hours: std::ops::Range<u64>| {
            let slots: Vec<&Value> = b["figures"]["wait"]["slots"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["weekday"].as_u64().unwrap() < 5)
                .filter(|s| hours.contains(&s["hour"].as_u64().unwrap()))
                .collect();
            let n: f64 = slots.iter().map(|s| s["n"].as_f64().unwrap()).sum();
            let total: f64 = slots
                .iter()
                .map(|s| s["mean"].as_f64().unwrap() * s["n"].as_f64().unwrap())
                .sum();
            total / n
        };
        let (lunch, morning) = (mean(12..14), mean(9..12));
        if demo::LUNCH_QUEUE.contains(&i) {
            assert!(
                lunch > 900.0 && lunch > 2.5 * morning,
                "{}: {lunch} vs {morning}",
                b["code"]
            );
        }
    }
    s.stop().await;
}

/// What the responses export says about one branch's visits.
#[derive(Default)]
struct Visits {
    n: usize,
    /// Each call: whether it was answered, and after how many rings.
    calls: Vec<(bool, u32)>,
    /// Waits (seconds) of visits begun 12:00–14:00 on a weekday.
    lunch: Vec<f64>,
    /// Waits of visits begun 9:00–12:00 on a weekday.
    morning: Vec<f64>,
}

async fn visits_by_branch(s: &TestServer) -> BTreeMap<String, Visits> {
    let resp = s
        .get("/api/v1/export/responses.csv?channel=mystery_shop")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    let text = std::str::from_utf8(&bytes)
        .unwrap()
        .trim_start_matches('\u{feff}');
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (branch, started, wait, answered, rings) = (
        column("branch"),
        column("started_at"),
        column("wait_seconds"),
        column("phone_answered"),
        column("phone_rings"),
    );
    let mut out: BTreeMap<String, Visits> = BTreeMap::new();
    for row in rows.records() {
        let row = row.unwrap();
        let v = out.entry(row[branch].to_owned()).or_default();
        v.n += 1;
        // "answered, 2 rings, 9 s" or "not answered, 9 rings, 45 s".
        let call: Vec<&str> = row[rings].split(", ").collect();
        let picked_up = call[0] == "answered";
        let count = call[1].strip_suffix(" rings").unwrap().parse().unwrap();
        // The yes_no item filled from the call says the same.
        assert_eq!(&row[answered] == "yes", picked_up, "{:?}", &row);
        v.calls.push((picked_up, count));
        // The demo's shopper starts the report on arrival, at the
        // branch's local time.
        let began = OffsetDateTime::parse(&row[started], &Rfc3339).unwrap();
        let weekday = began.weekday().number_days_from_monday() < 5;
        let waited: f64 = row[wait].parse().unwrap();
        match began.hour() {
            12 | 13 if weekday => v.lunch.push(waited),
            9..12 if weekday => v.morning.push(waited),
            _ => {}
        }
    }
    out
}
