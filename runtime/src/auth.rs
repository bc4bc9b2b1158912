//! Authentication.
//!
//! Credentials are added to the final request of each attempt. Built-in schemes cover
//! bearer tokens, basic auth, API keys in a header, query parameter or cookie, and OAuth2
//! client-credentials and refresh-token flows. An [`AuthProvider`] is an async hook for
//! anything else: a custom provider can sign requests (HMAC) or fetch credentials from
//! anywhere. The OAuth2 flows are providers too; the static schemes are not, because they
//! need no waiting: a header credential is formatted once, when the [`Auth`] is made, and
//! each attempt only clones it.
//!
//! Secrets are held in [`secrecy::SecretString`], so `Debug` shows `[REDACTED]`; header
//! values carrying them are marked sensitive, and the runtime never logs headers or URLs.
//!
//! OAuth2 tokens are cached in the client (shared by clones) and refreshed a margin before
//! expiry (default 5 minutes). Refresh is single-flight: concurrent callers wait for the
//! one refresh in progress instead of each hitting the token endpoint. A `401` makes the
//! client ask the provider to drop the token it used; the call is then replayed once with a
//! fresh token, and a second `401` is returned to the caller, never looped.

use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use base64::Engine as _;
use futures::future::BoxFuture;
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::error::Error;
use crate::interceptor::Stage;

/// A source of credentials for requests.
pub trait AuthProvider: Send + Sync + 'static {
    /// Add credentials to `request` (the final request of one attempt).
    fn apply<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<(), Error>>;

    /// The provider answered `401` to a request sent with `sent_headers`. Return `true` if
    /// fresh credentials may succeed (e.g. a cached token was dropped), so the client
    /// replays the call once.
    fn on_unauthorized<'a>(
        &'a self,
        sent_headers: &'a http::HeaderMap,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        let _ = sent_headers;
        Box::pin(std::future::ready(Ok(false)))
    }

    /// Called once when the client is built, with the HTTP client it uses (so that token
    /// endpoints are reached with the same TLS and proxy settings).
    fn bind(&self, http: &reqwest::Client) {
        let _ = http;
    }
}

impl<T: AuthProvider + ?Sized> AuthProvider for Arc<T> {
    fn apply<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<(), Error>> {
        (**self).apply(request)
    }

    fn on_unauthorized<'a>(
        &'a self,
        sent_headers: &'a http::HeaderMap,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        (**self).on_unauthorized(sent_headers)
    }

    fn bind(&self, http: &reqwest::Client) {
        (**self).bind(http)
    }
}

/// How a client authenticates.
#[derive(Clone)]
pub struct Auth {
    scheme: Scheme,
    label: &'static str,
}

#[derive(Clone)]
enum Scheme {
    None,
    /// Credentials fixed when the `Auth` is made (bearer, basic, API keys). They cannot
    /// change, so a `401` is never answered by a replay.
    Fixed(Arc<FixedCredential>),
    /// Credentials from a provider that may fetch or refresh them (OAuth2, custom).
    Dynamic(Arc<dyn AuthProvider>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Auth({})", self.label)
    }
}

impl Default for Auth {
    fn default() -> Self {
        Auth::none()
    }
}

fn sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| Error::Auth {
        message: "the credential is not a valid header value".to_owned(),
    })?;
    v.set_sensitive(true);
    Ok(v)
}

impl Auth {
    fn dynamic(label: &'static str, provider: impl AuthProvider) -> Self {
        Auth {
            scheme: Scheme::Dynamic(Arc::new(provider)),
            label,
        }
    }

    fn fixed(label: &'static str, credential: FixedCredential) -> Self {
        Auth {
            scheme: Scheme::Fixed(Arc::new(credential)),
            label,
        }
    }

    /// No authentication.
    pub fn none() -> Self {
        Auth {
            scheme: Scheme::None,
            label: "none",
        }
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<String>) -> Self {
        let token = SecretString::from(token.into());
        Auth::fixed(
            "bearer",
            FixedCredential::header(
                http::header::AUTHORIZATION.as_str(),
                SecretString::from(format!("Bearer {}", token.expose_secret())),
            ),
        )
    }

