//! Signing in and out: the password check with its back-off, the session
//! and its cookie.
//!
//! The back-off is kept in the database per account (`failed_logins`,
//! `locked_until`), so every replica applies it: after
//! [`FREE_FAILURES`] failures in a row the account is locked for
//! 2^(n − 5) seconds, at most [`MAX_LOCK`]. While locked, even the right
//! password is refused (429). A success starts the count again.

use super::{password, secret};
use crate::error::ApiError;
use crate::ingest::store_error;
use crate::store::access::rfc3339;
use crate::AppState;
use axum::http::{header, HeaderMap};
use branchpulse_core::access::{
    Login, Session, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, SESSION_COOKIE,
};
use serde_json::json;
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

/// Check `login` and open a session: the answer and the cookie's token.
pub async fn sign_in(state: &AppState, mut login: Login) -> Result<(Session, String), ApiError> {
    let now = OffsetDateTime::now_utc();
    // No account has such a name, and PostgreSQL cannot even look up a
    // text with NUL in it (nor keep it in the audit log): told, not tried.
    if login.username.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(
            "username: must not contain control characters".into(),
        ));
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
    let found = store
        .user_by_name(&login.username)
        .await
        .map_err(store_error)?;
    if let Some(until) = found.as_ref().and_then(|u| u.locked_until) {
        if until > now {
            store
                .audit("system", "session.locked", &login.username, json!({}))
                .await
                .map_err(store_error)?;
            return Err(locked(until, now));
        }
    }
    let hash = found.as_ref().map(|u| u.password_hash.clone());
    let good = password::verify(login.password, hash).await?;
    let user = match found {
        Some(u) if good && u.user.active => u.user,
        Some(u) => {
            let until = store
                .login_failed(u.user.id, now, lock_for)
                .await
                .map_err(store_error)?;
            let reason = if good { "inactive" } else { "password" };
            store
                .audit(
                    &format!("user:{}", u.user.username),
                    "session.fail",
                    &u.user.username,
                    json!({ "reason": reason, "locked_until": until.map(rfc3339) }),
                )
                .await
                .map_err(store_error)?;
            return Err(ApiError::Unauthorized(WRONG.into()));
        }
        None => {
            store
                .audit(
                    "system",
                    "session.fail",
                    &login.username,
                    json!({ "reason": "unknown user" }),
                )
                .await
                .map_err(store_error)?;
            return Err(ApiError::Unauthorized(WRONG.into()));
        }
    };
    store.login_succeeded(user.id).await.map_err(store_error)?;
    // The session starts now, after the (deliberately slow) password check.
    let now = OffsetDateTime::now_utc();
    let token = secret::token();
    let csrf = secret::token();
    let expires_at = now.saturating_add(Duration::seconds(i64::from(state.config.session_secs)));
    store
        .add_session(&secret::hash(&token), user.id, &csrf, now, expires_at)
        .await
        .map_err(store_error)?;
    store
        .audit(
            &format!("user:{}", user.username),
            "session.start",
            &user.username,
            json!({}),
        )
        .await
        .map_err(store_error)?;
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
