//! The extractors that guard the routes. A handler names who may call it
//! by taking one of them: [`Admin`], [`Reader`] (any signed-in person),
//! [`DeviceAuth`] (an enrolled device), [`Caller`] (either) or [`SignedIn`]
//! (the session itself).
//!
//! People carry the `bp_session` cookie; every request with it that changes
//! something must also carry the session's CSRF token in `X-CSRF-Token`,
//! and an `Origin`, when sent, must be this server's. Devices send
//! `Authorization: Bearer <token>` and need no CSRF token: a browser never
//! adds that header on its own.
//!
//! 401 when the credentials are missing, unknown, expired or revoked; 403
//! when they are good but not for this (a device token reading, a manager
//! administering).

use super::secret;
use crate::error::ApiError;
use crate::store::access::{DeviceRow, SessionRow};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use branchpulse_core::access::{Role, Scope, User, CSRF_HEADER, SESSION_COOKIE};
use branchpulse_core::ProblemCode;
use time::OffsetDateTime;

/// What the request presents.
enum Credentials {
    None,
    Bearer(String),
    Session(String),
}

/// The token of an `Authorization: Bearer <token>` header: `None` without
/// the header, `Err` when it is not of that form.
pub fn bearer(headers: &HeaderMap) -> Option<Result<&str, ApiError>> {
    let value = headers.get(header::AUTHORIZATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "the Authorization header must be `Bearer <device token>`".into(),
                )
                .coded(ProblemCode::DeviceTokenRefused)
            }),
    )
}

fn credentials(parts: &Parts) -> Result<Credentials, ApiError> {
    if let Some(token) = bearer(&parts.headers) {
        return Ok(Credentials::Bearer(token?.to_owned()));
    }
    Ok(session_cookie(parts).map_or(Credentials::None, Credentials::Session))
}

/// The value of the session cookie, if the request has one.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_owned())
}

/// 403 when the browser says the request comes from another site. Without
/// an `Origin` (older browsers, other clients) the SameSite=Strict cookie
/// and the CSRF token are the guard. With `--public-url` the Origin must be
/// that URL's (a reverse proxy may rewrite `Host`); otherwise it must name
/// the request's `Host`.
pub fn check_origin(headers: &HeaderMap, public_url: Option<&str>) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let sent = origin.to_str().ok().and_then(normal_origin);
    let same = match (sent, public_url) {
        (Some(sent), Some(url)) => Some(sent) == normal_origin(url),
        (Some((_, sent_host)), None) => headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| host.eq_ignore_ascii_case(&sent_host)),
        (None, _) => false,
    };
    if same {
        Ok(())
    } else {
        Err(
            ApiError::Forbidden("cross-site request refused: the Origin is not this server".into())
                .coded(ProblemCode::Csrf),
        )
    }
}

/// The scheme and host (with a port only when not the scheme's default) of
/// an origin or URL, lower-cased: `None` unless http or https.
fn normal_origin(url: &str) -> Option<(String, String)> {
    let uri: axum::http::Uri = url.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?;
    let default = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let host = authority.host().to_ascii_lowercase();
    let host = match authority.port_u16() {
        Some(port) if port != default => format!("{host}:{port}"),
        _ => host,
    };
    Some((scheme, host))
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

const SIGN_IN: &str = "sign in first (POST /api/v1/session)";
const DEVICE_ONLY_SUBMITS: &str =
    "a device token can only submit responses and status reports (and a shopper's phone list its visits)";

/// The session behind the cookie, checked for CSRF on state changes.
async fn session(parts: &Parts, state: &AppState, token: &str) -> Result<SessionRow, ApiError> {
    let found = state
        .store
        .session(&secret::hash(token), OffsetDateTime::now_utc())
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized(format!("the session has expired or ended: {SIGN_IN}"))
                .coded(ProblemCode::SessionExpired)
        })?;
    if changes_state(&parts.method) {
        check_origin(&parts.headers, state.config.public_url.as_deref())?;
        // Compared as hashes, so the time taken says nothing about the token.
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if sent.map(secret::hash) != Some(secret::hash(&found.csrf)) {
            return Err(ApiError::Forbidden(format!(
                "missing or wrong {CSRF_HEADER} header: send the csrf of your session"
            ))
            .coded(ProblemCode::Csrf));
        }
    }
    Ok(found)
}

