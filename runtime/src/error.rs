//! Errors, by the phase in which a call failed.
//!
//! A caller usually wants to know *where* a call went wrong before *what* went wrong:
//! a request that never left the process ([`Error::InvalidInput`]) is safe to fix and
//! resend; a transport failure may or may not have reached the server
//! ([`Error::Transport::may_have_been_sent`](Error::Transport)); an API error carries
//! the provider's own code and message, normalized from its error body by an
//! [`ErrorShape`]; a decode error says which JSON path did not match the schema.
//!
//! No variant contains credentials: URLs are stripped from transport errors (an API key
//! may live in the query string) and request headers are never captured.

use std::any::Any;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// Everything that can go wrong in a call through the runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built from the given input (a value that does not
    /// serialize, an invalid header value, ...). Nothing was sent.
    #[error("invalid input for {operation}: {message}")]
    InvalidInput {
        /// The operation id.
        operation: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The client could not be built (an invalid base URL, header or setting).
    #[error("invalid client configuration: {message}")]
    Build {
        /// What was wrong.
        message: String,
    },
    /// The connection failed or broke.
    #[error("transport error{}: {source}", if *may_have_been_sent { " (the request may have been sent)" } else { "" })]
    Transport {
        /// The underlying error, with any URL removed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
        /// `false` when the failure happened before any byte of the request could have
        /// reached the server (e.g. connection refused), so that a resend cannot duplicate it.
        may_have_been_sent: bool,
    },
    /// A timeout elapsed.
    #[error("{kind} timeout of {after:?} elapsed")]
    Timeout {
        /// Which timeout.
        kind: TimeoutKind,
        /// The configured duration.
        after: Duration,
    },
    /// The provider asked us to wait longer than the call may wait (the retry policy's
    /// `max_wait`, or the time left before the call's total timeout), so the call failed
    /// fast instead of sleeping. The ask is a `Retry-After`-style header on a throttled
    /// response (`api` is then that response), or a rate-limit window that an earlier
    /// response said is spent until a reset (`api` is then `None`: nothing was sent).
    #[error("rate limited: the provider asked to wait {wait:?}, longer than the call may wait")]
    RateLimited {
        /// How long the provider asked to wait.
        wait: Duration,
        /// The API error that carried the request, when there was one.
        api: Option<Box<ApiError>>,
    },
    /// The provider answered with a non-success status, or with a success status and a
    /// body whose [`ok_flag`](crate::ProviderConfig::ok_flag) says the call failed.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A success response whose body did not match the expected type.
    #[error("could not decode the response (status {status}){}: {message}{}", path.as_deref().map(|p| format!(" at `{p}`")).unwrap_or_default(), request_id.as_deref().map(|r| format!(" [request id {r}]")).unwrap_or_default())]
    Decode {
        /// The HTTP status.
        status: StatusCode,
        /// What went wrong.
        message: String,
        /// The JSON path that failed, when known (e.g. `data[3].created`).
        path: Option<String>,
        /// The first bytes of the body, lossily decoded.
        excerpt: String,
        /// The whole body (of an event stream, the event's data), for a caller who needs to
        /// read it another way.
        body: RawBody,
        /// The provider's request id, when present.
        request_id: Option<String>,
    },
    /// A redirect could not be followed: more than 10 in a row (a loop), or one the HTTP
    /// client refused. Every request was answered, so the same call would fail the same
    /// way: it is not retried.
    #[error("redirect error: {message}")]
    Redirect {
        /// What went wrong, without any URL (a query string may hold a credential).
        message: String,
    },
    /// The circuit breaker is open after repeated failures; no request was sent.
    #[error("circuit breaker open: the provider failed repeatedly; retry in {retry_in:?}")]
    CircuitOpen {
        /// Time until the breaker lets a trial request through.
        retry_in: Duration,
    },
    /// Credentials could not be obtained or applied (e.g. the OAuth2 token endpoint failed).
    #[error("authentication failed: {message}")]
    Auth {
        /// What went wrong, without any secret.
        message: String,
    },
    /// A server-sent event stream broke off or broke a limit after its response began.
    /// Every complete event before it was delivered.
    #[error("event stream: {0}")]
    EventStream(EventStreamError),
    /// A paginated listing could not go on to its next page. The pages before were
    /// delivered.
    #[error("pagination stopped: {0}")]
    Pagination(PaginationError),
}

