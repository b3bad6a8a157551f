//! Issue 18's figures from the real server: service commitments, the
//! overall-satisfaction mean, the change since the previous period, waiting
//! time against its target and by hour and weekday, the items behind each
//! score (`GET /api/v1/items`) and the aggregates CSV; and a database from
//! before these sums, rebuilt at start-up. Expected values are worked out
//! by hand in the comments. On SQLite, and on PostgreSQL when
//! `BRANCHPULSE_TEST_POSTGRES` is set.

use crate::common;

use branchpulse_core::aggregate::{aggregate_responses, items_of_responses, Filter};
use branchpulse_core::protocol::Branch;
use branchpulse_core::scorecard::Definitions;
use branchpulse_core::{questionnaire, Questionnaire, Response};
use common::TestServer;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// Commitments given to the mystery-shop questionnaire for these tests:
/// (item, target %).
const COMMITMENTS: [(&str, f64); 4] = [
    ("greeted_on_arrival", 80.0),
    ("first_contact_ownership", 90.0),
    ("wait_seconds", 75.0),
    ("phone_rings_seconds", 80.0),
];

/// The mystery-shop questionnaire with [`COMMITMENTS`] as its only ones.
fn shop_json() -> Value {
    let mut q: Value =
        serde_json::from_str(include_str!("../../../../questionnaires/mystery_shop.json")).unwrap();
    for section in q["sections"].as_array_mut().unwrap() {
        for item in section["items"].as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("commitment");
            if let Some((id, target)) = COMMITMENTS.iter().find(|(id, _)| item["id"] == *id) {
                item["commitment"] = json!({
                    "label": {"zh-CN": format!("承诺 {id}"), "en": format!("Promise: {id}"), "es": format!("Compromiso {id}")},
                    "target": target,
                });
            }
        }
    }
    q
}

/// A questionnaires folder: the real kiosk questionnaire and branches, the
/// mystery shop's with commitments.
fn catalog(dir: &Path) -> PathBuf {
    let folder = dir.join("catalog");
    std::fs::create_dir_all(&folder).unwrap();
    let real = common::questionnaires_dir();
    for file in ["kiosk.json", "branches.json"] {
        std::fs::copy(real.join(file), folder.join(file)).unwrap();
    }
    std::fs::write(folder.join("mystery_shop.json"), shop_json().to_string()).unwrap();
    folder
}

async fn start(dir: &Path) -> TestServer {
    let folder = catalog(dir);
    TestServer::start_with(move |c| c.questionnaires = folder).await
}

/// A lobby v2 response at `at` (local time, +08:00): overall, staff_care
/// (empathy) and NPS; the other ratings 4.
fn kiosk(n: u32, branch: &str, at: &str, overall: u8, staff_care: u8, nps: u8) -> Value {
    json!({
        "id": id(n), "questionnaire_id": "lobby", "questionnaire_version": 2,
        "branch": branch, "device_id": "tablet-1", "channel": "kiosk", "locale": "en",
        "started_at": format!("{at}:00+08:00"),
        "submitted_at": format!("{at}:30+08:00"),
        "answers": {
            "overall": {"type": "rating", "value": overall},
            "staff_care": {"type": "rating", "value": staff_care},
            "ease": {"type": "rating", "value": 4},
            "fees_worth": {"type": "rating", "value": 4},
            "confidence": {"type": "rating", "value": 4},
            "recommend": {"type": "nps", "value": nps},
        },
    })
}

