//! Branches and questionnaires managed in the database: seeded from the
//! folder, changed by admins over HTTP, kept across restarts, seen by every
//! server on the database; and the free-text purge. With
//! `BRANCHPULSE_TEST_POSTGRES` set, the servers share one PostgreSQL.

use crate::common;

use common::{kiosk_response, TestServer};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// `method path` as the signed-in admin.
async fn send(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let session = server.admin_session().await;
    let mut request = session.on(server.client.request(method, server.at(path)));
    if let Some(body) = body {
        request = request.json(body);
    }
    let resp = request.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn post(server: &TestServer, path: &str, body: &Value) -> (u16, Value) {
    send(server, reqwest::Method::POST, path, Some(body)).await
}

async fn put(server: &TestServer, path: &str, body: &Value) -> (u16, Value) {
    send(server, reqwest::Method::PUT, path, Some(body)).await
}

/// `POST` with no body (activate, purge).
async fn post_empty(server: &TestServer, path: &str) -> (u16, Value) {
    send(server, reqwest::Method::POST, path, None).await
}

/// Upload questionnaire text as it would come from a file, as the admin.
async fn upload(server: &TestServer, text: &str) -> (u16, Value) {
    let session = server.admin_session().await;
    let resp = session
        .on(server.client.post(server.at("/api/v1/questionnaires")))
        .header("content-type", "application/json")
        .body(text.to_owned())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

fn kiosk_file() -> String {
    std::fs::read_to_string(common::questionnaires_dir().join("kiosk.json")).unwrap()
}

/// The lobby questionnaire as version `version`, without its "ease" item,
/// so that responses tell the versions apart.
fn lobby_without_ease(version: u32) -> String {
    let mut q: Value = serde_json::from_str(&kiosk_file()).unwrap();
    q["version"] = json!(version);
    let items = q["sections"][0]["items"].as_array_mut().unwrap();
    items.retain(|i| i["id"] != "ease");
    serde_json::to_string_pretty(&q).unwrap()
}

fn statuses(reply: &Value) -> Vec<String> {
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

async fn branch_of(server: &TestServer, code: &str) -> Option<Value> {
    let (status, branches) = server.get_json("/api/v1/branches").await;
    assert_eq!(status, 200);
    branches
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == code)
        .cloned()
}

async fn served_lobby_version(server: &TestServer) -> u64 {
    let (status, q) = server.get_json("/api/v1/questionnaires/lobby").await;
    assert_eq!(status, 200, "{q}");
    q["version"].as_u64().unwrap()
}

/// A database that outlives the servers started on it.
async fn lasting_database() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database(dir.path()).await;
    (dir, url)
}

async fn start_on(url: &str, reload_secs: u64) -> TestServer {
    let url = url.to_owned();
    TestServer::start_with(move |c| {
        c.database_url = url;
        c.catalog_reload_secs = reload_secs;
    })
    .await
}

#[tokio::test]
async fn seeding_is_idempotent_and_admin_changes_survive_a_restart() {
    let (_dir, url) = lasting_database().await;
    let first = start_on(&url, 5).await;
    let (_, seeded) = first.get_json("/api/v1/questionnaires/all").await;
    let ids: Vec<(&str, u64, bool, bool)> = seeded
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap(),
                v["version"].as_u64().unwrap(),
                v["active"].as_bool().unwrap(),
                v["uploaded_at"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [("branch_visit", 3, true, true), ("lobby", 2, true, true)]
    );
    let (_, branches) = first.get_json("/api/v1/branches").await;
    assert_eq!(branches.as_array().unwrap().len(), 12);
    first.stop().await;

    // A second start over the same folder adds nothing.
    let second = start_on(&url, 5).await;
    assert_eq!(
        second.get_json("/api/v1/questionnaires/all").await.1,
        seeded
    );
    assert_eq!(second.get_json("/api/v1/branches").await.1, branches);

    // Admin changes: a branch closed, another added, lobby v3 active.
    let mut n02 = branch_of(&second, "N02").await.unwrap();
    n02["active"] = json!(false);
    assert_eq!(put(&second, "/api/v1/branches/N02", &n02).await.0, 200);
    let z01 = json!({"code": "Z01", "name": "Harbour", "region": "South", "active": true});
    assert_eq!(post(&second, "/api/v1/branches", &z01).await.0, 201);
    assert_eq!(upload(&second, &lobby_without_ease(3)).await.0, 201);
    let (status, _) = post_empty(&second, "/api/v1/questionnaires/lobby/3/activate").await;
    assert_eq!(status, 204);
    second.stop().await;

    // The folder still says N02 is open and lobby has only v2: the
    // database's word holds.
    let third = start_on(&url, 5).await;
    assert_eq!(branch_of(&third, "N02").await.unwrap()["active"], false);
    let (_, after) = third.get_json("/api/v1/branches").await;
    let codes: Vec<&str> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 13);
    assert_eq!(codes.last(), Some(&"Z01"), "a new branch ends the list");
    assert_eq!(served_lobby_version(&third).await, 3);
    let (_, all) = third.get_json("/api/v1/questionnaires/all").await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    third.stop().await;
}