/// Why a paginated listing stopped with an error rather than at its last page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The next-page link points to another origin than the ones the client's credentials
    /// are for (see [`ClientBuilder::allow_origin`](crate::ClientBuilder::allow_origin)).
    /// It was not requested, so no credential went there.
    #[error(
        "the next-page link leads to another origin, {origin}, which was not requested so that the client's credentials do not go there (`ClientBuilder::allow_origin` allows an origin)"
    )]
    CrossOrigin {
        /// The origin of the link: scheme, host and port, never a path or query.
        origin: String,
    },
    /// The listing leads back to a page it has already delivered: a cursor or link that
    /// repeats an earlier one (A → B → A), or a page identical to an earlier one. The
    /// repeated page was not delivered again.
    #[error(
        "the listing repeats a page it has already delivered ({page}: the same link or cursor, or the same content) after {pages} pages"
    )]
    Cycle {
        /// The URL of the repeated page. Query values that may be credentials (the
        /// client's own API key parameter, and any named like a key, token, secret or
        /// signature) are shown as `REDACTED`.
        page: String,
        /// How many pages were delivered.
        pages: u64,
    },
}

/// Why a server-sent event stream ended in an error after its response began.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventStreamError {
    /// The body ended in the middle of an event: after a `data` line with no blank line
    /// ending the event, or in the middle of a line. The connection was most likely cut.
    /// The unfinished event is not delivered, because its data may be incomplete; every
    /// event before it was.
    #[error("the stream ended mid-event; the unfinished event ({pending} bytes) was discarded")]
    Truncated {
        /// How many bytes of the unfinished event were discarded.
        pending: usize,
    },
    /// A line or an event's data grew past the limit
    /// ([`RequestOptions::max_event_size`](crate::RequestOptions::max_event_size), 16 MiB
    /// by default). The stream stops here, so that a server that never ends a line cannot
    /// make the client buffer without bound.
    #[error("a line or event is longer than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

/// Which timeout elapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the connection.
    Connect,
    /// One attempt (request sent and the whole response read).
    Attempt,
    /// The whole call, retries and waits included; for a streamed body, also the body.
    Total,
    /// No byte of the response body arrived for this long (the read, or idle, timeout):
    /// between two chunks of a streamed body, or while a body is read whole.
    Read,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "connect",
            TimeoutKind::Attempt => "per-attempt",
            TimeoutKind::Total => "total",
            TimeoutKind::Read => "read (idle)",
        })
    }
}

impl Error {
    /// The API error, if the provider answered with a non-success status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::RateLimited { api: Some(api), .. } => Some(api),
            _ => None,
        }
    }

    /// The HTTP status, if a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Decode { status, .. } => Some(*status),
            _ => self.api().map(|a| a.status),
        }
    }

    /// Whether retrying the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => api.retryable,
            Error::Transport { .. } | Error::Timeout { .. } | Error::RateLimited { .. } => true,
            Error::CircuitOpen { .. } => true,
            Error::EventStream(EventStreamError::Truncated { .. }) => true,
            _ => false,
        }
    }

    /// The provider's request id, when one was returned.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => self.api().and_then(|a| a.request_id.as_deref()),
        }
    }

    /// If this is an API error, decode the operation's documented error body with `f`
    /// (given the status and raw body) and attach the result, so that callers can reach it
    /// with [`ApiError::typed_body`].
    ///
    /// An API error with a 2xx status (a failure reported by the provider's
    /// [`ok_flag`](crate::ProviderConfig::ok_flag)) has no documented error body, so `f`
    /// is not called for it, even when the operation documents a `default` error response.
    pub fn with_typed_body(
        mut self,
        f: impl FnOnce(u16, &[u8]) -> Option<Box<dyn Any + Send + Sync>>,
    ) -> Error {
        let api = match &mut self {
            Error::Api(api) => Some(api),
            Error::RateLimited { api: Some(api), .. } => Some(api),
            _ => None,
        };
        if let Some(api) = api.filter(|api| !api.status.is_success()) {
            api.typed = f(api.status.as_u16(), &api.body);
        }
        self
    }

    pub(crate) fn transport(err: reqwest::Error, may_have_been_sent: bool) -> Error {
        Error::Transport {
            source: Box::new(err.without_url()),
            may_have_been_sent,
        }
    }
}

/// A failure reported by the provider, normalized: a non-success response, or a success
/// response whose [`ok_flag`](crate::ProviderConfig::ok_flag) is `false`.
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The provider's error code (e.g. Stripe `card_declined`, Twilio `20404`), if found.
    pub code: Option<String>,
    /// The provider's human-readable message, if found.
    pub message: Option<String>,
    /// The provider's request id, from the configured header.
    pub request_id: Option<String>,
    /// Whether the classifier considered this status retryable.
    pub retryable: bool,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw response body; of a non-2xx response, at most its first MiB (the rest is
    /// not read).
    pub body: Bytes,
    typed: Option<Box<dyn Any + Send + Sync>>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        request_id: Option<String>,
        retryable: bool,
        shape: &ErrorShape,
    ) -> ApiError {
        let (code, message) = shape.extract(&headers, &body);
        ApiError {
            status,
            code,
            message,
            request_id,
            retryable,
            headers,
            body,
            typed: None,
        }
    }

    /// The operation's documented error body, when generated code attached one with
    /// [`Error::with_typed_body`] and it has type `E`.
    pub fn typed_body<E: 'static>(&self) -> Option<&E> {
        self.typed.as_ref().and_then(|b| b.downcast_ref::<E>())
    }

    /// The body as text (lossy), for logging.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A response body kept whole: it reads as bytes (`&body[..]`, [`RawBody::bytes`]), and its
