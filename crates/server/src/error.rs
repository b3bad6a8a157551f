//! The one error type of the HTTP API: every failure becomes
//! `{"error": "…", "code": "…", "field": "…"}` ([`ErrorBody`]) with the
//! status that fits. The English `error` is for people; clients act on the
//! [`ProblemCode`] and the field.

use crate::store::StoreError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::FromRequestParts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use branchpulse_core::access::FieldError;
use branchpulse_core::aggregate::FilterError;
use branchpulse_core::protocol::ErrorBody;
use branchpulse_core::questionnaire::LoadError;
use branchpulse_core::ProblemCode;

/// What a busy database's 503 asks the client to wait, in seconds.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// A failed API request. The message is shown to the client as is, so it
/// says what was wrong and, where it helps, what to do. Each variant but
/// [`ApiError::Problem`] has a general code ([`ApiError::code`]);
/// [`ApiError::coded`] and [`ApiError::at`] name the problem precisely.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be understood (malformed JSON, empty batch).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no credentials, or bad, expired or revoked ones. Answered with
    /// `WWW-Authenticate`, so a device knows to enrol again.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: a known identity that may not do this (a device token reading,
    /// a reader outside their scope, a missing CSRF token).
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such questionnaire, API path or file.
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists, the method does not.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 409: the thing to create exists already (a user name, a branch
    /// code, a questionnaire id and version).
    #[error("{0}")]
    Conflict(String),
    /// 413: the body or the batch is larger than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// 415: the body is not `application/json`.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed JSON of the wrong shape.
    #[error("{0}")]
    Unprocessable(String),
    /// 429: too many requests or sign-in failures; `Retry-After` says when
    /// to try again, in seconds.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after: u64 },
    /// 503: a dependency (the database, the built app) is not available;
    /// the client may retry later.
    #[error("{0}")]
    Unavailable(String),
    /// 503 with `Retry-After`: the database is busy or out of reach for
    /// now (locked, no free connection, connection lost). The detail is
    /// logged, not sent.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// 500: a bug or an unexpected failure. The detail is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
    /// Any status with a precise code and, when the problem is about one,
    /// the field or parameter at fault.
    #[error("{message}")]
    Problem {
        status: StatusCode,
        code: ProblemCode,
        field: Option<String>,
        message: String,
    },
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Problem { status, .. } => *status,
        }
    }

    /// What went wrong, by name: the general code of the variant unless
    /// [`ApiError::coded`] named it precisely.
    pub fn code(&self) -> ProblemCode {
        match self {
            ApiError::BadRequest(_) => ProblemCode::BadRequest,
            ApiError::Unauthorized(_) => ProblemCode::SignInRequired,
            ApiError::Forbidden(_) => ProblemCode::Forbidden,
            ApiError::NotFound(_) => ProblemCode::NotFound,
            ApiError::MethodNotAllowed(_) => ProblemCode::MethodNotAllowed,
            ApiError::Conflict(_) => ProblemCode::Conflict,
            ApiError::TooLarge(_) => ProblemCode::TooLarge,
            ApiError::UnsupportedMediaType(_) => ProblemCode::UnsupportedMediaType,
            ApiError::Unprocessable(_) => ProblemCode::UnexpectedJson,
            ApiError::TooManyRequests { .. } => ProblemCode::RateLimited,
            ApiError::Unavailable(_) | ApiError::Busy(_) => ProblemCode::Unavailable,
            ApiError::Internal(_) => ProblemCode::Internal,
            ApiError::Problem { code, .. } => *code,
        }
    }

    /// The field or parameter at fault, when the problem is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Problem { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The same failure (status and message) named precisely. A
    /// [`ApiError::TooManyRequests`] stays as it is: its code is always
    /// `rate_limited`, and its `Retry-After` must not be lost.
    pub fn coded(self, code: ProblemCode) -> ApiError {
        // A busy database keeps its own `Retry-After` too.
        if matches!(self, ApiError::TooManyRequests { .. } | ApiError::Busy(_)) {
            return self;
        }
        ApiError::Problem {
            status: self.status(),
            code,
            field: self.field().map(str::to_owned),
            message: self.to_string(),
        }
    }

    /// The same failure, about `field`.
    pub fn at(self, field: impl Into<String>) -> ApiError {
        match self {
            ApiError::Problem {
                status,
                code,
                message,
                ..
            } => ApiError::Problem {
                status,
                code,
                field: Some(field.into()),
                message,
            },
            // These keep their variant for their `Retry-After`; neither is
            // about a field.
            kept @ (ApiError::TooManyRequests { .. } | ApiError::Busy(_)) => kept,
            other => {
                let code = other.code();
                other.coded(code).at(field)
            }
        }
    }

    /// What the client is told.
    fn public_message(&self) -> String {
        if self.status() == StatusCode::INTERNAL_SERVER_ERROR {
            return "internal server error; the details are in the server's log".into();
        }
        if let ApiError::Busy(_) = self {
            return "the database is busy; try again in a moment".into();
        }
        self.to_string()
    }
}

