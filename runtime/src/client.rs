//! The client and its send loop.
//!
//! [`Client`] is an `Arc` around immutable settings and shared state (rate limiter, retry
//! budget, circuit breaker, adaptive pause, auth caches), so clones are cheap and share
//! every brake. [`ClientBuilder`] collects settings and validates them all in
//! [`ClientBuilder::build`].
//!
//! One call runs this loop: check the circuit breaker, wait out any adaptive pause, take a
//! rate-limiter token and a concurrency permit, build the attempt's request (base URL,
//! default headers, user agent, idempotency key, attempt header), let auth and the
//! interceptors finish it, send it with the per-attempt timeout, read the body, classify
//! the outcome (including the provider's ok flag in a success body), and either return,
//! replay once after a `401` with refreshed credentials, or sleep and retry as the policy
//! and budget allow. The whole loop runs under the total timeout and inside one tracing
//! span.
//!
//! Everything a call repeats is prepared once, at `build()`: the default headers (with a
//! static credential already formatted), header names from the provider configuration,
//! and the pipeline of auth, interceptors and tracing. Each attempt then clones, rather
//! than parses or formats, and the loop's future is boxed once per call so that it is
//! never copied as it is passed around. The runtime's cost per call is measured against
//! raw reqwest by `benches/overhead.rs`.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::{FutureExt as _, StreamExt as _};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use tokio::time::Instant;
use tracing::Instrument as _;
use tracing::instrument::Instrumented;

use crate::auth::Auth;
use crate::body::TimedBody;
use crate::config::ProviderConfig;
use crate::deadline::{Deadlines, Elapsed};
use crate::encoding;
use crate::error::{ApiError, Error, TimeoutKind};
use crate::interceptor::{AttemptContext, AttemptOutcome, Interceptor, Stage};
use crate::ratelimit::{
    AdaptivePause, Breaker, CircuitBreaker, Limiter, RateLimit, RateLimiter, TokenBucket,
};
use crate::request::{Body, Request};
use crate::response::{RawResponse, StreamingResponse};
use crate::retry::{self, Outcome, RetryBudget, RetryClass, RetryPolicy};

const RUNTIME_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The most of an error (non-2xx) body that is read: enough for any provider's error
/// document, and a bound on what an endless one costs.
const MAX_ERROR_BODY: usize = 1024 * 1024;

thread_local! {
    /// Scratch space for the text of each request URL or path (see `Client::request_url`),
    /// since `Url` copies what it keeps.
    static URL_TEXT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The header a caller's idempotency key is sent in when the provider names none
/// (draft-ietf-httpapi-idempotency-key-header).
const DEFAULT_IDEMPOTENCY_HEADER: HeaderName = HeaderName::from_static("idempotency-key");

/// An API client. Cheap to clone; clones share limiters, budgets and token caches.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ProviderConfig,
    http: reqwest::Client,
    base_url: String,
    /// Whether the caller chose the base URL; if so it also replaces operations' own servers
    /// (a mock server or proxy then receives every call).
    base_url_chosen: bool,
    /// The base URL, parsed once: each request URL starts from a clone of it.
    base: url::Url,
    /// The base URL's path without its trailing `/` (empty for `https://host/`).
    base_path: String,
    /// Every header sent with every request (user agent, `accept`, version header, the
    /// builder's headers), built once so that each attempt starts from a clone.
    default_headers: HeaderMap,
    names: HeaderNames,
    auth: Auth,
    retry: RetryPolicy,
    budget: RetryBudget,
    limiter: Option<Limiter>,
    adaptive: AdaptivePause,
    concurrency: Option<Arc<tokio::sync::Semaphore>>,
    breaker: Option<Breaker>,
    attempt_timeout: Option<Duration>,
    /// The connect timeout of the built-in HTTP client (unknown for a user's client).
    connect_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    /// The read timeout the builder was given; `None` means the attempt timeout's.
    read_timeout: Option<Duration>,
    /// Built-in authentication first, then the user's interceptors, then tracing: one
    /// pipeline for everything that touches an attempt.
    pipeline: Vec<Stage>,
    /// The one timer behind every attempt and total timeout (shared by clones).
    deadlines: Deadlines,
    /// Origins besides the base URL's that links taken from responses may lead to.
    allowed_origins: Vec<url::Origin>,
}

/// Header names from the provider configuration, parsed once at `build()` rather than
/// on every attempt.
struct HeaderNames {
    request_id: HeaderName,
    idempotency: Option<HeaderName>,
    attempt: Option<HeaderName>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("provider", &i.config.name)
            .field("base_url", &i.base_url)
            .field("auth", &i.auth)
            .field("retry", &i.retry)
            .field("rate_limited", &i.limiter.is_some())
            .field("attempt_timeout", &i.attempt_timeout)
            .field("total_timeout", &i.total_timeout)
            .field("read_timeout", &i.read_timeout.or(i.attempt_timeout))
            .finish_non_exhaustive()
    }
}

enum LimitSetting {
    ProviderDefault,
    Custom(RateLimit),
    Limiter(Arc<dyn RateLimiter>),
    Off,
}

/// Builds a [`Client`] — or, for generated crates, their own client type `C` that wraps one.
#[must_use]
pub struct ClientBuilder<C = Client> {
    config: ProviderConfig,
    base_url: Option<String>,
    server_variables: Vec<(String, String)>,
    auth: Auth,
    headers: Vec<(String, String)>,
    attempt_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    /// `None`: the same as the attempt timeout.
    read_timeout: Option<Duration>,
    retry: RetryPolicy,
    budget: Option<RetryBudget>,
    limit: LimitSetting,
    concurrency: Option<usize>,
    breaker: Option<CircuitBreaker>,
    http: Option<reqwest::Client>,
    interceptors: Vec<Arc<dyn Interceptor>>,
    allowed_origins: Vec<String>,
    _client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("provider", &self.config.name)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a plain [`Client`].
    pub fn builder(config: ProviderConfig) -> ClientBuilder<Client> {
        ClientBuilder::new(config)
    }

