//! [`TwilioVerifier`]: Twilio's `X-Twilio-Signature` header.

use http::{HeaderMap, HeaderName};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::WebhookError;
use super::common::{Secrets, decode_base64, encode_hex, header, malformed};
use super::generic::HmacAlgorithm;

const SIGNATURE: HeaderName = HeaderName::from_static("x-twilio-signature");
const IDEMPOTENCY_TOKEN: HeaderName = HeaderName::from_static("i-twilio-idempotency-token");

/// Verifies requests from Twilio (voice and messaging webhooks, status callbacks), as
/// twilio-node's `validateRequest` and `validateRequestWithBody` do.
///
/// `X-Twilio-Signature` is base64 HMAC-SHA1, keyed with the account's auth token, of the
/// full URL Twilio requested followed by every POST parameter sorted by name, each written
/// as its name then its value. For a JSON body Twilio adds a `bodySHA256` query parameter
/// instead: the URL alone is signed, and `bodySHA256` must be the hex SHA-256 of the body.
///
/// Pass the URL exactly as Twilio called it, scheme, host and query string included — as
/// configured in the console, not as a proxy rewrote it. Like Twilio's own libraries, the
/// URL is tried both with and without an explicit default port (`:443` or `:80`), since
/// Twilio may sign either form. Twilio signs no timestamp, so there is no tolerance: use
/// [`idempotency_token`](Self::idempotency_token) to refuse replays.
///
/// # Example
///
/// Twilio's documented example request:
///
/// ```
/// use sdkgen_runtime::webhooks::TwilioVerifier;
///
/// let verifier = TwilioVerifier::new("12345");
/// let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
/// let body = b"CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234\
/// &From=%2B14158675309&To=%2B18005551212";
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-twilio-signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=".parse()?);
/// verifier.verify(&headers, url, body)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct TwilioVerifier {
    secrets: Secrets,
}

impl TwilioVerifier {
    /// A verifier for the account's auth token.
    pub fn new(auth_token: impl Into<SecretString>) -> Self {
        Self {
            secrets: Secrets::from_text(auth_token.into()),
        }
    }

    /// Also accepts signatures made with `auth_token`, such as the secondary token while
    /// the primary one is being rotated.
    pub fn add_secret(mut self, auth_token: impl Into<SecretString>) -> Self {
        self.secrets.push_text(auth_token.into());
        self
    }

    /// Verifies a request from its headers, the full URL Twilio requested and the raw
    /// body. If the URL has a `bodySHA256` parameter the body is checked against it
    /// ([`verify_body`](Self::verify_body)); otherwise the body is read as
    /// `application/x-www-form-urlencoded` parameters, and may be empty, as for a `GET`
    /// ([`verify_params`](Self::verify_params)).
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`] without `X-Twilio-Signature`,
    /// [`WebhookError::MalformedHeader`] if it is not base64, and
    /// [`WebhookError::SignatureMismatch`].
    pub fn verify(&self, headers: &HeaderMap, url: &str, body: &[u8]) -> Result<(), WebhookError> {
        let signature = header(headers, &SIGNATURE)?;
        if body_sha256(url).is_some() {
            return self.verify_body(signature, url, body);
        }
        self.verify_params(signature, url, url::form_urlencoded::parse(body))
    }

    /// Verifies a form-encoded request from the `X-Twilio-Signature` value, the full URL
    /// and the POST parameters, for frameworks that have already parsed the form.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MalformedHeader`] if the signature is not base64, and
    /// [`WebhookError::SignatureMismatch`].
    pub fn verify_params<K, V>(
        &self,
        signature: &str,
        url: &str,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Result<(), WebhookError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let decoded = decode_signature(signature)?;
        let mut params: Vec<(K, V)> = params.into_iter().collect();
        // Repeated names keep every value, ordered by value, as Twilio's libraries do.
        params.sort_by(|(k1, v1), (k2, v2)| {
            (k1.as_ref(), v1.as_ref()).cmp(&(k2.as_ref(), v2.as_ref()))
        });
        let mut signed_params = String::new();
        for (name, value) in &params {
            signed_params.push_str(name.as_ref());
            signed_params.push_str(value.as_ref());
        }
        match url_forms(url).iter().any(|form| {
            self.secrets.any_match(
                HmacAlgorithm::Sha1,
                &[form.as_bytes(), signed_params.as_bytes()],
                std::slice::from_ref(&decoded),
            )
        }) {
            true => Ok(()),
            false => Err(WebhookError::SignatureMismatch),
        }
    }

    /// Verifies a request with a JSON (or other non-form) body from the
    /// `X-Twilio-Signature` value, the full URL, which carries `bodySHA256`, and the raw
    /// body.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MalformedHeader`] if the signature is not base64, and
    /// [`WebhookError::SignatureMismatch`] if the URL's signature does not match, if the URL
    /// has no `bodySHA256` (then nothing vouches for the body), or if the body's SHA-256 is
    /// not `bodySHA256`.
    pub fn verify_body(&self, signature: &str, url: &str, body: &[u8]) -> Result<(), WebhookError> {
        self.verify_params(signature, url, std::iter::empty::<(&str, &str)>())?;
        let expected = body_sha256(url).ok_or(WebhookError::SignatureMismatch)?;
        let actual = encode_hex(&Sha256::digest(body));
        // The hash is public (it is in the URL), so this comparison needs no constant time.
        match expected.eq_ignore_ascii_case(&actual) {
            true => Ok(()),
            false => Err(WebhookError::SignatureMismatch),
        }
    }

    /// The `I-Twilio-Idempotency-Token` header, the same on every retry of one webhook:
    /// the key to deduplicate with.
    pub fn idempotency_token(headers: &HeaderMap) -> Option<&str> {
        headers.get(IDEMPOTENCY_TOKEN)?.to_str().ok()
    }
}

