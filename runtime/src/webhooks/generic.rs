//! [`HmacVerifier`]: HMAC signatures in a header, for providers without a verifier of their
//! own.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName};
use secrecy::SecretString;

use super::WebhookError;
use super::common::{
    DEFAULT_TOLERANCE, Secrets, check_tolerance, decode_base64, decode_hex, header, malformed,
    parse_timestamp,
};

/// The hash function of an HMAC signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HmacAlgorithm {
    /// HMAC-SHA1, still used by Twilio and older providers.
    Sha1,
    /// HMAC-SHA256, the most common choice.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// How the signature bytes are written in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureEncoding {
    /// Hexadecimal, in either case.
    Hex,
    /// Standard base64 with padding.
    Base64,
}

/// One piece of the signed payload: text, the timestamp header's value, or the body.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(Vec<u8>),
    Timestamp,
    Body,
}

#[derive(Debug, Clone)]
struct Timestamped {
    header: HeaderName,
    payload: Vec<Part>,
}

/// Verifies an HMAC signature carried in one header, for providers that document
/// "HMAC of the body (perhaps with a timestamp) in header X" without an SDK of their own.
///
/// By default the signature is lowercase or uppercase hex HMAC-SHA256 of the raw body, with
/// no prefix and no timestamp. Each option changes one of those:
/// [`algorithm`](Self::algorithm), [`encoding`](Self::encoding), [`prefix`](Self::prefix)
/// (such as `sha256=`), and [`timestamp`](Self::timestamp), which names the header holding
/// the Unix timestamp and the template of the signed payload (such as
/// `"{timestamp}.{body}"`), and turns on the tolerance check.
///
/// # Example
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use hmac::{KeyInit, Mac};
/// use http::{HeaderMap, HeaderName};
/// use sdkgen_runtime::webhooks::{HmacAlgorithm, HmacVerifier, SignatureEncoding};
///
/// let verifier = HmacVerifier::new("my-secret", HeaderName::from_static("x-acme-signature"))
///     .algorithm(HmacAlgorithm::Sha512)
///     .encoding(SignatureEncoding::Base64)
///     .prefix("v1=")
///     .timestamp(HeaderName::from_static("x-acme-timestamp"), "{timestamp}:{body}");
///
/// // What the provider does: sign "1700000000:" followed by the body.
/// let body = br#"{"type":"invoice.paid"}"#;
/// let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(b"my-secret")?;
/// mac.update(b"1700000000:");
/// mac.update(body);
/// let signature = base64::Engine::encode(
///     &base64::engine::general_purpose::STANDARD,
///     mac.finalize().into_bytes(),
/// );
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-acme-signature", format!("v1={signature}").parse()?);
/// headers.insert("x-acme-timestamp", "1700000000".parse()?);
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_030);
/// verifier.verify(&headers, body, now)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct HmacVerifier {
    secrets: Secrets,
    signature_header: HeaderName,
    algorithm: HmacAlgorithm,
    encoding: SignatureEncoding,
    prefix: String,
    timestamped: Option<Timestamped>,
    tolerance: Duration,
}