    /// The provider configuration.
    pub fn config(&self) -> &ProviderConfig {
        &self.inner.config
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder with the provider's defaults: 2 retries with backoff, the provider's rate
    /// limit, a 10 s connect timeout, and a 60 s per-attempt timeout which is also the read
    /// timeout.
    pub fn new(config: ProviderConfig) -> Self {
        ClientBuilder {
            config,
            base_url: None,
            server_variables: Vec::new(),
            auth: Auth::none(),
            headers: Vec::new(),
            attempt_timeout: Some(Duration::from_secs(60)),
            connect_timeout: Some(Duration::from_secs(10)),
            total_timeout: None,
            read_timeout: None,
            retry: RetryPolicy::default(),
            budget: None,
            limit: LimitSetting::ProviderDefault,
            concurrency: None,
            breaker: None,
            http: None,
            interceptors: Vec::new(),
            allowed_origins: Vec::new(),
            _client: PhantomData,
        }
    }

    /// Override the base URL (e.g. a mock server or a regional endpoint). It may have a
    /// path (`https://api.openai.com/v1`) and `{variable}` placeholders.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Set a server variable used in the base URL (`{region}`).
    pub fn server_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.server_variables.push((name.into(), value.into()));
        self
    }

    /// How requests authenticate.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// A header sent with every request. Invalid names or values are reported by `build`.
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.headers
            .push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// The per-attempt timeout: the request sent and the response read, its body too
    /// unless the call streams it. Default 60 s.
    ///
    /// A streamed body (server-sent events, downloads) outlives the attempt: it is bounded
    /// by the [read timeout](Self::read_timeout) between chunks and by the
    /// [total timeout](Self::total_timeout), if any, as a whole.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.attempt_timeout = Some(d);
        self
    }

    /// The connect timeout of the built-in HTTP client. Default 10 s.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// A limit on a whole call, retries and waits included, and on the whole of a streamed
    /// body. Default none.
    ///
    /// A provider-requested wait (`Retry-After`, a spent rate-limit window) that would end
    /// after it fails the call at once with [`Error::RateLimited`] and the wait.
    pub fn total_timeout(mut self, d: Duration) -> Self {
        self.total_timeout = Some(d);
        self
    }

    /// The read (idle) timeout: the longest time without a byte of the response body, while
    /// a body is read whole and between two chunks of a streamed body. It fails the call,
    /// or ends the stream, with [`Error::Timeout`] of kind [`TimeoutKind::Read`].
    ///
    /// Default: the same as the attempt timeout (60 s unless [`timeout`](Self::timeout)
    /// changed it). A buffered body is then bounded as before, since the attempt timeout
    /// already covered it, while a stream whose server has gone silent ends instead of
    /// hanging. A stream that is quiet for long on purpose (a log tail with rare events)
    /// needs a longer one; [`RequestOptions::read_timeout`] sets it for one call.
    ///
    /// The wait for the response headers is bounded by the attempt timeout, not this one,
    /// since it includes sending the request body.
    ///
    /// [`RequestOptions::read_timeout`]: crate::RequestOptions::read_timeout
    pub fn read_timeout(mut self, d: Duration) -> Self {
        self.read_timeout = Some(d);
        self
    }

    /// Remove every timeout (tests on paused time; callers with their own deadlines).
    pub fn no_timeouts(mut self) -> Self {
        self.attempt_timeout = None;
        self.connect_timeout = None;
        self.total_timeout = None;
        self.read_timeout = None;
        self
    }

    /// The retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The retry budget shared by clones (default: 20% of calls plus a reserve of 10).
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Override the provider's proactive rate limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.limit = LimitSetting::Custom(limit);
        self
    }

    /// Use a custom proactive limiter.
    pub fn rate_limiter(mut self, limiter: impl RateLimiter) -> Self {
        self.limit = LimitSetting::Limiter(Arc::new(limiter));
        self
    }

    /// No proactive rate limit (the adaptive pause from headers still applies).
    pub fn no_rate_limit(mut self) -> Self {
        self.limit = LimitSetting::Off;
        self
    }

    /// At most `n` attempts in flight at once across clones.
    pub fn concurrency_limit(mut self, n: usize) -> Self {
        self.concurrency = Some(n);
        self
    }

    /// Enable a circuit breaker (off by default).
    pub fn circuit_breaker(mut self, breaker: CircuitBreaker) -> Self {
        self.breaker = Some(breaker);
        self
    }

    /// Use an existing `reqwest::Client` (its own timeouts, proxy, TLS and redirect policy
    /// apply; the connect timeout setting is ignored).
    ///
    /// reqwest's default redirect policy drops `Authorization` and `Cookie` on a redirect
    /// to another host but keeps other headers, such as an API key in `x-api-key`. Build
    /// the client with [`same_origin_redirects`] (as the built-in client is) or
    /// `redirect::Policy::none()` to keep every credential on its host.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Add an interceptor; they run after authentication, in order.
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Let next-page links lead to `origin` (`https://api.github.com`), with this client's
    /// credentials. Only its scheme, host and port count; an invalid URL is reported by
    /// `build`.
    ///
    /// A URL taken from a response (a `Link` header, a next-page URL in a body) is followed
    /// only within the origins the credentials were configured for: the base URL's, and an
    /// operation's own server when it has one. A link to any other origin ends the listing
    /// with [`PaginationError::CrossOrigin`](crate::PaginationError::CrossOrigin) and is
    /// not requested, so that a response cannot send the credentials to another host. Allow
    /// an origin only when it belongs to the same service and may receive them.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push(origin.into());
        self
    }

    /// Validate every setting and build the client.
    pub fn build(self) -> Result<C, Error> {
        let build_err = |message: String| Error::Build { message };
        let base_url_chosen = self.base_url.is_some();
        let template = match (&self.base_url, self.config.default_base_url) {
            (Some(url), _) => url.clone(),
            (None, Some(url)) => url.to_owned(),
            (None, None) => {
                return Err(build_err(format!(
                    "no base URL: {} has no default server, so call .base_url(..)",
                    self.config.name
                )));
            }
        };
        let base_url = substitute_variables(
            &template,
            &self.server_variables,
            &self.config.server_variables,
        )
        .map_err(build_err)?;
        let parsed = url::Url::parse(&base_url)
            .map_err(|e| build_err(format!("invalid base URL `{base_url}`: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.cannot_be_a_base() {
            return Err(build_err(format!(
                "the base URL `{base_url}` is not an http(s) URL"
            )));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(build_err(format!(
                "the base URL `{base_url}` must not have a query or fragment"
            )));
        }
        let base_url = parsed.as_str().trim_end_matches('/').to_owned();
        let base_path = parsed.path().trim_end_matches('/').to_owned();

        let default_headers = self.default_headers().map_err(build_err)?;
        let names = HeaderNames::new(&self.config).map_err(build_err)?;
        let allowed_origins = self
            .allowed_origins
            .iter()
            .map(|origin| match url::Url::parse(origin) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url.origin()),
                // The value is not repeated: a URL given by mistake might hold a password.
                Ok(_) => Err(build_err(
                    "an origin given to `allow_origin` is not an http(s) URL".to_owned(),
                )),
                Err(e) => Err(build_err(format!(
                    "an origin given to `allow_origin` is not a valid URL: {e}"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;

        let retry = self.retry;
        if retry.initial_backoff > retry.max_backoff {
            return Err(build_err(
                "the initial backoff is longer than the maximum backoff".to_owned(),
            ));
        }
        for (what, d) in [
            ("timeout", self.attempt_timeout),
            ("connect timeout", self.connect_timeout),
            ("total timeout", self.total_timeout),
            ("read timeout", self.read_timeout),
        ] {
            if d == Some(Duration::ZERO) {
                return Err(build_err(format!("the {what} must be longer than zero")));
            }
        }

        let limiter = match self.limit {
            LimitSetting::ProviderDefault => self
                .config
                .rate_limit
                .map(|l| validate_limit(l).map(bucket))
                .transpose()?,
            LimitSetting::Custom(l) => Some(bucket(validate_limit(l)?)),
            LimitSetting::Limiter(l) => Some(Limiter::Custom(l)),
            LimitSetting::Off => None,
        };
        let concurrency = match self.concurrency {
            Some(0) => {
                return Err(build_err(
                    "the concurrency limit must be at least 1".to_owned(),
                ));
            }
            Some(n) => Some(Arc::new(tokio::sync::Semaphore::new(n))),
            None => None,
        };

        let own_client = self.http.is_none();
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut b = reqwest::Client::builder().redirect(same_origin_redirects());
                if let Some(d) = self.connect_timeout {
                    b = b.connect_timeout(d);
                }
                b.build()
                    .map_err(|e| build_err(format!("the HTTP client could not be built: {e}")))?
            }
        };
        self.auth.bind(&http);
        let mut pipeline: Vec<Stage> = self.auth.stage().into_iter().collect();
        pipeline.extend(self.interceptors.into_iter().map(Stage::User));
        pipeline.push(Stage::Tracing);

        let client = Client {
            inner: Arc::new(Inner {
                config: self.config,
                http,
                base_url,
                base_url_chosen,
                base: parsed,
                base_path,
                default_headers,
                names,
                auth: self.auth,
                retry,
                budget: self.budget.unwrap_or_default(),
                limiter,
                adaptive: AdaptivePause::default(),
                concurrency,
                breaker: self.breaker.map(Breaker::new),
                attempt_timeout: self.attempt_timeout,
                connect_timeout: if own_client {
                    self.connect_timeout
                } else {
                    None
                },
                total_timeout: self.total_timeout,
                read_timeout: self.read_timeout,
                pipeline,
                deadlines: Deadlines::default(),
                allowed_origins,
            }),
        };
        Ok(C::from(client))
    }
}

impl<C> ClientBuilder<C> {
    /// The headers every request starts with, in the order they are sent: user agent,
    /// version header, the builder's headers and a static credential. `Accept` is added per
    /// request (see `attempt_headers`), since it depends on the operation.
    fn default_headers(&self) -> Result<HeaderMap, String> {
        let mut headers = HeaderMap::new();
        let ua = match self.config.user_agent {
            Some((name, version)) => format!("{name}/{version} sdkgen-runtime/{RUNTIME_VERSION}"),
            None => format!("sdkgen-runtime/{RUNTIME_VERSION}"),
        };
        insert_header(&mut headers, "user-agent", &ua)?;
        if let Some((name, value)) = self.config.version_header {
            insert_header(&mut headers, name, value)?;
        }
        for (name, value) in &self.headers {
            insert_header(&mut headers, name, value)?;
        }
        if let Some((name, value)) = self.auth.fixed_header() {
            // Each attempt starts from a clone of these, so a static credential costs no
            // insertion per attempt; the auth step still makes sure it is the one sent.
            headers.insert(name.clone(), value.clone());
        }
        Ok(headers)
    }
}

fn validate_limit(limit: RateLimit) -> Result<RateLimit, Error> {
    if limit.is_valid() {
        Ok(limit)
    } else {
        Err(Error::Build {
            message: "a rate limit must allow more than zero requests".to_owned(),
        })
    }
}

fn bucket(limit: RateLimit) -> Limiter {
    Limiter::Bucket(TokenBucket::new(limit))
}

impl HeaderNames {
    fn new(config: &ProviderConfig) -> Result<HeaderNames, String> {
        let parse = |name: &str| {
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("`{name}` is not a valid header name"))
        };
        if let Some(name) = config.retry_signal_header {
            parse(name)?;
        }
        Ok(HeaderNames {
            request_id: parse(config.request_id_header.unwrap_or("x-request-id"))?,
            idempotency: config.idempotency_header.map(parse).transpose()?,
            attempt: config.attempt_header.map(parse).transpose()?,
        })
    }
}

/// A redirect policy that follows redirects only within the same origin (at most 10), so
/// that credentials in any header (not just `Authorization`, which reqwest strips) never
/// reach another host. A cross-origin redirect is returned to the caller as an API error
/// with its `Location`; an 11th redirect in a row (a loop) is [`Error::Redirect`], which
/// is not retried. The built-in HTTP client uses it; pass it to
/// `reqwest::ClientBuilder::redirect` when bringing your own client.
pub fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .last()
            .is_some_and(|prev| prev.origin() == attempt.url().origin());
        if attempt.previous().len() > 10 {
            attempt.error("more than 10 redirects in a row")
        } else if same_origin {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

fn substitute_variables(
    template: &str,
    given: &[(String, String)],
    defaults: &[(&'static str, &'static str)],
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in base URL `{template}`"))?;
        let name = &after[..end];
        let value = given
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .or_else(|| defaults.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
            .ok_or_else(|| format!("the server variable `{name}` has no value: call .server_variable(\"{name}\", ..)"))?;
        out.push_str(value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn insert_header(map: &mut HeaderMap, name: &str, value: &str) -> Result<(), String> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a valid header name"))?;
    let value = HeaderValue::from_str(value)
        .map_err(|_| format!("the value of header `{name}` is not a valid header value"))?;
    map.append(name, value);
    Ok(())
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// How the body of a success response is delivered.
enum Delivery {
    Buffered,
    Streaming,
}

enum Done {
    Buffered(RawResponse),
    Streaming(StreamingResponse),
}

/// The result of one attempt that got a response.
struct Answer {
    status: StatusCode,
    /// The URL that answered, after the redirects the client followed.
    url: reqwest::Url,
    headers: HeaderMap,
    body: AnswerBody,
    latency: Duration,
}

enum AnswerBody {
    Bytes(Bytes),
    Streaming(reqwest::Response),
}

impl Client {
    /// Send a request through auth, rate limiting, retries and tracing; a non-2xx status
    /// becomes [`Error::Api`]. Called by generated code.
    #[doc(hidden)]
    pub fn send(
        &self,
        req: Request,
    ) -> impl Future<Output = Result<RawResponse, Error>> + Send + '_ {
        self.call(req, Delivery::Buffered).map(|done| match done? {
            Done::Buffered(raw) => Ok(raw),
            Done::Streaming(_) => Err(Error::Build {
                message: "internal: unexpected streaming response".to_owned(),
            }),
        })
    }

    /// Like [`Client::send`], but a success response's body is not read: it is returned
    /// as a stream (server-sent events, downloads). Retries stop once headers arrive; the
    /// stream then ends with [`Error::Timeout`] when no chunk arrives for the read timeout
    /// or the call's total timeout passes.
    #[doc(hidden)]
    pub fn send_streaming(
        &self,
        req: Request,
    ) -> impl Future<Output = Result<StreamingResponse, Error>> + Send + '_ {
        self.call(req, Delivery::Streaming).map(|done| match done? {
            Done::Streaming(s) => Ok(s),
            Done::Buffered(raw) => Ok(StreamingResponse {
                status: raw.status,
                headers: raw.headers,
                request_id: raw.request_id,
                body: futures::stream::once(std::future::ready(Ok(raw.body))).boxed(),
            }),
        })
    }

    /// The whole call, as one boxed future.
    ///
    /// The send loop's future is several kilobytes. Boxed here, once per call, it is never
    /// copied again: the futures that hold it (`send`'s, the caller's, a `block_on`'s) stay
    /// a few words long, as reqwest's own are, instead of each copying kilobytes as it is
    /// built and moved, which costs more than the one allocation.
    fn call(
        &self,
        req: Request,
        delivery: Delivery,
    ) -> Instrumented<BoxFuture<'_, Result<Done, Error>>> {
        let span = tracing::info_span!(
            "sdkgen.call",
            provider = self.inner.config.name,
            operation = req.operation_id,
            method = %req.method,
            path = req.path_template,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let total = self.inner.total_timeout;
        let call_deadline = deadline(Instant::now(), total);
        let run = self.run(req, delivery, span.clone(), call_deadline);
        let call: BoxFuture<'_, _> = match call_deadline {
            None => Box::pin(run),
            Some(at) => Box::pin(self.inner.deadlines.run(Some(at), run).map(move |done| {
                done.unwrap_or_else(|Elapsed| Err(timeout(TimeoutKind::Total, total)))
            })),
        };
        call.instrument(span)
    }

    /// The provider's request id. One that is not UTF-8 is kept, lossily: it is still what
    /// the provider's support needs to find the call.
    fn request_id(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get(&self.inner.names.request_id)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// The idempotency key of this call and the header it goes in. A caller's key is
    /// always sent (under the provider's header, or the standard `Idempotency-Key`); a
    /// provider that accepts keys gets a UUID v4 for every non-idempotent request. Either
    /// way the key is fixed here, once per call, and sent unchanged on every attempt.
    fn idempotency_key(&self, req: &Request) -> Result<Option<(HeaderName, HeaderValue)>, Error> {
        let provider_header = &self.inner.names.idempotency;
        let (name, key) = match (&req.options.idempotency_key, provider_header) {
            (Some(key), header) => (
                header.clone().unwrap_or(DEFAULT_IDEMPOTENCY_HEADER),
                key.clone(),
            ),
            (None, Some(header)) if !is_idempotent(&req.method) => {
                (header.clone(), uuid::Uuid::new_v4().to_string())
            }
            (None, _) => return Ok(None),
        };
        match HeaderValue::try_from(key) {
            Ok(value) => Ok(Some((name, value))),
            Err(_) => Err(Error::InvalidInput {
                operation: req.operation_id,
                message: format!("the value of header `{name}` is not a valid header value"),
            }),
        }
    }

    /// The send loop of one call.
    #[expect(
        clippy::manual_async_fn,
        reason = "an `async fn` moves its arguments into locals, so its future would hold the request twice"
    )]
    fn run(
        &self,
        req: Request,
        delivery: Delivery,
        span: tracing::Span,
        call_deadline: Option<Instant>,
    ) -> impl Future<Output = Result<Done, Error>> + Send + '_ {
        async move {
            let inner = &*self.inner;
            let config = &inner.config;
            if let Some(problem) = &req.problem {
                return Err(Error::InvalidInput {
                    operation: req.operation_id,
                    message: problem.clone(),
                });
            }
            let policy = req.options.retry.unwrap_or(inner.retry);
            let attempt_timeout = req.options.timeout.or(inner.attempt_timeout);
            let read_timeout = req
                .options
                .read_timeout
                .or(inner.read_timeout)
                .or(attempt_timeout);
            let idempotency_key = self.idempotency_key(&req)?;
            let replayable_body = req.body.is_replayable();
            let redirect_is_answer = req.redirect_is_answer;
            let safe_to_replay =
                replayable_body && (is_idempotent(&req.method) || idempotency_key.is_some());
            inner.budget.deposit();

            let mut attempt: u32 = 0;
            let mut retries: u32 = 0;
            let mut auth_replayed = false;
            loop {
                attempt += 1;
                let ctx = AttemptContext {
                    provider: config.name,
                    operation_id: req.operation_id,
                    method: req.method.clone(),
                    path_template: req.path_template,
                    attempt,
                    span: span.clone(),
                };

                let admission = match &inner.breaker {
                    Some(breaker) => Some(
                        breaker
                            .check()
                            .map_err(|retry_in| Error::CircuitOpen { retry_in })?,
                    ),
                    None => None,
                };
                // A spent window is waited out only if the call may wait that long.
                if let Err(wait) = inner.adaptive.wait(policy.max_wait, call_deadline).await {
                    return Err(Error::RateLimited { wait, api: None });
                }
                if let Some(limiter) = &inner.limiter {
                    limiter.acquire().await;
                }
                let _permit =
                    match &inner.concurrency {
                        Some(sem) => Some(Arc::clone(sem).acquire_owned().await.map_err(|_| {
                            Error::Build {
                                message: "the concurrency limiter was closed".to_owned(),
                            }
                        })?),
                        None => None,
                    };

                let mut http_req = self.build_attempt(&req, attempt, idempotency_key.as_ref())?;
                for stage in &inner.pipeline {
                    stage.before_send(&ctx, &mut http_req).await?;
                }
                let sent_headers = inner.auth.refreshable().map(|_| http_req.headers().clone());

                let started = Instant::now();
                let exchange = self.exchange(http_req, &delivery, started, read_timeout);
                let result = inner
                    .deadlines
                    .run(deadline(started, attempt_timeout), exchange)
                    .await
                    .unwrap_or_else(|Elapsed| Err(timeout(TimeoutKind::Attempt, attempt_timeout)));
                drop(_permit);

                match result {
                    Ok(answer) => {
                        if let Some(headers_config) = &config.rate_limit_headers {
                            inner.adaptive.observe(headers_config, &answer.headers);
                        }
                        let outcome = AttemptOutcome::Response {
                            status: answer.status,
                            headers: &answer.headers,
                            latency: answer.latency,
                        };
                        for stage in &inner.pipeline {
                            stage.after_attempt(&ctx, &outcome);
                        }
                        if let Some(admission) = admission {
                            admission.record(!answer.status.is_server_error());
                        }
                        let request_id = self.request_id(&answer.headers);
                        let status = answer.status;
                        let flagged = status.is_success() && self.ok_flag_is_false(&answer);
                        let answered = status.is_success()
                            || (redirect_is_answer && is_redirect_status(status));
                        if answered && !flagged {
                            tracing::debug!(status = status.as_u16(), "call succeeded");
                            let timeouts = BodyTimeouts {
                                read: read_timeout,
                                total: call_deadline.zip(inner.total_timeout),
                            };
                            return Ok(answer.into_done(request_id, timeouts));
                        }
                        if flagged {
                            tracing::debug!(
                                status = status.as_u16(),
                                "the response's ok flag is false: the call failed"
                            );
                        }
                        let headers = answer.headers;
                        let body = match answer.body {
                            AnswerBody::Bytes(body) => body,
                            AnswerBody::Streaming(resp) => self
                                .read_body(resp, read_timeout, Some(MAX_ERROR_BODY))
                                .await
                                .unwrap_or_default(),
                        };

                        if status == StatusCode::UNAUTHORIZED && !auth_replayed && replayable_body {
                            if let (Some(provider), Some(sent)) =
                                (inner.auth.refreshable(), &sent_headers)
                            {
                                if provider.on_unauthorized(sent).await? {
                                    auth_replayed = true;
                                    tracing::info!(
                                        "401: replaying once with refreshed credentials"
                                    );
                                    continue;
                                }
                            }
                        }

                        let class = if flagged {
                            retry::classify_flagged_failure(config, &headers)
                        } else {
                            retry::classify(
                                config,
                                Outcome::Response {
                                    status,
                                    headers: &headers,
                                },
                            )
                        };
                        let api = ApiError::new(
                            status,
                            headers,
                            body,
                            request_id,
                            class.class.is_retryable(),
                            &config.error_shape,
                        );
                        if !class.class.is_retryable() {
                            return Err(Error::Api(Box::new(api)));
                        }
                        // A provider-requested wait that would end after the call's deadline
                        // fails now, with the wait, rather than as a timeout after sleeping.
                        let past_deadline = |wait: Duration| {
                            class.hint.is_some()
                                && call_deadline.is_some_and(|d| {
                                    Instant::now().checked_add(wait).is_none_or(|end| end > d)
                                })
                        };
                        let wait = match policy.delay(retries + 1, class.hint) {
                            Ok(wait) if !past_deadline(wait) => wait,
                            Ok(wait) | Err(wait) => {
                                tracing::warn!(
                                    wait_ms = wait.as_millis() as u64,
                                    "the provider asked to wait longer than the call may wait; failing fast"
                                );
                                return Err(Error::RateLimited {
                                    wait,
                                    api: Some(Box::new(api)),
                                });
                            }
                        };
                        if class.class == RetryClass::Throttled
                            && class.hint.is_some_and(|h| !h.is_zero())
                        {
                            // Everyone sharing this client waits, not just this call.
                            inner.adaptive.pause_for(wait);
                        }
                        if !safe_to_replay || retries >= policy.max_retries {
                            return Err(Error::Api(Box::new(api)));
                        }
                        if !inner.budget.withdraw() {
                            tracing::warn!("retry budget exhausted; not retrying");
                            return Err(Error::Api(Box::new(api)));
                        }
                        retries += 1;
                        tracing::info!(
                            attempt,
                            reason = class.class.reason(),
                            status = api.status.as_u16(),
                            wait_ms = wait.as_millis() as u64,
                            "retrying"
                        );
                        tokio::time::sleep(wait).await;
                    }
                    Err(error) => {
                        let outcome = AttemptOutcome::Failed(&error);
                        for stage in &inner.pipeline {
                            stage.after_attempt(&ctx, &outcome);
                        }
                        if let Some(admission) = admission {
                            admission.record(false);
                        }
                        let may_have_been_sent = match &error {
                            Error::Transport {
                                may_have_been_sent, ..
                            } => *may_have_been_sent,
                            Error::Timeout { kind, .. } => *kind != TimeoutKind::Connect,
                            // A redirect loop or a refused redirect happens the same way
                            // every time.
                            _ => return Err(error),
                        };
                        // A request that never left may be resent whatever its method.
                        let safe = replayable_body && (safe_to_replay || !may_have_been_sent);
                        if !safe || retries >= policy.max_retries {
                            return Err(error);
                        }
                        if !inner.budget.withdraw() {
                            tracing::warn!("retry budget exhausted; not retrying");
                            return Err(error);
                        }
                        let wait = policy.delay(retries + 1, None).unwrap_or_default();
                        retries += 1;
                        tracing::info!(
                            attempt,
                            reason = RetryClass::Transient.reason(),
                            error = %error,
                            wait_ms = wait.as_millis() as u64,
                            "retrying"
                        );
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
    }

    /// Whether a success response's body reports failure through the provider's ok flag:
    /// a JSON body whose value at the flag's pointer is `false`.
    fn ok_flag_is_false(&self, answer: &Answer) -> bool {
        let (Some(pointer), AnswerBody::Bytes(body)) = (self.inner.config.ok_flag, &answer.body)
        else {
            return false;
        };
        // Most successes say `"ok": true` and contain no `false` at all: skip parsing them.
        if !is_json(&answer.headers) || !body.windows(5).any(|w| w == b"false") {
            return false;
        }
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.pointer(pointer).and_then(serde_json::Value::as_bool))
            == Some(false)
    }

    async fn exchange(
        &self,
        http_req: reqwest::Request,
        delivery: &Delivery,
        started: Instant,
        read_timeout: Option<Duration>,
    ) -> Result<Answer, Error> {
        let mut resp = self
            .inner
            .http
            .execute(http_req)
            .await
            .map_err(|e| map_reqwest_error(e, self.inner.connect_timeout))?;
        let status = resp.status();
        let url = resp.url().clone();
        let headers = std::mem::take(resp.headers_mut());
        // A JSON success body is read whole when the provider has an ok flag, so that the
        // flag can be checked; event streams and downloads are left streaming.
        let stream = matches!(delivery, Delivery::Streaming)
            && status.is_success()
            && !(self.inner.config.ok_flag.is_some() && is_json(&headers));
        let body = if stream {
            AnswerBody::Streaming(resp)
        } else {
            // An error body is read only up to a limit: nobody needs more of it, and a
            // hostile server could otherwise send an endless one.
            let limit = (!status.is_success()).then_some(MAX_ERROR_BODY);
            AnswerBody::Bytes(self.read_body(resp, read_timeout, limit).await?)
        };
        Ok(Answer {
            status,
            url,
            headers,
            body,
            latency: started.elapsed(),
        })
    }

    /// Read a whole body, failing when no byte of it arrives for `read_timeout`; with a
    /// `limit`, stop after that many bytes and drop the rest (and the connection).
    ///
    /// The wait for each chunk runs on the client's shared deadline timer, like the attempt
    /// timeout, so a body that arrives promptly costs no timer of its own. A body in one
    /// chunk (most JSON answers) is returned without a copy.
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        read_timeout: Option<Duration>,
        limit: Option<usize>,
    ) -> Result<Bytes, Error> {
        let mut first: Option<Bytes> = None;
        let mut joined: Option<bytes::BytesMut> = None;
        // Bounded by the body: each turn consumes a chunk, or ends the loop.
        loop {
            let chunk = self
                .inner
                .deadlines
                .run(deadline(Instant::now(), read_timeout), resp.chunk())
                .await
                .map_err(|Elapsed| timeout(TimeoutKind::Read, read_timeout))?
                .map_err(|e| Error::transport(e, true))?;
            let Some(chunk) = chunk else { break };
            match (&mut joined, first.take()) {
                (Some(buf), _) => buf.extend_from_slice(&chunk),
                (None, None) => first = Some(chunk),
                (None, Some(head)) => {
                    let mut buf = bytes::BytesMut::with_capacity(head.len() + chunk.len());
                    buf.extend_from_slice(&head);
                    buf.extend_from_slice(&chunk);
                    joined = Some(buf);
                }
            }
            let read = joined.as_ref().map_or_else(
                || first.as_ref().map_or(0, Bytes::len),
                bytes::BytesMut::len,
            );
            if limit.is_some_and(|limit| read >= limit) {
                break;
            }
        }
        let mut body = joined.map_or_else(|| first.unwrap_or_default(), bytes::BytesMut::freeze);
        if let Some(limit) = limit {
            body.truncate(limit);
        }
        Ok(body)
    }

    /// Whether a URL taken from a response to `req` may be requested with this client's
    /// credentials: it must be on the base URL's origin, on the origin of `req`'s own
    /// server (when that server is used), or on an origin the builder allowed.
    pub(crate) fn may_follow(&self, req: &Request, url: &url::Url) -> bool {
        let inner = &*self.inner;
        let origin = url.origin();
        origin.is_tuple()
            && (origin == inner.base.origin()
                || req
                    .server
                    .filter(|_| !inner.base_url_chosen)
                    .and_then(|server| url::Url::parse(server).ok())
                    .is_some_and(|server| server.origin() == origin)
                || inner.allowed_origins.contains(&origin))
    }

    /// The query parameter that carries this client's credential, if any.
    pub(crate) fn credential_query_param(&self) -> Option<&str> {
        self.inner.auth.query_param()
    }

    /// The full URL a request is sent to (before authentication adds anything).
    pub(crate) fn request_url(&self, req: &Request) -> Result<url::Url, String> {
        let invalid = |e: url::ParseError| format!("the request URL is invalid: {e}");
        if let Some(url) = &req.absolute_url {
            let mut url = url.clone();
            if !req.query.is_empty() {
                let mut query = url.query().unwrap_or_default().to_owned();
                encoding::append_query(&mut query, &req.query);
                url.set_query(Some(&query));
            }
            return Ok(url);
        }
        // An operation's own server (Stripe's files host) stands in for the default base URL;
        // a base URL the caller chose receives every call.
        let base = match req.server.filter(|_| !self.inner.base_url_chosen) {
            Some(server) => server.trim_end_matches('/'),
            None if is_plain_path(&req.path) => return Ok(self.url_from_base(req)),
            None => self.inner.base_url.as_str(),
        };
        // Anything else is parsed whole, as one string: base URL, path, query.
        URL_TEXT.with_borrow_mut(|text| {
            text.clear();
            text.push_str(base);
            if !(req.path.is_empty() || req.path.starts_with('/')) {
                text.push('/');
            }
            text.push_str(&req.path);
            if !req.query.is_empty() {
                text.push(if req.path.contains('?') { '&' } else { '?' });
                text.push_str(req.query.as_str());
            }
            url::Url::parse(text).map_err(invalid)
        })
    }

    /// Base URL + path + query, without parsing the base URL again.
    ///
    /// Its scheme, host and port were checked at `build()`, and parsing them (the host
    /// above all) is most of the cost of parsing a URL, so only the path and the query
    /// are parsed here, by the same rules `Url::parse` applies to them. The path is
    /// written into a buffer reused by every call on this thread.
    fn url_from_base(&self, req: &Request) -> url::Url {
        let inner = &*self.inner;
        let mut url = inner.base.clone();
        URL_TEXT.with_borrow_mut(|path| {
            path.clear();
            path.push_str(&inner.base_path);
            if !(req.path.is_empty() || req.path.starts_with('/')) {
                path.push('/');
            }
            path.push_str(&req.path);
            url.set_path(path);
        });
        if !req.query.is_empty() {
            url.set_query(Some(req.query.as_str()));
        }
        url
    }

    fn build_attempt(
        &self,
        req: &Request,
        attempt: u32,
        idempotency_key: Option<&(HeaderName, HeaderValue)>,
    ) -> Result<reqwest::Request, Error> {
        let invalid = |message: String| Error::InvalidInput {
            operation: req.operation_id,
            message,
        };
        let url = self.request_url(req).map_err(invalid)?;
        let mut headers = self
            .attempt_headers(req, attempt, idempotency_key)
            .map_err(invalid)?;
        let body = match &req.body {
            Body::Empty => None,
            Body::Bytes { content_type, data } => {
                append_header(&mut headers, http::header::CONTENT_TYPE, content_type)
                    .map_err(invalid)?;
                Some(reqwest::Body::from(data.clone()))
            }
            Body::Multipart(form) => {
                // The builder sets the content type with the form's boundary; keep it.
                let built = self
                    .inner
                    .http
                    .request(req.method.clone(), url)
                    .multipart(form.to_form().map_err(invalid)?)
                    .build()
                    .map_err(|e| {
                        invalid(format!(
                            "the request could not be built: {}",
                            e.without_url()
                        ))
                    })?;
                let mut http_req = built;
                let own = std::mem::replace(http_req.headers_mut(), headers);
                for (name, value) in own.iter() {
                    http_req.headers_mut().insert(name, value.clone());
                }
                return Ok(http_req);
            }
            Body::Stream {
                content_type,
                stream,
            } => {
                let body = stream
                    .lock()
                    .ok()
                    .and_then(|mut slot| slot.take())
                    .ok_or_else(|| invalid("a streaming body can be sent only once".to_owned()))?;
                append_header(&mut headers, http::header::CONTENT_TYPE, content_type)
                    .map_err(invalid)?;
                Some(body)
            }
        };
        let mut http_req = reqwest::Request::new(req.method.clone(), url);
        *http_req.headers_mut() = headers;
        *http_req.body_mut() = body;
        Ok(http_req)
    }

    /// The headers of one attempt: the client's defaults, then the request's parameters
    /// and options, cookies, the idempotency key and the attempt number.
    fn attempt_headers(
        &self,
        req: &Request,
        attempt: u32,
        idempotency_key: Option<&(HeaderName, HeaderValue)>,
    ) -> Result<HeaderMap, String> {
        let inner = &*self.inner;
        let mut headers = inner.default_headers.clone();
        for (name, value) in &req.headers {
            headers.insert(name.clone(), value.clone());
        }
        for (name, value) in &req.options.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("`{name}` is not a valid header name"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("the value of header `{name}` is not valid"))?;
            headers.insert(name, value);
        }
        if !headers.contains_key(http::header::ACCEPT) {
            // The operation's declared media types, unless the caller chose an Accept on the
            // client or the request: an API answers 406 to an Accept it cannot serve.
            let accept = req
                .accept
                .clone()
                .unwrap_or(HeaderValue::from_static("application/json"));
            headers.insert(http::header::ACCEPT, accept);
        }
        if !req.cookies.is_empty() {
            let cookie = req
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={}", encoding::encode_component(v)))
                .collect::<Vec<_>>()
                .join("; ");
            append_header(&mut headers, http::header::COOKIE, &cookie)?;
        }
        if let Some((name, key)) = idempotency_key {
            headers.append(name.clone(), key.clone());
        }
        if let Some(name) = &inner.names.attempt {
            headers.append(name.clone(), HeaderValue::from(attempt));
        }
        Ok(headers)
    }
}

/// When a timeout counted from `start` runs out; none for a timeout too long to add to the
/// clock, as in `tokio::time`. Timeouts run on the client's shared deadline timer (see
/// `src/deadline.rs`) rather than a timer each.
fn deadline(start: Instant, timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|after| start.checked_add(after))
}