/// A complete visit submitted at `at` (local, +08:00): every yes/no item
/// "yes" but those of `overrides`, waiting `wait` seconds; the phone
/// answered when `rings` is given, after that many seconds.
fn visit(n: u32, branch: &str, at: &str, wait: u32, rings: Option<u32>, no: &[&str]) -> Value {
    let q = shop_json();
    let mut answers = serde_json::Map::new();
    for section in q["sections"].as_array().unwrap() {
        for item in section["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            let answer = match (id, item["type"].as_str().unwrap()) {
                ("phone_answered", _) => {
                    json!({"type": "yes_no", "value": if rings.is_some() { "yes" } else { "no" }})
                }
                ("phone_rings_seconds", _) => match rings {
                    Some(s) => json!({"type": "seconds", "value": s}),
                    None => continue,
                },
                // Only the phone's items follow another answer (the call answered).
                (_, _) if item.get("show_if").is_some() && rings.is_none() => continue,
                (_, "yes_no") if no.contains(&id) => json!({"type": "yes_no", "value": "no"}),
                (_, "yes_no") => json!({"type": "yes_no", "value": "yes"}),
                (_, "seconds") => json!({"type": "seconds", "value": wait}),
                (_, "choice") => json!({"type": "choice", "value": item["options"][0]["id"]}),
                (_, "text") => continue,
                (_, other) => panic!("no answer for a {other} item"),
            };
            answers.insert(id.into(), answer);
        }
    }
    json!({
        "id": id(n), "questionnaire_id": "branch_visit", "questionnaire_version": q["version"],
        "branch": branch, "device_id": "phone-1", "channel": "mystery_shop", "locale": "en",
        "started_at": format!("{at}:00+08:00"),
        "submitted_at": format!("{at}:30+08:00"),
        "answers": answers,
    })
}

/// The seeded set. The period asked for is 2026-03-09 (a Monday) to
/// 2026-03-22 (a Sunday); the previous one 2026-02-23 to 2026-03-08.
fn seeded() -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0..30u32 {
        // N01 now: 20 × overall 5 and 10 × overall 4, staff_care 5, NPS 9.
        let day = 9 + i % 14;
        let overall = if i < 20 { 5 } else { 4 };
        out.push(kiosk(
            i,
            "N01",
            &format!("2026-03-{day:02}T09:{i:02}"),
            overall,
            5,
            9,
        ));
        // N01 before: 30 × overall 2, NPS 9.
        let before = format!(
            "2026-{}T09:{i:02}",
            ["02-23", "02-28", "03-04", "03-08"][i as usize % 4]
        );
        out.push(kiosk(100 + i, "N01", &before, 2, 3, 9));
        // N02 now: 30 × overall 3, staff_care 1, NPS 9.
        out.push(kiosk(
            200 + i,
            "N02",
            &format!("2026-03-{day:02}T11:{i:02}"),
            3,
            1,
            9,
        ));
    }
    for i in 0..40u32 {
        // S01, 40 visits: greeted at all; ownership at the first 20; waits
        // of 300 s for the first 30, then 900, 960, …, 1440 s, those ten on
        // Wednesday 2026-03-11 at 12:xx; the phone answered at the first
        // five, after 10 s (four) and 20 s (one).
        let (at, wait) = if i < 30 {
            (format!("2026-03-{:02}T10:{i:02}", 9 + i % 14), 300)
        } else {
            (format!("2026-03-11T12:{i:02}"), 900 + 60 * (i - 30))
        };
        let rings = (i < 5).then_some(if i < 4 { 10 } else { 20 });
        let no: &[&str] = if i < 20 {
            &[]
        } else {
            &["first_contact_ownership"]
        };
        out.push(visit(300 + i, "S01", &at, wait, rings, no));
    }
    // S02: two visits, all yes, 300 s, phone not answered.
    out.push(visit(400, "S02", "2026-03-10T15:00", 300, None, &[]));
    out.push(visit(401, "S02", "2026-03-17T15:00", 300, None, &[]));
    // Some comments, for the comment list.
    for (i, text) in [(0, "排队太久了"), (3, "Friendly staff")] {
        out[i]["answers"]["comment"] = json!({"type": "text", "value": text});
    }
    let last = out.len() - 1;
    out[last]["comments"] = json!({"waiting": "Long queue at lunch"});
    out
}

async fn post_all(s: &TestServer, responses: &[Value]) {
    for chunk in responses.chunks(100) {
        let (status, reply) = s.post_batch(&json!({ "responses": chunk })).await;
        assert_eq!(status, 200, "{reply}");
        for r in reply["results"].as_array().unwrap() {
            assert_eq!(r["status"], "accepted", "{r}");
        }
    }
    // Mystery-shop reports count once approved.
    s.approve_all().await;
}

