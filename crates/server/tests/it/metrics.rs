//! `GET /metrics` (issue 16): Prometheus text with requests by route and
//! status, what sync batches became, database latency and rate refusals,
//! only for the addresses the operator allows. Over HTTP, on SQLite and on
//! PostgreSQL. The recorder is one per process, so figures are compared
//! before and after, never as totals.

use crate::common;

use common::{kiosk_response, TestServer};
use serde_json::json;

async fn scrape(s: &TestServer) -> String {
    let resp = s.client.get(s.at("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    resp.text().await.unwrap()
}

/// The value of the series whose line starts with `series` (name and
/// labels exactly as rendered), 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[tokio::test]
async fn metrics_count_requests_outcomes_latency_and_refusals() {
    let s = TestServer::start_with(|c| {
        c.rate_per_device = 1;
        c.rate_burst_device = 2;
    })
    .await;
    let (_, token) = s.enrol("kiosk", "N01").await;
    let before = scrape(&s).await;

    let good = kiosk_response("11111111-1111-4111-8111-111111111111");
    let mut bad = kiosk_response("22222222-2222-4222-8222-222222222222");
    bad["branch"] = json!("S01");
    let (status, body) = s
        .post_batch_as(&token, &json!({"responses": [good.clone(), bad]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = s.post_batch_as(&token, &json!({"responses": [good]})).await;
    assert_eq!(status, 200);
    let (status, _) = s.post_batch_as(&token, &json!({"responses": []})).await;
    assert_eq!(status, 429);
    // A path with an id is counted under its route, not its address.
    let id = uuid::Uuid::new_v4();
    let (status, _) = s
        .admin_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/users/{id}"),
            &json!({"active": true}),
        )
        .await;
    assert_eq!(status, 404);

    let after = scrape(&s).await;
    let delta = |series: &str| value(&after, series) - value(&before, series);
    assert!(
        delta(r#"responses_total{outcome="accepted"}"#) >= 1.0,
        "{after}"
    );
    assert!(
        delta(r#"responses_total{outcome="duplicate"}"#) >= 1.0,
        "{after}"
    );
    assert!(
        delta(r#"responses_total{outcome="rejected"}"#) >= 1.0,
        "{after}"
    );
    assert!(
        delta(r#"rate_limit_refusals_total{limit="per_device"}"#) >= 1.0,
        "{after}"
    );
    assert!(
        delta(r#"http_requests_total{route="/api/v1/responses",method="POST",status="200"}"#)
            >= 2.0,
        "{after}"
    );
    assert!(
        delta(r#"http_requests_total{route="/api/v1/responses",method="POST",status="429"}"#)
            >= 1.0,
        "{after}"
    );
    assert!(
        delta(r#"http_requests_total{route="/api/v1/users/{id}",method="PATCH",status="404"}"#)
            >= 1.0,
        "{after}"
    );
    assert!(
        !after.contains(&id.to_string()),
        "a raw address became a label"
    );
    assert!(
        delta(r#"db_query_duration_seconds_count{query="save_batch"}"#) >= 2.0,
        "{after}"
    );
    s.stop().await;
}

#[tokio::test]
async fn metrics_are_only_for_the_allowed_addresses() {
    let s = TestServer::start_with(|c| {
        c.metrics_allow = vec!["10.0.0.0/8".parse().unwrap()];
        c.trust_proxy = true;
    })
    .await;
    // Not even by claiming an allowed address through a proxy header.
    let resp = s
        .client
        .get(s.at("/metrics"))
        .header("x-forwarded-for", "10.1.2.3")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert!(resp.headers().contains_key("content-security-policy"));
    let text = resp.text().await.unwrap();
    assert!(!text.contains("http_requests_total"), "{text}");
    s.stop().await;
}

/// `--log-format json`, in a process of its own: every line logged while a
/// request is answered names its `x-request-id`, the one sent back (a
/// proxy's own, or a new UUID). A process of its own because tracing keeps
/// which log lines are wanted per call site for the whole process, and
/// other tests' subscribers in the same process would race to decide it.
#[tokio::test]
async fn json_log_lines_name_the_request_id_that_is_sent_back() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    common::write_dist(&dir.path().join("dist"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_branchpulse-server"))
        .args(["--addr", "127.0.0.1:0", "--log-format", "json"])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.path().join("logs.db").display()))
        .arg("--dist")
        .arg(dir.path().join("dist"))
        .arg("--questionnaires")
        .arg(common::questionnaires_dir())
        .env("BRANCHPULSE_ADMIN_PASSWORD", common::ADMIN_PASSWORD)
        // tower-http's lines about each request are at debug.
        .env("RUST_LOG", "info,tower_http=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let url = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            Some(
                l.strip_prefix("BranchPulse listening on ")?
                    .trim()
                    .to_owned(),
            )
        })
        .expect("the server says where it listens");

    let client = reqwest::Client::new();
    let response = client.get(format!("{url}/health")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "a UUID: {id}");
    let response = client
        .get(format!("{url}/health"))
        .header("x-request-id", "proxy-7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "proxy-7");

    let _ = child.kill();
    let _ = child.wait();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut text).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: not JSON: {l}")))
        .collect();
    for wanted in [id.as_str(), "proxy-7"] {
        let named: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| l["span"]["request_id"] == wanted)
            .collect();
        // tower-http's "started" and "finished" lines, both in the span.
        assert!(named.len() >= 2, "{wanted} in:\n{text}");
        assert!(
            named.iter().all(|l| l["span"]["path"] == "/health"),
            "{text}"
        );
    }
}
