//! Mystery shops stay secret from the branch being shopped: managers see a
//! visit of their branches only once its report has been approved, and
//! never the shopper; mystery-shop questionnaires go only to enrolled
//! shoppers' phones and admins, while kiosk questionnaires stay public.
//! Over HTTP, on both backends.

use crate::common;

use common::{Session, TestServer};
use serde_json::{json, Value};

/// A complete mystery-shop report for `branch`, naming `assignment`.
fn report(n: u32, branch: &str, assignment: &Value) -> Value {
    let file =
        std::fs::read_to_string(common::questionnaires_dir().join("mystery_shop.json")).unwrap();
    let q = branchpulse_core::questionnaire::load("mystery_shop.json", &file).unwrap();
    let mut r = json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "questionnaire_id": "branch_visit",
        "questionnaire_version": 2,
        "branch": branch,
        "device_id": "phone-1",
        "channel": "mystery_shop",
        "locale": "en",
        "started_at": "2026-03-01T09:30:00Z",
        "submitted_at": "2026-03-01T10:31:00Z",
        "answers": {},
        "assignment": assignment,
    });
    for item in q.items().filter(|i| i.required && i.show_if.is_none()) {
        r["answers"][&item.id] = match &item.kind {
            branchpulse_core::ItemKind::YesNo => json!({"type": "yes_no", "value": "na"}),
            branchpulse_core::ItemKind::Seconds { .. } => json!({"type": "seconds", "value": 60}),
            branchpulse_core::ItemKind::Choice { options } => {
                json!({"type": "choice", "value": options[0].id})
            }
            other => panic!("unexpected required item {other:?}"),
        };
    }
    r
}

/// GET `path` with a session, a device token or nothing: status, body and
/// the Cache-Control header.
async fn read(
    server: &TestServer,
    path: &str,
    session: Option<&Session>,
    token: Option<&str>,
) -> (u16, Value, Option<String>) {
    let mut request = server.client.get(server.at(path));
    if let Some(s) = session {
        request = s.on(request);
    }
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let resp = request.send().await.unwrap();
    let status = resp.status().as_u16();
    let cache = resp
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        cache,
    )
}

fn ids(visits: &Value) -> Vec<String> {
    visits
        .as_array()
        .unwrap_or_else(|| panic!("{visits}"))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn managers_see_only_done_visits_of_their_branches_and_never_the_shopper() {
    let server = TestServer::start().await;
    let mut made = Vec::new();
    for (branch, due) in [
        ("N01", "2026-04-01"),
        ("N01", "2026-05-01"),
        ("N02", "2026-04-15"),
    ] {
        let (status, visit) = server
            .admin_json(
                reqwest::Method::POST,
                "/api/v1/visits",
                &json!({"branch": branch, "scenario": "Ask about a mortgage", "questionnaire_id": "branch_visit", "window": {"from": due, "to": due}, "shopper": "Shopper 1"}),
            )
            .await;
        assert_eq!(status, 201, "{visit}");
        made.push(visit);
    }
    let manager = server
        .user("manager-n01", "manager", Some("N01"), None)
        .await;
    let regional = server
        .user("regional-north", "regional", None, Some("North"))
        .await;

    // Upcoming visits are not shown to the branches shopped.
    for who in [&manager, &regional] {
        let (status, visits, _) = read(&server, "/api/v1/visits", Some(who), None).await;
        assert_eq!(status, 200, "{visits}");
        assert_eq!(visits, json!([]), "{}", who.body["user"]["username"]);
        let (_, visits, _) = read(&server, "/api/v1/visits?branch=N01", Some(who), None).await;
        assert_eq!(visits, json!([]));
    }

    // The first N01 visit is reported: held for review, still not shown.
    let report = report(1, "N01", &made[0]["id"]);
    let (status, reply) = server.post_batch(&json!({"responses": [report]})).await;
    assert_eq!(
        (status, &reply["results"][0]["status"]),
        (200, &json!("accepted")),
        "{reply}"
    );
    for who in [&manager, &regional] {
        let (_, visits, _) = read(&server, "/api/v1/visits", Some(who), None).await;
        assert_eq!(visits, json!([]));
    }
    // Approved, it counts, without its shopper.
    let (status, reply) = server
        .admin_json(
            reqwest::Method::POST,
            &format!("/api/v1/reports/{}/review", report["id"].as_str().unwrap()),
            &json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    for who in [&manager, &regional] {
        let (_, visits, _) = read(&server, "/api/v1/visits", Some(who), None).await;
        assert_eq!(ids(&visits), [made[0]["id"].as_str().unwrap()], "{visits}");
        assert_eq!(visits[0]["shopper"], Value::Null, "{visits}");
        assert_eq!(visits[0]["scenario"], "Ask about a mortgage");
        assert!(!visits.to_string().contains("Shopper 1"));
    }

    // Admins and the shopper's phone still see every visit, with the shopper.
    let (_, all) = server.get_json("/api/v1/visits").await;
    assert_eq!(ids(&all).len(), 3);
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["shopper"] == "Shopper 1"));
    let phone = server.token_for(&json!({"channel": "mystery_shop"})).await;
    let (status, mine, _) = read(&server, "/api/v1/visits", None, Some(&phone)).await;
    assert_eq!((status, ids(&mine).len()), (200, 3), "{mine}");
    server.stop().await;
}

