//! The dashboard API over HTTP: aggregates from the rollups kept at ingest,
//! comments, CSV exports, and bad filters. Runs on SQLite, and on PostgreSQL
//! when `BRANCHPULSE_TEST_POSTGRES` is set.

use crate::common;

use branchpulse_server::store::{Record, Store};
use common::TestServer;
use serde_json::{json, Value};
use std::path::Path;

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// A kiosk response to lobby v2: ratings of overall, staff_care (empathy),
/// ease (process), fees_worth (value), confidence (trust); 0 leaves one
/// out. The optional section is skipped, so ease alone is process.
fn kiosk(n: u32, branch: &str, day: &str, ratings: [u8; 5], nps: u8, comment: &str) -> Value {
    let mut answers = serde_json::Map::new();
    for (item, r) in ["overall", "staff_care", "ease", "fees_worth", "confidence"]
        .iter()
        .zip(ratings)
    {
        if r > 0 {
            answers.insert((*item).into(), json!({"type": "rating", "value": r}));
        }
    }
    answers.insert("recommend".into(), json!({"type": "nps", "value": nps}));
    if !comment.is_empty() {
        answers.insert("comment".into(), json!({"type": "text", "value": comment}));
    }
    json!({
        "id": id(n), "questionnaire_id": "lobby", "questionnaire_version": 2,
        "branch": branch, "device_id": "tablet-1", "channel": "kiosk", "locale": "zh-CN",
        "started_at": format!("{day}T09:30:00+08:00"),
        "submitted_at": format!("{day}T09:31:00+08:00"),
        "answers": answers,
    })
}

/// A complete mystery-shop visit: every item "yes" (phone items hidden by
/// "phone_answered": "no"), except `privacy` for privacy_respected.
fn visit(n: u32, branch: &str, day: &str, wait: u32, privacy: &str) -> Value {
    let q: Value =
        serde_json::from_str(include_str!("../../../../questionnaires/mystery_shop.json")).unwrap();
    let mut answers = serde_json::Map::new();
    for section in q["sections"].as_array().unwrap() {
        for item in section["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            if item.get("show_if").is_some() {
                continue;
            }
            let answer = match item["type"].as_str().unwrap() {
                "yes_no" if id == "privacy_respected" => {
                    json!({"type": "yes_no", "value": privacy})
                }
                "yes_no" if id == "phone_answered" => json!({"type": "yes_no", "value": "no"}),
                "yes_no" => json!({"type": "yes_no", "value": "yes"}),
                "seconds" => json!({"type": "seconds", "value": wait}),
                "choice" => json!({"type": "choice", "value": item["options"][0]["id"]}),
                "text" => continue,
                other => panic!("no answer for a {other} item"),
            };
            answers.insert(id.into(), answer);
        }
    }
    json!({
        "id": id(n), "questionnaire_id": "branch_visit", "questionnaire_version": 2,
        "branch": branch, "device_id": "phone-1", "channel": "mystery_shop", "locale": "en",
        "started_at": format!("{day}T10:00:00Z"),
        "submitted_at": format!("{day}T10:40:00Z"),
        "answers": answers,
        "comments": {"waiting": "等了很久 <script>alert(1)</script>"},
    })
}

/// The small data set the hand-computed values below are for.
fn seeded() -> Vec<Value> {
    vec![
        // N01, week of 2026-03-02: overall scores 81.25, 37.5, 56.25.
        kiosk(1, "N01", "2026-03-02", [5, 5, 4, 3, 5], 10, "服务很好"),
        kiosk(2, "N01", "2026-03-03", [3, 3, 2, 1, 4], 6, "排队太久了"),
        kiosk(3, "N01", "2026-03-04", [4, 4, 3, 3, 3], 8, ""),
        // N02, the next week: overall 100.
        kiosk(4, "N02", "2026-03-10", [5, 5, 5, 5, 5], 9, "Great"),
        // S01 visits: one failed on privacy; waits 120 and 900 seconds.
        visit(5, "S01", "2026-03-05", 120, "yes"),
        visit(6, "S01", "2026-03-06", 900, "no"),
    ]
}

