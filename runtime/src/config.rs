//! What a generated crate knows about its provider, as data.
//!
//! The generator emits one [`ProviderConfig`] expression per crate, built with chained
//! methods. Everything the send loop needs to treat the provider correctly — where it
//! lives, how it names request ids, how it shapes errors, how it signals retries and rate
//! limits — is read from here, so that behaviour stays in the runtime.

use crate::error::ErrorShape;
use crate::ratelimit::RateLimit;

/// Provider behaviour, built by generated code.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub(crate) name: &'static str,
    pub(crate) default_base_url: Option<&'static str>,
    pub(crate) server_variables: Vec<(&'static str, &'static str)>,
    pub(crate) user_agent: Option<(&'static str, &'static str)>,
    pub(crate) request_id_header: Option<&'static str>,
    pub(crate) error_shape: ErrorShape,
    pub(crate) idempotency_header: Option<&'static str>,
    pub(crate) retry_signal_header: Option<&'static str>,
    pub(crate) version_header: Option<(&'static str, &'static str)>,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) rate_limit_headers: Option<RateLimitHeaders>,
    pub(crate) attempt_header: Option<&'static str>,
    pub(crate) ok_flag: Option<&'static str>,
}

impl ProviderConfig {
    /// A provider called `name` (used in the user agent, tracing and errors).
    pub fn new(name: &'static str) -> Self {
        ProviderConfig {
            name,
            default_base_url: None,
            server_variables: Vec::new(),
            user_agent: None,
            request_id_header: None,
            error_shape: ErrorShape::default(),
            idempotency_header: None,
            retry_signal_header: None,
            version_header: None,
            rate_limit: None,
            rate_limit_headers: None,
            attempt_header: None,
            ok_flag: None,
        }
    }

    /// The provider's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The base URL used unless the client builder overrides it. It may contain
    /// `{variable}` placeholders (OpenAPI server variables), filled from
    /// [`ProviderConfig::server_variable`] defaults or `ClientBuilder::server_variable`.
    pub fn default_base_url(mut self, url: &'static str) -> Self {
        self.default_base_url = Some(url);
        self
    }

    /// The default value of a server variable in the base URL.
    pub fn server_variable(mut self, name: &'static str, default: &'static str) -> Self {
        self.server_variables.push((name, default));
        self
    }

    /// The user agent: `<crate>/<version> sdkgen-runtime/<runtime version>`.
    pub fn user_agent(mut self, crate_name: &'static str, crate_version: &'static str) -> Self {
        self.user_agent = Some((crate_name, crate_version));
        self
    }

    /// The response header carrying the provider's request id (e.g. `request-id`, `x-request-id`).
    pub fn request_id_header(mut self, name: &'static str) -> Self {
        self.request_id_header = Some(name);
        self
    }

    /// Where the provider puts code and message in error bodies.
    pub fn error_shape(mut self, shape: ErrorShape) -> Self {
        self.error_shape = shape;
        self
    }

    /// The header carrying an idempotency key. When set, every non-idempotent request
    /// (e.g. `POST`) gets a UUID v4 key, reused unchanged on each retry, which makes it
    /// safe to retry.
    pub fn idempotency_header(mut self, name: &'static str) -> Self {
        self.idempotency_header = Some(name);
        self
    }

    /// A response header whose value `true`/`false` overrides the retry classification
    /// (Stripe's `Stripe-Should-Retry`, OpenAI's `x-should-retry`).
    pub fn retry_signal_header(mut self, name: &'static str) -> Self {
        self.retry_signal_header = Some(name);
        self
    }

    /// An API version header sent with every request (e.g. `Stripe-Version`).
    pub fn version_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.version_header = Some((name, value));
        self
    }

    /// The provider's documented rate limit, applied proactively unless the client overrides it.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// The headers in which the provider reports its rate-limit state.
    pub fn rate_limit_headers(mut self, headers: RateLimitHeaders) -> Self {
        self.rate_limit_headers = Some(headers);
        self
    }

    /// A request header that carries the attempt number (1 for the first attempt).
    pub fn attempt_header(mut self, name: &'static str) -> Self {
        self.attempt_header = Some(name);
        self
    }

    /// A JSON pointer to a boolean by which the provider reports failure inside a success
    /// response (Slack: `/ok`, in `{"ok": false, "error": "channel_not_found"}` sent with
    /// status 200).
    ///
    /// When a 2xx response has a JSON body whose value at `pointer` is `false`, the call
    /// fails with [`Error::Api`](crate::Error::Api) exactly as for a non-2xx status: the
    /// status (200) is kept, the code and message are read with the provider's
    /// [`ErrorShape`], and the request id, headers and raw body are kept. It is not retried,
    /// unless the [`retry_signal_header`](Self::retry_signal_header) says to, and it has no
    /// typed error body (the operation documents none for a 2xx status). A missing flag,
    /// a flag that is not a boolean, or a body that is not JSON leaves the response a
    /// success.
    ///
    /// This applies to every call, to every page of a paginated listing (a flagged page is
    /// an `Err` item that ends the stream) and to streaming calls whose success response is
    /// JSON (which is then read whole to check the flag; event streams and other content
    /// types are streamed unchecked).
    pub fn ok_flag(mut self, pointer: &'static str) -> Self {
        self.ok_flag = Some(pointer);
        self
    }
}

/// The response headers in which a provider reports its rate-limit state.
///
/// GitHub: `RateLimitHeaders { limit: "x-ratelimit-limit", remaining: "x-ratelimit-remaining",
/// reset: "x-ratelimit-reset", reset_kind: ResetKind::EpochSeconds }`. An empty string means
/// the provider has no such header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// The header with the total allowance of the window (informational).
    pub limit: &'static str,
    /// The header with the requests left in the window; `0` pauses every caller until reset.
    pub remaining: &'static str,
    /// The header telling when the window resets.
    pub reset: &'static str,
    /// How to read the reset header.
    pub reset_kind: ResetKind,
}

/// How a reset header is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResetKind {
    /// Unix time in seconds when the window resets (GitHub).
    EpochSeconds,
    /// Seconds (possibly fractional) until the window resets.
    DelaySeconds,
    /// Milliseconds until the window resets.
    DelayMillis,
    /// A Go-style duration until reset, such as `1s`, `6m0s` or `20ms` (OpenAI).
    Duration,
}
