//! Purge means erasure: a purged response keeps no free text anywhere (the
//! payload, the dashboard's comments, the SQLite file's free pages) and no
//! hash that would confirm a guessed one; a migration re-run does not bring
//! it back; retention settings erase old texts and staff names on their
//! own, with an audit line. Both backends where storage is involved.

use crate::common;

use branchpulse_server::store::{canonical_json, sha256_hex};
use common::{kiosk_response, TestServer};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const NAME: &str = "Quilla Marchetti-Voss";
const COMMENT: &str = "zebraquartz call me on 555-0199";
const REASON: &str = "timer missed; vexilloid queue";

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// A complete mystery-shop report submitted at `at`, with a staff name, a
/// comment and a reason for a changed waiting time.
fn report(n: u32, at: OffsetDateTime) -> Value {
    let file =
        std::fs::read_to_string(common::questionnaires_dir().join("mystery_shop.json")).unwrap();
    let q = branchpulse_core::questionnaire::load("mystery_shop.json", &file).unwrap();
    let mut r = json!({
        "id": id(n),
        "questionnaire_id": "branch_visit",
        "questionnaire_version": 3,
        "branch": "N01",
        "device_id": "phone-1",
        "channel": "mystery_shop",
        "locale": "en",
        "started_at": rfc3339(at - time::Duration::minutes(40)),
        "submitted_at": rfc3339(at),
        "answers": {},
        "comments": {"service": COMMENT},
        "visit": {"wait_override_reason": REASON},
    });
    for item in q.items().filter(|i| i.required && i.show_if.is_none()) {
        r["answers"][&item.id] = match &item.kind {
            // A call nobody answered: the items asked after an answer stay hidden.
            branchpulse_core::ItemKind::YesNo if item.from_call.is_some() => {
                json!({"type": "yes_no", "value": "no"})
            }
            branchpulse_core::ItemKind::Call { .. } => {
                json!({"type": "call", "value": {"rings": 9, "answered": false, "seconds": 45}})
            }
            branchpulse_core::ItemKind::YesNo => json!({"type": "yes_no", "value": "na"}),
            branchpulse_core::ItemKind::Seconds { .. } => json!({"type": "seconds", "value": 60}),
            branchpulse_core::ItemKind::Choice { options } => {
                json!({"type": "choice", "value": options[0].id})
            }
            other => panic!("unexpected required item {other:?}"),
        };
    }
    r["answers"]["name_badge"] = json!({"type": "yes_no", "value": "yes"});
    r["answers"]["staff_name"] = json!({"type": "text", "value": NAME});
    r
}

fn kiosk_at(n: u32, at: OffsetDateTime) -> Value {
    let mut r = kiosk_response(&id(n));
    r["started_at"] = json!(rfc3339(at - time::Duration::minutes(1)));
    r["submitted_at"] = json!(rfc3339(at));
    r["answers"]["comment"] = json!({"type": "text", "value": COMMENT});
    r
}

/// The hash of the response as the device sent it.
fn original_hash(r: &Value) -> String {
    let response: branchpulse_core::Response = serde_json::from_value(r.clone()).unwrap();
    sha256_hex(&canonical_json(&response))
}

async fn statuses(server: &TestServer, responses: &[&Value]) -> Vec<String> {
    let (status, reply) = server.post_batch(&json!({ "responses": responses })).await;
    assert_eq!(status, 200, "{reply}");
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}{}",
                r["status"].as_str().unwrap(),
                r["reason"]
                    .as_str()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

async fn hash_of(server: &TestServer, n: u32) -> String {
    common::scalar(
        &server.database_url,
        &format!("SELECT payload_hash FROM responses WHERE id = '{}'", id(n)),
    )
    .await
    .unwrap()
}

async fn payload_of(server: &TestServer, n: u32) -> String {
    let rows = server.stored().await;
    rows.into_iter().find(|(i, _)| *i == id(n)).unwrap().1
}

