//! The one module between the app and the server: every URL and every JSON
//! decode lives here, so pages only ever see typed results.

use crate::storage::enrolment;
use branchpulse_core::protocol::{ErrorBody, Outcome, QuestionnaireSummary, SyncReply};
use branchpulse_core::{ProblemCode, Questionnaire, Response as SurveyResponse};
use gloo_net::http::{Request, Response};
use js_sys::{Array, Reflect};
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::Duration;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

pub mod admin;

/// Where the sync client sends batches of responses.
const RESPONSES_URL: &str = "/api/v1/responses";
/// The visits of a shopper's phone.
const VISITS_URL: &str = "/api/v1/visits";
/// Where a device exchanges its one-time code for a token.
const ENROL_URL: &str = "/api/v1/devices/enrol";
/// Answers 200 while the server and its database work.
const HEALTH_URL: &str = "/api/v1/health";

/// How long [`send_batch`] waits for the server's answer by default.
pub const DEFAULT_SYNC_TIMEOUT_MS: u32 = 20_000;

/// localStorage key of an operator's (or a test's) own sync timeout, in
/// milliseconds, as a plain number: `localStorage.setItem(KEY, "5000")`.
pub const SYNC_TIMEOUT_KEY: &str = "branchpulse.sync.timeout_ms";

/// Why a call to the server did not give what was asked.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: offline, server down, or the request was cut.
    Network(String),
    /// The server answered with an error status and its message; `code`
    /// and `field` say what and where (`None` from servers before problem
    /// codes, or for a code newer than this build).
    Server {
        status: u16,
        message: String,
        code: Option<ProblemCode>,
        field: Option<String>,
    },
    /// The server answered 2xx with a body we cannot read.
    Decode(String),
    /// No answer within the client's timeout; the request was cancelled.
    Timeout { ms: u32 },
}

impl ApiError {
    /// Whether trying again later may succeed: no answer, a timeout, an
    /// unreadable answer, a 5xx, or 408/429. Any other 4xx will not change
    /// by itself.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Network(_) | ApiError::Decode(_) | ApiError::Timeout { .. } => true,
            ApiError::Server { status, .. } => *status >= 500 || matches!(status, 408 | 429),
        }
    }

    /// Whether the server refused the device's credentials (none, unknown,
    /// expired or revoked: 401) or what they allow (403): the device must
    /// be enrolled again before it can send.
    pub fn needs_enrolment(&self) -> bool {
        matches!(
            self,
            ApiError::Server {
                status: 401 | 403,
                ..
            }
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network(e) => write!(f, "network: {e}"),
            ApiError::Server {
                status, message, ..
            } => write!(f, "HTTP {status}: {message}"),
            ApiError::Decode(e) => write!(f, "unreadable answer: {e}"),
            ApiError::Timeout { ms } => write!(f, "no answer within {ms} ms"),
        }
    }
}

/// The error of a non-2xx answer, with the server's message and problem.
async fn failure(resp: Response) -> ApiError {
    let status = resp.status();
    let (message, code, field) = match resp.json::<ErrorBody>().await {
        Ok(body) => (body.error, body.code, body.field),
        Err(_) => (resp.status_text(), None, None),
    };
    ApiError::Server {
        status,
        message,
        code,
        field,
    }
}

/// localStorage key prefix of the device's copies of read-only answers
/// (questionnaires, branches), followed by the URL.
pub const DEVICE_COPY_PREFIX: &str = "branchpulse.api:";

/// A GET of what every mode needs to start: each good answer is kept on
/// the device (localStorage), and when the server cannot be reached (no
/// network, a timeout, a 5xx) the kept copy is returned instead, so the
/// kiosk and the shopper work offline after a restart.
/// [`answered_from_device`] tells whether that happened.
async fn get_kept<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    get_kept_marked(url).await.map(|(value, _)| value)
}

/// [`get_kept`], and whether the answer is the kept copy.
async fn get_kept_marked<T: DeserializeOwned>(url: &str) -> Result<(T, bool), ApiError> {
    // Only the decoding is generic: the rest is compiled once.
    let (text, from_device) = kept_text(url).await?;
    let value = serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))?;
    if !from_device {
        if let Some(s) = local_storage() {
            // Full storage only costs the offline copy, never the answer.
            let _ = s.set_item(&format!("{DEVICE_COPY_PREFIX}{url}"), &text);
        }
    }
    Ok((value, from_device))
}

/// The body of a successful GET of `url`.
async fn fetch_text(url: &str) -> Result<String, ApiError> {
    fetch_text_as(url, None).await
}