fn branch<'a>(a: &'a Value, code: &str) -> &'a Value {
    a["branches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == code)
        .unwrap_or_else(|| panic!("no branch {code} in {a}"))
}

fn close(v: &Value, expected: f64) -> bool {
    (v.as_f64().unwrap_or(f64::NAN) - expected).abs() < 1e-6
}

/// Value, low and high of a figure's estimate, to within 1e-6.
#[track_caller]
fn estimate(figure: &Value, value: f64, low: f64, high: f64) {
    let e = &figure["estimate"];
    assert!(
        close(&e["value"], value) && close(&e["low"], low) && close(&e["high"], high),
        "expected {value} [{low}, {high}]: {figure}"
    );
}

fn commitment<'a>(figures: &'a Value, item: &str) -> &'a Value {
    figures["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["item"] == item)
        .unwrap_or_else(|| panic!("no commitment {item} in {figures}"))
}

const PERIOD: &str = "from=2026-03-09&to=2026-03-22";

#[tokio::test]
async fn commitments_satisfaction_changes_and_waits_equal_hand_computed_values() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    post_all(&s, &seeded()).await;

    let (status, shop) = s
        .get_json(&format!("/api/v1/aggregates?{PERIOD}&channel=mystery_shop"))
        .await;
    assert_eq!(status, 200, "{shop}");
    let s01 = &branch(&shop, "S01")["figures"];
    // Wilson 95% with z = 1.959964: centre (p + z²/2n)/(1 + z²/n),
    // half-width z/(1 + z²/n)·√(p(1−p)/n + z²/4n²), in percent.
    // Greeted 40 of 40: [40/(40 + z²) = 91.2378, 100] ≥ 80 → met.
    let greeted = commitment(s01, "greeted_on_arrival");
    assert_eq!(
        (&greeted["rate"]["n"], &greeted["target"]),
        (&json!(40), &json!(80.0))
    );
    estimate(&greeted["rate"], 100.0, 91.237839754, 100.0);
    assert_eq!(greeted["standing"], "met");
    // Ownership 20 of 40: 50 [35.1995, 64.8005], all below 90 → missed.
    let owned = commitment(s01, "first_contact_ownership");
    estimate(&owned["rate"], 50.0, 35.199526827, 64.800473173);
    assert_eq!(owned["standing"], "missed");
    // Waits within 600 s: 30 of 40 = 75 [59.8060, 85.8129] holds 75 → unclear.
    let waited = commitment(s01, "wait_seconds");
    estimate(&waited["rate"], 75.0, 59.806038451, 85.812881426);
    assert_eq!(waited["standing"], "unclear");
    // Rings within 15 s: 4 of 5 = 80 [37.5535, 96.3776], n < 30: too few, no standing.
    let rings = commitment(s01, "phone_rings_seconds");
    assert_eq!(
        (&rings["rate"]["n"], &rings["rate"]["too_few"]),
        (&json!(5), &json!(true))
    );
    estimate(&rings["rate"], 80.0, 37.553462703, 96.377589177);
    assert!(rings.get("standing").is_none(), "{rings}");
    // The network adds S02's two visits: ownership 22 of 42 = 52.381
    // [37.7225, 66.6404] → missed; greeted 42 of 42 [91.6201, 100] → met.
    let net_owned = commitment(&shop["network"], "first_contact_ownership");
    estimate(&net_owned["rate"], 52.380952381, 37.722464024, 66.640398871);
    assert_eq!(net_owned["standing"], "missed");
    estimate(
        &commitment(&shop["network"], "greeted_on_arrival")["rate"],
        100.0,
        91.620120792,
        100.0,
    );

    // S01's waits: 30 × 300, then 900, 960, …, 1440. Type-7 median: rank
    // 39·0.5 = 19.5, between two 300s → 300; p90: rank 35.1 → 1200 +
    // 0.1·(1260 − 1200) = 1206. Within 600 s: 30 of 40, as above.
    let wait = &s01["wait"];
    assert_eq!((&wait["n"], &wait["target"]), (&json!(40), &json!(600)));
    assert!(
        close(&wait["median"], 300.0) && close(&wait["p90"], 1206.0),
        "{wait}"
    );
    estimate(&wait["within_target"], 75.0, 59.806038451, 85.812881426);
    // The heat map: the ten long waits began on Wednesday (2) at 12:xx local:
    // mean (900 + 1440)/2 = 1170, all ten over 600.
    let lunch = wait["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|slot| slot["weekday"] == 2 && slot["hour"] == 12)
        .unwrap_or_else(|| panic!("no Wednesday 12:00 slot: {wait}"));
    assert_eq!(
        (&lunch["n"], &lunch["over_target"]),
        (&json!(10), &json!(10))
    );
    assert!(close(&lunch["mean"], 1170.0), "{lunch}");
    let slots_n: u64 = wait["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["n"].as_u64().unwrap())
        .sum();
    assert_eq!(slots_n, 40, "every visit in one slot");

    let (status, kiosk) = s
        .get_json(&format!("/api/v1/aggregates?{PERIOD}&channel=kiosk"))
        .await;
    assert_eq!(status, 200, "{kiosk}");
    let n01 = &branch(&kiosk, "N01")["figures"];
    // Satisfaction: 20 × 5 and 10 × 4 → mean 140/30 = 4.6667; squares
    // about the mean 20·(1/3)² + 10·(2/3)² = 6.6667, s² = 6.6667/29 =
    // 0.229885; half-width t(0.975, 29) = 2.045230 · √(0.229885/30) =
    // 0.179035 → [4.487632, 4.845701].
    assert_eq!(n01["satisfaction"]["n"], 30);
    estimate(&n01["satisfaction"], 4.666666667, 4.487632128, 4.845701206);
    // CSAT now: 30 of 30 top-two, [88.6487, 100].
    estimate(&n01["csat"], 100.0, 88.648660524, 100.0);
    let change = &n01["change"];
    assert_eq!(
        (&change["from"], &change["to"]),
        (&json!("2026-02-23"), &json!("2026-03-08"))
    );
    // CSAT before: 0 of 30, [0, 11.3513]. Difference (MOVER): 100 − 0,
    // low 100 − √((100 − 88.6487)² + (11.3513 − 0)²) = 83.9468, high
    // 100 + √(0² + 0²) = 100: above 0 → up (flagged).
    let csat = &change["csat"];
    assert_eq!(csat["previous"]["n"], 30);
    estimate(&csat["previous"], 0.0, 0.0, 11.351339476);
    let d = &csat["difference"];
    assert!(
        close(&d["value"], 100.0) && close(&d["low"], 83.946781762) && close(&d["high"], 100.0),
        "{d}"
    );
    assert_eq!(csat["movement"], "up");
    // NPS: 30 promoters in each period: 100 then 100, difference 0, its
    // interval across 0 → steady (not flagged).
    let nps = &change["nps"];
    assert!(close(&nps["difference"]["value"], 0.0), "{nps}");
    assert!(nps["difference"]["low"].as_f64().unwrap() < 0.0, "{nps}");
    assert_eq!(nps["movement"], "steady");
    // Satisfaction: 4.6667 now, 2 [2, 2] before: 2.6667 ± 0.179035 → up.
    let sat = &change["satisfaction"];
    estimate(&sat["previous"], 2.0, 2.0, 2.0);
    let d = &sat["difference"];
    assert!(
        close(&d["value"], 2.666666667)
            && close(&d["low"], 2.487632128)
            && close(&d["high"], 2.845701206),
        "{d}"
    );
    assert_eq!(sat["movement"], "up");
    // N02 had no answers before: a previous figure of n = 0, no difference.
    let n02 = &branch(&kiosk, "N02")["figures"]["change"]["csat"];
    assert_eq!(n02["previous"]["n"], 0);
    assert!(
        n02.get("difference").is_none() && n02.get("movement").is_none(),
        "{n02}"
    );
    s.stop().await;
}

fn item<'a>(items: &'a Value, questionnaire: &str, id: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["questionnaire_id"] == questionnaire && i["item"] == id)
        .unwrap_or_else(|| panic!("no item {id} in {items}"))
}