#[tokio::test]
async fn servers_starting_together_on_a_new_database_both_start() {
    let (_dir, url) = lasting_database().await;
    // SQLite applies migrations without a lock across processes, so there
    // the first server migrates before the two seed together.
    if !url.starts_with("postgres") {
        start_on(&url, 5).await.stop().await;
    }
    let (a, b) = tokio::join!(start_on(&url, 5), start_on(&url, 5));
    let (_, from_a) = a.get_json("/api/v1/questionnaires/all").await;
    let (_, from_b) = b.get_json("/api/v1/questionnaires/all").await;
    assert_eq!(from_a, from_b);
    assert_eq!(from_a.as_array().unwrap().len(), 2);
    assert_eq!(
        a.get_json("/api/v1/branches")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        12
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn uploads_are_checked_stored_once_and_inactive_until_activated() {
    let server = TestServer::start().await;
    let (_, before) = server.get_json("/api/v1/questionnaires/all").await;

    // Invalid: the loader's message, nothing stored.
    let broken = kiosk_file()
        .replacen("\"dimension\": \"empathy\"", "\"dimension\": \"speed\"", 1)
        .replacen("\"version\": 2", "\"version\": 7", 1);
    let (status, body) = upload(&server, &broken).await;
    assert_eq!(status, 422, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("dimension") && error.contains("speed"),
        "{error}"
    );
    let (status, body) = upload(&server, "{\"id\": \"lobby\",").await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = upload(&server, &lobby_without_ease(2).replace("lobby", "all")).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("reserved"),
        "{body}"
    );
    assert_eq!(
        server.get_json("/api/v1/questionnaires/all").await.1,
        before
    );

    // The same id and version again: 409, the stored one kept.
    let (status, body) = upload(&server, &lobby_without_ease(2)).await;
    assert_eq!(status, 409, "{body}");
    let (_, lobby) = server.get_json("/api/v1/questionnaires/lobby/2").await;
    assert!(lobby.to_string().contains("\"ease\""));

    // Not JSON, or too large: refused with a JSON error.
    let session = server.admin_session().await;
    let resp = session
        .on(server.client.post(server.at("/api/v1/questionnaires")))
        .header("content-type", "text/plain")
        .body(lobby_without_ease(4))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(1024 * 1024));
    let (status, body) = upload(&server, &huge).await;
    assert_eq!(status, 413, "{body}");

    // A new version: stored as sent, inactive; devices still get v2.
    let text = lobby_without_ease(3);
    let (status, body) = upload(&server, &text).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], "lobby");
    assert_eq!(body["version"], 3);
    assert_eq!(body["active"], false);
    // Lobby v2's ten items but "ease".
    assert_eq!(body["items"], 9);
    assert!(body["uploaded_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(served_lobby_version(&server).await, 2);
    let (_, listed) = server.get_json("/api/v1/questionnaires").await;
    let lobby = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == "lobby");
    assert_eq!(lobby.unwrap()["version"], 2);
    let (status, v3) = server.get_json("/api/v1/questionnaires/lobby/3").await;
    assert_eq!(status, 200);
    assert!(!v3.to_string().contains("\"ease\""));

    // The first version of a new id is active at once.
    let (status, body) = upload(
        &server,
        &lobby_without_ease(1).replace("\"lobby\"", "\"lobby_short\""),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["active"], true);
    let (_, listed) = server.get_json("/api/v1/questionnaires").await;
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["branch_visit", "lobby", "lobby_short"]);

    // What is stored is the upload, byte for byte.
    assert_eq!(stored_json(&server.database_url, "lobby", 3).await, text);
    server.stop().await;
}