/// [`fetch_text`], with the device's token when given.
async fn fetch_text_as(url: &str, token: Option<&str>) -> Result<String, ApiError> {
    let mut request = Request::get(url);
    if let Some(token) = token {
        request = request.header("authorization", &bearer(token));
    }
    let resp = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !resp.ok() {
        return Err(failure(resp).await);
    }
    resp.text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// The answer's body, or the kept copy's when the server cannot be
/// reached; and whether it is the kept copy.
async fn kept_text(url: &str) -> Result<(String, bool), ApiError> {
    kept_text_as(url, None).await
}

/// [`kept_text`], with the device's token when given.
async fn kept_text_as(url: &str, token: Option<&str>) -> Result<(String, bool), ApiError> {
    let fresh = fetch_text_as(url, token).await;
    let unreachable = match &fresh {
        Err(ApiError::Network(_) | ApiError::Timeout { .. }) => true,
        Err(ApiError::Server { status, .. }) => *status >= 500,
        _ => false,
    };
    let kept = unreachable
        .then(|| {
            local_storage()?
                .get_item(&format!("{DEVICE_COPY_PREFIX}{url}"))
                .ok()?
        })
        .flatten();
    FROM_DEVICE.with(|f| f.set(kept.is_some()));
    match kept {
        Some(text) => Ok((text, true)),
        None => fresh.map(|text| (text, false)),
    }
}

thread_local! {
    static FROM_DEVICE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the last questionnaire or branch list read came from the copy
/// kept on the device because the server could not be reached.
pub fn answered_from_device() -> bool {
    FROM_DEVICE.with(std::cell::Cell::get)
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The branches, for the kiosk setup.
pub async fn branches() -> Result<Vec<branchpulse_core::protocol::Branch>, ApiError> {
    get_kept("/api/v1/branches").await
}

/// The questionnaires this device may read: with an enrolled phone's
/// token the mystery-shop ones too (the server keeps them from others).
pub async fn questionnaires() -> Result<Vec<QuestionnaireSummary>, ApiError> {
    get_kept_as("/api/v1/questionnaires").await
}

/// The latest version of questionnaire `id` as the server sent it, for a
/// device that keeps it (the kiosk): storing the text as received costs no
/// serializer for the whole questionnaire.
pub async fn questionnaire_json(id: &str) -> Result<String, ApiError> {
    let id = js_sys::encode_uri_component(id);
    fetch_text(&format!("/api/v1/questionnaires/{id}")).await
}

/// The latest version of questionnaire `id` (with the device's token, as
/// [`questionnaires`]).
pub async fn questionnaire(id: &str) -> Result<Questionnaire, ApiError> {
    let id = js_sys::encode_uri_component(id);
    get_kept_as(&format!("/api/v1/questionnaires/{id}")).await
}

/// [`get_kept`] with the device's token when it is enrolled.
async fn get_kept_as<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let token = enrolment::token();
    let (text, from_device) = kept_text_as(url, token.as_deref()).await?;
    let value = serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))?;
    if !from_device {
        if let Some(s) = local_storage() {
            let _ = s.set_item(&format!("{DEVICE_COPY_PREFIX}{url}"), &text);
        }
    }
    Ok(value)
}

/// The mystery-shop visits of this device's shopper (the server picks them
/// by the device's token), kept on the device so the shopper's list works
/// offline after a restart; and whether this is the kept copy (the server
/// could not be reached).
pub async fn visits() -> Result<(Vec<branchpulse_core::protocol::Visit>, bool), ApiError> {
    const URL: &str = VISITS_URL;
    let token = enrolment::token();
    let (text, from_device) = kept_text_as(URL, token.as_deref()).await?;
    let visits = serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))?;
    if !from_device {
        if let Some(s) = local_storage() {
            let _ = s.set_item(&format!("{DEVICE_COPY_PREFIX}{URL}"), &text);
        }
    }
    Ok((visits, from_device))
}

/// The latest version of questionnaire `id` as JSON text, kept on the
/// device (as [`questionnaire`]) for a shopper who starts a visit offline.
/// Sent with the phone's token: the server serves a mystery-shop
/// questionnaire only to enrolled shoppers' phones (and admins).
pub async fn questionnaire_text(id: &str) -> Result<String, ApiError> {
    let url = format!(
        "/api/v1/questionnaires/{}",
        js_sys::encode_uri_component(id)
    );
    let token = enrolment::token();
    let kept = || {
        local_storage()?
            .get_item(&format!("{DEVICE_COPY_PREFIX}{url}"))
            .ok()?
    };
    let (text, from_device) = match kept_text_as(&url, token.as_deref()).await {
        // A revoked phone keeps the copy it was given: its report is sent
        // once it is enrolled again.
        Err(ApiError::Server { status: 401, .. }) if kept().is_some() => {
            (kept().unwrap_or_default(), true)
        }
        other => other?,
    };
    if !from_device {
        if let Some(s) = local_storage() {
            let _ = s.set_item(&format!("{DEVICE_COPY_PREFIX}{url}"), &text);
        }
    }
    Ok(text)
}