async fn post_all(s: &TestServer, responses: &[Value]) -> Value {
    let (status, reply) = s.post_batch(&json!({ "responses": responses })).await;
    assert_eq!(status, 200, "{reply}");
    // Mystery-shop reports count once approved.
    s.approve_all().await;
    reply
}

fn statuses(reply: &Value) -> Vec<String> {
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

fn branch<'a>(a: &'a Value, code: &str) -> &'a Value {
    a["branches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == code)
        .unwrap_or_else(|| panic!("no branch {code} in {a}"))
}

fn close(v: &Value, expected: f64) -> bool {
    (v.as_f64().unwrap_or(f64::NAN) - expected).abs() < 1e-6
}

#[tokio::test]
async fn aggregates_equal_hand_computed_values() {
    let s = TestServer::start().await;
    let reply = post_all(&s, &seeded()).await;
    assert!(statuses(&reply).iter().all(|s| s == "accepted"), "{reply}");

    let (status, a) = s
        .get_json("/api/v1/aggregates?from=2026-03-01&to=2026-03-15")
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["network"]["n"], 6);
    assert_eq!(a["network"]["too_few"], true);

    let n01 = &branch(&a, "N01")["figures"];
    assert_eq!(n01["n"], 3);
    assert_eq!(n01["too_few"], true);
    // Overall: 81.25, 37.5, 56.25 → 58.3333 ± t(0.975, 2)·s/√3 → [3.8083, 100].
    let o = &n01["overall"]["estimate"];
    assert!(close(&o["value"], 58.333333333), "{o}");
    assert!(close(&o["low"], 3.808302487), "{o}");
    assert!(close(&o["high"], 100.0), "{o}");
    assert_eq!(n01["overall"]["n"], 3);
    assert!(
        n01["overall"].get("comparison").is_none(),
        "too few: not compared"
    );
    // Empathy 100, 50, 75 → 75, low 12.8966.
    let e = &n01["dimensions"]["empathy"]["estimate"];
    assert!(
        close(&e["value"], 75.0) && close(&e["low"], 12.896557204),
        "{e}"
    );
    // CSAT 2 of 3: Wilson [20.766, 93.851] in percent.
    let c = &n01["csat"]["estimate"];
    assert!(close(&c["value"], 66.666666667), "{c}");
    assert!(
        close(&c["low"], 20.765959881) && close(&c["high"], 93.850805598),
        "{c}"
    );
    // NPS: one each of promoter, passive, detractor → 0 ± 61.1126.
    let nps = &n01["nps"]["estimate"];
    assert!(
        close(&nps["value"], 0.0) && close(&nps["high"], 61.112614820),
        "{nps}"
    );
    // Network CSAT: 3 of 4; network NPS: 2 promoters, 1 passive, 1 detractor → 25.
    assert!(close(&a["network"]["csat"]["estimate"]["value"], 75.0));
    assert!(close(&a["network"]["nps"]["estimate"]["value"], 25.0));
    assert_eq!(a["network"]["nps"]["n"], 4);

    let s01 = &branch(&a, "S01")["figures"];
    assert_eq!(s01["mystery"]["visits"], 2);
    // 1 pass of 2: Wilson [9.4531, 90.5469].
    let p = &s01["mystery"]["pass_rate"]["estimate"];
    assert!(
        close(&p["value"], 50.0) && close(&p["low"], 9.453120464),
        "{p}"
    );
    assert_eq!(
        s01["mystery"]["critical_failures"],
        json!([{"item": "privacy_respected", "count": 1, "n": 2}])
    );
    // Waits 120 and 900: median 510, p90 = 120 + 0.9·780 = 822.
    assert!(close(&s01["wait"]["median"], 510.0));
    assert!(close(&s01["wait"]["p90"], 822.0));
    assert_eq!(s01["wait"]["histogram"][2]["count"], 1, "120 s: 2–3 min");
    assert_eq!(s01["wait"]["histogram"][6]["count"], 1, "900 s: 15–20 min");
    // Kiosk figures of a mystery-shop-only branch are empty, with n = 0.
    assert_eq!(s01["csat"]["n"], 0);
    assert_eq!(s01["csat"]["estimate"], Value::Null);

    // The trend: ISO weeks 9 (from 2026-03-01, a Sunday) to 11, on every branch.
    let weeks: Vec<&str> = a["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["week"].as_str().unwrap())
        .collect();
    assert_eq!(weeks, ["2026-W09", "2026-W10", "2026-W11"]);
    assert_eq!(a["trend"][1]["n"], 5);
    assert_eq!(a["trend"][2]["n"], 1);
    let n02_trend = &branch(&a, "N02")["trend"];
    assert_eq!(n02_trend[1]["n"], 0);
    assert_eq!(
        n02_trend[2]["dimensions"]["trust"],
        json!({"n": 1, "mean": 100.0})
    );
    // Every branch of the list, even without responses.
    assert_eq!(a["branches"].as_array().unwrap().len(), 12);
    assert_eq!(branch(&a, "S06")["figures"]["n"], 0);
    s.stop().await;
}