    /// `Authorization: Basic base64(user:password)`.
    pub fn basic(user: impl Into<String>, password: impl Into<String>) -> Self {
        let pair = SecretString::from(format!("{}:{}", user.into(), password.into()));
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair.expose_secret());
        Auth::fixed(
            "basic",
            FixedCredential::header(
                http::header::AUTHORIZATION.as_str(),
                SecretString::from(format!("Basic {encoded}")),
            ),
        )
    }

    /// An API key in a header (e.g. `x-api-key`).
    pub fn api_key_header(name: impl Into<String>, value: impl Into<String>) -> Self {
        Auth::fixed(
            "api key (header)",
            FixedCredential::header(&name.into(), SecretString::from(value.into())),
        )
    }

    /// An API key in the query string. Discouraged by most providers (URLs get logged);
    /// the runtime itself never logs URLs.
    pub fn api_key_query(name: impl Into<String>, value: impl Into<String>) -> Self {
        Auth::fixed(
            "api key (query)",
            FixedCredential::Query {
                name: name.into(),
                secret: SecretString::from(value.into()),
            },
        )
    }

    /// An API key in a cookie.
    pub fn api_key_cookie(name: impl Into<String>, value: impl Into<String>) -> Self {
        Auth::fixed(
            "api key (cookie)",
            FixedCredential::Cookie {
                name: name.into(),
                secret: SecretString::from(value.into()),
            },
        )
    }

    /// OAuth2 client credentials flow.
    pub fn oauth2_client_credentials(flow: OAuth2ClientCredentials) -> Self {
        Auth::dynamic(
            "oauth2 client credentials",
            OAuth2Provider::new(None, flow.common),
        )
    }

    /// OAuth2 refresh-token flow.
    pub fn oauth2_refresh_token(flow: OAuth2RefreshToken) -> Self {
        Auth::dynamic(
            "oauth2 refresh token",
            OAuth2Provider::new(Some(flow.refresh_token), flow.common),
        )
    }

    /// A custom provider.
    pub fn custom(provider: impl AuthProvider) -> Self {
        Auth::dynamic("custom", provider)
    }

    /// The step that applies these credentials to each attempt, if any.
    pub(crate) fn stage(&self) -> Option<Stage> {
        match &self.scheme {
            Scheme::None => None,
            Scheme::Fixed(credential) => Some(Stage::FixedAuth(Arc::clone(credential))),
            Scheme::Dynamic(provider) => Some(Stage::Auth(Arc::clone(provider))),
        }
    }

    /// A static header credential, which the client adds to its default headers.
    pub(crate) fn fixed_header(&self) -> Option<(&http::HeaderName, &HeaderValue)> {
        match &self.scheme {
            Scheme::Fixed(credential) => match &**credential {
                FixedCredential::Header(name, value) => Some((name, value)),
                _ => None,
            },
            Scheme::None | Scheme::Dynamic(_) => None,
        }
    }

    /// The name of the query parameter that carries the credential, for an API key in the
    /// query string.
    pub(crate) fn query_param(&self) -> Option<&str> {
        match &self.scheme {
            Scheme::Fixed(credential) => match &**credential {
                FixedCredential::Query { name, .. } => Some(name),
                _ => None,
            },
            Scheme::None | Scheme::Dynamic(_) => None,
        }
    }

    /// Called once when the client is built, with the HTTP client it uses.
    pub(crate) fn bind(&self, http: &reqwest::Client) {
        if let Scheme::Dynamic(provider) = &self.scheme {
            provider.bind(http);
        }
    }

    /// The provider, if a `401` may be answered by refreshing its credentials (OAuth2,
    /// custom providers). Static credentials cannot change, so the client need not keep
    /// the headers it sent for them.
    pub(crate) fn refreshable(&self) -> Option<&Arc<dyn AuthProvider>> {
        match &self.scheme {
            Scheme::Dynamic(provider) => Some(provider),
            Scheme::None | Scheme::Fixed(_) => None,
        }
    }
}

/// Credentials that never change, prepared once.
///
/// A header credential is formatted into its `HeaderValue` (marked sensitive, so that it
/// is never shown in `Debug` of a header map nor indexed by HTTP/2 header compression)
/// when the [`Auth`] is made, instead of on every attempt. The client puts it among its
/// default headers, so each attempt starts with it and [`FixedCredential::apply`] only
/// checks that no request header of the same name replaced it: credentials always win.
/// A credential that cannot be sent (an invalid header name or value) is kept as its
/// error and reported by every call, as before.
pub(crate) enum FixedCredential {
    Header(http::HeaderName, HeaderValue),
    Query { name: String, secret: SecretString },
    Cookie { name: String, secret: SecretString },
    Invalid(String),
}

impl FixedCredential {
    fn header(name: &str, value: SecretString) -> Self {
        let Ok(name) = http::HeaderName::from_bytes(name.as_bytes()) else {
            return FixedCredential::Invalid(format!("`{name}` is not a valid header name"));
        };
        match sensitive(value.expose_secret()) {
            Ok(value) => FixedCredential::Header(name, value),
            Err(_) => {
                FixedCredential::Invalid("the credential is not a valid header value".to_owned())
            }
        }
    }

