//! The interface between verifiers and the typed events of generated crates: verify a
//! delivery, then parse it, in one call, from its parts or from a whole [`http::Request`].

use std::time::SystemTime;

use http::{HeaderMap, Request};

use super::{
    GitHubVerifier, HmacVerifier, SendGridVerifier, SlackVerifier, StandardWebhooks,
    StripeVerifier, WebhookError,
};

/// A verifier that needs nothing but the headers and the raw body (and, for timestamped
/// schemes, the current time) to check a delivery.
///
/// Every verifier implements it except Twilio's, whose signature also covers the full
/// public URL of the endpoint, which a request received behind a proxy does not carry.
pub trait Verify {
    /// Checks that the delivery is genuine, unchanged and, where the scheme signs a
    /// timestamp, recent as of `now`.
    ///
    /// # Errors
    ///
    /// The verifier's own [`WebhookError`]s.
    fn verify_delivery(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError>;

    /// Checks a whole [`http::Request`] whose body has been read into memory, as
    /// [`verify_delivery`](Self::verify_delivery) does with its headers and body.
    ///
    /// Any framework that hands out an `http::Request<B>` with a body of bytes (`Bytes`,
    /// `Vec<u8>`, `String`, `&[u8]`) can call it as it is; the method, URI and extensions
    /// are not looked at.
    ///
    /// # Example
    ///
    /// GitHub's documented test values:
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use sdkgen_runtime::webhooks::{GitHubVerifier, Verify, WebhookError};
    ///
    /// let verifier = GitHubVerifier::new("It's a Secret to Everybody");
    /// let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    /// let request = http::Request::post("/webhooks/github")
    ///     .header("x-hub-signature-256", signature)
    ///     .body(bytes::Bytes::from_static(b"Hello, World!"))?;
    /// verifier.verify_request(&request, SystemTime::now())?;
    ///
    /// let tampered = request.map(|_| "Hello, World?");
    /// assert_eq!(
    ///     verifier.verify_request(&tampered, SystemTime::now()),
    ///     Err(WebhookError::SignatureMismatch),
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`verify_delivery`](Self::verify_delivery).
    fn verify_request<B: AsRef<[u8]>>(
        &self,
        request: &Request<B>,
        now: SystemTime,
    ) -> Result<(), WebhookError>
    where
        // Keeps `dyn Verify` possible: a generic method needs a sized receiver.
        Self: Sized,
    {
        self.verify_delivery(request.headers(), request.body().as_ref(), now)
    }
}

/// `Verify` for the schemes whose `verify` already takes the headers, the body and `now`.
macro_rules! verify_with_now {
    ($($verifier:ty),*) => {$(
        impl Verify for $verifier {
            fn verify_delivery(
                &self,
                headers: &HeaderMap,
                body: &[u8],
                now: SystemTime,
            ) -> Result<(), WebhookError> {
                self.verify(headers, body, now)
            }
        }
    )*};
}

verify_with_now!(
    StripeVerifier,
    StandardWebhooks,
    SlackVerifier,
    SendGridVerifier,
    HmacVerifier
);

impl Verify for GitHubVerifier {
    fn verify_delivery(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        _now: SystemTime,
    ) -> Result<(), WebhookError> {
        // GitHub signs no timestamp: replays are caught by the delivery id instead.
        self.verify(headers, body)
    }
}

/// A provider's typed webhook event, as generated crates define it: one enum with a
/// variant per event the spec describes and a fallback for events it does not.
pub trait WebhookEvent: Sized {
    /// The verifier of the provider's signing scheme.
    type Verifier: Verify;

    /// Parses a delivery that has already been verified.
    ///
    /// An event type the crate does not know is not an error: it parses into the enum's
    /// fallback variant, so a provider adding events never breaks a receiver.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`] when the header naming the event is absent, and
    /// [`WebhookError::InvalidPayload`] when the body is not the JSON the event's schema
    /// describes.
    fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, WebhookError>;
}

