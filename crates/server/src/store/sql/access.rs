//! Accounts, sessions, enrolled devices and the audit log (docs/access.md).

use super::{get_id, get_opt_time, get_time, DbRow, Pool, B};
use crate::store::access::{
    detail_of, kind_label, kind_of, rfc3339, role_label, role_of, Attempt, DeviceRow, LockPolicy,
    SessionRow, UserRow, UserUpdate, UserUpdated, SEEN_GRANULARITY,
};
use crate::store::backend::Backend;
use crate::store::StoreError;
use branchpulse_core::access::{AuditEntry, DeviceReport, PinHash, User};
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

pub const USER: &str = "id, username, password_hash, role, branch, region, active, created_at, \
     failed_logins, locked_until";

pub const DEVICE: &str = "id, kind, label, branch, shopper, code_expires_at, token_expires_at, \
     enrolled_at, last_seen_at, revoked_at, created_by, created_at, pin_salt, pin_hash, report, \
     reported_at";

pub fn user_of(row: &DbRow) -> Result<UserRow, StoreError> {
    let role: String = row.try_get("role")?;
    let failed: i32 = row.try_get("failed_logins")?;
    Ok(UserRow {
        user: User {
            id: get_id(row, "id")?,
            username: row.try_get("username")?,
            role: role_of(&role)?,
            branch: row.try_get("branch")?,
            region: row.try_get("region")?,
            active: row.try_get("active")?,
            created_at: rfc3339(get_time(row, "created_at")?),
        },
        password_hash: row.try_get("password_hash")?,
        failed_logins: u32::try_from(failed).unwrap_or(0),
        locked_until: get_opt_time(row, "locked_until")?,
    })
}

pub fn device_of(row: &DbRow) -> Result<DeviceRow, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(DeviceRow {
        id: get_id(row, "id")?,
        kind: kind_of(&kind)?,
        label: row.try_get("label")?,
        branch: row.try_get("branch")?,
        shopper: row.try_get("shopper")?,
        code_expires_at: get_opt_time(row, "code_expires_at")?,
        token_expires_at: get_opt_time(row, "token_expires_at")?,
        enrolled_at: get_opt_time(row, "enrolled_at")?,
        last_seen_at: get_opt_time(row, "last_seen_at")?,
        revoked_at: get_opt_time(row, "revoked_at")?,
        created_by: row.try_get("created_by")?,
        created_at: get_time(row, "created_at")?,
        pin: match (row.try_get("pin_salt")?, row.try_get("pin_hash")?) {
            (Some(salt), Some(hash)) => Some(PinHash { salt, hash }),
            _ => None,
        },
        report: row
            .try_get::<Option<String>, _>("report")?
            .map(|text| {
                serde_json::from_str(&text)
                    .map_err(|e| StoreError::Corrupt(format!("device report \"{text}\": {e}")))
            })
            .transpose()?,
        reported_at: get_opt_time(row, "reported_at")?,
    })
}

fn created_at(user: &User) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(&user.created_at, &Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("created_at \"{}\": {e}", user.created_at)))
}

/// Store an account unless its id or its user name is taken; whether it
/// was. ON CONFLICT rather than catching the error: an error would abort a
/// transaction, and two replicas may create the first admin at once.
pub async fn insert_user(
    conn: &mut <B as sqlx::Database>::Connection,
    row: &UserRow,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, branch, region, active, \
         created_at, failed_logins, locked_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
    )
    .bind(B::id(row.user.id))
    .bind(&row.user.username)
    .bind(&row.password_hash)
    .bind(role_label(row.user.role))
    .bind(&row.user.branch)
    .bind(&row.user.region)
    .bind(row.user.active)
    .bind(B::time(created_at(&row.user)?))
    .bind(i32::try_from(row.failed_logins).unwrap_or(i32::MAX))
    .bind(row.locked_until.map(B::time))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn add_user(pool: &Pool, row: &UserRow) -> Result<bool, StoreError> {
    insert_user(&mut *pool.acquire().await?, row).await
}

