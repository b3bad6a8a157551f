//! Ingest throughput: the real server over HTTP (parse, validate with core,
//! one transaction per batch of 500) beside a plain insert of the same rows
//! into SQLite in one transaction. The plain inserts run twice, with the
//! server's `synchronous=FULL` (every commit synced: `accepted` survives a
//! power cut) and with the former `NORMAL`, to show what durability costs.
//! Prints figures; asserts nothing about time.
//!
//! Run with `cargo xtask bench` (or `cargo bench -p branchpulse-server`).

#[path = "../tests/it/common/mod.rs"]
mod common;
use branchpulse_server::store::Record;
use common::TestServer;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;

const BATCH: usize = 500;
const BATCHES: usize = 20;

fn response(n: usize) -> Value {
    let rating = |k: usize| json!({"type": "rating", "value": 1 + (n * 7 + k) % 5});
    // A batch comes from one lobby tablet, so all of it is one branch's.
    let branch = ["N01", "N02", "S01", "S02"][(n / BATCH) % 4];
    let locale = ["en", "zh-CN", "es"][n % 3];
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "questionnaire_id": "lobby",
        "questionnaire_version": 2,
        "branch": branch,
        "device_id": format!("tablet-{}", n % 10),
        "channel": "kiosk",
        "locale": locale,
        "started_at": "2026-03-01T09:30:00Z",
        "submitted_at": "2026-03-01T09:31:00Z",
        "answers": {
            "overall": rating(0), "staff_care": rating(1), "ease": rating(2),
            "fees_worth": rating(3), "confidence": rating(4),
            "recommend": {"type": "nps", "value": n % 11},
            "comment": {"type": "text", "value": "Fine."}
        }
    })
}

async fn server_rate(database_url: String, batches: &[Value]) -> f64 {
    let server = TestServer::start_with(move |config| config.database_url = database_url).await;
    // A lobby tablet per branch, enrolled before the clock starts.
    let mut tokens = Vec::new();
    for batch in batches {
        tokens.push(server.token_for(&batch["responses"][0]).await);
    }
    let start = Instant::now();
    for (batch, token) in batches.iter().zip(&tokens) {
        let (status, reply) = server.post_batch_as(token, batch).await;
        assert_eq!(status, 200, "{reply}");
        assert!(reply["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "accepted"));
    }
    let elapsed = start.elapsed();
    server.stop().await;
    (BATCH * batches.len()) as f64 / elapsed.as_secs_f64()
}

async fn plain_rate(
    dir: &Path,
    batches: &[Value],
    synchronous: sqlx::sqlite::SqliteSynchronous,
) -> f64 {
    // The same table, made by the server's own migrations, then plain inserts.
    let url = format!(
        "sqlite://{}",
        dir.join(format!("plain-{synchronous:?}.db")).display()
    );
    let store = branchpulse_server::store::Store::connect(&url)
        .await
        .unwrap();
    store.close().await;
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(
        options
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(synchronous),
    )
    .await
    .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let records: Vec<Vec<Record>> = batches
        .iter()
        .map(|b| {
            b["responses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| Record::new(&serde_json::from_value(v.clone()).unwrap(), now))
                .collect()
        })
        .collect();
    let start = Instant::now();
    for batch in &records {
        let mut tx = pool.begin().await.unwrap();
        for r in batch {
            let at = |t: time::OffsetDateTime| t.format(&Rfc3339).unwrap();
            sqlx::query(
                "INSERT INTO responses (id, questionnaire_id, questionnaire_version, branch, \
                 device_id, channel, locale, started_at, submitted_at, received_at, payload, \
                 payload_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(r.id.to_string())
            .bind(&r.questionnaire_id)
            .bind(i64::from(r.questionnaire_version))
            .bind(&r.branch)
            .bind(&r.device_id)
            .bind(&r.channel)
            .bind(&r.locale)
            .bind(at(r.started_at))
            .bind(at(r.submitted_at))
            .bind(at(r.received_at))
            .bind(&r.payload)
            .bind(&r.payload_hash)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let elapsed = start.elapsed();
    pool.close().await;
    (BATCH * records.len()) as f64 / elapsed.as_secs_f64()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[tokio::main]
async fn main() {
    let batches: Vec<Value> = (0..BATCHES)
        .map(|b| json!({"responses": (0..BATCH).map(|i| response(b * BATCH + i)).collect::<Vec<_>>()}))
        .collect();
    use sqlx::sqlite::SqliteSynchronous::{Full, Normal};
    let (mut server, mut plain, mut plain_normal) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!("sqlite://{}", dir.path().join("server.db").display());
        server.push(server_rate(sqlite, &batches).await);
        plain.push(plain_rate(dir.path(), &batches, Full).await);
        plain_normal.push(plain_rate(dir.path(), &batches, Normal).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (server, plain, plain_normal) = (median(server), median(plain), median(plain_normal));
    println!("ingest, SQLite, {BATCHES} batches of {BATCH} kiosk responses (median of 3 runs):");
    println!(
        "  server over HTTP (parse, validate, store; synchronous=FULL): {server:>10.0} responses/s"
    );
    println!(
        "  plain INSERT, one transaction per batch, synchronous=FULL:   {plain:>10.0} responses/s"
    );
    println!("  plain INSERT, one transaction per batch, synchronous=NORMAL: {plain_normal:>10.0} responses/s");
    println!(
        "  ratio server / plain (both FULL): {:.2} (target ≥ 0.30)",
        server / plain
    );
    println!(
        "  cost of FULL over NORMAL (durable `accepted`): {:.0}% fewer responses/s",
        100.0 * (1.0 - plain / plain_normal)
    );

    // The same batches into PostgreSQL, when `cargo xtask bench` started one.
    let Ok(admin) = std::env::var("BRANCHPULSE_BENCH_POSTGRES") else {
        println!("ingest, PostgreSQL: not measured (set BRANCHPULSE_BENCH_POSTGRES, as cargo xtask bench does)");
        return;
    };
    let mut pg = Vec::new();
    for run in 0..3 {
        let name = format!("bp_bench_{}_{run}", std::process::id());
        let pool = sqlx::PgPool::connect(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        let (base, _) = admin.rsplit_once('/').unwrap();
        pg.push(server_rate(format!("{base}/{name}"), &batches).await);
    }
    let pg = median(pg);
    println!("ingest side by side, server over HTTP, same batches (median of 3 runs):");
    println!("  SQLite:     {server:>10.0} responses/s");
    println!("  PostgreSQL: {pg:>10.0} responses/s");
}
