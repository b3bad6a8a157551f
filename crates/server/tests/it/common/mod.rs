//! A real server on a free loopback port, with its own database and a
//! small built-app folder, for tests that talk to it over HTTP.
//!
//! The database is a fresh SQLite file, or, when `BRANCHPULSE_TEST_POSTGRES`
//! names a PostgreSQL server (`postgres://user@host:port/postgres`), a fresh
//! database on it: `cargo xtask test` runs the suite both ways.
#![allow(dead_code)]

use branchpulse_server::config::Config;
use branchpulse_server::Server;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tokio::sync::{oneshot, Mutex, OnceCell};

/// The first admin's password in every test server.
pub const ADMIN_PASSWORD: &str = "test admin password 2026";

pub const WASM: &str = "branchpulse-0123456789abcdef_bg.wasm";

pub struct TestServer {
    pub url: String,
    pub database_url: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    admin: OnceCell<Session>,
    /// Device tokens by what they may submit (`kiosk:N01`, `shopper:NAME`).
    tokens: Mutex<HashMap<String, String>>,
}

/// A signed-in person: the cookie to send and the CSRF token to echo.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    pub body: Value,
}

impl Session {
    /// `request` with this session's cookie and CSRF token.
    pub fn on(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }
}

pub fn questionnaires_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../questionnaires")
}