/// 422: a form's field, as core's checks found it.
impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Unprocessable(e.to_string())
            .coded(e.code)
            .at(e.field)
    }
}

/// 400: a dashboard filter, naming its parameter.
impl From<FilterError> for ApiError {
    fn from(e: FilterError) -> Self {
        let refused = ApiError::BadRequest(e.to_string()).coded(e.code());
        match e.field() {
            Some(field) => refused.at(field),
            None => refused,
        }
    }
}

/// 422: an uploaded questionnaire; the message names the item.
impl From<LoadError> for ApiError {
    fn from(e: LoadError) -> Self {
        ApiError::Unprocessable(e.to_string()).coded(e.code)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            ApiError::Busy(_) => Some(BUSY_RETRY_AFTER_SECS),
            _ => None,
        };
        let challenge = status == StatusCode::UNAUTHORIZED;
        if let ApiError::Busy(_) = self {
            tracing::warn!(%status, error = %self, "request refused for now; the client may retry");
        } else if status.is_server_error() {
            tracing::error!(%status, error = %self, "request failed");
        } else {
            tracing::debug!(%status, error = %self, "request refused");
        }
        let mut response = (
            status,
            axum::Json(ErrorBody {
                error: self.public_message(),
                code: Some(self.code()),
                field: self.field().map(str::to_owned),
            }),
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        if challenge {
            // Devices send bearer tokens; people's sessions ride on a cookie,
            // which has no challenge scheme of its own.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"branchpulse\""),
            );
        }
        response
    }
}

