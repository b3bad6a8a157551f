//! `GET /api/v1/comments?by=score` (issue 19, the monthly report): the
//! latest comments per branch at each overall-satisfaction answer, lowest
//! first, each with its answer; `by=time` (the default) stays the latest
//! per branch. The expected lists are worked out by hand from the
//! responses below.

use crate::common::{execute, kiosk_response, TestServer};
use serde_json::{json, Value};

/// Kiosk responses to "lobby" v2 with a comment: N01's first (oldest) is
/// answered 1, its second 5, its third 2, and its ten latest 4; N02 has
/// one answered 3. Comment texts name the response.
fn responses() -> Vec<Value> {
    let mut list = Vec::new();
    let mut add = |n: usize, branch: &str, minute: usize, overall: u8| {
        let mut r = kiosk_response(&format!("00000000-0000-4000-8000-{n:012}"));
        r["branch"] = json!(branch);
        r["started_at"] = json!(format!("2026-03-01T10:{minute:02}:00Z"));
        r["submitted_at"] = json!(format!("2026-03-01T10:{minute:02}:30Z"));
        r["answers"]["overall"] = json!({"type": "rating", "value": overall});
        r["answers"]["comment"] = json!({"type": "text", "value": format!("c{n}")});
        list.push(r);
    };
    add(0, "N01", 0, 1);
    add(1, "N01", 1, 5);
    add(2, "N01", 2, 2);
    for n in 3..13 {
        add(n, "N01", n, 4);
    }
    add(13, "N02", 20, 3);
    list
}

/// Text and satisfaction of each comment answered.
fn listed(comments: &Value) -> Vec<(String, Value)> {
    comments
        .as_array()
        .unwrap_or_else(|| panic!("a list: {comments}"))
        .iter()
        .map(|c| {
            (
                c["text"].as_str().unwrap().to_owned(),
                c["satisfaction"].clone(),
            )
        })
        .collect()
}

fn expect(list: &[(&str, Option<u8>)]) -> Vec<(String, Value)> {
    list.iter()
        .map(|(t, s)| (t.to_string(), json!(s)))
        .collect()
}

#[tokio::test]
async fn by_score_takes_the_latest_at_each_answer_lowest_first() {
    let server = TestServer::start().await;
    let (status, reply) = server
        .post_batch(&json!({ "responses": responses() }))
        .await;
    assert_eq!(status, 200, "{reply}");
    let get = |q: &'static str| {
        let server = &server;
        async move {
            let (status, body) = server.get_json(&format!("/api/v1/comments?{q}")).await;
            assert_eq!(status, 200, "{q}: {body}");
            listed(&body)
        }
    };
    // By time: only the latest, all answered 4; N02's one.
    assert_eq!(
        get("branches=N01&limit=3").await,
        expect(&[("c12", Some(4)), ("c11", Some(4)), ("c10", Some(4))])
    );
    assert_eq!(
        get("branches=N01&limit=3&by=time").await,
        get("branches=N01&limit=3").await
    );
    // By score: the latest one at each answer, lowest answer first, over
    // both branches.
    assert_eq!(
        get("by=score&limit=1").await,
        expect(&[
            ("c0", Some(1)),
            ("c2", Some(2)),
            ("c13", Some(3)),
            ("c12", Some(4)),
            ("c1", Some(5))
        ])
    );
    // Two at each answer: the 4s newest first.
    assert_eq!(
        get("by=score&limit=2&branches=N01").await,
        expect(&[
            ("c0", Some(1)),
            ("c2", Some(2)),
            ("c12", Some(4)),
            ("c11", Some(4)),
            ("c1", Some(5))
        ])
    );
    // The filter still applies: March 1st's comments of region North's N02 only.
    assert_eq!(
        get("by=score&limit=5&branches=N02&from=2026-03-01&to=2026-03-01").await,
        expect(&[("c13", Some(3))])
    );

    // A comment stored before scores were kept has none: listed last, at
    // most `limit` of them per branch.
    execute(
        &server.database_url,
        &["UPDATE comments SET satisfaction = NULL WHERE text IN ('c12', 'c11')".to_owned()],
    )
    .await;
    assert_eq!(
        get("by=score&limit=1&branches=N01").await,
        expect(&[
            ("c0", Some(1)),
            ("c2", Some(2)),
            ("c10", Some(4)),
            ("c1", Some(5)),
            ("c12", None)
        ])
    );

    // Another order is refused at its parameter, by name.
    let (status, body) = server.get_json("/api/v1/comments?by=newest").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        (body["field"].as_str(), body["code"].as_str()),
        (Some("by"), Some("bad_query")),
        "{body}"
    );
    server.stop().await;
}