#[tokio::test]
async fn a_resend_does_not_count_twice() {
    let s = TestServer::start().await;
    post_all(&s, &seeded()).await;
    let (_, before) = s.get_json("/api/v1/aggregates").await;
    let (_, comments_before) = s.get_json("/api/v1/comments").await;

    // The same batch again: all duplicates.
    let reply = post_all(&s, &seeded()).await;
    assert!(statuses(&reply).iter().all(|s| s == "duplicate"), "{reply}");
    // A different response under a stored id: rejected, the stored one kept.
    let mut changed = seeded()[0].clone();
    changed["answers"]["overall"]["value"] = json!(1);
    let reply = post_all(&s, &[changed]).await;
    assert_eq!(statuses(&reply), ["rejected"]);
    // Twice in one batch: counted once.
    let twice = kiosk(50, "N02", "2026-03-11", [2, 2, 2, 2, 2], 3, "");
    let reply = post_all(&s, &[twice.clone(), twice]).await;
    assert_eq!(statuses(&reply), ["accepted", "duplicate"]);

    let (_, after) = s.get_json("/api/v1/aggregates").await;
    assert_eq!(after["network"]["n"], 7);
    assert_eq!(branch(&after, "N01"), branch(&before, "N01"));
    assert_eq!(branch(&after, "S01"), branch(&before, "S01"));
    assert_eq!(branch(&after, "N02")["figures"]["n"], 2);
    let (_, comments_after) = s.get_json("/api/v1/comments").await;
    assert_eq!(comments_after, comments_before);
    s.stop().await;
}