pub async fn user_by_name(pool: &Pool, username: &str) -> Result<Option<UserRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE username = $1"))
        .bind(username)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(user_of).transpose()
}

pub async fn user(pool: &Pool, id: Uuid) -> Result<Option<UserRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE id = $1"))
        .bind(B::id(id))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(user_of).transpose()
}

/// By user name.
pub async fn users(pool: &Pool) -> Result<Vec<UserRow>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {USER} FROM users ORDER BY username"))
        .fetch_all(pool)
        .await?;
    rows.iter().map(user_of).collect()
}

pub async fn has_active_admin(pool: &Pool) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active")
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

pub async fn update_user(
    pool: &Pool,
    id: Uuid,
    change: &UserUpdate,
) -> Result<UserUpdated, StoreError> {
    let mut tx = pool.begin().await?;
    if let Some(lock) = B::SERIALIZE_ADMIN_CHANGES {
        if change.active.is_some() || change.scope.is_some() {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
    }
    let (role, branch, region) = match &change.scope {
        Some((role, branch, region)) => (Some(role_label(*role)), branch.clone(), region.clone()),
        None => (None, None, None),
    };
    // The check and the change are one statement: an account stays or
    // becomes an active admin, or another active admin remains.
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
    .bind(B::id(id))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM users WHERE id = $1")
            .bind(B::id(id))
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
        .bind(B::id(id))
        .execute(&mut *tx)
        .await?;
    }
    if change.password_hash.is_some() || change.active == Some(false) {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(B::id(id))
            .execute(&mut *tx)
            .await?;
    }
    let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE id = $1"))
        .bind(B::id(id))
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(UserUpdated::Done(user_of(&row)?.user))
}

/// The UPDATE comes first: it takes the row's lock (PostgreSQL, on any
/// replica) or the database's write lock (SQLite) at once, so parallel
/// attempts queue behind it, and one that waited re-reads the row and finds
/// the lock just set.
pub async fn reserve_sign_in(
    pool: &Pool,
    username: &str,
    now: OffsetDateTime,
    policy: LockPolicy,
) -> Result<Attempt, StoreError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(&format!(
        "UPDATE users SET failed_logins = failed_logins + 1 \
         WHERE username = $1 AND (locked_until IS NULL OR locked_until <= $2) \
         RETURNING {USER}"
    ))
    .bind(username)
    .bind(B::time(now))
    .fetch_optional(&mut *tx)
    .await?;
    let attempt = match row {
        Some(row) => {
            let row = user_of(&row)?;
            let locked_until = policy(row.failed_logins).map(|lock| now + lock);
            if let Some(until) = locked_until {
                sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
                    .bind(B::time(until))
                    .bind(B::id(row.user.id))
                    .execute(&mut *tx)
                    .await?;
            }
            Attempt::Reserved { row, locked_until }
        }
        None => {
            let row = sqlx::query("SELECT locked_until FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
            match row {
                None => Attempt::Unknown,
                Some(row) => Attempt::Locked(get_opt_time(&row, "locked_until")?.unwrap_or(now)),
            }
        }
    };
    tx.commit().await?;
    Ok(attempt)
}

pub async fn login_succeeded(pool: &Pool, id: Uuid) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(B::id(id))
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn add_session(
    pool: &Pool,
    token_hash: &str,
    user: Uuid,
    csrf: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), StoreError> {
    // Expired sessions go as new ones come, so the table stays small.
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(B::time(now))
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(B::id(user))
    .bind(csrf)
    .bind(B::time(now))
    .bind(B::time(expires_at))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn session(
    pool: &Pool,
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
    .bind(B::time(now))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(SessionRow {
        user: user_of(&row)?.user,
        csrf: row.try_get("csrf")?,
        expires_at: get_time(&row, "session_expires")?,
    }))
}