#[tokio::test]
async fn the_items_behind_each_score_for_a_branch_and_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    post_all(&s, &seeded()).await;

    let (status, items) = s
        .get_json(&format!("/api/v1/items?{PERIOD}&branches=N01,N02,S01"))
        .await;
    assert_eq!(status, 200, "{items}");
    assert_eq!(items["filter"]["branches"], "N01,N02,S01");
    let codes: Vec<&str> = items["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["N01", "N02", "S01"]);
    let of = |code: &str| &branch(&items, code)["items"];
    // staff_care (empathy), scores 0–100: N01 30 × 5 → 100 [100, 100];
    // N02 30 × 1 → 0 [0, 0]; the network (N01, N02) 50: N01 better, N02 worse.
    let net = item(&items["network"], "lobby", "staff_care");
    assert_eq!(
        (&net["dimension"], &net["yes_no"]),
        (&json!("empathy"), &json!(false))
    );
    assert_eq!(net["figure"]["n"], 60);
    assert!(close(&net["figure"]["estimate"]["value"], 50.0), "{net}");
    let n01 = item(of("N01"), "lobby", "staff_care");
    estimate(&n01["figure"], 100.0, 100.0, 100.0);
    assert_eq!(n01["figure"]["comparison"], "better");
    assert_eq!(
        item(of("N02"), "lobby", "staff_care")["figure"]["comparison"],
        "worse"
    );
    // first_contact_ownership, a yes/no item: percent yes (Wilson). S01 20
    // of 40 = 50 [35.1995, 64.8005]; the network 22 of 42 = 52.381, inside
    // S01's interval → indistinguishable.
    let owned = item(of("S01"), "branch_visit", "first_contact_ownership");
    assert_eq!(owned["yes_no"], true);
    estimate(&owned["figure"], 50.0, 35.199526827, 64.800473173);
    assert_eq!(owned["figure"]["comparison"], "indistinguishable");
    let net_owned = item(&items["network"], "branch_visit", "first_contact_ownership");
    estimate(
        &net_owned["figure"],
        52.380952381,
        37.722464024,
        66.640398871,
    );
    // A kiosk branch has no mystery-shop items; a branch outside the list
    // is not listed, though it counts in the network.
    assert!(of("N01")
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["questionnaire_id"] == "lobby"));
    assert_eq!(
        item(&items["network"], "branch_visit", "greeted_on_arrival")["figure"]["n"],
        42
    );
    // The items in questionnaire order: overall before staff_care.
    let ids: Vec<&str> = of("N01")
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"].as_str().unwrap())
        .collect();
    assert_eq!(&ids[..2], ["overall", "staff_care"], "{ids:?}");
    s.stop().await;
}

