//! [`GitHubVerifier`]: GitHub's `X-Hub-Signature-256` header.

use http::{HeaderMap, HeaderName};
use secrecy::SecretString;

use super::WebhookError;
use super::common::{Secrets, decode_hex, header, malformed};
use super::generic::HmacAlgorithm;

const SIGNATURE: HeaderName = HeaderName::from_static("x-hub-signature-256");
const DELIVERY: HeaderName = HeaderName::from_static("x-github-delivery");

/// Verifies GitHub webhook deliveries, as octokit's `verify` does.
///
/// GitHub sends `X-Hub-Signature-256: sha256=<hex>`, hex HMAC-SHA256 of the raw body keyed
/// with the webhook's secret. GitHub signs no timestamp, so there is no tolerance and no
/// `now`: deduplicate on [`delivery_id`](Self::delivery_id) to refuse replays. The legacy
/// SHA-1 `X-Hub-Signature` header is not read.
///
/// # Example
///
/// GitHub's documented test values:
///
/// ```
/// use sdkgen_runtime::webhooks::GitHubVerifier;
///
/// let verifier = GitHubVerifier::new("It's a Secret to Everybody");
/// let mut headers = http::HeaderMap::new();
/// headers.insert(
///     "x-hub-signature-256",
///     "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17".parse()?,
/// );
/// verifier.verify(&headers, b"Hello, World!")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct GitHubVerifier {
    secrets: Secrets,
}

impl GitHubVerifier {
    /// A verifier for the webhook secret `secret`.
    pub fn new(secret: impl Into<SecretString>) -> Self {
        Self {
            secrets: Secrets::from_text(secret.into()),
        }
    }

    /// Also accepts signatures made with `secret`, for changing the webhook's secret
    /// without dropping deliveries.
    pub fn add_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.secrets.push_text(secret.into());
        self
    }

    /// Verifies a delivery from its headers and raw body.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`] without `X-Hub-Signature-256`,
    /// [`WebhookError::MalformedHeader`] if it is not `sha256=` and hex, and
    /// [`WebhookError::SignatureMismatch`].
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        self.verify_parts(header(headers, &SIGNATURE)?, body)
    }

    /// Verifies a delivery from the `X-Hub-Signature-256` header's value.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_parts(&self, signature: &str, body: &[u8]) -> Result<(), WebhookError> {
        let hex = signature
            .trim()
            .strip_prefix("sha256=")
            .ok_or_else(|| malformed(&SIGNATURE, "the signature does not start with `sha256=`"))?;
        let decoded =
            decode_hex(hex).ok_or_else(|| malformed(&SIGNATURE, "the signature is not hex"))?;
        match self
            .secrets
            .any_match(HmacAlgorithm::Sha256, &[body], &[decoded])
        {
            true => Ok(()),
            false => Err(WebhookError::SignatureMismatch),
        }
    }

    /// The delivery's GUID from `X-GitHub-Delivery`: the key to deduplicate re-deliveries
    /// with (a redelivery from GitHub's UI keeps it).
    pub fn delivery_id(headers: &HeaderMap) -> Option<&str> {
        headers.get(DELIVERY)?.to_str().ok()
    }
}
