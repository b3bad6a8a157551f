//! Follow-up cases over HTTP, on SQLite and PostgreSQL: a case's life from
//! an alert to the customer informed, the steps it may not take, overdue
//! cases, the counts per branch with their medians worked by hand, who
//! sees a case and who its customer's contact details; the contact details
//! in no export or other read, and erased on schedule, by the purge and by
//! the responses' retention; bad input refused at its field with nothing
//! changed.

use crate::common;

use branchpulse_server::maintenance::retention;
use branchpulse_server::AppState;
use common::{digest, kiosk_response, Session, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use time::{Date, Duration, OffsetDateTime};

/// The rule every contact request raises its alert by, seeded by
/// migration 0010 for managers and regional managers.
pub const CONTACT_RULE: &str = "6b1f3c0e-2f5a-4d7e-9c1a-0c0a7e11c0de";

/// A phone number and an e-mail address no other text of the tests holds.
const PHONE: &str = "+86 137 9135 7246";
const EMAIL: &str = "kestrel.quillon@example.org";

/// An instant as SQLite stores it; PostgreSQL reads the same text.
pub fn stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .unwrap()
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Today (UTC) moved by `days`, as `YYYY-MM-DD`.
fn day(days: i64) -> String {
    (OffsetDateTime::now_utc().date() + Duration::days(days)).to_string()
}

/// Raise an alert of rule `rule` at `branch` that found `finding` (tagged
/// by its kind), about `response` if one, raised at `at`: its id. Written
/// to the table as the alert paths write it (`store::sql::alerts::raise`),
/// so the cases can be tested apart from what raises alerts.
pub async fn raise_alert(
    server: &TestServer,
    rule: &str,
    finding: &Value,
    branch: &str,
    response: Option<&str>,
    at: OffsetDateTime,
) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let kind = finding["kind"].as_str().unwrap();
    let response_sql = response.map_or("NULL".to_owned(), |r| format!("'{r}'"));
    common::execute(
        &server.database_url,
        &[format!(
            "INSERT INTO alerts (id, rule_id, rule_name, dedup_key, kind, branch, raised_at, \
             finding, response_id, device_id) VALUES ('{id}', '{rule}', 'A rule', \
             'test:{id}', '{kind}', '{branch}', '{}', '{finding}', {response_sql}, NULL)",
            stamp(at)
        )],
    )
    .await;
    id
}

/// A rule (`rule`: its kind and thresholds) for managers and regional
/// managers, network-wide: its id.
async fn add_rule(server: &TestServer, rule: &Value) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let kind = rule["kind"].as_str().unwrap();
    let definition = json!({"name": "Another rule", "rule": rule, "scope": {"kind": "all"}, "recipients": {"roles": ["manager", "regional"]}, "active": true});
    let now = stamp(OffsetDateTime::now_utc());
    common::execute(
        &server.database_url,
        &[format!(
            "INSERT INTO alert_rules (id, kind, definition, active, created_at, updated_at) \
             VALUES ('{id}', '{kind}', '{definition}', TRUE, '{now}', '{now}')"
        )],
    )
    .await;
    id
}

/// A customer's kiosk response at `branch` submitted at `at`, stored as a
/// device sends it, and the contact details (`value`) they left with it,
/// with the contact request's alert: (alert id, response id).
///
/// The details and the alert go in as `POST /api/v1/contacts` stores them
/// (the contact helper's endpoint, issue 20); once it is merged this is
/// the one place to switch to it.
pub async fn contact_alert(
    server: &TestServer,
    branch: &str,
    value: &str,
    at: OffsetDateTime,
) -> (String, String) {
    let response = uuid::Uuid::new_v4().to_string();
    let mut r = kiosk_response(&response);
    r["branch"] = json!(branch);
    r["started_at"] = json!(rfc3339(at - Duration::minutes(2)));
    r["submitted_at"] = json!(rfc3339(at - Duration::minutes(1)));
    let (status, reply) = server.post_batch(&json!({"responses": [r]})).await;
    assert_eq!(
        (status, &reply["results"][0]["status"]),
        (200, &json!("accepted")),
        "{reply}"
    );
    let way = if value.contains('@') {
        "email"
    } else {
        "phone"
    };
    common::execute(
        &server.database_url,
        &[format!(
            "INSERT INTO contacts (id, response_id, branch, way, value, locale, received_at) \
             VALUES ('{}', '{response}', '{branch}', '{way}', '{value}', 'en', '{}')",
            uuid::Uuid::new_v4(),
            stamp(at)
        )],
    )
    .await;
    let alert = raise_alert(
        server,
        CONTACT_RULE,
        &json!({"kind": "contact_request"}),
        branch,
        Some(&response),
        at,
    )
    .await;
    (alert, response)
}

