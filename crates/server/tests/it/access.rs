//! Accounts, sessions, devices and scopes over HTTP (docs/access.md), on
//! SQLite and on PostgreSQL.

use crate::common;

use common::{kiosk_response, Session, TestServer, ADMIN_PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn kiosk_at(n: u32, branch: &str) -> Value {
    let mut r = kiosk_response(&id(n));
    r["branch"] = json!(branch);
    r
}

/// A complete mystery-shop report for `branch`, naming `assignment`.
fn report(n: u32, branch: &str, assignment: Option<&Value>) -> Value {
    let file =
        std::fs::read_to_string(common::questionnaires_dir().join("mystery_shop.json")).unwrap();
    let q = branchpulse_core::questionnaire::load("mystery_shop.json", &file).unwrap();
    let mut r = json!({
        "id": id(n),
        "questionnaire_id": "branch_visit",
        "questionnaire_version": 3,
        "branch": branch,
        "device_id": "phone-1",
        "channel": "mystery_shop",
        "locale": "en",
        "started_at": "2026-03-01T09:30:00Z",
        "submitted_at": "2026-03-01T10:31:00Z",
        "answers": {},
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
    if let Some(a) = assignment {
        r["assignment"] = a.clone();
    }
    r
}

async fn send(
    s: &TestServer,
    session: Option<&Session>,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = s.client.request(method, s.at(path));
    if let Some(session) = session {
        req = session.on(req);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn get_as(s: &TestServer, session: &Session, path: &str) -> (u16, Value) {
    let (status, _, body) = send(s, Some(session), Method::GET, path, None).await;
    (status, body)
}

async fn audit_actions(s: &TestServer) -> Vec<String> {
    let (status, log) = s.get_json("/api/v1/audit?limit=1000").await;
    assert_eq!(status, 200, "{log}");
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["action"].as_str().unwrap(),
                e["target"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn signing_in_sets_a_strict_cookie_and_signing_out_ends_the_session() {
    let s = TestServer::start().await;
    let resp = s
        .client
        .post(s.at("/api/v1/session"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert_eq!(
        resp.headers()["cache-control"],
        "no-store",
        "no cache keeps the csrf"
    );
    for part in [
        "bp_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["username"], "admin");
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"].get("password_hash").is_none());
    assert!(body["csrf"].as_str().unwrap().len() >= 32);

    // Behind a TLS proxy the cookie is Secure.
    let resp = s
        .client
        .post(s.at("/api/v1/session"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Secure"));

    let session = s.login("admin", ADMIN_PASSWORD).await.unwrap();
    let (status, me) = get_as(&s, &session, "/api/v1/session").await;
    assert_eq!((status, &me["user"]["username"]), (200, &json!("admin")));
    assert_eq!(me["csrf"], session.csrf);

    // Signing out needs the CSRF token like any change.
    let bare = s
        .client
        .delete(s.at("/api/v1/session"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status().as_u16(), 403);
    let (status, headers, _) =
        send(&s, Some(&session), Method::DELETE, "/api/v1/session", None).await;
    assert_eq!(status, 204);
    assert!(headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let (status, headers, _) = send(&s, Some(&session), Method::GET, "/api/v1/session", None).await;
    assert_eq!(status, 401, "the session ended on the server");
    assert!(headers.contains_key("www-authenticate"));
    let (status, _, _) = send(&s, None, Method::GET, "/api/v1/session", None).await;
    assert_eq!(status, 401);

    let actions = audit_actions(&s).await;
    assert!(
        actions.contains(&"session.start admin".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"session.end admin".to_owned()),
        "{actions:?}"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_name_get_the_same_answer() {
    let s = TestServer::start().await;
    let (status_a, wrong) = s
        .login("admin", "not the password at all")
        .await
        .unwrap_err();
    let (status_b, unknown) = s
        .login("nobody", "not the password at all")
        .await
        .unwrap_err();
    assert_eq!((status_a, status_b), (401, 401));
    assert_eq!(wrong, unknown);
    let (status, log) = s.get_json("/api/v1/audit").await;
    assert_eq!(status, 200);
    let text = log.to_string();
    assert!(text.contains("session.fail"), "{text}");
    assert!(
        !text.contains("not the password"),
        "no secret in the audit log: {text}"
    );
    s.stop().await;
}

#[tokio::test]
async fn state_changes_need_the_csrf_token_and_this_origin() {
    let s = TestServer::start().await;
    let admin = s.admin_session().await.clone();
    let new_user = json!({"username": "ana", "password": "ana password 2026", "role": "manager", "branch": "N01"});
    let no_token = s
        .client
        .post(s.at("/api/v1/users"))
        .header("cookie", &admin.cookie)
        .json(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status().as_u16(), 403);
    let wrong = s
        .client
        .post(s.at("/api/v1/users"))
        .header("cookie", &admin.cookie)
        .header("x-csrf-token", "forged")
        .json(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 403);
    let cross = admin
        .on(s.client.post(s.at("/api/v1/users")))
        .header("origin", "https://evil.example")
        .json(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403);
    let (status, users) = s.get_json("/api/v1/users").await;
    assert_eq!(
        (status, users.as_array().unwrap().len()),
        (200, 1),
        "nothing made: {users}"
    );
    let same = admin
        .on(s.client.post(s.at("/api/v1/users")))
        .header("origin", s.url.clone())
        .json(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status().as_u16(), 201);
    // Signing in from another site is refused too.
    let resp = s
        .client
        .post(s.at("/api/v1/session"))
        .header("origin", "https://evil.example")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    s.stop().await;
}

#[tokio::test]
async fn readers_see_only_their_scope_and_manage_nothing() {
    let s = TestServer::start().await;
    let batch: Vec<Value> = [(1, "N01"), (2, "N02"), (3, "S01"), (4, "N01")]
        .iter()
        .map(|(n, b)| kiosk_at(*n, b))
        .collect();
    let (status, _) = s.post_batch(&json!({ "responses": batch })).await;
    assert_eq!(status, 200);
    for (branch, due) in [("N01", "2026-05-01"), ("S01", "2026-05-02")] {
        let (status, body) = s
            .admin_json(
                Method::POST,
                "/api/v1/visits",
                &json!({"branch": branch, "scenario": "Open an account", "questionnaire_id": "branch_visit", "window": {"from": due, "to": due}}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let manager = s.user("ana", "manager", Some("N01"), None).await;
    let regional = s.user("bo", "regional", None, Some("North")).await;

    let (status, a) = get_as(&s, &manager, "/api/v1/aggregates").await;
    assert_eq!(status, 200, "{a}");
    let codes: Vec<&str> = a["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["N01"]);
    assert_eq!(a["network"]["n"], 4, "the network figure stays whole: {a}");
    let (status, a) = get_as(&s, &regional, "/api/v1/aggregates").await;
    assert_eq!(status, 200);
    assert!(a["branches"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["region"] == "North"));
    assert_eq!(a["branches"].as_array().unwrap().len(), 6);

    for (who, path) in [
        (&manager, "/api/v1/aggregates?branches=N02"),
        (&manager, "/api/v1/aggregates?branches=N01,N02"),
        (&manager, "/api/v1/aggregates?region=North"),
        (&manager, "/api/v1/items?branches=N02"),
        (&manager, "/api/v1/comments?branches=S01"),
        (&manager, "/api/v1/export/responses.csv?branches=N02"),
        (&manager, "/api/v1/visits?branch=S01"),
        (&regional, "/api/v1/aggregates?region=South"),
        (&regional, "/api/v1/export/aggregates.csv?branches=S01"),
        (&regional, "/api/v1/items?region=South"),
        (&manager, "/api/v1/users"),
        (&manager, "/api/v1/devices"),
        (&regional, "/api/v1/audit"),
    ] {
        let (status, body) = get_as(&s, who, path).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (status, _) = get_as(&s, &manager, "/api/v1/aggregates?branches=N01").await;
    assert_eq!(status, 200);

    // The N01 visit is not done yet: it stays secret from the branch
    // (tests/it/secrecy.rs shows it once its report is in).
    let (status, visits) = get_as(&s, &manager, "/api/v1/visits").await;
    assert_eq!(status, 200);
    assert_eq!(visits, serde_json::json!([]));
    let (status, visits) = s.get_json("/api/v1/visits").await;
    assert_eq!((status, visits.as_array().unwrap().len()), (200, 2));

    let resp = manager
        .on(s.client.get(s.at("/api/v1/export/responses.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let csv = resp.text().await.unwrap();
    assert_eq!(csv.lines().count(), 1 + 2, "header and N01's two: {csv}");
    assert!(!csv.contains("N02") && !csv.contains("S01"));

    let (status, _, _) = send(
        &s,
        Some(&manager),
        Method::POST,
        "/api/v1/visits",
        Some(&json!({"branch": "N01", "scenario": "x", "questionnaire_id": "branch_visit", "window": {"from": "2026-05-01", "to": "2026-05-01"}})),
    )
    .await;
    assert_eq!(status, 403);
    s.stop().await;
}

#[tokio::test]
async fn a_device_enrols_once_and_submits_only_what_it_may() {
    let s = TestServer::start().await;
    let (status, enrolment) = s
        .admin_json(
            Method::POST,
            "/api/v1/devices",
            &json!({"kind": "kiosk", "label": "Lobby tablet 1", "branch": "N01"}),
        )
        .await;
    assert_eq!(status, 201, "{enrolment}");
    let code = enrolment["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 11);
    assert_eq!(&code[5..6], "-");
    let plain = code.replace('-', "");
    assert_eq!(enrolment["url"], format!("/kiosk?enrol={plain}"));
    let svg = enrolment["qr_svg"].as_str().unwrap();
    assert!(svg.contains("<svg") && !svg.contains("<script"));
    assert_eq!(enrolment["device"]["status"], "pending");

    // Typed in lower case with spaces: still the code.
    let typed = format!("{} {}", plain[..5].to_lowercase(), &plain[5..]);
    let (status, _, enrolled) = send(
        &s,
        None,
        Method::POST,
        "/api/v1/devices/enrol",
        Some(&json!({"code": typed})),
    )
    .await;
    assert_eq!(status, 201, "{enrolled}");
    let token = enrolled["token"].as_str().unwrap().to_owned();
    let device_id = enrolled["device"]["id"].as_str().unwrap().to_owned();
    assert_eq!(enrolled["device"]["status"], "enrolled");
    let (status, _, again) = send(
        &s,
        None,
        Method::POST,
        "/api/v1/devices/enrol",
        Some(&json!({"code": code})),
    )
    .await;
    assert_eq!(status, 401, "a code works once: {again}");

    let batch = json!({"responses": [
        kiosk_at(1, "N01"),
        kiosk_at(2, "N02"),
        report(3, "N01", None),
    ]});
    let (status, reply) = s.post_batch_as(&token, &batch).await;
    assert_eq!(status, 200);
    let results = reply["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "accepted", "{reply}");
    assert_eq!(results[1]["status"], "rejected");
    assert!(
        results[1]["reason"]
            .as_str()
            .unwrap()
            .starts_with("branch:"),
        "{reply}"
    );
    assert_eq!(results[2]["status"], "rejected");
    assert!(
        results[2]["reason"]
            .as_str()
            .unwrap()
            .starts_with("channel:"),
        "{reply}"
    );
    assert_eq!(s.stored().await.len(), 1);

    // The response keeps the device that sent it, whatever its own device_id.
    let sql = if s.database_url.starts_with("postgres") {
        "SELECT enrolled_device::text FROM responses"
    } else {
        "SELECT enrolled_device FROM responses"
    };
    assert_eq!(
        common::scalar(&s.database_url, sql).await.as_deref(),
        Some(device_id.as_str())
    );

    let (status, devices) = s.get_json("/api/v1/devices").await;
    assert_eq!(status, 200);
    assert_eq!(devices[0]["status"], "enrolled");
    assert!(devices[0]["last_seen_at"].is_string());

    // A device token reads nothing and administers nothing.
    for path in [
        "/api/v1/aggregates",
        "/api/v1/items",
        "/api/v1/users",
        "/api/v1/visits",
        "/api/v1/session",
    ] {
        let (status, body) = s.get_as_device(&token, path).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    // A person cannot submit.
    let (status, _, _) = send(
        &s,
        Some(s.admin_session().await),
        Method::POST,
        "/api/v1/responses",
        Some(&batch),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = send(&s, None, Method::POST, "/api/v1/responses", Some(&batch)).await;
    assert_eq!(status, 401);

    let actions = audit_actions(&s).await;
    assert!(actions.contains(&format!("device.create {device_id}")));
    assert!(actions.contains(&format!("device.enrol {device_id}")));
    s.stop().await;
}

#[tokio::test]
async fn a_revoked_or_recoded_device_must_enrol_again() {
    let s = TestServer::start().await;
    let (device, token) = s.enrol("kiosk", "N01").await;
    let one = json!({"responses": [kiosk_at(1, "N01")]});
    assert_eq!(s.post_batch_as(&token, &one).await.0, 200);
    let (status, _) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/devices/{device}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let resp = s
        .client
        .post(s.at("/api/v1/responses"))
        .bearer_auth(&token)
        .json(&one)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));
    let (_, devices) = s.get_json("/api/v1/devices").await;
    assert_eq!(devices[0]["status"], "revoked");

    // A new code re-enables the device; the old token stays dead.
    let (status, enrolment) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/devices/{device}/code"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{enrolment}");
    let (status, _, enrolled) = send(
        &s,
        None,
        Method::POST,
        "/api/v1/devices/enrol",
        Some(&json!({"code": enrolment["code"]})),
    )
    .await;
    assert_eq!(status, 201);
    let fresh = enrolled["token"].as_str().unwrap();
    assert_eq!(s.post_batch_as(&token, &one).await.0, 401);
    let (status, reply) = s.post_batch_as(fresh, &one).await;
    assert_eq!(
        (status, &reply["results"][0]["status"]),
        (200, &json!("duplicate"))
    );
    // Recoding an enrolled device ends its token too.
    let (status, _) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/devices/{device}/code"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(s.post_batch_as(fresh, &one).await.0, 401);
    let unknown = uuid::Uuid::new_v4();
    let (status, _) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/devices/{unknown}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 404);
    s.stop().await;
}

#[tokio::test]
async fn sessions_tokens_and_codes_run_out() {
    let s = TestServer::start_with(|c| {
        c.session_secs = 2;
        c.device_token_secs = 2;
        c.enrol_code_secs = 2;
    })
    .await;
    let (_, token) = s.enrol("kiosk", "N01").await;
    let session = s.login("admin", ADMIN_PASSWORD).await.unwrap();
    let (status, pending) = s
        .admin_json(
            Method::POST,
            "/api/v1/devices",
            &json!({"kind": "shopper", "label": "Phone", "shopper": "Shopper 2"}),
        )
        .await;
    assert_eq!(status, 201);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(get_as(&s, &session, "/api/v1/session").await.0, 401);
    assert_eq!(
        s.post_batch_as(&token, &json!({"responses": [kiosk_at(1, "N01")]}))
            .await
            .0,
        401
    );
    let (status, _, _) = send(
        &s,
        None,
        Method::POST,
        "/api/v1/devices/enrol",
        Some(&json!({"code": pending["code"]})),
    )
    .await;
    assert_eq!(status, 401);
    let fresh = s.login("admin", ADMIN_PASSWORD).await.unwrap();
    let (_, devices) = get_as(&s, &fresh, "/api/v1/devices").await;
    assert!(
        devices
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "expired"),
        "{devices}"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_shoppers_phone_lists_and_reports_only_its_visits() {
    let s = TestServer::start().await;
    let mut visits = Vec::new();
    for shopper in [Some("Ana"), Some("Bo"), None] {
        let (status, v) = s
            .admin_json(
                Method::POST,
                "/api/v1/visits",
                &json!({"branch": "N01", "scenario": "Open an account", "questionnaire_id": "branch_visit", "window": {"from": "2026-05-01", "to": "2026-05-01"}, "shopper": shopper}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
        assert_eq!(v["shopper"], json!(shopper));
        visits.push(v["id"].clone());
    }
    let (_, ana) = s.enrol("shopper", "Ana").await;
    let (status, listed) = s.get_as_device(&ana, "/api/v1/visits").await;
    assert_eq!(status, 200, "{listed}");
    let ids: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["id"])
        .collect();
    assert_eq!(
        ids,
        [&visits[0], &visits[2]],
        "Ana's and the unassigned one"
    );
    let (_, kiosk) = s.enrol("kiosk", "N01").await;
    assert_eq!(s.get_as_device(&kiosk, "/api/v1/visits").await.0, 403);

    let batch = json!({"responses": [
        report(1, "N01", Some(&visits[0])),
        report(2, "N01", Some(&visits[1])),
        report(3, "N01", Some(&visits[2])),
        report(4, "N01", Some(&json!(uuid::Uuid::new_v4()))),
        report(5, "N02", Some(&visits[0])),
        report(6, "N02", None),
    ]});
    let (status, reply) = s.post_batch_as(&ana, &batch).await;
    assert_eq!(status, 200);
    let statuses: Vec<&str> = reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["accepted", "rejected", "accepted", "rejected", "rejected", "accepted"],
        "{reply}"
    );
    assert!(reply["results"][1]["reason"]
        .as_str()
        .unwrap()
        .contains("another shopper"));
    s.stop().await;
}

#[tokio::test]
async fn admins_manage_accounts_and_changes_end_sessions() {
    let s = TestServer::start().await;
    let ana = s.user("ana", "manager", Some("N01"), None).await;
    let (status, users) = s.get_json("/api/v1/users").await;
    assert_eq!(status, 200);
    assert_eq!(users.as_array().unwrap().len(), 2);
    assert!(!users.to_string().contains("argon2"), "no hashes: {users}");
    let ana_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "ana")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for (body, status) in [
        (
            json!({"username": "ana", "password": "another password", "role": "manager", "branch": "N02"}),
            409,
        ),
        (
            json!({"username": "cy", "password": "short", "role": "manager", "branch": "N02"}),
            422,
        ),
        (
            json!({"username": "cy", "password": "long enough password", "role": "manager", "branch": "ZZ9"}),
            422,
        ),
        (
            json!({"username": "cy", "password": "long enough password", "role": "boss"}),
            422,
        ),
        (
            json!({"username": "x'; DROP TABLE users;--", "password": "long enough password", "role": "admin"}),
            422,
        ),
    ] {
        let (got, reply) = s.admin_json(Method::POST, "/api/v1/users", &body).await;
        assert_eq!(got, status, "{body}: {reply}");
    }

    let (status, changed) = s
        .admin_json(
            Method::PATCH,
            &format!("/api/v1/users/{ana_id}"),
            &json!({"password": "ana new password 2026"}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        get_as(&s, &ana, "/api/v1/session").await.0,
        401,
        "her session ended"
    );
    assert!(s.login("ana", "ana password 2026").await.is_err());
    let ana = s.login("ana", "ana new password 2026").await.unwrap();

    let (status, changed) = s
        .admin_json(
            Method::PATCH,
            &format!("/api/v1/users/{ana_id}"),
            &json!({"active": false}),
        )
        .await;
    assert_eq!((status, &changed["active"]), (200, &json!(false)));
    assert_eq!(get_as(&s, &ana, "/api/v1/session").await.0, 401);
    assert_eq!(
        s.login("ana", "ana new password 2026").await.unwrap_err().0,
        401
    );

    let me = s.admin_session().await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = s
        .admin_json(
            Method::PATCH,
            &format!("/api/v1/users/{me}"),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(status, 409, "an admin cannot lock themselves out");
    let (status, _) = s
        .admin_json(
            Method::PATCH,
            &format!("/api/v1/users/{}", uuid::Uuid::new_v4()),
            &json!({"active": true}),
        )
        .await;
    assert_eq!(status, 404);
    let actions = audit_actions(&s).await;
    assert!(
        actions.iter().filter(|a| *a == "user.update ana").count() == 2,
        "{actions:?}"
    );
    assert!(actions.contains(&"user.create ana".to_owned()));
    s.stop().await;
}

#[tokio::test]
async fn failed_sign_ins_lock_the_account_for_a_while() {
    let s = TestServer::start().await;
    s.user("ana", "manager", Some("N01"), None).await;
    // Seven failures that get through: the seventh locks for 4 seconds.
    // (Attempts while locked are refused before the check and do not count.)
    let mut failures = 0;
    while failures < 7 {
        let resp = s
            .client
            .post(s.at("/api/v1/session"))
            .json(&json!({"username": "ana", "password": "wrong password!!"}))
            .send()
            .await
            .unwrap();
        match resp.status().as_u16() {
            401 => failures += 1,
            429 => {
                assert!(failures >= 5, "locked after {failures} failures");
                let wait: u64 = resp.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let resp = s
        .client
        .post(s.at("/api/v1/session"))
        .json(&json!({"username": "ana", "password": "ana password 2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        429,
        "locked: even the right password waits"
    );
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=4).contains(&retry), "{retry}");
    tokio::time::sleep(Duration::from_secs(retry)).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        s.login("ana", "ana password 2026").await.is_ok(),
        "the lock passed"
    );
    // A success starts the count again: four more failures lock nothing.
    for _ in 0..4 {
        assert_eq!(s.login("ana", "wrong password!!").await.unwrap_err().0, 401);
    }
    assert!(s.login("ana", "ana password 2026").await.is_ok());
    s.stop().await;
}

#[tokio::test]
async fn the_first_admin_is_made_once_even_by_replicas_starting_together() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database(dir.path()).await;
    // Migrated first: two SQLite servers cannot migrate one file at once
    // (PostgreSQL's migrations take a lock); the race here is the admin's.
    branchpulse_server::store::Store::connect(&url)
        .await
        .unwrap()
        .close()
        .await;
    let (a, b) = tokio::join!(
        TestServer::start_with({
            let url = url.clone();
            move |c| c.database_url = url
        }),
        TestServer::start_with({
            let url = url.clone();
            move |c| {
                c.database_url = url;
                // The other replica's password: only one of them is used.
                c.admin_password = Some("another admin password".into());
            }
        }),
    );
    let first = a.login("admin", ADMIN_PASSWORD).await.is_ok();
    let second = b.login("admin", "another admin password").await.is_ok();
    assert!(first != second, "exactly one password made the admin");
    a.stop().await;
    b.stop().await;

    // A weak password stops the start with a clear error.
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config_in(dir.path());
    config.admin_password = Some("short".into());
    let err = branchpulse_server::Server::bind(config)
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("BRANCHPULSE_ADMIN_PASSWORD"),
        "{err}"
    );
}

#[tokio::test]
async fn reset_password_prints_a_new_one_and_ends_the_sessions() {
    let s = TestServer::start().await;
    let session = s.admin_session().await.clone();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_branchpulse-server"))
        .args(["--database-url", &s.database_url, "reset-password", "admin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let password = printed
        .lines()
        .find_map(|l| l.split("password:").nth(1))
        .map(|p| p.trim_matches(|c: char| c.is_whitespace() || c == '│'))
        .unwrap()
        .to_owned();
    assert_eq!(password.len(), 20, "{printed}");
    assert_eq!(get_as(&s, &session, "/api/v1/session").await.0, 401);
    assert!(s.login("admin", ADMIN_PASSWORD).await.is_err());
    assert!(s.login("admin", &password).await.is_ok());

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_branchpulse-server"))
        .args([
            "--database-url",
            &s.database_url,
            "reset-password",
            "nobody",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account \"nobody\""));
    s.stop().await;
}

/// The code and field of an error body, to compare whole.
fn problem(body: &Value) -> (&str, Option<&str>) {
    (
        body["code"].as_str().unwrap_or("(no code)"),
        body["field"].as_str(),
    )
}

#[tokio::test]
async fn refusals_name_their_problem_and_the_field_at_fault() {
    let s = TestServer::start().await;
    let (status, body) = s
        .login("admin", "not the password at all")
        .await
        .unwrap_err();
    assert_eq!((status, problem(&body)), (401, ("bad_credentials", None)));
    let (status, _, body) = send(&s, None, Method::GET, "/api/v1/users", None).await;
    assert_eq!((status, problem(&body)), (401, ("sign_in_required", None)));
    let stale = Session {
        cookie: "bp_session=ended-long-ago".into(),
        csrf: "x".into(),
        body: Value::Null,
    };
    let (status, body) = get_as(&s, &stale, "/api/v1/users").await;
    assert_eq!((status, problem(&body)), (401, ("session_expired", None)));

    let admin = s.admin_session().await.clone();
    let forged = Session {
        csrf: "forged".into(),
        ..admin.clone()
    };
    let ana = json!({"username": "ana", "password": "ana password 2026", "role": "manager", "branch": "N01"});
    let (status, _, body) =
        send(&s, Some(&forged), Method::POST, "/api/v1/users", Some(&ana)).await;
    assert_eq!((status, problem(&body)), (403, ("csrf", None)));

    let users = "/api/v1/users";
    let mut cases = vec![
        (
            json!({"username": "ana", "password": "short", "role": "manager", "branch": "N01"}),
            422,
            ("password_too_short", Some("password")),
        ),
        (
            json!({"username": "a b", "password": "ana password 2026", "role": "manager", "branch": "N01"}),
            422,
            ("username_characters", Some("username")),
        ),
        (
            json!({"username": "ana", "password": "ana password 2026", "role": "manager", "branch": "X99"}),
            422,
            ("unknown_branch", Some("branch")),
        ),
        (
            json!({"username": "ana", "password": "ana password 2026", "role": "regional", "region": "West"}),
            422,
            ("unknown_region", Some("region")),
        ),
        (
            json!({"username": "ana", "password": "ana password 2026", "role": "chief"}),
            422,
            ("unexpected_json", Some("role")),
        ),
    ];
    cases.push((ana.clone(), 201, ("(no code)", None)));
    cases.push((ana.clone(), 409, ("username_taken", Some("username"))));
    for (body, status, expected) in cases {
        let (got, _, reply) = send(&s, Some(&admin), Method::POST, users, Some(&body)).await;
        assert_eq!(
            (got, problem(&reply)),
            (status, expected),
            "{body}: {reply}"
        );
        if status >= 400 {
            assert!(reply["error"].as_str().is_some_and(|e| !e.is_empty()));
        }
    }

    let me = admin.body["user"]["id"].as_str().unwrap().to_owned();
    let (status, _, body) = send(
        &s,
        Some(&admin),
        Method::PATCH,
        &format!("/api/v1/users/{me}"),
        Some(&json!({"active": false})),
    )
    .await;
    assert_eq!(
        (status, problem(&body)),
        (409, ("own_account", Some("active")))
    );

    let manager = s.login("ana", "ana password 2026").await.unwrap();
    let (status, _, body) = send(&s, Some(&manager), Method::POST, users, Some(&ana)).await;
    assert_eq!((status, problem(&body)), (403, ("admin_only", None)));
    let (status, body) = get_as(&s, &manager, "/api/v1/aggregates?branches=N02").await;
    assert_eq!(
        (status, problem(&body)),
        (403, ("outside_scope", Some("branches")))
    );
    s.stop().await;
}
