//! Dashboard latency: `GET /api/v1/aggregates` on the real server over HTTP,
//! over rollups of 1,000,000 responses × 500 branches (twelve weeks), SQLite
//! beside PostgreSQL. Prints p50 / p95 per filter; asserts nothing about time.
//!
//! The rollup tables are seeded directly with the sums ingest would have
//! made: every generated response is scored with the same
//! `branchpulse_core::aggregate::Rollup::of` as at ingest and summed per
//! (day, branch, questionnaire, channel). Before measuring, a sample is
//! checked: the same responses sent through the server give the same
//! figures as the seeded sums. The `responses` table itself stays empty
//! (the endpoint never reads it).
//!
//! Items and wait slots are seeded the same way: the mystery-shop
//! questionnaire is given five service commitments (as questionnaire v2
//! has), so every kiosk response adds about eight item rows and every visit
//! about 35, and `GET /api/v1/items` (the drill-down) is measured beside
//! the aggregates, for the network and for one branch.
//!
//! `BRANCHPULSE_BENCH_RESPONSES` sets the number of responses (default
//! 1,000,000); `BRANCHPULSE_BENCH_POSTGRES` an admin URL of a PostgreSQL
//! server (`cargo xtask bench` starts one); `BRANCHPULSE_BENCH_BREAKDOWN=1`
//! also prints, per filter, the time of the store query, of the figures and
//! of the JSON, measured in process.

use branchpulse_core::aggregate::{self, Rollup};
use branchpulse_core::questionnaire::{self, Questionnaire};
use branchpulse_core::{Answer, Channel, Locale, Response, YesNo};
use branchpulse_server::store::rollup::RollupKey;
use branchpulse_server::store::Store;
#[path = "../tests/it/common/mod.rs"]
mod common;
use common::TestServer;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use time::macros::datetime;

const BRANCHES: usize = 500;
const DAYS: i64 = 84;
/// Requests per filter (after two warm-up requests).
const REQUESTS: usize = 40;
/// One response in this many is a mystery-shop visit.
const VISIT_EVERY: u64 = 50;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(folder: &Path, file: &str) -> Questionnaire {
    let path = folder.join(file);
    questionnaire::load(file, &std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The service commitments given to the mystery-shop questionnaire: (item, target %).
const COMMITMENTS: [(&str, f64); 5] = [
    ("greeted_on_arrival", 90.0),
    ("first_contact_ownership", 90.0),
    ("wait_seconds", 80.0),
    ("phone_answered", 95.0),
    ("phone_rings", 80.0),
];

/// A questionnaires folder with the real questionnaires (the mystery shop's
/// with [`COMMITMENTS`]) and 500 branches in 10 regions.
fn catalog(dir: &Path) -> PathBuf {
    let folder = dir.join("catalog");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(
        root().join("questionnaires/kiosk.json"),
        folder.join("kiosk.json"),
    )
    .unwrap();
    let mut shop: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("questionnaires/mystery_shop.json")).unwrap(),
    )
    .unwrap();
    for section in shop["sections"].as_array_mut().unwrap() {
        for item in section["items"].as_array_mut().unwrap() {
            if let Some((id, target)) = COMMITMENTS.iter().find(|(id, _)| item["id"] == *id) {
                item["commitment"] = json!({
                    "label": {"zh-CN": id, "en": id, "es": id},
                    "target": target,
                });
            }
        }
    }
    std::fs::write(folder.join("mystery_shop.json"), shop.to_string()).unwrap();
    let branches: Vec<Value> = (0..BRANCHES)
        .map(|i| json!({"code": code(i), "name": format!("Branch {i}"), "region": format!("R{}", i % 10), "active": true}))
        .collect();
    std::fs::write(folder.join("branches.json"), json!(branches).to_string()).unwrap();
    folder
}

fn code(i: usize) -> String {
    format!("B{i:03}")
}

