//! A replayable description of one call, and per-request options.
//!
//! [`Request`] holds decoded data (path, query pairs, headers, body bytes) rather than a
//! `reqwest::Request`, so that it is `Clone` and can be rebuilt for each retry attempt and
//! each page. Every setter is infallible: the first problem is stored and returned by
//! `Client::send` as [`Error::InvalidInput`](crate::Error::InvalidInput) before anything
//! is sent.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;

use crate::encoding::{self, FormField, Query};
use crate::retry::RetryPolicy;
use crate::scalar::with_scalar;
use crate::values::FilePart;

/// Options for one call, overriding the client's settings.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) max_event_size: Option<usize>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// An extra header for this call (invalid names or values are reported by `send`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The per-attempt timeout for this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The read (idle) timeout for this call: the longest time without a byte of the
    /// response body (see `ClientBuilder::read_timeout`). Default: the client's read
    /// timeout, or this call's attempt timeout when the client was given none. A stream
    /// that is quiet for long on purpose sets a longer one here.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// The retry policy for this call.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The idempotency key to send (instead of a generated one). Requires the provider to
    /// have an idempotency header; the key is sent unchanged on every attempt.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// For a server-sent event stream: the longest line (field name included), and the
    /// most data one event may carry, in bytes. Past it the stream ends with
    /// [`EventStreamError::TooLarge`](crate::EventStreamError::TooLarge). Default
    /// [`DEFAULT_MAX_EVENT_SIZE`](crate::sse::DEFAULT_MAX_EVENT_SIZE), 16 MiB.
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = Some(bytes);
        self
    }
}

/// A request body.
#[derive(Clone)]
pub(crate) enum Body {
    Empty,
    Bytes {
        content_type: String,
        data: Bytes,
    },
    Multipart(Multipart),
    /// A one-shot stream: can be sent once, never replayed.
    Stream {
        content_type: String,
        stream: Arc<Mutex<Option<reqwest::Body>>>,
    },
}

impl Body {
    pub(crate) fn is_replayable(&self) -> bool {
        match self {
            Body::Stream { .. } => false,
            Body::Multipart(form) => !form.has_streamed_file(),
            _ => true,
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes { content_type, data } => {
                write!(f, "Bytes({content_type}, {} bytes)", data.len())
            }
            Body::Multipart(m) => write!(f, "Multipart({} parts)", m.parts.len()),
            Body::Stream { content_type, .. } => write!(f, "Stream({content_type})"),
        }
    }
}

