//! Accounts, sessions, enrolled devices and the audit log: the storage side
//! of docs/access.md. This file holds the rows and the methods; the queries
//! are in `sql/access.rs`.
//!
//! Secrets never reach the store in clear: session tokens, device tokens and
//! enrolment codes arrive as SHA-256 hashes, passwords as argon2id strings.

use super::{Store, StoreError};
use branchpulse_core::access::{
    AuditEntry, Device, DeviceKind, DeviceReport, DeviceStatus, PinHash, Role, User,
    SILENT_AFTER_HOURS,
};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// A user account with what only the server sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: u32,
    pub locked_until: Option<OffsetDateTime>,
}

/// A signed-in session, found by its token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user: User,
    pub csrf: String,
    pub expires_at: OffsetDateTime,
}

/// A device as stored (its code and token only as hashes, not read back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub id: Uuid,
    pub kind: DeviceKind,
    pub label: String,
    pub branch: Option<String>,
    pub shopper: Option<String>,
    pub code_expires_at: Option<OffsetDateTime>,
    pub token_expires_at: Option<OffsetDateTime>,
    pub enrolled_at: Option<OffsetDateTime>,
    pub last_seen_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    /// A kiosk's staff PIN as salt and hash, once an admin set one.
    pub pin: Option<PinHash>,
    /// The last status report, as the device sent it.
    pub report: Option<DeviceReport>,
    /// When the last report came, by the server's clock.
    pub reported_at: Option<OffsetDateTime>,
}

impl DeviceRow {
    pub fn status(&self, now: OffsetDateTime) -> DeviceStatus {
        if self.revoked_at.is_some() {
            return DeviceStatus::Revoked;
        }
        match (self.token_expires_at, self.code_expires_at) {
            (Some(t), _) if t > now => DeviceStatus::Enrolled,
            (None, Some(c)) if c > now => DeviceStatus::Pending,
            _ => DeviceStatus::Expired,
        }
    }

    /// The device as the API shows it.
    pub fn to_api(&self, now: OffsetDateTime) -> Device {
        Device {
            id: self.id,
            kind: self.kind,
            label: self.label.clone(),
            branch: self.branch.clone(),
            shopper: self.shopper.clone(),
            status: self.status(now),
            created_at: rfc3339(self.created_at),
            enrolled_at: self.enrolled_at.map(rfc3339),
            last_seen_at: self.last_seen_at.map(rfc3339),
            expires_at: self.token_expires_at.or(self.code_expires_at).map(rfc3339),
            pin_set: self.pin.is_some(),
            report: self.report.clone(),
            reported_at: self.reported_at.map(rfc3339),
            silent: self.silent(now),
        }
    }

    /// Enrolled, and not heard from for more than [`SILENT_AFTER_HOURS`]:
    /// a kiosk that was unplugged or lost its network says nothing itself,
    /// so its admin learns of it from here. A device not yet seen since
    /// enrolment counts from its enrolment.
    pub fn silent(&self, now: OffsetDateTime) -> bool {
        self.status(now) == DeviceStatus::Enrolled
            && self
                .last_seen_at
                .or(self.enrolled_at)
                .is_some_and(|seen| now - seen > Duration::hours(SILENT_AFTER_HOURS))
    }
}

/// What `PATCH /users/{id}` changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserUpdate {
    pub active: Option<bool>,
    /// A new argon2id hash.
    pub password_hash: Option<String>,
    /// A new role with its branch and region (checked by the caller).
    pub scope: Option<(Role, Option<String>, Option<String>)>,
}

/// What became of a [`UserUpdate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserUpdated {
    Done(User),
    NoSuchUser,
    /// Refused: the account is the last active admin, and the change would
    /// deactivate or demote it. Nothing was written.
    LastAdmin,
}

/// A sign-in attempt as reserved in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// No account has this name.
    Unknown,
    /// The account is locked until then; nothing was counted.
    Locked(OffsetDateTime),
    /// Counted as a failure in advance (a success clears it); `locked_until`
    /// is the lock this failure set, if any.
    Reserved {
        row: UserRow,
        locked_until: Option<OffsetDateTime>,
    },
}

/// How long an account is locked after its `n`th failed sign-in in a row.
pub type LockPolicy = fn(u32) -> Option<Duration>;

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

pub(super) fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Regional => "regional",
        Role::Manager => "manager",
        Role::Reviewer => "reviewer",
    }
}

