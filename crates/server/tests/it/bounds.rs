//! Input at the edges over HTTP: filter dates far out of range, numbers too
//! large, wrong types deep in a body, oversized questionnaires and cells a
//! spreadsheet would run. Each is refused with the field named (or written
//! harmless), nothing is stored, and the server goes on answering. Runs on
//! SQLite, and on PostgreSQL when `BRANCHPULSE_TEST_POSTGRES` is set.

use crate::common;

use common::TestServer;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// GET `path` as the admin: status and error message (empty if none).
async fn refusal(s: &TestServer, path: &str) -> (u16, String) {
    let resp = s.get(path).await.send().await.unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn still_serving(s: &TestServer) {
    let (status, _) = s.get_json("/api/v1/health").await;
    assert_eq!(status, 200, "the server answers after the bad requests");
    let (status, a) = s
        .get_json("/api/v1/aggregates?from=2026-01-05&to=2026-03-29")
        .await;
    assert_eq!(status, 200, "{a}");
}

#[tokio::test]
async fn filter_dates_out_of_range_are_refused_naming_the_parameter() {
    let s = TestServer::start().await;
    let endpoints = [
        "/api/v1/aggregates",
        "/api/v1/comments",
        "/api/v1/export/responses.csv",
        "/api/v1/export/aggregates.csv",
    ];
    let filters = [
        ("from=9999-12-31", "from", "9999-12-31"),
        ("to=9999-12-31", "to", "9999-12-31"),
        ("from=-9999-01-01", "from", "-9999-01-01"),
        ("from=1970-01-01", "from", "1970-01-01"),
        ("from=2026-01-01&to=2101-01-01", "to", "2101-01-01"),
        ("from=2026-03-02&to=2026-03-01", "from", "after to"),
    ];
    for endpoint in endpoints {
        for (filter, param, says) in filters {
            let path = format!("{endpoint}?{filter}");
            let (status, error) = refusal(&s, &path).await;
            assert_eq!(status, 400, "{path}: {error}");
            assert!(
                error.contains(&format!("{param}: ")) || error.starts_with(param),
                "{path}: {error}"
            );
            assert!(error.contains(says), "{path}: {error}");
        }
        // The widest range allowed is answered.
        let path = format!("{endpoint}?from=2000-01-01&to=2100-12-31");
        let resp = s.get(&path).await.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        resp.bytes().await.unwrap();
    }
    still_serving(&s).await;
    s.stop().await;
}

#[tokio::test]
async fn numbers_out_of_range_are_refused_naming_the_parameter() {
    let s = TestServer::start().await;
    for (path, status, says) in [
        ("/api/v1/audit?limit=99999999999999999999", 400, "limit"),
        ("/api/v1/audit?limit=-1", 400, "limit"),
        ("/api/v1/comments?limit=99999999999999999999", 400, "limit"),
        ("/api/v1/comments?limit=-5", 400, "limit"),
        (
            "/api/v1/questionnaires/lobby/99999999999999999999",
            404,
            "whole number",
        ),
        ("/api/v1/questionnaires/lobby/4294967295", 404, "no version"),
    ] {
        let (got, error) = refusal(&s, path).await;
        assert_eq!(got, status, "{path}: {error}");
        assert!(error.contains(says), "{path}: {error}");
    }
    // A visit due on a date no one means: refused, nothing stored.
    for due in ["9999-12-31", "0001-01-01"] {
        let body = json!({"branch": "N01", "scenario": "Ask", "questionnaire_id": "branch_visit", "window": {"from": due, "to": due}});
        let (status, reply) = s
            .admin_json(reqwest::Method::POST, "/api/v1/visits", &body)
            .await;
        assert_eq!(status, 422, "{reply}");
        assert!(
            reply["error"]
                .as_str()
                .unwrap()
                .starts_with("window.from: "),
            "{reply}"
        );
    }
    assert_eq!(s.get_json("/api/v1/visits").await.1, json!([]));
    still_serving(&s).await;
    s.stop().await;
}

#[tokio::test]
async fn a_wrong_type_in_a_body_names_its_field() {
    let s = TestServer::start().await;
    let cases = [
        (
            "/api/v1/branches",
            json!({"code": "N77", "name": "New", "region": "North", "active": "yes"}),
            "active: invalid type",
        ),
        (
            "/api/v1/users",
            json!({"username": "zhang", "password": 20262026, "role": "admin"}),
            "password: invalid type",
        ),
        (
            "/api/v1/visits",
            json!({"branch": "N01", "scenario": "Ask", "questionnaire_id": "branch_visit", "window": {"from": "2026-04-30", "to": "2026-04-30"}, "shopper": ["x"]}),
            "shopper: invalid type",
        ),
    ];
    for (path, body, says) in cases {
        let (status, reply) = s.admin_json(reqwest::Method::POST, path, &body).await;
        assert_eq!(status, 422, "{path}: {reply}");
        let error = reply["error"].as_str().unwrap();
        assert!(error.starts_with("unexpected JSON: "), "{path}: {error}");
        assert!(error.contains(says), "{path}: {error}");
    }
    let (_, branches) = s.get_json("/api/v1/branches").await;
    assert!(!branches.to_string().contains("N77"), "nothing stored");
    still_serving(&s).await;
    s.stop().await;
}

fn yes_no(id: &str) -> Value {
    json!({"id": id, "type": "yes_no", "text": {"en": "Q?"}})
}

fn upload_of(items: Vec<Value>) -> Value {
    json!({
        "id": "huge", "version": 1, "kind": "kiosk", "title": {"en": "Huge"},
        "languages": ["en"],
        "sections": [{"id": "main", "title": {"en": "Main"}, "items": items}]
    })
}

#[tokio::test]
async fn oversized_questionnaires_are_refused_and_nothing_is_stored() {
    let s = TestServer::start().await;
    let (_, before) = s.get_json("/api/v1/questionnaires/all").await;
    // The upload of the issue: 8,900 items, each shown after the one before.
    let chain: Vec<Value> = (0..8_900)
        .map(|i| {
            let mut item = yes_no(&format!("q{i}"));
            if i > 0 {
                item["show_if"] = json!({"item": format!("q{}", i - 1), "equals": {"type": "yes_no", "value": "yes"}});
            }
            item
        })
        .collect();
    let deep: Vec<Value> = chain[..10].to_vec();
    let mut long_text = upload_of(vec![yes_no("a")]);
    long_text["sections"][0]["items"][0]["text"]["en"] = json!("x".repeat(2001));
    let cases = [
        (upload_of(chain), "at most 500"),
        (upload_of(deep), "item \"q9\": show_if"),
        (long_text, "at most 2000"),
    ];
    for (body, says) in cases {
        let (status, reply) = s
            .admin_json(reqwest::Method::POST, "/api/v1/questionnaires", &body)
            .await;
        assert_eq!(status, 422, "{reply}");
        let error = reply["error"].as_str().unwrap();
        assert!(error.contains(says), "{error}");
    }
    let (_, after) = s.get_json("/api/v1/questionnaires/all").await;
    assert_eq!(after, before, "no questionnaire stored");
    // Within the limits it is stored.
    let (status, reply) = s
        .admin_json(
            reqwest::Method::POST,
            "/api/v1/questionnaires",
            &upload_of(vec![yes_no("a")]),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    still_serving(&s).await;
    s.stop().await;
}

/// Every form a spreadsheet reads as the start of a formula.
const FORMULAS: [&str; 11] = [
    "=1+1", "+1", "-1+1", "@SUM(A1)", "＝1", "＋1", "－1", "＠1", "  =1", " -1", "\t=1",
];

/// The real questionnaires, with an item and a critical item whose ids
/// start with `-`, and a branch named with each formula form (its code
/// too for one: codes may start with `-`).
fn formula_catalog(dir: &Path) -> PathBuf {
    let folder = dir.join("catalog");
    std::fs::create_dir_all(&folder).unwrap();
    let real = common::questionnaires_dir();
    let kiosk = std::fs::read_to_string(real.join("kiosk.json")).unwrap();
    let kiosk = kiosk.replace("\"id\": \"comment\"", "\"id\": \"-comment\"");
    std::fs::write(folder.join("kiosk.json"), kiosk).unwrap();
    let shop = std::fs::read_to_string(real.join("mystery_shop.json")).unwrap();
    let shop = shop.replace("\"privacy_respected\"", "\"-privacy\"");
    std::fs::write(folder.join("mystery_shop.json"), shop).unwrap();
    let mut branches: Vec<Value> = FORMULAS
        .iter()
        .enumerate()
        // Names have no control characters: the tab form is in a comment.
        .filter(|(_, f)| !f.contains('\t'))
        .map(
            |(i, f)| json!({"code": format!("F{i}"), "name": f, "region": "North", "active": true}),
        )
        .collect();
    branches.push(json!({"code": "-Q", "name": "Quay", "region": "@South", "active": true}));
    std::fs::write(
        folder.join("branches.json"),
        Value::from(branches).to_string(),
    )
    .unwrap();
    folder
}

fn kiosk_with_comment(n: usize, branch: &str, comment: &str) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"), "questionnaire_id": "lobby",
        "questionnaire_version": 2, "branch": branch, "device_id": "tablet-1",
        "channel": "kiosk", "locale": "en",
        "started_at": "2026-03-02T09:30:00+08:00", "submitted_at": "2026-03-02T09:31:00+08:00",
        "answers": {
            "overall": {"type": "rating", "value": 4},
            "staff_care": {"type": "rating", "value": 4},
            "ease": {"type": "rating", "value": 4},
            "fees_worth": {"type": "rating", "value": 4},
            "confidence": {"type": "rating", "value": 4},
            // Detractors only: the NPS is −100.
            "recommend": {"type": "nps", "value": 0},
            "-comment": {"type": "text", "value": comment}
        },
    })
}