async fn purge(server: &TestServer, n: u32) -> Value {
    let (status, reply) = server
        .admin_json(
            reqwest::Method::POST,
            &format!("/api/v1/responses/{}/purge-text", id(n)),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    reply
}

async fn comments_holding(database_url: &str, text: &str) -> String {
    common::scalar(
        database_url,
        &format!("SELECT CAST(COUNT(*) AS TEXT) FROM comments WHERE text LIKE '%{text}%'"),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_purge_removes_every_text_and_every_hash_of_it() {
    let server = TestServer::start().await;
    let visit = report(1, OffsetDateTime::now_utc() - time::Duration::days(2));
    assert_eq!(statuses(&server, &[&visit]).await, ["accepted"]);
    assert_eq!(hash_of(&server, 1).await, original_hash(&visit));

    let purged = purge(&server, 1).await;
    // The staff name, the comment and the waiting-time reason.
    assert_eq!(purged["removed"], 3, "{purged}");
    let payload = payload_of(&server, 1).await;
    for text in [NAME, COMMENT, REASON] {
        assert!(!payload.contains(text), "{text} in {payload}");
    }
    assert_eq!(
        comments_holding(&server.database_url, "zebraquartz").await,
        "0"
    );
    // No hash of the original is kept: a guessed name cannot be confirmed.
    let hash = hash_of(&server, 1).await;
    assert_ne!(hash, original_hash(&visit));
    let mut guess = visit.clone();
    guess["answers"]["staff_name"] = json!({"type": "text", "value": "Someone Else"});
    assert_ne!(hash, original_hash(&guess));
    assert!(hash.starts_with("purged-text:"), "{hash}");

    // The phone resends the original: still a duplicate, the text stays out.
    assert_eq!(statuses(&server, &[&visit]).await, ["duplicate"]);
    assert!(!payload_of(&server, 1).await.contains(NAME));
    // Other scores under the same id are still a conflict.
    let mut other = visit.clone();
    other["answers"]["name_badge"] = json!({"type": "yes_no", "value": "no"});
    other["answers"]
        .as_object_mut()
        .unwrap()
        .remove("staff_name");
    let outcome = statuses(&server, &[&other]).await;
    assert!(outcome[0].starts_with("rejected"), "{outcome:?}");
    // Purging again removes nothing and changes nothing.
    assert_eq!(purge(&server, 1).await["removed"], 0);
    assert_eq!(hash_of(&server, 1).await, hash);
    server.stop().await;
}

#[tokio::test]
async fn a_purged_text_is_not_left_in_the_sqlite_files() {
    if common::postgres().is_some() {
        return; // the file's bytes are SQLite's
    }
    let server = TestServer::start().await;
    let kiosk = kiosk_at(2, OffsetDateTime::now_utc() - time::Duration::days(1));
    let visit = report(3, OffsetDateTime::now_utc() - time::Duration::days(1));
    assert_eq!(statuses(&server, &[&kiosk]).await, ["accepted"]);
    assert_eq!(statuses(&server, &[&visit]).await, ["accepted"]);
    purge(&server, 2).await;
    purge(&server, 3).await;
    let pool = sqlx::SqlitePool::connect(&server.database_url)
        .await
        .unwrap();
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint ran to the end");
    let db = server.dir.path().join("test.db");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.extend(std::fs::read(db.with_extension("db-wal")).unwrap_or_default());
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    // The scores are still there; no text is, not even in free space.
    assert!(contains(&id(2)));
    for text in [NAME, "zebraquartz", "vexilloid"] {
        assert!(!contains(text), "\"{text}\" is still in the database files");
    }
    pool.close().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_erases_old_texts_and_staff_names_with_an_audit_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database(dir.path()).await;
    let url = if url.starts_with("sqlite") {
        format!("sqlite://{}", dir.path().join("kept.db").display())
    } else {
        url
    };
    let now = OffsetDateTime::now_utc();
    let old_kiosk = kiosk_at(10, now - time::Duration::days(300));
    let new_kiosk = kiosk_at(11, now - time::Duration::hours(1));
    let shop = report(12, now - time::Duration::days(60));
    let first = url.clone();
    let server = TestServer::start_with(|c| c.database_url = first).await;
    for r in [&old_kiosk, &new_kiosk, &shop] {
        assert_eq!(statuses(&server, &[r]).await, ["accepted"]);
    }
    server.stop().await;

    // At start-up: texts older than 200 days, staff names older than 30.
    let again = url.clone();
    let server = TestServer::start_with(|c| {
        c.database_url = again;
        c.retain_free_text_days = Some(200);
        c.retain_staff_names_days = Some(30);
        c.retention_interval_secs = 1;
    })
    .await;
    assert!(!payload_of(&server, 10).await.contains("zebraquartz"));
    assert!(payload_of(&server, 11).await.contains("zebraquartz"));
    let shop_payload = payload_of(&server, 12).await;
    assert!(!shop_payload.contains(NAME), "{shop_payload}");
    assert!(
        shop_payload.contains("zebraquartz"),
        "other texts of the report stay"
    );
    assert!(shop_payload.contains("vexilloid"));
    assert_ne!(hash_of(&server, 12).await, original_hash(&shop));
    let (status, log) = server.get_json("/api/v1/audit?limit=100").await;
    assert_eq!(status, 200);
    let runs: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "response.retention")
        .collect();
    assert!(runs.len() >= 2, "{log}");
    let text_run = runs.iter().find(|e| e["target"] == "free_text").unwrap();
    let names_run = runs.iter().find(|e| e["target"] == "staff_names").unwrap();
    assert_eq!(text_run["actor"], "system:retention");
    assert_eq!(text_run["detail"]["removed"], 1, "{text_run}");
    assert_eq!(names_run["detail"]["removed"], 1, "{names_run}");

    // Resent, the erased responses are duplicates and stay erased.
    assert_eq!(
        statuses(&server, &[&old_kiosk, &shop]).await,
        ["duplicate", "duplicate"]
    );
    assert!(!payload_of(&server, 12).await.contains(NAME));

    // And periodically: a late arrival, already too old, goes at the next run.
    let late = kiosk_at(13, now - time::Duration::days(250));
    assert_eq!(statuses(&server, &[&late]).await, ["accepted"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while payload_of(&server, 13).await.contains("zebraquartz") {
        assert!(
            Instant::now() < deadline,
            "the periodic run did not erase it"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(payload_of(&server, 11).await.contains("zebraquartz"));
    server.stop().await;
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server in BRANCHPULSE_TEST_POSTGRES (cargo xtask test starts one)"]
async fn a_migration_rerun_after_a_purge_erases_the_copy_too() {
    use branchpulse_server::maintenance::migrate::sqlite_to_postgres;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("source.db").display());
    let on = |url: String| TestServer::start_with(move |c| c.database_url = url);
    let server = on(sqlite.clone()).await;
    let visit = report(20, OffsetDateTime::now_utc() - time::Duration::days(1));
    let kiosk = kiosk_at(21, OffsetDateTime::now_utc() - time::Duration::days(1));
    assert_eq!(statuses(&server, &[&visit]).await, ["accepted"]);
    assert_eq!(statuses(&server, &[&kiosk]).await, ["accepted"]);
    // Approved, the visit's comments are on the dashboard like the kiosk's.
    assert_eq!(server.approve_all().await, 1);
    server.stop().await;

    let postgres = common::fresh_database(dir.path()).await;
    assert!(postgres.starts_with("postgres"), "{postgres}");
    let first = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    assert_eq!((first.copied, first.erased), (2, 0));
    // A server started on PostgreSQL adds the copies to its dashboard tables.
    on(postgres.clone()).await.stop().await;
    assert_eq!(comments_holding(&postgres, "zebraquartz").await, "2");

    // Purged in SQLite after the first copy; the copy is run again.
    let server = on(sqlite.clone()).await;
    purge(&server, 20).await;
    server.stop().await;
    let again = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    assert_eq!((again.copied, again.already_there, again.erased), (0, 1, 1));
    let rows = common::stored_rows(&postgres).await;
    assert_eq!(rows, common::stored_rows(&sqlite).await);
    let copy = &rows.iter().find(|(i, _)| *i == id(20)).unwrap().1;
    for text in [NAME, COMMENT, REASON] {
        assert!(!copy.contains(text), "{text} in {copy}");
    }
    assert_eq!(comments_holding(&postgres, "zebraquartz").await, "1");
    let purged_at = common::scalar(
        &postgres,
        &format!(
            "SELECT purged_at::text FROM responses WHERE id = '{}'",
            id(20)
        ),
    )
    .await;
    assert!(purged_at.is_some());
    // A third run finds everything in place.
    let third = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    assert_eq!((third.copied, third.already_there, third.erased), (0, 2, 0));
}
