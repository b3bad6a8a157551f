//! Two servers on one database receive the same batches at the same time:
//! every response is stored exactly once, and for each one exactly one
//! server answers "accepted" and the other "duplicate". With
//! `BRANCHPULSE_TEST_POSTGRES` set this is two replicas on one PostgreSQL.

use crate::common;

use common::{kiosk_response, TestServer};
use serde_json::{json, Value};
use std::collections::HashMap;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_store_each_response_once() {
    let a = TestServer::start().await;
    let shared = a.database_url.clone();
    let b = TestServer::start_with(|c| c.database_url = shared).await;

    let ids: Vec<String> = (0..1000)
        .map(|n| format!("00000000-0000-4000-8000-{n:012}"))
        .collect();
    let batches: Vec<Value> = ids
        .chunks(200)
        .map(|chunk| json!({"responses": chunk.iter().map(|id| kiosk_response(id)).collect::<Vec<_>>()}))
        .collect();

    // Both servers get the same batches in the same order at the same time.
    let (from_a, from_b) = tokio::join!(send_all(&a, &batches), send_all(&b, &batches));

    let mut accepted: HashMap<String, u32> = HashMap::new();
    for (status, reply) in from_a.into_iter().chain(from_b) {
        assert_eq!(status, 200, "{reply}");
        for r in reply["results"].as_array().unwrap() {
            let id = r["id"].as_str().unwrap().to_owned();
            match r["status"].as_str().unwrap() {
                "accepted" => *accepted.entry(id).or_default() += 1,
                "duplicate" => {
                    accepted.entry(id).or_default();
                }
                other => panic!("{id}: {other}: {r}"),
            }
        }
    }
    assert_eq!(accepted.len(), ids.len());
    assert!(
        accepted.values().all(|&n| n == 1),
        "each id accepted exactly once"
    );
    let stored: Vec<String> = a.stored().await.into_iter().map(|r| r.0).collect();
    assert_eq!(stored, ids, "each response stored once");

    // The dashboard rollups, grown in the same transactions, count each once:
    // every response is the same (overall score 75, CSAT top box, a promoter).
    for server in [&a, &b] {
        let (status, agg) = server.get_json("/api/v1/aggregates").await;
        assert_eq!(status, 200, "{agg}");
        let net = &agg["network"];
        assert_eq!(net["n"], 1000);
        assert_eq!(net["overall"]["n"], 1000);
        assert_eq!(net["overall"]["estimate"]["value"], 75.0);
        assert_eq!(net["csat"]["n"], 1000);
        assert_eq!(net["csat"]["estimate"]["value"], 100.0);
        assert_eq!(net["nps"]["n"], 1000);
        assert_eq!(net["nps"]["estimate"]["value"], 100.0);
        let (_, comments) = server.get_json("/api/v1/comments?limit=200").await;
        assert_eq!(comments.as_array().unwrap().len(), 200);
        let mut ids: Vec<&str> = comments
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["response_id"].as_str().unwrap())
            .collect();
        ids.dedup();
        assert_eq!(ids.len(), 200, "each comment stored once");
    }
    a.stop().await;
    b.stop().await;
}

async fn send_all(server: &TestServer, batches: &[Value]) -> Vec<(u16, Value)> {
    let mut replies = Vec::with_capacity(batches.len());
    for batch in batches {
        replies.push(server.post_batch(batch).await);
    }
    replies
}

/// Two servers on one database receive different responses that add to the
/// same dashboard rollup rows, in opposite orders: every response is
/// accepted (no deadlock between the two servers' transactions) and the
/// rollups count each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_batches_add_to_shared_rollups_without_deadlock() {
    let a = TestServer::start().await;
    let shared = a.database_url.clone();
    let b = TestServer::start_with(|c| c.database_url = shared).await;
    let response = |n: usize| {
        let mut r = kiosk_response(&format!("00000000-0000-4000-8000-{n:012}"));
        r["branch"] = json!(["N01", "N02", "S01", "S02"][n % 4]);
        let day = 1 + n % 5;
        r["started_at"] = json!(format!("2026-03-0{day}T09:30:00Z"));
        r["submitted_at"] = json!(format!("2026-03-0{day}T09:31:00Z"));
        r
    };
    let batches = |range: std::ops::Range<usize>, reverse: bool| -> Vec<Value> {
        let mut all: Vec<Value> = range.map(response).collect();
        if reverse {
            all.reverse();
        }
        all.chunks(100).map(|c| json!({ "responses": c })).collect()
    };
    let (to_a, to_b) = (batches(0..1000, false), batches(1000..2000, true));
    let (from_a, from_b) = tokio::join!(send_all(&a, &to_a), send_all(&b, &to_b));
    for (status, reply) in from_a.into_iter().chain(from_b) {
        assert_eq!(status, 200, "{reply}");
        for r in reply["results"].as_array().unwrap() {
            assert_eq!(r["status"], "accepted", "{r}");
        }
    }
    let (_, agg) = a.get_json("/api/v1/aggregates").await;
    assert_eq!(agg["network"]["n"], 2000);
    for code in ["N01", "N02", "S01", "S02"] {
        let branch = agg["branches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == code)
            .unwrap();
        assert_eq!(branch["figures"]["n"], 500, "{code}");
    }
    a.stop().await;
    b.stop().await;
}