fn decode_signature(signature: &str) -> Result<Vec<u8>, WebhookError> {
    decode_base64(signature.trim())
        .ok_or_else(|| malformed(&SIGNATURE, "the signature is not base64"))
}

/// The `bodySHA256` query parameter of `url`, if any.
fn body_sha256(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "bodySHA256")
        .map(|(_, value)| value.into_owned())
}

/// The URL as given, without its port, and with the scheme's default port made explicit:
/// the forms Twilio may have signed. The URL is edited as text, never re-serialized,
/// because any normalization (percent-encoding, a trailing slash) would change what was
/// signed.
fn url_forms(url: &str) -> Vec<String> {
    let mut forms = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return forms;
    };
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_len);
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(at) => authority.split_at(at + 1),
        None => ("", authority),
    };
    // An IPv6 host is bracketed and full of colons; its port comes after the `]`.
    let host_end = match host_port.strip_prefix('[') {
        Some(inner) => inner.find(']').map_or(host_port.len(), |end| end + 2),
        None => host_port.find(':').unwrap_or(host_port.len()),
    };
    let (host, port) = host_port.split_at(host_end);
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => Some(":443"),
        "http" => Some(":80"),
        _ => None,
    };
    if !port.is_empty() {
        forms.push(format!("{scheme}://{userinfo}{host}{tail}"));
    } else if let Some(default_port) = default_port {
        forms.push(format!("{scheme}://{userinfo}{host}{default_port}{tail}"));
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms_add_or_remove_the_default_port_and_keep_everything_else() {
        assert_eq!(
            url_forms("https://example.com/hook?a=%20b"),
            [
                "https://example.com/hook?a=%20b",
                "https://example.com:443/hook?a=%20b"
            ]
        );
        assert_eq!(
            url_forms("https://example.com:443/hook"),
            ["https://example.com:443/hook", "https://example.com/hook"]
        );
        assert_eq!(
            url_forms("http://user:pw@[::1]:8080?x=1"),
            ["http://user:pw@[::1]:8080?x=1", "http://user:pw@[::1]?x=1"]
        );
        assert_eq!(url_forms("not a url"), ["not a url"]);
    }

    #[test]
    fn body_sha256_is_read_from_the_query_only() {
        assert_eq!(
            body_sha256("https://x/h?bodySHA256=abc&y=1#bodySHA256=no").as_deref(),
            Some("abc")
        );
        assert_eq!(body_sha256("https://x/h#bodySHA256=no"), None);
    }
}
