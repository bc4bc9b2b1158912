//! Responses: raw, typed, paged and streaming, and body decoding.

use bytes::Bytes;
use futures::stream::BoxStream;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{Error, RawBody, excerpt};

/// A typed response with its status, headers and request id (raw access).
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The provider's request id, from the configured header.
    pub request_id: Option<String>,
    /// The decoded body.
    pub body: T,
}

impl<T> Response<T> {
    /// Transform the body, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
            body: f(self.body),
        }
    }
}

/// One page of a paginated listing.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The provider's request id, from the configured header.
    pub request_id: Option<String>,
}

/// A success response, body fully read.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The HTTP status (2xx).
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The provider's request id, from the configured header.
    pub request_id: Option<String>,
    /// The URL that answered, after the redirects the client followed (`None` for a
    /// response that did not come from the network).
    pub url: Option<url::Url>,
}

impl RawResponse {
    /// Attach a decoded body, keeping the metadata.
    pub fn into_response<T>(self, body: T) -> Response<T> {
        Response {
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
            body,
        }
    }

    fn content_type(&self) -> Option<&str> {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    fn decode_error(&self, message: String, path: Option<String>) -> Error {
        Error::Decode {
            status: self.status,
            message,
            path,
            excerpt: excerpt(&self.body, 256),
            body: RawBody::new(self.body.clone()),
            request_id: self.request_id.clone(),
        }
    }
}

/// A success response whose body has not been read (streaming operations).
pub struct StreamingResponse {
    /// The HTTP status (2xx).
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The provider's request id, from the configured header.
    pub request_id: Option<String>,
    /// The body, chunk by chunk.
    pub body: BoxStream<'static, Result<Bytes, Error>>,
}

impl std::fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

/// Decode a JSON body into `T`, reporting the failing JSON path.
///
/// An empty body decodes as `null`, which suits `()`, unit structs and `Option`s. A body
/// that is not JSON (an HTML error page from a proxy, say) gives a decode error naming
/// the content type instead of a bare syntax error.
pub fn decode_json<T: DeserializeOwned>(resp: &RawResponse) -> Result<T, Error> {
    let body: &[u8] = &resp.body;
    let trimmed = body.trim_ascii();
    // An empty or `null` body (GitHub answers some 201 and 202 calls so) reads as the empty
    // object when the type allows it: one whose properties are all optional.
    let empty = trimmed.is_empty();
    if empty || trimmed == b"null" {
        if let Ok(value) = serde_json::from_slice::<T>(b"null") {
            return Ok(value);
        }
        if let Ok(value) = serde_json::from_slice::<T>(b"{}") {
            return Ok(value);
        }
        if empty {
            return Err(resp.decode_error(
                "the response body is empty but a value was expected".to_owned(),
                None,
            ));
        }
    }
    // The common case, a body that matches, without path tracking (it allocates per key);
    // only a failure is decoded again to find the failing path.
    if let Ok(value) = serde_json::from_slice::<T>(trimmed) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(trimmed);
    let (path, inner) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => match de.end() {
            Ok(()) => return Ok(v),
            Err(e) => (String::new(), e),
        },
        Err(err) => (err.path().to_string(), err.into_inner()),
    };
    Err(decode_failure(resp, trimmed, path, &inner))
}

/// The decode error for a body that `serde_json` rejected. Kept out of the generic
/// [`decode_json`], which generated crates instantiate once per response type, so that its
/// formatting is compiled once.
fn decode_failure(
    resp: &RawResponse,
    trimmed: &[u8],
    path: String,
    inner: &serde_json::Error,
) -> Error {
    let content_type = resp.content_type().unwrap_or("no content type");
    let syntax = inner.is_syntax() || inner.is_eof();
    let message = if syntax {
        // Where the text stops being JSON is a position, not a path: the path of a syntax
        // error is made of unknown segments (`?`).
        let text = inner.to_string();
        let what = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(what, _)| what);
        let at = format!("line {}, column {}", inner.line(), inner.column());
        if trimmed.starts_with(b"<") {
            format!("expected JSON but the body looks like HTML ({content_type})")
        } else if inner.is_eof() {
            format!("the JSON body is truncated ({content_type}): {what} at {at}")
        } else if !content_type.contains("json") {
            format!("expected JSON but got {content_type}: {what} at {at}")
        } else {
            format!("invalid JSON: {what} at {at}")
        }
    } else {
        inner.to_string()
    };
    let path = (path != "." && !path.is_empty() && !(syntax && path.contains('?'))).then_some(path);
    resp.decode_error(message, path)
}

/// Where an operation's content is: the answer of a call whose only documented success is a
/// redirect, such as GitHub's archive, artifact and log downloads (`302` to a storage host).
///
/// The client does not follow such a redirect with the API's credentials, since the target
/// is another host; the location is usually a short-lived signed URL that needs none, so
/// fetch it with any HTTP client (`reqwest::get(redirect.location().clone())`), streaming
/// a large archive to disk. `Debug` leaves out the URL's query, which holds the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct Redirect {
    status: StatusCode,
    location: url::Url,
}

impl Redirect {
    /// A redirect with the given status and location (for tests and mocks).
    pub fn new(status: StatusCode, location: url::Url) -> Self {
        Redirect { status, location }
    }

    /// The status the API answered with: `302` for most downloads, or `200` when the
    /// client followed a redirect within the API's own origin, whose URL is then the
    /// location.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The absolute URL of the content (a relative `Location` is resolved against the
    /// request's URL).
    pub fn location(&self) -> &url::Url {
        &self.location
    }

    /// The absolute URL of the content, owned.
    pub fn into_location(self) -> url::Url {
        self.location
    }
}

impl std::fmt::Debug for Redirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A signed URL's query (`token=…`, `X-Amz-Signature=…`) is a credential for the
        // content; the origin and path say where it is.
        let url = &self.location;
        let mut shown = format!("{}{}", url.origin().ascii_serialization(), url.path());
        if url.query().is_some() {
            shown.push_str("?<redacted>");
        }
        f.debug_struct("Redirect")
            .field("status", &self.status.as_u16())
            .field("location", &shown)
            .finish()
    }
}

/// Read the answer of an operation whose success is a redirect: the `Location` of a `3xx`,
/// resolved against the URL that answered, or that URL itself for a `2xx` (a redirect the
/// client followed within the origin).
pub fn decode_redirect(resp: &RawResponse) -> Result<Redirect, Error> {
    if resp.status.is_success() {
        return match &resp.url {
            Some(url) => Ok(Redirect::new(resp.status, url.clone())),
            None => Err(resp.decode_error(
                "the redirect's target is unknown: the response has no URL".to_owned(),
                None,
            )),
        };
    }
    let Some(value) = resp.headers.get(http::header::LOCATION) else {
        return Err(resp.decode_error(
            format!("a {} without a Location header", resp.status.as_u16()),
            None,
        ));
    };
    let text = value
        .to_str()
        .map_err(|_| resp.decode_error("the Location header is not ASCII".to_owned(), None))?;
    let location = match &resp.url {
        Some(base) => base.join(text),
        None => url::Url::parse(text),
    }
    .map_err(|e| resp.decode_error(format!("the Location header is not a URL: {e}"), None))?;
    Ok(Redirect::new(resp.status, location))
}

/// Decode a text body (UTF-8 required).
pub fn decode_text(resp: &RawResponse) -> Result<String, Error> {
    String::from_utf8(resp.body.to_vec())
        .map_err(|e| resp.decode_error(format!("the body is not valid UTF-8: {e}"), None))
}