/// Response `n`, deterministic: its branch, day and answers follow from `n`.
fn response(n: u64, kiosk: &Questionnaire, shop: &Questionnaire) -> Response {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let branch = (n % BRANCHES as u64) as usize;
    // Opening hours 9:00–17:59, from `n` alone: the generator's draws,
    // and so the answers, stay those of earlier runs.
    let hour = ((n / BRANCHES as u64) % 9) as i64;
    let day = datetime!(2026-01-05 09:00 +08:00)
        + time::Duration::days(next(DAYS as u64) as i64)
        + time::Duration::hours(hour);
    let bias = (branch % 5) as u64; // real differences between branches
    let visit = n.is_multiple_of(VISIT_EVERY);
    let q = if visit { shop } else { kiosk };
    let mut answers = BTreeMap::new();
    for item in q.items() {
        if !q.visible(item, &answers) {
            continue;
        }
        let a = match &item.kind {
            // Fees that did not apply, now and then.
            questionnaire::ItemKind::Rating if item.not_applicable && next(4) == 0 => {
                Answer::NotApplicable
            }
            questionnaire::ItemKind::Rating => {
                Answer::Rating((1 + (next(5) + bias).min(8) / 2 + next(2)).min(5) as u8)
            }
            questionnaire::ItemKind::Nps => Answer::Nps(next(11) as u8),
            // The taps of the call decide its yes_no item.
            questionnaire::ItemKind::YesNo if item.from_call.is_some() => {
                let call = item.from_call.as_deref().unwrap_or_default();
                match answers.get(call) {
                    Some(Answer::Call { answered: true, .. }) => Answer::YesNo(YesNo::Yes),
                    _ => Answer::YesNo(YesNo::No),
                }
            }
            questionnaire::ItemKind::Call { .. } => {
                let answered = next(10 + bias) >= 1;
                let rings = 1 + (next(3) + bias / 2) as u8;
                Answer::Call {
                    rings,
                    answered,
                    seconds: u32::from(rings) * 5,
                }
            }
            questionnaire::ItemKind::YesNo => Answer::YesNo(if next(10 + bias) < 1 {
                YesNo::No
            } else {
                YesNo::Yes
            }),
            questionnaire::ItemKind::Seconds { max, .. } => {
                Answer::Seconds((30 + next(600) * (1 + bias)).min(u64::from(*max)) as u32)
            }
            questionnaire::ItemKind::Choice { options } => {
                Answer::Choice(options[next(options.len() as u64) as usize].id.clone())
            }
            questionnaire::ItemKind::Text { .. } => continue,
        };
        answers.insert(item.id.clone(), a);
    }
    // One kiosk customer in ten walks away after the first three items.
    let partial = !visit && n % 10 == 7;
    if partial {
        let first: Vec<&str> = q.items().take(3).map(|i| i.id.as_str()).collect();
        answers.retain(|id, _| first.contains(&id.as_str()));
    }
    Response {
        id: uuid::Uuid::from_u128(u128::from(n) + 1),
        questionnaire_id: q.id.clone(),
        questionnaire_version: q.version,
        branch: code(branch),
        device_id: "bench".into(),
        channel: if visit {
            Channel::MysteryShop
        } else {
            Channel::Kiosk
        },
        locale: Locale::from_tag("en").unwrap(),
        started_at: day - time::Duration::minutes(1),
        submitted_at: day,
        answers,
        comments: BTreeMap::new(),
        visit: None,
        assignment: None,
        revises: None,
        partial,
    }
}

