//! Signing in and out: the password check with its back-off, the session
//! and its cookie.
//!
//! The back-off is kept in the database per account (`failed_logins`,
//! `locked_until`), so every replica applies it: after
//! [`FREE_FAILURES`] failures in a row the account is locked for
//! 2^(n − 5) seconds, at most [`MAX_LOCK`]. While locked, even the right
//! password is refused (429). A success starts the count again.
//!
//! Each attempt is counted (and the lock set) in the database *before* its
//! password is checked, so parallel guesses cannot all slip in before the
//! first failure is written. Names that are no account get the same
//! answers and the same back-off ([`UnknownNames`]).

use super::{password, secret};
use crate::error::ApiError;
use crate::store::access::{rfc3339, Attempt};
use crate::AppState;
use axum::http::{header, HeaderMap};
use branchpulse_core::access::{
    Login, Session, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, SESSION_COOKIE,
};
use branchpulse_core::ProblemCode;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// Failures in a row before the account is locked.
pub const FREE_FAILURES: u32 = 5;
/// The longest lock.
pub const MAX_LOCK: Duration = Duration::minutes(15);

/// How long to lock an account after its `n`th failure in a row.
pub fn lock_for(n: u32) -> Option<Duration> {
    let over = n.checked_sub(FREE_FAILURES)?;
    let seconds = 1i64.checked_shl(over.min(32)).unwrap_or(i64::MAX);
    Some(Duration::seconds(seconds).min(MAX_LOCK))
}

const WRONG: &str = "wrong user name or password";

fn locked(until: OffsetDateTime, now: OffsetDateTime) -> ApiError {
    let wait = (until - now).whole_seconds().max(1);
    ApiError::TooManyRequests {
        message: format!("too many failed sign-ins for this account: try again in {wait} seconds"),
        retry_after: u64::try_from(wait).unwrap_or(1),
    }
}