/// One call, as generated code describes it. Cheap to clone; replayed for retries and pages.
#[derive(Clone)]
pub struct Request {
    pub(crate) method: http::Method,
    pub(crate) operation_id: &'static str,
    pub(crate) path_template: &'static str,
    pub(crate) path: String,
    /// An absolute URL that replaces base URL + path (next-page links).
    pub(crate) absolute_url: Option<url::Url>,
    /// The operation's own server, used instead of the provider's default base URL.
    pub(crate) server: Option<&'static str>,
    pub(crate) query: Query,
    /// Header parameters, parsed when they were added.
    pub(crate) headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// The media types the operation's responses declare, sent as `Accept` unless the
    /// caller set that header.
    pub(crate) accept: Option<http::HeaderValue>,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) options: RequestOptions,
    pub(crate) problem: Option<String>,
    /// The operation's documented answer is a redirect, which is then its result.
    pub(crate) redirect_is_answer: bool,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parameter values may be sensitive; show only the shape of the call.
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("operation_id", &self.operation_id)
            .field("path_template", &self.path_template)
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A request for `operation_id`; `path` is already rendered and percent-encoded and is
    /// appended to the base URL's path.
    pub fn new(
        method: http::Method,
        operation_id: &'static str,
        path_template: &'static str,
        path: String,
    ) -> Self {
        Request {
            method,
            operation_id,
            path_template,
            path,
            absolute_url: None,
            server: None,
            query: Query::default(),
            headers: Vec::new(),
            accept: None,
            cookies: Vec::new(),
            body: Body::Empty,
            options: RequestOptions::default(),
            problem: None,
            redirect_is_answer: false,
        }
    }

    /// The `Accept` header for this operation: the media types its responses declare
    /// (`audio/mpeg` for a speech endpoint). A header the caller set on the client or the
    /// request wins; without either, `application/json` is sent.
    pub fn accept(mut self, media_types: &'static str) -> Self {
        match http::HeaderValue::from_str(media_types) {
            Ok(value) => self.accept = Some(value),
            Err(_) => self.fail(format!("`{media_types}` is not a valid Accept header")),
        }
        self
    }

    /// The operation's only documented success is a redirect (GitHub's downloads answer
    /// `302` with the `Location` of the content on a storage host): a `301`, `302`, `303`,
    /// `307` or `308` that the client does not follow is the call's answer, not an error.
    pub fn redirect_is_answer(mut self) -> Self {
        self.redirect_is_answer = true;
        self
    }

    /// Sends this operation to its own server (Stripe's `https://files.stripe.com` for
    /// uploads) unless the client was given a base URL, which then receives every call.
    pub fn default_server(mut self, url: &'static str) -> Self {
        self.server = Some(url);
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The operation id.
    pub fn operation_id(&self) -> &'static str {
        self.operation_id
    }

    fn fail(&mut self, message: String) {
        if self.problem.is_none() {
            self.problem = Some(message);
        }
    }

    fn serialize_param(
        &mut self,
        what: &str,
        name: &str,
        value: &impl Serialize,
    ) -> Option<serde_json::Value> {
        match serde_json::to_value(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(format!("{what} `{name}` could not be serialized: {e}"));
                None
            }
        }
    }

    /// Add a query parameter: a scalar directly, anything else through `style`.
    fn query_param(
        mut self,
        name: &str,
        value: &impl Serialize,
        style: impl FnOnce(&serde_json::Value, &mut Query),
    ) -> Self {
        let query = &mut self.query;
        let done = with_scalar(value, |text| {
            if let Some(text) = text {
                query.push(name, text);
            }
        });
        if done.is_none() {
            if let Some(v) = self.serialize_param("query parameter", name, value) {
                style(&v, &mut self.query);
            }
        }
        self
    }

    /// A query parameter in OpenAPI `form` style.
    pub fn query_form(self, name: &str, value: &impl Serialize, explode: bool) -> Self {
        self.query_param(name, value, |v, query| {
            encoding::form_style(name, v, explode, query)
        })
    }

    /// A `spaceDelimited` (`' '`) or `pipeDelimited` (`'|'`) array query parameter.
    pub fn query_delimited(self, name: &str, value: &impl Serialize, delimiter: char) -> Self {
        self.query_param(name, value, |v, query| {
            encoding::delimited_style(name, v, delimiter, query)
        })
    }

    /// A `deepObject` query parameter: `name[key]=v`, `name[a][b]=v`, `name[]=a`, `name[0][k]=v`.
    pub fn query_deep_object(self, name: &str, value: &impl Serialize) -> Self {
        self.query_param(name, value, |v, query| {
            encoding::deep_object(name, v, query)
        })
    }

    /// Replace every query pair named `name` with one `name=value` (pagination cursors).
    pub(crate) fn set_query(&mut self, name: &str, value: &str) {
        self.query.remove(name);
        self.query.push(name, value);
    }

    /// The decoded value of the first query pair named `name`.
    pub(crate) fn query_value(&self, name: &str) -> Option<String> {
        self.query.get(name)
    }

    /// Send to this absolute URL (its query included) instead of base URL + path + query.
    pub(crate) fn set_absolute_url(&mut self, url: url::Url) {
        self.absolute_url = Some(url);
        self.query = Query::default();
    }

    /// The text of a header or cookie parameter in `simple` style; `None` for `null`.
    fn simple_param(&mut self, what: &str, name: &str, value: &impl Serialize) -> Option<String> {
        if let Some(text) = with_scalar(value, |text| text.map(str::to_owned)) {
            return text;
        }
        let v = self.serialize_param(what, name, value)?;
        (!v.is_null()).then(|| encoding::simple(&v))
    }

    /// A header parameter in `simple` style. `None`/`null` sends nothing.
    pub fn header_param(mut self, name: &str, value: &impl Serialize) -> Self {
        let Some(text) = self.simple_param("header parameter", name, value) else {
            return self;
        };
        // Parsed once here rather than on every attempt; a bad name or value is reported
        // by `send`, before anything is sent.
        let Ok(header) = http::HeaderName::from_bytes(name.as_bytes()) else {
            self.fail(format!("`{name}` is not a valid header name"));
            return self;
        };
        match http::HeaderValue::try_from(text) {
            Ok(value) => self.headers.push((header, value)),
            Err(_) => self.fail(format!("the value of header `{name}` is not valid")),
        }
        self
    }

    /// A cookie parameter. `None`/`null` sends nothing.
    pub fn cookie_param(mut self, name: &str, value: &impl Serialize) -> Self {
        if let Some(text) = self.simple_param("cookie parameter", name, value) {
            self.cookies.push((name.to_owned(), text));
        }
        self
    }

    /// A JSON body.
    pub fn body_json(mut self, value: &impl Serialize) -> Self {
        match serde_json::to_vec(value) {
            Ok(data) => {
                self.body = Body::Bytes {
                    content_type: "application/json".to_owned(),
                    data: data.into(),
                }
            }
            Err(e) => self.fail(format!("the JSON body could not be serialized: {e}")),
        }
        self
    }

    /// Sets one boolean property of the JSON object body (OpenAI's `stream: true`, which the
    /// events call of a streaming operation sets itself). Any other body is left as it is.
    pub fn json_flag(mut self, name: &str, value: bool) -> Self {
        if let Body::Bytes { content_type, data } = &self.body {
            if content_type == "application/json" {
                if let Ok(serde_json::Value::Object(mut map)) =
                    serde_json::from_slice::<serde_json::Value>(data)
                {
                    map.insert(name.to_owned(), serde_json::Value::Bool(value));
                    if let Ok(bytes) = serde_json::to_vec(&map) {
                        self.body = Body::Bytes {
                            content_type: content_type.clone(),
                            data: bytes.into(),
                        };
                    }
                }
            }
        }
        self
    }

    /// An `application/x-www-form-urlencoded` body; each top-level field is written as
    /// `fields` says, and a field it does not list in OpenAPI's default form style, exploded.
    pub fn body_form(mut self, value: &impl Serialize, fields: &[(&str, FormField)]) -> Self {
        let encoded = serde_json::to_value(value)
            .map_err(|e| e.to_string())
            .and_then(|v| encoding::form_body(&v, fields));
        match encoded {
            Ok(text) => {
                self.body = Body::Bytes {
                    content_type: "application/x-www-form-urlencoded".to_owned(),
                    data: text.into(),
                }
            }
            Err(e) => self.fail(format!("the form body could not be serialized: {e}")),
        }
        self
    }

    /// A `multipart/form-data` body.
    pub fn body_multipart(mut self, form: Multipart) -> Self {
        if let Some(problem) = &form.problem {
            let message = format!("the multipart body could not be built: {problem}");
            self.fail(message);
        }
        self.body = Body::Multipart(form);
        self
    }

    /// A raw body.
    pub fn body_bytes(mut self, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        self.body = Body::Bytes {
            content_type: content_type.to_owned(),
            data: body.into(),
        };
        self
    }

    /// A text body.
    pub fn body_text(mut self, content_type: &'static str, body: String) -> Self {
        self.body = Body::Bytes {
            content_type: content_type.to_owned(),
            data: body.into(),
        };
        self
    }

    /// A streaming body. It is sent at most once: a request with a streaming body is never
    /// retried or replayed.
    pub fn body_stream(mut self, content_type: &'static str, body: reqwest::Body) -> Self {
        self.body = Body::Stream {
            content_type: content_type.to_owned(),
            stream: Arc::new(Mutex::new(Some(body))),
        };
        self
    }

    /// Per-call options.
    pub fn options(mut self, opts: RequestOptions) -> Self {
        self.options = opts;
        self
    }
}

