//! Retries: classification, policy and budget — three separate decisions.
//!
//! - **Classification** ([`classify`]) looks at one attempt's outcome and says whether it
//!   may be retried and why ([`RetryClass`]): throttled (429), transient (connect errors,
//!   timeouts, 408, 409), server error (500, 502, 503, 504), a provider signal header
//!   (`Stripe-Should-Retry: true`), or not at all. It also extracts the provider's hint
//!   (`Retry-After` as seconds or HTTP date, `retry-after-ms`, a reset header).
//! - **Policy** ([`RetryPolicy`]) turns a classification into a delay: how many attempts,
//!   exponential backoff between `initial_backoff` and `max_backoff` with full jitter,
//!   and the longest provider-requested wait worth sleeping through (`max_wait`); beyond
//!   that the call fails fast with [`Error::RateLimited`](crate::Error::RateLimited).
//! - **Budget** ([`RetryBudget`]) is shared by every clone of a client and caps retries to
//!   a fraction of recent requests, so that an outage does not multiply the load the
//!   provider sees by the number of attempts.
//!
//! Whether a request may be *replayed at all* is decided by the client: an idempotent
//! method, or an idempotency key reused unchanged on every attempt, and a body that can be
//! sent again.

use std::sync::Mutex;
use std::time::Duration;

use http::{HeaderMap, StatusCode};

use crate::config::{ProviderConfig, ResetKind};

/// Why an outcome may (or may not) be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryClass {
    /// The provider is throttling us (429).
    Throttled,
    /// A transient failure: connection error, timeout, 408, 409.
    Transient,
    /// A server error: 500, 502, 503, 504.
    ServerError,
    /// The provider's retry signal header said to retry.
    ProviderSignal,
    /// Do not retry.
    DoNotRetry,
}

impl RetryClass {
    /// Whether a retry may help.
    pub fn is_retryable(self) -> bool {
        !matches!(self, RetryClass::DoNotRetry)
    }

    /// A short reason for logs.
    pub fn reason(self) -> &'static str {
        match self {
            RetryClass::Throttled => "throttled",
            RetryClass::Transient => "transient",
            RetryClass::ServerError => "server error",
            RetryClass::ProviderSignal => "provider signal",
            RetryClass::DoNotRetry => "not retryable",
        }
    }
}

/// The classification of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// Whether and why to retry.
    pub class: RetryClass,
    /// How long the provider asked us to wait, if it said.
    pub hint: Option<Duration>,
}

/// What one attempt produced, as far as classification cares.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// A response arrived.
    Response {
        /// Its status.
        status: StatusCode,
        /// Its headers.
        headers: &'a HeaderMap,
    },
    /// The connection failed or broke.
    Transport,
    /// The attempt timed out.
    Timeout,
}

/// Classify one attempt's outcome for `config`'s provider.
pub fn classify(config: &ProviderConfig, outcome: Outcome<'_>) -> Classification {
    match outcome {
        Outcome::Transport | Outcome::Timeout => Classification {
            class: RetryClass::Transient,
            hint: None,
        },
        Outcome::Response { status, headers } => {
            let hint = retry_hint(config, headers);
            if status.is_success() {
                return Classification {
                    class: RetryClass::DoNotRetry,
                    hint: None,
                };
            }
            let class = match retry_signal(config, headers) {
                Some(true) => RetryClass::ProviderSignal,
                Some(false) => RetryClass::DoNotRetry,
                None => match status.as_u16() {
                    429 => RetryClass::Throttled,
                    408 | 409 => RetryClass::Transient,
                    500 | 502 | 503 | 504 => RetryClass::ServerError,
                    _ => RetryClass::DoNotRetry,
                },
            };
            Classification { class, hint }
        }
    }
}