/// The enrolled device holding `token`, noting that it was seen.
async fn device(state: &AppState, token: &str) -> Result<Option<DeviceRow>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let found = state
        .store
        .device_by_token(&secret::hash(token), now)
        .await?;
    // Written at most once a minute per device, so that a busy kiosk does
    // not add a write to every request.
    if let Some(d) = found.as_ref().filter(|d| {
        d.last_seen_at
            .is_none_or(|seen| now - seen >= crate::store::access::SEEN_GRANULARITY)
    }) {
        state.store.device_seen(d.id, now).await?;
    }
    Ok(found)
}

/// 401 for a device token that is unknown, expired or revoked.
pub fn bad_token() -> ApiError {
    ApiError::Unauthorized(
        "unknown, expired or revoked device token: enrol the device again".into(),
    )
    .coded(ProblemCode::DeviceTokenRefused)
}

/// A signed-in person, whatever the role.
async fn person(parts: &Parts, state: &AppState) -> Result<SignedIn, ApiError> {
    match credentials(parts)? {
        Credentials::None => Err(ApiError::Unauthorized(SIGN_IN.into())),
        Credentials::Bearer(token) => match device(state, &token).await? {
            Some(_) => Err(ApiError::Forbidden(DEVICE_ONLY_SUBMITS.into())),
            None => Err(bad_token()),
        },
        Credentials::Session(token) => Ok(SignedIn {
            session: session(parts, state, &token).await?,
            token_hash: secret::hash(&token),
        }),
    }
}

/// The signed-in session (for `GET`/`DELETE /session`).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: SessionRow,
    /// What the database keeps of the cookie's token.
    pub token_hash: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        person(parts, state).await
    }
}

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct Admin(pub User);

impl Admin {
    /// How the audit log names this admin.
    pub fn actor(&self) -> String {
        format!("user:{}", self.0.username)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = person(parts, state).await?.session.user;
        if user.role != Role::Admin {
            return Err(ApiError::Forbidden("only an admin may do this".into())
                .coded(ProblemCode::AdminOnly));
        }
        Ok(Admin(user))
    }
}

/// A signed-in admin or reviewer: who runs the mystery-shop programme
/// (plans visits, sets quotas, reviews reports).
#[derive(Debug, Clone)]
pub struct Coordinator(pub User);

impl Coordinator {
    /// How the audit log names this person.
    pub fn actor(&self) -> String {
        format!("user:{}", self.0.username)
    }
}

impl FromRequestParts<AppState> for Coordinator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = person(parts, state).await?.session.user;
        if !matches!(user.role, Role::Admin | Role::Reviewer) {
            return Err(
                ApiError::Forbidden("only an admin or a reviewer may do this".into())
                    .coded(ProblemCode::AdminOnly),
            );
        }
        Ok(Coordinator(user))
    }
}

/// Any signed-in person, with the branches they may read.
#[derive(Debug, Clone)]
pub struct Reader {
    pub user: User,
    pub scope: Scope,
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = person(parts, state).await?.session.user;
        let scope = user.scope();
        Ok(Reader { user, scope })
    }
}

/// An enrolled device whose token is neither revoked nor expired.
#[derive(Debug, Clone)]
pub struct DeviceAuth(pub DeviceRow);

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match credentials(parts)? {
            Credentials::None => Err(ApiError::Unauthorized(
                "enrol this device first: send its token as `Authorization: Bearer <token>`".into(),
            )),
            Credentials::Bearer(token) => device(state, &token)
                .await?
                .map(DeviceAuth)
                .ok_or_else(bad_token),
            Credentials::Session(token) => {
                session(parts, state, &token).await?;
                Err(ApiError::Forbidden(
                    "only enrolled devices submit responses and status reports".into(),
                )
                .coded(ProblemCode::DevicesOnly))
            }
        }
    }
}

/// A device or a person: for what both may read.
#[derive(Debug, Clone)]
pub enum Caller {
    Device(DeviceRow),
    Person(Reader),
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match credentials(parts)? {
            Credentials::Bearer(token) => device(state, &token)
                .await?
                .map(Caller::Device)
                .ok_or_else(bad_token),
            _ => Ok(Caller::Person(
                Reader::from_request_parts(parts, state).await?,
            )),
        }
    }
}
