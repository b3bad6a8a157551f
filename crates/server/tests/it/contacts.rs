//! A customer's request to be contacted (`POST /api/v1/contacts`), sent by
//! the kiosk after its response: kept apart from the answers (in no
//! payload, export or comment), the contact-request alert raised once per
//! rule covering the branch in the same transaction (never again on a
//! resend, nor by a second server on the same database), refused to other
//! devices and branches, 409 until the response has arrived, and a bad
//! number or address refused at `value` with nothing changed. On SQLite and
//! on PostgreSQL.

use crate::common;

use common::{digest, kiosk_response, scalar, TestServer};
use serde_json::{json, Value};

/// The rule migration 0010 seeds: managers and regional managers hear of
/// every contact request in the network.
const SEEDED_RULE: &str = "6b1f3c0e-2f5a-4d7e-9c1a-0c0a7e11c0de";
const PHONE: &str = "+44 20 7946 0000";

fn response_id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn contact_id(n: u32) -> String {
    format!("00000000-0000-4000-a000-{n:012}")
}

fn contact(n: u32, response: &str, way: &str, value: &str) -> Value {
    json!({"id": contact_id(n), "response": response, "way": way, "value": value, "locale": "es"})
}

/// A server with a kiosk of N01 that has sent response 1 (it has a comment).
async fn with_response() -> (TestServer, String) {
    let s = TestServer::start().await;
    let (_, kiosk) = s.enrol("kiosk", "N01").await;
    send_response(&s, &kiosk, 1).await;
    (s, kiosk)
}

async fn send_response(s: &TestServer, token: &str, n: u32) {
    let (status, reply) = s
        .post_batch_as(
            token,
            &json!({"responses": [kiosk_response(&response_id(n))]}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
}

async fn count(s: &TestServer, sql: &str) -> u64 {
    let n = scalar(
        &s.database_url,
        &format!("SELECT CAST(COUNT(*) AS TEXT) {sql}"),
    )
    .await;
    n.unwrap().parse().unwrap()
}

/// Every alert as (rule, dedup key, kind, branch, response, finding).
async fn alerts(s: &TestServer) -> Vec<[String; 6]> {
    let sql = "SELECT CAST(rule_id AS TEXT) || '|' || dedup_key || '|' || kind || '|' || branch \
               || '|' || CAST(response_id AS TEXT) || '|' || finding FROM alerts ORDER BY 1";
    let mut out = Vec::new();
    if s.database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&s.database_url).await.unwrap();
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        out.extend(rows);
    } else {
        let pool = sqlx::SqlitePool::connect(&s.database_url).await.unwrap();
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        out.extend(rows);
    }
    out.iter()
        .map(|row| {
            let parts: Vec<String> = row.splitn(6, '|').map(str::to_owned).collect();
            parts.try_into().unwrap()
        })
        .collect()
}

/// Add a rule straight into the database (its admin API is another
/// change's): `scope` and `rule` as `NewRule` spells them.
async fn add_rule(s: &TestServer, id: &str, rule: Value, scope: Value, active: bool) {
    let definition = json!({
        "name": format!("rule {id}"), "rule": rule, "scope": scope,
        "recipients": {"roles": ["manager"], "webhooks": [], "emails": []}, "active": active,
    });
    let kind = rule["kind"].as_str().unwrap();
    common::execute(
        &s.database_url,
        &[format!(
            "INSERT INTO alert_rules (id, kind, definition, active, created_at, updated_at) \
             VALUES ('{id}', '{kind}', '{definition}', {active}, '2026-01-01T00:00:00Z', \
             '2026-01-01T00:00:00Z')"
        )],
    )
    .await;
}

