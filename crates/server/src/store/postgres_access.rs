//! The PostgreSQL queries of `store::access`.

use super::access::{
    detail_of, kind_label, kind_of, rfc3339, role_label, role_of, Attempt, DeviceRow, LockPolicy,
    SessionRow, UserRow, UserUpdate, UserUpdated, SEEN_GRANULARITY,
};
use super::postgres::{visit_of, PostgresStore};
use super::{StoreError, VisitRecord};
use branchpulse_core::access::{AuditEntry, User};
use sqlx::postgres::PgRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

const USER: &str = "id, username, password_hash, role, branch, region, active, created_at, \
     failed_logins, locked_until";

const DEVICE: &str = "id, kind, label, branch, shopper, code_expires_at, token_expires_at, \
     enrolled_at, last_seen_at, revoked_at, created_by, created_at";

/// The advisory lock key of account changes that may remove an admin.
const ADMIN_CHANGE_LOCK: i64 = 0x4250_5f61_646d_696e; // "BP_admin"

fn user_of(row: &PgRow) -> Result<UserRow, StoreError> {
    let role: String = row.try_get("role")?;
    let failed: i32 = row.try_get("failed_logins")?;
    Ok(UserRow {
        user: User {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            role: role_of(&role)?,
            branch: row.try_get("branch")?,
            region: row.try_get("region")?,
            active: row.try_get("active")?,
            created_at: rfc3339(row.try_get("created_at")?),
        },
        password_hash: row.try_get("password_hash")?,
        failed_logins: u32::try_from(failed).unwrap_or(0),
        locked_until: row.try_get("locked_until")?,
    })
}