/// `Debug` shows only the first 512 bytes, as [`ApiError`]'s does, so that logging an error
/// never dumps megabytes. Boxed, so that `Error` stays small.
#[derive(Clone, PartialEq, Eq)]
pub struct RawBody(Box<Bytes>);

impl RawBody {
    pub(crate) fn new(body: Bytes) -> Self {
        Self(Box::new(body))
    }

    /// The body, a cheap reference-counted copy away from owning it.
    pub fn bytes(&self) -> &Bytes {
        &self.0
    }
}

impl std::ops::Deref for RawBody {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({} bytes)", excerpt(&self.0, 512), self.0.len())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("retryable", &self.retryable)
            .field("body", &excerpt(&self.body, 512))
            .field("has_typed_body", &self.typed.is_some())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        match &self.message {
            Some(message) => write!(f, ": {message}")?,
            None if !self.body.is_empty() => write!(f, ": {}", excerpt(&self.body, 200))?,
            None => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The first `max` bytes of a body as text, marked when cut.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let cut = body.len() > max;
    let mut text = String::from_utf8_lossy(&body[..body.len().min(max)]).into_owned();
    if cut {
        text.push('…');
    }
    text
}

/// Where a provider puts the code and message in its error bodies, as JSON pointers.
///
/// Several pointers may be given for each; the first that resolves to a string or number
/// wins. [`ErrorShape::message_list`] joins the messages of an array of errors
/// (SendGrid's `{"errors":[{"message":..,"field":..}]}`); a plain pointer with an index
/// (`/errors/0/message`) takes only the first.
///
/// When no pointer is configured, common layouts are tried: `/error/message`, `/message`,
/// `/error_description`, `/detail`, `/errors/0/message`, and for the code `/error/code`,
/// `/code`, `/error/type`, `/error` (when a string).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorShape {
    code: Vec<&'static str>,
    message: Vec<&'static str>,
    message_list: Option<(&'static str, &'static str)>,
}

const DEFAULT_CODE_POINTERS: &[&str] = &["/error/code", "/code", "/error/type", "/error"];
const DEFAULT_MESSAGE_POINTERS: &[&str] = &[
    "/error/message",
    "/message",
    "/error_description",
    "/detail",
    "/errors/0/message",
];

impl ErrorShape {
    /// An empty shape (the defaults described above apply).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a JSON pointer to the provider's error code.
    pub fn code(mut self, pointer: &'static str) -> Self {
        self.code.push(pointer);
        self
    }

    /// Add a JSON pointer to the provider's error message.
    pub fn message(mut self, pointer: &'static str) -> Self {
        self.message.push(pointer);
        self
    }

    /// The message is the `field` of every element of the array at `array_pointer`, joined
    /// with `"; "` (SendGrid: `message_list("/errors", "message")`).
    pub fn message_list(mut self, array_pointer: &'static str, field: &'static str) -> Self {
        self.message_list = Some((array_pointer, field));
        self
    }

    pub(crate) fn extract(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> (Option<String>, Option<String>) {
        let looks_json = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|ct| ct.contains("json"));
        let value: serde_json::Value = match serde_json::from_slice(body) {
            Ok(v) if looks_json || !matches!(v, serde_json::Value::String(_)) => v,
            _ => return (None, None),
        };
        let code_ptrs: &[&str] = if self.code.is_empty() {
            DEFAULT_CODE_POINTERS
        } else {
            &self.code
        };
        let msg_ptrs: &[&str] = if self.message.is_empty() && self.message_list.is_none() {
            DEFAULT_MESSAGE_POINTERS
        } else {
            &self.message
        };
        let code = code_ptrs.iter().find_map(|p| scalar_at(&value, p));
        let mut message = None;
        if let Some((array_ptr, field)) = self.message_list {
            if let Some(serde_json::Value::Array(items)) = value.pointer(array_ptr) {
                let parts: Vec<String> = items
                    .iter()
                    .filter_map(|item| item.get(field).and_then(scalar))
                    .collect();
                if !parts.is_empty() {
                    message = Some(parts.join("; "));
                }
            }
        }
        if message.is_none() {
            message = msg_ptrs.iter().find_map(|p| scalar_at(&value, p));
        }
        (code, message)
    }
}

fn scalar_at(value: &serde_json::Value, pointer: &str) -> Option<String> {
    value.pointer(pointer).and_then(scalar)
}

fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