/// Two servers on one database receive the same responses at the same
/// time, one in the batch's order and the other in reverse, round after
/// round (a tablet's resend reaching the other replica while the first
/// is still storing). Rows are locked in one order whatever the batch's,
/// so the second waits for the first instead of deadlocking: no 503 to
/// retry, no "deadlock" in any answer, and each response stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_batches_in_opposite_orders_wait_instead_of_deadlocking() {
    let a = TestServer::start().await;
    let shared = a.database_url.clone();
    let b = TestServer::start_with(|c| c.database_url = shared).await;
    // Enrol both servers' kiosks before the rounds, so that they race only
    // in storing.
    let warm = json!({"responses": [kiosk_response("00000000-0000-4000-8000-000000000000")]});
    assert_eq!(a.post_batch(&warm).await.0, 200);
    assert_eq!(b.post_batch(&warm).await.0, 200);

    const ROUNDS: usize = 8;
    const PER_ROUND: usize = 150;
    let mut unavailable = 0;
    let mut deadlocks = 0;
    let mut accepted: HashMap<String, u32> = HashMap::new();
    let mut ids: Vec<String> = Vec::new();
    for round in 0..ROUNDS {
        let batch: Vec<Value> = (0..PER_ROUND)
            .map(|n| {
                let id = format!("00000000-0000-4000-8000-{:06}{n:06}", round + 1);
                ids.push(id.clone());
                kiosk_response(&id)
            })
            .collect();
        let mut reversed = batch.clone();
        reversed.reverse();
        let (to_a, to_b) = (
            json!({ "responses": batch }),
            json!({ "responses": reversed }),
        );
        let (from_a, from_b) = tokio::join!(a.post_batch(&to_a), b.post_batch(&to_b));
        for ((status, reply), sent) in [(from_a, &to_a), (from_b, &to_b)] {
            if reply.to_string().to_lowercase().contains("deadlock") {
                deadlocks += 1;
            }
            if status == 503 {
                unavailable += 1;
                continue;
            }
            assert_eq!(status, 200, "round {round}: {reply}");
            // Stored in id order, answered in the batch's.
            let order = |v: &Value, key: &str| -> Vec<Value> {
                v[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].clone())
                    .collect()
            };
            assert_eq!(order(&reply, "results"), order(sent, "responses"));
            for r in reply["results"].as_array().unwrap() {
                let id = r["id"].as_str().unwrap().to_owned();
                match r["status"].as_str().unwrap() {
                    "accepted" => *accepted.entry(id).or_default() += 1,
                    "duplicate" => {
                        accepted.entry(id).or_default();
                    }
                    other => panic!("{id}: {other}: {r}"),
                }
            }
        }
    }
    assert_eq!(
        (unavailable, deadlocks),
        (0, 0),
        "answers 503 (busy) and answers mentioning a deadlock, of {} requests",
        2 * ROUNDS
    );
    assert_eq!(accepted.len(), ids.len());
    assert!(
        accepted.values().all(|&n| n == 1),
        "each id accepted exactly once"
    );
    let mut stored: Vec<String> = a.stored().await.into_iter().map(|r| r.0).collect();
    stored.retain(|id| id != "00000000-0000-4000-8000-000000000000");
    ids.sort();
    assert_eq!(stored, ids, "each response stored once");
    let (_, agg) = b.get_json("/api/v1/aggregates").await;
    assert_eq!(agg["network"]["n"], ROUNDS * PER_ROUND + 1);
    a.stop().await;
    b.stop().await;
}