/// One part of a multipart body.
#[derive(Clone, Debug)]
pub(crate) enum Part {
    Text(String),
    File(FilePart),
    Json(Bytes),
}

/// A `multipart/form-data` body under construction; replayable unless a file part is
/// streamed.
#[derive(Clone, Debug, Default)]
pub struct Multipart {
    pub(crate) parts: Vec<(String, Part)>,
    problem: Option<String>,
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// A text field.
    pub fn text(mut self, name: &str, value: impl Into<String>) -> Self {
        self.parts.push((name.to_owned(), Part::Text(value.into())));
        self
    }

    /// A file field.
    pub fn file(mut self, name: &str, part: FilePart) -> Self {
        self.parts.push((name.to_owned(), Part::File(part)));
        self
    }

    /// A field holding JSON (`application/json` part).
    pub fn json(mut self, name: &str, value: &impl Serialize) -> Self {
        match serde_json::to_vec(value) {
            Ok(data) => self.parts.push((name.to_owned(), Part::Json(data.into()))),
            Err(e) => {
                if self.problem.is_none() {
                    self.problem = Some(format!("field `{name}`: {e}"));
                }
            }
        }
        self
    }

    /// Bracketed text fields for an object or array, one per leaf, as Stripe reads multipart
    /// forms: `file_link_data[create]=true`, `expand[]=data`, `items[0][price]=p`.
    pub fn deep_object(mut self, name: &str, value: &impl Serialize) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => {
                let parts = &mut self.parts;
                crate::encoding::deep_object_each(name, &value, &mut |key, text| {
                    parts.push((key.to_owned(), Part::Text(text.to_owned())));
                });
            }
            Err(e) => {
                if self.problem.is_none() {
                    self.problem = Some(format!("field `{name}`: {e}"));
                }
            }
        }
        self
    }

    /// True when a file part is streamed, so that the body can be sent only once.
    pub(crate) fn has_streamed_file(&self) -> bool {
        self.parts
            .iter()
            .any(|(_, part)| matches!(part, Part::File(file) if file.is_streamed()))
    }

    pub(crate) fn to_form(&self) -> Result<reqwest::multipart::Form, String> {
        let mut form = reqwest::multipart::Form::new();
        for (name, part) in &self.parts {
            let part = match part {
                Part::Text(text) => reqwest::multipart::Part::text(text.clone()),
                Part::Json(data) => reqwest::multipart::Part::bytes(data.to_vec())
                    .mime_str("application/json")
                    .map_err(|e| format!("field `{name}`: {e}"))?,
                Part::File(file) => {
                    let body = file.take_body().ok_or_else(|| {
                        format!(
                            "field `{name}`: the streamed file was already sent, and a stream cannot be sent twice"
                        )
                    })?;
                    let mut p = reqwest::multipart::Part::stream_with_length(body, file.len());
                    if let Some(file_name) = file.name() {
                        p = p.file_name(file_name.to_owned());
                    }
                    p.mime_str(file.mime().unwrap_or("application/octet-stream"))
                        .map_err(|e| format!("field `{name}`: invalid content type: {e}"))?
                }
            };
            form = form.part(name.clone(), part);
        }
        Ok(form)
    }
}
