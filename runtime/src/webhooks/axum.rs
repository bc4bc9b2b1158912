//! Receiving deliveries in an [axum] server (the `axum` feature): extractors that
//! read the body, verify it and, for typed events, parse it before the handler runs.
//!
//! - [`Verified<E>`] hands the handler a generated crate's typed event `E` (any
//!   [`WebhookEvent`]).
//! - [`VerifiedBody<V>`] hands it the raw body, checked by the verifier `V` (any
//!   [`Verify`]), for receivers without typed events. Twilio's verifier is not a
//!   [`Verify`], because its signature covers the public URL, which a server behind a
//!   proxy does not see; call [`TwilioVerifier`](super::TwilioVerifier) from the handler.
//!
//! Both take the body as the last extractor of a handler, as every extractor that reads
//! the body does.
//!
//! # Where the verifier comes from
//!
//! From the router's state, through [`FromRef`], as axum's own sub-states do: a router whose
//! state *is* the verifier needs nothing more (`.with_state(verifier)`), and an app state
//! holds it as a field with a `FromRef` implementation (or `#[derive(FromRef)]`, from axum's
//! `macros` feature). The extractor clones it for each request, which shares the secrets
//! (they sit behind an `Arc`) rather than copying them.
//!
//! # Body size
//!
//! The body is read with axum's own [`Bytes`] extractor, so it obeys axum's
//! [`DefaultBodyLimit`](axum::extract::DefaultBodyLimit), like every other body
//! extractor of the app: 2 MB unless a layer changes it, and `413 Payload Too Large` past
//! it. That fits Stripe, Slack, SendGrid and Standard Webhooks deliveries; GitHub caps its
//! payloads at 25 MB, so raise the limit on a GitHub route with
//! `.layer(DefaultBodyLimit::max(25 * 1024 * 1024))`.
//!
//! # Rejections
//!
//! A delivery that is refused never reaches the handler: the extractor answers with
//! [`WebhookRejection`], whose status is
//!
//! | Failure | Status |
//! | --- | --- |
//! | the body cannot be read | axum's own: `413` past the body limit, `400` otherwise |
//! | signature does not match, timestamp outside the tolerance | `401 Unauthorized` |
//! | signature header missing or malformed | `400 Bad Request` |
//! | genuine delivery that does not parse as `E` | `400 Bad Request` |
//! | invalid secret in the verifier | `500 Internal Server Error` |
//!
//! (why each, in [`WebhookError::status`]) and whose body is a short fixed text that never
//! contains a header, a signature or a secret. To log the reason, or answer differently,
//! take `Result<Verified<E>, WebhookRejection>` instead and match on it.
//!
//! # Example
//!
//! A GitHub receiver for a generated crate's event (here a stand-in with one event):
//!
//! ```
//! use axum::{Router, extract::DefaultBodyLimit, http::StatusCode, routing::post};
//! use sdkgen_runtime::webhooks::axum::Verified;
//! use sdkgen_runtime::webhooks::{GitHubVerifier, WebhookError, WebhookEvent, parse_json};
//!
//! enum Event {
//!     Ping(Ping),
//!     Other,
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct Ping {
//!     zen: String,
//! }
//!
//! impl WebhookEvent for Event {
//!     type Verifier = GitHubVerifier;
//!
//!     fn parse(headers: &http::HeaderMap, body: &[u8]) -> Result<Self, WebhookError> {
//!         match headers.get("x-github-event").map(|name| name.as_bytes()) {
//!             Some(b"ping") => parse_json("ping", body).map(Event::Ping),
//!             _ => Ok(Event::Other),
//!         }
//!     }
//! }
//!
//! async fn github(Verified(event): Verified<Event>) -> StatusCode {
//!     match event {
//!         Event::Ping(ping) => println!("GitHub says: {}", ping.zen),
//!         Event::Other => {}
//!     }
//!     StatusCode::NO_CONTENT
//! }
//!
//! let app: Router = Router::new()
//!     .route("/webhooks/github", post(github))
//!     .layer(DefaultBodyLimit::max(25 * 1024 * 1024))
//!     .with_state(GitHubVerifier::new("webhook secret"));
//! ```

use std::marker::PhantomData;
use std::time::SystemTime;

use ::axum::body::Bytes;
use ::axum::extract::rejection::BytesRejection;
use ::axum::extract::{FromRef, FromRequest, Request};
use ::axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};

