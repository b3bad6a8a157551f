//! Alerts delivered beyond the inbox: webhooks (made by admins, their
//! secret shown once), signed posts to a receiver this test runs, retries
//! with back-off and their log, giving up, two servers sharing the work,
//! and e-mail through an SMTP sink this test runs (a few lines of tokio
//! below: `mailin-embedded`, the crate made for it, always builds rustls
//! with aws-lc, minutes of C on this machine for a test). No fixed sleeps:
//! every wait polls the API until the state it waits for, with a deadline.
//! On SQLite and on PostgreSQL.

use crate::common::{self, TestServer};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use uuid::Uuid;

// ---------------------------------------------------------------------------
// A webhook receiver: answers each post with the next status of its
// script (then always `then`), and keeps what it received.

#[derive(Debug, Clone)]
struct Post {
    headers: HeaderMap,
    body: Bytes,
}

struct Script {
    answers: VecDeque<u16>,
    then: u16,
    posts: Vec<Post>,
}

struct Receiver {
    url: String,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    async fn start(answers: &[u16], then: u16) -> Receiver {
        let script = Arc::new(Mutex::new(Script {
            answers: answers.iter().copied().collect(),
            then,
            posts: Vec::new(),
        }));
        let kept = script.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let script = kept.clone();
            async move {
                let mut s = script.lock().unwrap();
                s.posts.push(Post { headers, body });
                let status = s.answers.pop_front().unwrap_or(s.then);
                StatusCode::from_u16(status).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, script }
    }

    fn posts(&self) -> Vec<Post> {
        self.script.lock().unwrap().posts.clone()
    }
}

// ---------------------------------------------------------------------------
// An SMTP sink: says yes to everything and keeps each mail.

#[derive(Debug, Clone, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

struct Sink {
    addr: SocketAddr,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl Sink {
    async fn start() -> Sink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mails = kept.clone();
                tokio::spawn(async move {
                    let _ = smtp_session(stream, mails).await;
                });
            }
        });
        Sink { addr, mails }
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

/// The address in `MAIL FROM:<a@b>` or `RCPT TO:<a@b>`.
fn angle(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_owned())
        .unwrap_or_default()
}

