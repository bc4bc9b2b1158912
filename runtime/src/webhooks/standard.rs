//! [`StandardWebhooks`]: the Standard Webhooks scheme (OpenAI, Svix and others).

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName};
use secrecy::{ExposeSecret, SecretSlice, SecretString};

use super::WebhookError;
use super::common::{
    DEFAULT_TOLERANCE, Secrets, check_tolerance, decode_base64, header, malformed, parse_timestamp,
};
use super::generic::HmacAlgorithm;

const ID: HeaderName = HeaderName::from_static("webhook-id");
const TIMESTAMP: HeaderName = HeaderName::from_static("webhook-timestamp");
const SIGNATURE: HeaderName = HeaderName::from_static("webhook-signature");

/// Verifies deliveries signed by the [Standard Webhooks](https://www.standardwebhooks.com)
/// specification, as its reference library's `Webhook.verify` does; OpenAI signs this way.
///
/// Three headers: `webhook-id`, `webhook-timestamp` (Unix seconds) and
/// `webhook-signature`, a space-separated list of `v1,<base64>` entries. Each is base64
/// HMAC-SHA256 of `"{id}.{timestamp}.{body}"`, keyed with the secret's bytes: the secret
/// is written `whsec_<base64>` and the part after `whsec_` is decoded. Any `v1` entry
/// matching any configured secret is accepted; entries of other versions are ignored.
///
/// # Example
///
/// The specification's reference test vector:
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use sdkgen_runtime::webhooks::StandardWebhooks;
///
/// let verifier = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek".parse()?);
/// headers.insert("webhook-timestamp", "1614265330".parse()?);
/// headers.insert("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".parse()?);
///
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_614_265_330);
/// verifier.verify(&headers, br#"{"test": 2432232314}"#, now)?;
/// assert_eq!(StandardWebhooks::message_id(&headers), Some("msg_p5jXN8AQM9LWM0D4loKWxJek"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct StandardWebhooks {
    secrets: Secrets,
    tolerance: Duration,
}

impl StandardWebhooks {
    /// A verifier for `secret`, written `whsec_<base64>` (the prefix may be left out).
    ///
    /// # Errors
    ///
    /// [`WebhookError::InvalidSecret`] if the secret is not base64 or is empty.
    pub fn new(secret: impl Into<SecretString>) -> Result<Self, WebhookError> {
        Ok(Self {
            secrets: Secrets::from_bytes(decode_secret(&secret.into())?),
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// Also accepts signatures made with `secret`, for rotating secrets.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn add_secret(mut self, secret: impl Into<SecretString>) -> Result<Self, WebhookError> {
        self.secrets.push_bytes(decode_secret(&secret.into())?);
        Ok(self)
    }

    /// How far `webhook-timestamp` may be from `now`, either way (default five minutes,
    /// the specification's).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a delivery from its headers and raw body.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`] for any of the three headers,
    /// [`WebhookError::MalformedHeader`] for a timestamp that is not a number or a
    /// signature list without a `v1` entry, [`WebhookError::SignatureMismatch`], and
    /// [`WebhookError::TimestampOutsideTolerance`].
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.verify_parts(
            header(headers, &ID)?,
            header(headers, &TIMESTAMP)?,
            header(headers, &SIGNATURE)?,
            body,
            now,
        )
    }

    /// Verifies a delivery from the values of `webhook-id`, `webhook-timestamp` and
    /// `webhook-signature`.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_parts(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let seconds = parse_timestamp(&TIMESTAMP, timestamp)?;
        let mut v1_seen = false;
        let mut candidates = Vec::new();
        for entry in signatures.split_ascii_whitespace() {
            if let Some(encoded) = entry.strip_prefix("v1,") {
                v1_seen = true;
                // An entry that is not base64 cannot match, but must not hide one that does.
                candidates.extend(decode_base64(encoded));
            }
        }
        if !v1_seen {
            return Err(malformed(&SIGNATURE, "there is no `v1,` signature"));
        }
        let message: [&[u8]; 5] = [id.as_bytes(), b".", timestamp.as_bytes(), b".", body];
        if !self
            .secrets
            .any_match(HmacAlgorithm::Sha256, &message, &candidates)
        {
            return Err(WebhookError::SignatureMismatch);
        }
        check_tolerance(seconds, now, self.tolerance)
    }

    /// The message id from `webhook-id`, which stays the same on every re-delivery: the
    /// key to deduplicate with.
    pub fn message_id(headers: &HeaderMap) -> Option<&str> {
        headers.get(ID)?.to_str().ok()
    }
}

fn decode_secret(secret: &SecretString) -> Result<SecretSlice<u8>, WebhookError> {
    let text = secret.expose_secret();
    let encoded = text.strip_prefix("whsec_").unwrap_or(text);
    let bytes = decode_base64(encoded).ok_or(WebhookError::InvalidSecret(
        "the part after `whsec_` is not base64",
    ))?;
    if bytes.is_empty() {
        return Err(WebhookError::InvalidSecret("the secret is empty"));
    }
    Ok(SecretSlice::from(bytes))
}