/// Verifies a delivery, then parses it into the provider's typed event.
///
/// Nothing is parsed before the signature holds, so a forged body never reaches the
/// JSON parser.
///
/// # Errors
///
/// Whatever the verifier rejects, then whatever [`WebhookEvent::parse`] rejects.
pub fn construct_event<E: WebhookEvent>(
    verifier: &E::Verifier,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<E, WebhookError> {
    verifier.verify_delivery(headers, body, now)?;
    E::parse(headers, body)
}

/// Verifies a whole [`http::Request`], then parses it into the provider's typed event, as
/// [`construct_event`] does with its headers and body.
///
/// The body must already be in memory (`Bytes`, `Vec<u8>`, `String`, `&[u8]`): read it
/// with your framework's size limit first. With the `axum` feature, the extractor
/// `webhooks::axum::Verified` does the reading too.
///
/// # Example
///
/// A GitHub `ping` delivery, signed here as GitHub signs it:
///
/// ```
/// use std::time::SystemTime;
/// use hmac::{KeyInit, Mac};
/// use sdkgen_runtime::webhooks::{
///     GitHubVerifier, WebhookError, WebhookEvent, construct_event_from_request, parse_json,
/// };
///
/// /// What a generated crate's `webhooks::Event` looks like, cut down to one event.
/// #[derive(Debug, PartialEq)]
/// enum Event {
///     Ping(Ping),
///     Unknown(String),
/// }
///
/// #[derive(Debug, PartialEq, serde::Deserialize)]
/// struct Ping {
///     zen: String,
/// }
///
/// impl WebhookEvent for Event {
///     type Verifier = GitHubVerifier;
///
///     fn parse(headers: &http::HeaderMap, body: &[u8]) -> Result<Self, WebhookError> {
///         let name = http::HeaderName::from_static("x-github-event");
///         let event = headers
///             .get(&name)
///             .and_then(|value| value.to_str().ok())
///             .ok_or(WebhookError::MissingHeader(name))?;
///         match event {
///             "ping" => parse_json(event, body).map(Event::Ping),
///             other => Ok(Event::Unknown(other.to_owned())),
///         }
///     }
/// }
///
/// let body = r#"{"zen":"Keep it logically awesome."}"#;
/// let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"webhook secret")?;
/// mac.update(body.as_bytes());
/// let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
///
/// let request = http::Request::post("/webhooks/github")
///     .header("x-github-event", "ping")
///     .header("x-hub-signature-256", format!("sha256={hex}"))
///     .body(body)?;
///
/// let verifier = GitHubVerifier::new("webhook secret");
/// let event: Event = construct_event_from_request(&verifier, &request, SystemTime::now())?;
/// assert_eq!(event, Event::Ping(Ping { zen: "Keep it logically awesome.".into() }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`construct_event`].
pub fn construct_event_from_request<E: WebhookEvent, B: AsRef<[u8]>>(
    verifier: &E::Verifier,
    request: &Request<B>,
    now: SystemTime,
) -> Result<E, WebhookError> {
    construct_event(verifier, request.headers(), request.body().as_ref(), now)
}

/// Parses a JSON body into `T`, reporting where it did not fit as
/// [`WebhookError::InvalidPayload`] for the event `event`.
///
/// # Errors
///
/// [`WebhookError::InvalidPayload`] with the path of the first field that did not fit.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    event: &str,
    body: &[u8],
) -> Result<T, WebhookError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| invalid_payload(event, &error))
}

/// Converts an already parsed JSON value into `T`, as [`parse_json`] does for bytes.
///
/// # Errors
///
/// [`WebhookError::InvalidPayload`] with the path of the first field that did not fit.
pub fn from_value<T: serde::de::DeserializeOwned>(
    event: &str,
    value: serde_json::Value,
) -> Result<T, WebhookError> {
    serde_path_to_error::deserialize(value).map_err(|error| invalid_payload(event, &error))
}

/// Converts an already parsed JSON value into a boxed `T`, as [`from_value`] does.
///
/// Generated parsers call this once per event type: the payload is built in this function's
/// own frame and moved to the heap, so a parser that matches hundreds of event types does not
/// need a stack frame that holds every one of them.
///
/// # Errors
///
/// [`WebhookError::InvalidPayload`] with the path of the first field that did not fit.
pub fn from_value_boxed<T: serde::de::DeserializeOwned>(
    event: &str,
    value: serde_json::Value,
) -> Result<Box<T>, WebhookError> {
    from_value(event, value)
}

fn invalid_payload<E: std::fmt::Display>(
    event: &str,
    error: &serde_path_to_error::Error<E>,
) -> WebhookError {
    WebhookError::InvalidPayload {
        event: event.to_owned(),
        reason: format!("at `{}`: {}", error.path(), error.inner()),
    }
}