#[tokio::test]
async fn mystery_shop_questionnaires_go_only_to_shoppers_phones_and_admins() {
    let server = TestServer::start().await;
    // A new version uploaded, not yet active.
    let mut v3: Value = serde_json::from_str(
        &std::fs::read_to_string(common::questionnaires_dir().join("mystery_shop.json")).unwrap(),
    )
    .unwrap();
    v3["version"] = json!(3);
    let (status, body) = server
        .admin_json(reqwest::Method::POST, "/api/v1/questionnaires", &v3)
        .await;
    assert_eq!(status, 201, "{body}");

    let manager = server
        .user("manager-n01", "manager", Some("N01"), None)
        .await;
    let kiosk = server.enrol("kiosk", "N01").await.1;
    let phone = server.enrol("shopper", "Shopper 9").await.1;
    let admin = server.admin_session().await.clone();
    let secret = [
        "/api/v1/questionnaires/branch_visit",
        "/api/v1/questionnaires/branch_visit/2",
        "/api/v1/questionnaires/branch_visit/3",
    ];

    // Nobody, a kiosk and a manager: refused, and left out of the list.
    for (who, session, token, refused) in [
        ("anonymous", None, None, 401),
        ("kiosk", None, Some(kiosk.as_str()), 403),
        ("manager", Some(&manager), None, 403),
    ] {
        for path in secret {
            let (status, body, _) = read(&server, path, session, token).await;
            assert_eq!(status, refused, "{who} {path}: {body}");
            assert!(body.get("sections").is_none(), "{who} {path}: {body}");
        }
        let (status, list, _) = read(&server, "/api/v1/questionnaires", session, token).await;
        assert_eq!(status, 200);
        let kinds: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["kiosk"], "{who}: {list}");
        // Kiosk questionnaires stay public.
        for path in [
            "/api/v1/questionnaires/lobby",
            "/api/v1/questionnaires/lobby/2",
        ] {
            let (status, q, _) = read(&server, path, session, token).await;
            assert_eq!((status, &q["id"]), (200, &json!("lobby")), "{who} {path}");
        }
    }

    // A shopper's phone and an admin read them, never from a cache.
    for (who, session, token) in [
        ("phone", None, Some(phone.as_str())),
        ("admin", Some(&admin), None),
    ] {
        for (path, version) in secret.iter().zip([2, 2, 3]) {
            let (status, q, cache) = read(&server, path, session, token).await;
            assert_eq!(
                (status, &q["version"]),
                (200, &json!(version)),
                "{who} {path}: {q}"
            );
            assert_eq!(cache.as_deref(), Some("no-store"), "{who} {path}");
        }
        let (_, list, _) = read(&server, "/api/v1/questionnaires", session, token).await;
        assert!(list.to_string().contains("branch_visit"), "{who}: {list}");
    }
    server.stop().await;
}