#[tokio::test]
async fn filters_change_the_results() {
    let s = TestServer::start().await;
    post_all(&s, &seeded()).await;
    let n = |a: &Value| a["network"]["n"].as_u64().unwrap();
    let get = |q: &'static str| {
        let s = &s;
        async move {
            let (status, a) = s.get_json(&format!("/api/v1/aggregates?{q}")).await;
            assert_eq!(status, 200, "{q}: {a}");
            a
        }
    };
    assert_eq!(n(&get("").await), 6);
    assert_eq!(n(&get("channel=kiosk").await), 4);
    assert_eq!(n(&get("channel=mystery_shop").await), 2);
    assert_eq!(n(&get("questionnaire=branch_visit").await), 2);
    assert_eq!(n(&get("from=2026-03-05").await), 3);
    assert_eq!(n(&get("to=2026-03-03").await), 2);
    assert_eq!(n(&get("from=2026-03-04&to=2026-03-04").await), 1);
    // Whole weeks (Monday to Sunday) and the days of partly covered ones.
    assert_eq!(n(&get("from=2026-03-02&to=2026-03-08").await), 5);
    assert_eq!(n(&get("from=2026-03-02&to=2026-03-10").await), 6);
    assert_eq!(n(&get("from=2026-03-03&to=2026-03-10").await), 5);
    assert_eq!(n(&get("from=2026-03-09").await), 1);
    assert_eq!(n(&get("to=2026-03-08").await), 5);
    let week = get("from=2026-03-02&to=2026-03-08&channel=mystery_shop").await;
    assert_eq!(week["network"]["mystery"]["visits"], 2);
    assert_eq!(week["network"]["wait"]["n"], 2);
    // Region and branches choose the branches listed; the network stays whole.
    let listed = |a: &Value| -> u64 {
        a["branches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["figures"]["n"].as_u64().unwrap())
            .sum()
    };
    let north = get("region=North").await;
    assert_eq!(n(&north), 6);
    assert_eq!(listed(&north), 4);
    assert_eq!(north["branches"].as_array().unwrap().len(), 6);
    let two = get("branches=N02,S01").await;
    assert_eq!(n(&two), 6);
    assert_eq!(listed(&two), 3);
    let codes: Vec<&str> = two["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["N02", "S01"]);
    assert_eq!(two["filter"], json!({"branches": "N02,S01"}));
    // The same filter percent-encoded, as a browser's URLSearchParams sends it.
    assert_eq!(get("branches=N02%2CS01").await, two);
    // Comments follow the filter too.
    let (_, c) = s.get_json("/api/v1/comments?branches=N02").await;
    let texts: Vec<&str> = c
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Great"]);
    s.stop().await;
}

#[tokio::test]
async fn bad_filters_are_refused_with_a_reason() {
    let s = TestServer::start().await;
    for (query, words) in [
        ("channel=web", "kiosk or mystery_shop"),
        ("from=2026-13-01", "from: \"2026-13-01\" is not a date"),
        ("to=tomorrow", "YYYY-MM-DD"),
        ("from=2026-03-02&to=2026-03-01", "is after to"),
        ("region=West", "region \"West\""),
        ("branches=N01,X9", "unknown branch code \"X9\""),
        ("questionnaire=nope", "unknown questionnaire \"nope\""),
    ] {
        for path in [
            "/api/v1/aggregates",
            "/api/v1/comments",
            "/api/v1/export/responses.csv",
            "/api/v1/export/aggregates.csv",
        ] {
            let (status, body) = s.get_json(&format!("{path}?{query}")).await;
            assert_eq!(status, 400, "{path}?{query}: {body}");
            let msg = body["error"].as_str().unwrap();
            assert!(msg.contains(words), "{path}?{query}: {msg}");
        }
    }
    let (status, body) = s.get_json("/api/v1/comments?limit=0").await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("limit"), "{body}");
    s.stop().await;
}

#[tokio::test]
async fn thirty_responses_are_enough_to_compare() {
    let s = TestServer::start().await;
    // N01: 30 responses rating empathy 5; N02: 30 rating it 1 → network 50.
    let mut batch = Vec::new();
    for i in 0..30 {
        batch.push(kiosk(100 + i, "N01", "2026-03-02", [5, 5, 5, 5, 5], 10, ""));
        batch.push(kiosk(200 + i, "N02", "2026-03-02", [4, 1, 5, 5, 5], 10, ""));
    }
    batch.push(kiosk(300, "S01", "2026-03-02", [1, 3, 1, 1, 1], 0, ""));
    post_all(&s, &batch).await;
    let (_, a) = s.get_json("/api/v1/aggregates").await;
    let emp = |code: &str| branch(&a, code)["figures"]["dimensions"]["empathy"].clone();
    assert_eq!(emp("N01")["too_few"], false);
    assert_eq!(emp("N01")["comparison"], "better");
    assert_eq!(emp("N02")["comparison"], "worse");
    assert_eq!(emp("S01")["too_few"], true);
    assert!(emp("S01").get("comparison").is_none());
    assert_eq!(branch(&a, "N01")["figures"]["too_few"], false);
    // Trust is 100 on N01 and N02 alike, 0 on S01: network 98.36; N01's interval
    // [100, 100] excludes it. Value the same. An exact tie is "indistinguishable".
    assert_eq!(
        branch(&a, "N01")["figures"]["dimensions"]["value"]["comparison"],
        "better"
    );
    s.stop().await;
}