fn device_of(row: &PgRow) -> Result<DeviceRow, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(DeviceRow {
        id: row.try_get("id")?,
        kind: kind_of(&kind)?,
        label: row.try_get("label")?,
        branch: row.try_get("branch")?,
        shopper: row.try_get("shopper")?,
        code_expires_at: row.try_get("code_expires_at")?,
        token_expires_at: row.try_get("token_expires_at")?,
        enrolled_at: row.try_get("enrolled_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        revoked_at: row.try_get("revoked_at")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl PostgresStore {
    pub(super) async fn add_user(&self, row: &UserRow) -> Result<bool, StoreError> {
        let created = OffsetDateTime::parse(&row.user.created_at, &Rfc3339)
            .map_err(|e| StoreError::Corrupt(format!("created_at: {e}")))?;
        // ON CONFLICT rather than catching the error: an error would abort
        // a transaction, and two replicas may create the first admin at once.
        let done = sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, branch, region, active, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username) DO NOTHING",
        )
        .bind(row.user.id)
        .bind(&row.user.username)
        .bind(&row.password_hash)
        .bind(role_label(row.user.role))
        .bind(&row.user.branch)
        .bind(&row.user.region)
        .bind(row.user.active)
        .bind(created)
        .execute(self.pool())
        .await;
        match done {
            Ok(done) => Ok(done.rows_affected() == 1),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE username = $1"))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_of).transpose()
    }

    pub(super) async fn user(&self, id: Uuid) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE id = $1"))
            .bind(id)
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
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active")
                .fetch_one(self.pool())
                .await?;
        Ok(n > 0)
    }

    pub(super) async fn update_user(
        &self,
        id: Uuid,
        change: &UserUpdate,
    ) -> Result<UserUpdated, StoreError> {
        let mut tx = self.pool().begin().await?;
        // Changes that may remove an admin run one at a time, each seeing
        // the ones before it committed (READ COMMITTED takes a new snapshot
        // per statement, after the lock is granted).
        if change.active.is_some() || change.scope.is_some() {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(ADMIN_CHANGE_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        let (role, branch, region) = match &change.scope {
            Some((role, branch, region)) => {
                (Some(role_label(*role)), branch.clone(), region.clone())
            }
            None => (None, None, None),
        };
        let changed = sqlx::query(
            "UPDATE users SET active = COALESCE($1, active), \
             role = CASE WHEN $5 THEN $2 ELSE role END, \
             branch = CASE WHEN $5 THEN $3 ELSE branch END, \
             region = CASE WHEN $5 THEN $4 ELSE region END \
             WHERE id = $6 AND (NOT (role = 'admin' AND active) \
             OR (COALESCE($1, active) AND CASE WHEN $5 THEN $2 ELSE role END = 'admin') \
             OR EXISTS (SELECT 1 FROM users o \
                        WHERE o.role = 'admin' AND o.active AND o.id <> $6))",
        )
        .bind(change.active)
        .bind(role)
        .bind(branch)
        .bind(region)
        .bind(change.scope.is_some())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM users WHERE id = $1")
                .bind(id)
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
                "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL \
                 WHERE id = $2",
            )
            .bind(hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        if change.password_hash.is_some() || change.active == Some(false) {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE id = $1"))
            .bind(id)
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
        // The UPDATE's row lock orders parallel attempts (on any replica);
        // one that waited re-reads the row and finds the lock just set.
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE users SET failed_logins = failed_logins + 1 \
             WHERE username = $1 AND (locked_until IS NULL OR locked_until <= $2) \
             RETURNING {USER}"
        ))
        .bind(username)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let attempt = match row {
            Some(row) => {
                let row = user_of(&row)?;
                let locked_until = policy(row.failed_logins).map(|lock| now + lock);
                if let Some(until) = locked_until {
                    sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
                        .bind(until)
                        .bind(row.user.id)
                        .execute(&mut *tx)
                        .await?;
                }
                Attempt::Reserved { row, locked_until }
            }
            None => {
                let until: Option<Option<OffsetDateTime>> =
                    sqlx::query_scalar("SELECT locked_until FROM users WHERE username = $1")
                        .bind(username)
                        .fetch_optional(&mut *tx)
                        .await?;
                match until {
                    None => Attempt::Unknown,
                    Some(until) => Attempt::Locked(until.unwrap_or(now)),
                }
            }
        };
        tx.commit().await?;
        Ok(attempt)
    }

    pub(super) async fn login_succeeded(&self, id: Uuid) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
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
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user)
        .bind(csrf)
        .bind(now)
        .bind(expires_at)
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
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionRow {
            user: user_of(&row)?.user,
            csrf: row.try_get("csrf")?,
            expires_at: row.try_get("session_expires")?,
        }))
    }

    pub(super) async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
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
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(d.id)
        .bind(kind_label(d.kind))
        .bind(&d.label)
        .bind(&d.branch)
        .bind(&d.shopper)
        .bind(code_hash)
        .bind(d.code_expires_at)
        .bind(&d.created_by)
        .bind(d.created_at)
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
        let row = sqlx::query(&format!("SELECT {DEVICE} FROM devices WHERE id = $1"))
            .bind(id)
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
            "UPDATE devices SET code_hash = $1, code_expires_at = $2, token_hash = NULL, \
             token_expires_at = NULL, enrolled_at = NULL, revoked_at = NULL WHERE id = $3 \
             RETURNING {DEVICE}"
        ))
        .bind(code_hash)
        .bind(expires_at)
        .bind(id)
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
            "UPDATE devices SET token_hash = $1, token_expires_at = $2, enrolled_at = $3, \
             last_seen_at = $3, code_hash = NULL, code_expires_at = NULL \
             WHERE code_hash = $4 AND code_expires_at > $3 AND revoked_at IS NULL \
             RETURNING {DEVICE}"
        ))
        .bind(token_hash)
        .bind(token_expires_at)
        .bind(now)
        .bind(code_hash)
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
            "SELECT {DEVICE} FROM devices WHERE token_hash = $1 AND token_expires_at > $2 \
             AND revoked_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now)
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
            "UPDATE devices SET last_seen_at = $1 WHERE id = $2 \
             AND (last_seen_at IS NULL OR last_seen_at < $3)",
        )
        .bind(now)
        .bind(id)
        .bind(now - SEEN_GRANULARITY)
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
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1), code_hash = NULL, \
             code_expires_at = NULL WHERE id = $2",
        )
        .bind(now)
        .bind(id)
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
            "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now)
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
            "SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let detail: String = row.try_get("detail")?;
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: rfc3339(row.try_get("at")?),
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
             WHERE id = $1",
        )
        .bind(id)
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
             WHERE shopper IS NULL OR shopper = $1 ORDER BY due, created_at, id",
        )
        .bind(shopper)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(visit_of).collect()
    }
}
