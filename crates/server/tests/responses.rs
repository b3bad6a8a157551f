//! `POST /api/v1/responses` over HTTP: per-response outcomes, idempotent
//! resends, conflicts, and bad requests that store nothing.

mod common;

use common::{kiosk_response, TestServer};
use serde_json::{json, Value};

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
            "submitted_at",
            Box::new(|r| r["submitted_at"] = json!("2999-01-01T00:00:00Z")),
        ),
        (
            "channel",
            Box::new(|r| r["channel"] = json!("mystery_shop")),
        ),
        (
            "not a valid response",
            Box::new(|r| r["answers"]["ease"] = json!({"type": "rating", "value": "x"})),
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
