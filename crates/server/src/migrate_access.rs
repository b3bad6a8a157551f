//! The accounts side of moving from SQLite to PostgreSQL: users, devices
//! (with the hashes of their tokens and pending codes, so enrolled tablets
//! keep working) and the audit log. Sessions are not copied: people sign in
//! again on the new server.
//!
//! Rows are inserted unless one with the same key exists (safe to run
//! again). A user whose name is taken by another account in PostgreSQL
//! (for example the `admin` a first start there made) is skipped and
//! counted, never merged.

use crate::store::postgres::PostgresStore;
use crate::store::sqlite::SqliteStore;
use crate::store::StoreError;
use sqlx::Row;
use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

/// What the account copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountsReport {
    pub users_copied: u64,
    /// Users whose name another account holds in PostgreSQL.
    pub users_skipped: Vec<String>,
    pub devices_copied: u64,
    pub audit_copied: u64,
}

impl fmt::Display for AccountsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "accounts: {} copied; devices: {} copied; audit log lines: {} copied",
            self.users_copied, self.devices_copied, self.audit_copied
        )?;
        if !self.users_skipped.is_empty() {
            write!(
                f,
                "; not copied, the name is taken in PostgreSQL: {}",
                self.users_skipped.join(", ")
            )?;
        }
        Ok(())
    }
}

fn time(text: Option<String>) -> Result<Option<OffsetDateTime>, StoreError> {
    text.map(|t| {
        OffsetDateTime::parse(&t, &Rfc3339)
            .map_err(|e| StoreError::Corrupt(format!("time \"{t}\": {e}")))
    })
    .transpose()
}

fn uuid(text: &str) -> Result<Uuid, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("id \"{text}\": {e}")))
}

pub async fn copy_accounts(
    source: &SqliteStore,
    target: &PostgresStore,
) -> Result<AccountsReport, StoreError> {
    let mut report = AccountsReport::default();
    let mut tx = target.pool().begin().await?;

    let users = sqlx::query(
        "SELECT id, username, password_hash, role, branch, region, active, created_at, \
         failed_logins, locked_until FROM users ORDER BY created_at, id",
    )
    .fetch_all(source.pool())
    .await?;
    for u in &users {
        let id: String = u.try_get("id")?;
        let username: String = u.try_get("username")?;
        let failed: i64 = u.try_get("failed_logins")?;
        let done = sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, branch, region, active, \
             created_at, failed_logins, locked_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        )
        .bind(uuid(&id)?)
        .bind(&username)
        .bind(u.try_get::<String, _>("password_hash")?)
        .bind(u.try_get::<String, _>("role")?)
        .bind(u.try_get::<Option<String>, _>("branch")?)
        .bind(u.try_get::<Option<String>, _>("region")?)
        .bind(u.try_get::<i64, _>("active")? != 0)
        .bind(time(Some(u.try_get("created_at")?))?)
        .bind(i32::try_from(failed).unwrap_or(i32::MAX))
        .bind(time(u.try_get("locked_until")?)?)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            report.users_copied += 1;
        } else {
            let same: Option<Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                .bind(&username)
                .fetch_optional(&mut *tx)
                .await?;
            if same != Some(uuid(&id)?) {
                report.users_skipped.push(username);
            }
        }
    }

    let devices = sqlx::query(
        "SELECT id, kind, label, branch, shopper, code_hash, code_expires_at, token_hash, \
         token_expires_at, enrolled_at, last_seen_at, revoked_at, created_by, created_at \
         FROM devices ORDER BY created_at, id",
    )
    .fetch_all(source.pool())
    .await?;
    for d in &devices {
        let id: String = d.try_get("id")?;
        let done = sqlx::query(
            "INSERT INTO devices (id, kind, label, branch, shopper, code_hash, code_expires_at, \
             token_hash, token_expires_at, enrolled_at, last_seen_at, revoked_at, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT DO NOTHING",
        )
        .bind(uuid(&id)?)
        .bind(d.try_get::<String, _>("kind")?)
        .bind(d.try_get::<String, _>("label")?)
        .bind(d.try_get::<Option<String>, _>("branch")?)
        .bind(d.try_get::<Option<String>, _>("shopper")?)
        .bind(d.try_get::<Option<String>, _>("code_hash")?)
        .bind(time(d.try_get("code_expires_at")?)?)
        .bind(d.try_get::<Option<String>, _>("token_hash")?)
        .bind(time(d.try_get("token_expires_at")?)?)
        .bind(time(d.try_get("enrolled_at")?)?)
        .bind(time(d.try_get("last_seen_at")?)?)
        .bind(time(d.try_get("revoked_at")?)?)
        .bind(d.try_get::<String, _>("created_by")?)
        .bind(time(Some(d.try_get("created_at")?))?)
        .execute(&mut *tx)
        .await?;
        report.devices_copied += done.rows_affected();
    }

    let audit =
        sqlx::query("SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id")
            .fetch_all(source.pool())
            .await?;
    for a in &audit {
        let done = sqlx::query(
            "INSERT INTO audit_log (id, at, actor, action, target, detail) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(a.try_get::<i64, _>("id")?)
        .bind(time(Some(a.try_get("at")?))?)
        .bind(a.try_get::<String, _>("actor")?)
        .bind(a.try_get::<String, _>("action")?)
        .bind(a.try_get::<String, _>("target")?)
        .bind(a.try_get::<String, _>("detail")?)
        .execute(&mut *tx)
        .await?;
        report.audit_copied += done.rows_affected();
    }
    // Lines written later continue after the copied ids.
    sqlx::query(
        "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), \
         GREATEST((SELECT MAX(id) FROM audit_log), 1))",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(report)
}
