//! `GET /metrics` (issue 16): Prometheus text with requests by route and
//! status, what sync batches became, database latency and rate refusals,
//! only for the addresses the operator allows. Over HTTP, on SQLite and on
//! PostgreSQL. The recorder is one per process, so figures are compared
//! before and after, never as totals.

mod common;

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