/// The sums ingest would make of responses `range`, per rollup row.
fn sums(
    range: std::ops::Range<u64>,
    kiosk: &Questionnaire,
    shop: &Questionnaire,
) -> Vec<(RollupKey, Rollup)> {
    let mut rows: HashMap<RollupKey, Rollup> = HashMap::new();
    for n in range {
        let r = response(n, kiosk, shop);
        let q = if r.channel == Channel::Kiosk {
            kiosk
        } else {
            shop
        };
        let day = aggregate::day_of(&r);
        let key = RollupKey {
            day,
            week: aggregate::week_start(day),
            branch: r.branch.clone(),
            questionnaire_id: r.questionnaire_id.clone(),
            channel: aggregate::channel_label(r.channel).into(),
        };
        rows.entry(key).or_default().merge(&Rollup::of(q, &r));
    }
    let mut rows: Vec<_> = rows.into_iter().collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

async fn fresh_postgres(admin: &str, tag: &str) -> String {
    let name = format!("bp_bench_agg_{}_{tag}", std::process::id());
    let pool = sqlx::PgPool::connect(admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// A real server over HTTP (the tests' own harness), on `database_url`
/// with the catalog in `catalog`, its first admin signed in for the reads.
async fn start(database_url: &str, catalog: &Path) -> TestServer {
    let (database_url, catalog) = (database_url.to_owned(), catalog.to_owned());
    TestServer::start_with(move |config| {
        config.database_url = database_url;
        config.questionnaires = catalog;
    })
    .await
}

/// Every float rounded to 6 decimals: sums added in another order differ
/// in the last bits.
fn rounded(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => json!((n.as_f64().unwrap() * 1e6).round() / 1e6),
        Value::Array(a) => Value::Array(a.into_iter().map(rounded).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, rounded(v))).collect()),
        other => other,
    }
}

/// The sample check: 2,000 responses through HTTP ingest give the same
/// aggregates as their seeded sums.
async fn check_seeding(
    ingested: &str,
    seeded: &str,
    catalog: &Path,
    kiosk: &Questionnaire,
    shop: &Questionnaire,
) {
    let a = start(ingested, catalog).await;
    let responses: Vec<Response> = (0..2000).map(|n| response(n, kiosk, shop)).collect();
    for chunk in responses.chunks(500) {
        // Sent by devices enrolled for them: a kiosk per branch, a shopper's phone.
        let (status, reply) = a.post_batch(&json!({ "responses": chunk })).await;
        assert_eq!(status, 200, "{reply}");
        for r in reply["results"].as_array().unwrap() {
            assert_eq!(r["status"], "accepted", "{r}");
        }
    }
    let store = Store::connect(seeded).await.unwrap();
    store
        .add_rollups(&sums(0..2000, kiosk, shop))
        .await
        .unwrap();
    store.close().await;
    let b = start(seeded, catalog).await;
    for path in [
        "/api/v1/aggregates",
        "/api/v1/aggregates?channel=mystery_shop&region=R3",
        "/api/v1/items?from=2026-01-07&to=2026-03-01&channel=mystery_shop",
    ] {
        let (x, y) = (a.get_json(path).await.1, b.get_json(path).await.1);
        assert_eq!(
            rounded(x),
            rounded(y),
            "seeded sums differ from ingest for {path}"
        );
    }
    a.stop().await;
    b.stop().await;
}

/// The drill-down's reads: the network's items, and one branch's beside it.
const ITEM_FILTERS: [&str; 2] = ["", "branches=B001"];

