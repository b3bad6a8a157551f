//! Key drivers over HTTP: kiosk responses in which empathy drives
//! satisfaction and value drives the likelihood to recommend, the answer
//! checked against core's computation on the same cases; the reader's
//! scope, too few responses, bad filters. SQLite, and PostgreSQL when
//! `BRANCHPULSE_TEST_POSTGRES` is set.

use crate::common;

use branchpulse_core::drivers::{outcome, Outcome, RESAMPLES, SEED};
use branchpulse_core::stats::Estimate;
use common::TestServer;
use serde_json::{json, Value};

/// Response `n`: lobby v2 with the four dimension ratings and satisfaction,
/// and the NPS answer, submitted `n` minutes into its day.
fn kiosk(n: u32, branch: &str, day: &str, dims: [u8; 4], satisfaction: u8, nps: u8) -> Value {
    let mut answers = serde_json::Map::new();
    for (item, r) in ["overall", "staff_care", "ease", "fees_worth", "confidence"]
        .iter()
        .zip([satisfaction, dims[0], dims[1], dims[2], dims[3]])
    {
        answers.insert((*item).into(), json!({"type": "rating", "value": r}));
    }
    answers.insert("recommend".into(), json!({"type": "nps", "value": nps}));
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "questionnaire_id": "lobby", "questionnaire_version": 2,
        "branch": branch, "device_id": "tablet-1", "channel": "kiosk", "locale": "en",
        "started_at": format!("{day}T09:00:00+08:00"),
        "submitted_at": format!("{day}T{:02}:{:02}:00+08:00", 9 + n / 60, n % 60),
        "answers": answers,
    })
}

/// One seeded respondent: branch, day, dimension ratings, satisfaction, NPS.
struct Row {
    n: u32,
    branch: &'static str,
    day: &'static str,
    dims: [u8; 4],
    satisfaction: u8,
    nps: u8,
}

/// 150 respondents (a fixed linear congruential sequence): satisfaction is
/// empathy's rating give or take one; NPS is twice the value rating give or
/// take two. N01 has a third of them.
fn rows() -> Vec<Row> {
    let mut state: u32 = 19;
    let mut next = |m: u32| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (state >> 16) % m
    };
    (0..150)
        .map(|n| {
            let dims: [u8; 4] = std::array::from_fn(|_| 1 + next(5) as u8);
            let noise = [-1, 0, 0, 1][next(4) as usize];
            let satisfaction = (i32::from(dims[0]) + noise).clamp(1, 5) as u8;
            let nps = (2 * i32::from(dims[2]) + next(5) as i32 - 2).clamp(0, 10) as u8;
            Row {
                n,
                branch: ["N01", "N02", "S01"][(n % 3) as usize],
                day: if n < 75 { "2026-03-02" } else { "2026-03-09" },
                dims,
                satisfaction,
                nps,
            }
        })
        .collect()
}

async fn seeded() -> TestServer {
    let s = TestServer::start().await;
    let all: Vec<Value> = rows()
        .iter()
        .map(|r| kiosk(r.n, r.branch, r.day, r.dims, r.satisfaction, r.nps))
        .collect();
    for chunk in all.chunks(50) {
        let (status, reply) = s.post_batch(&json!({ "responses": chunk })).await;
        assert_eq!(status, 200, "{reply}");
        for r in reply["results"].as_array().unwrap() {
            assert_eq!(r["status"], "accepted", "{reply}");
        }
    }
    s
}

/// Core's drivers of `rows` read as the server reads them: newest first
/// (each day's later minutes first), dimension ratings as 0–100 scores.
fn expected(rows: &[&Row], y: fn(&Row) -> f64) -> Outcome {
    let mut sorted: Vec<&&Row> = rows.iter().collect();
    sorted.sort_by_key(|r| std::cmp::Reverse((r.day, r.n)));
    let x: Vec<[f64; 4]> = sorted
        .iter()
        .map(|r| r.dims.map(|d| f64::from(d - 1) * 25.0))
        .collect();
    let y: Vec<f64> = sorted.iter().map(|r| y(r)).collect();
    outcome(&x, &y, RESAMPLES, SEED)
}

fn outcome_of(answer: &Value, name: &str) -> Outcome {
    serde_json::from_value(answer[name].clone()).unwrap()
}

/// The same outcome, to within JSON's rounding of a number (an ulp or so).
fn assert_same(actual: &Outcome, expected: &Outcome) {
    let close = |a: Estimate, b: Estimate| {
        a.n == b.n
            && [(a.value, b.value), (a.low, b.low), (a.high, b.high)]
                .iter()
                .all(|(x, y)| (x - y).abs() <= 1e-12 * (1.0 + y.abs()))
    };
    let same = actual.n == expected.n
        && actual.resamples == expected.resamples
        && actual.reason == expected.reason
        && actual.dimension == expected.dimension
        && actual.r2.is_some() == expected.r2.is_some()
        && actual.r2.zip(expected.r2).is_none_or(|(a, b)| close(a, b))
        && actual.drivers.len() == expected.drivers.len()
        && actual.drivers.iter().zip(&expected.drivers).all(|(a, b)| {
            a.dimension == b.dimension
                && close(a.weight, b.weight)
                && close(a.share, b.share)
                && close(a.beta, b.beta)
        });
    assert!(same, "{actual:#?}\nagainst core's\n{expected:#?}");
}