pub async fn end_session(pool: &Pool, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn add_device(pool: &Pool, d: &DeviceRow, code_hash: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO devices (id, kind, label, branch, shopper, code_hash, code_expires_at, \
         created_by, created_at, pin_salt, pin_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(B::id(d.id))
    .bind(kind_label(d.kind))
    .bind(&d.label)
    .bind(&d.branch)
    .bind(&d.shopper)
    .bind(code_hash)
    .bind(d.code_expires_at.map(B::time))
    .bind(&d.created_by)
    .bind(B::time(d.created_at))
    .bind(d.pin.as_ref().map(|p| &p.salt))
    .bind(d.pin.as_ref().map(|p| &p.hash))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn devices(pool: &Pool) -> Result<Vec<DeviceRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {DEVICE} FROM devices ORDER BY created_at DESC, id"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(device_of).collect()
}

pub async fn device(pool: &Pool, id: Uuid) -> Result<Option<DeviceRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {DEVICE} FROM devices WHERE id = $1"))
        .bind(B::id(id))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(device_of).transpose()
}

pub async fn new_device_code(
    pool: &Pool,
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
    .bind(B::time(expires_at))
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(device_of).transpose()
}

pub async fn enrol(
    pool: &Pool,
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
    .bind(B::time(token_expires_at))
    .bind(B::time(now))
    .bind(code_hash)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(device_of).transpose()
}

pub async fn device_by_token(
    pool: &Pool,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<DeviceRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {DEVICE} FROM devices WHERE token_hash = $1 AND token_expires_at > $2 \
         AND revoked_at IS NULL"
    ))
    .bind(token_hash)
    .bind(B::time(now))
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(device_of).transpose()
}

pub async fn device_seen(pool: &Pool, id: Uuid, now: OffsetDateTime) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE devices SET last_seen_at = $1 WHERE id = $2 \
         AND (last_seen_at IS NULL OR last_seen_at < $3)",
    )
    .bind(B::time(now))
    .bind(B::id(id))
    .bind(B::time(now - SEEN_GRANULARITY))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn set_device_pin(pool: &Pool, id: Uuid, pin: &PinHash) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE devices SET pin_salt = $1, pin_hash = $2 WHERE id = $3")
        .bind(&pin.salt)
        .bind(&pin.hash)
        .bind(B::id(id))
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn device_report(
    pool: &Pool,
    id: Uuid,
    report: &DeviceReport,
    now: OffsetDateTime,
) -> Result<Option<DeviceRow>, StoreError> {
    let text = serde_json::to_string(report)
        .map_err(|e| StoreError::Corrupt(format!("device report: {e}")))?;
    let row = sqlx::query(&format!(
        "UPDATE devices SET report = $1, reported_at = $2, last_seen_at = $2 WHERE id = $3 \
         AND revoked_at IS NULL AND token_expires_at > $2 RETURNING {DEVICE}"
    ))
    .bind(text)
    .bind(B::time(now))
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(device_of).transpose()
}

pub async fn revoke_device(pool: &Pool, id: Uuid, now: OffsetDateTime) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1), code_hash = NULL, \
         code_expires_at = NULL WHERE id = $2",
    )
    .bind(B::time(now))
    .bind(B::id(id))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn audit(
    pool: &Pool,
    now: OffsetDateTime,
    actor: &str,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    audit_in(
        &mut *pool.acquire().await?,
        now,
        actor,
        action,
        target,
        detail,
    )
    .await
}

/// An audit-log line written in the caller's transaction, so that it and
/// the change it tells of are kept or lost together.
pub async fn audit_in(
    conn: &mut <B as sqlx::Database>::Connection,
    now: OffsetDateTime,
    actor: &str,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(B::time(now))
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn audit_log(pool: &Pool, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let detail: String = row.try_get("detail")?;
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: rfc3339(get_time(row, "at")?),
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
                detail: detail_of(&detail),
            })
        })
        .collect()
}