/// Classify a 2xx response whose body reports failure (the provider's ok flag is `false`).
///
/// The status says nothing about whether a retry may help, so only the provider's retry
/// signal header can make it retryable.
pub(crate) fn classify_flagged_failure(
    config: &ProviderConfig,
    headers: &HeaderMap,
) -> Classification {
    match retry_signal(config, headers) {
        Some(true) => Classification {
            class: RetryClass::ProviderSignal,
            hint: retry_hint(config, headers),
        },
        _ => Classification {
            class: RetryClass::DoNotRetry,
            hint: None,
        },
    }
}

/// The provider's retry signal header (`true`/`false`), when it sent one.
fn retry_signal(config: &ProviderConfig, headers: &HeaderMap) -> Option<bool> {
    let value = config
        .retry_signal_header
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())?
        .trim();
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The provider's requested wait: `retry-after-ms`, `Retry-After` (seconds or HTTP date),
/// then the configured reset header.
///
/// Every value comes from the network, so none is trusted: a wait that is zero, negative,
/// in the past, not a number or not finite (`0`, `-5`, `NaN`, `inf`, a date in 1994) is
/// no hint at all, and the policy's own backoff applies; a finite wait longer than a day
/// (`1e20`, an epoch sent in milliseconds) is read as one day, which is longer than any
/// `max_wait` worth having, so the call fails fast with that wait. No value can panic.
pub fn retry_hint(config: &ProviderConfig, headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let from_ms = text("retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(|ms| wait_from_secs(ms / 1000.0));
    if from_ms.is_some() {
        return from_ms;
    }
    if let Some(value) = text("retry-after") {
        let wait = match value.parse::<f64>() {
            Ok(secs) => wait_from_secs(secs),
            Err(_) => parse_http_date(value).and_then(wait_until),
        };
        if wait.is_some() {
            return wait;
        }
    }
    let headers_config = config.rate_limit_headers?;
    if headers_config.reset.is_empty() {
        return None;
    }
    // A reset header only says when the window ends; it is a hint only when the window is spent.
    let remaining = (!headers_config.remaining.is_empty())
        .then(|| text(headers_config.remaining))
        .flatten()
        .and_then(|v| v.parse::<f64>().ok());
    if remaining.is_some_and(|r| !is_spent(r)) {
        return None;
    }
    text(headers_config.reset).and_then(|v| parse_reset(v, headers_config.reset_kind))
}

/// The longest wait read from a provider's header. A longer one is read as this, so that
/// it can be compared, added to the clock and reported without overflowing.
pub(crate) const MAX_PROVIDER_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// A wait of `secs` seconds read from a header: `None` unless it is a finite number of
/// seconds ahead, and at most [`MAX_PROVIDER_WAIT`].
fn wait_from_secs(secs: f64) -> Option<Duration> {
    if !(secs.is_finite() && secs > 0.0) {
        return None;
    }
    // `Duration::from_secs_f64` panics above about 1.8e19 seconds; the fallible form
    // reports that as an error, which here means "longer than the longest wait".
    let wait =
        Duration::try_from_secs_f64(secs).map_or(MAX_PROVIDER_WAIT, |d| d.min(MAX_PROVIDER_WAIT));
    (!wait.is_zero()).then_some(wait)
}

/// The wait until `at`; `None` when it has passed.
fn wait_until(at: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let wait = (at - chrono::Utc::now()).to_std().ok()?;
    (!wait.is_zero()).then_some(wait.min(MAX_PROVIDER_WAIT))
}

/// Whether a `remaining` header value says the window is spent. `NaN` says nothing.
pub(crate) fn is_spent(remaining: f64) -> bool {
    remaining <= 0.0
}

/// An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), or the
/// obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
/// (`Sun Nov  6 08:49:37 1994`) forms that recipients must still accept.
pub(crate) fn parse_http_date(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(date) = chrono::DateTime::parse_from_rfc2822(value) {
        return Some(date.with_timezone(&chrono::Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(value, format).ok())
        .map(|naive| naive.and_utc())
}

/// The delay until reset expressed by a reset header value: `None` when the value is not
/// understood or the reset is now or past, and at most [`MAX_PROVIDER_WAIT`] (see
/// [`retry_hint`]).
pub(crate) fn parse_reset(value: &str, kind: ResetKind) -> Option<Duration> {
    let number = || value.trim().parse::<f64>().ok();
    match kind {
        ResetKind::EpochSeconds => {
            let at = number()?;
            let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
            wait_from_secs(at - now)
        }
        ResetKind::DelaySeconds => wait_from_secs(number()?),
        ResetKind::DelayMillis => wait_from_secs(number()? / 1000.0),
        ResetKind::Duration => wait_from_secs(parse_go_duration(value)?),
    }
}

/// `1h2m3.5s`, `6m0s`, `20ms`, `250us`, in seconds (possibly huge or infinite; the
/// caller checks).
fn parse_go_duration(value: &str) -> Option<f64> {
    let mut total = 0.0f64;
    let mut rest = value.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" | "" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            "ns" => 0.000_000_001,
            _ => return None,
        };
        total += number * factor;
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// Run every header-wait parser over `data` and check what they promise: no panic, and
/// every wait either absent or within `(0, MAX_PROVIDER_WAIT]`, so that it can be added to
/// the clock and compared without overflow. `Err` describes a broken promise.
///
/// The first byte chooses the header the value goes in; the rest is the value. Called by
/// the `header_waits` fuzz target and by a test that runs it over generated inputs.
pub(crate) fn check_header_waits(data: &[u8]) -> Result<(), String> {
    let Some((&selector, value)) = data.split_first() else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(value);
    let check = |what: &str, wait: Option<Duration>| match wait {
        Some(w) if w.is_zero() || w > MAX_PROVIDER_WAIT => {
            Err(format!("{what} gave {w:?} for {text:?}"))
        }
        Some(w) if tokio::time::Instant::now().checked_add(w).is_none() => Err(format!(
            "{what} gave {w:?}, which overflows the clock, for {text:?}"
        )),
        _ => Ok(()),
    };
    for kind in [
        ResetKind::EpochSeconds,
        ResetKind::DelaySeconds,
        ResetKind::DelayMillis,
        ResetKind::Duration,
    ] {
        check("parse_reset", parse_reset(&text, kind))?;
    }
    let _ = parse_http_date(&text);
    let Ok(header) = http::HeaderValue::from_bytes(value) else {
        return Ok(());
    };
    let names = [
        "retry-after",
        "retry-after-ms",
        "x-ratelimit-reset",
        "x-ratelimit-remaining",
    ];
    let mut headers = HeaderMap::new();
    headers.insert(names[usize::from(selector) % names.len()], header);
    if selector % 2 == 0 {
        headers.insert("x-ratelimit-remaining", http::HeaderValue::from_static("0"));
    }
    let kinds = [
        ResetKind::EpochSeconds,
        ResetKind::DelaySeconds,
        ResetKind::DelayMillis,
        ResetKind::Duration,
    ];
    let config = ProviderConfig::new("fuzz").rate_limit_headers(crate::RateLimitHeaders {
        limit: "",
        remaining: "x-ratelimit-remaining",
        reset: "x-ratelimit-reset",
        reset_kind: kinds[usize::from(selector / 4) % kinds.len()],
    });
    let hint = retry_hint(&config, &headers);
    check("retry_hint", hint)?;
    let delay = RetryPolicy::default().delay(1, hint);
    check(
        "RetryPolicy::delay",
        Some(delay.unwrap_or_else(|wait| wait)),
    )
}

/// How jitter is applied to the computed backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Jitter {
    /// A uniformly random delay between zero and the computed backoff ("full jitter"),
    /// which spreads retries from many clients instead of synchronizing them.
    #[default]
    Full,
    /// Exactly the computed backoff (useful in tests).
    None,
}

/// How many times, and after how long, to retry.
///
/// The default: 2 retries, exponential backoff from 0.5 s doubling up to 8 s with full
/// jitter, honouring provider hints up to 60 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) jitter: Jitter,
    pub(crate) max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            jitter: Jitter::Full,
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Retries after the first attempt.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The first backoff (before jitter).
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The largest computed backoff (before jitter).
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The jitter mode.
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The longest provider-requested wait worth sleeping through: a `Retry-After`-style
    /// hint on a failed attempt, or the pause every call on the client takes after a
    /// response said the rate-limit window is spent until a reset. A longer one fails the
    /// call at once with `Error::RateLimited` carrying the wait. Default 60 s.
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// The configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The computed backoff before retry number `retry` (1-based), before jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(31);
        let base = self.initial_backoff.saturating_mul(1u32 << exp);
        base.min(self.max_backoff)
    }

    /// The delay before retry number `retry`, given the provider's hint.
    ///
    /// `Err(wait)` when the provider asked for longer than `max_wait`.
    /// A zero hint is no hint: the backoff applies, so that a provider (or a proxy) that
    /// says "retry now" cannot remove the pause between attempts.
    pub fn delay(&self, retry: u32, hint: Option<Duration>) -> Result<Duration, Duration> {
        if let Some(hint) = hint.filter(|h| !h.is_zero()) {
            return if hint > self.max_wait {
                Err(hint)
            } else {
                Ok(hint)
            };
        }
        let backoff = self.backoff(retry);
        Ok(match self.jitter {
            Jitter::None => backoff,
            Jitter::Full => backoff.mul_f64(random_unit()),
        })
    }
}