pub(super) fn role_of(label: &str) -> Result<Role, StoreError> {
    match label {
        "admin" => Ok(Role::Admin),
        "regional" => Ok(Role::Regional),
        "manager" => Ok(Role::Manager),
        "reviewer" => Ok(Role::Reviewer),
        other => Err(StoreError::Corrupt(format!("role \"{other}\""))),
    }
}

pub(super) fn kind_label(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Kiosk => "kiosk",
        DeviceKind::Shopper => "shopper",
    }
}

pub(super) fn kind_of(label: &str) -> Result<DeviceKind, StoreError> {
    match label {
        "kiosk" => Ok(DeviceKind::Kiosk),
        "shopper" => Ok(DeviceKind::Shopper),
        other => Err(StoreError::Corrupt(format!("device kind \"{other}\""))),
    }
}

pub(super) fn detail_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
}

/// Only write `last_seen_at` when the stored one is older than this, so a
/// busy device does not write on every request.
pub const SEEN_GRANULARITY: Duration = Duration::minutes(1);

impl Store {
    /// Store a new account; `false` if its user name is taken (then nothing
    /// is written).
    pub async fn add_user(&self, row: &UserRow) -> Result<bool, StoreError> {
        dispatch!(self, access::add_user(row))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        dispatch!(self, access::user_by_name(username))
    }

    pub async fn user(&self, id: Uuid) -> Result<Option<UserRow>, StoreError> {
        dispatch!(self, access::user(id))
    }

