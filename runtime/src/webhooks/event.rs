//! The interface between verifiers and the typed events of generated crates: verify a
//! delivery, then parse it, in one call.

use std::time::SystemTime;

use http::HeaderMap;

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
}

impl Verify for StripeVerifier {
    fn verify_delivery(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.verify(headers, body, now)
    }
}

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

impl Verify for StandardWebhooks {
    fn verify_delivery(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.verify(headers, body, now)
    }
}

impl Verify for SlackVerifier {
    fn verify_delivery(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.verify(headers, body, now)
    }
}

impl Verify for SendGridVerifier {
    fn verify_delivery(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.verify(headers, body, now)
    }
}

impl Verify for HmacVerifier {
    fn verify_delivery(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.verify(headers, body, now)
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
