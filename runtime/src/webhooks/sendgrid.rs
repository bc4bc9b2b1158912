//! [`SendGridVerifier`]: SendGrid's signed event webhook (ECDSA P-256).

use std::fmt;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName};
use p256::ecdsa::signature::MultipartVerifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;

use super::WebhookError;
use super::common::{
    DEFAULT_TOLERANCE, check_tolerance, decode_base64, header, malformed, parse_timestamp,
};

const SIGNATURE: HeaderName = HeaderName::from_static("x-twilio-email-event-webhook-signature");
const TIMESTAMP: HeaderName = HeaderName::from_static("x-twilio-email-event-webhook-timestamp");

/// Verifies SendGrid's signed event webhook, as SendGrid's `EventWebhook.verifySignature`
/// does.
///
/// SendGrid signs `timestamp + body` with ECDSA P-256 and SHA-256, and sends the base64 DER
/// signature in `X-Twilio-Email-Event-Webhook-Signature` and the Unix timestamp in
/// `X-Twilio-Email-Event-Webhook-Timestamp`. The verification key is the public key shown
/// in SendGrid's settings: base64 of a DER `SubjectPublicKeyInfo`. Being a public key it
/// is not a secret, but several can be configured all the same, for when the key is
/// regenerated.
///
/// SendGrid's own libraries check no timestamp; this verifier rejects one further than
/// the tolerance from `now` (default five minutes) like the other schemes, so a captured
/// request cannot be replayed later. Widen it with [`tolerance`](Self::tolerance) if your
/// deliveries wait in a queue before being verified.
///
/// # Example
///
/// SendGrid's published test vector:
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use sdkgen_runtime::webhooks::SendGridVerifier;
///
/// let verifier = SendGridVerifier::new(
///     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo\
///      7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==",
/// )?;
/// let mut headers = http::HeaderMap::new();
/// headers.insert(
///     "x-twilio-email-event-webhook-signature",
///     "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFD\
///      WYNH2j/0=".parse()?,
/// );
/// headers.insert("x-twilio-email-event-webhook-timestamp", "1588788367".parse()?);
/// let body = br#"{"category":"example_payload","event":"test_event","message_id":"message_id"}"#;
///
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_588_788_367);
/// verifier.verify(&headers, body, now)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct SendGridVerifier {
    keys: Vec<VerifyingKey>,
    tolerance: Duration,
}

impl fmt::Debug for SendGridVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendGridVerifier")
            .field("keys", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl SendGridVerifier {
    /// A verifier for the verification key, base64 of a DER `SubjectPublicKeyInfo` as
    /// SendGrid shows it.
    ///
    /// # Errors
    ///
    /// [`WebhookError::InvalidSecret`] if it is not base64 or not a P-256 public key.
    pub fn new(public_key: &str) -> Result<Self, WebhookError> {
        Ok(Self {
            keys: vec![decode_key(public_key)?],
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// Also accepts signatures made with the key `public_key`, for when the key is
    /// regenerated.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn add_public_key(mut self, public_key: &str) -> Result<Self, WebhookError> {
        self.keys.push(decode_key(public_key)?);
        Ok(self)
    }

    /// How far the timestamp may be from `now`, either way (default five minutes).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a delivery from its headers and raw body.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`] for either header, [`WebhookError::MalformedHeader`]
    /// for a timestamp that is not a number or a signature that is not base64 DER,
    /// [`WebhookError::SignatureMismatch`], and
    /// [`WebhookError::TimestampOutsideTolerance`].
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.verify_parts(
            header(headers, &TIMESTAMP)?,
            header(headers, &SIGNATURE)?,
            body,
            now,
        )
    }

    /// Verifies a delivery from the values of the timestamp and signature headers.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_parts(
        &self,
        timestamp: &str,
        signature: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let seconds = parse_timestamp(&TIMESTAMP, timestamp)?;
        let der = decode_base64(signature.trim())
            .ok_or_else(|| malformed(&SIGNATURE, "the signature is not base64"))?;
        let signature = DerSignature::try_from(der.as_slice())
            .map_err(|_| malformed(&SIGNATURE, "the signature is not an ECDSA DER signature"))?;
        let message: [&[u8]; 2] = [timestamp.as_bytes(), body];
        // Public-key verification needs no constant-time care: nothing secret is compared.
        if !self
            .keys
            .iter()
            .any(|key| key.multipart_verify(&message, &signature).is_ok())
        {
            return Err(WebhookError::SignatureMismatch);
        }
        check_tolerance(seconds, now, self.tolerance)
    }
}

fn decode_key(public_key: &str) -> Result<VerifyingKey, WebhookError> {
    let der = decode_base64(public_key.trim())
        .ok_or(WebhookError::InvalidSecret("the public key is not base64"))?;
    VerifyingKey::from_public_key_der(&der).map_err(|_| {
        WebhookError::InvalidSecret("the public key is not a DER SubjectPublicKeyInfo for P-256")
    })
}