/// Parse a CSV body: BOM first, then a header row and records.
fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "starts with a BOM"
    );
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

async fn get_csv(s: &TestServer, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let resp = s.get(path).await.send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = resp.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename="),
        "{disposition}"
    );
    parse_csv(&resp.bytes().await.unwrap())
}

fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    &row[i]
}

#[tokio::test]
async fn csv_exports_round_trip() {
    let s = TestServer::start().await;
    post_all(&s, &seeded()).await;

    let (header, rows) = get_csv(&s, "/api/v1/export/aggregates.csv?region=North").await;
    assert_eq!(
        rows.len(),
        2 * (1 + 6),
        "per channel, never mixed: the network, then each North branch"
    );
    for (channel, rows) in ["kiosk", "mystery_shop"].into_iter().zip(rows.chunks(7)) {
        let (_, a) = s
            .get_json(&format!(
                "/api/v1/aggregates?region=North&channel={channel}"
            ))
            .await;
        assert_eq!(cell(&header, &rows[0], "scope"), "network");
        for row in rows {
            assert_eq!(cell(&header, row, "channel"), channel);
        }
        for (row, json) in rows[1..].iter().zip(a["branches"].as_array().unwrap()) {
            assert_eq!(cell(&header, row, "code"), json["code"]);
            assert_eq!(cell(&header, row, "name"), json["name"]);
            let f = &json["figures"];
            assert_eq!(cell(&header, row, "n"), f["n"].to_string());
            for (column, value) in [
                ("overall_value", &f["overall"]["estimate"]["value"]),
                ("overall_low", &f["overall"]["estimate"]["low"]),
                (
                    "empathy_high",
                    &f["dimensions"]["empathy"]["estimate"]["high"],
                ),
                ("csat_low", &f["csat"]["estimate"]["low"]),
                ("nps_value", &f["nps"]["estimate"]["value"]),
                (
                    "satisfaction_value",
                    &f["satisfaction"]["estimate"]["value"],
                ),
            ] {
                let text = cell(&header, row, column);
                // serde_json reads floats to within an ulp, not exactly.
                match value.as_f64() {
                    Some(v) => assert!(
                        (text.parse::<f64>().unwrap() - v).abs() <= 1e-12 * v.abs().max(1.0),
                        "{column}: {text} vs {v}"
                    ),
                    None => assert_eq!(text, "", "{column}"),
                }
            }
            assert_eq!(cell(&header, row, "too_few"), f["too_few"].to_string());
        }
        let net = &rows[0];
        assert_eq!(cell(&header, net, "n"), a["network"]["n"].to_string());
    }
    // The kiosk's network: 4 responses, CSAT 3 of 4; the shop's: 2 visits.
    assert_eq!(cell(&header, &rows[0], "n"), "4");
    assert_eq!(cell(&header, &rows[0], "csat_value"), "75");
    assert_eq!(cell(&header, &rows[7], "n"), "2");
    assert_eq!(cell(&header, &rows[7], "csat_n"), "0");

    let (header, rows) = get_csv(&s, "/api/v1/export/responses.csv?channel=kiosk").await;
    assert_eq!(rows.len(), 4);
    let by_id = |n: u32| {
        rows.iter()
            .find(|r| cell(&header, r, "response_id") == id(n))
            .unwrap()
    };
    assert_eq!(cell(&header, by_id(2), "comment"), "排队太久了");
    assert_eq!(cell(&header, by_id(2), "overall"), "3");
    assert_eq!(cell(&header, by_id(2), "recommend"), "6");
    assert_eq!(cell(&header, by_id(1), "overall_score"), "81.25");
    assert_eq!(cell(&header, by_id(1), "branch_name"), "Harbour Square");
    assert_eq!(
        cell(&header, by_id(1), "submitted_at"),
        "2026-03-02T09:31:00+08:00"
    );
    assert!(
        !header.contains(&"wait_seconds".to_owned()),
        "kiosk items only"
    );

    let (header, rows) = get_csv(
        &s,
        "/api/v1/export/responses.csv?channel=mystery_shop&branches=S01",
    )
    .await;
    assert_eq!(rows.len(), 2);
    let failed = rows
        .iter()
        .find(|r| cell(&header, r, "passed") == "false")
        .unwrap();
    assert_eq!(
        cell(&header, failed, "critical_failures"),
        "privacy_respected"
    );
    assert_eq!(cell(&header, failed, "wait_seconds"), "900");
    assert_eq!(
        cell(&header, failed, "comments"),
        "waiting: 等了很久 <script>alert(1)</script>"
    );
    // A filter that keeps nothing: the header alone.
    let (header, rows) = get_csv(&s, "/api/v1/export/responses.csv?from=2027-01-01").await;
    assert!(rows.is_empty());
    assert_eq!(header[0], "response_id");
    s.stop().await;
}

