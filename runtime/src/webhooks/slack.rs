//! [`SlackVerifier`]: Slack's signing secret (`X-Slack-Signature`).

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName};
use secrecy::SecretString;

use super::WebhookError;
use super::common::{
    DEFAULT_TOLERANCE, Secrets, check_tolerance, decode_hex, header, json_string_field, malformed,
    parse_timestamp,
};
use super::generic::HmacAlgorithm;

const SIGNATURE: HeaderName = HeaderName::from_static("x-slack-signature");
const TIMESTAMP: HeaderName = HeaderName::from_static("x-slack-request-timestamp");

/// Verifies requests from Slack (Events API, slash commands, interactivity), as Bolt's
/// signature verifier does.
///
/// Slack sends `X-Slack-Request-Timestamp` (Unix seconds) and
/// `X-Slack-Signature: v0=<hex>`, hex HMAC-SHA256 of `"v0:{timestamp}:{body}"` keyed with
/// the app's signing secret. The timestamp must be within five minutes of `now`.
///
/// # Example
///
/// Slack's documented example request:
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use sdkgen_runtime::webhooks::SlackVerifier;
///
/// let verifier = SlackVerifier::new("8f742231b10e8888abcd99yyyzzz85a5");
/// let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&\
/// channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&\
/// command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F\
/// T1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.\
/// 803a0bc887a14d10d2c447fce8b6703c";
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-slack-request-timestamp", "1531420618".parse()?);
/// headers.insert(
///     "x-slack-signature",
///     "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503".parse()?,
/// );
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_531_420_618);
/// verifier.verify(&headers, body, now)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct SlackVerifier {
    secrets: Secrets,
    tolerance: Duration,
}

impl SlackVerifier {
    /// A verifier for the app's signing secret.
    pub fn new(signing_secret: impl Into<SecretString>) -> Self {
        Self {
            secrets: Secrets::from_text(signing_secret.into()),
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Also accepts signatures made with `signing_secret`, for regenerating the secret.
    pub fn add_secret(mut self, signing_secret: impl Into<SecretString>) -> Self {
        self.secrets.push_text(signing_secret.into());
        self
    }

    /// How far `X-Slack-Request-Timestamp` may be from `now`, either way (default five
    /// minutes, as Slack recommends).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a request from its headers and raw body.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`] for either header, [`WebhookError::MalformedHeader`]
    /// for a timestamp that is not a number or a signature that is not `v0=` and hex,
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

    /// Verifies a request from the values of `X-Slack-Request-Timestamp` and
    /// `X-Slack-Signature`.
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
        let hex = signature
            .trim()
            .strip_prefix("v0=")
            .ok_or_else(|| malformed(&SIGNATURE, "the signature does not start with `v0=`"))?;
        let decoded =
            decode_hex(hex).ok_or_else(|| malformed(&SIGNATURE, "the signature is not hex"))?;
        let message: [&[u8]; 4] = [b"v0:", timestamp.as_bytes(), b":", body];
        if !self
            .secrets
            .any_match(HmacAlgorithm::Sha256, &message, &[decoded])
        {
            return Err(WebhookError::SignatureMismatch);
        }
        check_tolerance(seconds, now, self.tolerance)
    }

    /// The Events API's `event_id` from the JSON body, the same on every retry: the key to
    /// deduplicate with. Slash commands and interactivity payloads have none.
    pub fn event_id(body: &[u8]) -> Option<String> {
        json_string_field(body, "event_id")
    }
}
