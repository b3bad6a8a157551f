//! Attacks, as a table: each row a request an attacker (or a curious
//! reader) might send and the status it must get. After the table, every
//! table's rows are compared with a digest taken before it: nothing
//! changed. Then the request rates and the sign-in back-off, which need
//! their own servers. On SQLite and on PostgreSQL.

use crate::common;

use common::{digest, enc, kiosk_response, Session, TestServer};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DROP: &str = "'; DROP TABLE responses;--";
const OR_TRUE: &str = "N01' OR '1'='1";

/// Who sends a request.
#[derive(Clone, Copy, Debug)]
enum As {
    Nobody,
    Admin,
    /// The admin's cookie without the CSRF token.
    AdminCookieOnly,
    /// The admin's session, with an Origin of another site.
    AdminFromElsewhere,
    Manager,
    Regional,
    Kiosk,
    Shopper,
    Expired,
    Revoked,
    Forged,
}

struct Who {
    admin: Session,
    manager: Session,
    regional: Session,
    kiosk: String,
    shopper: String,
    expired: String,
    revoked: String,
}

struct Row {
    name: String,
    who: As,
    method: reqwest::Method,
    path: String,
    body: Option<Value>,
    expected: u16,
}

fn row(
    name: impl Into<String>,
    who: As,
    method: &str,
    path: impl Into<String>,
    expected: u16,
) -> Row {
    Row {
        name: name.into(),
        who,
        method: method.parse().unwrap(),
        path: path.into(),
        body: None,
        expected,
    }
}

fn with_body(mut r: Row, body: Value) -> Row {
    r.body = Some(body);
    r
}