#[tokio::test]
async fn the_responses_export_pages_through_many_responses() {
    let s = TestServer::start().await;
    // More than one page (1000) of responses, over several days.
    for chunk in (0..2300u32).collect::<Vec<_>>().chunks(500) {
        let batch: Vec<Value> = chunk
            .iter()
            .map(|&i| {
                let day = format!("2026-02-{:02}", 1 + i % 28);
                kiosk(10_000 + i, "N03", &day, [4, 4, 4, 4, 4], 9, "")
            })
            .collect();
        post_all(&s, &batch).await;
    }
    let (header, rows) = get_csv(&s, "/api/v1/export/responses.csv").await;
    assert_eq!(rows.len(), 2300);
    // Compressed on the way, as browsers ask: the stream ends cleanly.
    let resp = s
        .get("/api/v1/export/responses.csv")
        .await
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let body = resp
        .bytes()
        .await
        .expect("the whole compressed export arrives");
    assert!(body.len() > 1000);
    let mut ids: Vec<&str> = rows
        .iter()
        .map(|r| cell(&header, r, "response_id"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2300, "each response once");
    let (_, rows) = get_csv(
        &s,
        "/api/v1/export/responses.csv?from=2026-02-01&to=2026-02-01",
    )
    .await;
    assert_eq!(rows.len(), 2300usize.div_ceil(28));
    s.stop().await;
}

#[tokio::test]
async fn comments_are_latest_first_searchable_and_limited() {
    let s = TestServer::start().await;
    post_all(&s, &seeded()).await;
    let (status, c) = s.get_json("/api/v1/comments").await;
    assert_eq!(status, 200, "{c}");
    let list = c.as_array().unwrap();
    assert_eq!(list.len(), 5, "{c}");
    assert_eq!(list[0]["text"], "Great", "newest first");
    assert_eq!(list[0]["branch"], "N02");
    assert_eq!(list[0]["item"], "comment");
    assert_eq!(list[0]["response_id"], id(4));

    let (_, found) = s
        .get_json("/api/v1/comments?q=%E6%8E%92%E9%98%9F") // 排队
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["text"], "排队太久了");
    let (_, found) = s.get_json("/api/v1/comments?q=GREAT").await;
    assert_eq!(found.as_array().unwrap().len(), 1, "case-insensitive");
    let (_, found) = s.get_json("/api/v1/comments?q=%25").await;
    assert_eq!(
        found.as_array().unwrap().len(),
        0,
        "% is searched literally"
    );
    let (_, limited) = s.get_json("/api/v1/comments?limit=1").await;
    let branches: Vec<&str> = limited
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["branch"].as_str().unwrap())
        .collect();
    assert_eq!(
        branches,
        ["N02", "S01", "N01"],
        "one per branch, newest first"
    );
    assert_eq!(limited[2]["text"], "排队太久了", "N01's latest");
    s.stop().await;
}

