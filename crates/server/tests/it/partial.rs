//! Partial kiosk responses (a customer who walked away) and "does not
//! apply" answers over HTTP: stored as sent, every answered item counted,
//! completion rates beside the figures, and the rollups of a database from
//! before partial responses existed. On SQLite and on PostgreSQL.

use crate::common;

use common::TestServer;
use serde_json::{json, Value};

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// A lobby v2 response at N01 on `day` with `answers`, `partial` or not.
fn lobby(n: u32, day: &str, partial: bool, answers: Value) -> Value {
    let mut r = json!({
        "id": id(n), "questionnaire_id": "lobby", "questionnaire_version": 2,
        "branch": "N01", "device_id": "tablet-1", "channel": "kiosk", "locale": "en",
        "started_at": format!("{day}T09:30:00+08:00"),
        "submitted_at": format!("{day}T09:31:00+08:00"),
        "answers": answers,
    });
    if partial {
        r["partial"] = json!(true);
    }
    r
}

/// The set the figures below are worked out for by hand.
fn set() -> Vec<Value> {
    vec![
        // Complete; fees "do not apply"; the optional section answered.
        lobby(
            1,
            "2026-03-02",
            false,
            json!({
                "overall": {"type": "rating", "value": 5},
                "staff_care": {"type": "rating", "value": 4},
                "ease": {"type": "rating", "value": 4},
                "fees_worth": {"type": "not_applicable"},
                "confidence": {"type": "rating", "value": 5},
                "recommend": {"type": "nps", "value": 9},
                "wait": {"type": "choice", "value": "5_to_10"},
                "resolved": {"type": "yes_no", "value": "yes"},
                "reason": {"type": "choice", "value": "cash"},
            }),
        ),
        // Walked away after two ratings.
        lobby(
            2,
            "2026-03-03",
            true,
            json!({
                "overall": {"type": "rating", "value": 2},
                "staff_care": {"type": "rating", "value": 3},
            }),
        ),
        // Complete, the optional section skipped.
        lobby(
            3,
            "2026-03-04",
            false,
            json!({
                "overall": {"type": "rating", "value": 4},
                "staff_care": {"type": "rating", "value": 5},
                "ease": {"type": "rating", "value": 2},
                "fees_worth": {"type": "rating", "value": 3},
                "confidence": {"type": "rating", "value": 4},
                "recommend": {"type": "nps", "value": 6},
            }),
        ),
    ]
}

fn close(v: &Value, expected: f64) -> bool {
    (v.as_f64().unwrap_or(f64::NAN) - expected).abs() < 1e-6
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

async fn csv(s: &TestServer, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let resp = s.get(path).await.send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{path}");
    parse_csv(&resp.text().await.unwrap())
}

fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    &row[i]
}