#[tokio::test]
async fn empathy_drives_satisfaction_and_value_drives_nps_as_core_computes() {
    let s = seeded().await;
    let (status, a) = s.get_json("/api/v1/drivers").await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(
        (a["cap"].as_u64(), a["read"].as_u64()),
        (Some(20_000), Some(150))
    );
    assert_eq!(a["capped"], false);
    assert_eq!(a["filter"]["channel"], "kiosk");

    let all = rows();
    let refs: Vec<&Row> = all.iter().collect();
    let satisfaction = outcome_of(&a, "satisfaction");
    assert_same(
        &satisfaction,
        &expected(&refs, |r| f64::from(r.satisfaction)),
    );
    let nps = outcome_of(&a, "nps");
    assert_same(&nps, &expected(&refs, |r| f64::from(r.nps)));
    assert_eq!((satisfaction.n, satisfaction.resamples), (150, RESAMPLES));

    // The true drivers stand out: their intervals lie above the others'.
    for (o, leader) in [(&satisfaction, 0), (&nps, 2)] {
        let lead = o.drivers[leader].weight;
        for (j, d) in o.drivers.iter().enumerate() {
            if j != leader {
                assert!(lead.low > d.weight.high, "{o:?}");
            }
        }
    }
    assert_eq!(satisfaction.drivers[0].dimension.key(), "empathy");

    // Each dimension's current score: its mean over the responses, 0–100.
    for (k, dim) in ["empathy", "process_convenience", "value", "trust"]
        .iter()
        .enumerate()
    {
        let mean = all
            .iter()
            .map(|r| f64::from(r.dims[k] - 1) * 25.0)
            .sum::<f64>()
            / 150.0;
        let f = &a["scores"][dim];
        assert_eq!(f["n"], 150, "{a}");
        let e = &f["estimate"];
        assert!((e["value"].as_f64().unwrap() - mean).abs() < 1e-9, "{f}");
        assert!(e["low"].as_f64().unwrap() < mean && mean < e["high"].as_f64().unwrap());
    }
    assert!(a["scores"].get("environment").is_none());
    s.stop().await;
}

#[tokio::test]
async fn a_manager_sees_only_their_branch_and_few_responses_give_a_reason() {
    let s = seeded().await;
    let ana = s.user("ana", "manager", Some("N01"), None).await;
    let get = |path: &str| {
        let request = ana.on(s.client.get(s.at(path)));
        async move {
            let resp = request.send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, a) = get("/api/v1/drivers").await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["filter"]["branches"], "N01");
    assert_eq!(a["read"], 50);
    let all = rows();
    let n01: Vec<&Row> = all.iter().filter(|r| r.branch == "N01").collect();
    assert_same(
        &outcome_of(&a, "satisfaction"),
        &expected(&n01, |r| f64::from(r.satisfaction)),
    );
    assert_eq!(a["scores"]["empathy"]["n"], 50);

    for path in [
        "/api/v1/drivers?branches=N02",
        "/api/v1/drivers?region=South",
    ] {
        let (status, body) = get(path).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["code"], "outside_scope", "{body}");
    }

    // N01's first week: 25 responses, fewer than 30.
    let (status, a) = get("/api/v1/drivers?from=2026-03-02&to=2026-03-08").await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["read"], 25);
    for name in ["satisfaction", "nps"] {
        assert_eq!(a[name]["reason"], "too_few", "{a}");
        assert_eq!(a[name]["n"], 25);
        assert!(a[name]["drivers"].as_array().unwrap().is_empty());
        assert!(a[name].get("r2").is_none());
    }
    s.stop().await;
}

#[tokio::test]
async fn bad_filters_are_refused_naming_the_parameter() {
    let s = TestServer::start().await;
    for (query, field) in [
        ("channel=web", "channel"),
        ("from=2026-13-01", "from"),
        ("from=2026-03-02&to=2026-03-01", "from"),
        ("region=West", "region"),
        ("branches=N01,X9", "branches"),
        ("questionnaire=nope", "questionnaire"),
    ] {
        let (status, body) = s.get_json(&format!("/api/v1/drivers?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["field"], field, "{query}: {body}");
        assert!(body["code"].is_string(), "{body}");
    }
    let resp = s.client.get(s.at("/api/v1/drivers")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    s.stop().await;
}
