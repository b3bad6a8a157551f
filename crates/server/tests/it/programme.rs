//! The mystery-shop programme over HTTP, on SQLite and PostgreSQL: a
//! visit's life (planned, assigned, started, reported, returned with a
//! note, corrected, approved), review before a report counts (held
//! reports in no figure, export or list; approval counted exactly once,
//! even by two reviewers at once), cancelled and ended visits, quotas and
//! overdue visits, bad input, and who may do what.

use crate::common;

use common::{Session, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

/// A complete mystery-shop report, id ending in `n`, for `branch`.
pub(crate) fn report(
    n: u32,
    branch: &str,
    assignment: Option<&Value>,
    revises: Option<&str>,
) -> Value {
    let (id, version, mut answers) = common::shop_answers("yes");
    answers["visit_comment"] = json!({"type": "text", "value": format!("Queue remark {n}")});
    let mut r = json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "questionnaire_id": id,
        "questionnaire_version": version,
        "branch": branch,
        "device_id": "phone-1",
        "channel": "mystery_shop",
        "locale": "en",
        "started_at": "2026-03-02T12:10:00Z",
        "submitted_at": "2026-03-02T12:55:00Z",
        "answers": answers,
    });
    if let Some(a) = assignment {
        r["assignment"] = a.clone();
    }
    if let Some(rev) = revises {
        r["revises"] = json!(rev);
    }
    r
}

pub(crate) fn id_of(r: &Value) -> String {
    r["id"].as_str().unwrap().to_owned()
}

/// `method path` with `body` as `who`: status and JSON answer.
pub(crate) async fn call(
    s: &TestServer,
    who: &Session,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = who.on(s.client.request(method, s.at(path)));
    if let Some(b) = body {
        request = request.json(b);
    }
    let resp = request.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn send(s: &TestServer, token: &str, r: &Value) -> Value {
    let (status, reply) = s.post_batch_as(token, &json!({"responses": [r]})).await;
    assert_eq!(status, 200, "{reply}");
    reply["results"][0].clone()
}

pub(crate) async fn review(s: &TestServer, who: &Session, id: &str, body: Value) -> (u16, Value) {
    call(
        s,
        who,
        Method::POST,
        &format!("/api/v1/reports/{id}/review"),
        Some(&body),
    )
    .await
}

const SHOP: &str = "from=2026-03-01&to=2026-03-31&channel=mystery_shop";

/// The number of mystery-shop reports in the March figures.
async fn counted(s: &TestServer) -> Value {
    let (status, a) = s.get_json(&format!("/api/v1/aggregates?{SHOP}")).await;
    assert_eq!(status, 200, "{a}");
    a["network"]["n"].clone()
}

async fn csv(s: &TestServer) -> String {
    let resp = s
        .get(&format!("/api/v1/export/responses.csv?{SHOP}"))
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.text().await.unwrap()
}

async fn visit(s: &TestServer, id: &str) -> Value {
    let (_, all) = s.get_json("/api/v1/visits").await;
    all.as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("visit {id} in {all}"))
        .clone()
}

pub(crate) fn new_visit(branch: &str, shopper: Option<&str>) -> Value {
    json!({
        "branch": branch,
        "scenario": "Ask about a savings account at lunchtime",
        "questionnaire_id": "branch_visit",
        "window": {"from": "2026-03-02", "to": "2026-03-13", "weekdays": [1, 2, 3, 4, 5], "hours": {"from": 12, "to": 14}},
        "shopper": shopper,
    })
}