/// A mystery-shop visit of `-Q` that fails the `-privacy` critical item.
fn failed_visit(dir: &Path) -> Value {
    let q: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("catalog/mystery_shop.json")).unwrap(),
    )
    .unwrap();
    let mut answers = serde_json::Map::new();
    for section in q["sections"].as_array().unwrap() {
        for item in section["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            if item.get("show_if").is_some() {
                continue;
            }
            let answer = match item["type"].as_str().unwrap() {
                "yes_no" if id == "-privacy" || id == "phone_answered" => {
                    json!({"type": "yes_no", "value": "no"})
                }
                "yes_no" => json!({"type": "yes_no", "value": "yes"}),
                "seconds" => json!({"type": "seconds", "value": 60}),
                "choice" => json!({"type": "choice", "value": item["options"][0]["id"]}),
                _ => continue,
            };
            answers.insert(id.into(), answer);
        }
    }
    json!({
        "id": "00000000-0000-4000-8000-000000000999", "questionnaire_id": "branch_visit",
        "questionnaire_version": 2, "branch": "-Q", "device_id": "phone-1",
        "channel": "mystery_shop", "locale": "en",
        "started_at": "2026-03-05T10:00:00Z", "submitted_at": "2026-03-05T10:40:00Z",
        "answers": answers,
        "comments": {"waiting": "=HYPERLINK(\"http://x\")"},
    })
}