/// A questionnaires folder like the real one, with branches of hostile names.
fn hostile_catalog(dir: &Path) -> std::path::PathBuf {
    let folder = dir.join("catalog");
    std::fs::create_dir_all(&folder).unwrap();
    let real = common::questionnaires_dir();
    for file in ["kiosk.json", "mystery_shop.json"] {
        std::fs::copy(real.join(file), folder.join(file)).unwrap();
    }
    let branches = json!([
        {"code": "X1", "name": "<img src=x onerror=alert(1)>", "region": "<b>North</b>", "active": true},
        {"code": "X2", "name": "=HYPERLINK(\"http://x\")", "region": "South", "active": true}
    ]);
    std::fs::write(folder.join("branches.json"), branches.to_string()).unwrap();
    folder
}

#[tokio::test]
async fn markup_in_names_and_comments_comes_back_as_plain_data() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = hostile_catalog(dir.path());
    let s = TestServer::start_with(|c| c.questionnaires = catalog).await;
    let script = "<script>alert(\"x\")</script> & 排队";
    post_all(
        &s,
        &[
            kiosk(1, "X1", "2026-03-02", [5, 5, 5, 5, 5], 10, script),
            kiosk(2, "X2", "2026-03-02", [4, 4, 4, 4, 4], 9, "-1+1"),
        ],
    )
    .await;

    let resp = s
        .get("/api/v1/aggregates?region=%3Cb%3ENorth%3C%2Fb%3E")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    let a: Value = resp.json().await.unwrap();
    assert_eq!(a["branches"][0]["name"], "<img src=x onerror=alert(1)>");
    assert_eq!(a["branches"][0]["region"], "<b>North</b>");
    assert_eq!(a["filter"]["region"], "<b>North</b>");

    let (_, c) = s.get_json("/api/v1/comments?branches=X1").await;
    assert_eq!(c[0]["text"], script);

    let (header, rows) = get_csv(&s, "/api/v1/export/aggregates.csv").await;
    let x1 = rows
        .iter()
        .find(|r| cell(&header, r, "code") == "X1")
        .unwrap();
    assert_eq!(cell(&header, x1, "name"), "<img src=x onerror=alert(1)>");
    let x2 = rows
        .iter()
        .find(|r| cell(&header, r, "code") == "X2")
        .unwrap();
    assert_eq!(
        cell(&header, x2, "name"),
        "'=HYPERLINK(\"http://x\")",
        "a formula is not run by the spreadsheet"
    );
    let (header, rows) = get_csv(&s, "/api/v1/export/responses.csv").await;
    let r1 = rows
        .iter()
        .find(|r| cell(&header, r, "branch") == "X1")
        .unwrap();
    assert_eq!(cell(&header, r1, "comment"), script);
    assert_eq!(
        cell(&header, r1, "branch_name"),
        "<img src=x onerror=alert(1)>"
    );
    let r2 = rows
        .iter()
        .find(|r| cell(&header, r, "branch") == "X2")
        .unwrap();
    assert_eq!(cell(&header, r2, "comment"), "'-1+1");
    s.stop().await;
}

#[tokio::test]
async fn responses_stored_before_the_rollups_are_added_at_start() {
    // Rows written without their facts (as before migration 0003, or by the
    // SQLite → PostgreSQL copy) are rolled up when a server starts.
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database(dir.path()).await;
    let store = Store::connect(&url).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let records: Vec<Record> = seeded()
        .iter()
        .map(|v| Record::new(&serde_json::from_value(v.clone()).unwrap(), now))
        .collect();
    store.save(&records).await.unwrap();
    store.close().await;

    let s = TestServer::start_with(|c| c.database_url = url.clone()).await;
    let (_, a) = s.get_json("/api/v1/aggregates").await;
    assert_eq!(a["network"]["n"], 6);
    assert!(close(
        &branch(&a, "N01")["figures"]["overall"]["estimate"]["value"],
        58.333333333
    ));
    let (_, c) = s.get_json("/api/v1/comments").await;
    assert_eq!(c.as_array().unwrap().len(), 5);
    s.stop().await;
    // A second start adds nothing more.
    let s = TestServer::start_with(|c| c.database_url = url).await;
    let (_, again) = s.get_json("/api/v1/aggregates").await;
    assert_eq!(again, a);
    s.stop().await;
}