/// The sync timeout: [`SYNC_TIMEOUT_KEY`] if set to a positive whole number
/// of milliseconds, else [`DEFAULT_SYNC_TIMEOUT_MS`].
pub fn sync_timeout_ms() -> u32 {
    setting_ms(SYNC_TIMEOUT_KEY).unwrap_or(DEFAULT_SYNC_TIMEOUT_MS)
}

/// An operator's (or a test's) own duration, kept in localStorage under
/// `key` as a positive whole number of milliseconds.
pub fn setting_ms(key: &str) -> Option<u32> {
    local_storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|v| v.trim().trim_matches('"').parse::<u32>().ok())
        .filter(|ms| *ms > 0)
}

/// Whether the server says it works: `GET /api/v1/health` answers 200
/// within [`sync_timeout_ms`].
pub async fn health_ok() -> bool {
    let Ok(controller) = web_sys::AbortController::new() else {
        return false;
    };
    let signal = controller.signal();
    let timer = leptos::prelude::set_timeout_with_handle(
        move || controller.abort(),
        Duration::from_millis(u64::from(sync_timeout_ms())),
    )
    .ok();
    let answer = Request::get(HEALTH_URL)
        .abort_signal(Some(&signal))
        .send()
        .await;
    if let Some(timer) = timer {
        timer.clear();
    }
    answer.is_ok_and(|r| r.status() == 200)
}

/// Send a batch of responses (`POST /api/v1/responses`); the answer has one
/// outcome per response. Gives up after [`sync_timeout_ms`] with
/// [`ApiError::Timeout`], cancelling the request.
pub async fn send_batch(responses: &[SurveyResponse]) -> Result<SyncReply, ApiError> {
    let mut json = Vec::with_capacity(responses.len());
    for response in responses {
        json.push(
            serde_json::to_string(response)
                .map_err(|e| ApiError::Network(format!("cannot encode the batch: {e}")))?,
        );
    }
    send_json_batch(&json).await
}

/// [`send_batch`] for responses already in JSON, as the outbox keeps them:
/// each is sent exactly as stored.
pub async fn send_json_batch(responses: &[String]) -> Result<SyncReply, ApiError> {
    let body = format!("{{\"responses\":[{}]}}", responses.join(","));
    let ms = sync_timeout_ms();
    let controller = web_sys::AbortController::new()
        .map_err(|e| ApiError::Network(format!("cannot make a request: {e:?}")))?;
    let signal = controller.signal();
    let timer = leptos::prelude::set_timeout_with_handle(
        move || controller.abort(),
        Duration::from_millis(u64::from(ms)),
    )
    .ok();
    let result = async {
        let mut request = Request::post(RESPONSES_URL)
            .header("content-type", "application/json")
            .abort_signal(Some(&signal));
        if let Some(token) = enrolment::token() {
            request = request.header("authorization", &bearer(&token));
        }
        let resp = request
            .body(body)
            .map_err(|e| ApiError::Network(e.to_string()))?
            .send()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        if !resp.ok() {
            return Err(failure(resp).await);
        }
        let text = resp
            .text()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        sync_reply(&text).map_err(ApiError::Decode)
    }
    .await;
    if let Some(timer) = timer {
        timer.clear();
    }
    match result {
        Err(ApiError::Network(_)) if signal.aborted() => Err(ApiError::Timeout { ms }),
        other => other,
    }
}