fn timeout(kind: TimeoutKind, after: Option<Duration>) -> Error {
    Error::Timeout {
        kind,
        after: after.unwrap_or_default(),
    }
}

/// Whether `path` parses the same on its own as within a whole URL: visible ASCII with no
/// query or fragment in it (rendered paths are percent-encoded, so they always are).
fn is_plain_path(path: &str) -> bool {
    path.bytes()
        .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
}

/// Whether a response says its body is JSON (`application/json`, `…+json`), or says
/// nothing about it.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.contains("json"))
}

fn append_header(map: &mut HeaderMap, name: HeaderName, value: &str) -> Result<(), String> {
    let value = HeaderValue::from_str(value)
        .map_err(|_| format!("the value of header `{name}` is not a valid header value"))?;
    map.append(name, value);
    Ok(())
}

/// What bounds a streamed body: the read timeout between chunks, and the call's deadline
/// (with the total timeout it came from).
struct BodyTimeouts {
    read: Option<Duration>,
    total: Option<(Instant, Duration)>,
}

impl Answer {
    /// The call's result for a success response.
    fn into_done(self, request_id: Option<String>, timeouts: BodyTimeouts) -> Done {
        match self.body {
            AnswerBody::Bytes(body) => Done::Buffered(RawResponse {
                status: self.status,
                headers: self.headers,
                body,
                request_id,
                url: Some(self.url),
            }),
            AnswerBody::Streaming(resp) => Done::Streaming(StreamingResponse {
                status: self.status,
                headers: self.headers,
                request_id,
                body: TimedBody::new(
                    resp.bytes_stream()
                        .map(|chunk| chunk.map_err(|e| Error::transport(e, true))),
                    timeouts.read,
                    timeouts.total,
                )
                .boxed(),
            }),
        }
    }
}