#[tokio::test]
async fn partial_and_not_applicable_answers_count_item_by_item() {
    let s = TestServer::start().await;
    let (status, reply) = s.post_batch(&json!({ "responses": set() })).await;
    assert_eq!(status, 200, "{reply}");
    for r in reply["results"].as_array().unwrap() {
        assert_eq!(r["status"], "accepted", "{reply}");
    }
    // Stored as sent: the partial response says so.
    let stored = s.stored().await;
    let payload = |n: u32| -> Value {
        let (_, p) = stored.iter().find(|(i, _)| *i == id(n)).unwrap();
        serde_json::from_str(p).unwrap()
    };
    assert_eq!(payload(2)["partial"], true);
    assert_eq!(payload(1).get("partial"), None);
    assert_eq!(
        payload(1)["answers"]["fees_worth"],
        json!({"type": "not_applicable"})
    );

    let (status, a) = s.get_json("/api/v1/aggregates?channel=kiosk").await;
    assert_eq!(status, 200, "{a}");
    for f in [&a["network"], &a["branches"][0]["figures"]] {
        assert_eq!(a["branches"][0]["code"], "N01");
        assert_eq!((&f["n"], &f["completed"]), (&json!(3), &json!(2)), "{f}");
        // Completion 2 of 3: Wilson [20.766, 93.851] in percent.
        let c = &f["completion"];
        assert_eq!(c["n"], 3);
        assert!(close(&c["estimate"]["value"], 66.666666667), "{c}");
        assert!(close(&c["estimate"]["low"], 20.765959881), "{c}");
        assert!(close(&c["estimate"]["high"], 93.850805598), "{c}");
        // Empathy 75, 50 (the partial response's), 100 → 75 on 3.
        let dim = |d: &str| &f["dimensions"][d];
        assert_eq!(dim("empathy")["n"], 3);
        assert!(close(&dim("empathy")["estimate"]["value"], 75.0));
        // Process per response: (ease 75 + wait 75) / 2, then ease 25 → 50 on 2.
        assert_eq!(dim("process_convenience")["n"], 2);
        assert!(close(
            &dim("process_convenience")["estimate"]["value"],
            50.0
        ));
        // Value: "does not apply" is out of the denominator: only the 3 (50).
        assert_eq!(dim("value")["n"], 1);
        assert!(close(&dim("value")["estimate"]["value"], 50.0));
        assert_eq!(dim("trust")["n"], 2);
        assert!(close(&dim("trust")["estimate"]["value"], 87.5));
        // Overall per response: 81.25, 50, 62.5.
        assert_eq!(f["overall"]["n"], 3);
        assert!(close(&f["overall"]["estimate"]["value"], 193.75 / 3.0));
        // CSAT 5, 2, 4: 2 of 3; NPS 9 and 6 only: 0 on 2.
        assert_eq!(f["csat"]["n"], 3);
        assert!(close(&f["csat"]["estimate"]["value"], 200.0 / 3.0));
        assert_eq!(f["nps"]["n"], 2);
        assert!(close(&f["nps"]["estimate"]["value"], 0.0));
    }
    // A branch without responses: nothing to rate.
    let n02 = &a["branches"][1]["figures"];
    assert_eq!(
        (&n02["completed"], &n02["completion"]["n"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(n02["completion"]["estimate"], Value::Null);

    // The exports say the same.
    let (header, rows) = csv(&s, "/api/v1/export/responses.csv").await;
    let row = |n: u32| rows.iter().find(|r| r[0] == id(n)).unwrap();
    assert_eq!(cell(&header, row(1), "partial"), "false");
    assert_eq!(cell(&header, row(2), "partial"), "true");
    assert_eq!(cell(&header, row(1), "fees_worth"), "not_applicable");
    assert_eq!(cell(&header, row(2), "ease"), "", "missing, not skipped");
    assert_eq!(cell(&header, row(1), "value_score"), "");
    let (header, rows) = csv(&s, "/api/v1/export/aggregates.csv?channel=kiosk").await;
    assert_eq!(cell(&header, &rows[0], "completed"), "2");
    assert_eq!(cell(&header, &rows[0], "completion_n"), "3");
    let value: f64 = cell(&header, &rows[0], "completion_value").parse().unwrap();
    assert!((value - 200.0 / 3.0).abs() < 1e-9);
    s.stop().await;
}

#[tokio::test]
async fn only_a_kiosk_sends_a_partial_response_and_never_an_empty_one() {
    let s = TestServer::start().await;
    let empty = lobby(10, "2026-03-02", true, json!({}));
    let mut shop = lobby(
        11,
        "2026-03-02",
        true,
        json!({"greeted_on_arrival": {"type": "yes_no", "value": "yes"}}),
    );
    shop["questionnaire_id"] = json!("branch_visit");
    shop["questionnaire_version"] = json!(3);
    shop["channel"] = json!("mystery_shop");
    // Not partial, a required item missing: refused as ever.
    let short = lobby(
        12,
        "2026-03-02",
        false,
        json!({"overall": {"type": "rating", "value": 4}}),
    );
    // Their senders enrolled first: only the refusals come after the digest.
    s.token_for(&empty).await;
    s.token_for(&shop).await;
    let before = common::digest(&s.database_url).await;
    let (status, reply) = s
        .post_batch(&json!({ "responses": [empty, shop, short] }))
        .await;
    assert_eq!(status, 200, "{reply}");
    let reasons: Vec<&str> = reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["status"], "rejected", "{reply}");
            r["reason"].as_str().unwrap()
        })
        .collect();
    assert!(reasons[0].contains("partial"), "{reasons:?}");
    assert!(reasons[1].contains("partial"), "{reasons:?}");
    assert!(reasons[2].contains("required"), "{reasons:?}");
    assert_eq!(common::digest(&s.database_url).await, before);
    s.stop().await;
}

#[tokio::test]
async fn rollups_from_before_partial_responses_count_as_completed() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = common::fresh_database(dir.path()).await;
    // The database as the previous release left it: migrations up to 0005,
    // four complete responses (3 of 4 CSAT top-two) and a day's and a
    // week's sums of them.
    let responses: Vec<Value> = [5, 4, 5, 2]
        .into_iter()
        .enumerate()
        .map(|(i, overall)| {
            lobby(
                900 + i as u32,
                "2026-03-03",
                false,
                json!({"overall": {"type": "rating", "value": overall}}),
            )
        })
        .collect();
    let columns: Vec<&str> = branchpulse_server::store::rollup::COLUMNS
        .into_iter()
        .filter(|c| *c != "completed" && !c.starts_with("satisfaction"))
        .collect();
    let values: Vec<&str> = columns
        .iter()
        .map(|c| match *c {
            "n" | "csat_n" => "4",
            "csat_top" => "3",
            _ => "0",
        })
        .collect();
    let sums = (columns.join(", "), values.join(", "));
    let daily = format!(
        "INSERT INTO rollups (day, week, branch, questionnaire_id, channel, {}) \
         VALUES ('2026-03-03', '2026-03-02', 'N01', 'lobby', 'kiosk', {})",
        sums.0, sums.1
    );
    let weekly = format!(
        "INSERT INTO rollups_weekly (week, branch, questionnaire_id, channel, {}) \
         VALUES ('2026-03-02', 'N01', 'lobby', 'kiosk', {})",
        sums.0, sums.1
    );
    common::old_database(&database_url, "0006", &responses, &[daily, weekly]).await;

    // The new server migrates it on start.
    let url = database_url.clone();
    let s = TestServer::start_with(move |c| c.database_url = url).await;
    // A whole week (from the weekly table) and one day (from the daily one).
    for query in [
        "from=2026-03-02&to=2026-03-08",
        "from=2026-03-03&to=2026-03-03",
    ] {
        let (status, a) = s.get_json(&format!("/api/v1/aggregates?{query}")).await;
        assert_eq!(status, 200, "{a}");
        let f = &a["network"];
        assert_eq!(
            (&f["n"], &f["completed"]),
            (&json!(4), &json!(4)),
            "{query}: {f}"
        );
        assert!(close(&f["completion"]["estimate"]["value"], 100.0), "{f}");
        assert_eq!(f["csat"]["n"], 4);
        assert!(close(&f["csat"]["estimate"]["value"], 75.0), "{f}");
    }
    s.stop().await;
}
