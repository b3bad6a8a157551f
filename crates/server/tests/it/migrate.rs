//! `branchpulse-server migrate-sqlite-to-postgres`: everything copied once,
//! checked by counts and checksums, safe to run again, never overwriting.

use crate::common;

use branchpulse_server::maintenance::migrate::{sqlite_to_postgres, MigrateError};
use common::{fresh_database, kiosk_response, stored_rows, TestServer};
use serde_json::json;

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
    let closed =
        json!({"code": "N02", "name": "Closed for works", "region": "North", "active": false});
    let mut v3: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::questionnaires_dir().join("kiosk.json")).unwrap(),
    )
    .unwrap();
    v3["version"] = json!(3);
    let purge = "/api/v1/responses/00000000-0000-4000-8000-000000000003/purge-text";
    for (method, path, body) in [
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