/// The statuses that send the client elsewhere with a `Location` (not `304 Not Modified`,
/// nor `300`, which offers choices).
fn is_redirect_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

fn map_reqwest_error(e: reqwest::Error, connect_timeout: Option<Duration>) -> Error {
    if e.is_redirect() {
        // The policy's own message ("more than 10 redirects in a row") is in the source
        // chain; the error's URL is not kept.
        let e = e.without_url();
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        // Bounded by the depth of the error chain, which reqwest builds from a few layers.
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        return Error::Redirect { message };
    }
    if e.is_timeout() {
        // A connect timeout is ours (the built-in client) or the user's client's, whose
        // duration we do not know; any other timeout here is the user's client's own.
        let (kind, after) = if e.is_connect() {
            (TimeoutKind::Connect, connect_timeout.unwrap_or_default())
        } else {
            (TimeoutKind::Attempt, Duration::ZERO)
        };
        Error::Timeout { kind, after }
    } else {
        let may_have_been_sent = !e.is_connect() && !e.is_builder();
        Error::transport(e, may_have_been_sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_built_from_the_parsed_base_is_the_url_parsed_whole() {
        for base in [
            "http://127.0.0.1:8080",
            "https://api.example.com/v1/",
            "http://h/a/b",
        ] {
            let client = Client::builder(ProviderConfig::new("t"))
                .base_url(base)
                .build()
                .unwrap();
            for path in [
                "",
                "/",
                "/things/42",
                "things/42",
                "/a%20b/%2F/c",
                "/x/../y/./z",
                "//double//slash/",
                "/back\\slash",
                "/caf%C3%A9~!$&'()*+,;=:@",
            ] {
                let req = Request::new(Method::GET, "op", "/", path.to_owned())
                    .query_form("q", &"a b", true)
                    .query_form("tag", &["x", "y"], false);
                assert!(is_plain_path(path), "{path}");
                let whole = format!(
                    "{}{}{path}?{}",
                    client.inner.base_url,
                    if path.is_empty() || path.starts_with('/') {
                        ""
                    } else {
                        "/"
                    },
                    req.query.as_str()
                );
                assert_eq!(
                    client.url_from_base(&req).as_str(),
                    url::Url::parse(&whole).unwrap().as_str(),
                    "{base} + {path}"
                );
            }
        }
        assert!(!is_plain_path("/a?b=1") && !is_plain_path("/a#f") && !is_plain_path("/a b"));
    }

    #[test]
    fn server_variables_fill_the_base_url() {
        let url = substitute_variables(
            "https://{region}.api.example.com/{version}",
            &[("region".into(), "eu".into())],
            &[("version", "v2"), ("region", "us")],
        )
        .unwrap();
        assert_eq!(url, "https://eu.api.example.com/v2");
        assert!(substitute_variables("https://{x}.example.com", &[], &[]).is_err());
    }
}