use super::{Verify, WebhookError, WebhookEvent};

/// An extractor for a verified delivery parsed into the typed event `E`.
///
/// It reads the body (within axum's body limit), verifies it with `E::Verifier` from the
/// router's state at [`SystemTime::now`], and only then parses it with
/// [`WebhookEvent::parse`]. See the [module](self) for the state, the limit and the
/// rejections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<E>(pub E);

impl<S, E> FromRequest<S> for Verified<E>
where
    S: Send + Sync,
    E: WebhookEvent,
    E::Verifier: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (headers, body) = verified::<E::Verifier, S>(request, state).await?;
        E::parse(&headers, &body)
            .map(Verified)
            .map_err(WebhookRejection::Payload)
    }
}

/// An extractor for the raw body of a delivery that the verifier `V` accepted.
///
/// For receivers without typed events: the handler parses the bytes itself. The second
/// field only names the verifier, so a handler takes `VerifiedBody(body, _)`.
///
/// ```
/// use axum::{Router, http::StatusCode, routing::post};
/// use sdkgen_runtime::webhooks::StripeVerifier;
/// use sdkgen_runtime::webhooks::axum::VerifiedBody;
///
/// async fn stripe(VerifiedBody(body, _): VerifiedBody<StripeVerifier>) -> StatusCode {
///     let Some(id) = StripeVerifier::event_id(&body) else {
///         return StatusCode::BAD_REQUEST;
///     };
///     println!("Stripe event {id}");
///     StatusCode::NO_CONTENT
/// }
///
/// let app: Router = Router::new()
///     .route("/webhooks/stripe", post(stripe))
///     .with_state(StripeVerifier::new("whsec_…"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedBody<V>(pub Bytes, pub PhantomData<V>);

impl<S, V> FromRequest<S> for VerifiedBody<V>
where
    S: Send + Sync,
    V: Verify + FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (_, body) = verified::<V, S>(request, state).await?;
        Ok(VerifiedBody(body, PhantomData))
    }
}

/// Reads the body with axum's limit, then verifies it; returns the headers and the body.
async fn verified<V, S>(request: Request, state: &S) -> Result<(HeaderMap, Bytes), WebhookRejection>
where
    S: Send + Sync,
    V: Verify + FromRef<S>,
{
    // `Bytes` consumes the request, and the signature lives in its headers.
    let headers = request.headers().clone();
    let body = Bytes::from_request(request, state)
        .await
        .map_err(WebhookRejection::Body)?;
    // Taken from the state only now, so that it is not held across the read.
    V::from_ref(state)
        .verify_delivery(&headers, &body, SystemTime::now())
        .map_err(WebhookRejection::Verification)?;
    Ok((headers, body))
}

/// Why [`Verified`] or [`VerifiedBody`] refused a request, by phase.
///
/// As a response it is the status in the [module](self)'s table and a short fixed text;
/// as an error it says what was wrong (never with a secret or a signature), for logs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// The body could not be read: larger than the body limit, or the connection failed.
    #[error("webhook body could not be read: {0}")]
    Body(BytesRejection),
    /// The delivery does not verify, so it is not (or no longer) known to come from the
    /// provider.
    #[error("webhook delivery rejected: {0}")]
    Verification(WebhookError),
    /// The delivery verified, but does not parse as the typed event.
    #[error("verified webhook delivery does not parse: {0}")]
    Payload(WebhookError),
}

impl WebhookRejection {
    /// The status the response carries.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Body(rejection) => rejection.status(),
            Self::Verification(error) | Self::Payload(error) => error.status(),
        }
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        let status = self.status();
        tracing::debug!(status = status.as_u16(), error = %self, "webhook delivery refused");
        let text = match self {
            Self::Body(rejection) => return rejection.into_response(),
            Self::Payload(_) => "webhook delivery does not parse as an event",
            Self::Verification(_) => match status {
                StatusCode::UNAUTHORIZED => "webhook signature does not verify",
                StatusCode::BAD_REQUEST => "webhook delivery has no readable signature header",
                _ => "webhook receiver is misconfigured",
            },
        };
        (status, text).into_response()
    }
}
