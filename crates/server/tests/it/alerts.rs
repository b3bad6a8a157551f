//! Alerts over HTTP, on SQLite and PostgreSQL: rules set by admins (bad
//! ones refused at their field, nothing stored), judged at ingest in the
//! transaction storing the responses (low scores with comments, missed
//! commitments, unhappy bursts at the edges of their window and
//! thresholds, late answers), reports judged only at approval, the
//! silent-kiosk sweep, exactly one alert under resends and two replicas,
//! and each reader's inbox (role and scope, unread count, read state,
//! filters and pages).

use crate::common;
use crate::programme::{call, report};

use common::{execute, scalar, Session, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// 2026-03-02 at `hh:mm:ss`, UTC.
fn at(h: u32, m: u32, s: u32) -> String {
    format!("2026-03-02T{h:02}:{m:02}:{s:02}Z")
}

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// Kiosk response `n` at `branch`, submitted `when`, its satisfaction
/// answer `overall`, with `comment` or none.
fn kiosk(n: u32, branch: &str, when: &str, overall: u8, comment: Option<&str>) -> Value {
    let mut r = common::kiosk_response(&id(n));
    r["branch"] = json!(branch);
    r["started_at"] = json!(when);
    r["submitted_at"] = json!(when);
    r["answers"]["overall"]["value"] = json!(overall);
    match comment {
        Some(c) => r["answers"]["comment"]["value"] = json!(c),
        None => {
            r["answers"].as_object_mut().unwrap().remove("comment");
        }
    }
    r
}

/// Send `responses` in one batch from a device allowed to; every one accepted.
async fn send(s: &TestServer, responses: &[&Value]) {
    let (status, reply) = s.post_batch(&json!({ "responses": responses })).await;
    assert_eq!(status, 200, "{reply}");
    for r in reply["results"].as_array().unwrap() {
        assert_eq!(r["status"], "accepted", "{reply}");
    }
}

/// Store rule `body` as the admin: its id.
async fn rule(s: &TestServer, body: Value) -> String {
    let (status, stored) = s
        .admin_json(Method::POST, "/api/v1/alert-rules", &body)
        .await;
    assert_eq!(status, 201, "{stored}");
    stored["id"].as_str().unwrap().to_owned()
}

fn burst(window: u32, min_count: u32, share: u8, low_max: u8) -> Value {
    json!({"kind": "unhappy_burst", "window_minutes": window, "min_count": min_count,
           "share_percent": share, "low_max": low_max})
}

fn all() -> Value {
    json!({"kind": "all"})
}

/// Every alert the admin sees, newest first.
async fn alerts(s: &TestServer) -> Vec<Value> {
    let (status, list) = s.get_json("/api/v1/alerts?limit=200").await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().clone()
}

/// The alerts of `kind`, oldest first.
async fn of_kind(s: &TestServer, kind: &str) -> Vec<Value> {
    let mut found: Vec<Value> = alerts(s)
        .await
        .into_iter()
        .filter(|a| a["finding"]["kind"] == kind)
        .collect();
    found.reverse();
    found
}

async fn count(s: &TestServer, table: &str) -> i64 {
    scalar(
        &s.database_url,
        &format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"),
    )
    .await
    .unwrap()
    .parse()
    .unwrap()
}

#[tokio::test]
async fn rules_are_an_admins_checked_at_their_field_and_audited() {
    let s = TestServer::start().await;
    let manager = s.user("mona", "manager", Some("N01"), None).await;
    let body = json!({
        "name": "Unhappy lunchtime", "rule": burst(15, 5, 50, 2), "scope": {"kind": "region", "value": "North"},
        "recipients": {"roles": ["manager", "regional"], "emails": ["ops@bank.example"], "webhooks": []},
    });
    for (method, path) in [
        (Method::GET, "/api/v1/alert-rules"),
        (Method::POST, "/api/v1/alert-rules"),
    ] {
        let (status, reply) = call(&s, &manager, method, path, Some(&body)).await;
        assert_eq!(
            (status, &reply["code"]),
            (403, &json!("admin_only")),
            "{reply}"
        );
    }
    // Only the seeded rule: contact requests reach managers from the start.
    let (_, before) = s.get_json("/api/v1/alert-rules").await;
    assert_eq!(before.as_array().unwrap().len(), 1, "{before}");
    assert_eq!(before[0]["rule"]["kind"], "contact_request");

    let id = rule(&s, body.clone()).await;
    let (_, listed) = s.get_json("/api/v1/alert-rules").await;
    let stored = &listed[1];
    assert_eq!(stored["id"], id.as_str());
    assert_eq!(stored["name"], "Unhappy lunchtime");
    assert_eq!(stored["rule"], burst(15, 5, 50, 2));
    assert_eq!(stored["scope"], json!({"kind": "region", "value": "North"}));
    assert_eq!(stored["recipients"]["emails"], json!(["ops@bank.example"]));
    assert_eq!(stored["active"], true);

    // Each bad rule is refused at its field, and nothing is stored.
    let with = |pointer: &str, value: Value| {
        let mut b = body.clone();
        *b.pointer_mut(pointer).unwrap() = value;
        b
    };
    let webhook = "7a0c6f1e-3b2d-4c5e-9f80-1a2b3c4d5e6f";
    let cases = [
        (with("/name", json!("  ")), "name", "empty"),
        (with("/name", json!("x".repeat(81))), "name", "too_long"),
        (
            with("/rule/window_minutes", json!(4)),
            "rule.window_minutes",
            "out_of_range",
        ),
        (
            with("/rule/min_count", json!(1001)),
            "rule.min_count",
            "out_of_range",
        ),
        (
            with("/rule/share_percent", json!(0)),
            "rule.share_percent",
            "out_of_range",
        ),
        (
            with("/rule/low_max", json!(5)),
            "rule.low_max",
            "out_of_range",
        ),
        (
            with("/rule", json!({"kind": "silent_kiosk", "hours": 721})),
            "rule.hours",
            "out_of_range",
        ),
        (
            with("/scope", json!({"kind": "branch", "value": "X99"})),
            "scope",
            "unknown_branch",
        ),
        (
            with("/scope", json!({"kind": "region", "value": "East"})),
            "scope",
            "unknown_region",
        ),
        (
            with("/recipients/emails", json!(["ops@bank.example", "ops"])),
            "recipients.emails",
            "bad_email",
        ),
        (
            with(
                "/recipients/emails",
                json!((0..21)
                    .map(|i| format!("o{i}@bank.example"))
                    .collect::<Vec<_>>()),
            ),
            "recipients.emails",
            "too_many",
        ),
        (
            with("/recipients/webhooks", json!([webhook])),
            "recipients.webhooks",
            "unknown_webhook",
        ),
        (
            with("/recipients/roles", json!(["manager", "shopper"])),
            "recipients.roles[1]",
            "unexpected_json",
        ),
        (
            with("/rule/share_percent", json!(300)),
            "rule.share_percent",
            "unexpected_json",
        ),
        (
            with("/rule", json!({"kind": "loud_kiosk"})),
            "rule.kind",
            "unexpected_json",
        ),
    ];
    let digest = common::digest(&s.database_url).await;
    for (bad, field, code) in &cases {
        let (status, reply) = s.admin_json(Method::POST, "/api/v1/alert-rules", bad).await;
        assert_eq!(status, 422, "{field}: {reply}");
        assert_eq!(
            (&reply["field"], &reply["code"]),
            (&json!(field), &json!(code)),
            "{reply}"
        );
        let path = format!("/api/v1/alert-rules/{id}");
        let (status, reply) = s.admin_json(Method::PUT, &path, bad).await;
        assert_eq!((status, &reply["field"]), (422, &json!(field)), "{reply}");
    }
    assert_eq!(common::digest(&s.database_url).await, digest);
    let (_, after) = s.get_json("/api/v1/alert-rules").await;
    assert_eq!(after, listed, "nothing stored or changed");

    // Changed whole; switched off.
    let mut changed = body.clone();
    changed["name"] = json!("Unhappy mornings");
    changed["active"] = json!(false);
    let path = format!("/api/v1/alert-rules/{id}");
    let (status, reply) = s.admin_json(Method::PUT, &path, &changed).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        (&reply["name"], &reply["active"]),
        (&json!("Unhappy mornings"), &json!(false))
    );
    let none = "/api/v1/alert-rules/00000000-0000-4000-8000-000000000999";
    assert_eq!(s.admin_json(Method::PUT, none, &changed).await.0, 404);
    assert_eq!(
        s.admin_json(Method::DELETE, none, &json!(null)).await.0,
        404
    );
    let (status, _) = s.admin_json(Method::DELETE, &path, &json!(null)).await;
    assert_eq!(status, 204);
    let (_, after) = s.get_json("/api/v1/alert-rules").await;
    assert_eq!(after.as_array().unwrap().len(), 1);

    let (_, audit) = s.get_json("/api/v1/audit").await;
    let lines: Vec<(&str, &str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["action"].as_str().unwrap().starts_with("alert_rule."))
        .map(|l| {
            (
                l["action"].as_str().unwrap(),
                l["target"].as_str().unwrap(),
                l["actor"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("alert_rule.delete", id.as_str(), "user:admin"),
            ("alert_rule.update", id.as_str(), "user:admin"),
            ("alert_rule.create", id.as_str(), "user:admin"),
        ]
    );
    s.stop().await;
}

#[tokio::test]
async fn a_rule_whose_alert_became_a_case_is_kept_and_one_without_goes_with_its_alerts() {
    let s = TestServer::start().await;
    let body = |name: &str| {
        json!({"name": name, "rule": {"kind": "low_score_comment", "low_max": 2}, "scope": all(),
               "recipients": {"emails": ["ops@bank.example"]}})
    };
    let kept = rule(&s, body("Kept")).await;
    send(&s, &[&kiosk(1, "N01", &at(12, 0, 0), 1, Some("Rude."))]).await;
    let gone = rule(&s, body("Gone")).await;
    send(&s, &[&kiosk(2, "N01", &at(12, 5, 0), 1, Some("Slow."))]).await;
    // Kept: response 1 and 2; gone: response 2.
    assert_eq!(count(&s, "alerts").await, 3);
    assert_eq!(count(&s, "deliveries").await, 3);
    let first = &of_kind(&s, "low_score_comment").await[0];
    assert_eq!(first["rule"], kept.as_str());
    let owner = s.admin_session().await.body["user"]["id"].clone();
    execute(
        &s.database_url,
        &[format!(
            "INSERT INTO cases (id, alert_id, branch, owner, due, status, created_at, updated_at) \
             VALUES ('00000000-0000-4000-8000-0000000000ca', '{}', 'N01', '{}', '2026-03-10', \
             'open', '2026-03-02T12:00:00.000Z', '2026-03-02T12:00:00.000Z')",
            first["id"].as_str().unwrap(),
            owner.as_str().unwrap()
        )],
    )
    .await;
    let (status, reply) = s
        .admin_json(
            Method::DELETE,
            &format!("/api/v1/alert-rules/{kept}"),
            &json!(null),
        )
        .await;
    assert_eq!(status, 409, "{reply}");
    let (status, _) = s
        .admin_json(
            Method::DELETE,
            &format!("/api/v1/alert-rules/{gone}"),
            &json!(null),
        )
        .await;
    assert_eq!(status, 204);
    let left: Vec<Value> = alerts(&s).await;
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().all(|a| a["rule"] == kept.as_str()));
    assert_eq!(
        count(&s, "deliveries").await,
        2,
        "the deleted alert's delivery went with it"
    );
    let with_case = left.iter().find(|a| a["id"] == first["id"]).unwrap();
    assert_eq!(with_case["case"], "00000000-0000-4000-8000-0000000000ca");
    s.stop().await;
}

#[tokio::test]
async fn a_low_score_with_a_comment_raises_one_alert_and_a_resend_none() {
    let s = TestServer::start().await;
    let rule_id = rule(
        &s,
        json!({"name": "Low with a comment", "rule": {"kind": "low_score_comment", "low_max": 2},
               "scope": all(), "recipients": {"roles": ["manager"], "emails": ["ops@bank.example", "n01@bank.example"]}}),
    )
    .await;
    let low = kiosk(1, "N01", &at(12, 0, 0), 2, Some("Nobody at the counter."));
    send(
        &s,
        &[
            &low,
            // One above the threshold, with a comment.
            &kiosk(2, "N01", &at(12, 1, 0), 3, Some("Slow.")),
            // At the threshold, without one.
            &kiosk(3, "N01", &at(12, 2, 0), 1, None),
        ],
    )
    .await;
    let found = of_kind(&s, "low_score_comment").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let a = &found[0];
    assert_eq!(a["rule"], rule_id.as_str());
    assert_eq!(a["rule_name"], "Low with a comment");
    assert_eq!(a["branch"], "N01");
    assert_eq!(a["response"], id(1));
    assert_eq!(
        a["finding"],
        json!({"kind": "low_score_comment", "score": 2, "comment": "Nobody at the counter."})
    );
    assert_eq!(a["read"], false);
    assert!(a.get("case").is_none(), "{a}");
    // One delivery per address, queued in the same transaction.
    assert_eq!(count(&s, "deliveries").await, 2);
    // The satisfaction answers are kept beside the responses.
    let stored = scalar(
        &s.database_url,
        "SELECT CAST(SUM(satisfaction) AS TEXT) FROM responses",
    )
    .await;
    assert_eq!(stored.as_deref(), Some("6"));

    // Resent (a lost reply): duplicates, nothing raised or queued again.
    let (_, reply) = s.post_batch(&json!({ "responses": [&low] })).await;
    assert_eq!(reply["results"][0]["status"], "duplicate", "{reply}");
    assert_eq!(count(&s, "alerts").await, 1);
    assert_eq!(count(&s, "deliveries").await, 2);

    // Erasing the response's texts erases the comment the alert quotes.
    let (status, reply) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/responses/{}/purge-text", id(1)),
            &json!(null),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let after = &of_kind(&s, "low_score_comment").await[0];
    assert_eq!(
        after["finding"],
        json!({"kind": "low_score_comment", "score": 2, "comment": ""})
    );
    s.stop().await;
}

#[tokio::test]
async fn unhappy_bursts_fire_at_the_edges_of_their_window_and_thresholds() {
    let s = TestServer::start().await;
    // Four answers in 15 minutes, half of them 2 or less.
    rule(
        &s,
        json!({"name": "Burst", "rule": burst(15, 4, 50, 2), "scope": all()}),
    )
    .await;
    // The same rule for one branch only.
    rule(
        &s,
        json!({"name": "Burst at S01", "rule": burst(15, 4, 50, 2), "scope": {"kind": "branch", "value": "S01"}}),
    )
    .await;
    let mut n = 0;
    let mut answers = |branch: &str, times: &[(u32, u32, u32, u8)]| -> Vec<Value> {
        times
            .iter()
            .map(|&(h, m, sec, score)| {
                n += 1;
                kiosk(n, branch, &at(h, m, sec), score, None)
            })
            .collect()
    };
    // Exactly min_count answers, exactly half unhappy: a burst.
    let n01 = answers(
        "N01",
        &[(12, 0, 0, 1), (12, 3, 0, 5), (12, 6, 0, 2), (12, 9, 0, 4)],
    );
    // One unhappy answer fewer: a quarter.
    let n02 = answers(
        "N02",
        &[(12, 0, 0, 1), (12, 3, 0, 5), (12, 6, 0, 3), (12, 9, 0, 4)],
    );
    // One answer fewer than min_count, all unhappy.
    let n03 = answers("N03", &[(12, 0, 0, 1), (12, 3, 0, 1), (12, 6, 0, 1)]);
    // Four unhappy answers 15 minutes apart end to end: the window ending
    // at the last, (12:00, 12:15], leaves the first out.
    let n04 = answers(
        "N04",
        &[(12, 0, 0, 1), (12, 5, 0, 1), (12, 10, 0, 1), (12, 15, 0, 1)],
    );
    // A second sooner, and the first is in.
    let n05 = answers(
        "N05",
        &[
            (12, 0, 0, 1),
            (12, 5, 0, 1),
            (12, 10, 0, 1),
            (12, 14, 59, 1),
        ],
    );
    // The branch of the second rule: both rules fire.
    let s01 = answers(
        "S01",
        &[(12, 0, 0, 1), (12, 3, 0, 5), (12, 6, 0, 2), (12, 9, 0, 4)],
    );
    // Each answer in a batch of its own, as a kiosk sends them.
    for r in [&n01, &n02, &n03, &n04, &n05, &s01].into_iter().flatten() {
        send(&s, &[r]).await;
    }
    let found = of_kind(&s, "unhappy_burst").await;
    let mut fired: Vec<(String, String)> = found
        .iter()
        .map(|a| {
            (
                a["branch"].as_str().unwrap().to_owned(),
                a["rule_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    fired.sort();
    let pair = |b: &str, r: &str| (b.to_owned(), r.to_owned());
    assert_eq!(
        fired,
        [
            pair("N01", "Burst"),
            pair("N05", "Burst"),
            pair("S01", "Burst"),
            pair("S01", "Burst at S01")
        ]
    );
    let at_n01 = found.iter().find(|a| a["branch"] == "N01").unwrap();
    assert_eq!(
        at_n01["finding"],
        json!({"kind": "unhappy_burst", "n": 4, "low": 2, "window_minutes": 15, "until": "2026-03-02T12:09:00Z"})
    );
    assert!(at_n01.get("response").is_none(), "{at_n01}");
    let at_n05 = found.iter().find(|a| a["branch"] == "N05").unwrap();
    assert_eq!(at_n05["finding"]["n"], 4);
    assert_eq!(at_n05["finding"]["until"], "2026-03-02T12:14:59Z");

    // More unhappy answers in the same 15 minutes of the clock: the same
    // burst, no second alert. The next quarter hour is a new one.
    let more = answers("N01", &[(12, 10, 0, 1), (12, 14, 0, 1)]);
    send(&s, &[&more[0], &more[1]]).await;
    assert_eq!(of_kind(&s, "unhappy_burst").await.len(), 4);
    let next = answers("N01", &[(12, 16, 0, 1)]);
    send(&s, &[&next[0]]).await;
    let found = of_kind(&s, "unhappy_burst").await;
    assert_eq!(found.len(), 5);
    assert_eq!(found[4]["branch"], "N01");
    assert_eq!(found[4]["finding"]["until"], "2026-03-02T12:16:00Z");
    // (12:01, 12:16]: 12:03 (5), 12:06 (2), 12:09 (4), 12:10, 12:14, 12:16.
    assert_eq!(
        (&found[4]["finding"]["n"], &found[4]["finding"]["low"]),
        (&json!(6), &json!(4))
    );

    // A late answer counts in the windows of the answers after it: stored
    // 12:05, 12:10 (unhappy) and 12:12 (happy), then 12:00 (unhappy)
    // arrives; (11:57, 12:12] holds all four, three unhappy.
    let n06 = answers("N06", &[(12, 5, 0, 1), (12, 10, 0, 2), (12, 12, 0, 5)]);
    for r in &n06 {
        send(&s, &[r]).await;
    }
    assert_eq!(of_kind(&s, "unhappy_burst").await.len(), 5);
    let late = answers("N06", &[(12, 0, 0, 1)]);
    send(&s, &[&late[0]]).await;
    let found = of_kind(&s, "unhappy_burst").await;
    assert_eq!(found.len(), 6);
    assert_eq!(
        found[5]["finding"],
        json!({"kind": "unhappy_burst", "n": 4, "low": 3, "window_minutes": 15, "until": "2026-03-02T12:12:00Z"})
    );
    s.stop().await;
}

/// A copy of the kiosk questionnaire, "lobby_kept" v1, whose `ease` item
/// is a commitment (an answer of 4 or 5 meets it).
fn kept_questionnaire() -> Value {
    let file = std::fs::read_to_string(common::questionnaires_dir().join("kiosk.json")).unwrap();
    let mut q: Value = serde_json::from_str(&file).unwrap();
    q["id"] = json!("lobby_kept");
    q["version"] = json!(1);
    let ease = q["sections"][0]["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["id"] == "ease")
        .unwrap();
    ease["commitment"] = json!({
        "label": {"zh-CN": "办事容易", "en": "Easy to get done", "es": "Trámite fácil"},
        "target": 80
    });
    q
}

#[tokio::test]
async fn a_missed_commitment_at_a_kiosk_raises_an_alert_and_a_met_one_none() {
    let s = TestServer::start().await;
    let (status, reply) = s
        .admin_json(
            Method::POST,
            "/api/v1/questionnaires",
            &kept_questionnaire(),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    rule(
        &s,
        json!({"name": "Missed", "rule": {"kind": "missed_commitment"}, "scope": all()}),
    )
    .await;
    let answered = |n: u32, ease: u8| {
        let mut r = kiosk(n, "N01", &at(12, n, 0), 4, None);
        r["questionnaire_id"] = json!("lobby_kept");
        r["questionnaire_version"] = json!(1);
        r["answers"]["ease"]["value"] = json!(ease);
        r
    };
    // 3 is under the commitment; 4 meets it.
    send(&s, &[&answered(1, 3), &answered(2, 4)]).await;
    // The lobby's own version has no commitments.
    send(&s, &[&kiosk(3, "N01", &at(12, 3, 0), 1, None)]).await;
    let found = of_kind(&s, "missed_commitment").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["response"], id(1));
    assert_eq!(
        found[0]["finding"],
        json!({"kind": "missed_commitment", "items": ["ease"]})
    );
    s.stop().await;
}

#[tokio::test]
async fn a_report_is_judged_only_when_approved() {
    let s = TestServer::start().await;
    rule(
        &s,
        json!({"name": "Critical", "rule": {"kind": "critical_failure"}, "scope": all(), "recipients": {"roles": ["manager"]}}),
    )
    .await;
    rule(
        &s,
        json!({"name": "Missed", "rule": {"kind": "missed_commitment"}, "scope": {"kind": "region", "value": "North"}}),
    )
    .await;
    // Every check failed (the four critical items among them), the call
    // unanswered, the wait (60 s) within its target.
    let failed = |n: u32| {
        let mut r = report(n, "N02", None, None);
        let (_, _, answers) = common::shop_answers("no");
        r["answers"] = answers;
        r
    };
    let (held, rejected, approved, passed) = (
        failed(1),
        failed(2),
        failed(3),
        report(4, "N02", None, None),
    );
    send(&s, &[&held, &rejected, &approved, &passed]).await;
    assert_eq!(
        alerts(&s).await,
        Vec::<Value>::new(),
        "held reports count for nothing"
    );
    let review = |r: &Value, body: Value| {
        let path = format!("/api/v1/reports/{}/review", r["id"].as_str().unwrap());
        let s = &s;
        async move {
            let (status, reply) = s.admin_json(Method::POST, &path, &body).await;
            assert_eq!(status, 200, "{reply}");
        }
    };
    review(
        &rejected,
        json!({"decision": "reject", "note": "Not our branch."}),
    )
    .await;
    assert_eq!(alerts(&s).await, Vec::<Value>::new());
    review(&approved, json!({"decision": "approve"})).await;
    review(&passed, json!({"decision": "approve"})).await;
    let critical = of_kind(&s, "critical_failure").await;
    assert_eq!(critical.len(), 1, "{critical:?}");
    assert_eq!(critical[0]["response"], approved["id"]);
    assert_eq!(critical[0]["branch"], "N02");
    assert_eq!(
        critical[0]["finding"]["items"],
        json!([
            "identity_verified",
            "privacy_respected",
            "accurate_information",
            "no_pressure_selling"
        ])
    );
    let missed = of_kind(&s, "missed_commitment").await;
    let by_response = |r: &Value| {
        missed
            .iter()
            .find(|a| a["response"] == r["id"])
            .unwrap_or_else(|| panic!("{missed:?}"))["finding"]["items"]
            .clone()
    };
    assert_eq!(missed.len(), 2);
    assert_eq!(
        by_response(&approved),
        json!([
            "greeted_on_arrival",
            "first_contact_ownership",
            "phone_rings",
            "phone_answered"
        ])
    );
    assert_eq!(
        by_response(&passed),
        json!(["phone_rings", "phone_answered"])
    );
    // A report at a branch outside the Missed rule's region: only Critical.
    let south = {
        let mut r = failed(5);
        r["branch"] = json!("S01");
        r
    };
    send(&s, &[&south]).await;
    review(&south, json!({"decision": "approve"})).await;
    let at_south: Vec<Value> = alerts(&s)
        .await
        .into_iter()
        .filter(|a| a["branch"] == "S01")
        .collect();
    assert_eq!(at_south.len(), 1);
    assert_eq!(at_south[0]["finding"]["kind"], "critical_failure");
    s.stop().await;
}

fn sql_time(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap();
    t.format(&Rfc3339).unwrap().replace('Z', ".000Z")
}

/// Enrol a kiosk at `branch` named `label`: its id and token.
async fn kiosk_device(s: &TestServer, branch: &str, label: &str) -> (String, String) {
    let (status, enrolment) = s
        .admin_json(
            Method::POST,
            "/api/v1/devices",
            &json!({"kind": "kiosk", "label": label, "branch": branch}),
        )
        .await;
    assert_eq!(status, 201, "{enrolment}");
    let resp = s
        .client
        .post(s.at("/api/v1/devices/enrol"))
        .json(&json!({"code": enrolment["code"]}))
        .send()
        .await
        .unwrap();
    let enrolled: Value = resp.json().await.unwrap();
    (
        enrolled["device"]["id"].as_str().unwrap().to_owned(),
        enrolled["token"].as_str().unwrap().to_owned(),
    )
}

/// Poll the admin's silent-kiosk alerts until `done` holds of them (the
/// sweep runs every second here); fail after half a minute.
async fn silences_until(s: &TestServer, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let found = of_kind(s, "silent_kiosk").await;
        if done(&found) {
            return found;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the sweep did not get there: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_silent_kiosk_raises_one_alert_per_stretch_of_silence() {
    let s = TestServer::start_with(|c| c.alert_sweep_secs = 1).await;
    rule(
        &s,
        json!({"name": "Silent", "rule": {"kind": "silent_kiosk", "hours": 2}, "scope": {"kind": "region", "value": "North"}}),
    )
    .await;
    let (quiet, quiet_token) = kiosk_device(&s, "N01", "Lobby left").await;
    let (busy, _) = kiosk_device(&s, "N01", "Lobby right").await;
    let (south, _) = kiosk_device(&s, "S01", "South lobby").await;
    let (revoked, _) = kiosk_device(&s, "N02", "Old tablet").await;
    let (later, _) = kiosk_device(&s, "N03", "Later").await;
    let (status, _) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/devices/{revoked}/revoke"),
            &json!(null),
        )
        .await;
    assert_eq!(status, 204);
    let now = OffsetDateTime::now_utc();
    let back = |device: &str, hours: i64| {
        format!(
            "UPDATE devices SET enrolled_at = '{}' WHERE id = '{device}'",
            sql_time(now - time::Duration::hours(hours))
        )
    };
    // Enrolled 3 hours ago and silent since; one hour: not yet; out of
    // the rule's region; revoked.
    execute(
        &s.database_url,
        &[
            back(&quiet, 3),
            back(&busy, 1),
            back(&south, 3),
            back(&revoked, 3),
        ],
    )
    .await;
    let found = silences_until(&s, |f| !f.is_empty()).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["branch"], "N01");
    assert_eq!(found[0]["finding"]["device"], "Lobby left");
    let since = found[0]["finding"]["since"].as_str().unwrap();
    let since = OffsetDateTime::parse(since, &Rfc3339).unwrap();
    assert_eq!(
        since,
        now.replace_nanosecond(0).unwrap() - time::Duration::hours(3)
    );

    // Another kiosk falls silent: by its alert, later sweeps ran and found
    // the first one silent still, without a second alert.
    execute(&s.database_url, &[back(&later, 5)]).await;
    let found = silences_until(&s, |f| f.len() >= 2).await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[1]["finding"]["device"], "Later");

    // The quiet kiosk sends a response: heard from. Two hours and more
    // after it, a new stretch of silence, a new alert.
    send_as(&s, &quiet_token, &kiosk(1, "N01", &at(12, 0, 0), 5, None)).await;
    execute(
        &s.database_url,
        &[format!(
            "UPDATE responses SET received_at = '{}' WHERE id = '{}'",
            sql_time(now - time::Duration::minutes(150)),
            id(1)
        )],
    )
    .await;
    let found = silences_until(&s, |f| f.len() >= 3).await;
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[2]["finding"]["device"], "Lobby left");
    assert_ne!(found[2]["finding"]["since"], found[0]["finding"]["since"]);
    assert!(found
        .iter()
        .all(|a| a["branch"] != "S01" && a["branch"] != "N02"));
    s.stop().await;
}

async fn send_as(s: &TestServer, token: &str, r: &Value) {
    let (status, reply) = s.post_batch_as(token, &json!({ "responses": [r] })).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_raise_each_burst_and_each_response_alert_once() {
    let a = TestServer::start().await;
    let shared = a.database_url.clone();
    let b = TestServer::start_with(|c| c.database_url = shared).await;
    // Two unhappy answers in 15 minutes make a burst.
    rule(
        &a,
        json!({"name": "Pair", "rule": burst(15, 2, 100, 2), "scope": all()}),
    )
    .await;
    rule(
        &a,
        json!({"name": "Low", "rule": {"kind": "low_score_comment", "low_max": 2}, "scope": all()}),
    )
    .await;
    // The second answer of each round answers another questionnaire: the
    // two transactions then share no dashboard row, whose lock would
    // otherwise make the second wait for the first anyway.
    let (status, reply) = a
        .admin_json(
            Method::POST,
            "/api/v1/questionnaires",
            &kept_questionnaire(),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    // Each round: one replica stores one answer, the other the other, at
    // once, in a quarter hour of its own.
    const ROUNDS: u32 = 24;
    for round in 0..ROUNDS {
        let (h, branch) = (8 + round / 4, ["N01", "N02"][(round % 2) as usize]);
        let m = (round % 4) * 15;
        let first = kiosk(100 + 2 * round, branch, &at(h, m, 0), 1, None);
        let mut second = kiosk(101 + 2 * round, branch, &at(h, m + 1, 0), 2, None);
        second["questionnaire_id"] = json!("lobby_kept");
        second["questionnaire_version"] = json!(1);
        let (to_a, to_b) = (
            json!({ "responses": [first] }),
            json!({ "responses": [second] }),
        );
        let (x, y) = tokio::join!(a.post_batch(&to_a), b.post_batch(&to_b));
        for (status, reply) in [x, y] {
            assert_eq!(status, 200, "{reply}");
            assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
        }
    }
    let bursts = of_kind(&a, "unhappy_burst").await;
    assert_eq!(bursts.len(), ROUNDS as usize, "one per round: {bursts:?}");
    let mut untils: Vec<&str> = bursts
        .iter()
        .map(|x| x["finding"]["until"].as_str().unwrap())
        .collect();
    untils.dedup();
    assert_eq!(untils.len(), ROUNDS as usize);
    assert!(bursts.iter().all(|x| x["finding"]["n"] == 2));

    // One response sent to both at once: stored once, one alert.
    let low = kiosk(1, "N03", &at(7, 0, 0), 1, Some("Rude."));
    let batch = json!({ "responses": [&low] });
    let (x, y) = tokio::join!(a.post_batch(&batch), b.post_batch(&batch));
    let mut outcomes = vec![
        x.1["results"][0]["status"].as_str().unwrap().to_owned(),
        y.1["results"][0]["status"].as_str().unwrap().to_owned(),
    ];
    outcomes.sort();
    assert_eq!(outcomes, ["accepted", "duplicate"]);
    let low_alerts = of_kind(&b, "low_score_comment").await;
    assert_eq!(low_alerts.len(), 1, "{low_alerts:?}");
    assert_eq!(low_alerts[0]["response"], id(1));
    a.stop().await;
    b.stop().await;
}

/// `GET path` as `who`: status and JSON.
async fn get_as(s: &TestServer, who: &Session, path: &str) -> (u16, Value) {
    call(s, who, Method::GET, path, None).await
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_reader_sees_the_alerts_of_their_role_and_scope_and_reads_them() {
    let s = TestServer::start().await;
    let mona = s.user("mona", "manager", Some("N01"), None).await;
    let sam = s.user("sam", "manager", Some("S01"), None).await;
    let nora = s.user("nora", "regional", None, Some("North")).await;
    let rita = s.user("rita", "reviewer", None, None).await;
    // To managers: low scores with comments. To regional managers: every
    // answer of 1 (a burst of one).
    let low = rule(
        &s,
        json!({"name": "Low", "rule": {"kind": "low_score_comment", "low_max": 2}, "scope": all(), "recipients": {"roles": ["manager"]}}),
    )
    .await;
    let ones = rule(
        &s,
        json!({"name": "Ones", "rule": burst(5, 1, 100, 1), "scope": all(), "recipients": {"roles": ["regional"]}}),
    )
    .await;
    send(&s, &[&kiosk(1, "N01", &at(12, 0, 0), 2, Some("Slow."))]).await;
    send(&s, &[&kiosk(2, "S01", &at(12, 1, 0), 1, Some("Rude."))]).await;
    send(&s, &[&kiosk(3, "N02", &at(12, 2, 0), 1, None)]).await;
    let every = alerts(&s).await;
    assert_eq!(every.len(), 4, "{every:?}");
    let find = |rule: &str, branch: &str| {
        every
            .iter()
            .find(|a| a["rule"] == rule && a["branch"] == branch)
            .unwrap_or_else(|| panic!("{rule} at {branch} in {every:?}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (low_n01, low_s01, ones_s01, ones_n02) = (
        find(&low, "N01"),
        find(&low, "S01"),
        find(&ones, "S01"),
        find(&ones, "N02"),
    );
    // Newest first.
    assert_eq!(every[3]["id"], low_n01.as_str());
    assert_eq!(every[0]["id"], ones_n02.as_str());

    for (who, expected) in [
        (&mona, vec![low_n01.clone()]),
        (&sam, vec![low_s01.clone()]),
        (&nora, vec![ones_n02.clone()]),
        (&rita, vec![]),
    ] {
        let (status, list) = get_as(&s, who, "/api/v1/alerts").await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(ids(&list), expected);
        let (_, unread) = get_as(&s, who, "/api/v1/alerts/unread").await;
        assert_eq!(unread, json!({"count": expected.len()}));
    }
    // Another's alert is not there at all; reading one's own marks nothing.
    for other in [&low_s01, &ones_s01, &ones_n02] {
        let (status, reply) = get_as(&s, &mona, &format!("/api/v1/alerts/{other}")).await;
        assert_eq!(status, 404, "{reply}");
        let path = format!("/api/v1/alerts/{other}/read");
        let (status, _) = call(&s, &mona, Method::POST, &path, None).await;
        assert_eq!(status, 404);
    }
    let (status, one) = get_as(&s, &mona, &format!("/api/v1/alerts/{low_n01}")).await;
    assert_eq!((status, &one["read"]), (200, &json!(false)), "{one}");
    let (_, unread) = get_as(&s, &mona, "/api/v1/alerts/unread").await;
    assert_eq!(unread["count"], 1);
    let path = format!("/api/v1/alerts/{low_n01}/read");
    let (status, one) = call(&s, &mona, Method::POST, &path, None).await;
    assert_eq!((status, &one["read"]), (200, &json!(true)), "{one}");
    let (status, _) = call(&s, &mona, Method::POST, &path, None).await;
    assert_eq!(status, 200, "reading twice is reading");
    let (_, unread) = get_as(&s, &mona, "/api/v1/alerts/unread").await;
    assert_eq!(unread["count"], 0);
    let (_, list) = get_as(&s, &mona, "/api/v1/alerts").await;
    assert_eq!(list[0]["read"], true);
    // Read state is the reader's own: the admin's four are unread still.
    let (_, unread) = s.get_json("/api/v1/alerts/unread").await;
    assert_eq!(unread["count"], 4);
    let (_, unread_list) = s.get_json("/api/v1/alerts?unread=true").await;
    assert_eq!(ids(&unread_list).len(), 4);

    // Filters and pages.
    let (_, at_s01) = s.get_json("/api/v1/alerts?branch=S01").await;
    let mut got = ids(&at_s01);
    got.sort();
    let mut want = vec![low_s01.clone(), ones_s01.clone()];
    want.sort();
    assert_eq!(got, want);
    let (_, bursts) = s.get_json("/api/v1/alerts?kind=unhappy_burst").await;
    assert_eq!(ids(&bursts).len(), 2);
    let (_, page1) = s.get_json("/api/v1/alerts?limit=3").await;
    let last = ids(&page1).pop().unwrap();
    let (_, page2) = s
        .get_json(&format!("/api/v1/alerts?limit=3&before={last}"))
        .await;
    let paged: Vec<String> = ids(&page1).into_iter().chain(ids(&page2)).collect();
    assert_eq!(paged, ids(&json!(every)), "two pages, the whole list once");
    let last = ids(&page2).pop().unwrap();
    let (_, page3) = s.get_json(&format!("/api/v1/alerts?before={last}")).await;
    assert_eq!(page3, json!([]));

    // Refused, naming the parameter.
    for (who, query, status, field, code) in [
        (&mona, "branch=S01", 403, "branch", "outside_scope"),
        (&mona, "limit=0", 400, "limit", "bad_limit"),
        (&mona, "limit=201", 400, "limit", "bad_limit"),
        (&mona, "kind=loud_kiosk", 400, "kind", "bad_query"),
        (&mona, "unread=maybe", 400, "unread", "bad_query"),
        (&mona, "before=nope", 400, "before", "bad_query"),
        // Another reader's alert is no place to start a page.
        (
            &mona,
            &*format!("before={low_s01}"),
            400,
            "before",
            "bad_query",
        ),
    ] {
        let (got, reply) = get_as(&s, who, &format!("/api/v1/alerts?{query}")).await;
        assert_eq!(
            (got, &reply["field"], &reply["code"]),
            (status, &json!(field), &json!(code)),
            "{query}: {reply}"
        );
    }
    let (status, _) = get_as(&s, &mona, "/api/v1/alerts?branch=X99").await;
    assert_eq!(status, 404);

    // All read at once: the admin's inbox, no one else's.
    let (status, reply) = s
        .admin_json(Method::POST, "/api/v1/alerts/read", &json!(null))
        .await;
    assert_eq!((status, reply), (200, json!({"count": 0})));
    let (_, list) = s.get_json("/api/v1/alerts").await;
    assert!(list.as_array().unwrap().iter().all(|a| a["read"] == true));
    let (_, unread) = get_as(&s, &sam, "/api/v1/alerts/unread").await;
    assert_eq!(unread["count"], 1);
    let (status, reply) = call(&s, &sam, Method::POST, "/api/v1/alerts/read", None).await;
    assert_eq!((status, reply), (200, json!({"count": 0})));
    // Signed-in people only.
    let resp = s.client.get(s.at("/api/v1/alerts")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let kiosk_token = s.token_for(&kiosk(9, "N01", &at(12, 0, 0), 5, None)).await;
    let (status, _) = s.get_as_device(&kiosk_token, "/api/v1/alerts/unread").await;
    assert_eq!(status, 403);
    s.stop().await;
}