async fn send(s: &TestServer, who: &Who, r: &Row) -> (u16, String) {
    let mut req = s.client.request(r.method.clone(), s.at(&r.path));
    req = match r.who {
        As::Nobody => req,
        As::Admin => who.admin.on(req),
        As::AdminCookieOnly => req.header("cookie", &who.admin.cookie),
        As::AdminFromElsewhere => who.admin.on(req).header("origin", "https://evil.example"),
        As::Manager => who.manager.on(req),
        As::Regional => who.regional.on(req),
        As::Kiosk => req.bearer_auth(&who.kiosk),
        As::Shopper => req.bearer_auth(&who.shopper),
        As::Expired => req.bearer_auth(&who.expired),
        As::Revoked => req.bearer_auth(&who.revoked),
        As::Forged => req.bearer_auth("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    };
    if let Some(body) = &r.body {
        req = req.json(body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// `GET path` sent as raw bytes, so that `..` reaches the server as typed.
async fn raw_get(s: &TestServer, path: &str) -> (u16, String) {
    let addr = s.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn kiosk_at(n: u32, branch: &str) -> Value {
    let mut r = kiosk_response(&id(n));
    r["branch"] = json!(branch);
    r
}

async fn set_token_expiry_past(s: &TestServer, device: &str) {
    if s.database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&s.database_url).await.unwrap();
        sqlx::query(
            "UPDATE devices SET token_expires_at = '2000-01-01T00:00:00Z' WHERE id = $1::uuid",
        )
        .bind(device)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(&s.database_url).await.unwrap();
        sqlx::query(
            "UPDATE devices SET token_expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?",
        )
        .bind(device)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
}

fn table(visit: &str, device: &str, user: &str) -> Vec<Row> {
    use As::*;
    let mut rows = vec![
        // No, bad, expired or revoked credentials.
        with_body(
            row("no token submits", Nobody, "POST", "/api/v1/responses", 401),
            json!({"responses": [kiosk_at(90, "N01")]}),
        ),
        with_body(
            row(
                "forged token submits",
                Forged,
                "POST",
                "/api/v1/responses",
                401,
            ),
            json!({"responses": [kiosk_at(90, "N01")]}),
        ),
        with_body(
            row(
                "expired token submits",
                Expired,
                "POST",
                "/api/v1/responses",
                401,
            ),
            json!({"responses": [kiosk_at(90, "N01")]}),
        ),
        with_body(
            row(
                "revoked token submits",
                Revoked,
                "POST",
                "/api/v1/responses",
                401,
            ),
            json!({"responses": [kiosk_at(90, "N01")]}),
        ),
        row(
            "no session reads aggregates",
            Nobody,
            "GET",
            "/api/v1/aggregates",
            401,
        ),
        row(
            "no session reads drivers",
            Nobody,
            "GET",
            "/api/v1/drivers",
            401,
        ),
        row(
            "no session reads the export",
            Nobody,
            "GET",
            "/api/v1/export/responses.csv",
            401,
        ),
        row(
            "no session lists users",
            Nobody,
            "GET",
            "/api/v1/users",
            401,
        ),
        row(
            "no session reads the audit log",
            Nobody,
            "GET",
            "/api/v1/audit",
            401,
        ),
        row(
            "no session lists visits",
            Nobody,
            "GET",
            "/api/v1/visits",
            401,
        ),
        row(
            "forged token lists visits",
            Forged,
            "GET",
            "/api/v1/visits",
            401,
        ),
        row(
            "expired token lists visits",
            Expired,
            "GET",
            "/api/v1/visits",
            401,
        ),
        // A device token reads nothing.
        row(
            "kiosk reads aggregates",
            Kiosk,
            "GET",
            "/api/v1/aggregates",
            403,
        ),
        row(
            "kiosk reads comments",
            Kiosk,
            "GET",
            "/api/v1/comments",
            403,
        ),
        row(
            "kiosk exports responses",
            Kiosk,
            "GET",
            "/api/v1/export/responses.csv",
            403,
        ),
        row(
            "kiosk exports aggregates",
            Kiosk,
            "GET",
            "/api/v1/export/aggregates.csv",
            403,
        ),
        row(
            "shopper reads aggregates",
            Shopper,
            "GET",
            "/api/v1/aggregates",
            403,
        ),
        row("shopper lists users", Shopper, "GET", "/api/v1/users", 403),
        row("kiosk lists devices", Kiosk, "GET", "/api/v1/devices", 403),
        row("kiosk lists visits", Kiosk, "GET", "/api/v1/visits", 403),
        with_body(
            row(
                "kiosk makes a device",
                Kiosk,
                "POST",
                "/api/v1/devices",
                403,
            ),
            json!({"kind": "kiosk", "label": "x", "branch": "N01"}),
        ),
        with_body(
            row(
                "shopper assigns a visit",
                Shopper,
                "POST",
                "/api/v1/visits",
                403,
            ),
            json!({"branch": "N01", "scenario": "x", "questionnaire_id": "branch_visit", "window": {"from": "2026-05-01", "to": "2026-05-01"}}),
        ),
        // Readers outside their scope, and administering.
        row(
            "manager reads another branch",
            Manager,
            "GET",
            "/api/v1/aggregates?branches=N02",
            403,
        ),
        row(
            "manager reads another branch's drivers",
            Manager,
            "GET",
            "/api/v1/drivers?branches=N02",
            403,
        ),
        row(
            "manager reads a region",
            Manager,
            "GET",
            "/api/v1/aggregates?region=North",
            403,
        ),
        row(
            "manager reads another region",
            Manager,
            "GET",
            "/api/v1/aggregates?region=South",
            403,
        ),
        row(
            "manager comments of another branch",
            Manager,
            "GET",
            "/api/v1/comments?branches=S01",
            403,
        ),
        row(
            "manager exports another branch",
            Manager,
            "GET",
            "/api/v1/export/responses.csv?branches=N02",
            403,
        ),
        row(
            "manager exports another region",
            Manager,
            "GET",
            "/api/v1/export/aggregates.csv?region=South",
            403,
        ),
        row(
            "manager lists another branch's visits",
            Manager,
            "GET",
            "/api/v1/visits?branch=S01",
            403,
        ),
        row(
            "regional reads another region",
            Regional,
            "GET",
            "/api/v1/aggregates?region=South",
            403,
        ),
        row(
            "regional reads a branch of another region",
            Regional,
            "GET",
            "/api/v1/aggregates?branches=S01",
            403,
        ),
        row(
            "regional mixes in another region",
            Regional,
            "GET",
            "/api/v1/comments?branches=N01,S01",
            403,
        ),
        row("manager lists users", Manager, "GET", "/api/v1/users", 403),
        row(
            "manager lists webhooks",
            Manager,
            "GET",
            "/api/v1/webhooks",
            403,
        ),
        row(
            "kiosk lists webhooks",
            Kiosk,
            "GET",
            "/api/v1/webhooks",
            403,
        ),
        row(
            "nobody lists webhooks",
            Nobody,
            "GET",
            "/api/v1/webhooks",
            401,
        ),
        with_body(
            row(
                "regional points alerts elsewhere",
                Regional,
                "POST",
                "/api/v1/webhooks",
                403,
            ),
            json!({"name": "Mine", "url": "https://evil.example/alerts"}),
        ),
        with_body(
            row(
                "admin's cookie alone makes a webhook",
                AdminCookieOnly,
                "POST",
                "/api/v1/webhooks",
                403,
            ),
            json!({"name": "Mine", "url": "https://evil.example/alerts"}),
        ),
        row(
            "regional reads the audit log",
            Regional,
            "GET",
            "/api/v1/audit",
            403,
        ),
        with_body(
            row(
                "manager makes an admin",
                Manager,
                "POST",
                "/api/v1/users",
                403,
            ),
            json!({"username": "eve", "password": "eve password 2026", "role": "admin"}),
        ),
        with_body(
            row(
                "manager reactivates someone",
                Manager,
                "PATCH",
                format!("/api/v1/users/{user}"),
                403,
            ),
            json!({"active": true}),
        ),
        row(
            "manager revokes a device",
            Manager,
            "POST",
            format!("/api/v1/devices/{device}/revoke"),
            403,
        ),
        with_body(
            row("manager submits", Manager, "POST", "/api/v1/responses", 403),
            json!({"responses": [kiosk_at(90, "N01")]}),
        ),
        // A kiosk's status and its staff PIN.
        with_body(
            row(
                "no token reports a status",
                Nobody,
                "POST",
                "/api/v1/device/status",
                401,
            ),
            json!({"waiting": 1}),
        ),
        with_body(
            row(
                "revoked token reports a status",
                Revoked,
                "POST",
                "/api/v1/device/status",
                401,
            ),
            json!({"waiting": 1}),
        ),
        with_body(
            row(
                "expired token reports a status",
                Expired,
                "POST",
                "/api/v1/device/status",
                401,
            ),
            json!({"waiting": 1}),
        ),
        with_body(
            row(
                "a person reports a device's status",
                Admin,
                "POST",
                "/api/v1/device/status",
                403,
            ),
            json!({"waiting": 1}),
        ),
        with_body(
            row(
                "kiosk reports a status with an injected id",
                Kiosk,
                "POST",
                "/api/v1/device/status",
                400,
            ),
            json!({"questionnaire_id": format!("lobby{DROP}{}", "x".repeat(64)), "waiting": 1}),
        ),
        with_body(
            row(
                "kiosk reports a status with extra fields",
                Kiosk,
                "POST",
                "/api/v1/device/status",
                422,
            ),
            json!({"waiting": 1, "pin": "0000"}),
        ),
        with_body(
            row(
                "kiosk sets its own PIN",
                Kiosk,
                "PUT",
                format!("/api/v1/devices/{device}/pin"),
                403,
            ),
            json!({"pin": "0000"}),
        ),
        with_body(
            row(
                "manager sets a PIN",
                Manager,
                "PUT",
                format!("/api/v1/devices/{device}/pin"),
                403,
            ),
            json!({"pin": "0000"}),
        ),
        with_body(
            row(
                "PIN without the CSRF token",
                AdminCookieOnly,
                "PUT",
                format!("/api/v1/devices/{device}/pin"),
                403,
            ),
            json!({"pin": "0000"}),
        ),
        with_body(
            row(
                "PIN from another origin",
                AdminFromElsewhere,
                "PUT",
                format!("/api/v1/devices/{device}/pin"),
                403,
            ),
            json!({"pin": "0000"}),
        ),
        with_body(
            row(
                "PIN of an injected device id",
                Admin,
                "PUT",
                format!("/api/v1/devices/{}/pin", enc(DROP)),
                404,
            ),
            json!({"pin": "0000"}),
        ),
        // Cross-site requests.
        with_body(
            row(
                "state change without the CSRF token",
                AdminCookieOnly,
                "POST",
                "/api/v1/users",
                403,
            ),
            json!({"username": "eve", "password": "eve password 2026", "role": "admin"}),
        ),
        row(
            "revoke without the CSRF token",
            AdminCookieOnly,
            "POST",
            format!("/api/v1/devices/{device}/revoke"),
            403,
        ),
        row(
            "sign out without the CSRF token",
            AdminCookieOnly,
            "DELETE",
            "/api/v1/session",
            403,
        ),
        with_body(
            row(
                "state change from another origin",
                AdminFromElsewhere,
                "POST",
                "/api/v1/users",
                403,
            ),
            json!({"username": "eve", "password": "eve password 2026", "role": "admin"}),
        ),
        with_body(
            row(
                "visit from another origin",
                AdminFromElsewhere,
                "POST",
                "/api/v1/visits",
                403,
            ),
            json!({"branch": "N01", "scenario": "x", "questionnaire_id": "branch_visit", "window": {"from": "2026-05-01", "to": "2026-05-01"}}),
        ),
        // Oversize and malformed bodies.
        with_body(
            row("oversize body", Kiosk, "POST", "/api/v1/responses", 413),
            json!({"responses": [kiosk_at(91, "N01")], "pad": "x".repeat(200 * 1024)}),
        ),
        with_body(
            row(
                "enrolment code of the wrong letters",
                Nobody,
                "POST",
                "/api/v1/devices/enrol",
                401,
            ),
            json!({"code": "00000-OOOOO"}),
        ),
        with_body(
            row(
                "enrolment code guessed",
                Nobody,
                "POST",
                "/api/v1/devices/enrol",
                401,
            ),
            json!({"code": "ABCDE-FGHJK"}),
        ),
        with_body(
            row(
                "sign in as injection",
                Nobody,
                "POST",
                "/api/v1/session",
                401,
            ),
            json!({"username": OR_TRUE, "password": DROP}),
        ),
        with_body(
            row(
                "user named as injection",
                Admin,
                "POST",
                "/api/v1/users",
                422,
            ),
            json!({"username": DROP, "password": "long enough password", "role": "admin"}),
        ),
        with_body(
            row(
                "visit for an injected branch",
                Admin,
                "POST",
                "/api/v1/visits",
                422,
            ),
            json!({"branch": OR_TRUE, "scenario": "x", "questionnaire_id": "branch_visit", "window": {"from": "2026-05-01", "to": "2026-05-01"}}),
        ),
        with_body(
            row(
                "device for an injected branch",
                Admin,
                "POST",
                "/api/v1/devices",
                422,
            ),
            json!({"kind": "kiosk", "label": DROP, "branch": OR_TRUE}),
        ),
    ];
    // Follow-up cases: people only, changes with the session's CSRF token
    // and from this site, within the reader's branches.
    const NO_CASE: &str = "00000000-0000-4000-8000-000000000998";
    let new_case = json!({"alert": NO_CASE, "owner": user, "due": "2026-05-01"});
    let change = json!({"status": "resolved", "note": DROP});
    for (name, who, method, path, body, expected) in [
        (
            "no session lists cases",
            Nobody,
            "GET",
            "/api/v1/cases".to_owned(),
            None,
            401,
        ),
        (
            "kiosk lists cases",
            Kiosk,
            "GET",
            "/api/v1/cases".into(),
            None,
            403,
        ),
        (
            "shopper reads case counts",
            Shopper,
            "GET",
            "/api/v1/cases/stats".into(),
            None,
            403,
        ),
        (
            "no session makes a case",
            Nobody,
            "POST",
            "/api/v1/cases".into(),
            Some(&new_case),
            401,
        ),
        (
            "kiosk makes a case",
            Kiosk,
            "POST",
            "/api/v1/cases".into(),
            Some(&new_case),
            403,
        ),
        (
            "a case made without CSRF",
            AdminCookieOnly,
            "POST",
            "/api/v1/cases".into(),
            Some(&new_case),
            403,
        ),
        (
            "a case made from elsewhere",
            AdminFromElsewhere,
            "POST",
            "/api/v1/cases".into(),
            Some(&new_case),
            403,
        ),
        (
            "a case changed without CSRF",
            AdminCookieOnly,
            "PATCH",
            format!("/api/v1/cases/{NO_CASE}"),
            Some(&change),
            403,
        ),
        (
            "a case changed from elsewhere",
            AdminFromElsewhere,
            "PATCH",
            format!("/api/v1/cases/{NO_CASE}"),
            Some(&change),
            403,
        ),
        (
            "no such case",
            Admin,
            "PATCH",
            format!("/api/v1/cases/{NO_CASE}"),
            Some(&change),
            404,
        ),
        (
            "a case of no such alert",
            Admin,
            "POST",
            "/api/v1/cases".into(),
            Some(&new_case),
            404,
        ),
        (
            "manager lists another branch's cases",
            Manager,
            "GET",
            "/api/v1/cases?branch=S01".into(),
            None,
            403,
        ),
        (
            "regional lists another region's cases",
            Regional,
            "GET",
            "/api/v1/cases?branch=S01".into(),
            None,
            403,
        ),
        (
            "cases of an injected branch",
            Admin,
            "GET",
            format!("/api/v1/cases?branch={}", enc(OR_TRUE)),
            None,
            404,
        ),
        (
            "cases of an injected owner",
            Admin,
            "GET",
            format!("/api/v1/cases?owner={}", enc(DROP)),
            None,
            400,
        ),
        (
            "cases of an injected status",
            Admin,
            "GET",
            format!("/api/v1/cases?status={}", enc(DROP)),
            None,
            400,
        ),
        (
            "case counts from an injected day",
            Admin,
            "GET",
            format!("/api/v1/cases/stats?from={}", enc(DROP)),
            None,
            400,
        ),
        (
            "an injected case id",
            Admin,
            "GET",
            format!("/api/v1/cases/{}", enc(DROP)),
            None,
            404,
        ),
    ] {
        let r = row(name, who, method, path, expected);
        rows.push(match body {
            Some(body) => with_body(r, body.clone()),
            None => r,
        });
    }
    // SQL injection in every filter parameter, on every reader endpoint.
    for endpoint in [
        "/api/v1/aggregates",
        "/api/v1/drivers",
        "/api/v1/comments",
        "/api/v1/export/responses.csv",
        "/api/v1/export/aggregates.csv",
    ] {
        for param in [
            "from",
            "to",
            "channel",
            "questionnaire",
            "branches",
            "region",
        ] {
            for evil in [DROP, OR_TRUE] {
                rows.push(row(
                    format!("{param}={evil} on {endpoint}"),
                    Admin,
                    "GET",
                    format!("{endpoint}?{param}={}", enc(evil)),
                    400,
                ));
            }
        }
    }
    for evil in [DROP, OR_TRUE] {
        // Free-text search is literal: it finds nothing, and breaks nothing.
        rows.push(row(
            format!("q={evil}"),
            Admin,
            "GET",
            format!("/api/v1/comments?q={}", enc(evil)),
            200,
        ));
        rows.push(row(
            format!("limit={evil}"),
            Admin,
            "GET",
            format!("/api/v1/comments?limit={}", enc(evil)),
            400,
        ));
        rows.push(row(
            format!("audit limit={evil}"),
            Admin,
            "GET",
            format!("/api/v1/audit?limit={}", enc(evil)),
            400,
        ));
        rows.push(row(
            format!("visits branch={evil}"),
            Admin,
            "GET",
            format!("/api/v1/visits?branch={}", enc(evil)),
            404,
        ));
        // … and in every path id.
        let e = enc(evil);
        rows.push(row(
            format!("questionnaire id {evil}"),
            Nobody,
            "GET",
            format!("/api/v1/questionnaires/{e}"),
            404,
        ));
        rows.push(row(
            format!("questionnaire version {evil}"),
            Nobody,
            "GET",
            format!("/api/v1/questionnaires/lobby/{e}"),
            404,
        ));
        rows.push(with_body(
            row(
                format!("user id {evil}"),
                Admin,
                "PATCH",
                format!("/api/v1/users/{e}"),
                404,
            ),
            json!({"active": false}),
        ));
        rows.push(row(
            format!("device code id {evil}"),
            Admin,
            "POST",
            format!("/api/v1/devices/{e}/code"),
            404,
        ));
        rows.push(row(
            format!("device revoke id {evil}"),
            Admin,
            "POST",
            format!("/api/v1/devices/{e}/revoke"),
            404,
        ));
    }
    // Alert rules are an admin's; the inbox a signed-in person's own.
    let rule = || {
        json!({"name": "Burst", "rule": {"kind": "unhappy_burst", "window_minutes": 15,
               "min_count": 5, "share_percent": 50, "low_max": 2}, "scope": {"kind": "all"},
               "recipients": {"roles": ["manager"]}})
    };
    for (name, who, expected) in [
        ("manager makes an alert rule", Manager, 403),
        ("regional manager makes an alert rule", Regional, 403),
        ("kiosk makes an alert rule", Kiosk, 403),
        ("no session makes an alert rule", Nobody, 401),
        ("alert rule without the CSRF token", AdminCookieOnly, 403),
        ("alert rule from another origin", AdminFromElsewhere, 403),
    ] {
        rows.push(with_body(
            row(name, who, "POST", "/api/v1/alert-rules", expected),
            rule(),
        ));
    }
    let mut injected = rule();
    injected["scope"] = json!({"kind": "branch", "value": OR_TRUE});
    rows.push(with_body(
        row(
            "alert rule for an injected branch",
            Admin,
            "POST",
            "/api/v1/alert-rules",
            422,
        ),
        injected,
    ));
    rows.push(row(
        "manager lists alert rules",
        Manager,
        "GET",
        "/api/v1/alert-rules",
        403,
    ));
    rows.push(row(
        "no session reads alerts",
        Nobody,
        "GET",
        "/api/v1/alerts",
        401,
    ));
    rows.push(row(
        "kiosk reads alerts",
        Kiosk,
        "GET",
        "/api/v1/alerts/unread",
        403,
    ));
    rows.push(row(
        "all alerts read without the CSRF token",
        AdminCookieOnly,
        "POST",
        "/api/v1/alerts/read",
        403,
    ));
    rows.push(row(
        "all alerts read from another origin",
        AdminFromElsewhere,
        "POST",
        "/api/v1/alerts/read",
        403,
    ));
    for evil in [DROP, OR_TRUE] {
        let e = enc(evil);
        for (param, expected) in [("branch", 404), ("kind", 400), ("before", 400)] {
            rows.push(row(
                format!("alerts {param}={evil}"),
                Manager,
                "GET",
                format!("/api/v1/alerts?{param}={e}"),
                expected,
            ));
        }
        rows.push(row(
            format!("alert id {evil}"),
            Admin,
            "POST",
            format!("/api/v1/alerts/{e}/read"),
            404,
        ));
        rows.push(row(
            format!("alert rule id {evil}"),
            Admin,
            "DELETE",
            format!("/api/v1/alert-rules/{e}"),
            404,
        ));
    }
    let _ = visit;
    rows
}

#[tokio::test]
async fn attacks_are_refused_and_change_nothing() {
    let s = TestServer::start_with(|c| c.max_body_bytes = 64 * 1024).await;
    // Some data to protect, and script in free text (stored as text).
    let script = "<script>alert('x')</script> =HYPERLINK(\"http://evil.example\")";
    let mut hostile = kiosk_at(1, "N01");
    hostile["answers"]["comment"] = json!({"type": "text", "value": script});
    let batch =
        json!({"responses": [hostile, kiosk_at(2, "N01"), kiosk_at(3, "N02"), kiosk_at(4, "S01")]});
    let (status, reply) = s.post_batch(&batch).await;
    assert_eq!(status, 200);
    assert!(
        reply["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "accepted"),
        "{reply}"
    );
    let (status, visit) = s
        .admin_json(
            reqwest::Method::POST,
            "/api/v1/visits",
            &json!({"branch": "N01", "scenario": "<img src=x onerror=alert(1)>", "questionnaire_id": "branch_visit", "window": {"from": "2026-05-01", "to": "2026-05-01"}, "shopper": "Ana"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        visit["scenario"], "<img src=x onerror=alert(1)>",
        "stored as typed"
    );

    let manager = s.user("manny", "manager", Some("N01"), None).await;
    let regional = s.user("reggie", "regional", None, Some("North")).await;
    let (_, kiosk) = s.enrol("kiosk", "N01").await;
    let (_, shopper) = s.enrol("shopper", "Ana").await;
    let (expired_id, expired) = s.enrol("kiosk", "N02").await;
    set_token_expiry_past(&s, &expired_id).await;
    let (revoked_id, revoked) = s.enrol("kiosk", "S01").await;
    let (status, _) = s
        .admin_json(
            reqwest::Method::POST,
            &format!("/api/v1/devices/{revoked_id}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let who = Who {
        admin: s.admin_session().await.clone(),
        manager,
        regional,
        kiosk,
        shopper,
        expired,
        revoked,
    };
    let user_id = who.manager.body["user"]["id"].as_str().unwrap().to_owned();

    // Free text comes back as the same text: JSON-escaped data, never markup.
    let resp = s.get("/api/v1/comments").await.send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    let comments: Value = resp.json().await.unwrap();
    assert!(
        comments
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["text"] == script),
        "{comments}"
    );
    // … and the CSV export neutralises the formula.
    let csv = s
        .get("/api/v1/export/responses.csv")
        .await
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !csv.lines().any(|l| l
            .split(',')
            .any(|cell| cell.trim_matches('"').starts_with("=HYPERLINK"))),
        "{csv}"
    );

    let before = digest(&s.database_url).await;
    let rows = table(visit["id"].as_str().unwrap(), &revoked_id, &user_id);
    let mut wrong = Vec::new();
    for r in &rows {
        let (status, body) = send(&s, &who, r).await;
        if status != r.expected {
            wrong.push(format!(
                "{} ({} {}): {status}, expected {}: {body}",
                r.name, r.method, r.path, r.expected
            ));
        }
    }
    // Paths outside the built app: raw, so that `..` arrives as typed.
    std::fs::write(s.dir.path().join("Cargo.toml"), "[package] SECRET-MARKER").unwrap();
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/..%2fCargo.toml",
        "/assets/..%2f..%2fCargo.toml",
        "/api/v1/../../Cargo.toml",
    ] {
        let (status, text) = raw_get(&s, path).await;
        if text.contains("SECRET-MARKER")
            || !(status == 400 || status == 404 || (status == 200 && text.contains("<title>")))
        {
            wrong.push(format!("static {path}: {status}: {text}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rows wrong:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
    assert_eq!(
        digest(&s.database_url).await,
        before,
        "the stored data changed"
    );
    assert_eq!(s.stored().await.len(), 4);
    s.stop().await;
}

#[tokio::test]
async fn guessing_a_password_is_slowed_per_account_and_per_address() {
    let s = TestServer::start_with(|c| c.sign_in_per_minute = 12).await;
    s.user("ana", "manager", Some("N01"), None).await;
    // Brute force on one account: locked after five failures in a row,
    // and the right password is refused while locked.
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..8 {
        let resp = s
            .client
            .post(s.at("/api/v1/session"))
            .json(&json!({"username": "ana", "password": "guess guess guess"}))
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            retry_after = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
        }
    }
    assert_eq!(&statuses[..5], [401; 5], "{statuses:?}");
    assert!(statuses[5..].contains(&429), "{statuses:?}");
    assert!(retry_after.unwrap().parse::<u64>().unwrap() >= 1);
    // Every address has a rate of its own (12 a minute here): the rest of
    // the minute is refused whatever the account.
    let mut last = 0;
    for _ in 0..6 {
        last = s.login("nobody", "guess guess guess").await.unwrap_err().0;
    }
    assert_eq!(last, 429);
    let resp = s
        .client
        .post(s.at("/api/v1/session"))
        .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        429,
        "even the right password of another account"
    );
    assert!(
        resp.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("too many"));
    s.stop().await;
}

#[tokio::test]
async fn each_address_and_each_device_has_a_rate() {
    let s = TestServer::start_with(|c| {
        c.rate_per_device = 1;
        c.rate_burst_device = 3;
        c.enrol_per_minute = 3;
    })
    .await;
    let (_, token) = s.enrol("kiosk", "N01").await;
    let (_, other) = s.enrol("kiosk", "N01").await;
    let one = json!({"responses": [kiosk_at(1, "N01")]});
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(s.post_batch_as(&token, &one).await.0);
    }
    assert_eq!(&statuses[..3], [200; 3], "{statuses:?}");
    assert_eq!(statuses[4], 429, "{statuses:?}");
    // Another device of the same address is not slowed by the first.
    assert_eq!(s.post_batch_as(&other, &one).await.0, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        s.post_batch_as(&token, &one).await.0,
        200,
        "the rate refills"
    );
    // Two enrolments above used two of the three a minute.
    let mut last = (0, Value::Null);
    for _ in 0..2 {
        let resp = s
            .client
            .post(s.at("/api/v1/devices/enrol"))
            .json(&json!({"code": "ABCDE-FGHJK"}))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        last = (status, resp.json().await.unwrap());
    }
    assert_eq!(last.0, 429, "{}", last.1);
    s.stop().await;

    let s = TestServer::start_with(|c| {
        c.rate_per_ip = 1;
        c.rate_burst_ip = 4;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let resp = s.client.get(s.at("/api/v1/health")).send().await.unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            assert!(
                resp.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
                    >= 1
            );
        }
    }
    assert_eq!(&statuses[..4], [200; 4], "{statuses:?}");
    assert_eq!(statuses[5], 429, "{statuses:?}");
    s.stop().await;
}
