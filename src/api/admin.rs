//! People's side of the API: signing in and out, and the admin's
//! endpoints (docs/access.md).
//!
//! The session cookie is HttpOnly, so the page never sees it; the CSRF token
//! that comes with the session is kept by the request builder, in memory
//! only, and sent on every state-changing request (`Call::session`).

use super::request::{forget_csrf, read_answer, remember_csrf, Call};
use super::ApiError;
use branchpulse_core::access::{
    Device, DevicePin, Enrolment, Login, NewDevice, NewUser, Purged, Session, User, UserChange,
};
use branchpulse_core::programme::{QuotaRow, Quotas, ReportDetail, ReportSummary, Review};
use branchpulse_core::protocol::{Branch, Format, NewVisit, Visit};
use js_sys::{Array, Reflect};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

const SESSION: &str = "/session";

fn remember(session: &Session) {
    remember_csrf(&session.csrf);
}

/// Forget the CSRF token (signed out).
pub fn forget() {
    forget_csrf();
}

/// Who is signed in: `None` when nobody is (401).
pub async fn session() -> Result<Option<Session>, ApiError> {
    match Call::get(SESSION).read::<Session>().await {
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
    // The refusals are read from the answer first: they are no failure.
    let resp = Call::post(SESSION)
        .json(login)
        .map_err(SignInError::Failed)?
        .answer()
        .await
        .map_err(SignInError::Failed)?;
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
    let session: Session = read_answer(resp).await.map_err(SignInError::Failed)?;
    remember(&session);
    Ok(session)
}

pub async fn sign_out() -> Result<(), ApiError> {
    let result = Call::delete(SESSION).session().send().await;
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
    Call::get("/branches").read().await
}

pub async fn add_branch(branch: &Branch) -> Result<(), ApiError> {
    Call::post("/branches").session().json(branch)?.send().await
}

pub async fn update_branch(branch: &Branch) -> Result<(), ApiError> {
    let path = format!("/branches/{}", js_sys::encode_uri_component(&branch.code));
    Call::put(&path).session().json(branch)?.send().await
}

/// The formats (peer groups) branches may have.
pub async fn formats() -> Result<Vec<Format>, ApiError> {
    Call::get("/formats").read().await
}

pub async fn add_format(format: &Format) -> Result<(), ApiError> {
    Call::post("/formats").session().json(format)?.send().await
}

pub async fn update_format(format: &Format) -> Result<(), ApiError> {
    let path = format!("/formats/{}", js_sys::encode_uri_component(&format.code));
    Call::put(&path).session().json(format)?.send().await
}

pub async fn remove_format(code: &str) -> Result<(), ApiError> {
    let path = format!("/formats/{}", js_sys::encode_uri_component(code));
    Call::delete(&path).session().send().await
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
    Call::get("/questionnaires/all").read().await
}

/// Upload a questionnaire file, as read (the server checks it): the version
/// stored.
pub async fn upload_questionnaire(text: String) -> Result<Version, ApiError> {
    Call::post("/questionnaires")
        .session()
        .body(text)
        .read()
        .await
}

pub async fn activate(id: &str, version: u32) -> Result<(), ApiError> {
    let path = format!(
        "/questionnaires/{}/{version}/activate",
        js_sys::encode_uri_component(id)
    );
    Call::post(&path).session().send().await
}

/// Which visits the coordinator lists: `""` / `false` for any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitFilter {
    pub branch: String,
    /// A status as the API writes it (`in_progress`).
    pub status: String,
    pub overdue: bool,
}

impl VisitFilter {
    fn query(&self) -> String {
        let mut q = Vec::new();
        if !self.branch.is_empty() {
            q.push(format!(
                "branch={}",
                js_sys::encode_uri_component(&self.branch)
            ));
        }
        if !self.status.is_empty() {
            q.push(format!(
                "status={}",
                js_sys::encode_uri_component(&self.status)
            ));
        }
        if self.overdue {
            q.push("overdue=true".into());
        }
        q.join("&")
    }
}

pub async fn visits(filter: VisitFilter) -> Result<Vec<Visit>, ApiError> {
    let q = filter.query();
    let path = if q.is_empty() {
        "/visits".to_string()
    } else {
        format!("/visits?{q}")
    };
    Call::get(&path).read().await
}

pub async fn plan_visit(visit: &NewVisit) -> Result<Visit, ApiError> {
    Call::post("/visits").session().json(visit)?.read().await
}

/// Change a visit; 409 once it can no longer be changed.
pub async fn change_visit(id: Uuid, visit: &NewVisit) -> Result<Visit, ApiError> {
    Call::put(&format!("/visits/{id}"))
        .session()
        .json(visit)?
        .read()
        .await
}

