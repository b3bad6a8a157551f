//! The SQLite queries of `store::access`. Times are stored as fixed-width
//! UTC text (see `sqlite.rs`), so they compare correctly as text.

use super::access::{
    detail_of, kind_label, kind_of, role_label, role_of, Attempt, DeviceRow, LockPolicy,
    SessionRow, UserRow, UserUpdate, UserUpdated, SEEN_GRANULARITY,
};
use super::sqlite::{timestamp, visit_of, SqliteStore};
use super::{StoreError, VisitRecord};
use branchpulse_core::access::{AuditEntry, User};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

const USER: &str = "id, username, password_hash, role, branch, region, active, created_at, \
     failed_logins, locked_until";

const DEVICE: &str = "id, kind, label, branch, shopper, code_expires_at, token_expires_at, \
     enrolled_at, last_seen_at, revoked_at, created_by, created_at";

fn time_of(text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("time \"{text}\": {e}")))
}

fn opt_time(row: &SqliteRow, column: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.as_deref().map(time_of).transpose()
}

fn uuid_of(text: &str) -> Result<Uuid, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("id \"{text}\": {e}")))
}

fn user_of(row: &SqliteRow) -> Result<UserRow, StoreError> {
    let id: String = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    let created: String = row.try_get("created_at")?;
    let failed: i64 = row.try_get("failed_logins")?;
    Ok(UserRow {
        user: User {
            id: uuid_of(&id)?,
            username: row.try_get("username")?,
            role: role_of(&role)?,
            branch: row.try_get("branch")?,
            region: row.try_get("region")?,
            active: row.try_get::<i64, _>("active")? != 0,
            created_at: super::access::rfc3339(time_of(&created)?),
        },
        password_hash: row.try_get("password_hash")?,
        failed_logins: u32::try_from(failed).unwrap_or(u32::MAX),
        locked_until: opt_time(row, "locked_until")?,
    })
}