async fn csv(s: &TestServer, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let resp = s.get(path).await.send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{path}");
    let bytes = resp.bytes().await.unwrap();
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn column<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name} in {header:?}"));
    &row[i]
}

#[tokio::test]
async fn csv_cells_a_spreadsheet_would_run_are_neutralized() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = formula_catalog(dir.path());
    let s = TestServer::start_with(|c| c.questionnaires = catalog).await;
    let mut responses: Vec<Value> = FORMULAS
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.contains('\t'))
        .map(|(i, f)| kiosk_with_comment(i, &format!("F{i}"), f))
        .collect();
    responses.push(kiosk_with_comment(100, "-Q", "\t=1"));
    for r in &responses {
        let (status, reply) = s.post_batch(&json!({ "responses": [r] })).await;
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
    }
    let visit = failed_visit(dir.path());
    let (status, reply) = s.post_batch(&json!({ "responses": [visit] })).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
    // A report counts once approved.
    let (status, reply) = s
        .admin_json(
            reqwest::Method::POST,
            &format!("/api/v1/reports/{}/review", visit["id"].as_str().unwrap()),
            &json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");

    let (header, rows) = csv(&s, "/api/v1/export/aggregates.csv").await;
    for (i, f) in FORMULAS
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.contains('\t'))
    {
        let row = rows
            .iter()
            .find(|r| column(&header, r, "code") == format!("F{i}"))
            .unwrap();
        assert_eq!(column(&header, row, "name"), format!("'{f}"), "{f:?}");
    }
    // The failed visit's row: the mystery shop's rows come after the kiosk's.
    let quay = rows
        .iter()
        .find(|r| {
            column(&header, r, "name") == "Quay" && column(&header, r, "channel") == "mystery_shop"
        })
        .unwrap();
    assert_eq!(column(&header, quay, "code"), "'-Q");
    assert_eq!(column(&header, quay, "region"), "'@South");
    assert_eq!(column(&header, quay, "critical_failures"), "'-privacy 1/1");
    // Real negative figures stay numbers: the network's NPS here is below 0.
    let network = &rows[0];
    assert_eq!(column(&header, network, "channel"), "kiosk");
    assert_eq!(column(&header, network, "nps_value"), "-100");

    let (header, rows) = csv(&s, "/api/v1/export/responses.csv").await;
    assert!(header.contains(&"'-comment".to_owned()), "{header:?}");
    assert!(header.contains(&"'-privacy".to_owned()), "{header:?}");
    for (i, f) in FORMULAS
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.contains('\t'))
    {
        let row = rows
            .iter()
            .find(|r| column(&header, r, "branch") == format!("F{i}"))
            .unwrap();
        assert_eq!(
            column(&header, row, "branch_name"),
            format!("'{f}"),
            "{f:?}"
        );
        assert_eq!(column(&header, row, "'-comment"), format!("'{f}"), "{f:?}");
    }
    let quay: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "Quay").collect();
    assert_eq!(quay.len(), 2);
    for row in quay {
        assert_eq!(column(&header, row, "branch"), "'-Q");
        assert_eq!(column(&header, row, "region"), "'@South");
        match column(&header, row, "channel") {
            "kiosk" => assert_eq!(column(&header, row, "'-comment"), "'\t=1"),
            _ => {
                assert_eq!(column(&header, row, "critical_failures"), "'-privacy");
                assert_eq!(column(&header, row, "'-privacy"), "no");
                assert_eq!(
                    column(&header, row, "comments"),
                    "waiting: =HYPERLINK(\"http://x\")",
                    "an = inside a cell is no formula"
                );
            }
        }
    }
    s.stop().await;
}
