//! Pieces every verifier shares: secrets, header reading, timestamps, decoding and
//! constant-time matching.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, HeaderName};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use subtle::{Choice, ConstantTimeEq};

use super::WebhookError;
use super::generic::HmacAlgorithm;

/// The tolerance every timestamped scheme uses unless told otherwise: five minutes, the
/// value Stripe, Slack and Standard Webhooks document.
pub(crate) const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The shared secrets of one verifier: the first is the one given to `new`, the rest were
/// added for rotation.
///
/// Behind an [`Arc`], so that cloning a verifier (as a server framework does per request
/// when the verifier is part of its state) shares the secrets instead of copying them.
#[derive(Clone)]
pub(crate) struct Secrets(Arc<Vec<SecretSlice<u8>>>);

impl Secrets {
    /// Secrets used as the HMAC key byte for byte, as Stripe, GitHub, Slack and Twilio do.
    pub(crate) fn from_text(secret: SecretString) -> Self {
        Self(Arc::new(vec![text_key(&secret)]))
    }

    pub(crate) fn from_bytes(secret: SecretSlice<u8>) -> Self {
        Self(Arc::new(vec![secret]))
    }

    pub(crate) fn push_text(&mut self, secret: SecretString) {
        Arc::make_mut(&mut self.0).push(text_key(&secret));
    }

    pub(crate) fn push_bytes(&mut self, secret: SecretSlice<u8>) {
        Arc::make_mut(&mut self.0).push(secret);
    }

    /// Whether the MAC of `message` under any secret equals any of `candidates`.
    ///
    /// Every secret is tried against every candidate without stopping early, so the time
    /// taken says nothing about which pair matched or how close a guess was. An empty
    /// secret matches nothing: it is almost always an unset environment variable, and
    /// anyone can sign with an empty key, so it must fail closed.
    pub(crate) fn any_match(
        &self,
        algorithm: HmacAlgorithm,
        message: &[&[u8]],
        candidates: &[Vec<u8>],
    ) -> bool {
        let mut matched = Choice::from(0);
        for secret in self.0.iter() {
            if secret.expose_secret().is_empty() {
                continue;
            }
            let Some(expected) = mac(algorithm, secret.expose_secret(), message) else {
                continue;
            };
            for candidate in candidates {
                // `ct_eq` on slices of different lengths is simply "not equal".
                matched |= expected.as_slice().ct_eq(candidate.as_slice());
            }
        }
        matched.into()
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[REDACTED; {}]", self.0.len())
    }
}

fn text_key(secret: &SecretString) -> SecretSlice<u8> {
    SecretSlice::from(secret.expose_secret().as_bytes().to_vec())
}

/// The MAC of the concatenation of `message`, or `None` if the key is refused (HMAC takes
/// keys of any length, so this does not happen; `None` then matches nothing).
pub(crate) fn mac(algorithm: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
    fn run<M: Mac + KeyInit>(key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
        let mut mac = <M as KeyInit>::new_from_slice(key).ok()?;
        for part in message {
            mac.update(part);
        }
        Some(mac.finalize().into_bytes().to_vec())
    }
    match algorithm {
        HmacAlgorithm::Sha1 => run::<Hmac<sha1::Sha1>>(key, message),
        HmacAlgorithm::Sha256 => run::<Hmac<sha2::Sha256>>(key, message),
        HmacAlgorithm::Sha512 => run::<Hmac<sha2::Sha512>>(key, message),
    }
}

/// The value of `name`, which must be present and visible ASCII.
pub(crate) fn header<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
) -> Result<&'h str, WebhookError> {
    let value = headers
        .get(name)
        .ok_or_else(|| WebhookError::MissingHeader(name.clone()))?;
    value
        .to_str()
        .map_err(|_| malformed(name, "the value is not visible ASCII"))
}

pub(crate) fn malformed(name: &HeaderName, reason: &'static str) -> WebhookError {
    WebhookError::MalformedHeader {
        name: name.clone(),
        reason,
    }
}

/// A Unix timestamp in whole seconds, as every provider sends it.
pub(crate) fn parse_timestamp(name: &HeaderName, value: &str) -> Result<i64, WebhookError> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| malformed(name, "the timestamp is not a whole number of Unix seconds"))
}

/// `now` in whole Unix seconds; instants before 1970 are negative rather than an error.
pub(crate) fn unix_seconds(now: SystemTime) -> i64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Accepts `timestamp` only if it is at most `tolerance` away from `now`, either way.
pub(crate) fn check_tolerance(
    timestamp: i64,
    now: SystemTime,
    tolerance: Duration,
) -> Result<(), WebhookError> {
    let now = unix_seconds(now);
    // Saturating, because the timestamp is whatever the sender wrote, including i64::MIN.
    let distance = now.saturating_sub(timestamp).unsigned_abs();
    if distance > tolerance.as_secs() {
        return Err(WebhookError::TimestampOutsideTolerance {
            timestamp,
            now,
            tolerance,
        });
    }
    Ok(())
}

/// Hex in either case; `None` for an odd length or a character that is not a hex digit.
pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if text.len() % 2 != 0 {
        return None;
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| match pair {
            [high, low] => Some(nibble(*high)? << 4 | nibble(*low)?),
            _ => None,
        })
        .collect()
}

/// Standard base64 with padding, the alphabet Twilio, SendGrid and Standard Webhooks use.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// Lowercase hex, for comparing Twilio's `bodySHA256` parameter.
pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// The string value of a top-level field of a JSON object body, for event ids.
pub(crate) fn json_string_field(body: &[u8], field: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get(field)?.as_str().map(str::to_owned)
}
