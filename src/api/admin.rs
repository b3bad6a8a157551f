//! People's side of the API: signing in and out, and the admin's
//! endpoints (docs/access.md).
//!
//! The session cookie is HttpOnly, so the page never sees it; the CSRF token
//! that comes with the session is kept here, in memory only (never in
//! storage a script could read later), and sent on every state-changing
//! request.

use super::{failure, ApiError};
use branchpulse_core::access::{
    Device, Enrolment, Login, NewDevice, NewUser, Purged, Session, User, UserChange, CSRF_HEADER,
};
use branchpulse_core::protocol::{Branch, NewVisit, Visit};
use gloo_net::http::{Request, RequestBuilder, Response};
use js_sys::{Array, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

const SESSION_URL: &str = "/api/v1/session";

thread_local! {
    static CSRF: RefCell<String> = const { RefCell::new(String::new()) };
}

fn remember(session: &Session) {
    CSRF.with(|c| c.borrow_mut().clone_from(&session.csrf));
}

/// Forget the CSRF token (signed out).
pub fn forget() {
    CSRF.with(|c| c.borrow_mut().clear());
}

fn net(e: impl ToString) -> ApiError {
    ApiError::Network(e.to_string())
}

/// The answer if it is a 2xx, else the server's error.
async fn checked(sent: Result<Response, gloo_net::Error>) -> Result<Response, ApiError> {
    let resp = sent.map_err(net)?;
    if resp.ok() {
        Ok(resp)
    } else {
        Err(failure(resp).await)
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let text = resp.text().await.map_err(net)?;
    serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
}

/// A GET that is never answered from a kept copy: admin data is read fresh.
async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    decode(checked(Request::get(url).send().await).await?).await
}

/// A state-changing request with the CSRF token, and a JSON body if given.
async fn send(builder: RequestBuilder, body: Option<String>) -> Result<Response, ApiError> {
    let token = CSRF.with(|c| c.borrow().clone());
    let builder = builder.header(CSRF_HEADER, &token);
    let request = match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(body),
        None => builder.build(),
    }
    .map_err(net)?;
    checked(request.send().await).await
}