/// The answer to an attempt on a locked account (or name), audited.
async fn refuse_locked(
    state: &AppState,
    username: &str,
    until: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<ApiError, ApiError> {
    crate::telemetry::count_refusal("account_lock");
    state
        .store
        .audit("system", "session.locked", username, json!({}))
        .await?;
    Ok(locked(until, now))
}

/// The back-off of names that are no account, kept like an account's so
/// that the answers (status, message, lock) do not tell whether a name
/// exists. In memory: per replica and forgotten on restart, which an
/// attacker cannot use to tell names apart faster than the per-address
/// rate allows.
#[derive(Debug, Default)]
pub struct UnknownNames {
    names: Mutex<HashMap<String, (u32, Option<OffsetDateTime>)>>,
}

/// Most unknown names remembered; beyond it, only locked ones are kept.
const MAX_UNKNOWN_NAMES: usize = 10_000;

impl UnknownNames {
    /// The same reservation as the database's for an account: `Err` with
    /// the end of the lock when locked, else `Ok` with the lock this
    /// failure sets, if any.
    pub fn reserve(
        &self,
        username: &str,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, OffsetDateTime> {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if !names.contains_key(username) && names.len() >= MAX_UNKNOWN_NAMES {
            names.retain(|_, (_, until)| until.is_some_and(|u| u > now));
            if names.len() >= MAX_UNKNOWN_NAMES {
                return Ok(None);
            }
        }
        let (failed, until) = names.entry(username.to_owned()).or_default();
        if let Some(u) = until.filter(|u| *u > now) {
            return Err(u);
        }
        *failed = failed.saturating_add(1);
        *until = lock_for(*failed).map(|lock| now + lock);
        Ok(*until)
    }
}

/// Check `login` and open a session: the answer and the cookie's token.
pub async fn sign_in(state: &AppState, mut login: Login) -> Result<(Session, String), ApiError> {
    let now = OffsetDateTime::now_utc();
    // No account has such a name, and PostgreSQL cannot even look up a
    // text with NUL in it (nor keep it in the audit log): told, not tried.
    if login.username.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(
            "username: must not contain control characters".into(),
        )
        .coded(ProblemCode::ControlCharacters)
        .at("username"));
    }
    // No account has a longer name, and the audit log keeps what was typed.
    if login.username.chars().count() > MAX_USERNAME_CHARS {
        login.username = login
            .username
            .chars()
            .take(MAX_USERNAME_CHARS)
            .collect::<String>()
            + "…";
    }
    // Hashing a huge "password" would only cost time: it cannot match.
    if login.password.chars().count() > MAX_PASSWORD_CHARS {
        login.password.clear();
    }
    let store = &state.store;
    let attempt = store
        .reserve_sign_in(&login.username, now, lock_for)
        .await?;
    let (row, until) = match attempt {
        Attempt::Reserved { row, locked_until } => (Some(row), locked_until),
        Attempt::Locked(until) => {
            return Err(refuse_locked(state, &login.username, until, now).await?)
        }
        Attempt::Unknown => match state.unknown_names.reserve(&login.username, now) {
            Ok(locked_until) => (None, locked_until),
            Err(until) => return Err(refuse_locked(state, &login.username, until, now).await?),
        },
    };
    // Checked even for an unknown name (against a decoy), so the time taken
    // says nothing either.
    let hash = row.as_ref().map(|u| u.password_hash.clone());
    let good = password::verify(login.password, hash).await?;
    let user = match row {
        Some(u) if good && u.user.active => u.user,
        Some(u) => {
            let reason = if good { "inactive" } else { "password" };
            store
                .audit(
                    &format!("user:{}", u.user.username),
                    "session.fail",
                    &u.user.username,
                    json!({ "reason": reason, "locked_until": until.map(rfc3339) }),
                )
                .await?;
            return Err(ApiError::Unauthorized(WRONG.into()).coded(ProblemCode::BadCredentials));
        }
        None => {
            store
                .audit(
                    "system",
                    "session.fail",
                    &login.username,
                    json!({ "reason": "unknown user", "locked_until": until.map(rfc3339) }),
                )
                .await?;
            return Err(ApiError::Unauthorized(WRONG.into()).coded(ProblemCode::BadCredentials));
        }
    };
    store.login_succeeded(user.id).await?;
    // The session starts now, after the (deliberately slow) password check.
    let now = OffsetDateTime::now_utc();
    let token = secret::token();
    let csrf = secret::token();
    let expires_at = now.saturating_add(Duration::seconds(i64::from(state.config.session_secs)));
    store
        .add_session(&secret::hash(&token), user.id, &csrf, now, expires_at)
        .await?;
    store
        .audit(
            &format!("user:{}", user.username),
            "session.start",
            &user.username,
            json!({}),
        )
        .await?;
    let session = Session {
        user,
        csrf,
        expires_at: rfc3339(expires_at),
    };
    Ok((session, token))
}

/// Whether the request came over HTTPS, directly or through a proxy that
/// says so.
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value for a session token; `None` clears the cookie.
pub fn cookie(token: Option<&str>, max_age_secs: u32, secure: bool) -> String {
    let max_age = if token.is_some() {
        i64::from(max_age_secs)
    } else {
        0
    };
    cookie::Cookie::build((SESSION_COOKIE, token.unwrap_or_default()))
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .path("/")
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
        .to_string()
}

/// The headers of an answer that sets or clears the cookie.
pub fn set_cookie(
    value: String,
) -> Result<[(header::HeaderName, header::HeaderValue); 1], ApiError> {
    let value = header::HeaderValue::from_str(&value)
        .map_err(|e| ApiError::Internal(format!("session cookie: {e}")))?;
    Ok([(header::SET_COOKIE, value)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_doubles_after_five_failures_up_to_fifteen_minutes() {
        assert_eq!(lock_for(4), None);
        assert_eq!(lock_for(5), Some(Duration::seconds(1)));
        assert_eq!(lock_for(6), Some(Duration::seconds(2)));
        assert_eq!(lock_for(10), Some(Duration::seconds(32)));
        assert_eq!(lock_for(15), Some(MAX_LOCK));
        assert_eq!(lock_for(u32::MAX), Some(MAX_LOCK));
    }

    #[test]
    fn the_cookie_is_http_only_and_strict() {
        let c = cookie(Some("abc"), 60, true);
        for part in [
            "bp_session=abc",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
            "Secure",
            "Max-Age=60",
        ] {
            assert!(c.contains(part), "{c} lacks {part}");
        }
        assert!(!cookie(Some("abc"), 60, false).contains("Secure"));
        assert!(cookie(None, 60, false).contains("Max-Age=0"));
    }
}
