//! The first admin, made at start-up when the database has none, and the
//! command-line password reset for a lost password. There is no default
//! password anywhere: it comes from `BRANCHPULSE_ADMIN_PASSWORD` or is
//! generated and printed once.

use super::{password, secret};
use crate::store::access::{rfc3339, UserRow, UserUpdate};
use crate::store::{Store, StoreError};
use branchpulse_core::access::{check_password, Role, User};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// The first admin's user name.
pub const FIRST_ADMIN: &str = "admin";

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("BRANCHPULSE_ADMIN_PASSWORD will not do for the first admin: {0}")]
    WeakPassword(String),
    #[error("no account \"{0}\"")]
    NoSuchUser(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Hash(String),
}

async fn hash(password: String) -> Result<String, AccountError> {
    password::hash(password)
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Make the account `admin` when no active admin exists, with `given` as
/// its password or a generated one printed once. Replicas starting
/// together race harmlessly: only one insert wins the user name.
/// Returns whether this call made it.
pub async fn ensure_admin(store: &Store, given: Option<&str>) -> Result<bool, AccountError> {
    if store.has_active_admin().await? {
        return Ok(false);
    }
    if let Some(p) = given {
        check_password(p, FIRST_ADMIN).map_err(|e| AccountError::WeakPassword(e.to_string()))?;
    }
    if let Some(existing) = store.user_by_name(FIRST_ADMIN).await? {
        // An account called admin exists but is no active admin: leave it
        // to `reset-password` rather than take it over silently.
        tracing::warn!(
            user = %existing.user.username,
            "no active admin, and the account \"admin\" is not one; \
             run `branchpulse-server reset-password <user>` for an admin account"
        );
        return Ok(false);
    }
    let generated = given.is_none().then(secret::password);
    let password = given
        .map(str::to_owned)
        .or(generated.clone())
        .unwrap_or_default();
    let row = UserRow {
        user: User {
            id: Uuid::new_v4(),
            username: FIRST_ADMIN.into(),
            role: Role::Admin,
            branch: None,
            region: None,
            active: true,
            created_at: rfc3339(OffsetDateTime::now_utc()),
        },
        password_hash: hash(password).await?,
        failed_logins: 0,
        locked_until: None,
    };
    if !store.add_user(&row).await? {
        return Ok(false);
    }
    store
        .audit(
            "system",
            "user.create",
            FIRST_ADMIN,
            json!({"role": "admin", "first_run": true}),
        )
        .await?;
    match generated {
        Some(p) => print_password("First start: created the admin account.", FIRST_ADMIN, &p),
        None => tracing::info!("created the admin account with BRANCHPULSE_ADMIN_PASSWORD"),
    }
    Ok(true)
}

/// Give `username` a new generated password, end its sessions and lift its
/// sign-in lock; the password is returned to be printed.
pub async fn reset_password(store: &Store, username: &str) -> Result<Reset, AccountError> {
    let user = store
        .user_by_name(username)
        .await?
        .ok_or_else(|| AccountError::NoSuchUser(username.to_owned()))?;
    let password = secret::password();
    // A reset is how an operator gets back in: a deactivated account (the
    // last admin's, say) that gets a new password is active again.
    let reactivated = !user.user.active;
    let change = UserUpdate {
        active: reactivated.then_some(true),
        password_hash: Some(hash(password.clone()).await?),
        scope: None,
    };
    store.update_user(user.user.id, &change).await?;
    store
        .audit(
            "system",
            "user.reset_password",
            username,
            json!({ "reactivated": reactivated }),
        )
        .await?;
    Ok(Reset {
        password,
        reactivated,
    })
}

/// What `reset-password` did.
#[derive(Debug, Clone)]
pub struct Reset {
    /// The new password, to print once.
    pub password: String,
    /// The account was deactivated and is active again.
    pub reactivated: bool,
}

/// A boxed message on stdout, where an operator starting the server sees
/// it (the logs go to stderr and may be collected elsewhere).
pub fn print_password(title: &str, username: &str, password: &str) {
    let lines = [
        title.to_owned(),
        String::new(),
        format!("  user name: {username}"),
        format!("  password:  {password}"),
        String::new(),
        "Sign in at /login and keep the password safe:".to_owned(),
        "it is shown only this once.".to_owned(),
    ];
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let rule = "─".repeat(width + 2);
    let mut out = format!("┌{rule}┐\n");
    for line in &lines {
        out.push_str(&format!("│ {line:<width$} │\n"));
    }
    out.push_str(&format!("└{rule}┘"));
    println!("{out}");
}