/// The `Authorization` header's value for a device token.
fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Exchange a one-time enrolment code (already normalized, see
/// `access::normalize_code`) for this device's token, read from the
/// `access::Enrolled` answer
/// (`POST /api/v1/devices/enrol`). A 401 means the code is unknown, used or
/// expired. The caller keeps the answer (`storage::enrolment::save`).
pub async fn enrol(code: &str) -> Result<enrolment::Enrolment, ApiError> {
    // `access::Enrol`; a normalized code is letters and digits only.
    let body = format!("{{\"code\":\"{code}\"}}");
    let resp = Request::post(ENROL_URL)
        .header("content-type", "application/json")
        .body(body)
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !resp.ok() {
        return Err(failure(resp).await);
    }
    let enrolled = resp
        .json::<enrolment::Enrolment>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    // The visits kept on the device were the previous enrolment's shopper's.
    if let Some(s) = local_storage() {
        let _ = s.remove_item(&format!("{DEVICE_COPY_PREFIX}{VISITS_URL}"));
    }
    Ok(enrolled)
}

/// Read a [`SyncReply`]. By hand rather than through serde: its internally
/// tagged `Outcome` costs about 13 KB of wasm through serde, three fields
/// read directly cost almost nothing.
fn sync_reply(text: &str) -> Result<SyncReply, String> {
    let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_string())?;
    let field = |v: &JsValue, name: &str| {
        Reflect::get(v, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    let results = Reflect::get(&value, &JsValue::from_str("results"))
        .ok()
        .filter(Array::is_array)
        .ok_or("no \"results\" list")?
        .unchecked_into::<Array>();
    let mut outcomes = Vec::with_capacity(results.length() as usize);
    for item in results.iter() {
        let id: Uuid = field(&item, "id")
            .and_then(|id| id.parse().ok())
            .ok_or("an outcome without a valid \"id\"")?;
        outcomes.push(match field(&item, "status").as_deref() {
            Some("accepted") => Outcome::Accepted { id },
            Some("duplicate") => Outcome::Duplicate { id },
            Some("rejected") => Outcome::Rejected {
                id,
                reason: field(&item, "reason").unwrap_or_default(),
            },
            Some("deferred") => Outcome::Deferred {
                id,
                reason: field(&item, "reason").unwrap_or_default(),
            },
            other => return Err(format!("unknown outcome status {other:?}")),
        });
    }
    Ok(SyncReply { results: outcomes })
}

// The manager dashboard.

/// The dashboard's figures for `filter` (`GET /api/v1/aggregates`), and
/// whether they are the copy kept on the device from the last time this
/// filter was fetched (the server could not be reached).
pub async fn aggregates(
    filter: &branchpulse_core::aggregate::Filter,
) -> Result<(branchpulse_core::aggregate::Aggregates, bool), ApiError> {
    let url = with_query("/api/v1/aggregates", &filter.to_query());
    let answer = get_kept_marked(&url).await?;
    if !answer.1 {
        keep_only_recent_aggregates(&url);
    }
    Ok(answer)
}

/// How many filters' figures stay on the device: each copy is tens of KB,
/// and localStorage (about 5 MB) is shared with drafts and settings.
pub const KEPT_AGGREGATES: usize = 8;

/// localStorage key of the URLs whose figures are kept, oldest first.
const RECENT_AGGREGATES_KEY: &str = "branchpulse.api.aggregates.recent";

/// Note `url` as the newest kept figures and drop the copies beyond
/// [`KEPT_AGGREGATES`].
fn keep_only_recent_aggregates(url: &str) {
    let Some(s) = local_storage() else { return };
    let mut recent: Vec<String> = s
        .get_item(RECENT_AGGREGATES_KEY)
        .ok()
        .flatten()
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default();
    recent.retain(|u| u != url);
    recent.push(url.to_string());
    while recent.len() > KEPT_AGGREGATES {
        let old = recent.remove(0);
        let _ = s.remove_item(&format!("{DEVICE_COPY_PREFIX}{old}"));
    }
    if let Ok(v) = serde_json::to_string(&recent) {
        let _ = s.set_item(RECENT_AGGREGATES_KEY, &v);
    }
}

/// A comment as the dashboard shows it: the fields of the contract's
/// `Comment` it needs, the time kept as the server wrote it (RFC 3339), so
/// the app carries no date parser for it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct CommentText {
    pub branch: String,
    pub questionnaire_id: String,
    pub submitted_at: String,
    pub item: String,
    pub text: String,
}

/// The latest comments per branch for `query` (`GET /api/v1/comments`),
/// newest first. Not kept on the device: comments are read where the
/// server is reachable.
pub async fn comments(
    query: &branchpulse_core::aggregate::CommentQuery,
) -> Result<Vec<CommentText>, ApiError> {
    let text = fetch_text(&format!("/api/v1/comments?{}", query.to_query())).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
}

/// Where the CSV of the responses the filter takes in is downloaded.
pub fn responses_csv_url(filter: &branchpulse_core::aggregate::Filter) -> String {
    with_query("/api/v1/export/responses.csv", &filter.to_query())
}

/// Where the CSV of the figures for the filter is downloaded.
pub fn aggregates_csv_url(filter: &branchpulse_core::aggregate::Filter) -> String {
    with_query("/api/v1/export/aggregates.csv", &filter.to_query())
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}