/// `method path` as `who`, with a JSON body if one: status and answer.
async fn call(
    server: &TestServer,
    who: &Session,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = who.on(server.client.request(method, server.at(path)));
    if let Some(body) = body {
        request = request.json(body);
    }
    let resp = request.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn id_of(who: &Session) -> String {
    who.body["user"]["id"].as_str().unwrap().to_owned()
}

/// Make a case as `who`; the case.
async fn make(server: &TestServer, who: &Session, body: Value) -> Value {
    let (status, case) = call(server, who, Method::POST, "/api/v1/cases", Some(&body)).await;
    assert_eq!(status, 201, "{case}");
    case
}

async fn patch(server: &TestServer, who: &Session, case: &str, body: Value) -> (u16, Value) {
    call(
        server,
        who,
        Method::PATCH,
        &format!("/api/v1/cases/{case}"),
        Some(&body),
    )
    .await
}

async fn get(server: &TestServer, who: &Session, path: &str) -> (u16, Value) {
    call(server, who, Method::GET, path, None).await
}

fn whats(case: &Value) -> Vec<(String, String, String)> {
    case["history"]
        .as_array()
        .unwrap_or_else(|| panic!("{case}"))
        .iter()
        .map(|e| {
            (
                e["what"].as_str().unwrap().to_owned(),
                e["text"].as_str().unwrap().to_owned(),
                e["by"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn history(events: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    events
        .iter()
        .map(|(w, t, b)| (w.to_string(), t.to_string(), b.to_string()))
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn refused(status: u16, body: &Value) -> (u16, &str, &str) {
    (
        status,
        body["code"].as_str().unwrap_or_default(),
        body["field"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_case_goes_from_its_alert_to_the_customer_informed_with_history_and_audit() {
    let server = TestServer::start().await;
    let (alert, _) = contact_alert(&server, "N01", PHONE, OffsetDateTime::now_utc()).await;
    let ana = server.user("ana", "manager", Some("N01"), None).await;
    let ben = server.user("ben", "manager", Some("N01"), None).await;
    let admin = server.admin_session().await.clone();
    let due = day(7);

    let case = make(
        &server,
        &ana,
        json!({"alert": alert, "owner": id_of(&ana), "due": due, "note": "  Will call back today.  "}),
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(case["status"], "open");
    assert_eq!(case["branch"], "N01");
    assert_eq!(
        (&case["owner"], &case["owner_name"]),
        (&json!(id_of(&ana)), &json!("ana"))
    );
    assert_eq!(
        (&case["due"], &case["overdue"]),
        (&json!(due), &json!(false))
    );
    assert_eq!(case["alert"]["id"], alert);
    assert_eq!(case["alert"]["case"], id);
    assert_eq!(case["alert"]["finding"], json!({"kind": "contact_request"}));
    assert_eq!(case["has_contact"], true);
    assert_eq!(
        case["contact"],
        json!({"way": "phone", "value": PHONE, "locale": "en"})
    );
    assert!(case.get("resolved_at").is_none() && case.get("informed_at").is_none());
    let made = format!("owner ana, due {due}");
    assert_eq!(
        whats(&case),
        history(&[
            ("created", &made, "ana"),
            ("note", "Will call back today.", "ana")
        ])
    );

    // One case per alert.
    let (status, again) = call(
        &server,
        &ben,
        Method::POST,
        "/api/v1/cases",
        Some(&json!({"alert": alert, "owner": id_of(&ben), "due": due})),
    )
    .await;
    assert_eq!(
        refused(status, &again),
        (409, "case_exists", "alert"),
        "{again}"
    );

    // Another manager of the branch moves it on; nobody may skip telling
    // the customer's outcome, or tell before it is resolved.
    let (status, case) = patch(&server, &ben, &id, json!({"status": "in_progress"})).await;
    assert_eq!(
        (status, &case["status"]),
        (200, &json!("in_progress")),
        "{case}"
    );
    let (status, no) = patch(&server, &ana, &id, json!({"status": "customer_informed"})).await;
    assert_eq!(refused(status, &no), (409, "case_step", "status"), "{no}");
    assert!(
        no["error"]
            .as_str()
            .unwrap()
            .contains("in_progress cannot go to customer_informed"),
        "{no}"
    );
    let (status, case) = patch(
        &server,
        &ana,
        &id,
        json!({"status": "resolved", "note": "Refunded the fee."}),
    )
    .await;
    assert_eq!(
        (status, &case["status"]),
        (200, &json!("resolved")),
        "{case}"
    );
    let first_resolved = case["resolved_at"].as_str().unwrap().to_owned();
    // Reopened and resolved again: the first resolution is what counts.
    for step in ["in_progress", "resolved"] {
        let (status, case) = patch(&server, &ana, &id, json!({ "status": step })).await;
        assert_eq!((status, &case["status"]), (200, &json!(step)), "{case}");
        assert_eq!(case["resolved_at"], first_resolved);
    }
    let (status, case) = patch(&server, &ana, &id, json!({"status": "customer_informed"})).await;
    assert_eq!(status, 200, "{case}");
    assert!(case["informed_at"].is_string(), "{case}");
    // Closed: no step leads out.
    for step in ["open", "in_progress", "resolved", "customer_informed"] {
        let (status, no) = patch(&server, &ana, &id, json!({ "status": step })).await;
        assert_eq!(
            refused(status, &no),
            (409, "case_step", "status"),
            "{step}: {no}"
        );
    }

    // An admin hands it to Ben, who then reads the contact; Ana no longer.
    let (status, case) = patch(&server, &admin, &id, json!({"owner": id_of(&ben)})).await;
    assert_eq!(
        (status, &case["owner_name"]),
        (200, &json!("ben")),
        "{case}"
    );
    let (_, for_ana) = get(&server, &ana, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(for_ana["has_contact"], true);
    assert!(for_ana.get("contact").is_none(), "{for_ana}");
    let (_, for_ben) = get(&server, &ben, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(for_ben["contact"]["value"], PHONE);
    // The same owner again changes nothing; a new due date and a note do.
    let (status, no) = patch(&server, &admin, &id, json!({"owner": id_of(&ben)})).await;
    assert_eq!(refused(status, &no), (422, "nothing_to_change", ""), "{no}");
    let later = day(10);
    let (status, case) = patch(
        &server,
        &admin,
        &id,
        json!({"due": later, "note": "Checked."}),
    )
    .await;
    assert_eq!((status, &case["due"]), (200, &json!(later)), "{case}");
    assert_eq!(
        whats(&case),
        history(&[
            ("created", &made, "ana"),
            ("note", "Will call back today.", "ana"),
            ("status", "in_progress", "ben"),
            ("status", "resolved", "ana"),
            ("note", "Refunded the fee.", "ana"),
            ("status", "in_progress", "ana"),
            ("status", "resolved", "ana"),
            ("status", "customer_informed", "ana"),
            ("owner", "ben", "admin"),
            ("due", &later, "admin"),
            ("note", "Checked.", "admin"),
        ])
    );

    // Every change is in the audit log, without the customer's number.
    let (_, log) = server.get_json("/api/v1/audit?limit=1000").await;
    let lines: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == id)
        .collect();
    let actions: Vec<&str> = lines
        .iter()
        .rev()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "case.create",
            "case.change",
            "case.change",
            "case.change",
            "case.change",
            "case.change",
            "case.change",
            "case.change"
        ]
    );
    let resolve = lines
        .iter()
        .find(|e| e["detail"]["status"] == "resolved" && e["detail"]["note"] == true)
        .unwrap();
    assert_eq!(
        (&resolve["actor"], &resolve["detail"]["from"]),
        (&json!("user:ana"), &json!("in_progress"))
    );
    assert!(!log.to_string().contains("9135 7246"), "{log}");

    // The lists: one's own cases, by status.
    let (_, mine) = get(&server, &ben, "/api/v1/cases?owner=me").await;
    assert_eq!(ids(&mine), [id.as_str()]);
    let listed = &mine[0];
    assert!(
        listed.get("contact").is_none() && listed.get("history").is_none(),
        "{listed}"
    );
    let (_, mine) = get(&server, &ana, "/api/v1/cases?owner=me").await;
    assert_eq!(mine, json!([]));
    let (_, closed) = get(&server, &ana, "/api/v1/cases?status=customer_informed").await;
    assert_eq!(ids(&closed), [id.as_str()]);
    let (_, open) = get(&server, &ana, "/api/v1/cases?status=open").await;
    assert_eq!(open, json!([]));
    server.stop().await;
}

#[tokio::test]
async fn only_the_branchs_people_see_a_case_and_only_its_owner_and_admins_its_contact() {
    let server = TestServer::start().await;
    let (alert, _) = contact_alert(&server, "N01", PHONE, OffsetDateTime::now_utc()).await;
    let owner = server.user("olga", "manager", Some("N01"), None).await;
    let regional = server.user("rita", "regional", None, Some("North")).await;
    let reviewer = server.user("remy", "reviewer", None, None).await;
    let other = server.user("otto", "manager", Some("N02"), None).await;
    let south = server.user("sven", "regional", None, Some("South")).await;

    // Who does not see the alert cannot make a case of it (as if it did not
    // exist); a reviewer sees no contact alerts and makes no case.
    for who in [&other, &south, &reviewer] {
        let (status, no) = call(
            &server,
            who,
            Method::POST,
            "/api/v1/cases",
            Some(&json!({"alert": alert, "owner": id_of(&owner), "due": day(3)})),
        )
        .await;
        assert_eq!(status, 404, "{no}");
    }
    let case = make(
        &server,
        &regional,
        json!({"alert": alert, "owner": id_of(&owner), "due": day(3)}),
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/cases/{id}");
    // The regional manager made it for Olga: only she and admins read the contact.
    assert!(case.get("contact").is_none(), "{case}");
    let (status, seen) = get(&server, &owner, &path).await;
    assert_eq!((status, &seen["contact"]["value"]), (200, &json!(PHONE)));
    let (_, seen) = server.get_json(&path).await;
    assert_eq!(seen["contact"]["way"], "phone");
    for who in [&regional, &reviewer] {
        let (status, seen) = get(&server, who, &path).await;
        assert_eq!(
            (status, &seen["has_contact"]),
            (200, &json!(true)),
            "{seen}"
        );
        assert!(seen.get("contact").is_none(), "{seen}");
        assert!(!seen.to_string().contains("9135"), "{seen}");
        let (_, list) = get(&server, who, "/api/v1/cases").await;
        assert_eq!(ids(&list), [id.as_str()]);
    }
    // A reviewer reads but does not change.
    let (status, no) = patch(&server, &reviewer, &id, json!({"note": "Seen."})).await;
    assert_eq!(status, 403, "{no}");
    // Managers of other branches: no such case, in the list or by id.
    for who in [&other, &south] {
        for (method, body) in [
            (Method::GET, None),
            (Method::PATCH, Some(json!({"note": "Mine?"}))),
        ] {
            let (status, no) = call(&server, who, method, &path, body.as_ref()).await;
            assert_eq!(status, 404, "{no}");
        }
        let (status, list) = get(&server, who, "/api/v1/cases").await;
        assert_eq!((status, list), (200, json!([])));
    }
    let (status, no) = get(&server, &other, "/api/v1/cases?branch=N01").await;
    assert_eq!(
        refused(status, &no),
        (403, "outside_scope", "branch"),
        "{no}"
    );
    let (status, no) = get(&server, &other, "/api/v1/cases?branch=X99").await;
    assert_eq!((status, &no["field"]), (404, &json!("branch")), "{no}");
    let (status, no) = get(&server, &other, "/api/v1/cases?owner=otto").await;
    assert_eq!(refused(status, &no), (400, "bad_query", "owner"), "{no}");
    // The regional manager, in the branch's scope, may change it.
    let (status, changed) = patch(&server, &regional, &id, json!({"status": "resolved"})).await;
    assert_eq!(
        (status, &changed["status"]),
        (200, &json!("resolved")),
        "{changed}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_pending_case_past_its_day_is_overdue_until_resolved() {
    let server = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let (late_alert, _) = contact_alert(&server, "N01", PHONE, now - Duration::days(5)).await;
    let (alert, _) = contact_alert(&server, "N01", EMAIL, now).await;
    let owner = server.user("olga", "manager", Some("N01"), None).await;
    // Due two days ago: after its alert's day, so it may be set, and late.
    let late = make(
        &server,
        &owner,
        json!({"alert": late_alert, "owner": id_of(&owner), "due": day(-2)}),
    )
    .await;
    let today = make(
        &server,
        &owner,
        json!({"alert": alert, "owner": id_of(&owner), "due": day(0)}),
    )
    .await;
    assert_eq!(
        (&late["overdue"], &today["overdue"]),
        (&json!(true), &json!(false))
    );
    let (late_id, today_id) = (
        late["id"].as_str().unwrap().to_owned(),
        today["id"].as_str().unwrap().to_owned(),
    );
    let (_, all) = get(&server, &owner, "/api/v1/cases").await;
    assert_eq!(
        ids(&all),
        [late_id.as_str(), today_id.as_str()],
        "soonest due first"
    );
    let (_, overdue) = get(&server, &owner, "/api/v1/cases?overdue=true").await;
    assert_eq!(ids(&overdue), [late_id.as_str()]);
    let (_, on_time) = get(&server, &owner, "/api/v1/cases?overdue=false").await;
    assert_eq!(ids(&on_time), [today_id.as_str()]);
    let (status, _) = patch(&server, &owner, &late_id, json!({"status": "in_progress"})).await;
    assert_eq!(status, 200);
    let (_, overdue) = get(
        &server,
        &owner,
        "/api/v1/cases?overdue=true&status=in_progress",
    )
    .await;
    assert_eq!(
        ids(&overdue),
        [late_id.as_str()],
        "in progress and late is overdue"
    );
    let (_, resolved) = patch(&server, &owner, &late_id, json!({"status": "resolved"})).await;
    assert_eq!(resolved["overdue"], false, "{resolved}");
    let (_, overdue) = get(&server, &owner, "/api/v1/cases?overdue=true").await;
    assert_eq!(overdue, json!([]));
    server.stop().await;
}

#[tokio::test]
async fn counts_per_branch_and_median_hours_are_as_worked_by_hand() {
    let server = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let admin = server.admin_session().await.clone();
    let olga = server.user("olga", "manager", Some("N01"), None).await;
    let rita = server.user("rita", "regional", None, Some("North")).await;
    let admin_id = id_of(&admin);
    let mut cases = Vec::new();
    for branch in ["N01", "N01", "N01", "N01", "N02"] {
        let (alert, _) = contact_alert(&server, branch, PHONE, now - Duration::days(30)).await;
        let case = make(
            &server,
            &admin,
            json!({"alert": alert, "owner": admin_id, "due": day(5)}),
        )
        .await;
        cases.push(case["id"].as_str().unwrap().to_owned());
    }
    // c1 and c3 closed, c2 resolved, c4 open, c5 (N02) in progress.
    for (case, steps) in [
        (&cases[0], &["resolved", "customer_informed"][..]),
        (&cases[1], &["resolved"][..]),
        (&cases[2], &["resolved", "customer_informed"][..]),
        (&cases[4], &["in_progress"][..]),
    ] {
        for step in steps {
            let (status, reply) = patch(&server, &admin, case, json!({ "status": step })).await;
            assert_eq!(status, 200, "{reply}");
        }
    }
    // When each was made and first resolved, set by hand: days d1, d2, d3
    // twenty days back; c4 was due before today.
    let d1 = now.date() - Duration::days(20);
    let (d2, d3) = (d1 + Duration::days(1), d1 + Duration::days(2));
    let at = |d: Date, h: u8, m: u8| stamp(d.with_hms(h, m, 0).unwrap().assume_utc());
    let set = |case: &str, made: String, resolved: Option<String>| {
        let resolved = resolved.map_or("NULL".into(), |r| format!("'{r}'"));
        format!(
            "UPDATE cases SET created_at = '{made}', resolved_at = {resolved} WHERE id = '{case}'"
        )
    };
    common::execute(
        &server.database_url,
        &[
            // 2 h, 5 h and 1.5 h to resolve.
            set(&cases[0], at(d1, 9, 0), Some(at(d1, 11, 0))),
            set(&cases[1], at(d1, 9, 0), Some(at(d1, 14, 0))),
            set(&cases[2], at(d2, 10, 0), Some(at(d2, 11, 30))),
            set(&cases[3], at(d3, 8, 0), None),
            format!(
                "UPDATE cases SET due = '{}' WHERE id = '{}'",
                d3 + Duration::days(1),
                cases[3]
            ),
            set(&cases[4], at(d2, 12, 0), None),
        ],
    )
    .await;

    let counts = |list: &Value, branch: &str| -> Value {
        list.as_array()
            .unwrap_or_else(|| panic!("{list}"))
            .iter()
            .find(|c| c["branch"] == branch)
            .cloned()
            .unwrap_or_else(|| panic!("no {branch} in {list}"))
    };
    let (status, all) = get(&server, &admin, "/api/v1/cases/stats").await;
    assert_eq!(status, 200, "{all}");
    // Sorted 1.5, 2, 5 hours: the median is 2.
    assert_eq!(
        counts(&all, "N01"),
        json!({"branch": "N01", "open": 1, "in_progress": 0, "overdue": 1, "resolved": 1, "informed": 2, "median_hours_to_resolve": 2.0})
    );
    assert_eq!(
        counts(&all, "N02"),
        json!({"branch": "N02", "open": 0, "in_progress": 1, "overdue": 0, "resolved": 0, "informed": 0})
    );
    // Every open branch is listed, by code, those without cases at zero.
    let codes: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["branch"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 12, "{all}");
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:?}");
    assert_eq!(
        counts(&all, "S06"),
        json!({"branch": "S06", "open": 0, "in_progress": 0, "overdue": 0, "resolved": 0, "informed": 0})
    );
    // Made on d1 only: 2 and 5 hours, the median their mean.
    let (_, first) = get(
        &server,
        &admin,
        &format!("/api/v1/cases/stats?from={d1}&to={d1}"),
    )
    .await;
    assert_eq!(counts(&first, "N01")["median_hours_to_resolve"], 3.5);
    assert_eq!(
        (
            counts(&first, "N01")["resolved"].clone(),
            counts(&first, "N01")["informed"].clone()
        ),
        (json!(1), json!(1))
    );
    assert_eq!(counts(&first, "N02")["in_progress"], 0);
    // From d2 on: c3 (1.5 h), c4, and N02's.
    let (_, later) = get(&server, &admin, &format!("/api/v1/cases/stats?from={d2}")).await;
    assert_eq!(
        counts(&later, "N01"),
        json!({"branch": "N01", "open": 1, "in_progress": 0, "overdue": 1, "resolved": 0, "informed": 1, "median_hours_to_resolve": 1.5})
    );
    assert_eq!(counts(&later, "N02")["in_progress"], 1);
    // Each reader sees the branches of their scope.
    let (_, hers) = get(&server, &olga, "/api/v1/cases/stats").await;
    assert_eq!(hers.as_array().unwrap().len(), 1, "{hers}");
    assert_eq!(counts(&hers, "N01"), counts(&all, "N01"));
    let (_, north) = get(&server, &rita, "/api/v1/cases/stats").await;
    let codes: Vec<&str> = north
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["branch"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["N01", "N02", "N03", "N04", "N05", "N06"]);
    // Dates that cannot be used are named.
    let (status, no) = get(&server, &admin, "/api/v1/cases/stats?from=2026-02-30").await;
    assert_eq!(refused(status, &no), (400, "bad_date", "from"), "{no}");
    let (status, no) = get(
        &server,
        &admin,
        &format!("/api/v1/cases/stats?from={d2}&to={d1}"),
    )
    .await;
    assert_eq!(
        refused(status, &no),
        (400, "empty_date_range", "from"),
        "{no}"
    );
    server.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_at_its_field_and_changes_nothing() {
    let server = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let (alert, _) = contact_alert(&server, "N01", PHONE, now - Duration::days(1)).await;
    let (other_alert, _) = contact_alert(&server, "N01", EMAIL, now).await;
    let olga = server.user("olga", "manager", Some("N01"), None).await;
    let otto = server.user("otto", "manager", Some("N02"), None).await;
    let remy = server.user("remy", "reviewer", None, None).await;
    let gone = server.user("gone", "manager", Some("N01"), None).await;
    let (status, reply) = server
        .admin_json(
            Method::PATCH,
            &format!("/api/v1/users/{}", id_of(&gone)),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let case = make(
        &server,
        &olga,
        json!({"alert": alert, "owner": id_of(&olga), "due": day(3)}),
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    let before = digest(&server.database_url).await;

    let good =
        json!({"alert": other_alert, "owner": id_of(&olga), "due": day(3), "note": "Call back"});
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let long = "x".repeat(2001);
    let made: Vec<(Value, u16, &str, &str)> = vec![
        (with("due", json!("2026-02-30")), 422, "bad_date", "due"),
        (with("due", json!("next week")), 422, "bad_date", "due"),
        // Before the alert's day, and more than a year ahead.
        (with("due", json!(day(-2))), 422, "due_out_of_range", "due"),
        (with("due", json!(day(400))), 422, "due_out_of_range", "due"),
        (with("note", json!(long)), 422, "too_long", "note"),
        (
            with("note", json!("call\u{1b}back")),
            422,
            "control_characters",
            "note",
        ),
        (
            with("owner", json!(id_of(&otto))),
            422,
            "owner_not_eligible",
            "owner",
        ),
        (
            with("owner", json!(id_of(&remy))),
            422,
            "owner_not_eligible",
            "owner",
        ),
        (
            with("owner", json!(id_of(&gone))),
            422,
            "owner_not_eligible",
            "owner",
        ),
        (
            with("owner", json!(uuid::Uuid::new_v4())),
            422,
            "owner_not_eligible",
            "owner",
        ),
        (
            with("owner", json!("olga")),
            422,
            "unexpected_json",
            "owner",
        ),
        (
            with("alert", json!(uuid::Uuid::new_v4())),
            404,
            "not_found",
            "alert",
        ),
        (with("alert", json!(alert)), 409, "case_exists", "alert"),
        (
            with("colour", json!("red")),
            422,
            "unexpected_json",
            "colour",
        ),
    ];
    for (body, status, code, field) in &made {
        let (got, reply) = call(&server, &olga, Method::POST, "/api/v1/cases", Some(body)).await;
        assert_eq!(
            refused(got, &reply),
            (*status, *code, *field),
            "{body}: {reply}"
        );
    }
    let changes: Vec<(Value, u16, &str, &str)> = vec![
        (json!({}), 422, "nothing_to_change", ""),
        (json!({"note": "  "}), 422, "empty", "note"),
        (json!({"note": long}), 422, "too_long", "note"),
        (json!({"due": "2026-13-01"}), 422, "bad_date", "due"),
        (json!({"due": day(-3)}), 422, "due_out_of_range", "due"),
        (
            json!({"owner": id_of(&otto)}),
            422,
            "owner_not_eligible",
            "owner",
        ),
        (
            json!({"status": "closed"}),
            422,
            "unexpected_json",
            "status",
        ),
        (
            json!({"status": "customer_informed"}),
            409,
            "case_step",
            "status",
        ),
        (json!({"status": "open"}), 409, "case_step", "status"),
        // One bad field spoils the whole change.
        (
            json!({"status": "in_progress", "due": "soon"}),
            422,
            "bad_date",
            "due",
        ),
        (
            json!({"note": "Fine", "colour": "red"}),
            422,
            "unexpected_json",
            "colour",
        ),
    ];
    for (body, status, code, field) in &changes {
        let (got, reply) = patch(&server, &olga, &id, body.clone()).await;
        assert_eq!(
            refused(got, &reply),
            (*status, *code, *field),
            "{body}: {reply}"
        );
    }
    let (status, _) = patch(
        &server,
        &olga,
        &uuid::Uuid::new_v4().to_string(),
        json!({"note": "x"}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(digest(&server.database_url).await, before);
    server.stop().await;
}

/// The reads a manager or admin has besides a case's own page.
const READS: &[&str] = &[
    "/api/v1/export/responses.csv",
    "/api/v1/export/aggregates.csv",
    "/api/v1/aggregates",
    "/api/v1/items",
    "/api/v1/comments",
    "/api/v1/cases",
    "/api/v1/cases?owner=me",
    "/api/v1/cases/stats",
    "/api/v1/alerts",
    "/api/v1/alerts/unread",
    "/api/v1/audit?limit=1000",
    "/api/v1/visits",
    "/api/v1/reports",
    "/api/v1/users",
    "/api/v1/devices",
    "/api/v1/branches",
];

#[tokio::test]
async fn contact_details_are_in_no_export_list_or_other_read() {
    let server = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let (phone_alert, _) = contact_alert(&server, "N01", PHONE, now).await;
    let (email_alert, _) = contact_alert(&server, "N01", EMAIL, now).await;
    let olga = server.user("olga", "manager", Some("N01"), None).await;
    let admin = server.admin_session().await.clone();
    let mut pages = Vec::new();
    for alert in [&phone_alert, &email_alert] {
        let case = make(
            &server,
            &olga,
            json!({"alert": alert, "owner": id_of(&olga), "due": day(2)}),
        )
        .await;
        let (status, _) = patch(
            &server,
            &olga,
            case["id"].as_str().unwrap(),
            json!({"status": "resolved"}),
        )
        .await;
        assert_eq!(status, 200);
        pages.push(format!("/api/v1/cases/{}", case["id"].as_str().unwrap()));
    }
    let secrets = ["9135 7246", "kestrel.quillon"];
    // Where they are shown, the search finds them: it can fail.
    let mut shown = String::new();
    for page in &pages {
        shown += &get(&server, &olga, page).await.1.to_string();
    }
    for secret in secrets {
        assert!(
            shown.contains(secret),
            "{secret} not on the owner's pages: {shown}"
        );
    }
    let alert_pages: Vec<String> = [&phone_alert, &email_alert]
        .iter()
        .map(|a| format!("/api/v1/alerts/{a}"))
        .collect();
    let filtered = format!(
        "/api/v1/export/responses.csv?from={}&to={}",
        day(-1),
        day(1)
    );
    let reads = READS
        .iter()
        .map(|r| r.to_string())
        .chain(alert_pages)
        .chain([filtered]);
    for path in reads {
        for who in [&olga, &admin] {
            let resp = who
                .on(server.client.get(server.at(&path)))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap();
            // An admin reads them all (the alerts' inbox may not exist yet).
            if who.csrf == admin.csrf && !path.contains("alerts") {
                assert_eq!(status, 200, "{path}: {body}");
            }
            for secret in secrets {
                assert!(!body.contains(secret), "{path} shows {secret}: {body}");
            }
        }
    }
    server.stop().await;
}

/// A server state beside the running server, on the same database: the
/// retention runs at a `now` of the test's choosing, with no waiting.
async fn beside(
    server: &TestServer,
    adjust: impl FnOnce(&mut branchpulse_server::config::Config),
) -> AppState {
    let mut config = common::config_in(server.dir.path());
    config.database_url = server.database_url.clone();
    adjust(&mut config);
    AppState::open(config).await.unwrap()
}

async fn erasures(server: &TestServer) -> Vec<Value> {
    let (_, log) = server.get_json("/api/v1/audit?limit=1000").await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "contact.erase")
        .cloned()
        .collect()
}

async fn contacts_left(server: &TestServer) -> String {
    common::scalar(
        &server.database_url,
        "SELECT CAST(COUNT(*) AS TEXT) FROM contacts",
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn contact_details_are_erased_the_set_days_after_their_cases_close() {
    let server = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let olga = server.user("olga", "manager", Some("N01"), None).await;
    let owner = id_of(&olga);
    // Three customers: one whose case closes, one whose case stays open,
    // and one whose response raised two alerts, each made a case.
    let (closing, closing_response) = contact_alert(&server, "N01", PHONE, now).await;
    let (open, _) = contact_alert(&server, "N01", EMAIL, now).await;
    let (both, both_response) = contact_alert(&server, "N01", "+1 555 010 0199", now).await;
    let low_rule = add_rule(&server, &json!({"kind": "low_score_comment", "low_max": 2})).await;
    let low = raise_alert(
        &server,
        &low_rule,
        &json!({"kind": "low_score_comment", "score": 1, "comment": "Nobody helped me."}),
        "N01",
        Some(&both_response),
        now,
    )
    .await;
    let mut ids = Vec::new();
    for alert in [&closing, &open, &both, &low] {
        let case = make(
            &server,
            &olga,
            json!({"alert": alert, "owner": owner, "due": day(1)}),
        )
        .await;
        ids.push(case["id"].as_str().unwrap().to_owned());
    }
    for (case, steps) in [
        (&ids[0], &["resolved", "customer_informed"][..]),
        (&ids[1], &["in_progress"][..]),
        (&ids[2], &["resolved", "customer_informed"][..]),
    ] {
        for step in steps {
            let (status, reply) = patch(&server, &olga, case, json!({ "status": step })).await;
            assert_eq!(status, 200, "{reply}");
        }
    }
    let state = beside(&server, |_| {}).await;
    assert_eq!(state.config.contact_retention_days, 30, "the default");
    // 29 days on: kept.
    retention::run(&state, now + Duration::days(29))
        .await
        .unwrap();
    assert_eq!(contacts_left(&server).await, "3");
    // 31 days on: the closed case's is gone; the others are kept while a
    // case about them is open.
    let runs = retention::run(&state, now + Duration::days(31))
        .await
        .unwrap();
    let run = runs.iter().find(|r| r.class == "contacts").unwrap();
    assert_eq!(run.removed, 1);
    assert_eq!(contacts_left(&server).await, "2");
    let (_, page) = get(&server, &olga, &format!("/api/v1/cases/{}", ids[0])).await;
    assert_eq!(page["has_contact"], false, "{page}");
    assert!(page.get("contact").is_none(), "{page}");
    let (_, page) = get(&server, &olga, &format!("/api/v1/cases/{}", ids[2])).await;
    assert_eq!(page["contact"]["value"], "+1 555 010 0199");
    let erased = erasures(&server).await;
    assert_eq!(erased.len(), 1, "{erased:?}");
    assert_eq!(erased[0]["actor"], "system:retention");
    assert_eq!(
        erased[0]["detail"],
        json!({"response": closing_response, "why": "closed"})
    );
    // The low score's case closes too: 31 days after, the contact goes.
    for step in ["resolved", "customer_informed"] {
        let (status, reply) = patch(&server, &olga, &ids[3], json!({ "status": step })).await;
        assert_eq!(status, 200, "{reply}");
    }
    retention::run(&state, OffsetDateTime::now_utc() + Duration::days(29))
        .await
        .unwrap();
    assert_eq!(contacts_left(&server).await, "2");
    retention::run(&state, OffsetDateTime::now_utc() + Duration::days(31))
        .await
        .unwrap();
    assert_eq!(contacts_left(&server).await, "1");
    let erased = erasures(&server).await;
    assert_eq!(erased.len(), 2);
    assert_eq!(erased[0]["detail"]["response"], both_response);
    // Never the value.
    let (_, log) = server.get_json("/api/v1/audit?limit=1000").await;
    for secret in ["9135 7246", "010 0199", "kestrel"] {
        assert!(!log.to_string().contains(secret), "{secret} in {log}");
    }
    state.store.close().await;

    // Set to 0 days, a closed case's contact goes at the next run.
    let (alert, _) = contact_alert(&server, "N01", EMAIL, now).await;
    let case = make(
        &server,
        &olga,
        json!({"alert": alert, "owner": owner, "due": day(1)}),
    )
    .await;
    let case = case["id"].as_str().unwrap();
    for step in ["resolved", "customer_informed"] {
        patch(&server, &olga, case, json!({ "status": step })).await;
    }
    let state = beside(&server, |c| c.contact_retention_days = 0).await;
    retention::run(&state, OffsetDateTime::now_utc() + Duration::seconds(1))
        .await
        .unwrap();
    let (_, page) = get(&server, &olga, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(page["has_contact"], false, "{page}");
    state.store.close().await;
    server.stop().await;
}

#[tokio::test]
async fn contact_details_go_with_their_responses_texts() {
    let server = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let olga = server.user("olga", "manager", Some("N01"), None).await;
    let (alert, response) = contact_alert(&server, "N01", PHONE, now).await;
    let case = make(
        &server,
        &olga,
        json!({"alert": alert, "owner": id_of(&olga), "due": day(1)}),
    )
    .await;
    let page = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    // The purge: at once, in the log under the admin's name.
    let (status, purged) = server
        .admin_json(
            Method::POST,
            &format!("/api/v1/responses/{response}/purge-text"),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{purged}");
    let (_, seen) = get(&server, &olga, &page).await;
    assert_eq!(seen["has_contact"], false, "{seen}");
    let erased = erasures(&server).await;
    assert_eq!(erased.len(), 1);
    assert_eq!(
        (&erased[0]["actor"], &erased[0]["detail"]),
        (
            &json!("user:admin"),
            &json!({"response": response, "why": "purge"})
        )
    );
    let (_, log) = server.get_json("/api/v1/audit?limit=10").await;
    let purge = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "response.purge_text")
        .unwrap();
    assert_eq!(purge["detail"]["contact"], true, "{purge}");

    // The responses' retention: a response older than the texts are kept
    // loses its contact with its comment; a young one keeps both.
    let (_, old) = contact_alert(&server, "N01", EMAIL, now - Duration::days(300)).await;
    let (_, young) =
        contact_alert(&server, "N01", "+44 20 7946 0000", now - Duration::days(2)).await;
    let state = beside(&server, |c| c.retain_free_text_days = Some(200)).await;
    retention::run(&state, now).await.unwrap();
    let left = common::scalar(
        &server.database_url,
        "SELECT CAST(response_id AS TEXT) FROM contacts",
    )
    .await;
    assert_eq!(left.as_deref(), Some(young.as_str()));
    let erased = erasures(&server).await;
    assert_eq!(
        erased[0]["detail"],
        json!({"response": old, "why": "text_erased"})
    );
    assert_eq!(erased[0]["actor"], "system:retention");
    state.store.close().await;
    server.stop().await;
}

#[tokio::test]
async fn a_contact_no_alert_refers_to_is_not_kept() {
    let server = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let olga = server.user("olga", "manager", Some("N01"), None).await;
    // Awaiting a case: kept.
    let (_, waiting) = contact_alert(&server, "N01", PHONE, now).await;
    // Its alert gone (with its rule, say), before a case was made.
    let (lone_alert, lone) = contact_alert(&server, "N01", EMAIL, now).await;
    // Its case and alert gone.
    let (alert, gone) = contact_alert(&server, "N01", "+1 555 010 0199", now).await;
    let case = make(
        &server,
        &olga,
        json!({"alert": alert, "owner": id_of(&olga), "due": day(1)}),
    )
    .await;
    let case = case["id"].as_str().unwrap();
    common::execute(
        &server.database_url,
        &[
            format!("DELETE FROM alerts WHERE id = '{lone_alert}'"),
            format!("DELETE FROM cases WHERE id = '{case}'"),
            format!("DELETE FROM alerts WHERE id = '{alert}'"),
        ],
    )
    .await;
    let state = beside(&server, |_| {}).await;
    retention::run(&state, now).await.unwrap();
    state.store.close().await;
    let left = common::scalar(
        &server.database_url,
        "SELECT CAST(response_id AS TEXT) FROM contacts",
    )
    .await;
    assert_eq!(left.as_deref(), Some(waiting.as_str()));
    assert_eq!(contacts_left(&server).await, "1");
    let mut erased: Vec<Value> = erasures(&server)
        .await
        .iter()
        .map(|e| e["detail"].clone())
        .collect();
    erased.sort_by_key(|d| d["response"].as_str().unwrap().to_owned());
    let mut expected = vec![
        json!({"response": lone, "why": "no_alert"}),
        json!({"response": gone, "why": "no_alert"}),
    ];
    expected.sort_by_key(|d| d["response"].as_str().unwrap().to_owned());
    assert_eq!(erased, expected);
    server.stop().await;
}