async fn stored_json(database_url: &str, id: &str, version: i64) -> String {
    if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url).await.unwrap();
        let json =
            sqlx::query_scalar("SELECT json FROM questionnaires WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(version)
                .fetch_one(&pool)
                .await
                .unwrap();
        pool.close().await;
        return json;
    }
    let pool = sqlx::SqlitePool::connect(database_url).await.unwrap();
    let json = sqlx::query_scalar("SELECT json FROM questionnaires WHERE id = ? AND version = ?")
        .bind(id)
        .bind(version)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    json
}

#[tokio::test]
async fn activating_switches_what_devices_get_and_old_responses_still_count() {
    let server = TestServer::start().await;
    assert_eq!(upload(&server, &lobby_without_ease(3)).await.0, 201);
    for path in [
        "/api/v1/questionnaires/lobby/9/activate",
        "/api/v1/questionnaires/nope/1/activate",
        "/api/v1/questionnaires/lobby/x/activate",
    ] {
        let (status, body) = post_empty(&server, path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    assert_eq!(served_lobby_version(&server).await, 2);

    let (status, _) = post_empty(&server, "/api/v1/questionnaires/lobby/3/activate").await;
    assert_eq!(status, 204);
    assert_eq!(served_lobby_version(&server).await, 3);
    let (_, all) = server.get_json("/api/v1/questionnaires/all").await;
    let active: Vec<(u64, bool)> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"] == "lobby")
        .map(|v| {
            (
                v["version"].as_u64().unwrap(),
                v["active"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(active, [(2, false), (3, true)]);

    // A device still on v2 is answered by v2's rules: "ease" is an item of
    // v2 (accepted), a rating of 9 is not (rejected); v3 knows no "ease".
    let old = kiosk_response("00000000-0000-4000-8000-000000000001");
    let mut bad_old = kiosk_response("00000000-0000-4000-8000-000000000002");
    bad_old["answers"]["overall"] = json!({"type": "rating", "value": 9});
    let mut new = kiosk_response("00000000-0000-4000-8000-000000000003");
    new["questionnaire_version"] = json!(3);
    let mut new_with_ease = new.clone();
    new_with_ease["id"] = json!("00000000-0000-4000-8000-000000000004");
    new["answers"].as_object_mut().unwrap().remove("ease");
    let (status, reply) = server
        .post_batch(&json!({"responses": [old, bad_old, new, new_with_ease]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        statuses(&reply),
        ["accepted", "rejected", "accepted", "rejected"]
    );
    assert!(
        reply["results"][3]["reason"]
            .as_str()
            .unwrap()
            .contains("ease"),
        "{reply}"
    );

    // And back.
    let (status, _) = post_empty(&server, "/api/v1/questionnaires/lobby/2/activate").await;
    assert_eq!(status, 204);
    assert_eq!(served_lobby_version(&server).await, 2);
    server.stop().await;
}

#[tokio::test]
async fn branches_are_created_changed_and_closed_never_deleted() {
    let server = TestServer::start().await;
    let z01 = json!({"code": "Z01", "name": "Harbour", "region": "South", "active": true});
    let (status, body) = post(&server, "/api/v1/branches", &z01).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body, z01);
    assert_eq!(branch_of(&server, "Z01").await.unwrap(), z01);

    let (status, body) = post(&server, "/api/v1/branches", &z01).await;
    assert_eq!(status, 409, "{body}");
    for (bad, field) in [
        (
            json!({"code": "z 1", "name": "X", "region": "South"}),
            "code",
        ),
        (
            json!({"code": "Z02", "name": " ", "region": "South"}),
            "name",
        ),
        (json!({"code": "Z02", "name": "X", "region": ""}), "region"),
    ] {
        let (status, body) = post(&server, "/api/v1/branches", &bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["error"].as_str().unwrap().starts_with(field), "{body}");
    }
    assert!(branch_of(&server, "Z02").await.is_none());

    let mut kiosk = kiosk_response("00000000-0000-4000-8000-000000000010");
    kiosk["branch"] = json!("Z01");
    let (_, reply) = server.post_batch(&json!({"responses": [kiosk]})).await;
    assert_eq!(statuses(&reply), ["accepted"]);

    // Renamed, then closed: its responses are refused from then on.
    let renamed =
        json!({"code": "Z01", "name": "Harbour Square", "region": "South", "active": true});
    let (status, body) = put(&server, "/api/v1/branches/Z01", &renamed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(branch_of(&server, "Z01").await.unwrap(), renamed);
    let (status, body) = put(&server, "/api/v1/branches/N01", &renamed).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"].as_str().unwrap().starts_with("code"),
        "{body}"
    );
    let (status, body) = put(
        &server,
        "/api/v1/branches/Q99",
        &json!({"code": "Q99", "name": "X", "region": "South"}),
    )
    .await;
    assert_eq!(status, 404, "{body}");

    let closed =
        json!({"code": "Z01", "name": "Harbour Square", "region": "South", "active": false});
    assert_eq!(put(&server, "/api/v1/branches/Z01", &closed).await.0, 200);
    assert_eq!(branch_of(&server, "Z01").await.unwrap(), closed);
    let mut late = kiosk_response("00000000-0000-4000-8000-000000000011");
    late["branch"] = json!("Z01");
    let (_, reply) = server.post_batch(&json!({"responses": [late]})).await;
    assert_eq!(statuses(&reply), ["rejected"]);
    assert!(
        reply["results"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("inactive"),
        "{reply}"
    );
    server.stop().await;
}

#[tokio::test]
async fn purging_removes_the_text_keeps_the_scores_and_a_resend_is_a_duplicate() {
    let server = TestServer::start().await;
    let id = "00000000-0000-4000-8000-000000000020";
    let mut original = kiosk_response(id);
    original["answers"]["comment"] = json!({"type": "text", "value": "Call me on 555-0101, Ana"});
    let (_, reply) = server
        .post_batch(&json!({"responses": [original.clone()]}))
        .await;
    assert_eq!(statuses(&reply), ["accepted"]);
    let (_, comments) = server.get_json("/api/v1/comments").await;
    assert!(comments.to_string().contains("555-0101"));
    let (_, figures) = server.get_json("/api/v1/aggregates").await;

    let (status, purged) = post_empty(&server, &format!("/api/v1/responses/{id}/purge-text")).await;
    assert_eq!(status, 200, "{purged}");
    assert_eq!(purged, json!({"id": id, "removed": 1}));

    let stored = server.stored().await;
    assert_eq!(stored.len(), 1);
    let payload: Value = serde_json::from_str(&stored[0].1).unwrap();
    assert!(!stored[0].1.contains("555-0101"), "{}", stored[0].1);
    assert!(payload["answers"].get("comment").is_none());
    assert_eq!(
        payload["answers"]["overall"],
        json!({"type": "rating", "value": 5})
    );
    let (_, comments) = server.get_json("/api/v1/comments").await;
    assert!(!comments.to_string().contains("555-0101"), "{comments}");
    assert_eq!(server.get_json("/api/v1/aggregates").await.1, figures);

    // The device resends the original: a duplicate, and the text stays out.
    let (_, reply) = server
        .post_batch(&json!({"responses": [original.clone()]}))
        .await;
    assert_eq!(statuses(&reply), ["duplicate"], "{reply}");
    assert!(!server.stored().await[0].1.contains("555-0101"));
    // Other content under the same id is still a conflict.
    let mut other = original.clone();
    other["answers"]["overall"] = json!({"type": "rating", "value": 1});
    let (_, reply) = server.post_batch(&json!({"responses": [other]})).await;
    assert_eq!(statuses(&reply), ["rejected"], "{reply}");

    // Again: nothing left to remove.
    let (status, again) = post_empty(&server, &format!("/api/v1/responses/{id}/purge-text")).await;
    assert_eq!((status, again["removed"].clone()), (200, json!(0)));
    for path in [
        "/api/v1/responses/00000000-0000-4000-8000-000000000099/purge-text",
        "/api/v1/responses/not-a-uuid/purge-text",
    ] {
        assert_eq!(post_empty(&server, path).await.0, 404, "{path}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_on_one_server_reaches_the_other_within_the_reload_interval() {
    let (_dir, url) = lasting_database().await;
    let a = start_on(&url, 1).await;
    let b = start_on(&url, 1).await;
    assert_eq!(upload(&a, &lobby_without_ease(3)).await.0, 201);
    assert_eq!(
        post_empty(&a, "/api/v1/questionnaires/lobby/3/activate")
            .await
            .0,
        204
    );
    let mut s01 = branch_of(&a, "S01").await.unwrap();
    s01["active"] = json!(false);
    assert_eq!(put(&a, "/api/v1/branches/S01", &s01).await.0, 200);

    let started = Instant::now();
    loop {
        let seen = served_lobby_version(&b).await == 3
            && branch_of(&b, "S01").await.unwrap()["active"] == false;
        if seen {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "server b still serves the old catalog"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("seen by the other server after {:?}", started.elapsed());
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_response_naming_a_branch_new_on_another_server_is_looked_up_at_once() {
    let (_dir, url) = lasting_database().await;
    let a = start_on(&url, 3600).await;
    // b would not check for an hour on its own.
    let b = start_on(&url, 3600).await;
    let z01 = json!({"code": "Z01", "name": "Harbour", "region": "South", "active": true});
    assert_eq!(post(&a, "/api/v1/branches", &z01).await.0, 201);
    assert_eq!(upload(&a, &lobby_without_ease(3)).await.0, 201);
    let mut kiosk = kiosk_response("00000000-0000-4000-8000-000000000030");
    kiosk["branch"] = json!("Z01");
    kiosk["questionnaire_version"] = json!(3);
    kiosk["answers"].as_object_mut().unwrap().remove("ease");
    // The tablet is enrolled through a (b does not know Z01 yet); its
    // token is good on every server.
    let (_, token) = a.enrol("kiosk", "Z01").await;
    let (_, reply) = b
        .post_batch_as(&token, &json!({"responses": [kiosk]}))
        .await;
    assert_eq!(statuses(&reply), ["accepted"], "{reply}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn only_an_admin_changes_the_catalog_and_each_change_is_audited() {
    let server = TestServer::start().await;
    let manager = server.user("ana", "manager", Some("N01"), None).await;
    let z01 = json!({"code": "Z01", "name": "Harbour", "region": "South", "active": true});
    let purge = "/api/v1/responses/00000000-0000-4000-8000-000000000040/purge-text";
    let calls: [(reqwest::Method, &str, Option<&Value>); 6] = [
        (reqwest::Method::GET, "/api/v1/questionnaires/all", None),
        (reqwest::Method::POST, "/api/v1/questionnaires", None),
        (
            reqwest::Method::POST,
            "/api/v1/questionnaires/lobby/2/activate",
            None,
        ),
        (reqwest::Method::POST, "/api/v1/branches", Some(&z01)),
        (reqwest::Method::PUT, "/api/v1/branches/N01", Some(&z01)),
        (reqwest::Method::POST, purge, None),
    ];
    let (_, branches_before) = server.get_json("/api/v1/branches").await;
    for (method, path, body) in &calls {
        let mut anonymous = server.client.request(method.clone(), server.at(path));
        let mut as_manager = manager.on(server.client.request(method.clone(), server.at(path)));
        if let Some(body) = body {
            anonymous = anonymous.json(body);
            as_manager = as_manager.json(body);
        }
        assert_eq!(
            anonymous.send().await.unwrap().status(),
            401,
            "{method} {path}"
        );
        assert_eq!(
            as_manager.send().await.unwrap().status(),
            403,
            "{method} {path}"
        );
    }
    assert_eq!(server.get_json("/api/v1/branches").await.1, branches_before);

    // Each change, made by the admin, leaves one line naming them.
    assert_eq!(post(&server, "/api/v1/branches", &z01).await.0, 201);
    let mut closed = z01.clone();
    closed["active"] = json!(false);
    assert_eq!(put(&server, "/api/v1/branches/Z01", &closed).await.0, 200);
    assert_eq!(upload(&server, &lobby_without_ease(3)).await.0, 201);
    assert_eq!(
        post_empty(&server, "/api/v1/questionnaires/lobby/3/activate")
            .await
            .0,
        204
    );
    let id = "00000000-0000-4000-8000-000000000040";
    let (_, reply) = server
        .post_batch(&json!({"responses": [kiosk_response(id)]}))
        .await;
    assert_eq!(statuses(&reply), ["accepted"]);
    assert_eq!(post_empty(&server, purge).await.0, 200);

    let (status, log) = server.get_json("/api/v1/audit?limit=50").await;
    assert_eq!(status, 200, "{log}");
    let mine: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            let action = e["action"].as_str().unwrap();
            action.starts_with("branch.")
                || action.starts_with("questionnaire.")
                || action.starts_with("response.")
        })
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("response.purge_text", id),
        ("questionnaire.activate", "lobby/3"),
        ("questionnaire.upload", "lobby/3"),
        ("branch.update", "Z01"),
        ("branch.create", "Z01"),
    ];
    assert_eq!(
        mine,
        expected
            .iter()
            .map(|(a, t)| ("user:admin".to_owned(), a.to_string(), t.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(
        !log.to_string().contains("Quick and friendly"),
        "no text in the log"
    );
    server.stop().await;
}

#[tokio::test]
async fn catalog_refusals_name_their_problem_and_field() {
    let server = TestServer::start().await;
    let problem = |body: &Value| {
        (
            body["code"].as_str().unwrap_or("(no code)").to_owned(),
            body["field"].as_str().map(str::to_owned),
        )
    };
    let n01 = json!({"code": "N01", "name": "X", "region": "North"});
    let (status, body) = post(&server, "/api/v1/branches", &n01).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        problem(&body),
        ("branch_exists".into(), Some("code".into()))
    );
    let bad = json!({"code": "z 1", "name": "X", "region": "South"});
    let (status, body) = post(&server, "/api/v1/branches", &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        problem(&body),
        ("branch_code_format".into(), Some("code".into()))
    );
    let blank = json!({"code": "Z02", "name": " ", "region": "South"});
    let (_, body) = post(&server, "/api/v1/branches", &blank).await;
    assert_eq!(problem(&body), ("empty".into(), Some("name".into())));
    let (status, body) = put(&server, "/api/v1/branches/N02", &n01).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        problem(&body),
        ("branch_code_changed".into(), Some("code".into()))
    );

    let broken = kiosk_file().replacen("\"dimension\": \"empathy\"", "\"dimension\": \"speed\"", 1);
    let (status, body) = upload(&server, &broken).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(problem(&body).0, "questionnaire_unreadable");
    let twice = kiosk_file().replacen("\"languages\": [", "\"languages\": [\"en\", ", 1);
    let (status, body) = upload(&server, &twice).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(problem(&body).0, "questionnaire_invalid", "{body}");
    let (status, body) = upload(&server, &lobby_without_ease(2)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(problem(&body).0, "questionnaire_version_exists");
    server.stop().await;
}