#[tokio::test]
async fn a_contact_is_kept_apart_from_the_answers_and_raises_one_alert() {
    let (s, kiosk) = with_response().await;
    let response = response_id(1);
    let (status, reply) = s
        .post_as(
            "/api/v1/contacts",
            &kiosk,
            &contact(1, &response, "phone", &format!("  {PHONE} ")),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply, json!({"status": "accepted", "id": contact_id(1)}));

    // Stored trimmed, apart, with the branch and the customer's language.
    let row = scalar(
        &s.database_url,
        &format!(
            "SELECT CAST(response_id AS TEXT) || '|' || branch || '|' || way || '|' || value \
             || '|' || locale FROM contacts WHERE id = '{}'",
            contact_id(1)
        ),
    )
    .await;
    assert_eq!(row.unwrap(), format!("{response}|N01|phone|{PHONE}|es"));

    // One alert, of the seeded rule, about the response, without the number.
    let raised = alerts(&s).await;
    assert_eq!(raised.len(), 1, "{raised:?}");
    let [rule, key, kind, branch, about, finding] = raised[0].clone();
    assert_eq!(rule, SEEDED_RULE);
    assert_eq!(key, format!("contact:{response}"));
    assert_eq!(kind, "contact_request");
    assert_eq!(branch, "N01");
    assert_eq!(about, response);
    assert_eq!(
        serde_json::from_str::<Value>(&finding).unwrap(),
        json!({"kind": "contact_request"})
    );
    // The seeded rule names no webhook or address: nothing to deliver.
    assert_eq!(count(&s, "FROM deliveries").await, 0);

    // The number is nowhere but in `contacts`: not in the stored response,
    // not in the export, not in the comments, not in the alert.
    let digits = "7946";
    for (id, payload) in s.stored().await {
        assert!(!payload.contains(digits), "response {id}: {payload}");
    }
    for path in [
        "/api/v1/export/responses.csv",
        "/api/v1/export/aggregates.csv",
        "/api/v1/comments",
        "/api/v1/aggregates",
    ] {
        let resp = s.get(path).await.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let text = resp.text().await.unwrap();
        assert!(!text.contains(digits), "{path}: {text}");
        if path == "/api/v1/comments" {
            // The comment of the response is there: the export is not empty.
            assert!(text.contains("Quick and friendly."), "{text}");
        }
    }
    assert!(raised.iter().flatten().all(|f| !f.contains(digits)));

    // Sent again (a lost answer): a success, stored and alerted once.
    let before = digest(&s.database_url).await;
    let (status, reply) = s
        .post_as(
            "/api/v1/contacts",
            &kiosk,
            &contact(1, &response, "phone", PHONE),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply, json!({"status": "duplicate", "id": contact_id(1)}));
    assert_eq!(digest(&s.database_url).await, before);
    assert_eq!(count(&s, "FROM contacts").await, 1);
    assert_eq!(alerts(&s).await.len(), 1);
    s.stop().await;
}