    /// Add the credential to the final request of one attempt.
    pub(crate) fn apply(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        match self {
            FixedCredential::Header(name, value) => {
                if request.headers().get(name) != Some(value) {
                    request.headers_mut().insert(name.clone(), value.clone());
                }
            }
            FixedCredential::Query { name, secret } => {
                request
                    .url_mut()
                    .query_pairs_mut()
                    .append_pair(name, secret.expose_secret());
            }
            FixedCredential::Cookie { name, secret } => {
                let pair = format!("{name}={}", secret.expose_secret());
                let combined = match request
                    .headers()
                    .get(http::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                {
                    Some(existing) if !existing.is_empty() => format!("{existing}; {pair}"),
                    _ => pair,
                };
                let value = sensitive(&combined)?;
                request.headers_mut().insert(http::header::COOKIE, value);
            }
            FixedCredential::Invalid(message) => {
                return Err(Error::Auth {
                    message: message.clone(),
                });
            }
        }
        Ok(())
    }
}

/// Settings shared by the OAuth2 flows.
#[derive(Clone)]
struct OAuth2Common {
    token_url: String,
    client_id: String,
    client_secret: Option<SecretString>,
    scopes: Vec<String>,
    extra: Vec<(String, String)>,
    refresh_margin: Duration,
    credentials_in_body: bool,
}

impl OAuth2Common {
    fn new(token_url: String, client_id: String, client_secret: Option<SecretString>) -> Self {
        OAuth2Common {
            token_url,
            client_id,
            client_secret,
            scopes: Vec::new(),
            extra: Vec::new(),
            refresh_margin: Duration::from_secs(300),
            credentials_in_body: false,
        }
    }
}

/// OAuth2 client credentials flow (RFC 6749 §4.4).
#[derive(Clone)]
pub struct OAuth2ClientCredentials {
    common: OAuth2Common,
}

impl fmt::Debug for OAuth2ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2ClientCredentials")
            .field("token_url", &self.common.token_url)
            .field("client_id", &self.common.client_id)
            .field("scopes", &self.common.scopes)
            .finish_non_exhaustive()
    }
}

macro_rules! common_setters {
    ($ty:ty) => {
        impl $ty {
            /// Add a requested scope (sent space-separated).
            pub fn scope(mut self, scope: impl Into<String>) -> Self {
                self.common.scopes.push(scope.into());
                self
            }

            /// An extra form parameter for the token request (e.g. `audience`).
            pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.common.extra.push((name.into(), value.into()));
                self
            }

            /// Refresh this long before the token expires (default 5 minutes; never more
            /// than half of the token's lifetime).
            pub fn refresh_margin(mut self, margin: Duration) -> Self {
                self.common.refresh_margin = margin;
                self
            }

            /// Send the client id and secret in the form body instead of HTTP basic auth.
            pub fn credentials_in_body(mut self) -> Self {
                self.common.credentials_in_body = true;
                self
            }
        }
    };
}

impl OAuth2ClientCredentials {
    /// A flow against `token_url` with these client credentials.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        OAuth2ClientCredentials {
            common: OAuth2Common::new(
                token_url.into(),
                client_id.into(),
                Some(SecretString::from(client_secret.into())),
            ),
        }
    }
}
common_setters!(OAuth2ClientCredentials);

/// OAuth2 refresh-token flow (RFC 6749 §6). A rotated refresh token returned by the
/// provider replaces the old one.
#[derive(Clone)]
pub struct OAuth2RefreshToken {
    common: OAuth2Common,
    refresh_token: SecretString,
}

impl fmt::Debug for OAuth2RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2RefreshToken")
            .field("token_url", &self.common.token_url)
            .field("client_id", &self.common.client_id)
            .finish_non_exhaustive()
    }
}

impl OAuth2RefreshToken {
    /// A flow exchanging `refresh_token` at `token_url`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        OAuth2RefreshToken {
            common: OAuth2Common::new(token_url.into(), client_id.into(), None),
            refresh_token: SecretString::from(refresh_token.into()),
        }
    }

    /// The client secret, for confidential clients.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.common.client_secret = Some(SecretString::from(secret.into()));
        self
    }
}
common_setters!(OAuth2RefreshToken);

struct CachedToken {
    access: SecretString,
    refresh_at: Option<Instant>,
}