/// Every float rounded to 6 decimals: a database may add sums in another order.
fn rounded(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => json!((n.as_f64().unwrap() * 1e6).round() / 1e6),
        Value::Array(a) => Value::Array(a.into_iter().map(rounded).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, rounded(v))).collect()),
        other => other,
    }
}

/// The seeded set's questionnaires and branches, as the device has them.
fn offline(dir: &Path) -> (Questionnaire, Questionnaire, Vec<Branch>) {
    let folder = dir.join("catalog");
    let load = |f: &str| {
        questionnaire::load(f, &std::fs::read_to_string(folder.join(f)).unwrap()).unwrap()
    };
    let branches =
        serde_json::from_str(&std::fs::read_to_string(folder.join("branches.json")).unwrap())
            .unwrap();
    (load("kiosk.json"), load("mystery_shop.json"), branches)
}

#[tokio::test]
async fn the_server_and_the_device_agree_on_commitments_slots_and_items_for_any_range() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    let batch = seeded();
    post_all(&s, &batch).await;
    let responses: Vec<Response> = batch
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let (k, m, branches) = offline(dir.path());
    let defs = Definitions::of([&k, &m]);
    assert_eq!(defs.commitments.len(), 4);
    let pick = |id: &str, _: u32| Some(if id == "lobby" { &k } else { &m });
    for query in [
        "",
        PERIOD,
        // Partly covered weeks: their days come from the daily tables.
        "from=2026-03-10&to=2026-03-19",
        "from=2026-03-11&to=2026-03-11&channel=mystery_shop",
        "from=2026-02-25&to=2026-03-17&branches=N01,S01",
        "to=2026-03-12&region=South",
        "questionnaire=branch_visit",
    ] {
        let filter = Filter::from_query(query).unwrap();
        let local = aggregate_responses(&filter, &branches, &defs, &responses, pick);
        let (status, remote) = s.get_json(&format!("/api/v1/aggregates?{query}")).await;
        assert_eq!(status, 200, "{remote}");
        assert_eq!(
            rounded(remote),
            rounded(serde_json::to_value(&local).unwrap()),
            "aggregates?{query}"
        );
        let local = items_of_responses(&filter, &branches, &[&k, &m], &responses, pick);
        let (status, remote) = s.get_json(&format!("/api/v1/items?{query}")).await;
        assert_eq!(status, 200, "{remote}");
        assert_eq!(
            rounded(remote),
            rounded(serde_json::to_value(&local).unwrap()),
            "items?{query}"
        );
    }
    s.stop().await;
}

