//! Authentication.
//!
//! Every scheme is an [`AuthProvider`]: an async hook that adds credentials to the final
//! request of each attempt. Built-in schemes cover bearer tokens, basic auth, API keys in a
//! header, query parameter or cookie, and OAuth2 client-credentials and refresh-token flows.
//! A custom provider can sign requests (HMAC) or fetch credentials from anywhere.
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
    provider: Option<Arc<dyn AuthProvider>>,
    label: &'static str,
    /// Whether a `401` may be answered with fresh credentials (OAuth2, custom providers).
    /// Static credentials cannot change, so the client skips keeping the sent headers.
    may_refresh: bool,
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

fn header_name(name: &str) -> Result<http::HeaderName, Error> {
    http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::Auth {
        message: format!("`{name}` is not a valid header name"),
    })
}

impl Auth {
    fn new(label: &'static str, provider: impl AuthProvider) -> Self {
        Auth {
            provider: Some(Arc::new(provider)),
            label,
            may_refresh: true,
        }
    }

    fn fixed(label: &'static str, provider: impl AuthProvider) -> Self {
        Auth {
            may_refresh: false,
            ..Auth::new(label, provider)
        }
    }

    /// No authentication.
    pub fn none() -> Self {
        Auth {
            provider: None,
            label: "none",
            may_refresh: false,
        }
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<String>) -> Self {
        Auth::fixed(
            "bearer",
            StaticHeader {
                name: http::header::AUTHORIZATION.as_str().to_owned(),
                prefix: "Bearer ",
                secret: SecretString::from(token.into()),
            },
        )
    }

    /// `Authorization: Basic base64(user:password)`.
    pub fn basic(user: impl Into<String>, password: impl Into<String>) -> Self {
        let password: String = password.into();
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{password}", user.into()));
        Auth::fixed(
            "basic",
            StaticHeader {
                name: http::header::AUTHORIZATION.as_str().to_owned(),
                prefix: "Basic ",
                secret: SecretString::from(encoded),
            },
        )
    }

    /// An API key in a header (e.g. `x-api-key`).
    pub fn api_key_header(name: impl Into<String>, value: impl Into<String>) -> Self {
        Auth::fixed(
            "api key (header)",
            StaticHeader {
                name: name.into(),
                prefix: "",
                secret: SecretString::from(value.into()),
            },
        )
    }

    /// An API key in the query string. Discouraged by most providers (URLs get logged);
    /// the runtime itself never logs URLs.
    pub fn api_key_query(name: impl Into<String>, value: impl Into<String>) -> Self {
        Auth::fixed(
            "api key (query)",
            QueryKey {
                name: name.into(),
                secret: SecretString::from(value.into()),
            },
        )
    }

    /// An API key in a cookie.
    pub fn api_key_cookie(name: impl Into<String>, value: impl Into<String>) -> Self {
        Auth::fixed(
            "api key (cookie)",
            CookieKey {
                name: name.into(),
                secret: SecretString::from(value.into()),
            },
        )
    }

    /// OAuth2 client credentials flow.
    pub fn oauth2_client_credentials(flow: OAuth2ClientCredentials) -> Self {
        Auth::new(
            "oauth2 client credentials",
            OAuth2Provider::new(None, flow.common),
        )
    }

    /// OAuth2 refresh-token flow.
    pub fn oauth2_refresh_token(flow: OAuth2RefreshToken) -> Self {
        Auth::new(
            "oauth2 refresh token",
            OAuth2Provider::new(Some(flow.refresh_token), flow.common),
        )
    }

    /// A custom provider.
    pub fn custom(provider: impl AuthProvider) -> Self {
        Auth::new("custom", provider)
    }

    pub(crate) fn provider(&self) -> Option<&Arc<dyn AuthProvider>> {
        self.provider.as_ref()
    }

    /// The provider, if a `401` may be answered by refreshing its credentials.
    pub(crate) fn refreshable(&self) -> Option<&Arc<dyn AuthProvider>> {
        self.provider.as_ref().filter(|_| self.may_refresh)
    }
}

struct StaticHeader {
    name: String,
    prefix: &'static str,
    secret: SecretString,
}

impl AuthProvider for StaticHeader {
    fn apply<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<(), Error>> {
        let result = header_name(&self.name).and_then(|name| {
            let value = sensitive(&format!("{}{}", self.prefix, self.secret.expose_secret()))?;
            request.headers_mut().insert(name, value);
            Ok(())
        });
        Box::pin(std::future::ready(result))
    }
}

struct QueryKey {
    name: String,
    secret: SecretString,
}

impl AuthProvider for QueryKey {
    fn apply<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<(), Error>> {
        request
            .url_mut()
            .query_pairs_mut()
            .append_pair(&self.name, self.secret.expose_secret());
        Box::pin(std::future::ready(Ok(())))
    }
}

struct CookieKey {
    name: String,
    secret: SecretString,
}

impl AuthProvider for CookieKey {
    fn apply<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<(), Error>> {
        let pair = format!("{}={}", self.name, self.secret.expose_secret());
        let combined = match request
            .headers()
            .get(http::header::COOKIE)
            .and_then(|v| v.to_str().ok())
        {
            Some(existing) if !existing.is_empty() => format!("{existing}; {pair}"),
            _ => pair,
        };
        let result = sensitive(&combined).map(|v| {
            request.headers_mut().insert(http::header::COOKIE, v);
        });
        Box::pin(std::future::ready(result))
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