fn json(value: &impl Serialize) -> Result<Option<String>, ApiError> {
    serde_json::to_string(value)
        .map(Some)
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// Who is signed in: `None` when nobody is (401).
pub async fn session() -> Result<Option<Session>, ApiError> {
    match get::<Session>(SESSION_URL).await {
        Ok(session) => {
            remember(&session);
            Ok(Some(session))
        }
        Err(ApiError::Server { status: 401, .. }) => {
            forget();
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Why signing in did not work.
#[derive(Debug, Clone, PartialEq)]
pub enum SignInError {
    /// Wrong user name or password (the server does not say which).
    Refused,
    /// Too many failures: wait this many seconds.
    Wait(u32),
    Failed(ApiError),
}

pub async fn sign_in(login: &Login) -> Result<Session, SignInError> {
    let body = json(login).map_err(SignInError::Failed)?;
    let sent = Request::post(SESSION_URL)
        .header("content-type", "application/json")
        .body(body.unwrap_or_default())
        .map_err(|e| SignInError::Failed(net(e)))?
        .send()
        .await;
    if let Ok(resp) = &sent {
        match resp.status() {
            401 => return Err(SignInError::Refused),
            429 => {
                let secs = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(60);
                return Err(SignInError::Wait(secs));
            }
            _ => {}
        }
    }
    let resp = checked(sent).await.map_err(SignInError::Failed)?;
    let session: Session = decode(resp).await.map_err(SignInError::Failed)?;
    remember(&session);
    Ok(session)
}

pub async fn sign_out() -> Result<(), ApiError> {
    let result = send(Request::delete(SESSION_URL), None).await;
    match result {
        // Already ended on the server: signed out all the same.
        Ok(_) | Err(ApiError::Server { status: 401, .. }) => {
            forget();
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Every branch, closed ones included, fresh from the server.
pub async fn branches() -> Result<Vec<Branch>, ApiError> {
    get("/api/v1/branches").await
}

pub async fn add_branch(branch: &Branch) -> Result<(), ApiError> {
    send(Request::post("/api/v1/branches"), json(branch)?).await?;
    Ok(())
}

pub async fn update_branch(branch: &Branch) -> Result<(), ApiError> {
    let url = format!(
        "/api/v1/branches/{}",
        js_sys::encode_uri_component(&branch.code)
    );
    send(Request::put(&url), json(branch)?).await?;
    Ok(())
}

/// One version in `GET /api/v1/questionnaires/all`: the contract's
/// `QuestionnaireVersion` read without `#[serde(flatten)]`, whose buffering
/// costs the admin's bundle far more than these few fields.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Version {
    pub id: String,
    pub version: u32,
    pub kind: branchpulse_core::Kind,
    pub title: branchpulse_core::Text,
    pub items: usize,
    pub active: bool,
    pub uploaded_at: Option<String>,
}

pub async fn questionnaire_versions() -> Result<Vec<Version>, ApiError> {
    get("/api/v1/questionnaires/all").await
}

/// Upload a questionnaire file, as read (the server checks it).
pub async fn upload_questionnaire(text: String) -> Result<(), ApiError> {
    send(Request::post("/api/v1/questionnaires"), Some(text)).await?;
    Ok(())
}

pub async fn activate(id: &str, version: u32) -> Result<(), ApiError> {
    let url = format!(
        "/api/v1/questionnaires/{}/{version}/activate",
        js_sys::encode_uri_component(id)
    );
    send(Request::post(&url), None).await?;
    Ok(())
}

pub async fn visits() -> Result<Vec<Visit>, ApiError> {
    get("/api/v1/visits").await
}

pub async fn assign_visit(visit: &NewVisit) -> Result<(), ApiError> {
    send(Request::post("/api/v1/visits"), json(visit)?).await?;
    Ok(())
}

pub async fn devices() -> Result<Vec<Device>, ApiError> {
    get("/api/v1/devices").await
}

pub async fn add_device(device: &NewDevice) -> Result<Enrolment, ApiError> {
    decode(send(Request::post("/api/v1/devices"), json(device)?).await?).await
}

/// A new one-time code for a device; its old token stops working.
pub async fn new_code(id: Uuid) -> Result<Enrolment, ApiError> {
    decode(send(Request::post(&format!("/api/v1/devices/{id}/code")), None).await?).await
}

pub async fn revoke(id: Uuid) -> Result<(), ApiError> {
    send(Request::post(&format!("/api/v1/devices/{id}/revoke")), None).await?;
    Ok(())
}

pub async fn users() -> Result<Vec<User>, ApiError> {
    get("/api/v1/users").await
}

pub async fn add_user(user: &NewUser) -> Result<(), ApiError> {
    send(Request::post("/api/v1/users"), json(user)?).await?;
    Ok(())
}

pub async fn change_user(id: Uuid, change: &UserChange) -> Result<(), ApiError> {
    send(
        Request::patch(&format!("/api/v1/users/{id}")),
        json(change)?,
    )
    .await?;
    Ok(())
}

/// A line of the audit log as the admin reads it: the contract's
/// `AuditEntry` with its free `detail` kept as JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// `""` when there is none.
    pub detail: String,
}

/// The latest `limit` lines of the audit log, newest first. Read with the
/// browser's JSON parser: serde_json's `Value` for `detail` alone would
/// weigh more than the rest of this module.
pub async fn audit(limit: u32) -> Result<Vec<AuditLine>, ApiError> {
    let resp = checked(
        Request::get(&format!("/api/v1/audit?limit={limit}"))
            .send()
            .await,
    )
    .await?;
    let text = resp.text().await.map_err(net)?;
    let bad = |what: &str| ApiError::Decode(what.to_string());
    let list = js_sys::JSON::parse(&text)
        .map_err(|_| bad("not JSON"))?
        .dyn_into::<Array>()
        .map_err(|_| bad("not a list"))?;
    let field = |line: &JsValue, name: &str| Reflect::get(line, &JsValue::from_str(name)).ok();
    let text_of = |line: &JsValue, name: &str| {
        field(line, name)
            .and_then(|v| v.as_string())
            .ok_or_else(|| bad(&format!("an audit line without \"{name}\"")))
    };
    list.iter()
        .map(|line| {
            let detail = field(&line, "detail")
                .filter(|d| !d.is_null() && !d.is_undefined())
                .and_then(|d| js_sys::JSON::stringify(&d).ok())
                .map(String::from)
                .filter(|d| d != "{}")
                .unwrap_or_default();
            Ok(AuditLine {
                at: text_of(&line, "at")?,
                actor: text_of(&line, "actor")?,
                action: text_of(&line, "action")?,
                target: text_of(&line, "target")?,
                detail,
            })
        })
        .collect()
}

/// Remove a response's free-text answers and comments.
pub async fn purge_text(id: Uuid) -> Result<Purged, ApiError> {
    decode(
        send(
            Request::post(&format!("/api/v1/responses/{id}/purge-text")),
            None,
        )
        .await?,
    )
    .await
}