/// A failed database call, so that handlers write `?`. Busy or out of
/// reach is 503 with `Retry-After`: the client tries again, as it does
/// after a lost connection. Anything else is a bug or a broken database:
/// 500, and the log line (in the request's span, which names the method and
/// path) says it was the database and how it failed.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_transient() {
            ApiError::Busy(e.to_string())
        } else {
            ApiError::Internal(format!("the database call failed: {e}"))
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(e) => {
                ApiError::BadRequest(format!("malformed JSON: {}", placed(&e)))
                    .coded(ProblemCode::MalformedJson)
            }
            JsonRejection::JsonDataError(e) => about(
                ApiError::Unprocessable(format!("unexpected JSON: {}", placed(&e))),
                &e,
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType(
                "expected a request with `Content-Type: application/json`".into(),
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::TooLarge(
                    "request body too large: send fewer responses per request".into(),
                )
            }
            JsonRejection::BytesRejection(e) => ApiError::BadRequest(format!(
                "could not read the request body: {}",
                innermost(&e)
            ))
            .coded(ProblemCode::MalformedJson),
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::NotFound(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        match rejection {
            QueryRejection::FailedToDeserializeQueryString(e) => about(
                ApiError::BadRequest(format!("bad query parameter: {}", placed(&e)))
                    .coded(ProblemCode::BadQuery),
                &e,
            ),
            other => ApiError::BadRequest(other.body_text()).coded(ProblemCode::BadQuery),
        }
    }
}

/// `refused`, about the place serde names in `e` (`branch.active`,
/// `limit`), if any.
fn about(refused: ApiError, e: &(dyn std::error::Error + 'static)) -> ApiError {
    type JsonAt = serde_path_to_error::Error<serde_json::Error>;
    type QueryAt = serde_path_to_error::Error<serde::de::value::Error>;
    let mut current = Some(e);
    while let Some(e) = current {
        let path = match (e.downcast_ref::<JsonAt>(), e.downcast_ref::<QueryAt>()) {
            (Some(at), _) => Some(at.path().to_string()),
            (_, Some(at)) => Some(at.path().to_string()),
            _ => None,
        };
        if let Some(path) = path {
            // `.` is the whole value: no one field is at fault.
            return if path == "." {
                refused
            } else {
                refused.at(path)
            };
        }
        current = e.source();
    }
    refused
}

/// serde's message with the place it applies to: `branch.active: invalid
/// type: …` for a JSON body (with the line and column), `limit: …` for a
/// query string. axum decodes both through `serde_path_to_error`, whose
/// error sits in the rejection's source chain; without a place (a value
/// refused as a whole), the innermost message.
fn placed(e: &(dyn std::error::Error + 'static)) -> String {
    type JsonAt = serde_path_to_error::Error<serde_json::Error>;
    // serde_urlencoded's error type.
    type QueryAt = serde_path_to_error::Error<serde::de::value::Error>;
    let mut current = Some(e);
    while let Some(e) = current {
        if let Some(at) = e.downcast_ref::<JsonAt>() {
            return at.to_string();
        }
        if let Some(at) = e.downcast_ref::<QueryAt>() {
            return at.to_string();
        }
        current = e.source();
    }
    innermost(e)
}

/// The message of the innermost error in `e`'s source chain: for JSON
/// rejections, serde's own words with the line and column.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

/// `axum::Json` whose rejections are [`ApiError`]s, so that a malformed body
/// gets the same `{"error": …}` shape as every other failure.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path` whose rejections are [`ApiError`]s. A path id
/// holding a control character names nothing that can exist, and reaching
/// the database with it fails there (PostgreSQL refuses U+0000 outright):
/// it is answered 404, naming the parameter, before any lookup.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let raw = axum::extract::RawPathParams::from_request_parts(parts, state).await;
        if let Ok(raw) = raw {
            for (name, value) in &raw {
                if let Err(e) = branchpulse_core::text::check_plain(name, value) {
                    return Err(ApiError::NotFound(format!("{e}: nothing has such an id")).at(name));
                }
            }
        }
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}

/// `axum::extract::Query` whose rejections are [`ApiError`]s (400).
#[derive(Debug, Clone, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn errors_are_json_with_their_status() {
        let response = ApiError::NotFound("unknown questionnaire \"x\"".into()).into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let body: ErrorBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(body.error, "unknown questionnaire \"x\"");
    }

    #[tokio::test]
    async fn bodies_carry_the_code_and_field_beside_the_message() {
        let body = |e: ApiError| async move {
            let status = e.status();
            let bytes = axum::body::to_bytes(e.into_response().into_body(), 1024)
                .await
                .unwrap();
            (status, serde_json::from_slice::<ErrorBody>(&bytes).unwrap())
        };
        let (status, b) = body(
            ApiError::Conflict("username: \"ana\" is taken".into())
                .coded(ProblemCode::UsernameTaken)
                .at("username"),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(b.error, "username: \"ana\" is taken");
        assert_eq!(b.code, Some(ProblemCode::UsernameTaken));
        assert_eq!(b.field.as_deref(), Some("username"));
        // Each variant has a general code of its own.
        let (_, b) = body(ApiError::NotFound("no user 7".into())).await;
        assert_eq!((b.code, b.field), (Some(ProblemCode::NotFound), None));
        // A coded 500 still keeps its detail to the log.
        let (_, b) =
            body(ApiError::Internal("disk on fire".into()).coded(ProblemCode::Internal)).await;
        assert!(!b.error.contains("disk on fire"), "{}", b.error);
        // Rate limits keep their Retry-After whatever they are called.
        let limited = ApiError::TooManyRequests {
            message: "slow down".into(),
            retry_after: 3,
        }
        .coded(ProblemCode::BadRequest)
        .into_response();
        assert_eq!(limited.headers()[header::RETRY_AFTER], "3");
    }

    #[tokio::test]
    async fn refusals_say_when_and_how_to_come_back() {
        let response = ApiError::TooManyRequests {
            message: "slow down".into(),
            retry_after: 7,
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        let response = ApiError::Unauthorized("sign in".into()).into_response();
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }

    #[derive(Debug, serde::Deserialize)]
    struct Outer {
        #[allow(dead_code)]
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Inner {
        #[allow(dead_code)]
        counts: Vec<u8>,
    }

    /// The message of what the extractors answer for a request.
    async fn refused(request: axum::http::Request<axum::body::Body>) -> (StatusCode, String) {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route("/body", axum::routing::post(|_: Json<Outer>| async {}))
            .route(
                "/query",
                axum::routing::get(|_: Query<std::collections::HashMap<String, u8>>| async {}),
            );
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body: ErrorBody = serde_json::from_slice(&body).unwrap();
        (status, body.error)
    }

    #[tokio::test]
    async fn a_wrong_type_deep_in_a_body_or_query_is_named_by_its_path() {
        let post = |body: &'static str| {
            axum::http::Request::post("/body")
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(body))
                .unwrap()
        };
        let (status, error) = refused(post(r#"{"inner": {"counts": [1, 300]}}"#)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            error.starts_with("unexpected JSON: inner.counts[1]: invalid value: integer `300`"),
            "{error}"
        );
        let (status, error) = refused(post(r#"{"inner": {"counts": [1, "#)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error.starts_with("malformed JSON: "), "{error}");
        let query = axum::http::Request::get("/query?limit=300")
            .body(axum::body::Body::empty())
            .unwrap();
        let (status, error) = refused(query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error.starts_with("bad query parameter: limit: "), "{error}");
    }

    #[tokio::test]
    async fn a_path_id_with_a_control_character_is_404_before_any_lookup() {
        use tower::ServiceExt;
        let app = axum::Router::new().route(
            "/things/{id}",
            axum::routing::get(|Path(id): Path<String>| async move {
                format!("the handler saw {id:?}")
            }),
        );
        let request = |uri: &str| {
            axum::http::Request::builder()
                .uri(uri)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let response = app
            .clone()
            .oneshot(request("/things/lo%00bby"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let body: ErrorBody = serde_json::from_slice(&body).unwrap();
        assert!(
            body.error
                .starts_with("id: contains the control character U+0000"),
            "{}",
            body.error
        );
    }

    #[tokio::test]
    async fn internal_details_are_not_sent() {
        let response = ApiError::Internal("disk on fire".into()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("disk on fire"));
    }

    /// A fresh database: a SQLite file in `dir`, or, when
    /// `BRANCHPULSE_TEST_POSTGRES` names a server, a new database there
    /// whose lock waits give up after 200 ms.
    async fn fresh_database(dir: &std::path::Path) -> String {
        let Some(admin) = std::env::var("BRANCHPULSE_TEST_POSTGRES")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            return format!("sqlite://{}", dir.join("test.db").display());
        };
        let name = format!("bp_test_{}", uuid::Uuid::new_v4().simple());
        let pool = sqlx::PgPool::connect(&admin).await.unwrap();
        for sql in [
            format!("CREATE DATABASE {name}"),
            format!("ALTER DATABASE {name} SET lock_timeout = '200ms'"),
        ] {
            sqlx::query(&sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
        let (base, _) = admin.rsplit_once('/').unwrap();
        format!("{base}/{name}")
    }

    /// A connection of another process to the server's database.
    enum Other {
        Sqlite(sqlx::SqliteConnection),
        Postgres(sqlx::PgConnection),
    }

    impl Other {
        async fn connect(url: &str) -> Other {
            use sqlx::Connection;
            if url.starts_with("sqlite:") {
                Other::Sqlite(sqlx::SqliteConnection::connect(url).await.unwrap())
            } else {
                Other::Postgres(sqlx::PgConnection::connect(url).await.unwrap())
            }
        }

        async fn run(&mut self, sql: &str) {
            match self {
                Other::Sqlite(c) => sqlx::query(sql).execute(c).await.map(|_| ()),
                Other::Postgres(c) => sqlx::query(sql).execute(c).await.map(|_| ()),
            }
            .unwrap();
        }

        /// Take a lock that keeps the server from writing accounts, until
        /// [`Other::release`].
        async fn lock_accounts(&mut self) {
            self.run("BEGIN").await;
            match self {
                // One writer at a time: this transaction is it.
                Other::Sqlite(_) => self.run("UPDATE users SET active = active").await,
                Other::Postgres(_) => self.run("LOCK TABLE users IN ACCESS EXCLUSIVE MODE").await,
            }
        }

        async fn release(&mut self) {
            self.run("ROLLBACK").await;
        }
    }

    /// A real server on a fresh database in `dir`, with its first admin:
    /// its address, its database, and the sender that stops it.
    async fn serve(dir: &std::path::Path) -> (String, String, tokio::sync::oneshot::Sender<()>) {
        let mut config = crate::config::Config::defaults();
        config.addr = "127.0.0.1:0".parse().unwrap();
        config.database_url = fresh_database(dir).await;
        config.dist = dir.join("dist");
        config.questionnaires =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../questionnaires");
        config.admin_password = Some(ADMIN_PASSWORD.into());
        config.rate_per_ip = 0;
        config.sign_in_per_minute = 0;
        let database_url = config.database_url.clone();
        let server = crate::Server::bind(config).await.unwrap();
        let url = format!("http://{}", server.local_addr());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        (url, database_url, stop)
    }

    const ADMIN_PASSWORD: &str = "a busy database test password";

    async fn sign_in(url: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{url}/api/v1/session"))
            .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap()
    }

    /// Another process holds a lock the server needs (a backup, a hand-run
    /// query): a sign-in, whose attempt count is a write, waits out the
    /// busy timeout (SQLite) or the lock timeout (PostgreSQL) and is
    /// answered 503 with `Retry-After`, not 500; the same sign-in succeeds
    /// once the lock is gone.
    #[tokio::test]
    async fn a_locked_database_is_503_with_retry_after_until_it_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let (url, database_url, _stop) = serve(dir.path()).await;
        let mut other = Other::connect(&database_url).await;
        other.lock_accounts().await;

        let busy = sign_in(&url).await;
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            busy.headers()[header::RETRY_AFTER],
            BUSY_RETRY_AFTER_SECS.to_string().as_str()
        );
        let body: ErrorBody = busy.json().await.unwrap();
        assert_eq!(body.error, "the database is busy; try again in a moment");

        other.release().await;
        assert_eq!(sign_in(&url).await.status(), StatusCode::OK);
    }

    /// A database failure that waiting will not cure (here a table gone
    /// from under the server) is a 500 that keeps its detail to the log.
    #[tokio::test]
    async fn a_broken_database_is_500_without_its_detail() {
        let dir = tempfile::tempdir().unwrap();
        let (url, database_url, _stop) = serve(dir.path()).await;
        let signed_in = sign_in(&url).await;
        assert_eq!(signed_in.status(), StatusCode::OK);
        let cookie = signed_in.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        Other::connect(&database_url)
            .await
            .run("DROP TABLE audit_log")
            .await;

        let response = reqwest::Client::new()
            .get(format!("{url}/api/v1/audit"))
            .header(header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!response.headers().contains_key(header::RETRY_AFTER));
        let body: ErrorBody = response.json().await.unwrap();
        assert_eq!(
            body.error,
            "internal server error; the details are in the server's log"
        );
    }
}