#[tokio::test]
async fn each_active_rule_covering_the_branch_raises_its_own_alert() {
    let (s, kiosk) = with_response().await;
    // N01 is in the North.
    let north = "10000000-0000-4000-8000-000000000001";
    let south = "10000000-0000-4000-8000-000000000002";
    let off = "10000000-0000-4000-8000-000000000003";
    let own = "10000000-0000-4000-8000-000000000004";
    let other_kind = "10000000-0000-4000-8000-000000000005";
    let contact_rule = json!({"kind": "contact_request"});
    add_rule(
        &s,
        north,
        contact_rule.clone(),
        json!({"kind": "region", "value": "North"}),
        true,
    )
    .await;
    add_rule(
        &s,
        south,
        contact_rule.clone(),
        json!({"kind": "region", "value": "South"}),
        true,
    )
    .await;
    add_rule(&s, off, contact_rule.clone(), json!({"kind": "all"}), false).await;
    add_rule(
        &s,
        own,
        contact_rule,
        json!({"kind": "branch", "value": "N01"}),
        true,
    )
    .await;
    add_rule(
        &s,
        other_kind,
        json!({"kind": "critical_failure"}),
        json!({"kind": "all"}),
        true,
    )
    .await;
    let (status, reply) = s
        .post_as(
            "/api/v1/contacts",
            &kiosk,
            &contact(1, &response_id(1), "email", "ana.lopez@example.mx"),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    let mut rules: Vec<String> = alerts(&s).await.into_iter().map(|a| a[0].clone()).collect();
    rules.sort();
    let mut expected = vec![SEEDED_RULE.to_owned(), north.to_owned(), own.to_owned()];
    expected.sort();
    assert_eq!(rules, expected);
    s.stop().await;
}

#[tokio::test]
async fn a_contact_before_its_response_is_409_until_the_response_arrives() {
    let s = TestServer::start().await;
    let (_, kiosk) = s.enrol("kiosk", "N01").await;
    let body = contact(1, &response_id(1), "phone", PHONE);
    let before = digest(&s.database_url).await;
    for _ in 0..2 {
        let (status, reply) = s.post_as("/api/v1/contacts", &kiosk, &body).await;
        assert_eq!(status, 409, "{reply}");
        assert_eq!(reply["code"], "not_found", "{reply}");
        assert_eq!(reply["field"], "response", "{reply}");
    }
    assert_eq!(digest(&s.database_url).await, before);
    send_response(&s, &kiosk, 1).await;
    let (status, reply) = s.post_as("/api/v1/contacts", &kiosk, &body).await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(count(&s, "FROM contacts").await, 1);
    assert_eq!(alerts(&s).await.len(), 1);
    s.stop().await;
}

#[tokio::test]
async fn only_a_kiosk_of_the_response_s_branch_may_send_its_contact() {
    let (s, kiosk) = with_response().await;
    let (_, phone) = s.enrol("shopper", "Ana").await;
    let (_, other) = s.enrol("kiosk", "N02").await;
    // A mystery-shop report of N01.
    let (id, version, answers) = common::shop_answers("yes");
    let report = json!({
        "id": response_id(2), "questionnaire_id": id, "questionnaire_version": version,
        "branch": "N01", "device_id": "phone-1", "channel": "mystery_shop", "locale": "en",
        "started_at": "2026-03-01T09:30:00Z", "submitted_at": "2026-03-01T10:31:00Z",
        "answers": answers,
    });
    let (status, reply) = s
        .post_batch_as(&phone, &json!({"responses": [report]}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
    let body = contact(1, &response_id(1), "phone", PHONE);
    let before = digest(&s.database_url).await;

    // No token; a person's session.
    let resp = s
        .client
        .post(s.at("/api/v1/contacts"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let resp = s
        .admin_session()
        .await
        .on(s.client.post(s.at("/api/v1/contacts")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);

    // A shopper's phone.
    let (status, reply) = s.post_as("/api/v1/contacts", &phone, &body).await;
    assert_eq!(status, 403, "{reply}");
    assert_eq!(reply["code"], "devices_only", "{reply}");

    // A kiosk of another branch.
    let (status, reply) = s.post_as("/api/v1/contacts", &other, &body).await;
    assert_eq!(status, 403, "{reply}");
    assert_eq!(reply["field"], "response", "{reply}");

    // The kiosk of N01, naming the mystery-shop report.
    let (status, reply) = s
        .post_as(
            "/api/v1/contacts",
            &kiosk,
            &contact(2, &response_id(2), "phone", PHONE),
        )
        .await;
    assert_eq!(status, 403, "{reply}");
    assert_eq!(reply["field"], "response", "{reply}");

    assert_eq!(digest(&s.database_url).await, before);
    assert_eq!(count(&s, "FROM contacts").await, 0);
    assert_eq!(count(&s, "FROM alerts").await, 0);
    s.stop().await;
}

#[tokio::test]
async fn a_bad_number_or_address_is_422_at_value_and_changes_nothing() {
    let (s, kiosk) = with_response().await;
    let response = response_id(1);
    let long = format!("{}@example.mx", "a".repeat(250));
    let cases: [(&str, &str, &str); 9] = [
        ("phone", "12345", "bad_phone"),
        ("phone", "+44 20 7946 000O", "bad_phone"),
        ("phone", "44+20 7946 0000", "bad_phone"),
        ("phone", "+44 20 7946 0000 0000 0000", "bad_phone"),
        ("phone", "ana.lopez@example.mx", "bad_phone"),
        ("email", "ana.lopez@example", "bad_email"),
        ("email", PHONE, "bad_email"),
        ("email", "   ", "empty"),
        ("email", &long, "too_long"),
    ];
    let before = digest(&s.database_url).await;
    for (n, (way, value, code)) in cases.into_iter().enumerate() {
        let (status, reply) = s
            .post_as(
                "/api/v1/contacts",
                &kiosk,
                &contact(n as u32, &response, way, value),
            )
            .await;
        assert_eq!(status, 422, "{way} {value:?}: {reply}");
        assert_eq!(reply["code"], code, "{way} {value:?}: {reply}");
        assert_eq!(reply["field"], "value", "{way} {value:?}: {reply}");
    }
    // JSON of another shape names its field.
    for (field, value) in [
        ("way", json!("fax")),
        ("locale", json!("fr")),
        ("id", json!("not an id")),
        ("response", json!(12)),
    ] {
        let mut body = contact(20, &response, "phone", PHONE);
        body[field] = value;
        let (status, reply) = s.post_as("/api/v1/contacts", &kiosk, &body).await;
        assert_eq!(status, 422, "{field}: {reply}");
        assert_eq!(reply["field"], field, "{reply}");
    }
    let mut body = contact(21, &response, "phone", PHONE);
    body["note"] = json!("call after 5");
    let (status, reply) = s.post_as("/api/v1/contacts", &kiosk, &body).await;
    assert_eq!(status, 422, "an unknown field: {reply}");
    // Far longer than a number or an address can be.
    for (way, value, code) in [
        ("phone", "1 2 3 4 5 6 ".repeat(5000), "bad_phone"),
        (
            "email",
            format!("{}@example.mx", "a".repeat(50_000)),
            "too_long",
        ),
    ] {
        let body = contact(22, &response, way, &value);
        let (status, reply) = s.post_as("/api/v1/contacts", &kiosk, &body).await;
        assert_eq!(status, 422, "{reply}");
        assert_eq!(reply["code"], code, "{reply}");
    }
    assert_eq!(digest(&s.database_url).await, before);
    s.stop().await;
}

#[tokio::test]
async fn one_contact_per_response_and_one_content_per_id() {
    let (s, kiosk) = with_response().await;
    let response = response_id(1);
    let (status, reply) = s
        .post_as(
            "/api/v1/contacts",
            &kiosk,
            &contact(1, &response, "phone", PHONE),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    let before = digest(&s.database_url).await;
    // The same id with another number, another way, another language.
    let mut other_locale = contact(1, &response, "phone", PHONE);
    other_locale["locale"] = json!("en");
    for body in [
        contact(1, &response, "phone", "+44 20 7946 0001"),
        contact(1, &response, "email", "ana.lopez@example.mx"),
        other_locale,
    ] {
        let (status, reply) = s.post_as("/api/v1/contacts", &kiosk, &body).await;
        assert_eq!(status, 409, "{body}: {reply}");
        assert_eq!(reply["field"], "id", "{reply}");
    }
    // Another request for the same response.
    let (status, reply) = s
        .post_as(
            "/api/v1/contacts",
            &kiosk,
            &contact(2, &response, "email", "ana.lopez@example.mx"),
        )
        .await;
    assert_eq!(status, 409, "{reply}");
    assert_eq!(reply["field"], "response", "{reply}");
    assert_eq!(reply["code"], "conflict", "{reply}");
    assert_eq!(digest(&s.database_url).await, before);
    assert_eq!(alerts(&s).await.len(), 1);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_database_store_and_alert_each_contact_once() {
    let a = TestServer::start().await;
    let shared = a.database_url.clone();
    let b = TestServer::start_with(|c| c.database_url = shared).await;
    let (_, kiosk) = a.enrol("kiosk", "N01").await;
    const N: u32 = 20;
    for n in 1..=N {
        send_response(&a, &kiosk, n).await;
    }
    // Each contact reaches both servers at the same moment (a resend after
    // a lost answer, to another replica).
    let mut created = 0;
    for n in 1..=N {
        let body = contact(n, &response_id(n), "phone", PHONE);
        let ((sa, ra), (sb, rb)) = tokio::join!(
            a.post_as("/api/v1/contacts", &kiosk, &body),
            b.post_as("/api/v1/contacts", &kiosk, &body),
        );
        let mut statuses = [sa, sb];
        statuses.sort();
        assert_eq!(statuses, [200, 201], "{ra} {rb}");
        created += 1;
    }
    assert_eq!(created, N);
    assert_eq!(count(&a, "FROM contacts").await, u64::from(N));
    let raised = alerts(&a).await;
    assert_eq!(raised.len(), N as usize);
    let mut keys: Vec<&str> = raised.iter().map(|r| r[1].as_str()).collect();
    keys.dedup();
    assert_eq!(keys.len(), N as usize, "one alert per response");
    a.stop().await;
    b.stop().await;
}