#[derive(serde::Serialize)]
struct Cancel<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

pub async fn cancel_visit(id: Uuid, reason: Option<&str>) -> Result<Visit, ApiError> {
    Call::post(&format!("/visits/{id}/cancel"))
        .session()
        .json(&Cancel { reason })?
        .read()
        .await
}

/// The quotas of `quarter` (`2026-Q1`), one row per branch.
pub async fn quotas(quarter: String) -> Result<Vec<QuotaRow>, ApiError> {
    Call::get(&format!(
        "/quotas?quarter={}",
        js_sys::encode_uri_component(&quarter)
    ))
    .read()
    .await
}

pub async fn set_quotas(quotas: &Quotas) -> Result<Vec<QuotaRow>, ApiError> {
    Call::put("/quotas").session().json(quotas)?.read().await
}

/// The reports with `status` (`submitted`: the review queue), of `branch`
/// (`""`: any).
pub async fn reports(status: &str, branch: &str) -> Result<Vec<ReportSummary>, ApiError> {
    let mut path = format!("/reports?status={}", js_sys::encode_uri_component(status));
    if !branch.is_empty() {
        path.push_str(&format!("&branch={}", js_sys::encode_uri_component(branch)));
    }
    Call::get(&path).read().await
}

/// Version `version` of questionnaire `id`: what a report answered.
pub async fn questionnaire_version(
    id: &str,
    version: u32,
) -> Result<branchpulse_core::Questionnaire, ApiError> {
    Call::get(&format!(
        "/questionnaires/{}/{version}",
        js_sys::encode_uri_component(id)
    ))
    .read()
    .await
}

pub async fn report(id: Uuid) -> Result<ReportDetail, ApiError> {
    Call::get(&format!("/reports/{id}")).read().await
}

/// Approve, return or reject a report; 409 once it is not awaiting review.
pub async fn review(id: Uuid, review: &Review) -> Result<ReportSummary, ApiError> {
    Call::post(&format!("/reports/{id}/review"))
        .session()
        .json(review)?
        .read()
        .await
}

/// A photo of a report (`GET /api/v1/evidence?report=`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Evidence {
    pub id: Uuid,
    /// The report it was sent with: this one, or an earlier version it corrects.
    #[serde(default)]
    pub report: Option<Uuid>,
    /// The item it belongs to, if any.
    #[serde(default)]
    pub item: Option<String>,
    /// The stage (section) it belongs to, if any.
    #[serde(default)]
    pub stage: Option<String>,
    #[serde(default)]
    pub size: u64,
    /// Uploaded in full.
    #[serde(default)]
    pub complete: bool,
}

pub async fn evidence(report: Uuid) -> Result<Vec<Evidence>, ApiError> {
    Call::get(&format!("/evidence?report={report}"))
        .read()
        .await
}

/// Where the photo's bytes are, for an `<img>` (the session cookie goes
/// with it).
pub fn evidence_url(id: Uuid) -> String {
    super::url(&format!("/evidence/{id}/content"))
}

pub async fn devices() -> Result<Vec<Device>, ApiError> {
    Call::get("/devices").read().await
}

pub async fn add_device(device: &NewDevice) -> Result<Enrolment, ApiError> {
    Call::post("/devices").session().json(device)?.read().await
}

/// A new one-time code for a device; its old token stops working.
pub async fn new_code(id: Uuid) -> Result<Enrolment, ApiError> {
    Call::post(&format!("/devices/{id}/code"))
        .session()
        .read()
        .await
}

/// A kiosk's new staff PIN; the kiosk takes it with its next status report.
pub async fn set_pin(id: Uuid, pin: &DevicePin) -> Result<(), ApiError> {
    Call::put(&format!("/devices/{id}/pin"))
        .session()
        .json(pin)?
        .send()
        .await
}

pub async fn revoke(id: Uuid) -> Result<(), ApiError> {
    Call::post(&format!("/devices/{id}/revoke"))
        .session()
        .send()
        .await
}

pub async fn users() -> Result<Vec<User>, ApiError> {
    Call::get("/users").read().await
}

pub async fn add_user(user: &NewUser) -> Result<(), ApiError> {
    Call::post("/users").session().json(user)?.send().await
}

pub async fn change_user(id: Uuid, change: &UserChange) -> Result<(), ApiError> {
    Call::patch(&format!("/users/{id}"))
        .session()
        .json(change)?
        .send()
        .await
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
    let text = Call::get(&format!("/audit?limit={limit}")).text().await?;
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
    Call::post(&format!("/responses/{id}/purge-text"))
        .session()
        .read()
        .await
}
