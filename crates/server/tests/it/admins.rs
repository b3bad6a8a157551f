//! Admins managing accounts (issue 16): at least one active admin under
//! concurrency, role and scope changes, `reset-password` on a deactivated
//! account. Over HTTP against a real server, on SQLite and on PostgreSQL.

use crate::common;

use common::{Session, TestServer};
use serde_json::{json, Value};

/// `PATCH /users/{id}` with `body` as `who`.
async fn patch_user(s: &TestServer, who: &Session, id: &str, body: &Value) -> (u16, Value) {
    let resp = who
        .on(s.client.patch(s.at(&format!("/api/v1/users/{id}"))))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Every account as `who` sees it (an admin).
async fn users(s: &TestServer, who: &Session) -> Vec<Value> {
    let resp = who
        .on(s.client.get(s.at("/api/v1/users")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json::<Vec<Value>>().await.unwrap()
}

/// A new admin made by `by`, signed in.
async fn new_admin(s: &TestServer, by: &Session, username: &str) -> Session {
    let password = format!("{username} password 2026");
    let resp = by
        .on(s.client.post(s.at("/api/v1/users")))
        .json(&json!({"username": username, "password": password, "role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    s.login(username, &password).await.unwrap()
}

fn id_of(session: &Session) -> String {
    session.body["user"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn admins_removing_each_other_at_once_always_leave_one_active_admin() {
    let s = TestServer::start().await;
    let mut last = s.admin_session().await.clone();
    for round in 0..4 {
        // `last` makes two admins, and one of them retires `last`: the two
        // are then the only active admins, and each removes the other.
        let p = new_admin(&s, &last, &format!("p{round}")).await;
        let q = new_admin(&s, &last, &format!("q{round}")).await;
        let (status, body) = patch_user(&s, &p, &id_of(&last), &json!({"active": false})).await;
        assert_eq!(status, 200, "{body}");
        // Deactivating and demoting are both ways to remove an admin.
        let remove = if round % 2 == 0 {
            json!({"active": false})
        } else {
            json!({"role": "manager", "branch": "N01"})
        };
        let (p_id, q_id) = (id_of(&p), id_of(&q));
        let (a, b) = tokio::join!(
            patch_user(&s, &p, &q_id, &remove),
            patch_user(&s, &q, &p_id, &remove)
        );
        let admins: Vec<Value> = users(&s, if a.0 == 200 { &p } else { &q })
            .await
            .into_iter()
            .filter(|u| u["role"] == "admin" && u["active"] == true)
            .collect();
        assert_eq!(
            admins.len(),
            1,
            "round {round}: {a:?} {b:?} leave {admins:?}"
        );
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        // One removal wins; the other is refused as the last admin (409),
        // or, when its author was already removed before being let in, as
        // signed out (401, deactivated) or no longer an admin (403, demoted).
        assert_eq!(statuses[0], 200, "{a:?} {b:?}");
        assert!([401, 403, 409].contains(&statuses[1]), "{a:?} {b:?}");
        if statuses[1] == 409 {
            let refused = if a.0 == 409 { &a.1 } else { &b.1 };
            assert!(
                refused["error"]
                    .as_str()
                    .unwrap()
                    .contains("last active admin"),
                "{refused}"
            );
        }
        last = if admins[0]["username"] == format!("p{round}") {
            p
        } else {
            q
        };
    }
    s.stop().await;
}

#[tokio::test]
async fn an_admin_changes_a_role_or_scope_within_the_rules_and_it_is_audited() {
    let s = TestServer::start().await;
    let admin = s.admin_session().await.clone();
    let ana = s.user("ana", "manager", Some("N01"), None).await;
    let ana_id = id_of(&ana);

    // Another branch, then a region: the old branch goes with the role.
    let (status, body) = patch_user(&s, &admin, &ana_id, &json!({"branch": "N02"})).await;
    assert_eq!((status, &body["branch"]), (200, &json!("N02")), "{body}");
    let (status, body) = patch_user(
        &s,
        &admin,
        &ana_id,
        &json!({"role": "regional", "region": "South"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "regional");
    assert_eq!(body["region"], "South");
    assert_eq!(body["branch"], Value::Null);
    // Her session reads with the new scope at once.
    let resp = ana
        .on(s.client.get(s.at("/api/v1/session")))
        .send()
        .await
        .unwrap();
    let now: Value = resp.json().await.unwrap();
    assert_eq!(now["user"]["role"], "regional");

    // Core's checks, naming the field; nothing is written.
    for (bad, field) in [
        (json!({"role": "manager"}), "branch"),
        (json!({"role": "manager", "branch": "NOPE"}), "branch"),
        (json!({"role": "regional", "region": "Atlantis"}), "region"),
        (json!({"role": "admin", "branch": "N01"}), "role"),
        (json!({"branch": "N01"}), "branch"),
        (json!({"role": "owner"}), "role"),
    ] {
        let (status, body) = patch_user(&s, &admin, &ana_id, &bad).await;
        assert!([400, 422].contains(&status), "{bad}: {status} {body}");
        assert!(
            body["error"].as_str().unwrap().contains(field),
            "{bad}: {body}"
        );
    }
    let stored = users(&s, &admin).await;
    let stored = stored.iter().find(|u| u["id"] == ana_id.as_str()).unwrap();
    assert_eq!(
        (&stored["role"], &stored["region"]),
        (&json!("regional"), &json!("South"))
    );

    // Only admins change accounts.
    let (status, _) = patch_user(&s, &ana, &ana_id, &json!({"role": "admin"})).await;
    assert_eq!(status, 403);

    // The last active admin keeps the role, also when asked by themselves.
    let (status, body) = patch_user(
        &s,
        &admin,
        &id_of(&admin),
        &json!({"role": "manager", "branch": "N01"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    // Promoted, ana may then demote the first admin, who loses admin access.
    let (status, body) = patch_user(&s, &admin, &ana_id, &json!({"role": "admin"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["region"].clone(), body["branch"].clone()),
        (Value::Null, Value::Null)
    );
    let (status, body) = patch_user(
        &s,
        &ana,
        &id_of(&admin),
        &json!({"role": "manager", "branch": "S01"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let resp = admin
        .on(s.client.get(s.at("/api/v1/users")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    // Audited, with the scope before and after.
    let resp = ana
        .on(s.client.get(s.at("/api/v1/audit?limit=1000")))
        .send()
        .await
        .unwrap();
    let log: Vec<Value> = resp.json().await.unwrap();
    let demoted = log
        .iter()
        .find(|e| e["action"] == "user.update" && e["target"] == "admin")
        .expect("the demotion is audited");
    assert_eq!(demoted["actor"], "user:ana");
    assert_eq!(demoted["detail"]["before"]["role"], "admin");
    assert_eq!(demoted["detail"]["after"]["role"], "manager");
    assert_eq!(demoted["detail"]["after"]["branch"], "S01");
    s.stop().await;
}

#[tokio::test]
async fn reset_password_reactivates_a_deactivated_account_and_says_so() {
    let s = TestServer::start().await;
    let admin = s.admin_session().await.clone();
    let ana = s.user("ana", "manager", Some("N01"), None).await;
    let (status, _) = patch_user(&s, &admin, &id_of(&ana), &json!({"active": false})).await;
    assert_eq!(status, 200);

    let store = branchpulse_server::store::Store::connect(&s.database_url)
        .await
        .unwrap();
    let reset = branchpulse_server::auth::first_run::reset_password(&store, "ana")
        .await
        .unwrap();
    assert!(reset.reactivated);
    let again = branchpulse_server::auth::first_run::reset_password(&store, "admin")
        .await
        .unwrap();
    assert!(
        !again.reactivated,
        "an active account is only given a password"
    );
    store.close().await;

    let session = s.login("ana", &reset.password).await.expect("ana signs in");
    assert_eq!(session.body["user"]["active"], true);
    s.stop().await;
}