struct OAuth2Provider {
    common: OAuth2Common,
    refresh_token: Option<RwLock<SecretString>>,
    current: RwLock<Option<Arc<CachedToken>>>,
    refreshing: tokio::sync::Mutex<()>,
    http: OnceLock<reqwest::Client>,
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl OAuth2Provider {
    /// `refresh_token` selects the grant: `None` is client credentials.
    fn new(refresh_token: Option<SecretString>, common: OAuth2Common) -> Self {
        OAuth2Provider {
            common,
            refresh_token: refresh_token.map(RwLock::new),
            current: RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
            http: OnceLock::new(),
        }
    }

    fn valid_token(&self) -> Option<Arc<CachedToken>> {
        let guard = self.current.read().ok()?;
        let token = guard.as_ref()?;
        match token.refresh_at {
            Some(at) if Instant::now() >= at => None,
            _ => Some(Arc::clone(token)),
        }
    }

    async fn token(&self) -> Result<Arc<CachedToken>, Error> {
        if let Some(token) = self.valid_token() {
            return Ok(token);
        }
        // Single flight: one caller refreshes, the others wait here and then find the new token.
        let _guard = self.refreshing.lock().await;
        if let Some(token) = self.valid_token() {
            return Ok(token);
        }
        let token = Arc::new(self.fetch().await?);
        if let Ok(mut current) = self.current.write() {
            *current = Some(Arc::clone(&token));
        }
        Ok(token)
    }

    fn token_form(&self, use_basic: bool) -> String {
        let c = &self.common;
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        match &self.refresh_token {
            None => {
                form.append_pair("grant_type", "client_credentials");
            }
            Some(refresh) => {
                form.append_pair("grant_type", "refresh_token");
                let token = refresh
                    .read()
                    .map(|t| t.expose_secret().to_owned())
                    .unwrap_or_default();
                form.append_pair("refresh_token", &token);
            }
        }
        if !c.scopes.is_empty() {
            form.append_pair("scope", &c.scopes.join(" "));
        }
        for (k, v) in &c.extra {
            form.append_pair(k, v);
        }
        if !use_basic {
            form.append_pair("client_id", &c.client_id);
            if let Some(secret) = &c.client_secret {
                form.append_pair("client_secret", secret.expose_secret());
            }
        }
        form.finish()
    }

    async fn fetch(&self) -> Result<CachedToken, Error> {
        let c = &self.common;
        let use_basic = !c.credentials_in_body && c.client_secret.is_some();
        let form = self.token_form(use_basic);
        let http = self.http.get_or_init(reqwest::Client::new);
        let mut builder = http
            .post(&c.token_url)
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(http::header::ACCEPT, "application/json")
            .body(form);
        if use_basic {
            let pair = format!(
                "{}:{}",
                c.client_id,
                c.client_secret
                    .as_ref()
                    .map(|s| s.expose_secret())
                    .unwrap_or_default()
            );
            let value = sensitive(&format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            ))?;
            builder = builder.header(http::header::AUTHORIZATION, value);
        }
        tracing::debug!("oauth2: requesting a new access token");
        let response = builder.send().await.map_err(|e| Error::Auth {
            message: format!(
                "the token endpoint could not be reached: {}",
                e.without_url()
            ),
        })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| Error::Auth {
            message: format!("the token response could not be read: {}", e.without_url()),
        })?;
        if !status.is_success() {
            // Only the standard error fields: the body could echo a credential.
            let detail = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .map(|v| {
                    [v.get("error"), v.get("error_description")]
                        .into_iter()
                        .flatten()
                        .filter_map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(": ")
                })
                .unwrap_or_default();
            return Err(Error::Auth {
                message: format!("the token endpoint answered {status} {detail}")
                    .trim_end()
                    .to_owned(),
            });
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| Error::Auth {
            message: format!("the token response is not valid: {e}"),
        })?;
        let lifetime = parsed
            .expires_in
            .as_ref()
            .and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(Duration::from_secs_f64);
        let refresh_at = lifetime.map(|lifetime| {
            let margin = c.refresh_margin.min(lifetime / 2);
            Instant::now() + (lifetime - margin)
        });
        if let (Some(new), Some(slot)) = (parsed.refresh_token, &self.refresh_token) {
            if let Ok(mut current) = slot.write() {
                *current = SecretString::from(new);
            }
        }
        Ok(CachedToken {
            access: SecretString::from(parsed.access_token),
            refresh_at,
        })
    }
}

impl AuthProvider for OAuth2Provider {
    fn apply<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let token = self.token().await?;
            let value = sensitive(&format!("Bearer {}", token.access.expose_secret()))?;
            request
                .headers_mut()
                .insert(http::header::AUTHORIZATION, value);
            Ok(())
        })
    }

    fn on_unauthorized<'a>(
        &'a self,
        sent_headers: &'a http::HeaderMap,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        let used = sent_headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Ok(mut current) = self.current.write() {
            // Drop the token only if it is the one that was rejected; a concurrent caller
            // may already have replaced it.
            if current
                .as_ref()
                .is_some_and(|t| Some(t.access.expose_secret()) == used)
            {
                *current = None;
            }
        }
        Box::pin(std::future::ready(Ok(true)))
    }

    fn bind(&self, http: &reqwest::Client) {
        let _ = self.http.set(http.clone());
    }
}