/// The PostgreSQL server to test against, if any.
pub fn postgres() -> Option<String> {
    std::env::var("BRANCHPULSE_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A new, empty database: a file in `dir`, or a database on the test
/// PostgreSQL server.
pub async fn fresh_database(dir: &Path) -> String {
    let Some(admin) = postgres() else {
        return format!("sqlite://{}", dir.join("test.db").display());
    };
    let name = format!("bp_test_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// A config for a server in `dir`: port 0, a SQLite file in `dir`, `dir/dist`.
pub fn config_in(dir: &Path) -> Config {
    let mut config = Config::defaults();
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.database_url = format!("sqlite://{}", dir.join("test.db").display());
    config.dist = dir.join("dist");
    config.questionnaires = questionnaires_dir();
    config.admin_password = Some(ADMIN_PASSWORD.into());
    // Request rates off: a test makes many requests from one address in a
    // moment. The tests of the limits turn them on (tests/it/attacks.rs).
    config.rate_per_ip = 0;
    config.rate_per_device = 0;
    config.enrol_per_minute = 0;
    config.sign_in_per_minute = 0;
    // The fixtures are dated (`kiosk_response`: 2026-03-01) and must stay
    // young enough as the calendar moves on: ten years, not the default
    // 400 days. A clock reset to 1970 is still refused.
    config.max_response_age_days = 3650;
    config
}

/// A stand-in for Trunk's output: index.html and a hashed asset, each
/// with brotli and gzip siblings as xtask writes them.
pub fn write_dist(dist: &Path) {
    std::fs::create_dir_all(dist).unwrap();
    let index = "<!doctype html><title>BranchPulse</title>";
    std::fs::write(dist.join("index.html"), index).unwrap();
    std::fs::write(dist.join("index.html.br"), b"br-index").unwrap();
    std::fs::write(dist.join("index.html.gz"), b"gz-index").unwrap();
    std::fs::write(dist.join(WASM), b"\0asm-raw").unwrap();
    std::fs::write(dist.join(format!("{WASM}.br")), b"\0asm-br").unwrap();
    std::fs::write(dist.join(format!("{WASM}.gz")), b"\0asm-gz").unwrap();
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        write_dist(&dir.path().join("dist"));
        let mut config = config_in(dir.path());
        config.database_url = fresh_database(dir.path()).await;
        adjust(&mut config);
        let database_url = config.database_url.clone();
        let server = Server::bind(config).await.expect("server starts");
        let url = format!("http://{}", server.local_addr());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server
                .run(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        TestServer {
            url,
            database_url,
            // No automatic decompression: tests look at the encodings sent.
            client: reqwest::Client::builder().build().unwrap(),
            dir,
            stop: Some(stop),
            task: Some(task),
            admin: OnceCell::new(),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// Helpers for a server started elsewhere (another process) at `url`,
    /// on `database_url`; `stop` does nothing to it.
    pub fn attach(url: &str, database_url: &str) -> TestServer {
        TestServer {
            url: url.to_owned(),
            database_url: database_url.to_owned(),
            client: reqwest::Client::builder().build().unwrap(),
            dir: tempfile::tempdir().unwrap(),
            stop: None,
            task: None,
            admin: OnceCell::new(),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// Sign in; `Err` is the status and body of a refusal.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session, (u16, Value)> {
        let resp = self
            .client
            .post(self.at("/api/v1/session"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let cookie = resp
            .headers()
            .get("set-cookie")
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
        let body: Value = resp.json().await.unwrap();
        match (status, cookie) {
            (200, Some(cookie)) => Ok(Session {
                cookie,
                csrf: body["csrf"].as_str().unwrap().to_owned(),
                body,
            }),
            _ => Err((status, body)),
        }
    }

    /// The first admin, signed in (once per server).
    pub async fn admin_session(&self) -> &Session {
        self.admin
            .get_or_init(|| async {
                self.login("admin", ADMIN_PASSWORD)
                    .await
                    .expect("the first admin signs in")
            })
            .await
    }

    /// A GET of `path` as the admin.
    pub async fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.admin_session()
            .await
            .on(self.client.get(self.at(path)))
    }

    /// `method path` with a JSON body as the admin: status and JSON answer
    /// (`null` for an empty one).
    pub async fn admin_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        let session = self.admin_session().await;
        let resp = session
            .on(self.client.request(method, self.at(path)))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A new account made by the admin, signed in.
    pub async fn user(
        &self,
        username: &str,
        role: &str,
        branch: Option<&str>,
        region: Option<&str>,
    ) -> Session {
        let password = format!("{username} password 2026");
        let (status, body) = self
            .admin_json(
                reqwest::Method::POST,
                "/api/v1/users",
                &json!({"username": username, "password": password, "role": role, "branch": branch, "region": region}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        self.login(username, &password).await.unwrap()
    }

    /// Make a device (`kind` `kiosk` with a branch, `shopper` with a
    /// shopper) and enrol it: its id and token.
    pub async fn enrol(&self, kind: &str, who: &str) -> (String, String) {
        self.try_enrol(kind, who).await.expect("the device is made")
    }

    async fn try_enrol(&self, kind: &str, who: &str) -> Option<(String, String)> {
        let body = match kind {
            "kiosk" => json!({"kind": kind, "label": format!("Tablet {who}"), "branch": who}),
            _ => json!({"kind": kind, "label": format!("Phone of {who}"), "shopper": who}),
        };
        let (status, enrolment) = self
            .admin_json(reqwest::Method::POST, "/api/v1/devices", &body)
            .await;
        if status != 201 {
            return None;
        }
        let resp = self
            .client
            .post(self.at("/api/v1/devices/enrol"))
            .json(&json!({"code": enrolment["code"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201);
        let enrolled: Value = resp.json().await.unwrap();
        Some((
            enrolled["device"]["id"].as_str().unwrap().to_owned(),
            enrolled["token"].as_str().unwrap().to_owned(),
        ))
    }

    /// A token of a device that may submit `response` (made once per kind
    /// of sender): a kiosk of its branch, or a phone of "Shopper 1". For a
    /// branch no kiosk can belong to (unknown, closed), a kiosk of the
    /// first open branch: the response is rejected either way.
    pub async fn token_for(&self, response: &Value) -> String {
        let key = match response["channel"].as_str() {
            Some("mystery_shop") => "shopper:Shopper 1".to_owned(),
            _ => format!("kiosk:{}", response["branch"].as_str().unwrap_or_default()),
        };
        if let Some(token) = self.tokens.lock().await.get(&key) {
            return token.clone();
        }
        let (kind, who) = key.split_once(':').unwrap();
        let token = match self.try_enrol(kind, who).await {
            Some((_, token)) => token,
            None => {
                let (_, branches) = self.get_json("/api/v1/branches").await;
                let open = branches
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|b| b["active"] == true)
                    .expect("an open branch")["code"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                self.enrol("kiosk", &open).await.1
            }
        };
        self.tokens.lock().await.insert(key, token.clone());
        token
    }

    /// POST `body` to /responses with `token`.
    pub async fn post_batch_as(&self, token: &str, body: &Value) -> (u16, Value) {
        self.post_as("/api/v1/responses", token, body).await
    }

    /// POST `body` to `path` with a device's `token`: the status and the
    /// JSON answer (`Null` when the answer is not JSON).
    pub async fn post_as(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .client
            .post(self.at(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// GET `path` with a device's token: status and JSON (null if none).
    pub async fn get_as_device(&self, token: &str, path: &str) -> (u16, Value) {
        let resp = self
            .client
            .get(self.at(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// GET `path` as the admin (who reads everything).
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let resp = self.get(path).await.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    /// POST a batch as devices allowed to send each response, as the real
    /// senders would: the responses are grouped by the device that may
    /// send them (a kiosk per branch, a shopper's phone), each group in one
    /// request, and the answers put back in the batch's order. A batch for
    /// one device (the usual case) is one request. Anything but a 200 is
    /// returned as it is.
    pub async fn post_batch(&self, body: &Value) -> (u16, Value) {
        let Some(responses) = body["responses"].as_array().filter(|r| !r.is_empty()) else {
            let token = self.token_for(&json!({})).await;
            return self.post_batch_as(&token, body).await;
        };
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, r) in responses.iter().enumerate() {
            let token = self.token_for(r).await;
            match groups.iter_mut().find(|(t, _)| *t == token) {
                Some((_, slots)) => slots.push(i),
                None => groups.push((token, vec![i])),
            }
        }
        if groups.len() == 1 {
            return self.post_batch_as(&groups[0].0, body).await;
        }
        let mut results = vec![Value::Null; responses.len()];
        for (token, slots) in groups {
            let part: Vec<&Value> = slots.iter().map(|&i| &responses[i]).collect();
            let (status, reply) = self
                .post_batch_as(&token, &json!({ "responses": part }))
                .await;
            if status != 200 {
                return (status, reply);
            }
            for (slot, result) in slots.iter().zip(reply["results"].as_array().unwrap()) {
                results[*slot] = result.clone();
            }
        }
        (200, json!({ "results": results }))
    }

    /// Approve, as the admin, every mystery-shop report awaiting review:
    /// reports count only once approved. How many were approved.
    pub async fn approve_all(&self) -> usize {
        let (status, queue) = self.get_json("/api/v1/reports?status=submitted").await;
        assert_eq!(status, 200, "{queue}");
        let queue = queue.as_array().unwrap().clone();
        for r in &queue {
            let (status, reply) = self
                .admin_json(
                    reqwest::Method::POST,
                    &format!("/api/v1/reports/{}/review", r["id"].as_str().unwrap()),
                    &json!({"decision": "approve"}),
                )
                .await;
            assert_eq!(status, 200, "{reply}");
        }
        queue.len()
    }

    /// Every stored row as (id, payload), read straight from the database.
    pub async fn stored(&self) -> Vec<(String, String)> {
        stored_rows(&self.database_url).await
    }

    /// Stop the server gracefully and wait until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}

/// Every row of `responses` at `database_url` as (id, payload), by id.
pub async fn stored_rows(database_url: &str) -> Vec<(String, String)> {
    if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url).await.unwrap();
        let rows = sqlx::query_as("SELECT id::text, payload FROM responses ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        return rows;
    }
    let pool = sqlx::SqlitePool::connect(database_url).await.unwrap();
    let rows = sqlx::query_as("SELECT id, payload FROM responses ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows
}

/// A complete, valid kiosk response to questionnaire "lobby" v2, its
/// optional section ("more") answered but for `wait`.
pub fn kiosk_response(id: &str) -> Value {
    json!({
        "id": id,
        "questionnaire_id": "lobby",
        "questionnaire_version": 2,
        "branch": "N01",
        "device_id": "tablet-1",
        "channel": "kiosk",
        "locale": "en",
        "started_at": "2026-03-01T09:30:00Z",
        "submitted_at": "2026-03-01T09:31:00Z",
        "answers": {
            "overall": {"type": "rating", "value": 5},
            "staff_care": {"type": "rating", "value": 4},
            "ease": {"type": "rating", "value": 3},
            "fees_worth": {"type": "rating", "value": 4},
            "confidence": {"type": "rating", "value": 5},
            "recommend": {"type": "nps", "value": 9},
            "resolved": {"type": "yes_no", "value": "yes"},
            "reason": {"type": "choice", "value": "account"},
            "comment": {"type": "text", "value": "Quick and friendly."}
        }
    })
}

/// The answers of a mystery-shop report to the default questionnaire
/// (`mystery_shop.json`, whatever its version) with every required item
/// answered and the phone call not answered, so the items asked after an
/// answered call stay hidden; yes/no items answer `yes_no`. Returns the
/// questionnaire's id and version with them.
pub fn shop_answers(yes_no: &str) -> (String, u32, Value) {
    let file = std::fs::read_to_string(questionnaires_dir().join("mystery_shop.json")).unwrap();
    let q = branchpulse_core::questionnaire::load("mystery_shop.json", &file).unwrap();
    let mut answers = json!({});
    for item in q.items().filter(|i| i.required && i.show_if.is_none()) {
        answers[&item.id] = match &item.kind {
            branchpulse_core::ItemKind::YesNo if item.from_call.is_some() => {
                json!({"type": "yes_no", "value": "no"})
            }
            branchpulse_core::ItemKind::Call { .. } => {
                json!({"type": "call", "value": {"rings": 9, "answered": false, "seconds": 45}})
            }
            branchpulse_core::ItemKind::YesNo => json!({"type": "yes_no", "value": yes_no}),
            branchpulse_core::ItemKind::Seconds { .. } => json!({"type": "seconds", "value": 60}),
            branchpulse_core::ItemKind::Choice { options } => {
                json!({"type": "choice", "value": options[0].id})
            }
            other => panic!("unexpected required item {other:?}"),
        };
    }
    (q.id, q.version, answers)
}

/// The first column of the first row of `sql`, as text.
pub async fn scalar(database_url: &str, sql: &str) -> Option<String> {
    if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url).await.unwrap();
        let v: Option<Option<String>> =
            sqlx::query_scalar(sql).fetch_optional(&pool).await.unwrap();
        pool.close().await;
        return v.flatten();
    }
    let pool = sqlx::SqlitePool::connect(database_url).await.unwrap();
    let v: Option<Option<String>> = sqlx::query_scalar(sql).fetch_optional(&pool).await.unwrap();
    pool.close().await;
    v.flatten()
}

/// Everything but letters and digits percent-encoded, for query values
/// and path segments.
pub fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every row of every table (the account tables without the sign-in
/// back-off and last-seen columns, which failed attempts rightly change),
/// ordered, hashed: equal digests, unchanged data.
pub async fn digest(database_url: &str) -> String {
    let tables: &[(&str, &str)] = &[
        ("responses", "*"),
        ("visits", "*"),
        ("reports", "*"),
        ("report_reviews", "*"),
        ("visit_quotas", "*"),
        ("rollups", "*"),
        ("rollups_weekly", "*"),
        ("rollup_critical", "*"),
        ("rollup_waits", "*"),
        ("rollup_items", "*"),
        ("rollup_items_weekly", "*"),
        ("rollup_wait_slots", "*"),
        ("comments", "*"),
        (
            "users",
            "id, username, password_hash, role, branch, region, active, created_at",
        ),
        (
            "devices",
            "id, kind, label, branch, shopper, code_hash, code_expires_at, token_hash, \
             token_expires_at, enrolled_at, revoked_at, created_by, created_at, pin_salt, \
             pin_hash, report, reported_at",
        ),
        ("branches", "*"),
        ("questionnaires", "*"),
        ("catalog_generation", "*"),
        ("alert_rules", "*"),
        ("alerts", "*"),
        ("alert_reads", "*"),
        ("webhooks", "*"),
        ("deliveries", "*"),
        ("delivery_attempts", "*"),
        ("cases", "*"),
        ("case_events", "*"),
        ("contacts", "*"),
    ];
    let mut hasher = Sha256::new();
    if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url).await.unwrap();
        for &(table, columns) in tables {
            let rows: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT row_to_json(x)::text FROM (SELECT {columns} FROM {table}) x ORDER BY 1"
            ))
            .fetch_all(&pool)
            .await
            .unwrap();
            add_rows(&mut hasher, table, rows);
        }
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(database_url).await.unwrap();
        for &(table, columns) in tables {
            let columns = if columns == "*" {
                let names: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                names.join(", ")
            } else {
                columns.to_owned()
            };
            let rows: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT json_array({columns}) FROM {table} ORDER BY 1"
            ))
            .fetch_all(&pool)
            .await
            .unwrap();
            add_rows(&mut hasher, table, rows);
        }
        pool.close().await;
    }
    format!("{:x}", hasher.finalize())
}

/// One table's rows, in order, into the digest (with the count, so that an
/// empty table and a missing row both show).
fn add_rows(hasher: &mut Sha256, table: &str, rows: Vec<String>) {
    hasher.update(format!("{table}:{}\n", rows.len()));
    for r in rows {
        hasher.update(r);
    }
}

/// Run `statements` in order on the database at `database_url`.
pub async fn execute(database_url: &str, statements: &[String]) {
    if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url).await.unwrap();
        for sql in statements {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(database_url).await.unwrap();
        for sql in statements {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
}

/// The fresh database at `database_url` as an earlier release left it:
/// the migrations whose file names sort before `before` (`"0006"`)
/// applied, then `responses` stored as rolled up (their sums are for the
/// caller to write, as that release would have) and `statements` run.
pub async fn old_database(
    database_url: &str,
    before: &str,
    responses: &[Value],
    statements: &[String],
) {
    let dir = tempfile::tempdir().unwrap();
    let backend = if database_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let all = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    for entry in std::fs::read_dir(&all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < before {
            std::fs::copy(&path, dir.path().join(name)).unwrap();
        }
    }
    let old = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let records: Vec<branchpulse_server::store::Record> = responses
        .iter()
        .map(|v| {
            let r: branchpulse_core::Response = serde_json::from_value(v.clone()).unwrap();
            branchpulse_server::store::Record::new(&r, now)
        })
        .collect();
    let insert = "INSERT INTO responses (id, questionnaire_id, questionnaire_version, branch, \
                  device_id, channel, locale, started_at, submitted_at, received_at, payload, \
                  payload_hash, rolled_up) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, TRUE)";
    if backend == "postgres" {
        let pool = sqlx::PgPool::connect(database_url).await.unwrap();
        old.run(&pool).await.unwrap();
        for r in &records {
            sqlx::query(insert)
                .bind(r.id)
                .bind(&r.questionnaire_id)
                .bind(i64::from(r.questionnaire_version))
                .bind(&r.branch)
                .bind(&r.device_id)
                .bind(&r.channel)
                .bind(&r.locale)
                .bind(r.started_at)
                .bind(r.submitted_at)
                .bind(r.received_at)
                .bind(&r.payload)
                .bind(&r.payload_hash)
                .execute(&pool)
                .await
                .unwrap();
        }
        for sql in statements {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let options: sqlx::sqlite::SqliteConnectOptions = database_url.parse().unwrap();
        let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
            .await
            .unwrap();
        old.run(&pool).await.unwrap();
        // As the SQLite backend stores instants: fixed-width UTC text.
        let text = |t: time::OffsetDateTime| {
            t.to_offset(time::UtcOffset::UTC)
                .format(time::macros::format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
                ))
                .unwrap()
        };
        for r in &records {
            sqlx::query(insert)
                .bind(r.id.hyphenated().to_string())
                .bind(&r.questionnaire_id)
                .bind(i64::from(r.questionnaire_version))
                .bind(&r.branch)
                .bind(&r.device_id)
                .bind(&r.channel)
                .bind(&r.locale)
                .bind(text(r.started_at))
                .bind(text(r.submitted_at))
                .bind(text(r.received_at))
                .bind(&r.payload)
                .bind(&r.payload_hash)
                .execute(&pool)
                .await
                .unwrap();
        }
        for sql in statements {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
}