async fn smtp_session(
    stream: tokio::net::TcpStream,
    mails: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let mut mail = Mail::default();
    let mut line = String::new();
    loop {
        line.clear();
        if read.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink.test\r\n250 8BITMIME\r\n"
        } else if command.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if command.starts_with("MAIL FROM:") {
            mail = Mail {
                from: angle(&line),
                ..Mail::default()
            };
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO:") {
            mail.to.push(angle(&line));
            b"250 OK\r\n"
        } else if command.starts_with("DATA") {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            loop {
                line.clear();
                if read.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                // A line that began with a dot was sent with one more.
                mail.data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            mails.lock().unwrap().push(std::mem::take(&mut mail));
            b"250 queued\r\n"
        } else if command.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if command.starts_with("RSET") || command.starts_with("NOOP") {
            b"250 OK\r\n"
        } else {
            b"502 not here\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// A mail's headers (unfolded, by lower-case name) and its body, decoded.
fn read_mail(data: &str) -> (Vec<(String, String)>, String) {
    let (head, body) = data.split_once("\r\n\r\n").unwrap_or((data, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push_str(line.trim_start());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let encoding = header(&headers, "content-transfer-encoding").to_ascii_lowercase();
    let body = match encoding.as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => {
            use base64::Engine;
            let joined: String = body.split_whitespace().collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .unwrap(),
            )
            .unwrap()
        }
        _ => body.to_owned(),
    };
    (headers, body.replace("\r\n", "\n"))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

fn quoted_printable(text: &str) -> String {
    let text = text.replace("=\r\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------------------
// Set-up and waiting.

/// A server sending every 20 ms, waiting 1 s after a first failure.
async fn server(max_attempts: u32) -> TestServer {
    TestServer::start_with(|c| {
        c.delivery_interval_ms = 20;
        c.delivery_backoff_secs = 1;
        c.delivery_max_attempts = max_attempts;
    })
    .await
}

/// Poll `probe` every 20 ms until it gives a value (at most a minute).
async fn until<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "waited a minute for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A webhook to `url`, made by the admin: its id and secret.
async fn webhook(s: &TestServer, url: &str) -> (String, String) {
    let (status, made) = s
        .admin_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"name": "Service desk", "url": url}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    (
        made["id"].as_str().unwrap().to_owned(),
        made["secret"].as_str().unwrap().to_owned(),
    )
}

const RULE_NAME: &str = "Unhappy with a comment";
const COMMENT: &str = "Nobody greeted me";

fn db_time(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&format).unwrap()
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// An alert of a new low-score-with-comment rule at N01, with one delivery
/// per webhook and address, due now: what `store::sql::alerts::raise`
/// writes in the transaction of the response that tips the rule. Written
/// straight into the database until rule judging is on main; then a kiosk
/// response sent over HTTP raises it. Returns the alert's id.
async fn raise(s: &TestServer, webhooks: &[&str], emails: &[&str]) -> String {
    let rule = Uuid::new_v4();
    let alert = Uuid::new_v4();
    let now = db_time(OffsetDateTime::now_utc());
    let definition = json!({
        "name": RULE_NAME,
        "rule": {"kind": "low_score_comment", "low_max": 2},
        "scope": {"kind": "all"},
        "recipients": {"roles": ["manager"], "webhooks": webhooks, "emails": emails},
        "active": true,
    });
    let finding = json!({"kind": "low_score_comment", "score": 1, "comment": COMMENT});
    let mut statements = vec![
        format!(
            "INSERT INTO alert_rules (id, kind, definition, active, created_at, updated_at) \
             VALUES ('{rule}', 'low_score_comment', {}, TRUE, '{now}', '{now}')",
            quoted(&definition.to_string())
        ),
        format!(
            "INSERT INTO alerts (id, rule_id, rule_name, dedup_key, kind, branch, raised_at, finding) \
             VALUES ('{alert}', '{rule}', {}, 'response:{}', 'low_score_comment', 'N01', '{now}', {})",
            quoted(RULE_NAME),
            Uuid::new_v4(),
            quoted(&finding.to_string())
        ),
    ];
    let targets = webhooks
        .iter()
        .map(|w| ("webhook", *w))
        .chain(emails.iter().map(|e| ("email", *e)));
    for (channel, target) in targets {
        statements.push(format!(
            "INSERT INTO deliveries (id, alert_id, channel, target, next_at) \
             VALUES ('{}', '{alert}', '{channel}', {}, '{now}')",
            Uuid::new_v4(),
            quoted(target)
        ));
    }
    common::execute(&s.database_url, &statements).await;
    alert.to_string()
}

/// The alert's deliveries, as the admin reads them.
async fn deliveries(s: &TestServer, alert: &str) -> Vec<Value> {
    let (status, body) = s
        .get_json(&format!("/api/v1/alerts/{alert}/deliveries"))
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// Wait until the alert's only delivery is `status` (not pending); return it.
async fn settled(s: &TestServer, alert: &str, status: &str) -> Value {
    until(
        &format!("alert {alert}'s delivery to be {status}"),
        move || async move {
            let all = deliveries(s, alert).await;
            assert_eq!(all.len(), 1, "{all:?}");
            let d = &all[0];
            match d["status"].as_str().unwrap() {
                "pending" => None,
                done => {
                    assert_eq!(done, status, "{d}");
                    Some(d.clone())
                }
            }
        },
    )
    .await
}

fn instant(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap()
}

/// The HMAC-SHA256 of `data` under `key`, computed here apart from core.
fn hmac_hex(key: &str, data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The post's signature checked by recomputing it: its time.
fn check_signature(post: &Post, secret: &str) -> i64 {
    let header = post.headers["x-branchpulse-signature"].to_str().unwrap();
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("signature header {header:?}"));
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(&post.body);
    assert_eq!(v1, hmac_hex(secret, &signed), "signature of {header:?}");
    t.parse().unwrap()
}

// ---------------------------------------------------------------------------
// The tests.

#[tokio::test]
async fn a_webhook_gets_a_secret_shown_once_and_every_change_is_audited() {
    let s = TestServer::start().await;
    let url = "https://hooks.bank.example/branchpulse?token=T0K3N";
    let (status, made) = s
        .admin_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"name": "Service desk", "url": url}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let secret = made["secret"].as_str().unwrap().to_owned();
    // 256 random bits in URL-safe base64 (43 characters) after the prefix.
    let random = secret.strip_prefix("whsec_").unwrap();
    assert_eq!(random.len(), 43, "{secret}");
    assert!(random
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(made["active"], true);
    assert_eq!(made["url"], url);
    let hint = format!("whsec_…{}", &secret[secret.len() - 4..]);
    assert_eq!(made["secret_hint"], hint);

    // Listed with the hint only.
    let resp = s.get("/api/v1/webhooks").await.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(!text.contains(random), "{text}");
    let list: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["secret_hint"], hint);

    // Changed: name, URL, switch; the secret stays.
    let (status, changed) = s
        .admin_json(
            Method::PUT,
            &format!("/api/v1/webhooks/{id}"),
            &json!({"name": "Complaints desk", "url": "http://10.0.0.5:8080/in", "active": false}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (&changed["name"], &changed["url"], &changed["active"]),
        (
            &json!("Complaints desk"),
            &json!("http://10.0.0.5:8080/in"),
            &json!(false)
        )
    );
    assert_eq!(changed["secret_hint"], hint);

    // A new secret, shown once more.
    let (status, rotated) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/webhooks/{id}/secret"),
            &json!(null),
        )
        .await;
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["secret"].as_str().unwrap();
    assert_ne!(second, secret);
    assert!(second.starts_with("whsec_"));
    assert_eq!(
        rotated["secret_hint"],
        format!("whsec_…{}", &second[second.len() - 4..])
    );

    // Deleted: then it is no more.
    let resp = s
        .admin_session()
        .await
        .on(s.client.delete(s.at(&format!("/api/v1/webhooks/{id}"))))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (status, body) = s
        .admin_json(
            Method::PUT,
            &format!("/api/v1/webhooks/{id}"),
            &json!({"name": "Again", "url": url}),
        )
        .await;
    assert_eq!(
        (status, &body["code"]),
        (404, &json!("not_found")),
        "{body}"
    );
    let (_, list) = s.get_json("/api/v1/webhooks").await;
    assert_eq!(list, json!([]));

    // The audit log names each change and the host, never the secret or
    // the rest of the URL (which may hold a token).
    let (_, audit) = s.get_json("/api/v1/audit?limit=10").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == id.as_str())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "webhook.delete",
            "webhook.secret",
            "webhook.update",
            "webhook.create"
        ]
    );
    let audit = audit.to_string();
    assert!(audit.contains("hooks.bank.example"), "{audit}");
    for hidden in ["T0K3N", random, &second[6..]] {
        assert!(!audit.contains(hidden), "{hidden} in {audit}");
    }
}

#[tokio::test]
async fn webhooks_refuse_bad_urls_and_are_for_admins_only() {
    let s = TestServer::start().await;
    for url in [
        "ftp://hooks.bank.example/x",
        "https://user:password@hooks.bank.example/x",
        "hooks.bank.example",
        "https://hooks.bank.example/a b",
    ] {
        let (status, body) = s
            .admin_json(
                Method::POST,
                "/api/v1/webhooks",
                &json!({"name": "Desk", "url": url}),
            )
            .await;
        assert_eq!(status, 422, "{url}: {body}");
        assert_eq!(
            (&body["code"], &body["field"]),
            (&json!("bad_webhook_url"), &json!("url")),
            "{url}: {body}"
        );
    }
    let long = format!("https://hooks.bank.example/{}", "a".repeat(2000));
    let (status, body) = s
        .admin_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"name": "Desk", "url": long}),
        )
        .await;
    assert_eq!((status, &body["field"]), (422, &json!("url")), "{body}");
    let (status, body) = s
        .admin_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"name": "", "url": "https://hooks.bank.example/"}),
        )
        .await;
    assert_eq!(
        (status, &body["code"], &body["field"]),
        (422, &json!("empty"), &json!("name")),
        "{body}"
    );
    let (_, list) = s.get_json("/api/v1/webhooks").await;
    assert_eq!(list, json!([]));

    let manager = s.user("manny", "manager", Some("N01"), None).await;
    for (method, path) in [
        (Method::GET, "/api/v1/webhooks".to_owned()),
        (Method::POST, "/api/v1/webhooks".to_owned()),
        (
            Method::GET,
            format!("/api/v1/alerts/{}/deliveries", Uuid::new_v4()),
        ),
        (
            Method::POST,
            format!("/api/v1/webhooks/{}/test", Uuid::new_v4()),
        ),
    ] {
        let resp = manager
            .on(s.client.request(method.clone(), s.at(&path)))
            .json(&json!({"name": "Desk", "url": "https://hooks.bank.example/"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{method} {path}");
    }
    for path in [
        format!("/api/v1/alerts/{}/deliveries", Uuid::new_v4()),
        format!("/api/v1/webhooks/{}/deliveries", Uuid::new_v4()),
    ] {
        let (status, body) = s.get_json(&path).await;
        assert_eq!(
            (status, &body["code"]),
            (404, &json!("not_found")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_alert_is_posted_signed_to_its_webhook_and_logged() {
    let s = server(8).await;
    let receiver = Receiver::start(&[], 200).await;
    let (hook, secret) = webhook(&s, &format!("{}/hooks/branchpulse", receiver.url)).await;
    let server = &s;
    let counted = move || async move {
        let resp = server
            .client
            .get(server.at("/metrics"))
            .send()
            .await
            .unwrap();
        let text = resp.text().await.unwrap();
        let series = r#"alert_deliveries_total{channel="webhook",outcome="delivered"} "#;
        text.lines()
            .find_map(|l| l.strip_prefix(series))
            .map_or(0.0, |v| v.trim().parse::<f64>().unwrap())
    };
    let delivered_before = counted().await;
    let before = OffsetDateTime::now_utc().unix_timestamp();
    let alert = raise(&s, &[&hook], &[]).await;
    let d = settled(&s, &alert, "delivered").await;
    let after = OffsetDateTime::now_utc().unix_timestamp();
    // Other tests share the process's recorder: at least this one counted.
    assert!(counted().await >= delivered_before + 1.0);

    let posts = receiver.posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    let post = &posts[0];
    assert_eq!(post.headers["content-type"], "application/json");
    assert_eq!(
        post.headers["x-branchpulse-delivery"].to_str().unwrap(),
        d["id"].as_str().unwrap()
    );
    let t = check_signature(post, &secret);
    assert!((before..=after).contains(&t), "{before} ≤ {t} ≤ {after}");
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(body["event"], "alert.raised");
    let a = &body["alert"];
    assert_eq!(a["id"], alert.as_str());
    assert_eq!(a["rule_name"], RULE_NAME);
    assert_eq!(a["branch"], "N01");
    assert_eq!(a["read"], false);
    assert_eq!(
        a["finding"],
        json!({"kind": "low_score_comment", "score": 1, "comment": COMMENT})
    );

    assert_eq!(d["channel"], "webhook");
    assert_eq!(d["target"], hook.as_str());
    assert_eq!(d["attempts"], 1);
    assert!(d.get("next_at").is_none(), "{d}");
    let log = d["log"].as_array().unwrap();
    assert_eq!(log.len(), 1, "{d}");
    assert_eq!(
        (
            &log[0]["attempt"],
            &log[0]["delivered"],
            &log[0]["http_status"]
        ),
        (&json!(1), &json!(true), &json!(200))
    );
    assert!(log[0].get("error").is_none(), "{d}");

    // The webhook's own log shows the same delivery.
    let (status, by_hook) = s
        .get_json(&format!("/api/v1/webhooks/{hook}/deliveries"))
        .await;
    assert_eq!(status, 200, "{by_hook}");
    assert_eq!(by_hook, json!([d]));
}

#[tokio::test]
async fn a_failing_receiver_is_tried_again_with_doubling_waits_until_it_answers() {
    let s = server(8).await;
    let receiver = Receiver::start(&[500, 500], 200).await;
    let (hook, secret) = webhook(&s, &format!("{}/in", receiver.url)).await;
    let alert = raise(&s, &[&hook], &[]).await;

    // After each failure the next attempt is due base × 2^(n−1) after it:
    // 1 s after the first, 2 s after the second.
    let (server, id) = (&s, alert.as_str());
    for (n, wait) in [(1, 1), (2, 2)] {
        let d = until(&format!("attempt {n} to be logged"), move || async move {
            let d = deliveries(server, id).await.remove(0);
            (d["attempts"] == n).then_some(d)
        })
        .await;
        assert_eq!(d["status"], "pending", "{d}");
        let last = &d["log"][n - 1];
        assert_eq!(
            (&last["http_status"], &last["delivered"]),
            (&json!(500), &json!(false)),
            "{d}"
        );
        assert!(last["error"].as_str().unwrap().contains("500"), "{d}");
        assert_eq!(
            instant(&d["next_at"]) - instant(&last["at"]),
            time::Duration::seconds(wait),
            "{d}"
        );
    }

    let d = settled(&s, &alert, "delivered").await;
    assert_eq!(d["attempts"], 3, "{d}");
    let log = d["log"].as_array().unwrap();
    let statuses: Vec<&Value> = log.iter().map(|a| &a["http_status"]).collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(200)]);
    let numbers: Vec<&Value> = log.iter().map(|a| &a["attempt"]).collect();
    assert_eq!(numbers, [&json!(1), &json!(2), &json!(3)]);
    // No attempt before it was due.
    assert!(instant(&log[1]["at"]) - instant(&log[0]["at"]) >= time::Duration::seconds(1));
    assert!(instant(&log[2]["at"]) - instant(&log[1]["at"]) >= time::Duration::seconds(2));

    // Three posts of the same delivery, each signed at its own time.
    let posts = receiver.posts();
    assert_eq!(posts.len(), 3);
    let times: Vec<i64> = posts.iter().map(|p| check_signature(p, &secret)).collect();
    assert!(times[0] < times[2], "{times:?}");
    for post in &posts {
        assert_eq!(
            post.headers["x-branchpulse-delivery"].to_str().unwrap(),
            d["id"].as_str().unwrap()
        );
        assert_eq!(post.body, posts[0].body);
    }
}

#[tokio::test]
async fn a_receiver_that_always_fails_is_given_up_after_the_last_attempt() {
    let s = server(3).await;
    let failing = Receiver::start(&[], 503).await;
    let (hook, _) = webhook(&s, &format!("{}/in", failing.url)).await;
    let alert = raise(&s, &[&hook], &[]).await;
    let d = settled(&s, &alert, "failed").await;
    assert_eq!(d["attempts"], 3, "{d}");
    assert!(d.get("next_at").is_none(), "{d}");
    let log = d["log"].as_array().unwrap();
    assert_eq!(log.len(), 3, "{d}");
    for (n, a) in log.iter().enumerate() {
        assert_eq!(a["attempt"], n + 1, "{d}");
        assert_eq!(a["http_status"], 503, "{d}");
        assert_eq!(a["delivered"], false, "{d}");
        assert!(a["error"].as_str().unwrap().contains("503"), "{d}");
    }
    assert!(instant(&log[1]["at"]) - instant(&log[0]["at"]) >= time::Duration::seconds(1));
    assert!(instant(&log[2]["at"]) - instant(&log[1]["at"]) >= time::Duration::seconds(2));

    // Nothing more is sent: a later alert to a working receiver is
    // delivered (the sender has gone round since), and the failing one
    // still has its three posts.
    let working = Receiver::start(&[], 204).await;
    let (other, _) = webhook(&s, &format!("{}/in", working.url)).await;
    let later = raise(&s, &[&other], &[]).await;
    settled(&s, &later, "delivered").await;
    assert_eq!(failing.posts().len(), 3);
    assert_eq!(deliveries(&s, &alert).await[0], d);

    // The webhook's log lists it.
    let (_, by_hook) = s
        .get_json(&format!("/api/v1/webhooks/{hook}/deliveries?limit=1"))
        .await;
    assert_eq!(by_hook, json!([d]));
    let (status, body) = s
        .get_json(&format!("/api/v1/webhooks/{hook}/deliveries?limit=0"))
        .await;
    assert_eq!(
        (status, &body["code"], &body["field"]),
        (400, &json!("bad_limit"), &json!("limit"))
    );
}

#[tokio::test]
async fn deliveries_to_a_deleted_or_switched_off_webhook_fail_at_once_logged() {
    let s = server(8).await;
    let receiver = Receiver::start(&[], 200).await;
    let (off, _) = webhook(&s, &format!("{}/off", receiver.url)).await;
    let (status, body) = s
        .admin_json(
            Method::PUT,
            &format!("/api/v1/webhooks/{off}"),
            &json!({"name": "Paused", "url": format!("{}/off", receiver.url), "active": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (gone, _) = webhook(&s, &format!("{}/gone", receiver.url)).await;
    let resp = s
        .admin_session()
        .await
        .on(s.client.delete(s.at(&format!("/api/v1/webhooks/{gone}"))))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);

    for (hook, why) in [
        (&off, "the webhook is switched off"),
        (&gone, "the webhook was deleted"),
    ] {
        let alert = raise(&s, &[hook], &[]).await;
        let d = settled(&s, &alert, "failed").await;
        assert_eq!(d["attempts"], 1, "{d}");
        assert_eq!(d["log"][0]["error"], why, "{d}");
        assert!(d["log"][0].get("http_status").is_none(), "{d}");
    }
    assert!(receiver.posts().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_database_deliver_each_alert_once() {
    let a = server(8).await;
    let database_url = a.database_url.clone();
    let b = TestServer::start_with(|c| {
        c.database_url = database_url;
        c.delivery_interval_ms = 20;
        c.delivery_backoff_secs = 1;
    })
    .await;
    let receiver = Receiver::start(&[], 200).await;
    let (hook, secret) = webhook(&a, &format!("{}/in", receiver.url)).await;
    const ALERTS: usize = 40;
    let mut alerts = Vec::new();
    for _ in 0..ALERTS {
        alerts.push(raise(&a, &[&hook], &[]).await);
    }
    for alert in &alerts {
        let d = settled(&b, alert, "delivered").await;
        assert_eq!(d["attempts"], 1, "{d}");
        assert_eq!(d["log"].as_array().unwrap().len(), 1, "{d}");
    }
    let posts = receiver.posts();
    assert_eq!(posts.len(), ALERTS);
    let mut ids: Vec<String> = posts
        .iter()
        .map(|p| {
            check_signature(p, &secret);
            let body: Value = serde_json::from_slice(&p.body).unwrap();
            body["alert"]["id"].as_str().unwrap().to_owned()
        })
        .collect();
    ids.sort();
    alerts.sort();
    assert_eq!(ids, alerts);
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn an_alert_is_emailed_through_smtp_with_its_finding_and_link() {
    let sink = Sink::start().await;
    let addr = sink.addr;
    let s = TestServer::start_with(|c| {
        c.delivery_interval_ms = 20;
        c.delivery_backoff_secs = 1;
        c.smtp_url = Some(format!("smtp://{addr}").as_str().into());
        c.smtp_from = Some("BranchPulse <alerts@bank.example>".into());
        c.public_url = Some("https://survey.bank.example/".into());
    })
    .await;
    let alert = raise(&s, &[], &["manager.n01@bank.example"]).await;
    let d = settled(&s, &alert, "delivered").await;
    assert_eq!(
        (&d["channel"], &d["target"], &d["attempts"]),
        (
            &json!("email"),
            &json!("manager.n01@bank.example"),
            &json!(1)
        )
    );
    assert_eq!(d["log"][0]["delivered"], true, "{d}");

    let mails = sink.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.from, "alerts@bank.example");
    assert_eq!(mail.to, ["manager.n01@bank.example"]);
    let (headers, body) = read_mail(&mail.data);
    assert_eq!(
        header(&headers, "subject"),
        "[BranchPulse] Unhappy with a comment at Harbour Square (N01)"
    );
    assert_eq!(header(&headers, "to"), "manager.n01@bank.example");
    assert!(header(&headers, "from").contains("alerts@bank.example"));
    assert!(
        header(&headers, "content-type").starts_with("text/plain"),
        "{headers:?}"
    );
    assert!(
        body.contains(&format!(
            "A customer rated their satisfaction 1 of 5 and wrote: \"{COMMENT}\""
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "https://survey.bank.example/dashboard?s=inbox&alert={alert}"
        )),
        "{body}"
    );
}

#[tokio::test]
async fn without_smtp_an_email_delivery_fails_at_once_saying_so() {
    let s = server(8).await;
    let alert = raise(&s, &[], &["manager.n01@bank.example"]).await;
    let d = settled(&s, &alert, "failed").await;
    assert_eq!(d["attempts"], 1, "{d}");
    let error = d["log"][0]["error"].as_str().unwrap();
    assert!(error.contains("SMTP is not configured"), "{error}");
    assert!(error.contains("BRANCHPULSE_SMTP_URL"), "{error}");
}

#[tokio::test]
async fn a_test_post_is_signed_and_its_outcome_answered() {
    let s = TestServer::start().await;
    let receiver = Receiver::start(&[200, 500], 200).await;
    let (hook, secret) = webhook(&s, &format!("{}/test", receiver.url)).await;
    let path = format!("/api/v1/webhooks/{hook}/test");

    let (status, ok) = s.admin_json(Method::POST, &path, &json!(null)).await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(
        (&ok["delivered"], &ok["http_status"], &ok["attempt"]),
        (&json!(true), &json!(200), &json!(1))
    );
    let post = receiver.posts().remove(0);
    check_signature(&post, &secret);
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(body["event"], "webhook.test");
    assert_eq!(body["webhook"], hook.as_str());
    Uuid::parse_str(post.headers["x-branchpulse-delivery"].to_str().unwrap()).unwrap();

    let (status, refused) = s.admin_json(Method::POST, &path, &json!(null)).await;
    assert_eq!(status, 200, "{refused}");
    assert_eq!(
        (&refused["delivered"], &refused["http_status"]),
        (&json!(false), &json!(500))
    );
    assert!(refused["error"].as_str().unwrap().contains("500"));

    // Nobody listening: no status, the reason in words.
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let (status, body) = s
        .admin_json(
            Method::PUT,
            &format!("/api/v1/webhooks/{hook}"),
            &json!({"name": "Nobody", "url": format!("http://{closed}/x")}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, unreachable) = s.admin_json(Method::POST, &path, &json!(null)).await;
    assert_eq!(status, 200, "{unreachable}");
    assert_eq!(unreachable["delivered"], false);
    assert!(unreachable.get("http_status").is_none(), "{unreachable}");
    assert!(!unreachable["error"].as_str().unwrap().is_empty());

    // Nothing queued; each test audited with its outcome.
    let (_, audit) = s.get_json("/api/v1/audit?limit=20").await;
    let tests: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "webhook.test")
        .map(|e| &e["detail"]["delivered"])
        .collect();
    assert_eq!(tests, [&json!(false), &json!(false), &json!(true)]);
}
