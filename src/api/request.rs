//! The one way the app sends a request to its server: [`Call`] sets the
//! address, the credentials, the JSON body, the timeout and the
//! cancellation, and turns every failure into an [`ApiError`].
//!
//! A request started under a reactive owner (a resource's fetcher, a scoped
//! task) is aborted when that owner is cleaned up: a page left while its
//! data loads stops downloading it, and its caller gets
//! [`ApiError::Network`]. A request started from a plain task (the sync
//! client, a button's handler) has no owner and runs to its answer or its
//! timeout. (A task of `spawn_local_scoped` holds its owner, so only an
//! explicit cleanup ends it, not the page's unmount.)

use super::{failure, ApiError};
use crate::storage::enrolment;
use branchpulse_core::access::CSRF_HEADER;
use gloo_net::http::{Method, RequestBuilder, Response};
use leptos::prelude::{on_cleanup, Owner};
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

/// Where the server's API lives: every request's path is under it.
pub const BASE: &str = "/api/v1";

/// The address of `path` (which starts with `/`) on our server.
pub fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

thread_local! {
    /// The CSRF token of the signed-in session: in memory only, never in
    /// storage a script could read later (the session cookie itself is
    /// HttpOnly).
    static CSRF: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Keep the CSRF token of a session just read or started.
pub fn remember_csrf(token: &str) {
    CSRF.with(|c| token.clone_into(&mut c.borrow_mut()));
}

/// Forget the CSRF token (signed out).
pub fn forget_csrf() {
    CSRF.with(|c| c.borrow_mut().clear());
}

/// A request being prepared: `Call::get("/branches").device().text().await`.
#[must_use]
pub struct Call {
    method: Method,
    url: String,
    body: Option<String>,
    device: bool,
    csrf: bool,
    timeout_ms: Option<u32>,
}

impl Call {
    fn new(method: Method, path: &str) -> Call {
        Call {
            method,
            url: url(path),
            body: None,
            device: false,
            csrf: false,
            timeout_ms: None,
        }
    }

    pub fn get(path: &str) -> Call {
        Call::new(Method::GET, path)
    }

    pub fn post(path: &str) -> Call {
        Call::new(Method::POST, path)
    }

    pub fn put(path: &str) -> Call {
        Call::new(Method::PUT, path)
    }

    pub fn patch(path: &str) -> Call {
        Call::new(Method::PATCH, path)
    }

    pub fn delete(path: &str) -> Call {
        Call::new(Method::DELETE, path)
    }

    /// The full address, as the device's copies of answers are keyed.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Send the enrolled device's token (`Authorization: Bearer …`), if any.
    pub fn device(mut self) -> Call {
        self.device = true;
        self
    }

    /// Send the session's CSRF token (every state-changing people's request).
    pub fn session(mut self) -> Call {
        self.csrf = true;
        self
    }

    /// A JSON body, sent as it is.
    pub fn body(mut self, json: String) -> Call {
        self.body = Some(json);
        self
    }

    /// `value` as the JSON body.
    pub fn json(self, value: &impl Serialize) -> Result<Call, ApiError> {
        let json = serde_json::to_string(value).map_err(|e| ApiError::Decode(e.to_string()))?;
        Ok(self.body(json))
    }

    /// Give up after `ms` with [`ApiError::Timeout`], cancelling the request
    /// (reading the answer included).
    pub fn timeout(mut self, ms: u32) -> Call {
        self.timeout_ms = Some(ms);
        self
    }

    /// The answer whatever its status; only a missing answer is an error.
    pub async fn answer(self) -> Result<Response, ApiError> {
        self.run(Want::Answer).await.map(|(resp, _)| resp)
    }

    /// A 2xx answer, else the server's error.
    pub async fn send(self) -> Result<(), ApiError> {
        self.run(Want::Success).await.map(drop)
    }

    /// The body of a 2xx answer.
    pub async fn text(self) -> Result<String, ApiError> {
        self.run(Want::Body).await.map(|(_, text)| text)
    }

    /// The body of a 2xx answer, read as `T`.
    pub async fn read<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        decode(&self.text().await?)
    }

    /// Not generic, so that it is compiled once.
    async fn run(self, want: Want) -> Result<(Response, String), ApiError> {
        let controller = web_sys::AbortController::new()
            .map_err(|e| ApiError::Network(format!("cannot make a request: {e:?}")))?;
        let signal = controller.signal();
        if Owner::current().is_some() {
            let owned = SendWrapper::new(controller.clone());
            on_cleanup(move || owned.abort());
        }
        // Told apart from the owner's abort, which is no timeout.
        let timed_out = Rc::new(Cell::new(false));
        let timer = self.timeout_ms.and_then(|ms| {
            let timed_out = timed_out.clone();
            leptos::prelude::set_timeout_with_handle(
                move || {
                    timed_out.set(true);
                    controller.abort();
                },
                Duration::from_millis(u64::from(ms)),
            )
            .ok()
        });
        let ms = self.timeout_ms.unwrap_or_default();
        let result = self.exchange(&signal, want).await;
        if let Some(timer) = timer {
            timer.clear();
        }
        match result {
            Err(ApiError::Network(_)) if timed_out.get() => Err(ApiError::Timeout { ms }),
            other => other,
        }
    }

    async fn exchange(
        self,
        signal: &web_sys::AbortSignal,
        want: Want,
    ) -> Result<(Response, String), ApiError> {
        let mut request = RequestBuilder::new(&self.url)
            .method(self.method)
            .abort_signal(Some(signal));
        if self.device {
            if let Some(token) = enrolment::token() {
                request = request.header("authorization", &format!("Bearer {token}"));
            }
        }
        if self.csrf {
            let token = CSRF.with(|c| c.borrow().clone());
            request = request.header(CSRF_HEADER, &token);
        }
        let request = match self.body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(body),
            None => request.build(),
        }
        .map_err(network)?;
        let resp = request.send().await.map_err(network)?;
        if want == Want::Answer {
            return Ok((resp, String::new()));
        }
        if !resp.ok() {
            return Err(failure(resp).await);
        }
        let text = match want {
            Want::Body => resp.text().await.map_err(network)?,
            _ => String::new(),
        };
        Ok((resp, text))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Want {
    /// Any answer, its body unread.
    Answer,
    /// A 2xx answer, its body unread.
    Success,
    /// A 2xx answer's body.
    Body,
}

/// A 2xx `resp`'s body read as `T`, else the server's error: for an answer
/// first looked at whole ([`Call::answer`]).
pub async fn read_answer<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if !resp.ok() {
        return Err(failure(resp).await);
    }
    decode(&resp.text().await.map_err(network)?)
}

fn network(e: gloo_net::Error) -> ApiError {
    ApiError::Network(e.to_string())
}

/// `text` read as `T`.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Decode(e.to_string()))
}
