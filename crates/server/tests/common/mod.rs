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
use std::path::{Path, PathBuf};
use tokio::sync::oneshot;

pub const WASM: &str = "branchpulse-0123456789abcdef_bg.wasm";

pub struct TestServer {
    pub url: String,
    pub database_url: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
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
    config
}

/// A stand-in for Trunk's output: index.html and a hashed asset, each
/// with brotli and gzip siblings as xtask writes them.
fn write_dist(dist: &Path) {
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
        }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let resp = self.client.get(self.at(path)).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    pub async fn post_batch(&self, body: &Value) -> (u16, Value) {
        let resp = self
            .client
            .post(self.at("/api/v1/responses"))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
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

/// A complete, valid kiosk response to questionnaire "lobby" v1.
pub fn kiosk_response(id: &str) -> Value {
    json!({
        "id": id,
        "questionnaire_id": "lobby",
        "questionnaire_version": 1,
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
            "worth_it": {"type": "rating", "value": 4},
            "confidence": {"type": "rating", "value": 5},
            "recommend": {"type": "nps", "value": 9},
            "comment": {"type": "text", "value": "Quick and friendly."}
        }
    })
}