/// A uniformly distributed number in `[0, 1)`, from the OS random source via UUID v4.
fn random_unit() -> f64 {
    let bits = (uuid::Uuid::new_v4().as_u128() >> 75) as u64; // 53 random bits
    bits as f64 / (1u64 << 53) as f64
}

/// A retry budget shared by every clone of a client.
///
/// Each call deposits `ratio` tokens and each retry withdraws one, on top of a reserve
/// that allows a few retries when traffic is light. With the default ratio of 0.2, retries
/// add at most about 20% extra load on top of first attempts during an outage.
#[derive(Debug)]
pub struct RetryBudget {
    ratio: f64,
    max_balance: f64,
    balance: Mutex<f64>,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::new(0.2, 10)
    }
}

impl RetryBudget {
    /// A budget allowing `ratio` retries per call plus a reserve of `reserve` retries.
    pub fn new(ratio: f64, reserve: u32) -> Self {
        let ratio = if ratio.is_finite() {
            ratio.max(0.0)
        } else {
            0.0
        };
        let reserve = f64::from(reserve);
        RetryBudget {
            ratio,
            max_balance: reserve + ratio * 100.0,
            balance: Mutex::new(reserve),
        }
    }

    /// A budget that never refuses a retry.
    pub fn unlimited() -> Self {
        RetryBudget {
            ratio: 0.0,
            max_balance: f64::INFINITY,
            balance: Mutex::new(f64::INFINITY),
        }
    }