#[tokio::test]
async fn a_visit_goes_from_plan_to_approval_through_a_correction_and_counts_once() {
    let s = TestServer::start().await;
    let reviewer = s.user("rita", "reviewer", None, None).await;
    let (status, planned) = call(
        &s,
        &reviewer,
        Method::POST,
        "/api/v1/visits",
        Some(&new_visit("N01", None)),
    )
    .await;
    assert_eq!(status, 201, "{planned}");
    assert_eq!(planned["status"], "planned");
    assert_eq!(planned["due"], "2026-03-13");
    assert_eq!(planned["window"]["hours"], json!({"from": 12, "to": 14}));
    let vid = id_of(&planned);

    // Assigned by editing it.
    let (status, assigned) = call(
        &s,
        &reviewer,
        Method::PUT,
        &format!("/api/v1/visits/{vid}"),
        Some(&new_visit("N01", Some("Shopper 1"))),
    )
    .await;
    assert_eq!(status, 200, "{assigned}");
    assert_eq!(
        (&assigned["status"], &assigned["shopper"]),
        (&json!("assigned"), &json!("Shopper 1"))
    );

    // Started on the phone, twice (a resend): in progress both times.
    let phone = s.token_for(&json!({"channel": "mystery_shop"})).await;
    for _ in 0..2 {
        let (status, started) = s
            .post_as(&format!("/api/v1/visits/{vid}/start"), &phone, &json!(null))
            .await;
        assert_eq!(
            (status, &started["status"]),
            (200, &json!("in_progress")),
            "{started}"
        );
    }

    // Reported: held, the visit submitted, nothing counted yet.
    let first = report(1, "N01", Some(&json!(vid)), None);
    assert_eq!(send(&s, &phone, &first).await["status"], "accepted");
    assert_eq!(visit(&s, &vid).await["status"], "submitted");
    assert_eq!(visit(&s, &vid).await["report"], json!(id_of(&first)));
    assert_eq!(counted(&s).await, 0);
    let (_, queue) = call(
        &s,
        &reviewer,
        Method::GET,
        "/api/v1/reports?status=submitted",
        None,
    )
    .await;
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(queue[0]["id"], json!(id_of(&first)));
    assert_eq!(queue[0]["shopper"], "Shopper 1");

    // Returned without a note: refused, nothing changes.
    let before = common::digest(&s.database_url).await;
    let (status, reply) =
        review(&s, &reviewer, &id_of(&first), json!({"decision": "return"})).await;
    assert_eq!((status, &reply["field"]), (422, &json!("note")), "{reply}");
    assert_eq!(common::digest(&s.database_url).await, before);

    // Returned with a note: the phone sees the visit and the note.
    let note = "The queue ticket number is missing";
    let (status, reply) = review(
        &s,
        &reviewer,
        &id_of(&first),
        json!({"decision": "return", "note": note}),
    )
    .await;
    assert_eq!(
        (status, &reply["status"]),
        (200, &json!("returned")),
        "{reply}"
    );
    let (_, mine) = s.get_as_device(&phone, "/api/v1/visits").await;
    let mine = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == vid.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (&mine["status"], &mine["note"]),
        (&json!("returned"), &json!(note))
    );
    let (status, detail) = s
        .get_as_device(&phone, &format!("/api/v1/reports/{}", id_of(&first)))
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["summary"]["note"], note);
    assert_eq!(detail["history"][0]["decision"], "return");
    assert_eq!(
        detail["history"][0]["reviewer"],
        Value::Null,
        "no reviewer names on the phone"
    );
    assert_eq!(detail["response"]["id"], json!(id_of(&first)));

    // A new report for the returned visit must say what it corrects.
    let loose = report(2, "N01", Some(&json!(vid)), None);
    let reply = send(&s, &phone, &loose).await;
    assert_eq!(reply["status"], "rejected");
    assert!(
        reply["reason"].as_str().unwrap().starts_with("revises:"),
        "{reply}"
    );

    // The correction: held again, the returned one marked as corrected.
    let second = report(3, "N01", Some(&json!(vid)), Some(&id_of(&first)));
    assert_eq!(send(&s, &phone, &second).await["status"], "accepted");
    assert_eq!(visit(&s, &vid).await["status"], "submitted");
    assert_eq!(counted(&s).await, 0);
    // A second correction of the same returned report is refused.
    let third = report(4, "N01", Some(&json!(vid)), Some(&id_of(&first)));
    assert_eq!(send(&s, &phone, &third).await["status"], "rejected");

    let (status, reply) = review(
        &s,
        &reviewer,
        &id_of(&second),
        json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(
        (status, &reply["status"]),
        (200, &json!("approved")),
        "{reply}"
    );
    assert_eq!(visit(&s, &vid).await["status"], "approved");
    assert_eq!(counted(&s).await, 1, "the approved version counts, once");

    // Approving again: 409, still once.
    let (status, reply) = review(
        &s,
        &reviewer,
        &id_of(&second),
        json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(status, 409, "{reply}");
    // A resend of the approved report is a duplicate; nothing changes.
    let before = common::digest(&s.database_url).await;
    assert_eq!(send(&s, &phone, &second).await["status"], "duplicate");
    assert_eq!(common::digest(&s.database_url).await, before);
    assert_eq!(counted(&s).await, 1);
    // Another report for the approved visit: refused.
    let late = report(5, "N01", Some(&json!(vid)), None);
    let reply = send(&s, &phone, &late).await;
    assert_eq!(reply["status"], "rejected");
    assert!(
        reply["reason"].as_str().unwrap().contains("approved"),
        "{reply}"
    );

    // The full report: both versions and the decisions, with reviewers.
    let (status, detail) = call(
        &s,
        &reviewer,
        Method::GET,
        &format!("/api/v1/reports/{}", id_of(&second)),
        None,
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    let versions: Vec<&Value> = detail["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["id"])
        .collect();
    assert_eq!(versions, [&json!(id_of(&first)), &json!(id_of(&second))]);
    assert_eq!(detail["versions"][0]["revised_by"], json!(id_of(&second)));
    assert_eq!(detail["history"][0]["reviewer"], "rita");

    // Every decision is in the audit log.
    let (_, audit) = s.get_json("/api/v1/audit").await;
    let audit = audit.to_string();
    for action in [
        "visit.create",
        "visit.edit",
        "visit.start",
        "report.return",
        "report.approve",
    ] {
        assert!(audit.contains(action), "{action} in {audit}");
    }
    s.stop().await;
}

#[tokio::test]
async fn two_reviewers_approving_at_once_count_the_report_once() {
    let s = TestServer::start().await;
    let reviewer = s.user("rita", "reviewer", None, None).await;
    let admin = s.admin_session().await.clone();
    let phone = s.token_for(&json!({"channel": "mystery_shop"})).await;
    for n in 1..=3 {
        let r = report(n, "N02", None, None);
        assert_eq!(send(&s, &phone, &r).await["status"], "accepted");
        let path = format!("/api/v1/reports/{}/review", id_of(&r));
        let body = json!({"decision": "approve"});
        let (a, b) = tokio::join!(
            call(&s, &reviewer, Method::POST, &path, Some(&body)),
            call(&s, &admin, Method::POST, &path, Some(&body)),
        );
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
        assert_eq!(counted(&s).await, n);
    }
    let history = common::scalar(
        &s.database_url,
        "SELECT CAST(COUNT(*) AS TEXT) FROM report_reviews",
    )
    .await;
    assert_eq!(history.as_deref(), Some("3"));
    s.stop().await;
}

#[tokio::test]
async fn held_and_rejected_reports_are_in_no_figure_export_or_list() {
    let s = TestServer::start().await;
    let phone = s.token_for(&json!({"channel": "mystery_shop"})).await;
    let empty_items = s.get_json(&format!("/api/v1/items?{SHOP}")).await;
    let kept = report(1, "N01", None, None);
    let refused = report(2, "N01", None, None);
    for r in [&kept, &refused] {
        assert_eq!(send(&s, &phone, r).await["status"], "accepted");
    }
    let (status, reply) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/reports/{}/review", id_of(&refused)),
            &json!({"decision": "reject", "note": "Made outside the window"}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");

    let absent = |what: &str, text: &str, id: &str| {
        assert!(!text.contains(id), "{id} is in {what}: {text}");
    };
    for r in [&kept, &refused] {
        let id = id_of(r);
        let remark = r["answers"]["visit_comment"]["value"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(counted(&s).await, 0);
        assert_eq!(
            s.get_json(&format!("/api/v1/items?{SHOP}")).await,
            empty_items
        );
        let (_, comments) = s.get_json(&format!("/api/v1/comments?{SHOP}")).await;
        absent("the comments", &comments.to_string(), &remark);
        absent("the CSV", &csv(&s).await, &id);
    }

    let (status, _) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/reports/{}/review", id_of(&kept)),
            &json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(counted(&s).await, 1);
    assert_ne!(
        s.get_json(&format!("/api/v1/items?{SHOP}")).await,
        empty_items
    );
    let (_, comments) = s.get_json(&format!("/api/v1/comments?{SHOP}")).await;
    assert!(
        comments.to_string().contains("Queue remark 1"),
        "{comments}"
    );
    assert!(
        !comments.to_string().contains("Queue remark 2"),
        "{comments}"
    );
    let csv = csv(&s).await;
    assert!(csv.contains(&id_of(&kept)), "{csv}");
    absent("the CSV", &csv, &id_of(&refused));

    // Another server's start-up backfill leaves the rejected report out too.
    let url = s.database_url.clone();
    let again = TestServer::start_with(|c| c.database_url = url).await;
    assert_eq!(counted(&again).await, 1);
    assert_eq!(counted(&s).await, 1);
    again.stop().await;
    s.stop().await;
}

#[tokio::test]
async fn cancelled_visits_take_no_report_and_ended_ones_no_change() {
    let s = TestServer::start().await;
    let phone = s.token_for(&json!({"channel": "mystery_shop"})).await;
    let (status, v) = s
        .admin_json(
            Method::POST,
            "/api/v1/visits",
            &new_visit("N01", Some("Shopper 1")),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let vid = id_of(&v);
    let (status, cancelled) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/visits/{vid}/cancel"),
            &json!({"reason": "Branch closed for works"}),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(
        (&cancelled["status"], &cancelled["note"]),
        (&json!("cancelled"), &json!("Branch closed for works"))
    );
    let before = common::digest(&s.database_url).await;
    let reply = send(&s, &phone, &report(1, "N01", Some(&json!(vid)), None)).await;
    assert_eq!(reply["status"], "rejected");
    assert!(
        reply["reason"].as_str().unwrap().contains("cancelled"),
        "{reply}"
    );
    for (method, path, body) in [
        (
            Method::POST,
            format!("/api/v1/visits/{vid}/cancel"),
            json!({}),
        ),
        (
            Method::PUT,
            format!("/api/v1/visits/{vid}"),
            new_visit("N01", None),
        ),
    ] {
        let (status, reply) = s.admin_json(method, &path, &body).await;
        assert_eq!(status, 409, "{path}: {reply}");
    }
    let (status, _) = s
        .post_as(&format!("/api/v1/visits/{vid}/start"), &phone, &json!(null))
        .await;
    assert_eq!(status, 409);
    assert_eq!(common::digest(&s.database_url).await, before);

    // A started visit keeps its shopper: changing it is refused.
    let (_, v) = s
        .admin_json(Method::POST, "/api/v1/visits", &new_visit("N01", None))
        .await;
    let vid = id_of(&v);
    let (status, started) = s
        .post_as(&format!("/api/v1/visits/{vid}/start"), &phone, &json!(null))
        .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(
        started["shopper"], "Shopper 1",
        "the phone took the unassigned visit"
    );
    let (status, reply) = s
        .admin_json(
            Method::PUT,
            &format!("/api/v1/visits/{vid}"),
            &new_visit("N01", Some("Shopper 2")),
        )
        .await;
    assert_eq!(
        (status, &reply["field"]),
        (409, &json!("shopper")),
        "{reply}"
    );
    // The window may still change.
    let mut later = new_visit("N01", Some("Shopper 1"));
    later["window"]["to"] = json!("2026-03-20");
    let (status, edited) = s
        .admin_json(Method::PUT, &format!("/api/v1/visits/{vid}"), &later)
        .await;
    assert_eq!(
        (status, &edited["due"]),
        (200, &json!("2026-03-20")),
        "{edited}"
    );
    assert_eq!(edited["status"], "in_progress");
    s.stop().await;
}

#[tokio::test]
async fn quotas_count_planned_approved_and_overdue_visits_of_the_quarter() {
    let s = TestServer::start().await;
    let phone = s.token_for(&json!({"channel": "mystery_shop"})).await;
    let reviewer = s.user("rita", "reviewer", None, None).await;
    // Three N01 visits due in 2026-Q1: one approved, one overdue (its
    // window ended long before today), one cancelled; one due in Q2.
    let mut ids = Vec::new();
    for due in ["2026-03-13", "2026-03-13", "2026-03-13", "2026-04-10"] {
        let mut body = new_visit("N01", Some("Shopper 1"));
        body["window"] = json!({"from": "2026-03-02", "to": due});
        let (status, v) = call(&s, &reviewer, Method::POST, "/api/v1/visits", Some(&body)).await;
        assert_eq!(status, 201, "{v}");
        ids.push(id_of(&v));
    }
    let r = report(1, "N01", Some(&json!(ids[0])), None);
    assert_eq!(send(&s, &phone, &r).await["status"], "accepted");
    let (status, _) = review(&s, &reviewer, &id_of(&r), json!({"decision": "approve"})).await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &s,
        &reviewer,
        Method::POST,
        &format!("/api/v1/visits/{}/cancel", ids[2]),
        None,
    )
    .await;
    assert_eq!(status, 200);

    let (status, rows) = call(
        &s,
        &reviewer,
        Method::PUT,
        "/api/v1/quotas",
        Some(&json!({"quarter": "2026-Q1", "targets": [{"branch": "N01", "target": 3}]})),
    )
    .await;
    assert_eq!(status, 200, "{rows}");
    let (status, rows) = call(
        &s,
        &reviewer,
        Method::GET,
        "/api/v1/quotas?quarter=2026-Q1",
        None,
    )
    .await;
    assert_eq!(status, 200, "{rows}");
    let n01 = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["branch"] == "N01")
        .unwrap();
    assert_eq!(
        n01,
        &json!({"branch": "N01", "quarter": "2026-Q1", "target": 3, "planned": 2, "approved": 1, "overdue": 1})
    );
    let n02 = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["branch"] == "N02")
        .unwrap();
    assert_eq!((&n02["target"], &n02["planned"]), (&json!(0), &json!(0)));

    // Overdue visits, as listed: the Q1 one still assigned and the Q2 one
    // (its window passed too); not the approved or cancelled ones.
    let (_, overdue) = s.get_json("/api/v1/visits?overdue=true").await;
    let mut listed: Vec<&str> = overdue
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    listed.sort_unstable();
    let mut expected = vec![ids[1].as_str(), ids[3].as_str()];
    expected.sort_unstable();
    assert_eq!(listed, expected);
    assert!(overdue
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["overdue"] == true));
    let (_, approved) = s.get_json("/api/v1/visits?status=approved").await;
    assert_eq!(approved.as_array().unwrap().len(), 1);

    // Bad input names its field and changes nothing.
    let before = common::digest(&s.database_url).await;
    for (body, field) in [
        (json!({"quarter": "2026-Q5", "targets": []}), "quarter"),
        (
            json!({"quarter": "2026-Q1", "targets": [{"branch": "N01", "target": 1}, {"branch": "ZZ9", "target": 1}]}),
            "targets[1].branch",
        ),
        (
            json!({"quarter": "2026-Q1", "targets": [{"branch": "N01", "target": 1001}]}),
            "targets[0].target",
        ),
    ] {
        let (status, reply) = call(&s, &reviewer, Method::PUT, "/api/v1/quotas", Some(&body)).await;
        assert_eq!(
            (status, &reply["field"]),
            (422, &json!(field)),
            "{body} → {reply}"
        );
    }
    let (status, reply) = call(
        &s,
        &reviewer,
        Method::GET,
        "/api/v1/quotas?quarter=Q1-2026",
        None,
    )
    .await;
    assert_eq!(
        (status, &reply["field"]),
        (400, &json!("quarter")),
        "{reply}"
    );
    for bad in [
        json!({"decision": "reject", "note": "   "}),
        json!({"decision": "return", "note": "x".repeat(1001)}),
        json!({"decision": "return", "note": "bad\u{0}"}),
    ] {
        let (status, reply) = review(&s, &reviewer, &id_of(&r), bad.clone()).await;
        assert_eq!(
            (status, &reply["field"]),
            (422, &json!("note")),
            "{bad} → {reply}"
        );
    }
    assert_eq!(common::digest(&s.database_url).await, before);
    s.stop().await;
}

#[tokio::test]
async fn managers_never_review_nor_see_held_reports_and_shoppers_see_only_their_own() {
    let s = TestServer::start().await;
    let manager = s.user("manager-n01", "manager", Some("N01"), None).await;
    let phone = s.token_for(&json!({"channel": "mystery_shop"})).await;
    let (_, other_phone) = s.enrol("shopper", "Shopper 2").await;
    let (_, kiosk) = s.enrol("kiosk", "N01").await;
    let r = report(1, "N01", None, None);
    assert_eq!(send(&s, &phone, &r).await["status"], "accepted");
    let id = id_of(&r);
    let detail = format!("/api/v1/reports/{id}");

    // Held: the manager sees nothing and may not decide or plan.
    let (status, list) = call(&s, &manager, Method::GET, "/api/v1/reports", None).await;
    assert_eq!((status, list), (200, json!([])));
    let (status, _) = call(&s, &manager, Method::GET, &detail, None).await;
    assert_eq!(status, 404);
    let (status, _) = review(&s, &manager, &id, json!({"decision": "approve"})).await;
    assert_eq!(status, 403);
    for (method, path, body) in [
        (Method::POST, "/api/v1/visits", new_visit("N01", None)),
        (Method::GET, "/api/v1/quotas", Value::Null),
        (
            Method::PUT,
            "/api/v1/quotas",
            json!({"quarter": "2026-Q1", "targets": []}),
        ),
    ] {
        let (status, reply) = call(&s, &manager, method, path, Some(&body)).await;
        assert_eq!(status, 403, "{path}: {reply}");
    }
    // A reviewer reads the report by its items' words: the mystery-shop
    // questionnaire and the list of versions, which a manager may not.
    let reviewer = s.user("rita", "reviewer", None, None).await;
    for path in [
        "/api/v1/questionnaires/branch_visit",
        "/api/v1/questionnaires/all",
    ] {
        let (status, reply) = call(&s, &reviewer, Method::GET, path, None).await;
        assert_eq!(status, 200, "{path}: {reply}");
        let (status, _) = call(&s, &manager, Method::GET, path, None).await;
        assert_eq!(status, 403, "{path}");
    }
    // The other shopper's phone and a kiosk see none of it.
    assert_eq!(
        s.get_as_device(&other_phone, "/api/v1/reports").await,
        (200, json!([]))
    );
    assert_eq!(s.get_as_device(&other_phone, &detail).await.0, 404);
    assert_eq!(s.get_as_device(&kiosk, "/api/v1/reports").await.0, 403);
    let (status, mine) = s.get_as_device(&phone, "/api/v1/reports").await;
    assert_eq!((status, mine.as_array().unwrap().len()), (200, 1), "{mine}");

    // Approved: the manager reads it, without the shopper.
    let (status, _) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/reports/{id}/review"),
            &json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, list) = call(&s, &manager, Method::GET, "/api/v1/reports", None).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (status, full) = call(&s, &manager, Method::GET, &detail, None).await;
    assert_eq!(status, 200, "{full}");
    assert!(!full.to_string().contains("Shopper 1"), "{full}");
    assert!(!list.to_string().contains("Shopper 1"), "{list}");
    s.stop().await;
}
