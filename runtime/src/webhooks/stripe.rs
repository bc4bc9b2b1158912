//! [`StripeVerifier`]: Stripe's `Stripe-Signature` header.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName};
use secrecy::SecretString;

use super::WebhookError;
use super::common::{
    DEFAULT_TOLERANCE, Secrets, check_tolerance, decode_hex, header, json_string_field, malformed,
    parse_timestamp,
};
use super::generic::HmacAlgorithm;

const STRIPE_SIGNATURE: HeaderName = HeaderName::from_static("stripe-signature");

/// Verifies Stripe webhook deliveries, as stripe-node's `webhooks.constructEvent` does
/// (without parsing the event, which is the generated crate's job).
///
/// Stripe sends `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, where each `v1`
/// is hex HMAC-SHA256 of `"{t}.{body}"` keyed with the endpoint's signing secret
/// (`whsec_…`, used as text, not decoded). The delivery is accepted if any `v1` matches any
/// configured secret — Stripe signs with both the old and the new secret while one is
/// being rolled — and `t` is within the tolerance of `now` (default five minutes).
/// Other schemes in the header (`v0`, test-mode extras) are ignored.
///
/// # Example
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use hmac::{KeyInit, Mac};
/// use sdkgen_runtime::webhooks::StripeVerifier;
///
/// let verifier = StripeVerifier::new("whsec_test_secret").tolerance(Duration::from_secs(300));
///
/// // What Stripe does: hex HMAC-SHA256 of "{t}.{body}".
/// let body = br#"{"id":"evt_1","object":"event","type":"customer.created"}"#;
/// let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"whsec_test_secret")?;
/// mac.update(b"1700000000.");
/// mac.update(body);
/// let v1: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("stripe-signature", format!("t=1700000000,v1={v1}").parse()?);
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_010);
/// verifier.verify(&headers, body, now)?;
/// assert_eq!(StripeVerifier::event_id(body).as_deref(), Some("evt_1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct StripeVerifier {
    secrets: Secrets,
    tolerance: Duration,
}

impl StripeVerifier {
    /// A verifier for the endpoint signing secret `secret` (`whsec_…`).
    pub fn new(secret: impl Into<SecretString>) -> Self {
        Self {
            secrets: Secrets::from_text(secret.into()),
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Also accepts signatures made with `secret`, for rolling the signing secret.
    pub fn add_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.secrets.push_text(secret.into());
        self
    }

    /// How far `t` may be from `now`, either way (default five minutes, Stripe's own).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a delivery from its headers and raw body.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`] without `Stripe-Signature`,
    /// [`WebhookError::MalformedHeader`] if it has no `t` or no `v1`,
    /// [`WebhookError::SignatureMismatch`], and
    /// [`WebhookError::TimestampOutsideTolerance`].
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.verify_parts(header(headers, &STRIPE_SIGNATURE)?, body, now)
    }

    /// Verifies a delivery from the `Stripe-Signature` header's value.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_parts(
        &self,
        signature: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let mut timestamp = None;
        let mut signatures = Vec::new();
        let mut v1_seen = false;
        for item in signature.split(',') {
            let Some((key, value)) = item.split_once('=') else {
                continue;
            };
            match key.trim() {
                "t" => timestamp = Some(value.trim()),
                "v1" => {
                    v1_seen = true;
                    // A `v1` that is not hex cannot match, but must not hide one that does.
                    signatures.extend(decode_hex(value.trim()));
                }
                _ => {}
            }
        }
        let timestamp =
            timestamp.ok_or_else(|| malformed(&STRIPE_SIGNATURE, "there is no `t=` timestamp"))?;
        if !v1_seen {
            return Err(malformed(&STRIPE_SIGNATURE, "there is no `v1=` signature"));
        }
        let seconds = parse_timestamp(&STRIPE_SIGNATURE, timestamp)?;
        let message: [&[u8]; 3] = [timestamp.as_bytes(), b".", body];
        if !self
            .secrets
            .any_match(HmacAlgorithm::Sha256, &message, &signatures)
        {
            return Err(WebhookError::SignatureMismatch);
        }
        check_tolerance(seconds, now, self.tolerance)
    }

    /// The event's id (`evt_…`), the `id` field of the JSON body: the key to deduplicate
    /// re-deliveries with. `None` if the body is not a JSON object with a string `id`.
    pub fn event_id(body: &[u8]) -> Option<String> {
        json_string_field(body, "id")
    }
}
