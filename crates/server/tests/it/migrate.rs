//! `branchpulse-server migrate-sqlite-to-postgres`: everything copied once,
//! checked by counts and checksums, safe to run again, never overwriting.

use crate::common;

use branchpulse_server::maintenance::migrate::{sqlite_to_postgres, MigrateError, ProgrammeCopied};
use common::{fresh_database, kiosk_response, stored_rows, TestServer};
use serde_json::{json, Value};

#[tokio::test]
#[ignore = "needs a PostgreSQL server in BRANCHPULSE_TEST_POSTGRES (cargo xtask test starts one)"]
async fn a_sqlite_database_is_copied_into_postgres_and_checked() {
    // The server's own folder goes when it stops; the source outlives it.
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("source.db").display());
    let source = sqlite.clone();
    let server = TestServer::start_with(|c| c.database_url = source).await;
    for batch in 0..3 {
        let responses: Vec<_> = (0..500)
            .map(|n| kiosk_response(&format!("00000000-0000-4000-8000-{:012}", batch * 500 + n)))
            .collect();
        let (status, _) = server.post_batch(&json!({ "responses": responses })).await;
        assert_eq!(status, 200);
    }
    for (branch, due) in [("N01", "2026-05-01"), ("S02", "2026-06-15")] {
        let (status, _) = server
            .admin_json(
                reqwest::Method::POST,
                "/api/v1/visits",
                &json!({"branch": branch, "scenario": "Open an account", "questionnaire_id": "branch_visit", "window": {"from": due, "to": due}}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (_, visits_before) = server.get_json("/api/v1/visits").await;
    let kiosk = server
        .token_for(&kiosk_response(&uuid::Uuid::new_v4().to_string()))
        .await;
    // Admin changes to the catalog and a purged response go along.
    let closed = json!({"code": "N02", "name": "Closed for works", "region": "North",
        "active": false, "format": "drive_through"});
    let drive_through = json!({"code": "drive_through",
        "name": {"zh-CN": "得来速网点", "en": "Drive-through", "es": "Autobanco"}});
    let community = json!({"code": "community",
        "name": {"zh-CN": "社区", "en": "Neighbourhood", "es": "Barrio"}});
    let mut v3: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::questionnaires_dir().join("kiosk.json")).unwrap(),
    )
    .unwrap();
    v3["version"] = json!(3);
    let purge = "/api/v1/responses/00000000-0000-4000-8000-000000000003/purge-text";
    for (method, path, body) in [
        (reqwest::Method::POST, "/api/v1/formats", &drive_through),
        (
            reqwest::Method::PUT,
            "/api/v1/formats/community",
            &community,
        ),
        (reqwest::Method::PUT, "/api/v1/branches/N02", &closed),
        (reqwest::Method::POST, "/api/v1/questionnaires", &v3),
        (
            reqwest::Method::POST,
            "/api/v1/questionnaires/lobby/3/activate",
            &json!(null),
        ),
        (reqwest::Method::POST, purge, &json!(null)),
    ] {
        let (status, reply) = server.admin_json(method, path, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {reply}");
    }
    // The kiosk's staff PIN and its last status report go along too.
    let (_, devices) = server.get_json("/api/v1/devices").await;
    let device = devices[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = server
        .admin_json(
            reqwest::Method::PUT,
            &format!("/api/v1/devices/{device}/pin"),
            &json!({"pin": "2468"}),
        )
        .await;
    assert_eq!(status, 204);
    let report = json!({"questionnaire_id": "lobby", "questionnaire_version": 3, "waiting": 4});
    let status_of = |s: &TestServer| {
        s.client
            .post(s.at("/api/v1/device/status"))
            .bearer_auth(&kiosk)
            .json(&report)
            .send()
    };
    let config: serde_json::Value = status_of(&server).await.unwrap().json().await.unwrap();
    assert!(config["pin"]["hash"].is_string(), "{config}");
    let (_, formats_before) = server.get_json("/api/v1/formats").await;
    assert_eq!(formats_before[0], community);
    assert_eq!(formats_before[4], drive_through);
    server.stop().await;

    let postgres = fresh_database(dir.path()).await;
    assert!(postgres.starts_with("postgres"), "{postgres}");
    let report = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    assert_eq!(
        (report.copied, report.already_there, report.rows),
        (1500, 0, 1500)
    );
    assert_eq!(stored_rows(&sqlite).await, stored_rows(&postgres).await);
    assert_eq!((report.visits_copied, report.visits), (2, 2));
    assert_eq!(report.accounts.users_copied, 1, "{report}");
    assert_eq!(report.accounts.devices_copied, 1, "{report}");
    assert!(report.accounts.audit_copied >= 3, "{report}");
    assert!(report.accounts.users_skipped.is_empty());
    assert_eq!((report.questionnaires, report.branches), (3, 12));
    assert_eq!(report.formats, 5);
    let on_postgres = TestServer::start_with(|c| c.database_url = postgres.clone()).await;
    // The admin's password and the kiosk's token work on the new server,
    // and the responses keep the device that sent them.
    let (_, visits_after) = on_postgres.get_json("/api/v1/visits").await;
    let resend = json!({"responses": [kiosk_response("00000000-0000-4000-8000-000000000001")]});
    let (status, reply) = on_postgres.post_batch_as(&kiosk, &resend).await;
    assert_eq!(
        (status, &reply["results"][0]["status"]),
        (200, &json!("duplicate")),
        "{reply}"
    );
    let devices = common::scalar(
        &postgres,
        "SELECT COUNT(DISTINCT enrolled_device)::text FROM responses WHERE enrolled_device IS NOT NULL",
    )
    .await;
    assert_eq!(devices.as_deref(), Some("1"));
    let (status, log) = on_postgres.get_json("/api/v1/audit?limit=1000").await;
    assert_eq!(status, 200);
    let ids: Vec<i64> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "new audit lines follow the copied ones");
    let (_, branches) = on_postgres.get_json("/api/v1/branches").await;
    assert_eq!(branches[1], closed, "the admin's change, not the folder's");
    assert_eq!(branches[0]["format"], "flagship", "the folder's format");
    let (_, formats_after) = on_postgres.get_json("/api/v1/formats").await;
    assert_eq!(formats_after, formats_before);
    let (_, lobby) = on_postgres.get_json("/api/v1/questionnaires/lobby").await;
    assert_eq!(lobby["version"], 3);
    let (_, devices) = on_postgres.get_json("/api/v1/devices").await;
    assert_eq!(devices[0]["report"]["waiting"], 4, "{devices}");
    assert!(devices[0]["reported_at"].is_string());
    let copied: serde_json::Value = status_of(&on_postgres).await.unwrap().json().await.unwrap();
    assert_eq!(copied, config, "the same PIN's salt and hash");
    on_postgres.stop().await;
    assert_eq!(visits_after, visits_before);

    let again = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    assert_eq!((again.copied, again.already_there), (0, 1500));
    assert_eq!(
        (again.accounts.users_copied, again.accounts.devices_copied),
        (0, 0)
    );
    assert_eq!((again.visits_copied, again.visits), (0, 2));
    assert_eq!(again.checksum, report.checksum);

    // A row that differs in PostgreSQL is reported, never overwritten.
    let pool = sqlx::PgPool::connect(&postgres).await.unwrap();
    sqlx::query(
        "UPDATE responses SET payload_hash = 'x' WHERE id = '00000000-0000-4000-8000-000000000007'",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    match sqlite_to_postgres(&sqlite, &postgres).await {
        Err(MigrateError::Conflict(id)) => assert!(id.ends_with("000000000007")),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn the_urls_must_name_sqlite_then_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let a = format!("sqlite://{}", dir.path().join("a.db").display());
    let b = format!("sqlite://{}", dir.path().join("b.db").display());
    assert!(matches!(
        sqlite_to_postgres(&a, &b).await,
        Err(MigrateError::WrongKinds)
    ));
}

/// The programme as a reviewer and a shopper left it in SQLite: a visit
/// whose report was returned, corrected and approved; a report awaiting
/// review; a quota; a photo sent whole and one half sent.
#[tokio::test]
#[ignore = "needs a PostgreSQL server in BRANCHPULSE_TEST_POSTGRES (cargo xtask test starts one)"]
async fn the_programme_is_copied_with_its_reviews_quotas_and_photos() {
    use crate::evidence::{announcement, content, jpeg, photo_id, put_chunk, upload};
    use crate::programme::{call, id_of, new_visit, report, review};
    use reqwest::Method;

    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("source.db").display());
    let source = sqlite.clone();
    let s = TestServer::start_with(|c| c.database_url = source).await;
    let rita = s.user("rita", "reviewer", None, None).await;
    let (_, ana) = s.enrol("shopper", "Ana").await;
    let mut visits = Vec::new();
    for branch in ["N01", "S02"] {
        let (status, v) = call(
            &s,
            &rita,
            Method::POST,
            "/api/v1/visits",
            Some(&new_visit(branch, Some("Ana"))),
        )
        .await;
        assert_eq!(status, 201, "{v}");
        visits.push(id_of(&v));
    }
    let send = |r: Value| {
        let (s, ana) = (&s, &ana);
        async move {
            let (status, reply) = s.post_batch_as(ana, &json!({"responses": [r]})).await;
            assert_eq!(status, 200, "{reply}");
            assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
        }
    };
    let first = report(1, "N01", Some(&json!(visits[0])), None);
    send(first.clone()).await;
    let note = "The queue ticket number is missing";
    let (status, _) = review(
        &s,
        &rita,
        &id_of(&first),
        json!({"decision": "return", "note": note}),
    )
    .await;
    assert_eq!(status, 200);
    let corrected = report(2, "N01", Some(&json!(visits[0])), Some(&id_of(&first)));
    send(corrected.clone()).await;
    let (status, _) = review(
        &s,
        &rita,
        &id_of(&corrected),
        json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(status, 200);
    let held = report(3, "S02", Some(&json!(visits[1])), None);
    send(held.clone()).await;
    let quotas = json!({"quarter": "2026-Q1", "targets": [{"branch": "N01", "target": 12}, {"branch": "S02", "target": 7}]});
    let (status, reply) = call(&s, &rita, Method::PUT, "/api/v1/quotas", Some(&quotas)).await;
    assert!((200..300).contains(&status), "{status} {reply}");
    // A receipt sent whole for the approved report; a ticket half sent
    // for the held one.
    let (whole, half) = (jpeg(false, false), jpeg(false, true));
    for (n, report, bytes) in [(1, &corrected, &whole), (2, &held, &half)] {
        let (status, body) = s
            .post_as(
                "/api/v1/evidence",
                &ana,
                &announcement(n, &id_of(report), bytes),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = upload(&s, &ana, &photo_id(1), &whole, 700).await;
    assert_eq!((status, &body["complete"]), (200, &json!(true)), "{body}");
    let sent = half.len() / 2;
    let (status, _) = put_chunk(&s, &ana, &photo_id(2), 0, &half[..sent]).await;
    assert_eq!(status, 200);

    let before = seen(&s, &rita, &[&first, &corrected, &held]).await;
    assert_eq!(
        before.last().unwrap()["network"]["n"],
        1,
        "only the approved report counts"
    );
    assert_eq!(before[0]["history"][0]["note"], note, "{}", before[0]);
    let (status, bytes, _) = content(&s, &photo_id(1)).await;
    assert_eq!(status, 200);
    s.stop().await;

    let postgres = fresh_database(dir.path()).await;
    assert!(postgres.starts_with("postgres"), "{postgres}");
    let copied = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    let p = &copied.programme;
    assert_eq!((copied.visits_copied, copied.visits), (2, 2), "{copied}");
    assert_eq!((p.held, p.released), (2, 0), "{copied}");
    assert_eq!((p.reports_copied, p.reports), (3, 3), "{copied}");
    assert_eq!((p.reviews_copied, p.reviews), (2, 2), "{copied}");
    assert_eq!((p.quotas_copied, p.quotas), (2, 2), "{copied}");
    assert_eq!((p.photos_copied, p.photos), (2, 2), "{copied}");

    let on_postgres = TestServer::start_with(|c| c.database_url = postgres.clone()).await;
    let rita_there = on_postgres
        .login("rita", "rita password 2026")
        .await
        .unwrap();
    let after = seen(&on_postgres, &rita_there, &[&first, &corrected, &held]).await;
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a, b);
    }
    let (status, copied_bytes, _) = content(&on_postgres, &photo_id(1)).await;
    assert_eq!((status, copied_bytes), (200, bytes));
    on_postgres.stop().await;

    // A second run writes nothing.
    let digest = common::digest(&postgres).await;
    let again = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    assert_eq!(
        (again.programme.clone(), again.visits_copied),
        (
            ProgrammeCopied {
                reports: 3,
                reviews: 2,
                quotas: 2,
                photos: 2,
                held: 2,
                ..ProgrammeCopied::default()
            },
            0
        ),
        "{again}"
    );
    assert_eq!(common::digest(&postgres).await, digest);

    // Approved in SQLite after the first copy: released in PostgreSQL and
    // counted there; the phone then finishes its photo against PostgreSQL,
    // and a third run leaves that photo alone.
    let source = sqlite.clone();
    let s = TestServer::start_with(|c| c.database_url = source).await;
    let rita = s.login("rita", "rita password 2026").await.unwrap();
    let (status, _) = review(&s, &rita, &id_of(&held), json!({"decision": "approve"})).await;
    assert_eq!(status, 200);
    let approved = seen(&s, &rita, &[&first, &corrected, &held]).await;
    assert_eq!(approved.last().unwrap()["network"]["n"], 2);
    s.stop().await;
    let later = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    let p = &later.programme;
    assert_eq!(
        (
            p.released,
            p.held,
            p.reports_updated,
            p.reviews_copied,
            later.programme.visits_updated
        ),
        (1, 1, 1, 1, 1),
        "{later}"
    );
    let on_postgres = TestServer::start_with(|c| c.database_url = postgres.clone()).await;
    let rita_there = on_postgres
        .login("rita", "rita password 2026")
        .await
        .unwrap();
    assert_eq!(
        seen(&on_postgres, &rita_there, &[&first, &corrected, &held]).await,
        approved
    );
    let (status, body) = put_chunk(&on_postgres, &ana, &photo_id(2), sent, &half[sent..]).await;
    assert_eq!((status, &body["complete"]), (200, &json!(true)), "{body}");
    on_postgres.stop().await;
    let last = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    assert_eq!(
        (last.programme.photos_copied, last.programme.photos_updated),
        (0, 0),
        "{last}"
    );
    let on_postgres = TestServer::start_with(|c| c.database_url = postgres.clone()).await;
    let (status, _, _) = content(&on_postgres, &photo_id(2)).await;
    assert_eq!(status, 200, "the photo finished in PostgreSQL is kept");
    on_postgres.stop().await;
}

/// What a reviewer reads of the programme: both reports in full (with
/// their history and versions), the queue, the quarter's quotas, the
/// visits, and the mystery-shop figures.
async fn seen(s: &TestServer, who: &common::Session, reports: &[&Value]) -> Vec<Value> {
    use crate::programme::{call, id_of};
    let mut paths: Vec<String> = reports
        .iter()
        .map(|r| format!("/api/v1/reports/{}", id_of(r)))
        .collect();
    paths.extend(
        [
            "/api/v1/reports",
            "/api/v1/quotas?quarter=2026-Q1",
            "/api/v1/visits",
            "/api/v1/aggregates?from=2026-03-01&to=2026-03-31&channel=mystery_shop",
        ]
        .map(String::from),
    );
    let mut out = Vec::new();
    for path in paths {
        let (status, body) = call(s, who, reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        out.push(body);
    }
    out
}

/// Alerts with their reads and deliveries, a webhook, cases with their
/// history and customers' contact details, as SQLite holds them: copied,
/// then copied again after changes, a contact's erasure followed.
#[tokio::test]
#[ignore = "needs a PostgreSQL server in BRANCHPULSE_TEST_POSTGRES (cargo xtask test starts one)"]
async fn alerts_cases_contacts_and_webhooks_are_copied_and_erasures_follow() {
    use crate::cases::{contact_alert, stamp};
    use reqwest::Method;
    use time::OffsetDateTime;

    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("source.db").display());
    // No delivery worker: its attempts at the fake webhook, on either side,
    // would make the databases differ where the test writes its own.
    let on = |url: &String| {
        let url = url.clone();
        TestServer::start_with(move |c| {
            c.database_url = url;
            c.delivery_interval_ms = 0;
        })
    };
    let s = on(&sqlite).await;
    let now = OffsetDateTime::now_utc();
    let (phone_alert, phone_response) = contact_alert(&s, "N01", "+86 137 0000 1111", now).await;
    let (mail_alert, _) = contact_alert(&s, "N02", "ana@example.org", now).await;
    let olga = s.user("olga", "manager", Some("N01"), None).await;
    let olga_id = olga.body["user"]["id"].as_str().unwrap().to_owned();
    let admin_id = s.admin_session().await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let due = (now.date() + time::Duration::days(5)).to_string();
    let mut cases = Vec::new();
    for (alert, owner) in [(&phone_alert, &olga_id), (&mail_alert, &admin_id)] {
        let (status, case) = s
            .admin_json(
                Method::POST,
                "/api/v1/cases",
                &json!({"alert": alert, "owner": owner, "due": due, "note": "Call back."}),
            )
            .await;
        assert_eq!(status, 201, "{case}");
        cases.push(case["id"].as_str().unwrap().to_owned());
    }
    let (status, reply) = s
        .admin_json(
            Method::PATCH,
            &format!("/api/v1/cases/{}", cases[0]),
            &json!({"status": "in_progress", "note": "Left a message."}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    // A webhook, a delivery to it with two attempts, and an alert read, as
    // the delivery worker and the inbox write them.
    let webhook = uuid::Uuid::new_v4();
    let delivery = uuid::Uuid::new_v4();
    let at = stamp(now);
    common::execute(
        &sqlite,
        &[
            format!(
                "INSERT INTO webhooks (id, name, url, secret, active, created_at) \
                 VALUES ('{webhook}', 'Bank desk', 'https://hooks.bank.example/bp', 's3cret', 1, '{at}')"
            ),
            format!(
                "INSERT INTO deliveries (id, alert_id, channel, target, status, attempts, next_at) \
                 VALUES ('{delivery}', '{phone_alert}', 'webhook', '{webhook}', 'pending', 2, '{at}')"
            ),
            format!(
                "INSERT INTO delivery_attempts (delivery_id, attempt, at, http_status, error, millis) \
                 VALUES ('{delivery}', 1, '{at}', 500, 'server error', 31), \
                 ('{delivery}', 2, '{at}', NULL, 'timed out', 5000)"
            ),
            format!(
                "INSERT INTO alert_reads (alert_id, user_id, read_at) \
                 VALUES ('{phone_alert}', '{olga_id}', '{at}')"
            ),
        ],
    )
    .await;
    let mut pages = Vec::new();
    for case in &cases {
        pages.push(s.get_json(&format!("/api/v1/cases/{case}")).await.1);
    }
    s.stop().await;

    let postgres = fresh_database(dir.path()).await;
    assert!(postgres.starts_with("postgres"), "{postgres}");
    let first = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    let tables: Vec<(&str, u64)> = first.follow_up.iter().map(|(t, _, n)| (*t, *n)).collect();
    assert_eq!(
        tables,
        [
            ("alert_rules", 1),
            ("webhooks", 1),
            ("alerts", 2),
            ("alert_reads", 1),
            ("deliveries", 1),
            ("delivery_attempts", 2),
            ("cases", 2),
            // Made (and its note) twice, then a status and a note.
            ("case_events", 6),
            ("contacts", 2),
        ],
        "{first}"
    );
    // Every row new to PostgreSQL but the seeded rule, written as SQLite's.
    assert!(
        first.follow_up.iter().all(|(_, written, n)| written == n),
        "{first}"
    );
    let count = |table: &str| format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}");
    for (table, n) in &tables {
        let there = common::scalar(&postgres, &count(table)).await;
        assert_eq!(there, Some(n.to_string()), "{table}");
    }
    // A server on PostgreSQL shows the cases as SQLite's did, contact included.
    let p = on(&postgres).await;
    for (case, page) in cases.iter().zip(&pages) {
        let (status, there) = p.get_json(&format!("/api/v1/cases/{case}")).await;
        assert_eq!((status, &there), (200, page));
    }
    assert_eq!(pages[0]["contact"]["value"], "+86 137 0000 1111");
    p.stop().await;

    // Meanwhile in SQLite: the first response purged (its contact goes),
    // the second case resolved, the delivery delivered.
    let s = on(&sqlite).await;
    let (status, reply) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/responses/{phone_response}/purge-text"),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = s
        .admin_json(
            Method::PATCH,
            &format!("/api/v1/cases/{}", cases[1]),
            &json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    common::execute(
        &sqlite,
        &[format!(
            "UPDATE deliveries SET status = 'delivered', attempts = 3 WHERE id = '{delivery}'"
        )],
    )
    .await;
    let mut pages = Vec::new();
    for case in &cases {
        pages.push(s.get_json(&format!("/api/v1/cases/{case}")).await.1);
    }
    s.stop().await;

    let again = sqlite_to_postgres(&sqlite, &postgres).await.unwrap();
    assert_eq!(again.contacts_erased, 1, "{again}");
    let written: Vec<(&str, u64)> = again.follow_up.iter().map(|(t, w, _)| (*t, *w)).collect();
    assert_eq!(
        written,
        [
            ("alert_rules", 0),
            ("webhooks", 0),
            ("alerts", 0),
            ("alert_reads", 0),
            ("deliveries", 1),
            ("delivery_attempts", 0),
            ("cases", 1),
            ("case_events", 1),
            ("contacts", 0),
        ],
        "{again}"
    );
    assert_eq!(
        common::scalar(&postgres, &count("contacts")).await,
        Some("1".into())
    );
    assert_eq!(
        common::scalar(
            &postgres,
            &format!("SELECT status FROM deliveries WHERE id = '{delivery}'")
        )
        .await,
        Some("delivered".into())
    );
    let p = on(&postgres).await;
    for (case, page) in cases.iter().zip(&pages) {
        let (_, there) = p.get_json(&format!("/api/v1/cases/{case}")).await;
        assert_eq!(&there, page);
    }
    assert_eq!(pages[0]["has_contact"], false);
    // New history goes on after the copied lines.
    let (status, reply) = p
        .admin_json(
            Method::PATCH,
            &format!("/api/v1/cases/{}", cases[0]),
            &json!({"note": "Written in PostgreSQL."}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        reply["history"].as_array().unwrap().last().unwrap()["text"],
        "Written in PostgreSQL."
    );
    p.stop().await;
}
