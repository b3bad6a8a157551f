//! The lobby kiosk's own traffic over HTTP (issue 17): the staff PIN an
//! admin sets, status reports and what they are answered, and the admin's
//! view of quiet devices. On SQLite and on PostgreSQL.

use crate::common;

use common::{digest, kiosk_response, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// Hex SHA-256 of `salt ":" pin`: the kiosk's offline check, written out
/// here rather than taken from the server.
fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `pin` (a `PinHash` as JSON) verifies `typed`.
fn verifies(pin: &Value, typed: &str) -> bool {
    let salt = pin["salt"].as_str().unwrap();
    pin["hash"].as_str().unwrap() == sha256_hex(&format!("{salt}:{typed}"))
}

/// Make a device with `body` and enrol it: the enrolment answer.
async fn make_and_enrol(s: &TestServer, body: Value) -> Value {
    let (status, enrolment) = s.admin_json(Method::POST, "/api/v1/devices", &body).await;
    assert_eq!(status, 201, "{enrolment}");
    let resp = s
        .client
        .post(s.at("/api/v1/devices/enrol"))
        .json(&json!({"code": enrolment["code"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    resp.json().await.unwrap()
}

/// POST a status report with `token`: status and answer.
async fn report(s: &TestServer, token: &str, body: &Value) -> (u16, Value) {
    s.post_as("/api/v1/device/status", token, body).await
}

async fn set_pin(s: &TestServer, device: &str, body: &Value) -> (u16, Value) {
    s.admin_json(Method::PUT, &format!("/api/v1/devices/{device}/pin"), body)
        .await
}

/// The device `id` in the admin's list.
async fn listed(s: &TestServer, id: &str) -> Value {
    let (status, devices) = s.get_json("/api/v1/devices").await;
    assert_eq!(status, 200, "{devices}");
    devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no device {id} in {devices}"))
        .clone()
}

fn problem(body: &Value) -> (&str, Option<&str>) {
    (body["code"].as_str().unwrap_or(""), body["field"].as_str())
}

/// Write `column` (an instant, or NULL) of device `id` straight into the
/// database, as a day passing would leave it.
async fn set_time(s: &TestServer, id: &str, column: &str, at: Option<OffsetDateTime>) {
    if s.database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&s.database_url).await.unwrap();
        sqlx::query(&format!(
            "UPDATE devices SET {column} = $1 WHERE id = $2::uuid"
        ))
        .bind(at)
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    } else {
        // The store's own text form: fixed-width UTC with milliseconds.
        let text = at.map(|t| {
            let format = time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            );
            t.to_offset(time::UtcOffset::UTC).format(format).unwrap()
        });
        let pool = sqlx::SqlitePool::connect(&s.database_url).await.unwrap();
        sqlx::query(&format!("UPDATE devices SET {column} = $1 WHERE id = $2"))
            .bind(text)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

fn parse(t: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(t.as_str().unwrap(), &Rfc3339).unwrap()
}

#[tokio::test]
async fn an_admins_pin_reaches_the_kiosk_at_enrolment_and_after_a_change() {
    let s = TestServer::start().await;
    let enrolled = make_and_enrol(
        &s,
        json!({"kind": "kiosk", "label": "Lobby 1", "branch": "N01", "pin": "2468"}),
    )
    .await;
    let id = enrolled["device"]["id"].as_str().unwrap().to_owned();
    let token = enrolled["token"].as_str().unwrap().to_owned();
    let first = enrolled["pin"].clone();
    assert!(verifies(&first, "2468"), "{first}");
    assert!(!verifies(&first, "2469"));
    assert_eq!(first["salt"].as_str().unwrap().len(), 32, "16 bytes in hex");
    assert_eq!(enrolled["device"]["pin_set"], true);

    // A kiosk without a PIN enrols without one.
    let plain = make_and_enrol(
        &s,
        json!({"kind": "kiosk", "label": "Lobby 2", "branch": "N02"}),
    )
    .await;
    assert_eq!(plain["pin"], Value::Null);
    assert_eq!(plain["device"]["pin_set"], false);

    // Its admin changes it; the kiosk learns it from its next report.
    let (status, body) = set_pin(&s, &id, &json!({"pin": "13572468"})).await;
    assert_eq!((status, &body), (204, &Value::Null));
    let (status, config) = report(&s, &token, &json!({"waiting": 0})).await;
    assert_eq!(status, 200, "{config}");
    assert!(verifies(&config["pin"], "13572468"), "{config}");
    assert!(!verifies(&config["pin"], "2468"));
    assert_ne!(config["pin"]["salt"], first["salt"], "a fresh salt");
    // The same PIN set again is stored under another salt.
    assert_eq!(set_pin(&s, &id, &json!({"pin": "13572468"})).await.0, 204);
    let (_, again) = report(&s, &token, &json!({"waiting": 0})).await;
    assert!(verifies(&again["pin"], "13572468"));
    assert_ne!(again["pin"]["hash"], config["pin"]["hash"]);

    // The admin's list says a PIN is set, and shows neither salt nor hash;
    // the audit log says who changed it, without the PIN.
    let device = listed(&s, &id).await;
    assert_eq!(device["pin_set"], true);
    let list = s.get_json("/api/v1/devices").await.1.to_string();
    assert!(!list.contains(again["pin"]["hash"].as_str().unwrap()));
    let (_, log) = s.get_json("/api/v1/audit?limit=1000").await;
    let text = log.to_string();
    for secret in ["2468", "13572468"] {
        assert!(!text.contains(secret), "the audit log holds a PIN: {text}");
    }
    let pin_changes = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "device.pin" && e["target"] == id.as_str())
        .count();
    assert_eq!(pin_changes, 2);
    // Only the salt and hash are stored.
    let stored = common::scalar(
        &s.database_url,
        "SELECT pin_salt || ':' || pin_hash FROM devices WHERE label = 'Lobby 1'",
    )
    .await
    .unwrap();
    assert_eq!(
        stored,
        format!(
            "{}:{}",
            again["pin"]["salt"].as_str().unwrap(),
            again["pin"]["hash"].as_str().unwrap()
        )
    );
    s.stop().await;
}

#[tokio::test]
async fn bad_pins_phones_strangers_and_unknown_devices_are_refused_and_change_nothing() {
    let s = TestServer::start().await;
    let kiosk = make_and_enrol(
        &s,
        json!({"kind": "kiosk", "label": "Lobby", "branch": "N01", "pin": "1234"}),
    )
    .await;
    let kiosk_id = kiosk["device"]["id"].as_str().unwrap().to_owned();
    let (phone_id, _) = s.enrol("shopper", "Ana").await;
    let manager = s.user("manny", "manager", Some("N01"), None).await;

    // At creation: a shopper's phone has no PIN; a PIN is 4 to 8 digits.
    for (body, code) in [
        (
            json!({"kind": "shopper", "label": "Phone", "shopper": "Bo", "pin": "1234"}),
            "pin_only_for_kiosks",
        ),
        (
            json!({"kind": "kiosk", "label": "Lobby", "branch": "N01", "pin": "12a4"}),
            "pin_invalid",
        ),
    ] {
        let before = digest(&s.database_url).await;
        let (status, refused) = s.admin_json(Method::POST, "/api/v1/devices", &body).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(problem(&refused), (code, Some("pin")));
        assert_eq!(digest(&s.database_url).await, before, "{body}");
    }

    let before = digest(&s.database_url).await;
    for pin in ["123", "123456789", "12a4", " 1234", "１２３４", ""] {
        let (status, refused) = set_pin(&s, &kiosk_id, &json!({ "pin": pin })).await;
        assert_eq!(status, 400, "{pin:?}: {refused}");
        assert_eq!(problem(&refused), ("pin_invalid", Some("pin")), "{pin:?}");
    }
    let (status, refused) = set_pin(&s, &phone_id, &json!({"pin": "1234"})).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(problem(&refused), ("pin_only_for_kiosks", Some("pin")));
    let unknown = "00000000-0000-4000-8000-000000000001";
    let (status, refused) = set_pin(&s, unknown, &json!({"pin": "1234"})).await;
    assert_eq!(status, 404, "{refused}");
    let (status, refused) = set_pin(&s, &kiosk_id, &json!({"pin": "1234", "hint": "x"})).await;
    assert_eq!(status, 422, "unknown fields are refused: {refused}");
    let (status, refused) = set_pin(&s, &kiosk_id, &json!({"pin": 1234})).await;
    assert_eq!(status, 422, "{refused}");
    // A manager, a session without its CSRF token, a kiosk's token.
    let path = s.at(&format!("/api/v1/devices/{kiosk_id}/pin"));
    let resp = manager
        .on(s.client.put(&path))
        .json(&json!({"pin": "9999"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let resp = s
        .client
        .put(&path)
        .header("cookie", &s.admin_session().await.cookie)
        .json(&json!({"pin": "9999"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let resp = s
        .client
        .put(&path)
        .bearer_auth(kiosk["token"].as_str().unwrap())
        .json(&json!({"pin": "9999"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(
        digest(&s.database_url).await,
        before,
        "nothing stored changed"
    );
    // The kiosk still has the PIN it was made with.
    let (_, config) = report(&s, kiosk["token"].as_str().unwrap(), &json!({"waiting": 0})).await;
    assert!(verifies(&config["pin"], "1234"), "{config}");
    s.stop().await;
}

#[tokio::test]
async fn a_status_report_is_kept_for_the_admin_and_answered_with_what_to_take_up() {
    let s = TestServer::start().await;
    let (id, token) = s.enrol("kiosk", "N01").await;
    // Not seen for a while, so that the report visibly updates last_seen_at
    // (a request updates it at most once a minute).
    set_time(
        &s,
        &id,
        "last_seen_at",
        Some(OffsetDateTime::now_utc() - Duration::hours(2)),
    )
    .await;
    let sent_at = OffsetDateTime::now_utc();
    let body = json!({
        "questionnaire_id": "lobby", "questionnaire_version": 1,
        "waiting": 3, "rejected": 1, "last_sync": "2026-03-01T09:30:00+08:00"
    });
    let (status, config) = report(&s, &token, &body).await;
    assert_eq!(status, 200, "{config}");
    // Lobby's active version is 2: the kiosk on version 1 is told so.
    assert_eq!(config, json!({"questionnaire_version": 2, "pin": null}));
    let device = listed(&s, &id).await;
    assert_eq!(device["report"], body);
    let reported = parse(&device["reported_at"]);
    let seen = parse(&device["last_seen_at"]);
    assert!(reported >= sent_at - Duration::seconds(1), "{device}");
    assert!(seen >= sent_at - Duration::seconds(1), "{device}");
    assert_eq!(device["silent"], false);

    // Up to date, none reported, or one this server does not know: nothing
    // to take up.
    for body in [
        json!({"questionnaire_id": "lobby", "questionnaire_version": 2, "waiting": 0}),
        json!({"waiting": 0}),
        json!({"questionnaire_id": "no_such_one", "questionnaire_version": 1, "waiting": 0}),
    ] {
        let (status, config) = report(&s, &token, &body).await;
        assert_eq!(status, 200, "{config}");
        assert_eq!(config["questionnaire_version"], Value::Null, "{body}");
        let kept = listed(&s, &id).await["report"].clone();
        for field in ["questionnaire_id", "questionnaire_version", "last_sync"] {
            assert_eq!(kept[field], body[field], "{kept}");
        }
        assert_eq!(
            (&kept["waiting"], &kept["rejected"]),
            (&json!(0), &json!(0))
        );
    }
    // Named but without a version: the active one.
    let (_, config) = report(
        &s,
        &token,
        &json!({"questionnaire_id": "lobby", "waiting": 0}),
    )
    .await;
    assert_eq!(config["questionnaire_version"], 2);

    // Bad reports are refused, naming the field, and the last good one stays.
    let kept = digest(&s.database_url).await;
    let long = "q".repeat(65);
    for (body, status, code, field) in [
        (
            json!({"questionnaire_id": long, "waiting": 0}),
            400,
            "too_long",
            Some("questionnaire_id"),
        ),
        (
            json!({"questionnaire_id": "lob\u{1b}[2Jby", "waiting": 0}),
            400,
            "control_characters",
            Some("questionnaire_id"),
        ),
        (
            json!({"questionnaire_id": "", "waiting": 0}),
            400,
            "empty",
            Some("questionnaire_id"),
        ),
        (
            json!({"waiting": 0, "last_sync": "yesterday"}),
            400,
            "bad_date",
            Some("last_sync"),
        ),
        (
            json!({"waiting": 0, "battery": 80}),
            422,
            "unexpected_json",
            None,
        ),
        (
            json!({"waiting": -1}),
            422,
            "unexpected_json",
            Some("waiting"),
        ),
        (json!({"rejected": 0}), 422, "unexpected_json", None),
    ] {
        let (got, refused) = report(&s, &token, &body).await;
        assert_eq!(got, status, "{body}: {refused}");
        assert_eq!(refused["code"], code, "{body}: {refused}");
        if let Some(field) = field {
            assert_eq!(refused["field"], field, "{body}: {refused}");
        }
    }
    assert_eq!(
        digest(&s.database_url).await,
        kept,
        "nothing stored changed"
    );

    // Who may report: enrolled devices, not people, not revoked tokens.
    let admin = s.admin_session().await;
    let resp = admin
        .on(s.client.post(s.at("/api/v1/device/status")))
        .json(&json!({"waiting": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let resp = s
        .client
        .post(s.at("/api/v1/device/status"))
        .json(&json!({"waiting": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let (status, _) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/devices/{id}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let before = digest(&s.database_url).await;
    let (status, refused) = report(&s, &token, &json!({"waiting": 9})).await;
    assert_eq!(status, 401, "{refused}");
    assert_eq!(refused["code"], "device_token_refused");
    assert_eq!(digest(&s.database_url).await, before);
    assert_eq!(listed(&s, &id).await["report"]["waiting"], 0);
    s.stop().await;
}

#[tokio::test]
async fn a_batch_of_responses_counts_as_being_seen() {
    let s = TestServer::start().await;
    let (id, token) = s.enrol("kiosk", "N01").await;
    let long_ago = OffsetDateTime::now_utc() - Duration::hours(30);
    set_time(&s, &id, "last_seen_at", Some(long_ago)).await;
    assert_eq!(listed(&s, &id).await["silent"], true);
    let before = OffsetDateTime::now_utc();
    let batch = json!({"responses": [kiosk_response("00000000-0000-4000-8000-000000000001")]});
    let (status, reply) = s.post_batch_as(&token, &batch).await;
    assert_eq!(status, 200, "{reply}");
    let device = listed(&s, &id).await;
    assert!(
        parse(&device["last_seen_at"]) >= before - Duration::seconds(1),
        "{device}"
    );
    assert_eq!(device["silent"], false);
    assert_eq!(device["report"], Value::Null, "a batch is not a report");
    s.stop().await;
}

#[tokio::test]
async fn enrolled_devices_not_heard_from_for_a_day_are_silent() {
    let s = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let hours = |h: i64| Some(now - Duration::hours(h));
    let (quiet, _) = s.enrol("kiosk", "N01").await;
    let (recent, _) = s.enrol("kiosk", "N02").await;
    let (never, _) = s.enrol("kiosk", "S01").await;
    let (revoked, _) = s.enrol("kiosk", "S02").await;
    let (status, pending) = s
        .admin_json(
            Method::POST,
            "/api/v1/devices",
            &json!({"kind": "kiosk", "label": "Not yet", "branch": "N01"}),
        )
        .await;
    assert_eq!(status, 201);
    let pending = pending["device"]["id"].as_str().unwrap().to_owned();

    set_time(&s, &quiet, "last_seen_at", hours(25)).await;
    set_time(&s, &recent, "last_seen_at", hours(23)).await;
    // Never seen since its enrolment a day and more ago.
    set_time(&s, &never, "last_seen_at", None).await;
    set_time(&s, &never, "enrolled_at", hours(30)).await;
    set_time(&s, &revoked, "last_seen_at", hours(48)).await;
    let (status, _) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/devices/{revoked}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    set_time(&s, &pending, "created_at", hours(48)).await;

    for (id, silent) in [
        (&quiet, true),
        (&recent, false),
        (&never, true),
        (&revoked, false),
        (&pending, false),
    ] {
        let device = listed(&s, id).await;
        assert_eq!(device["silent"], silent, "{device}");
    }
    s.stop().await;
}
