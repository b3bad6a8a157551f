//! The server's edges (issue 16): limits a client cannot sidestep, the
//! sign-in back-off under parallel guesses, answers behind a proxy. Over
//! HTTP against a real server, on SQLite and on PostgreSQL.

use crate::common;

use common::{kiosk_response, TestServer};
use serde_json::{json, Value};

async fn health_from(s: &TestServer, forwarded_for: &str) -> u16 {
    s.client
        .get(s.at("/api/v1/health"))
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_client_address_is_read_from_the_right_of_x_forwarded_for() {
    let s = TestServer::start_with(|c| {
        c.trust_proxy = true;
        c.rate_per_ip = 1;
        c.rate_burst_ip = 3;
    })
    .await;
    // The client writes a new leftmost entry each time; the proxy appends
    // the address it saw (203.0.113.7): one client, one bucket.
    let mut statuses = Vec::new();
    for n in 0..6 {
        statuses.push(health_from(&s, &format!("198.51.100.{n}, 203.0.113.7")).await);
    }
    assert_eq!(&statuses[..3], [200; 3], "{statuses:?}");
    assert_eq!(&statuses[3..], [429; 3], "{statuses:?}");
    // Another client behind the same proxy has a bucket of its own.
    assert_eq!(health_from(&s, "203.0.113.8").await, 200);
    s.stop().await;

    // Two proxies: the client is the second entry from the right.
    let s = TestServer::start_with(|c| {
        c.trust_proxy = true;
        c.trusted_proxy_hops = 2;
        c.rate_per_ip = 1;
        c.rate_burst_ip = 3;
    })
    .await;
    let mut statuses = Vec::new();
    for n in 0..5 {
        statuses.push(health_from(&s, &format!("198.51.100.{n}, 203.0.113.7, 10.0.0.{n}")).await);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    assert_eq!(
        health_from(&s, "198.51.100.1, 203.0.113.9, 10.0.0.1").await,
        200
    );
    s.stop().await;
}

#[tokio::test]
async fn spaces_after_bearer_do_not_give_a_device_a_fresh_bucket() {
    let s = TestServer::start_with(|c| {
        c.rate_per_device = 1;
        c.rate_burst_device = 2;
    })
    .await;
    let (_, token) = s.enrol("kiosk", "N01").await;
    let mut statuses = Vec::new();
    for n in 0..5u32 {
        let mut r = kiosk_response(&format!("00000000-0000-4000-8000-0000000000{n:02}"));
        r["branch"] = json!("N01");
        let resp = s
            .client
            .post(s.at("/api/v1/responses"))
            .header(
                "authorization",
                format!("Bearer{}{token}", " ".repeat(n as usize + 1)),
            )
            .json(&json!({"responses": [r]}))
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(&statuses[..2], [200; 2], "{statuses:?}");
    assert_eq!(&statuses[2..], [429; 3], "{statuses:?}");
    s.stop().await;
}

/// `n` wrong guesses at once for `username`: each answer's status and error.
async fn guesses_at_once(s: &TestServer, username: &str, n: usize) -> Vec<(u16, String)> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let client = s.client.clone();
        let url = s.at("/api/v1/session");
        let username = username.to_owned();
        tasks.push(tokio::spawn(async move {
            let resp = client
                .post(url)
                .json(&json!({"username": username, "password": "guess guess guess"}))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap();
            (status, body["error"].as_str().unwrap().to_owned())
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    answers
}

/// The answers with the seconds blanked, so they compare between names.
fn shapes(answers: &[(u16, String)]) -> Vec<(u16, String)> {
    let mut shapes: Vec<(u16, String)> = answers
        .iter()
        .map(|(status, error)| {
            let words: String = error.chars().filter(|c| !c.is_ascii_digit()).collect();
            (*status, words)
        })
        .collect();
    shapes.sort();
    shapes
}

#[tokio::test]
async fn parallel_guesses_are_checked_only_up_to_the_lock_and_unknown_names_look_the_same() {
    let s = TestServer::start().await;
    s.user("ana", "manager", Some("N01"), None).await;
    let known = guesses_at_once(&s, "ana", 20).await;
    // The fifth failure locks the account for a second, so the rest are
    // refused unchecked; a sixth check only if the machine is so slow that
    // the last guesses arrive after that second.
    let free = branchpulse_server::auth::sign_in::FREE_FAILURES as usize;
    let checked = known.iter().filter(|(status, _)| *status == 401).count();
    assert!((free..=free + 1).contains(&checked), "{known:?}");
    let refused = known.iter().filter(|(status, _)| *status == 429).count();
    assert_eq!(checked + refused, 20, "{known:?}");
    // Every check was counted, whatever the order they finished in.
    let failed = common::scalar(
        &s.database_url,
        "SELECT CAST(failed_logins AS TEXT) FROM users WHERE username = 'ana'",
    )
    .await;
    assert_eq!(failed, Some(checked.to_string()));

    // A name that is no account: the same answers, the same lock.
    let unknown = guesses_at_once(&s, "nobody", 20).await;
    let unknown_checked = unknown.iter().filter(|(status, _)| *status == 401).count();
    assert!((free..=free + 1).contains(&unknown_checked), "{unknown:?}");
    let distinct = |answers: &[(u16, String)]| {
        let mut d = shapes(answers);
        d.dedup();
        d
    };
    assert_eq!(distinct(&unknown), distinct(&known));
    // Once the lock has passed, the right password works and clears it.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    s.login("ana", "ana password 2026").await.unwrap();
    s.stop().await;
}

/// The security headers every answer carries (routes/headers.rs).
const SECURITY_HEADERS: [&str; 6] = [
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "cross-origin-opener-policy",
    "permissions-policy",
];

fn lacks_headers(headers: &reqwest::header::HeaderMap) -> Vec<&'static str> {
    SECURITY_HEADERS
        .into_iter()
        .filter(|h| !headers.contains_key(*h))
        .collect()
}

async fn sign_in_from(s: &TestServer, origin: &str) -> reqwest::Response {
    s.client
        .post(s.at("/api/v1/session"))
        .header("origin", origin)
        .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_proxy_the_origin_is_the_public_url_and_https_is_required() {
    // The proxy forwards with its own Host (here 127.0.0.1:port); browsers
    // send the public origin.
    let s = TestServer::start_with(|c| {
        c.public_url = Some("https://Survey.Bank.example/".into());
    })
    .await;
    let resp = sign_in_from(&s, "https://survey.bank.example").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    assert_eq!(sign_in_from(&s, "https://evil.example").await.status(), 403);
    // The request's own host is not this server's public origin.
    assert_eq!(sign_in_from(&s, &s.url).await.status(), 403);
    let page = s.client.get(s.at("/")).send().await.unwrap();
    assert!(page.headers().contains_key("strict-transport-security"));
    s.stop().await;

    // Without a public URL: the Host decides, and no HSTS over plain HTTP.
    let s = TestServer::start().await;
    let resp = sign_in_from(&s, &s.url).await;
    assert_eq!(resp.status(), 200);
    assert!(!resp.headers().contains_key("strict-transport-security"));
    assert_eq!(sign_in_from(&s, "https://evil.example").await.status(), 403);
    s.stop().await;
}

#[tokio::test]
async fn timeouts_body_limits_and_rate_refusals_carry_the_security_headers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start_with(|c| {
        c.request_timeout_secs = 1;
        c.max_body_bytes = 1000;
    })
    .await;
    // A body that never finishes arriving: 408 after the timeout.
    let addr = s.url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(
            format!(
                "POST /api/v1/session HTTP/1.1\r\nHost: {addr}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"user"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("\r\n\r\n") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("an answer within the timeout")
            .unwrap();
        assert!(n > 0, "closed without an answer");
        answer.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(head.starts_with("http/1.1 408"), "{head}");
    for h in SECURITY_HEADERS {
        assert!(head.contains(&format!("\r\n{h}:")), "408 lacks {h}: {head}");
    }

    let resp = s
        .client
        .post(s.at("/api/v1/session"))
        .header("content-type", "application/json")
        .body(format!("{{\"username\":\"{}\"}}", "x".repeat(2000)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert_eq!(lacks_headers(resp.headers()), Vec::<&str>::new(), "413");
    s.stop().await;

    let s = TestServer::start_with(|c| {
        c.rate_per_ip = 1;
        c.rate_burst_ip = 1;
    })
    .await;
    s.client.get(s.at("/api/v1/health")).send().await.unwrap();
    let resp = s.client.get(s.at("/api/v1/health")).send().await.unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(lacks_headers(resp.headers()), Vec::<&str>::new(), "429");
    s.stop().await;
}