    pub(crate) fn deposit(&self) {
        if let Ok(mut balance) = self.balance.lock() {
            *balance = (*balance + self.ratio).min(self.max_balance);
        }
    }

    pub(crate) fn withdraw(&self) -> bool {
        match self.balance.lock() {
            Ok(mut balance) if *balance >= 1.0 => {
                *balance -= 1.0;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::from_millis(500));
        assert_eq!(p.backoff(2), Duration::from_secs(1));
        assert_eq!(p.backoff(6), Duration::from_secs(8));
        assert_eq!(p.backoff(40), Duration::from_secs(8));
    }

    #[test]
    fn go_durations_parse() {
        let go = |v| parse_reset(v, ResetKind::Duration);
        assert_eq!(go("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(go("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(go("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(go("abc"), None);
    }

    /// Issue 12: `Duration::from_secs_f64` panicked on these, in every call that saw them.
    #[test]
    fn hostile_reset_values_never_panic_and_are_clamped_or_ignored() {
        let day = MAX_PROVIDER_WAIT;
        let cases: &[(&str, ResetKind, Option<Duration>)] = &[
            ("1e30", ResetKind::DelaySeconds, Some(day)),
            ("1e20", ResetKind::DelaySeconds, Some(day)),
            ("1e300", ResetKind::DelayMillis, Some(day)),
            ("1e30", ResetKind::EpochSeconds, Some(day)),
            ("99999999999999999999h", ResetKind::Duration, Some(day)),
            ("9e300h9e300h", ResetKind::Duration, None),
            ("inf", ResetKind::DelaySeconds, None),
            ("inf", ResetKind::EpochSeconds, None),
            ("-inf", ResetKind::EpochSeconds, None),
            ("NaN", ResetKind::DelaySeconds, None),
            ("NaN", ResetKind::EpochSeconds, None),
            ("-5", ResetKind::DelaySeconds, None),
            ("0", ResetKind::DelaySeconds, None),
            ("0s", ResetKind::Duration, None),
            ("1", ResetKind::EpochSeconds, None),
            ("1e-300", ResetKind::DelaySeconds, None),
            ("", ResetKind::Duration, None),
            ("5", ResetKind::DelaySeconds, Some(Duration::from_secs(5))),
            (
                "250",
                ResetKind::DelayMillis,
                Some(Duration::from_millis(250)),
            ),
            ("6m0s", ResetKind::Duration, Some(Duration::from_secs(360))),
        ];
        for (value, kind, expected) in cases {
            assert_eq!(parse_reset(value, *kind), *expected, "{value} as {kind:?}");
        }
    }

    fn hint_of(pairs: &[(&str, &str)]) -> Option<Duration> {
        let config = ProviderConfig::new("t").rate_limit_headers(crate::RateLimitHeaders {
            limit: "",
            remaining: "x-remaining",
            reset: "x-reset",
            reset_kind: ResetKind::DelaySeconds,
        });
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        retry_hint(&config, &headers)
    }

    /// Issue 12: `Retry-After: 1e20` and `retry-after-ms: 1e30` panicked; a past date or `0`
    /// removed the backoff.
    #[test]
    fn hostile_retry_after_values_never_panic_and_are_clamped_or_ignored() {
        let day = Some(MAX_PROVIDER_WAIT);
        assert_eq!(hint_of(&[("retry-after", "1e20")]), day);
        assert_eq!(hint_of(&[("retry-after-ms", "1e30")]), day);
        assert_eq!(
            hint_of(&[("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT")]),
            day
        );
        for value in [
            "0",
            "-1",
            "NaN",
            "inf",
            "-inf",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "soon",
        ] {
            assert_eq!(
                hint_of(&[("retry-after", value)]),
                None,
                "retry-after: {value}"
            );
            assert_eq!(
                hint_of(&[("retry-after-ms", value)]),
                None,
                "retry-after-ms: {value}"
            );
        }
        // An unusable `retry-after-ms` falls back to `Retry-After`, and that to the reset.
        assert_eq!(
            hint_of(&[("retry-after-ms", "NaN"), ("retry-after", "3")]),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            hint_of(&[("retry-after", "0"), ("x-remaining", "0"), ("x-reset", "4")]),
            Some(Duration::from_secs(4))
        );
        // A `remaining` that is not a number does not say the window is spent.
        assert_eq!(hint_of(&[("x-remaining", "NaN"), ("x-reset", "4")]), None);
    }

    #[test]
    fn a_zero_hint_gives_the_backoff() {
        let p = RetryPolicy::default().jitter(Jitter::None);
        assert_eq!(
            p.delay(1, Some(Duration::ZERO)),
            Ok(Duration::from_millis(500))
        );
    }

    #[test]
    fn every_http_date_form_parses() {
        let expected = chrono::DateTime::parse_from_rfc3339("1994-11-06T08:49:37Z").unwrap();
        for value in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_http_date(value), Some(expected.to_utc()), "{value}");
        }
        assert_eq!(parse_http_date("soon"), None);
    }

    #[test]
    fn full_jitter_stays_below_the_backoff() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.delay(3, None).unwrap();
            assert!(d <= Duration::from_secs(2));
        }
    }
}
