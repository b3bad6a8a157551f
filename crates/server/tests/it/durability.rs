//! `accepted` survives a power cut: the SQLite store syncs every commit
//! (`synchronous=FULL` in WAL mode), and zeroes deleted content
//! (`secure_delete`), on every connection of its pool.

use crate::common;

use branchpulse_server::Server;

#[tokio::test]
async fn sqlite_commits_are_synced_and_deleted_content_zeroed() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let server = Server::bind(config).await.unwrap();
    let Some(pool) = server.state().store.sqlite_pool() else {
        panic!("the default store is SQLite");
    };
    // Several connections at once, so that more than one is opened.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(pool.acquire().await.unwrap());
    }
    for conn in &mut held {
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(synchronous, 2, "synchronous=FULL");
        let secure: i64 = sqlx::query_scalar("PRAGMA secure_delete")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(secure, 1, "secure_delete=ON");
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