    /// Every account, by user name.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = dispatch!(self, access::users())?;
        Ok(rows.into_iter().map(|row| row.user).collect())
    }

    pub async fn has_active_admin(&self) -> Result<bool, StoreError> {
        dispatch!(self, access::has_active_admin())
    }

    /// Change an account; a new password or deactivation ends its sessions
    /// (in the same transaction), and a new password clears the sign-in
    /// back-off. The last active admin is never deactivated nor demoted:
    /// the check and the change are one statement, under a lock that
    /// orders such changes (SQLite's write lock, a PostgreSQL advisory
    /// lock), so two admins removing each other at once leave one.
    pub async fn update_user(
        &self,
        id: Uuid,
        change: &UserUpdate,
    ) -> Result<UserUpdated, StoreError> {
        dispatch!(self, access::update_user(id, change))
    }

    /// Reserve a sign-in attempt on `username` before its password is
    /// checked: unless the account is locked, count it as a failure (and
    /// lock the account if `policy` says so) in one transaction that holds
    /// the row's write lock, so parallel attempts are counted one by one
    /// and those beyond the lock are refused before any check.
    pub async fn reserve_sign_in(
        &self,
        username: &str,
        now: OffsetDateTime,
        policy: LockPolicy,
    ) -> Result<Attempt, StoreError> {
        dispatch!(self, access::reserve_sign_in(username, now, policy))
    }

    /// A good sign-in: the back-off starts again from zero.
    pub async fn login_succeeded(&self, id: Uuid) -> Result<(), StoreError> {
        dispatch!(self, access::login_succeeded(id))
    }

    pub async fn add_session(
        &self,
        token_hash: &str,
        user: Uuid,
        csrf: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            access::add_session(token_hash, user, csrf, now, expires_at)
        )
    }

    /// The session with this token hash, if it has not expired and its
    /// account is active.
    pub async fn session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<SessionRow>, StoreError> {
        dispatch!(self, access::session(token_hash, now))
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        dispatch!(self, access::end_session(token_hash))
    }

    /// Store a new device with its pending enrolment code.
    pub async fn add_device(&self, row: &DeviceRow, code_hash: &str) -> Result<(), StoreError> {
        dispatch!(self, access::add_device(row, code_hash))
    }

    /// Every device, newest first.
    pub async fn devices(&self) -> Result<Vec<DeviceRow>, StoreError> {
        dispatch!(self, access::devices())
    }

    pub async fn device(&self, id: Uuid) -> Result<Option<DeviceRow>, StoreError> {
        dispatch!(self, access::device(id))
    }

    /// Give a device a new one-time code: its token (if any) stops working
    /// and a revoked device may enrol again. `None` if there is no such device.
    pub async fn new_device_code(
        &self,
        id: Uuid,
        code_hash: &str,
        expires_at: OffsetDateTime,
    ) -> Result<Option<DeviceRow>, StoreError> {
        dispatch!(self, access::new_device_code(id, code_hash, expires_at))
    }

    /// Exchange a pending, unexpired code for a token, at most once: the
    /// code is cleared in the same statement. `None` for an unknown, used or
    /// expired code.
    pub async fn enrol(
        &self,
        code_hash: &str,
        token_hash: &str,
        token_expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<DeviceRow>, StoreError> {
        dispatch!(
            self,
            access::enrol(code_hash, token_hash, token_expires_at, now)
        )
    }

    /// The device holding this token, if it is neither revoked nor expired.
    pub async fn device_by_token(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<DeviceRow>, StoreError> {
        dispatch!(self, access::device_by_token(token_hash, now))
    }

    /// Note that a device was seen (at most one write per [`SEEN_GRANULARITY`]).
    pub async fn device_seen(&self, id: Uuid, now: OffsetDateTime) -> Result<(), StoreError> {
        dispatch!(self, access::device_seen(id, now))
    }

    /// Set a device's staff PIN (salt and hash); `false` if there is no
    /// such device.
    pub async fn set_device_pin(&self, id: Uuid, pin: &PinHash) -> Result<bool, StoreError> {
        dispatch!(self, access::set_device_pin(id, pin))
    }

    /// Keep a device's status report, received `now`, which is also when it
    /// was last seen; the device as it is then, `None` (nothing written) if
    /// there is no such device or its token is revoked or expired.
    pub async fn device_report(
        &self,
        id: Uuid,
        report: &DeviceReport,
        now: OffsetDateTime,
    ) -> Result<Option<DeviceRow>, StoreError> {
        dispatch!(self, access::device_report(id, report, now))
    }

    /// Revoke a device; `false` if there is no such device.
    pub async fn revoke_device(&self, id: Uuid, now: OffsetDateTime) -> Result<bool, StoreError> {
        dispatch!(self, access::revoke_device(id, now))
    }

    /// Add a line to the audit log. `actor` is `user:<name>`, `device:<id>`
    /// or `system`; `detail` must never hold a password, token or code.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc();
        dispatch!(self, access::audit(now, actor, action, target, &detail))
    }

    /// The latest `limit` lines of the audit log, newest first.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        dispatch!(self, access::audit_log(limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(now: OffsetDateTime) -> DeviceRow {
        DeviceRow {
            id: Uuid::nil(),
            kind: DeviceKind::Kiosk,
            label: "Lobby".into(),
            branch: Some("N01".into()),
            shopper: None,
            code_expires_at: Some(now + Duration::hours(1)),
            token_expires_at: None,
            enrolled_at: None,
            last_seen_at: None,
            revoked_at: None,
            created_by: "admin".into(),
            created_at: now,
            pin: None,
            report: None,
            reported_at: None,
        }
    }

    #[test]
    fn a_device_status_follows_its_code_token_and_revocation() {
        let now = OffsetDateTime::now_utc();
        let mut d = device(now);
        assert_eq!(d.status(now), DeviceStatus::Pending);
        assert_eq!(d.status(now + Duration::hours(2)), DeviceStatus::Expired);
        d.code_expires_at = None;
        d.token_expires_at = Some(now + Duration::days(1));
        assert_eq!(d.status(now), DeviceStatus::Enrolled);
        assert_eq!(d.status(now + Duration::days(2)), DeviceStatus::Expired);
        d.revoked_at = Some(now);
        assert_eq!(d.status(now), DeviceStatus::Revoked);
    }

    #[test]
    fn only_an_enrolled_device_unheard_of_for_a_day_is_silent() {
        let now = OffsetDateTime::now_utc();
        let day = Duration::hours(SILENT_AFTER_HOURS);
        let mut d = device(now - day * 3);
        assert!(!d.silent(now), "pending: not expected to call yet");
        d.code_expires_at = None;
        d.token_expires_at = Some(now + day * 30);
        d.enrolled_at = Some(now - day * 2);
        assert!(d.silent(now), "never seen since its enrolment two days ago");
        d.last_seen_at = Some(now - day + Duration::minutes(1));
        assert!(!d.silent(now));
        d.last_seen_at = Some(now - day - Duration::minutes(1));
        assert!(d.silent(now));
        d.revoked_at = Some(now);
        assert!(!d.silent(now), "revoked: nobody expects to hear from it");
    }
}