/// Parse a CSV body: BOM first, then a header row and records.
fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

async fn get_csv(s: &TestServer, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let resp = s.get(path).await.send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    parse_csv(&resp.bytes().await.unwrap())
}

#[track_caller]
fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {header:?}"));
    &row[i]
}

#[track_caller]
fn near(text: &str, expected: f64) {
    let v: f64 = text
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"));
    assert!((v - expected).abs() < 1e-6, "{text} vs {expected}");
}

#[tokio::test]
async fn the_aggregates_csv_has_every_new_figure_per_channel() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    post_all(&s, &seeded()).await;

    // No channel: the kiosk's rows, then the mystery shop's, never mixed.
    let (header, rows) = get_csv(
        &s,
        &format!("/api/v1/export/aggregates.csv?{PERIOD}&branches=N01,S01"),
    )
    .await;
    let keys: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                cell(&header, r, "scope"),
                cell(&header, r, "channel"),
                cell(&header, r, "code"),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("network", "kiosk", ""),
            ("branch", "kiosk", "N01"),
            ("branch", "kiosk", "S01"),
            ("network", "mystery_shop", ""),
            ("branch", "mystery_shop", "N01"),
            ("branch", "mystery_shop", "S01"),
        ]
    );
    // The kiosk's network: N01 and N02, 60 responses this period; the shop's 42 visits.
    assert_eq!(cell(&header, &rows[0], "n"), "60");
    assert_eq!(cell(&header, &rows[3], "n"), "42");
    assert_eq!(
        cell(&header, &rows[3], "satisfaction_n"),
        "0",
        "no kiosk answer in the shop's row"
    );

    // N01 (kiosk): satisfaction and the change since the previous period, as above.
    let n01 = &rows[1];
    near(cell(&header, n01, "satisfaction_value"), 4.666666667);
    near(cell(&header, n01, "satisfaction_low"), 4.487632128);
    assert_eq!(cell(&header, n01, "change_from"), "2026-02-23");
    assert_eq!(cell(&header, n01, "change_to"), "2026-03-08");
    assert_eq!(cell(&header, n01, "csat_previous_n"), "30");
    near(cell(&header, n01, "csat_previous_value"), 0.0);
    near(cell(&header, n01, "csat_difference"), 100.0);
    near(cell(&header, n01, "csat_difference_low"), 83.946781762);
    assert_eq!(cell(&header, n01, "csat_movement"), "up");
    assert_eq!(cell(&header, n01, "nps_movement"), "steady");
    near(cell(&header, n01, "satisfaction_difference"), 2.666666667);
    assert_eq!(cell(&header, n01, "satisfaction_movement"), "up");

    // S01 (mystery shop): each commitment by its English label, and the waits.
    let s01 = &rows[5];
    let c = |item: &str, part: &str| {
        cell(
            &header,
            s01,
            &format!("commitment_branch_visit_{item}_{part}"),
        )
    };
    assert_eq!(
        c("greeted_on_arrival", "label"),
        "Promise: greeted_on_arrival"
    );
    assert_eq!(c("greeted_on_arrival", "target"), "80");
    assert_eq!(c("greeted_on_arrival", "n"), "40");
    near(c("greeted_on_arrival", "rate"), 100.0);
    near(c("greeted_on_arrival", "low"), 91.237839754);
    assert_eq!(c("greeted_on_arrival", "standing"), "met");
    near(c("first_contact_ownership", "high"), 64.800473173);
    assert_eq!(c("first_contact_ownership", "standing"), "missed");
    assert_eq!(c("wait_seconds", "standing"), "unclear");
    assert_eq!(c("phone_rings_seconds", "n"), "5");
    assert_eq!(c("phone_rings_seconds", "too_few"), "true");
    assert_eq!(
        c("phone_rings_seconds", "standing"),
        "",
        "too few: no standing"
    );
    assert_eq!(cell(&header, s01, "wait_n"), "40");
    near(cell(&header, s01, "wait_median_s"), 300.0);
    near(cell(&header, s01, "wait_p90_s"), 1206.0);
    assert_eq!(cell(&header, s01, "wait_target_s"), "600");
    assert_eq!(cell(&header, s01, "wait_within_target_n"), "40");
    near(cell(&header, s01, "wait_within_target_value"), 75.0);
    near(cell(&header, s01, "wait_within_target_high"), 85.812881426);
    // S01 has no visits before this period: its change has n = 0 and no movement.
    assert_eq!(cell(&header, s01, "csat_previous_n"), "0");
    assert_eq!(cell(&header, s01, "csat_movement"), "");

    // One channel asked for: its rows alone.
    let (header, rows) = get_csv(
        &s,
        "/api/v1/export/aggregates.csv?channel=mystery_shop&branches=S01",
    )
    .await;
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|r| cell(&header, r, "channel") == "mystery_shop"));
    // Without both dates there is no previous period: empty change cells.
    assert_eq!(cell(&header, &rows[1], "change_from"), "");
    s.stop().await;
}

