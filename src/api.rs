//! The one module between the app and the server: every URL and every JSON
//! decode lives here, so pages only ever see typed results.

use branchpulse_core::protocol::{ErrorBody, QuestionnaireSummary};
use branchpulse_core::Questionnaire;
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use std::fmt;

/// Why a call to the server did not give what was asked.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: offline, server down, or the request was cut.
    Network(String),
    /// The server answered with an error status and its message.
    Server { status: u16, message: String },
    /// The server answered 2xx with a body we cannot read.
    Decode(String),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network(e) => write!(f, "network: {e}"),
            ApiError::Server { status, message } => write!(f, "HTTP {status}: {message}"),
            ApiError::Decode(e) => write!(f, "unreadable answer: {e}"),
        }
    }
}

async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        return resp
            .json()
            .await
            .map_err(|e| ApiError::Decode(e.to_string()));
    }
    let status = resp.status();
    let message = match resp.json::<ErrorBody>().await {
        Ok(body) => body.error,
        Err(_) => resp.status_text(),
    };
    Err(ApiError::Server { status, message })
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let resp = Request::get(url)
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read(resp).await
}

pub async fn questionnaires() -> Result<Vec<QuestionnaireSummary>, ApiError> {
    get("/api/v1/questionnaires").await
}

/// The latest version of questionnaire `id`.
pub async fn questionnaire(id: &str) -> Result<Questionnaire, ApiError> {
    let id = js_sys::encode_uri_component(id);
    get(&format!("/api/v1/questionnaires/{id}")).await
}
