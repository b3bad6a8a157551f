//! Visit assignments over HTTP: created with `POST /api/v1/visits`, listed
//! with `GET /api/v1/visits`, on SQLite and on PostgreSQL.

use crate::common;

use common::TestServer;
use serde_json::{json, Value};

async fn post_visit(server: &TestServer, body: &Value) -> (u16, Value) {
    server
        .admin_json(reqwest::Method::POST, "/api/v1/visits", body)
        .await
}

fn visit(branch: &str, due: &str) -> Value {
    json!({
        "branch": branch,
        "scenario": "Ask about opening a savings account",
        "questionnaire_id": "branch_visit",
        "window": {"from": due, "to": due},
    })
}

#[tokio::test]
async fn a_created_visit_is_listed_with_its_fields() {
    let server = TestServer::start().await;
    let (status, created) = post_visit(&server, &visit("N01", "2026-04-30")).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["branch"], "N01");
    assert_eq!(created["questionnaire_id"], "branch_visit");
    assert_eq!(created["due"], "2026-04-30");
    assert_eq!(created["scenario"], "Ask about opening a savings account");
    let id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();

    let (status, list) = server.get_json("/api/v1/visits").await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([created]), "listed as created, id {id}");
    server.stop().await;
}

#[tokio::test]
async fn visits_are_listed_soonest_due_first_and_by_branch() {
    let server = TestServer::start().await;
    for (branch, due) in [
        ("N01", "2026-05-20"),
        ("S02", "2026-05-01"),
        ("N01", "2026-05-03"),
    ] {
        let (status, body) = post_visit(&server, &visit(branch, due)).await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, all) = server.get_json("/api/v1/visits").await;
    let dues: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["due"].as_str().unwrap())
        .collect();
    assert_eq!(dues, ["2026-05-01", "2026-05-03", "2026-05-20"]);

    let (status, n01) = server.get_json("/api/v1/visits?branch=N01").await;
    assert_eq!(status, 200);
    let n01: Vec<(&str, &str)> = n01
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["branch"].as_str().unwrap(), v["due"].as_str().unwrap()))
        .collect();
    assert_eq!(n01, [("N01", "2026-05-03"), ("N01", "2026-05-20")]);

    let (status, body) = server.get_json("/api/v1/visits?branch=ZZ9").await;
    assert_eq!(status, 404);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("no branch \"ZZ9\""));
    server.stop().await;
}

#[tokio::test]
async fn bad_assignments_get_a_clear_4xx_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let with = |field: &str, value: Value| {
        let mut v = visit("N01", "2026-04-30");
        v[field] = value;
        v
    };
    let cases = [
        (
            with("branch", json!("ZZ9")),
            422,
            "branch: no branch \"ZZ9\"",
        ),
        (
            with("questionnaire_id", json!("lobby")),
            422,
            "questionnaire_id: \"lobby\" is not a mystery-shop questionnaire",
        ),
        (
            with("questionnaire_id", json!("nope")),
            422,
            "questionnaire_id: no questionnaire \"nope\"",
        ),
        (
            with("window", json!({"from": "2026-04-30", "to": "2026-04-01"})),
            422,
            "window.to: 2026-04-01 is before the first day 2026-04-30",
        ),
        (
            with("window", json!({"from": "2026-01-01", "to": "2026-04-30"})),
            422,
            "window.to: the window is 120 days long; the longest is 100",
        ),
        (
            with(
                "window",
                json!({"from": "2026-04-27", "to": "2026-04-30", "weekdays": [6, 7]}),
            ),
            422,
            "window.weekdays: none of the window's days falls on those weekdays",
        ),
        (
            with(
                "window",
                json!({"from": "2026-04-27", "to": "2026-04-30", "hours": {"from": 14, "to": 12}}),
            ),
            422,
            "window.hours: 14:00–12:00 is not a span of the day",
        ),
        (with("scenario", json!("   ")), 422, "scenario: is empty"),
        (
            with("scenario", json!("Open an account\u{0}")),
            422,
            "scenario: contains the control character U+0000",
        ),
        (
            with("scenario", json!("x".repeat(501))),
            422,
            "scenario: is longer than 500 characters",
        ),
        (
            with("window", json!({"from": "2026-04-30", "to": 20260430})),
            422,
            "unexpected JSON",
        ),
        (with("due", json!("2026-04-30")), 422, "unknown field `due`"),
        (with("colour", json!("red")), 422, "unknown field `colour`"),
        (json!({"branch": "N01"}), 422, "missing field"),
    ];
    for (body, status, says) in cases {
        let (got, reply) = post_visit(&server, &body).await;
        assert_eq!(got, status, "{body} → {reply}");
        let error = reply["error"].as_str().unwrap();
        assert!(
            error.contains(says),
            "{body}: {error:?} should say {says:?}"
        );
    }
    let resp = server
        .admin_session()
        .await
        .on(server.client.post(server.at("/api/v1/visits")))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    let (_, list) = server.get_json("/api/v1/visits").await;
    assert_eq!(list, json!([]));
    server.stop().await;
}

