//! HTTP to our server, and nothing else: every URL and every JSON decode
//! lives here, so pages only ever see typed results. Every call goes
//! through one request builder, [`Call`] (`request.rs`). Copies of answers
//! kept for offline use are `storage::kept`'s.

use branchpulse_core::collect;
use branchpulse_core::protocol::{ErrorBody, Outcome, SyncReply};
use branchpulse_core::{ProblemCode, Response as SurveyResponse};
use gloo_net::http::Response;
use js_sys::{Array, Reflect};
use std::fmt;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

pub mod admin;
pub mod alerts;
mod read;
mod request;

pub use request::{decode, url, Call};

/// How long [`send_batch`] waits for the server's answer by default.
pub const DEFAULT_SYNC_TIMEOUT_MS: u32 = 20_000;

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

// Read-only answers a device keeps a copy of: prepared here, read through
// the copy by `storage::kept`.

/// The branches.
pub fn branches() -> Call {
    Call::get("/branches")
}

/// The questionnaires this device may read: with an enrolled phone's
/// token the mystery-shop ones too (the server keeps them from others).
pub fn questionnaires() -> Call {
    Call::get("/questionnaires").device()
}

/// The latest version of questionnaire `id` (with the device's token, as
/// [`questionnaires`]).
pub fn questionnaire(id: &str) -> Call {
    questionnaire_path(id).device()
}

fn questionnaire_path(id: &str) -> Call {
    Call::get(&format!(
        "/questionnaires/{}",
        js_sys::encode_uri_component(id)
    ))
}

/// The mystery-shop visits of this device's shopper (the server picks them
/// by the device's token).
pub fn visits() -> Call {
    Call::get("/visits").device()
}

/// Tell the server the shopper started visit `id` (idempotent: a phone
/// resends it until it is answered).
pub fn start_visit(id: Uuid) -> Call {
    Call::post(&format!("/visits/{id}/start")).device()
}

/// Report `id` in full, as the shopper's phone reads a returned one to
/// correct it.
pub fn report(id: Uuid) -> Call {
    Call::get(&format!("/reports/{id}")).device()
}

/// The dashboard's figures for `filter` (`GET /api/v1/aggregates`).
pub fn aggregates(filter: &branchpulse_core::aggregate::Filter) -> Call {
    Call::get(&with_query("/aggregates", &filter.to_query()))
}

/// The figures of each scored item for `filter` (`GET /api/v1/items`),
/// what the dashboard's drill-down shows.
pub fn items(filter: &branchpulse_core::aggregate::Filter) -> Call {
    Call::get(&with_query("/items", &filter.to_query()))
}

/// The latest version of questionnaire `id` as the server sent it, for a
/// device that keeps it (the kiosk): storing the text as received costs no
/// serializer for the whole questionnaire.
pub async fn questionnaire_json(id: &str) -> Result<String, ApiError> {
    questionnaire_path(id).text().await
}

/// The sync timeout: [`crate::storage::keys::SYNC_TIMEOUT_MS`] if set to a
/// positive whole number of milliseconds, else [`DEFAULT_SYNC_TIMEOUT_MS`].
pub fn sync_timeout_ms() -> u32 {
    crate::storage::settings::ms(crate::storage::keys::SYNC_TIMEOUT_MS)
        .unwrap_or(DEFAULT_SYNC_TIMEOUT_MS)
}

/// Whether the server says it works: `GET /api/v1/health` answers 200
/// within [`sync_timeout_ms`].
pub async fn health_ok() -> bool {
    Call::get("/health")
        .timeout(sync_timeout_ms())
        .answer()
        .await
        .is_ok_and(|r| r.status() == 200)
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
    let text = Call::post("/responses")
        .device()
        .body(body)
        .timeout(sync_timeout_ms())
        .text()
        .await?;
    sync_reply(&text).map_err(ApiError::Decode)
}

/// Exchange a one-time enrolment code (already normalized, see
/// `access::normalize_code`) for this device's token, read from the
/// `access::Enrolled` answer
/// (`POST /api/v1/devices/enrol`). A 401 means the code is unknown, used or
/// expired. The caller keeps the answer (`storage::enrolment::save`).
pub async fn enrol(code: &str) -> Result<crate::storage::enrolment::Enrolment, ApiError> {
    // `access::Enrol`; a normalized code is letters and digits only.
    Call::post("/devices/enrol")
        .body(format!("{{\"code\":\"{code}\"}}"))
        .read()
        .await
}

/// Report how this kiosk is (`POST /api/v1/device/status`, with its
/// token); the answer says what it should take up between customers: the
/// staff PIN, and the version of its questionnaire in use on the server.
pub async fn device_status(
    report: &branchpulse_core::access::DeviceReport,
) -> Result<branchpulse_core::access::DeviceConfig, ApiError> {
    Call::post("/device/status")
        .device()
        .json(report)?
        .timeout(sync_timeout_ms())
        .read()
        .await
}