/// Every float rounded to 6 decimals: a database may add sums in another order.
fn rounded(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => json!((n.as_f64().unwrap() * 1e6).round() / 1e6),
        Value::Array(a) => Value::Array(a.into_iter().map(rounded).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, rounded(v))).collect()),
        other => other,
    }
}

#[tokio::test]
async fn the_server_and_the_device_compute_the_same_figures_for_any_date_range() {
    use branchpulse_core::aggregate::{aggregate_responses, Filter};
    use branchpulse_core::{questionnaire, Response};
    let s = TestServer::start().await;
    // Five weeks of responses on four branches, kiosk and visits.
    let mut batch = Vec::new();
    for i in 0..300u32 {
        let day = format!("2026-03-{:02}", 1 + i % 31);
        let branch = ["N01", "N02", "S01", "S02"][(i % 4) as usize];
        let r = |k: u32| 1 + ((i * 7 + k * 3) % 5) as u8;
        batch.push(if i % 10 == 0 {
            visit(
                1000 + i,
                branch,
                &day,
                30 * (i % 40),
                ["yes", "no"][(i % 3 == 0) as usize],
            )
        } else {
            kiosk(
                1000 + i,
                branch,
                &day,
                [r(0), r(1), r(2), r(3), r(4)],
                (i % 11) as u8,
                "",
            )
        });
    }
    for chunk in batch.chunks(150) {
        post_all(&s, chunk).await;
    }
    let responses: Vec<Response> = batch
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let dir = common::questionnaires_dir();
    let load =
        |f: &str| questionnaire::load(f, &std::fs::read_to_string(dir.join(f)).unwrap()).unwrap();
    let (k, m) = (load("kiosk.json"), load("mystery_shop.json"));
    let defs = branchpulse_core::scorecard::Definitions::of([&k, &m]);
    let branches: Vec<branchpulse_core::protocol::Branch> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("branches.json")).unwrap()).unwrap();
    for query in [
        "",
        "from=2026-03-02",
        "to=2026-03-22",
        "from=2026-03-02&to=2026-03-29",
        "from=2026-03-04&to=2026-03-26",
        "from=2026-03-10&to=2026-03-12",
        "from=2026-03-01&to=2026-03-01",
        "from=2026-03-03&to=2026-03-16&channel=mystery_shop",
        "from=2026-03-05&region=South&channel=kiosk",
    ] {
        let filter = Filter::from_query(query).unwrap();
        let local = aggregate_responses(&filter, &branches, &defs, &responses, |id, _| {
            Some(if id == "lobby" { &k } else { &m })
        });
        let (status, remote) = s.get_json(&format!("/api/v1/aggregates?{query}")).await;
        assert_eq!(status, 200, "{remote}");
        assert_eq!(
            rounded(remote),
            rounded(serde_json::to_value(&local).unwrap()),
            "?{query}"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn bad_filters_name_their_problem_and_parameter() {
    let s = TestServer::start().await;
    for (query, code, field) in [
        ("channel=web", "bad_channel", "channel"),
        ("from=2026-13-01", "bad_date", "from"),
        ("to=9999-12-31", "date_out_of_range", "to"),
        ("from=2026-03-02&to=2026-03-01", "empty_date_range", "from"),
        ("region=West", "unknown_region", "region"),
        ("branches=N01,X9", "unknown_branch", "branches"),
        (
            "questionnaire=nope",
            "unknown_questionnaire",
            "questionnaire",
        ),
    ] {
        for path in ["/api/v1/aggregates", "/api/v1/comments"] {
            let (status, body) = s.get_json(&format!("{path}?{query}")).await;
            assert_eq!(status, 400, "{path}?{query}: {body}");
            assert_eq!(
                (body["code"].as_str(), body["field"].as_str()),
                (Some(code), Some(field)),
                "{path}?{query}: {body}"
            );
        }
    }
    for (query, code) in [
        ("limit=0", "bad_limit"),
        ("q=queue%00", "control_characters"),
    ] {
        let (status, body) = s.get_json(&format!("/api/v1/comments?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["code"], code, "{query}: {body}");
    }
    s.stop().await;
}