#[tokio::test]
async fn a_report_names_its_assignment_and_keeps_it() {
    let server = TestServer::start().await;
    let (_, created) = post_visit(&server, &visit("N02", "2026-04-30")).await;
    let id = "9b2f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
    let mut report = json!({
        "id": id,
        "questionnaire_id": "branch_visit",
        "questionnaire_version": 2,
        "branch": "N02",
        "device_id": "phone-1",
        "channel": "mystery_shop",
        "locale": "en",
        "started_at": "2026-03-01T09:30:00Z",
        "submitted_at": "2026-03-01T10:31:00Z",
        "answers": {"hours_displayed": {"type": "yes_no", "value": "na"}},
        "assignment": created["id"],
    });
    // Only required answers are checked by the server; give them all.
    let file =
        std::fs::read_to_string(common::questionnaires_dir().join("mystery_shop.json")).unwrap();
    let q = branchpulse_core::questionnaire::load("mystery_shop.json", &file).unwrap();
    for item in q.items().filter(|i| i.required && i.show_if.is_none()) {
        let answer = match &item.kind {
            branchpulse_core::ItemKind::YesNo => json!({"type": "yes_no", "value": "na"}),
            branchpulse_core::ItemKind::Seconds { .. } => json!({"type": "seconds", "value": 60}),
            branchpulse_core::ItemKind::Choice { options } => {
                json!({"type": "choice", "value": options[0].id})
            }
            other => panic!("unexpected required item {other:?}"),
        };
        report["answers"][&item.id] = answer;
    }
    let (status, reply) = server.post_batch(&json!({"responses": [report]})).await;
    assert_eq!(status, 200);
    assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
    let stored = server.stored().await;
    assert_eq!(stored.len(), 1);
    let payload: Value = serde_json::from_str(&stored[0].1).unwrap();
    assert_eq!(payload["assignment"], created["id"]);
    server.stop().await;
}

#[tokio::test]
async fn bad_assignments_name_their_problem_and_field() {
    let server = TestServer::start().await;
    let with = |field: &str, value: Value| {
        let mut v = visit("N01", "2026-04-30");
        v[field] = value;
        v
    };
    for (body, code, field) in [
        (with("branch", json!("ZZ9")), "unknown_branch", "branch"),
        (
            with("questionnaire_id", json!("lobby")),
            "not_mystery_shop",
            "questionnaire_id",
        ),
        (
            with("questionnaire_id", json!("nope")),
            "unknown_questionnaire",
            "questionnaire_id",
        ),
        (
            with("window", json!({"from": "2026-04-30", "to": "2026-04-29"})),
            "bad_date",
            "window.to",
        ),
        (
            with("window", json!({"from": "1999-12-31", "to": "2000-01-02"})),
            "date_out_of_range",
            "window.from",
        ),
        (
            with(
                "window",
                json!({"from": "2026-04-30", "to": "2026-04-30", "weekdays": [0]}),
            ),
            "bad_date",
            "window.weekdays",
        ),
        (
            with(
                "window",
                json!({"from": "2026-04-30", "to": "2026-04-30", "hours": {"from": 9, "to": 25}}),
            ),
            "bad_date",
            "window.hours",
        ),
        (with("scenario", json!("   ")), "empty", "scenario"),
        (
            with("scenario", json!("x".repeat(501))),
            "scenario_too_long",
            "scenario",
        ),
        (
            with("shopper", json!("a\u{1}b")),
            "control_characters",
            "shopper",
        ),
        (
            with("window", json!({"from": "2026-04-30", "to": 20260430})),
            "unexpected_json",
            "window.to",
        ),
    ] {
        let (status, reply) = post_visit(&server, &body).await;
        assert_eq!(status, 422, "{body} → {reply}");
        assert_eq!(
            (reply["code"].as_str(), reply["field"].as_str()),
            (Some(code), Some(field)),
            "{body} → {reply}"
        );
    }
    server.stop().await;
}