/// Send a customer's request to be contacted (`POST /api/v1/contacts`,
/// with the device's token): `body` is the `cases::ContactRequest` as the
/// kiosk kept it. A 2xx (stored now, or before) is `Ok`.
pub async fn send_contact(body: String) -> Result<(), ApiError> {
    Call::post("/contacts")
        .device()
        .body(body)
        .timeout(sync_timeout_ms())
        .send()
        .await
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
    /// Named when the questionnaire's title is not known on this device.
    #[serde(default)]
    pub channel: Option<branchpulse_core::Channel>,
    /// The response's overall satisfaction (1–5), when answered.
    #[serde(default)]
    pub satisfaction: Option<u8>,
}

/// The latest comments per branch for `query` (`GET /api/v1/comments`),
/// newest first. Not kept on the device: comments are read where the
/// server is reachable.
pub async fn comments(
    query: &branchpulse_core::aggregate::CommentQuery,
) -> Result<Vec<CommentText>, ApiError> {
    Call::get(&format!("/comments?{}", query.to_query()))
        .read()
        .await
}

/// The key drivers of the kiosk's responses for `filter`
/// (`GET /api/v1/drivers`). Not kept on the device.
pub async fn drivers(
    filter: &branchpulse_core::aggregate::Filter,
) -> Result<branchpulse_core::drivers::Drivers, ApiError> {
    let text = Call::get(&with_query("/drivers", &filter.to_query()))
        .text()
        .await?;
    drivers_of(&text, filter)
}

/// A drivers answer read field by field ([`read`]): the dashboard's bundle
/// is near its budget, and serde's derive for these types costs more.
/// The filter is the one asked with.
pub fn drivers_of(
    text: &str,
    filter: &branchpulse_core::aggregate::Filter,
) -> Result<branchpulse_core::drivers::Drivers, ApiError> {
    use branchpulse_core::aggregate::Figure;
    use branchpulse_core::drivers::{Driver, Drivers, Outcome, Reason};
    use branchpulse_core::stats::Estimate;
    use branchpulse_core::Dimension;
    use read::Obj;
    let whole = |o: &Obj, name: &str| o.opt_num(name).map_or(0, |n| n as u64);
    let estimate = |o: &Obj| {
        Some(Estimate {
            n: whole(o, "n"),
            value: o.opt_num("value")?,
            low: o.opt_num("low")?,
            high: o.opt_num("high")?,
        })
    };
    let dimension = |key: Option<String>| {
        Dimension::ALL
            .into_iter()
            .find(|d| key.as_deref() == Some(d.key()))
    };
    let outcome = |o: &Obj| -> Result<Outcome, ApiError> {
        let drivers = o
            .at("drivers")
            .items()
            .iter()
            .map(|d| {
                let e = |name: &str| {
                    estimate(&d.at(name))
                        .ok_or_else(|| ApiError::Decode(format!("driver without {name}")))
                };
                Ok(Driver {
                    dimension: dimension(d.opt_str("dimension"))
                        .ok_or_else(|| ApiError::Decode("driver without dimension".into()))?,
                    weight: e("weight")?,
                    share: e("share")?,
                    beta: e("beta")?,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(Outcome {
            n: whole(o, "n"),
            resamples: o.count("resamples"),
            reason: o.opt_str("reason").map(|r| match r.as_str() {
                "too_few" => Reason::TooFew,
                "constant" => Reason::Constant,
                _ => Reason::Collinear,
            }),
            dimension: dimension(o.opt_str("dimension")),
            r2: estimate(&o.at("r2")),
            drivers,
        })
    };
    let o = read::Obj::parse(text)?;
    let scores = o.at("scores");
    Ok(Drivers {
        filter: filter.clone(),
        cap: whole(&o, "cap"),
        read: whole(&o, "read"),
        capped: o.flag("capped"),
        satisfaction: outcome(&o.at("satisfaction"))?,
        nps: outcome(&o.at("nps"))?,
        scores: collect::map(Dimension::CUSTOMER.into_iter().filter_map(|d| {
            let f = scores.at(d.key());
            let n = f.opt_num("n")? as u64;
            Some((
                d,
                Figure {
                    n,
                    too_few: f.flag("too_few"),
                    estimate: estimate(&f.at("estimate")),
                    comparison: None,
                },
            ))
        })),
    })
}

/// Where the CSV of the responses the filter takes in is downloaded.
pub fn responses_csv_url(filter: &branchpulse_core::aggregate::Filter) -> String {
    url(&with_query("/export/responses.csv", &filter.to_query()))
}

/// Where the CSV of the figures for the filter is downloaded.
pub fn aggregates_csv_url(filter: &branchpulse_core::aggregate::Filter) -> String {
    url(&with_query("/export/aggregates.csv", &filter.to_query()))
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}
