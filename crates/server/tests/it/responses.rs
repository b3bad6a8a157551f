//! `POST /api/v1/responses` over HTTP: per-response outcomes, idempotent
//! resends, conflicts, and bad requests that store nothing.

use crate::common;

use common::{kiosk_response, TestServer};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

const A: &str = "7f1c7b9e-3c1a-4d5e-9a51-8f3b2a1c0d01";
const B: &str = "7f1c7b9e-3c1a-4d5e-9a51-8f3b2a1c0d02";
const C: &str = "7f1c7b9e-3c1a-4d5e-9a51-8f3b2a1c0d03";

fn statuses(reply: &Value) -> Vec<&str> {
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_batch_is_answered_per_response_in_order() {
    let server = TestServer::start().await;
    let mut bad = kiosk_response(B);
    bad["answers"]["staff_care"] = json!({"type": "rating", "value": 7});
    let body = json!({"responses": [kiosk_response(A), bad, kiosk_response(C)]});
    let (status, reply) = server.post_batch(&body).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(statuses(&reply), ["accepted", "rejected", "accepted"]);
    assert_eq!(reply["results"][1]["id"], B);
    let reason = reply["results"][1]["reason"].as_str().unwrap();
    assert!(reason.contains("answers.staff_care"), "{reason}");
    assert!(reason.contains("out of range"), "{reason}");
    let ids: Vec<String> = server.stored().await.into_iter().map(|r| r.0).collect();
    assert_eq!(ids, [A, C]);
    server.stop().await;
}

#[tokio::test]
async fn a_resend_is_a_duplicate_and_stored_once() {
    let server = TestServer::start().await;
    let body = json!({"responses": [kiosk_response(A)]});
    assert_eq!(statuses(&server.post_batch(&body).await.1), ["accepted"]);
    // The same response with other whitespace and key order is the same response.
    let reordered: Value =
        serde_json::from_str(&serde_json::to_string_pretty(&body).unwrap()).unwrap();
    assert_eq!(
        statuses(&server.post_batch(&reordered).await.1),
        ["duplicate"]
    );
    // Twice within one batch, too.
    let twice = json!({"responses": [kiosk_response(B), kiosk_response(B)]});
    assert_eq!(
        statuses(&server.post_batch(&twice).await.1),
        ["accepted", "duplicate"]
    );
    assert_eq!(server.stored().await.len(), 2);
    server.stop().await;
}

#[tokio::test]
async fn the_same_id_with_other_answers_is_a_conflict_and_the_stored_one_is_kept() {
    let server = TestServer::start().await;
    server
        .post_batch(&json!({"responses": [kiosk_response(A)]}))
        .await;
    let before = server.stored().await;
    let mut changed = kiosk_response(A);
    changed["answers"]["overall"] = json!({"type": "rating", "value": 1});
    let (status, reply) = server
        .post_batch(&json!({"responses": [changed.clone()]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(statuses(&reply), ["rejected"]);
    assert!(reply["results"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("already stored"));
    assert_eq!(server.stored().await, before);
    // And within one batch: the first copy wins, the other is refused.
    let mut other = kiosk_response(B);
    other["locale"] = json!("es");
    let both = json!({"responses": [kiosk_response(B), other]});
    assert_eq!(
        statuses(&server.post_batch(&both).await.1),
        ["accepted", "rejected"]
    );
    server.stop().await;
}

#[tokio::test]
async fn each_invalid_response_is_rejected_with_the_field_named() {
    let server = TestServer::start().await;
    type Spoil = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Spoil)> = vec![
        (
            "questionnaire_id",
            Box::new(|r| r["questionnaire_id"] = json!("nope")),
        ),
        (
            "questionnaire_version",
            Box::new(|r| r["questionnaire_version"] = json!(9)),
        ),
        ("branch", Box::new(|r| r["branch"] = json!("ZZ9"))),
        (
            "answers.ease",
            Box::new(|r| r["answers"]["ease"] = json!({"type": "nps", "value": 3})),
        ),
        (
            "answers.overall",
            Box::new(|r| {
                r["answers"].as_object_mut().unwrap().remove("overall");
            }),
        ),
        (
            "answers.mood",
            Box::new(|r| r["answers"]["mood"] = json!({"type": "rating", "value": 3})),
        ),
        (
            "started_at: is dated 1970-01-01",
            Box::new(|r| r["started_at"] = json!("1970-01-01T00:00:00Z")),
        ),
        (
            "channel",
            Box::new(|r| r["channel"] = json!("mystery_shop")),
        ),
        (
            "answers.ease.value: invalid type: string \"x\", expected u8",
            Box::new(|r| r["answers"]["ease"] = json!({"type": "rating", "value": "x"})),
        ),
        (
            "answers.comment: contains the control character U+0000",
            Box::new(|r| r["answers"]["comment"] = json!({"type": "text", "value": "ok\u{0}"})),
        ),
    ];
    for (n, (field, spoil)) in cases.iter().enumerate() {
        let id = format!("00000000-0000-4000-8000-{n:012}");
        let mut r = kiosk_response(&id);
        spoil(&mut r);
        let (status, reply) = server.post_batch(&json!({"responses": [r]})).await;
        assert_eq!(status, 200, "{field}: {reply}");
        assert_eq!(statuses(&reply), ["rejected"], "{field}");
        let reason = reply["results"][0]["reason"].as_str().unwrap();
        assert!(reason.contains(field), "{field}: {reason}");
    }
    assert!(server.stored().await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn bad_requests_are_refused_whole_and_store_nothing() {
    let server = TestServer::start_with(|c| {
        c.max_batch = 3;
        c.max_body_bytes = 64 * 1024;
    })
    .await;
    let url = server.at("/api/v1/responses");
    let token = server.token_for(&kiosk_response(A)).await;
    let good = json!({"responses": [kiosk_response(A)]}).to_string();
    let no_id = {
        let mut r = kiosk_response(A);
        r["id"] = json!("not-a-uuid");
        json!({"responses": [kiosk_response(B), r]}).to_string()
    };
    let four = json!({"responses": [
        kiosk_response(A), kiosk_response(B), kiosk_response(C),
        kiosk_response("7f1c7b9e-3c1a-4d5e-9a51-8f3b2a1c0d04")
    ]})
    .to_string();
    let huge = json!({"responses": [kiosk_response(A)], "pad": "x".repeat(100 * 1024)}).to_string();
    let cases: Vec<(&str, &str, String, u16, &str)> = vec![
        (
            "malformed JSON",
            "application/json",
            "{\"responses\": [".into(),
            400,
            "malformed JSON",
        ),
        (
            "wrong content type",
            "text/plain",
            good.clone(),
            415,
            "application/json",
        ),
        (
            "not a batch",
            "application/json",
            "[1, 2]".into(),
            422,
            "unexpected JSON",
        ),
        (
            "unknown field",
            "application/json",
            json!({"responses": [], "extra": 1}).to_string(),
            422,
            "extra",
        ),
        (
            "empty batch",
            "application/json",
            json!({"responses": []}).to_string(),
            400,
            "empty",
        ),
        ("too many", "application/json", four, 413, "more than the 3"),
        ("too large", "application/json", huge, 413, "too large"),
        (
            "an entry without an id",
            "application/json",
            no_id,
            422,
            "responses[1]",
        ),
    ];
    for (what, content_type, body, status, says) in cases {
        let resp = server
            .client
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status, "{what}");
        let reply: Value = resp.json().await.unwrap();
        let error = reply["error"].as_str().unwrap_or_default();
        assert!(error.contains(says), "{what}: {reply}");
    }
    assert!(server.stored().await.is_empty(), "nothing stored");
    server.stop().await;
}

/// Reasons of a reply, in order (`""` for an outcome without one).
fn reasons(reply: &Value) -> Vec<&str> {
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap_or_default())
        .collect()
}

/// A text with U+0000 used to fail the whole batch on PostgreSQL with a
/// 500, for ever: the device resent the same oldest batch and nothing
/// queued after it arrived. Control characters in any stored string are
/// now refused per response, naming the field; the rest of the batch is
/// stored.
#[tokio::test]
async fn control_characters_are_refused_per_response_and_the_rest_is_stored() {
    let server = TestServer::start().await;
    type Spoil = fn(&mut Value);
    let spoils: [(&str, Spoil); 6] = [
        ("answers.comment", |r| {
            r["answers"]["comment"] = json!({"type": "text", "value": "Quick\u{0}friendly"})
        }),
        ("answers.comment", |r| {
            r["answers"]["comment"] = json!({"type": "text", "value": "\u{1b}[2J"})
        }),
        ("device_id", |r| r["device_id"] = json!("tablet\u{0}1")),
        ("branch", |r| r["branch"] = json!("N01\u{0}")),
        ("questionnaire_id", |r| {
            r["questionnaire_id"] = json!("lobby\u{7f}")
        }),
        ("answers.ov\\0erall", |r| {
            let answers = r["answers"].as_object_mut().unwrap();
            let overall = answers.remove("overall").unwrap();
            answers.insert("ov\u{0}erall".into(), overall);
        }),
    ];
    let mut batch = Vec::new();
    let mut expected = Vec::new();
    for (n, (field, spoil)) in spoils.iter().enumerate() {
        let mut good = kiosk_response(&format!("00000000-0000-4000-8000-{:012}", 2 * n));
        // Tab and line breaks are text.
        good["answers"]["comment"] =
            json!({"type": "text", "value": "Quick,\tfriendly.\r\nThanks"});
        let mut bad = kiosk_response(&format!("00000000-0000-4000-8000-{:012}", 2 * n + 1));
        spoil(&mut bad);
        batch.extend([good, bad]);
        expected.extend(["accepted", "rejected"]);
        let _ = field;
    }
    let token = server.token_for(&kiosk_response(A)).await;
    let (status, reply) = server
        .post_batch_as(&token, &json!({ "responses": batch }))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(statuses(&reply), expected, "{reply}");
    for (n, (field, _)) in spoils.iter().enumerate() {
        let reason = reasons(&reply)[2 * n + 1];
        assert!(
            reason.starts_with(&format!("{field}: ")) && reason.contains("control character U+"),
            "{field}: {reason}"
        );
        assert!(
            !reason.contains('\u{0}'),
            "the reason repeats no NUL: {reason:?}"
        );
    }
    let stored: Vec<String> = server.stored().await.into_iter().map(|r| r.0).collect();
    let good: Vec<String> = (0..spoils.len())
        .map(|n| format!("00000000-0000-4000-8000-{:012}", 2 * n))
        .collect();
    assert_eq!(stored, good);
    let (_, comments) = server.get_json("/api/v1/comments").await;
    assert_eq!(
        comments.as_array().unwrap().len(),
        spoils.len(),
        "{comments}"
    );
    server.stop().await;
}

/// A response dated ahead of the server's clock (beyond the skew) is
/// `deferred`, not rejected: the device keeps it and sends it again later.
/// In the future and wrong otherwise too, it is rejected.
#[tokio::test]
async fn a_response_from_the_future_is_deferred_not_rejected() {
    let server = TestServer::start().await;
    let later = |d: Duration| (OffsetDateTime::now_utc() + d).format(&Rfc3339).unwrap();
    let mut ahead = kiosk_response(B);
    ahead["started_at"] = json!(later(Duration::hours(2)));
    ahead["submitted_at"] = json!(later(Duration::hours(2) + Duration::minutes(1)));
    let mut far = kiosk_response(C);
    far["started_at"] = json!("9999-12-31T23:00:00Z");
    far["submitted_at"] = json!("9999-12-31T23:59:59Z");
    let mut ahead_and_wrong = ahead.clone();
    ahead_and_wrong["id"] = json!("7f1c7b9e-3c1a-4d5e-9a51-8f3b2a1c0d04");
    ahead_and_wrong["answers"]["overall"] = json!({"type": "rating", "value": 9});
    let body = json!({"responses": [kiosk_response(A), ahead, far, ahead_and_wrong]});
    let (status, reply) = server.post_batch(&body).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        statuses(&reply),
        ["accepted", "deferred", "deferred", "rejected"],
        "{reply}"
    );
    let why = reasons(&reply);
    // Two hours ahead when sent; a busy machine takes a moment to check it.
    let ahead_by = |field: &str| -> i64 {
        let rest = why[1].split(&format!("{field}: is ")).nth(1).unwrap_or("");
        rest.split(' ').next().unwrap_or("").parse().unwrap_or(0)
    };
    assert!(
        (7100..=7200).contains(&ahead_by("started_at")),
        "{}",
        why[1]
    );
    assert!(
        (7160..=7260).contains(&ahead_by("submitted_at")),
        "{}",
        why[1]
    );
    assert!(why[1].starts_with("started_at: "), "{}", why[1]);
    assert!(why[1].contains("clock looks wrong"), "{}", why[1]);
    assert!(why[2].contains("clock looks wrong"), "{}", why[2]);
    assert!(why[3].contains("answers.overall"), "{}", why[3]);
    let ids: Vec<String> = server.stored().await.into_iter().map(|r| r.0).collect();
    assert_eq!(ids, [A]);
    server.stop().await;
}

/// A response dated more than `--max-response-age-days` before the
/// server's clock comes from a device whose clock was reset: rejected,
/// naming the field and saying so. Within the bound: stored.
#[tokio::test]
async fn a_response_dated_too_long_ago_is_rejected_naming_the_field() {
    let server = TestServer::start_with(|c| c.max_response_age_days = 30).await;
    let ago = |d: Duration| (OffsetDateTime::now_utc() - d).format(&Rfc3339).unwrap();
    let mut recent = kiosk_response(A);
    recent["started_at"] = json!(ago(Duration::days(29)));
    recent["submitted_at"] = json!(ago(Duration::days(29)));
    let mut old = kiosk_response(B);
    old["started_at"] = json!(ago(Duration::days(31)));
    old["submitted_at"] = json!(ago(Duration::days(29)));
    let mut epoch = kiosk_response(C);
    epoch["started_at"] = json!("1970-01-01T00:00:00Z");
    epoch["submitted_at"] = json!("1970-01-01T00:02:00Z");
    let (status, reply) = server
        .post_batch(&json!({"responses": [recent, old, epoch]}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(statuses(&reply), ["accepted", "rejected", "rejected"]);
    let why = reasons(&reply);
    assert!(why[1].starts_with("started_at: is dated "), "{}", why[1]);
    assert!(why[1].contains("more than 30 days"), "{}", why[1]);
    assert!(why[1].contains("clock looks wrong"), "{}", why[1]);
    assert!(!why[1].contains("submitted_at"), "{}", why[1]);
    assert!(
        why[2].contains("started_at: is dated 1970-01-01"),
        "{}",
        why[2]
    );
    assert!(
        why[2].contains("submitted_at: is dated 1970-01-01"),
        "{}",
        why[2]
    );
    let ids: Vec<String> = server.stored().await.into_iter().map(|r| r.0).collect();
    assert_eq!(ids, [A]);
    server.stop().await;
}

/// A resend of a stored response is `duplicate` whatever changed since it
/// was stored: here its branch closed, and the tablet was re-enrolled as a
/// kiosk of another branch. A tablet whose reply was lost must not show
/// staff a failure for a response the server has.
#[tokio::test]
async fn a_resend_is_a_duplicate_after_the_branch_closed_or_the_device_moved() {
    let server = TestServer::start().await;
    let body = json!({"responses": [kiosk_response(A)]});
    let kiosk = server.token_for(&kiosk_response(A)).await;
    assert_eq!(
        statuses(&server.post_batch_as(&kiosk, &body).await.1),
        ["accepted"]
    );

    // Re-enrolled for another branch: may not submit for N01 any more…
    let (_, moved) = server.enrol("kiosk", "N02").await;
    let (_, reply) = server
        .post_batch_as(&moved, &json!({"responses": [kiosk_response(B)]}))
        .await;
    assert_eq!(statuses(&reply), ["rejected"], "{reply}");
    // …but what it had sent before is stored.
    let (status, reply) = server.post_batch_as(&moved, &body).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(statuses(&reply), ["duplicate"], "{reply}");

    let (status, closed) = server
        .admin_json(
            reqwest::Method::PUT,
            "/api/v1/branches/N01",
            &json!({"code": "N01", "name": "Harbour Square", "region": "North", "active": false}),
        )
        .await;
    assert_eq!(status, 200, "{closed}");
    for token in [&kiosk, &moved] {
        let (status, reply) = server.post_batch_as(token, &body).await;
        assert_eq!(status, 200, "{reply}");
        assert_eq!(statuses(&reply), ["duplicate"], "{reply}");
    }
    // Other content under the stored id is still refused, and a new
    // response for the closed branch too.
    let mut changed = kiosk_response(A);
    changed["answers"]["overall"] = json!({"type": "rating", "value": 1});
    let (_, reply) = server
        .post_batch_as(&kiosk, &json!({"responses": [changed, kiosk_response(C)]}))
        .await;
    assert_eq!(statuses(&reply), ["rejected", "rejected"], "{reply}");
    let why = reasons(&reply);
    assert!(why[0].contains("already stored"), "{}", why[0]);
    assert!(why[1].contains("inactive"), "{}", why[1]);
    let ids: Vec<String> = server.stored().await.into_iter().map(|r| r.0).collect();
    assert_eq!(ids, [A]);
    server.stop().await;
}

/// A type error deep inside a response names its path.
#[tokio::test]
async fn type_errors_name_the_path_of_the_field() {
    let server = TestServer::start().await;
    type Spoil = fn(&mut Value);
    let cases: [(Spoil, &str); 5] = [
        (
            |r| r["answers"]["overall"] = json!({"type": "rating", "value": 300}),
            "answers.overall.value: invalid value: integer `300`, expected u8",
        ),
        (
            |r| r["answers"]["overall"] = json!({"type": "stars", "value": 3}),
            "answers.overall.type: unknown variant `stars`",
        ),
        (
            |r| r["questionnaire_version"] = json!(-1),
            "questionnaire_version: invalid value: integer `-1`, expected u32",
        ),
        (
            |r| r["visit"] = json!({"arrived_at": "yesterday"}),
            "visit.arrived_at: ",
        ),
        (
            |r| {
                r.as_object_mut().unwrap().remove("branch");
            },
            "not a valid response: missing field `branch`",
        ),
    ];
    let batch: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(n, (spoil, _))| {
            let mut r = kiosk_response(&format!("00000000-0000-4000-8000-{n:012}"));
            spoil(&mut r);
            r
        })
        .collect();
    let (status, reply) = server.post_batch(&json!({ "responses": batch })).await;
    assert_eq!(status, 200, "{reply}");
    for ((_, says), reason) in cases.iter().zip(reasons(&reply)) {
        assert!(
            reason.starts_with(says),
            "expected {says:?}, got {reason:?}"
        );
    }
    assert!(server.stored().await.is_empty());
    server.stop().await;
}

/// A complete mystery-shop report (the default questionnaire, version 3)
/// whose call rang `rings` times and was answered or not; its yes_no item
/// filled from the call says `phone_answered`.
fn call_report(id: &str, rings: u8, answered: bool, phone_answered: &str) -> Value {
    let file =
        std::fs::read_to_string(common::questionnaires_dir().join("mystery_shop.json")).unwrap();
    let q = branchpulse_core::questionnaire::load("mystery_shop.json", &file).unwrap();
    let mut r = json!({
        "id": id, "questionnaire_id": "branch_visit", "questionnaire_version": q.version,
        "branch": "N01", "device_id": "phone-1", "channel": "mystery_shop", "locale": "en",
        "started_at": "2026-03-01T09:30:00Z", "submitted_at": "2026-03-01T10:31:00Z",
        "answers": {},
    });
    for item in q.items().filter(|i| i.required && i.show_if.is_none()) {
        r["answers"][&item.id] = match &item.kind {
            branchpulse_core::ItemKind::Call { .. } => json!({"type": "call", "value": {
                "rings": rings, "answered": answered, "seconds": 5 * u32::from(rings)}}),
            branchpulse_core::ItemKind::YesNo if item.from_call.is_some() => {
                json!({"type": "yes_no", "value": phone_answered})
            }
            branchpulse_core::ItemKind::YesNo => json!({"type": "yes_no", "value": "na"}),
            branchpulse_core::ItemKind::Seconds { .. } => json!({"type": "seconds", "value": 60}),
            branchpulse_core::ItemKind::Choice { options } => {
                json!({"type": "choice", "value": options[0].id})
            }
            other => panic!("unexpected required item {other:?}"),
        };
    }
    if answered {
        // Shown once the call is answered: give them too.
        for id in ["phone_greeting", "phone_resolved"] {
            r["answers"][id] = json!({"type": "yes_no", "value": "yes"});
        }
    }
    r
}

/// The ring counter's answer is stored as sent; a yes_no item filled from
/// the call that says otherwise is refused, naming the item and the call.
#[tokio::test]
async fn a_counted_call_is_stored_and_a_phone_answer_that_contradicts_it_is_refused() {
    let server = TestServer::start().await;
    let good = call_report(A, 4, true, "yes");
    let lost = call_report(B, 9, false, "no");
    let (status, reply) = server.post_batch(&json!({"responses": [good, lost]})).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(statuses(&reply), ["accepted", "accepted"], "{reply}");

    let said_no = call_report(C, 4, true, "no");
    let said_yes = call_report("7f1c7b9e-3c1a-4d5e-9a51-8f3b2a1c0d04", 9, false, "yes");
    let zero = call_report("7f1c7b9e-3c1a-4d5e-9a51-8f3b2a1c0d05", 0, true, "yes");
    let (status, reply) = server
        .post_batch(&json!({"responses": [said_no, said_yes, zero]}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(statuses(&reply), ["rejected"; 3], "{reply}");
    let why = reasons(&reply);
    assert!(
        why[0].contains("answers.phone_answered")
            && why[0].contains("\"phone_rings\" was answered")
            && why[0].contains("must be \"yes\""),
        "{}",
        why[0]
    );
    assert!(
        why[1].contains("answers.phone_answered") && why[1].contains("must be \"no\""),
        "{}",
        why[1]
    );
    assert!(
        why[2].contains("answers.phone_rings") && why[2].contains("0 rings"),
        "{}",
        why[2]
    );

    // Only the two good ones, the call as counted.
    let stored = server.stored().await;
    let ids: Vec<&str> = stored.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, [A, B]);
    let payload: Value = serde_json::from_str(&stored[0].1).unwrap();
    assert_eq!(
        payload["answers"]["phone_rings"],
        json!({"type": "call", "value": {"rings": 4, "answered": true, "seconds": 20}})
    );
    server.stop().await;
}