impl HmacVerifier {
    /// A verifier of hex HMAC-SHA256 signatures of the body in `signature_header`, keyed
    /// with the bytes of `secret`.
    pub fn new(secret: impl Into<SecretString>, signature_header: HeaderName) -> Self {
        Self {
            secrets: Secrets::from_text(secret.into()),
            signature_header,
            algorithm: HmacAlgorithm::Sha256,
            encoding: SignatureEncoding::Hex,
            prefix: String::new(),
            timestamped: None,
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Also accepts signatures made with `secret`, for rotating secrets.
    pub fn add_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.secrets.push_text(secret.into());
        self
    }

    /// The hash function (default [`HmacAlgorithm::Sha256`]).
    pub fn algorithm(mut self, algorithm: HmacAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// How the signature is written (default [`SignatureEncoding::Hex`]).
    pub fn encoding(mut self, encoding: SignatureEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Text that comes before the signature in the header, such as `sha256=` (default
    /// none). A header without it is malformed.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Signs a timestamp too: `header` carries it in Unix seconds, and `signed_payload` is
    /// the template of what was signed, in which `{timestamp}` stands for the header's value
    /// and `{body}` for the raw body (such as `"{timestamp}.{body}"`). Any other text is
    /// signed as written. Turns on the tolerance check (default five minutes).
    pub fn timestamp(mut self, header: HeaderName, signed_payload: &str) -> Self {
        self.timestamped = Some(Timestamped {
            header,
            payload: parse_template(signed_payload),
        });
        self
    }

    /// How far the timestamp may be from `now`, either way (default five minutes). Only
    /// used once [`timestamp`](Self::timestamp) is set.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a delivery from its headers and raw body.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`] or [`WebhookError::MalformedHeader`] for the
    /// signature or timestamp header, [`WebhookError::SignatureMismatch`], and
    /// [`WebhookError::TimestampOutsideTolerance`].
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let signature = header(headers, &self.signature_header)?;
        let timestamp = match &self.timestamped {
            Some(timestamped) => Some(header(headers, &timestamped.header)?),
            None => None,
        };
        self.verify_parts(signature, timestamp, body, now)
    }

    /// Verifies a delivery from the header values as strings, for frameworks without an
    /// [`http::HeaderMap`]. `timestamp` is the timestamp header's value, if the verifier
    /// was given one.
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_parts(
        &self,
        signature: &str,
        timestamp: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let name = &self.signature_header;
        let encoded = signature
            .trim()
            .strip_prefix(self.prefix.as_str())
            .ok_or_else(|| {
                malformed(
                    name,
                    "the signature does not start with the expected prefix",
                )
            })?;
        let decoded = match self.encoding {
            SignatureEncoding::Hex => decode_hex(encoded),
            SignatureEncoding::Base64 => decode_base64(encoded),
        }
        .ok_or_else(|| malformed(name, "the signature is not in the expected encoding"))?;

        let Some(timestamped) = &self.timestamped else {
            return match self.secrets.any_match(self.algorithm, &[body], &[decoded]) {
                true => Ok(()),
                false => Err(WebhookError::SignatureMismatch),
            };
        };
        let raw =
            timestamp.ok_or_else(|| WebhookError::MissingHeader(timestamped.header.clone()))?;
        let seconds = parse_timestamp(&timestamped.header, raw)?;
        let message: Vec<&[u8]> = timestamped
            .payload
            .iter()
            .map(|part| match part {
                Part::Literal(text) => text.as_slice(),
                Part::Timestamp => raw.as_bytes(),
                Part::Body => body,
            })
            .collect();
        if !self.secrets.any_match(self.algorithm, &message, &[decoded]) {
            return Err(WebhookError::SignatureMismatch);
        }
        check_tolerance(seconds, now, self.tolerance)
    }
}

/// Splits a template at each `{timestamp}` and `{body}`; everything else is literal.
fn parse_template(template: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = template;
    loop {
        let next = [("{timestamp}", Part::Timestamp), ("{body}", Part::Body)]
            .into_iter()
            .filter_map(|(marker, part)| rest.find(marker).map(|at| (at, marker, part)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, marker, part)) = next else {
            if !rest.is_empty() {
                parts.push(Part::Literal(rest.as_bytes().to_vec()));
            }
            return parts;
        };
        let (literal, from_marker) = rest.split_at(at);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal.as_bytes().to_vec()));
        }
        parts.push(part);
        rest = from_marker.strip_prefix(marker).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_split_at_their_placeholders_only() {
        assert_eq!(
            parse_template("v0:{timestamp}:{body}"),
            vec![
                Part::Literal(b"v0:".to_vec()),
                Part::Timestamp,
                Part::Literal(b":".to_vec()),
                Part::Body
            ]
        );
        assert_eq!(
            parse_template("{body}{other}"),
            vec![Part::Body, Part::Literal(b"{other}".to_vec())]
        );
        assert_eq!(parse_template(""), vec![]);
    }
}