fn device_of(row: &SqliteRow) -> Result<DeviceRow, StoreError> {
    let id: String = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let created: String = row.try_get("created_at")?;
    Ok(DeviceRow {
        id: uuid_of(&id)?,
        kind: kind_of(&kind)?,
        label: row.try_get("label")?,
        branch: row.try_get("branch")?,
        shopper: row.try_get("shopper")?,
        code_expires_at: opt_time(row, "code_expires_at")?,
        token_expires_at: opt_time(row, "token_expires_at")?,
        enrolled_at: opt_time(row, "enrolled_at")?,
        last_seen_at: opt_time(row, "last_seen_at")?,
        revoked_at: opt_time(row, "revoked_at")?,
        created_by: row.try_get("created_by")?,
        created_at: time_of(&created)?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl SqliteStore {
    pub(super) async fn add_user(&self, row: &UserRow) -> Result<bool, StoreError> {
        let created = time_of(&row.user.created_at)?;
        let result = sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, branch, region, active, \
             created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(row.user.id.to_string())
        .bind(&row.user.username)
        .bind(&row.password_hash)
        .bind(role_label(row.user.role))
        .bind(&row.user.branch)
        .bind(&row.user.region)
        .bind(i64::from(row.user.active))
        .bind(timestamp(created))
        .execute(self.pool())
        .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE username = ?"))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_of).transpose()
    }

    pub(super) async fn user(&self, id: Uuid) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE id = ?"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_of).transpose()
    }

    pub(super) async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {USER} FROM users ORDER BY username"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| user_of(r).map(|u| u.user)).collect()
    }

    pub(super) async fn has_active_admin(&self) -> Result<bool, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
                .fetch_one(self.pool())
                .await?;
        Ok(n > 0)
    }

    pub(super) async fn update_user(
        &self,
        id: Uuid,
        change: &UserUpdate,
    ) -> Result<UserUpdated, StoreError> {
        // The guarded UPDATE comes first: it takes SQLite's write lock, so
        // no other change runs between its check and its write.
        let mut tx = self.pool().begin().await?;
        let id_text = id.to_string();
        let (role, branch, region) = match &change.scope {
            Some((role, branch, region)) => {
                (Some(role_label(*role)), branch.clone(), region.clone())
            }
            None => (None, None, None),
        };
        let changed = sqlx::query(
            "UPDATE users SET active = COALESCE(?1, active), \
             role = CASE WHEN ?5 THEN ?2 ELSE role END, \
             branch = CASE WHEN ?5 THEN ?3 ELSE branch END, \
             region = CASE WHEN ?5 THEN ?4 ELSE region END \
             WHERE id = ?6 AND (NOT (role = 'admin' AND active = 1) \
             OR (COALESCE(?1, active) = 1 AND CASE WHEN ?5 THEN ?2 ELSE role END = 'admin') \
             OR EXISTS (SELECT 1 FROM users o \
                        WHERE o.role = 'admin' AND o.active = 1 AND o.id <> ?6))",
        )
        .bind(change.active.map(i64::from))
        .bind(role)
        .bind(branch)
        .bind(region)
        .bind(change.scope.is_some())
        .bind(&id_text)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM users WHERE id = ?")
                .bind(&id_text)
                .fetch_optional(&mut *tx)
                .await?;
            tx.rollback().await?;
            return Ok(if exists.is_some() {
                UserUpdated::LastAdmin
            } else {
                UserUpdated::NoSuchUser
            });
        }
        if let Some(hash) = &change.password_hash {
            sqlx::query(
                "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL \
                 WHERE id = ?",
            )
            .bind(hash)
            .bind(&id_text)
            .execute(&mut *tx)
            .await?;
        }
        if change.password_hash.is_some() || change.active == Some(false) {
            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                .bind(&id_text)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE id = ?"))
            .bind(&id_text)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(UserUpdated::Done(user_of(&row)?.user))
    }

    pub(super) async fn reserve_sign_in(
        &self,
        username: &str,
        now: OffsetDateTime,
        policy: LockPolicy,
    ) -> Result<Attempt, StoreError> {
        // The UPDATE comes first, so the transaction takes SQLite's write
        // lock at once and parallel attempts queue behind it.
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE users SET failed_logins = failed_logins + 1 \
             WHERE username = ? AND (locked_until IS NULL OR locked_until <= ?) \
             RETURNING {USER}"
        ))
        .bind(username)
        .bind(timestamp(now))
        .fetch_optional(&mut *tx)
        .await?;
        let attempt = match row {
            Some(row) => {
                let row = user_of(&row)?;
                let locked_until = policy(row.failed_logins).map(|lock| now + lock);
                if let Some(until) = locked_until {
                    sqlx::query("UPDATE users SET locked_until = ? WHERE id = ?")
                        .bind(timestamp(until))
                        .bind(row.user.id.to_string())
                        .execute(&mut *tx)
                        .await?;
                }
                Attempt::Reserved { row, locked_until }
            }
            None => {
                let until: Option<Option<String>> =
                    sqlx::query_scalar("SELECT locked_until FROM users WHERE username = ?")
                        .bind(username)
                        .fetch_optional(&mut *tx)
                        .await?;
                match until {
                    None => Attempt::Unknown,
                    Some(until) => {
                        Attempt::Locked(until.as_deref().map(time_of).transpose()?.unwrap_or(now))
                    }
                }
            }
        };
        tx.commit().await?;
        Ok(attempt)
    }

    pub(super) async fn login_succeeded(&self, id: Uuid) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?")
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub(super) async fn add_session(
        &self,
        token_hash: &str,
        user: Uuid,
        csrf: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        // Expired sessions go as new ones come, so the table stays small.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(timestamp(now))
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(user.to_string())
        .bind(csrf)
        .bind(timestamp(now))
        .bind(timestamp(expires_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub(super) async fn session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<SessionRow>, StoreError> {
        let columns = USER
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let row = sqlx::query(&format!(
            "SELECT {columns}, s.csrf, s.expires_at AS session_expires FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1"
        ))
        .bind(token_hash)
        .bind(timestamp(now))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: String = row.try_get("session_expires")?;
        Ok(Some(SessionRow {
            user: user_of(&row)?.user,
            csrf: row.try_get("csrf")?,
            expires_at: time_of(&expires)?,
        }))
    }

    pub(super) async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub(super) async fn add_device(
        &self,
        d: &DeviceRow,
        code_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO devices (id, kind, label, branch, shopper, code_hash, code_expires_at, \
             created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(d.id.to_string())
        .bind(kind_label(d.kind))
        .bind(&d.label)
        .bind(&d.branch)
        .bind(&d.shopper)
        .bind(code_hash)
        .bind(d.code_expires_at.map(timestamp))
        .bind(&d.created_by)
        .bind(timestamp(d.created_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub(super) async fn devices(&self) -> Result<Vec<DeviceRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {DEVICE} FROM devices ORDER BY created_at DESC, id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(device_of).collect()
    }

    pub(super) async fn device(&self, id: Uuid) -> Result<Option<DeviceRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {DEVICE} FROM devices WHERE id = ?"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(device_of).transpose()
    }

    pub(super) async fn new_device_code(
        &self,
        id: Uuid,
        code_hash: &str,
        expires_at: OffsetDateTime,
    ) -> Result<Option<DeviceRow>, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE devices SET code_hash = ?, code_expires_at = ?, token_hash = NULL, \
             token_expires_at = NULL, enrolled_at = NULL, revoked_at = NULL WHERE id = ? \
             RETURNING {DEVICE}"
        ))
        .bind(code_hash)
        .bind(timestamp(expires_at))
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(device_of).transpose()
    }

    pub(super) async fn enrol(
        &self,
        code_hash: &str,
        token_hash: &str,
        token_expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<DeviceRow>, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE devices SET token_hash = ?, token_expires_at = ?, enrolled_at = ?, \
             last_seen_at = ?, code_hash = NULL, code_expires_at = NULL \
             WHERE code_hash = ? AND code_expires_at > ? AND revoked_at IS NULL \
             RETURNING {DEVICE}"
        ))
        .bind(token_hash)
        .bind(timestamp(token_expires_at))
        .bind(timestamp(now))
        .bind(timestamp(now))
        .bind(code_hash)
        .bind(timestamp(now))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(device_of).transpose()
    }

    pub(super) async fn device_by_token(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<DeviceRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {DEVICE} FROM devices WHERE token_hash = ? AND token_expires_at > ? \
             AND revoked_at IS NULL"
        ))
        .bind(token_hash)
        .bind(timestamp(now))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(device_of).transpose()
    }

    pub(super) async fn device_seen(
        &self,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE devices SET last_seen_at = ? WHERE id = ? \
             AND (last_seen_at IS NULL OR last_seen_at < ?)",
        )
        .bind(timestamp(now))
        .bind(id.to_string())
        .bind(timestamp(now - SEEN_GRANULARITY))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub(super) async fn revoke_device(
        &self,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?), code_hash = NULL, \
             code_expires_at = NULL WHERE id = ?",
        )
        .bind(timestamp(now))
        .bind(id.to_string())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn audit(
        &self,
        now: OffsetDateTime,
        actor: &str,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(timestamp(now))
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(detail.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub(super) async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let at: String = row.try_get("at")?;
                let detail: String = row.try_get("detail")?;
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: super::access::rfc3339(time_of(&at)?),
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    target: row.try_get("target")?,
                    detail: detail_of(&detail),
                })
            })
            .collect()
    }

    pub(super) async fn visit(&self, id: Uuid) -> Result<Option<VisitRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, branch, scenario, questionnaire_id, due, created_at, shopper FROM visits \
             WHERE id = ?",
        )
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(visit_of).transpose()
    }

    pub(super) async fn shopper_visits(
        &self,
        shopper: &str,
    ) -> Result<Vec<VisitRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, branch, scenario, questionnaire_id, due, created_at, shopper FROM visits \
             WHERE shopper IS NULL OR shopper = ? ORDER BY due, created_at, id",
        )
        .bind(shopper)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(visit_of).collect()
    }
}
