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

use crate::encoding::{self, EncodedPair};
use crate::retry::RetryPolicy;
use crate::values::FilePart;

/// Options for one call, overriding the client's settings.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) idempotency_key: Option<String>,
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
        !matches!(self, Body::Stream { .. })
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
    pub(crate) query: Vec<EncodedPair>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) options: RequestOptions,
    pub(crate) problem: Option<String>,
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
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: Body::Empty,
            options: RequestOptions::default(),
            problem: None,
        }
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

    /// A query parameter in OpenAPI `form` style.
    pub fn query_form(mut self, name: &str, value: &impl Serialize, explode: bool) -> Self {
        if let Some(v) = self.serialize_param("query parameter", name, value) {
            encoding::form_style(name, &v, explode, &mut self.query);
        }
        self
    }

    /// A `spaceDelimited` (`' '`) or `pipeDelimited` (`'|'`) array query parameter.
    pub fn query_delimited(mut self, name: &str, value: &impl Serialize, delimiter: char) -> Self {
        if let Some(v) = self.serialize_param("query parameter", name, value) {
            encoding::delimited_style(name, &v, delimiter, &mut self.query);
        }
        self
    }

    /// A `deepObject` query parameter: `name[key]=v`, `name[a][b]=v`, `name[]=a`, `name[0][k]=v`.
    pub fn query_deep_object(mut self, name: &str, value: &impl Serialize) -> Self {
        if let Some(v) = self.serialize_param("query parameter", name, value) {
            let mut pairs = Vec::new();
            encoding::deep_object(name, &v, &mut pairs);
            self.query
                .extend(pairs.iter().map(|(k, v)| EncodedPair::new(k, v)));
        }
        self
    }

    /// Replace every query pair named `name` with one `name=value` (pagination cursors).
    pub(crate) fn set_query(&mut self, name: &str, value: &str) {
        let encoded = EncodedPair::new(name, value);
        self.query.retain(|p| p.key != encoded.key);
        self.query.push(encoded);
    }

    /// The decoded value of the first query pair named `name`.
    pub(crate) fn query_value(&self, name: &str) -> Option<String> {
        let key = encoding::encode_key(name);
        self.query.iter().find(|p| p.key == key).map(|p| {
            url::form_urlencoded::parse(format!("x={}", p.value).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
    }

    /// Send to this absolute URL (its query included) instead of base URL + path + query.
    pub(crate) fn set_absolute_url(&mut self, url: url::Url) {
        self.absolute_url = Some(url);
        self.query.clear();
    }

    /// A header parameter in `simple` style. `None`/`null` sends nothing.
    pub fn header_param(mut self, name: &str, value: &impl Serialize) -> Self {
        if let Some(v) = self.serialize_param("header parameter", name, value) {
            if !v.is_null() {
                self.headers
                    .push((name.to_owned(), encoding::to_param_string(&v)));
            }
        }
        self
    }

    /// A cookie parameter. `None`/`null` sends nothing.
    pub fn cookie_param(mut self, name: &str, value: &impl Serialize) -> Self {
        if let Some(v) = self.serialize_param("cookie parameter", name, value) {
            if !v.is_null() {
                self.cookies
                    .push((name.to_owned(), encoding::to_param_string(&v)));
            }
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

    /// An `application/x-www-form-urlencoded` body, nested values bracket-encoded.
    pub fn body_form(mut self, value: &impl Serialize) -> Self {
        let encoded = serde_json::to_value(value)
            .map_err(|e| e.to_string())
            .and_then(|v| encoding::form_body(&v));
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

/// A `multipart/form-data` body under construction; replayable (parts are plain data).
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

    pub(crate) fn to_form(&self) -> Result<reqwest::multipart::Form, String> {
        let mut form = reqwest::multipart::Form::new();
        for (name, part) in &self.parts {
            let part = match part {
                Part::Text(text) => reqwest::multipart::Part::text(text.clone()),
                Part::Json(data) => reqwest::multipart::Part::bytes(data.to_vec())
                    .mime_str("application/json")
                    .map_err(|e| format!("field `{name}`: {e}"))?,
                Part::File(file) => {
                    let mut p = reqwest::multipart::Part::stream_with_length(
                        reqwest::Body::from(file.data().clone()),
                        file.data().len() as u64,
                    );
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