#[tokio::test]
async fn items_refuse_bad_filters_and_readers_outside_their_branches() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    post_all(&s, &seeded()[..3]).await;
    for (query, code, field) in [
        ("channel=web", "bad_channel", "channel"),
        ("from=2026-13-01", "bad_date", "from"),
        ("from=2026-03-02&to=2026-03-01", "empty_date_range", "from"),
        ("region=West", "unknown_region", "region"),
        ("branches=N01,X9", "unknown_branch", "branches"),
        (
            "questionnaire=nope",
            "unknown_questionnaire",
            "questionnaire",
        ),
    ] {
        let (status, body) = s.get_json(&format!("/api/v1/items?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(
            (body["code"].as_str(), body["field"].as_str()),
            (Some(code), Some(field)),
            "{query}: {body}"
        );
    }
    let manager = s.user("ana", "manager", Some("N01"), None).await;
    let get = |path: &'static str| {
        let (s, manager) = (&s, &manager);
        async move {
            let resp = manager.on(s.client.get(s.at(path))).send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    for path in ["/api/v1/items?branches=N02", "/api/v1/items?region=North"] {
        let (status, body) = get(path).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["code"], "outside_scope", "{body}");
    }
    // Within scope: only N01 listed; the network stays whole.
    let (status, items) = get("/api/v1/items").await;
    assert_eq!(status, 200, "{items}");
    let codes: Vec<&str> = items["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["N01"]);
    // Seeded 0–2: N01 now, N01 before, N02 now: staff_care 5, 3 and 1 → n 3.
    assert_eq!(
        item(&items["network"], "lobby", "staff_care")["figure"]["n"],
        3
    );
    // Signed out: refused.
    let resp = s.client.get(s.at("/api/v1/items")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    s.stop().await;
}

#[tokio::test]
async fn a_database_from_before_the_scorecard_sums_is_rebuilt_at_start() {
    let dir = tempfile::tempdir().unwrap();
    // The database outlives the first server, so it is in this test's folder.
    let url = common::fresh_database(dir.path()).await;
    let (database_url, folder) = (url.clone(), catalog(dir.path()));
    let s = TestServer::start_with(move |c| {
        c.database_url = database_url;
        c.questionnaires = folder;
    })
    .await;
    post_all(&s, &seeded()).await;
    let paths = [
        format!("/api/v1/aggregates?{PERIOD}&channel=mystery_shop"),
        format!("/api/v1/aggregates?{PERIOD}&channel=kiosk"),
        "/api/v1/aggregates?from=2026-03-10&to=2026-03-19".to_owned(),
        "/api/v1/items?from=2026-03-10&to=2026-03-19".to_owned(),
        "/api/v1/comments".to_owned(),
    ];
    let mut before = Vec::new();
    for p in &paths {
        before.push(rounded(s.get_json(p).await.1));
    }
    s.stop().await;

    // Back to what the previous release left: its rollups and comments
    // (the same rows, without 0007's columns and tables), every response
    // marked rolled up, and 0007 not applied.
    let mut downgrade: Vec<String> = ["rollups", "rollups_weekly"]
        .iter()
        .flat_map(|t| {
            ["satisfaction_n", "satisfaction_sum", "satisfaction_sum_sq"]
                .map(|c| format!("ALTER TABLE {t} DROP COLUMN {c}"))
        })
        .collect();
    for t in ["rollup_items", "rollup_items_weekly", "rollup_wait_slots"] {
        downgrade.push(format!("DROP TABLE {t}"));
    }
    downgrade.push("DELETE FROM _sqlx_migrations WHERE version = 7".into());
    common::execute(&url, &downgrade).await;
    let count = |sql: &'static str| {
        let url = url.clone();
        async move { common::scalar(&url, sql).await.unwrap() }
    };
    assert_eq!(
        count("SELECT CAST(COUNT(*) AS TEXT) FROM responses WHERE rolled_up").await,
        "132"
    );
    assert_ne!(
        count("SELECT CAST(COUNT(*) AS TEXT) FROM rollups").await,
        "0"
    );
    let comments = count("SELECT CAST(COUNT(*) AS TEXT) FROM comments").await;

    // The new release migrates and rolls every response up again: the same
    // figures, new ones included, and no comment twice.
    let folder = catalog(dir.path());
    let s = TestServer::start_with(move |c| {
        c.database_url = url;
        c.questionnaires = folder;
    })
    .await;
    for (p, expected) in paths.iter().zip(&before) {
        assert_eq!(&rounded(s.get_json(p).await.1), expected, "{p}");
    }
    assert_eq!(before[0]["branches"].as_array().unwrap().len(), 12);
    assert_eq!(
        commitment(&branch(&before[0], "S01")["figures"], "greeted_on_arrival")["standing"],
        "met"
    );
    assert_eq!(
        branch(&before[1], "N01")["figures"]["satisfaction"]["n"],
        30
    );
    assert_eq!(
        count_after(&s, "SELECT CAST(COUNT(*) AS TEXT) FROM comments").await,
        comments
    );
    assert_eq!(
        count_after(
            &s,
            "SELECT CAST(COUNT(*) AS TEXT) FROM responses WHERE NOT rolled_up"
        )
        .await,
        "0"
    );
    s.stop().await;
}

async fn count_after(s: &TestServer, sql: &str) -> String {
    common::scalar(&s.database_url, sql).await.unwrap()
}