const FILTERS: [&str; 5] = [
    "",
    "channel=kiosk",
    "region=R3",
    "branches=B001,B002,B003",
    "from=2026-02-02&to=2026-03-01&channel=mystery_shop",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Seed `database_url` with the sums of `count` responses and measure.
async fn measure(
    label: &str,
    database_url: &str,
    catalog: &Path,
    count: u64,
    kiosk: &Questionnaire,
    shop: &Questionnaire,
) {
    let store = Store::connect(database_url).await.unwrap();
    let started = Instant::now();
    let mut rows = 0;
    // In slices, so that memory stays small whatever the count.
    let slice = 200_000;
    let mut from = 0;
    while from < count {
        let to = (from + slice).min(count);
        let part = sums(from..to, kiosk, shop);
        rows += part.len();
        for chunk in part.chunks(5000) {
            store.add_rollups(chunk).await.unwrap();
        }
        from = to;
    }
    if std::env::var("BRANCHPULSE_BENCH_BREAKDOWN").is_ok() {
        let branches: Vec<branchpulse_core::protocol::Branch> =
            serde_json::from_str(&std::fs::read_to_string(catalog.join("branches.json")).unwrap())
                .unwrap();
        let defs = branchpulse_core::scorecard::Definitions::of([kiosk, shop]);
        for q in FILTERS {
            let f = aggregate::Filter::from_query(q).unwrap();
            let t = Instant::now();
            let parts = store
                .rollup_parts(&f, &defs.commitment_items())
                .await
                .unwrap();
            let (sql, n) = (t.elapsed(), parts.len());
            let t = Instant::now();
            let a = aggregate::aggregate(&f, &branches, &defs, parts);
            let figures = t.elapsed();
            let t = Instant::now();
            let json = serde_json::to_vec(&a).unwrap();
            println!(
                "    in process, ?{q}: store {sql:.1?} ({n} branch-weeks), figures {figures:.1?}, JSON {:.1?} ({} KB)",
                t.elapsed(),
                json.len() / 1024
            );
        }
    }
    store.close().await;
    println!(
        "  {label}: seeded the sums of {count} responses ({rows} row additions) in {:.1?}",
        started.elapsed()
    );
    let server = start(database_url, catalog).await;
    let mut all = Vec::new();
    for filter in FILTERS {
        let path = format!("/api/v1/aggregates?{filter}");
        all.extend(latencies(&server, &path).await);
    }
    all.sort();
    println!(
        "  {label}: all filters: p50 {:.1?}, p95 {:.1?} over {} requests",
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        all.len()
    );
    for filter in ITEM_FILTERS {
        latencies(&server, &format!("/api/v1/items?{filter}")).await;
    }
    server.stop().await;
}

/// [`REQUESTS`] timed GETs of `path` (after two warm-up ones), printed as
/// p50 and p95 with the answer's size; the times, sorted.
async fn latencies(server: &TestServer, path: &str) -> Vec<Duration> {
    let mut times = Vec::with_capacity(REQUESTS);
    let mut bytes = 0;
    for i in 0..REQUESTS + 2 {
        let t = Instant::now();
        let resp = server.get(path).await.send().await.unwrap();
        assert!(resp.status().is_success());
        let body = resp.bytes().await.unwrap();
        if i >= 2 {
            times.push(t.elapsed());
        }
        bytes = body.len();
    }
    times.sort();
    println!(
        "    {:<68} p50 {:>7.1?}  p95 {:>7.1?}  ({} KB of JSON)",
        path.trim_start_matches("/api/v1/"),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        bytes / 1024
    );
    times
}

#[tokio::main]
async fn main() {
    let count: u64 = std::env::var("BRANCHPULSE_BENCH_RESPONSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog(dir.path());
    let (kiosk, shop) = (
        load(&catalog, "kiosk.json"),
        load(&catalog, "mystery_shop.json"),
    );
    let admin = std::env::var("BRANCHPULSE_BENCH_POSTGRES").ok();

    println!(
        "aggregates: GET /api/v1/aggregates and /api/v1/items over HTTP, {count} responses (1 in {VISIT_EVERY} a mystery-shop visit) × {BRANCHES} branches × {DAYS} days; {REQUESTS} requests per filter"
    );
    let sample = |tag: &str| {
        format!(
            "sqlite://{}",
            dir.path().join(format!("check-{tag}.db")).display()
        )
    };
    check_seeding(
        &sample("ingested"),
        &sample("seeded"),
        &catalog,
        &kiosk,
        &shop,
    )
    .await;
    println!("  checked: seeded sums equal HTTP ingest on a 2,000-response sample (SQLite)");
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    measure("SQLite", &sqlite, &catalog, count, &kiosk, &shop).await;

    let Some(admin) = admin else {
        println!("  PostgreSQL: not measured (set BRANCHPULSE_BENCH_POSTGRES, as cargo xtask bench does)");
        return;
    };
    let (ingested, seeded) = (
        fresh_postgres(&admin, "ingested").await,
        fresh_postgres(&admin, "seeded").await,
    );
    check_seeding(&ingested, &seeded, &catalog, &kiosk, &shop).await;
    println!("  checked: seeded sums equal HTTP ingest on a 2,000-response sample (PostgreSQL)");
    let pg = fresh_postgres(&admin, "main").await;
    measure("PostgreSQL", &pg, &catalog, count, &kiosk, &shop).await;
}
