//! Rate limiting: the proactive brake.
//!
//! Retries react to throttling after the fact; a rate limiter avoids it. Four pieces,
//! each optional and each shared by every clone of a client:
//!
//! - [`TokenBucket`] (configured by [`RateLimit`]): `rate` requests per second with bursts
//!   up to `burst`. Waiters are served first come, first served — a tokio mutex queues
//!   them fairly and the head of the queue sleeps until its token is due — so no caller
//!   starves under contention.
//! - An adaptive pause driven by the provider's `remaining`/`reset` headers
//!   ([`RateLimitHeaders`]): when the provider says `remaining: 0`,
//!   every caller waits until the reset instead of spending requests on 429s — if the
//!   reset is within the retry policy's `max_wait` and the call's total timeout; otherwise
//!   the call fails at once with `Error::RateLimited` and the wait.
//! - A concurrency limit (a semaphore held for each attempt), off by default
//!   (`ClientBuilder::concurrency_limit`): useful when the provider limits concurrent
//!   requests rather than their rate.
//! - A [`CircuitBreaker`], off by default (its `Default` is 5 consecutive failures and a
//!   30 s cool-down): after consecutive failures it rejects calls at once for the
//!   cool-down, then lets one half-open probe through, so a dead provider costs nothing.
//!
//! [`RateLimiter`] is the extension point for other algorithms (e.g. a limiter shared
//! across processes).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::Instant;

use crate::config::RateLimitHeaders;

/// A pluggable proactive limiter. `acquire` resolves when one request may be sent.
pub trait RateLimiter: Send + Sync + 'static {
    /// Wait until one request may be sent.
    fn acquire(&self) -> BoxFuture<'_, ()>;
}

impl<T: RateLimiter + ?Sized> RateLimiter for Arc<T> {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        (**self).acquire()
    }
}

/// A rate: `rate` requests per second, with bursts of up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    rate: f64,
    burst: u32,
}

impl RateLimit {
    fn per(count: f64, seconds: f64) -> Self {
        let count = if count.is_finite() && count > 0.0 {
            count
        } else {
            0.0
        };
        RateLimit {
            rate: count / seconds,
            burst: (count.ceil() as u32).max(1),
        }
    }

    /// `n` requests per second; the burst defaults to `n`.
    pub fn per_second(n: f64) -> Self {
        Self::per(n, 1.0)
    }

    /// `n` requests per minute; the burst defaults to `n`.
    pub fn per_minute(n: f64) -> Self {
        Self::per(n, 60.0)
    }

    /// `n` requests per hour; the burst defaults to `n`.
    pub fn per_hour(n: f64) -> Self {
        Self::per(n, 3600.0)
    }

    /// The largest number of requests sent back to back (at least 1).
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    pub(crate) fn is_valid(&self) -> bool {
        self.rate.is_finite() && self.rate > 0.0
    }
}

#[derive(Debug)]
struct BucketState {
    tokens: f64,
    last: Instant,
}

/// A token bucket with FIFO-fair waiters.
#[derive(Debug)]
pub struct TokenBucket {
    limit: RateLimit,
    state: tokio::sync::Mutex<BucketState>,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: RateLimit) -> Self {
        TokenBucket {
            limit,
            state: tokio::sync::Mutex::new(BucketState {
                tokens: f64::from(limit.burst),
                last: Instant::now(),
            }),
        }
    }

    /// Take a token now if one is available and nobody is queued; `false` otherwise.
    fn try_take_now(&self) -> bool {
        // A held lock means a caller is waiting for a token: queue behind it (FIFO).
        let Ok(mut state) = self.state.try_lock() else {
            return false;
        };
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(state.last).as_secs_f64();
        state.tokens = (state.tokens + elapsed * self.limit.rate).min(f64::from(self.limit.burst));
        state.last = now;
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Wait for one token.
    pub async fn take(&self) {
        // tokio's mutex queues waiters in FIFO order; the holder sleeps until its token is
        // due, so tokens are handed out in arrival order.
        let mut state = self.state.lock().await;
        let burst = f64::from(self.limit.burst);
        let refill = |state: &mut BucketState| {
            let now = Instant::now();
            let elapsed = now.saturating_duration_since(state.last).as_secs_f64();
            state.tokens = (state.tokens + elapsed * self.limit.rate).min(burst);
            state.last = now;
        };
        refill(&mut state);
        if state.tokens < 1.0 {
            let wait = Duration::from_secs_f64((1.0 - state.tokens) / self.limit.rate);
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "rate limiter: waiting for a token"
            );
            tokio::time::sleep(wait).await;
            refill(&mut state);
        }
        state.tokens = (state.tokens - 1.0).max(0.0);
    }
}

impl RateLimiter for TokenBucket {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.acquire_now_or_wait())
    }
}

impl TokenBucket {
    /// Take a token, at once when one is free and nobody is queued.
    async fn acquire_now_or_wait(&self) {
        if !self.try_take_now() {
            self.take().await;
        }
    }
}

/// The client's proactive limiter: the built-in bucket is called directly, so that the
/// common case (a token is free) costs no boxed future; a custom limiter goes through
/// its trait object.
pub(crate) enum Limiter {
    Bucket(TokenBucket),
    Custom(Arc<dyn RateLimiter>),
}

impl Limiter {
    /// Wait until one request may be sent.
    pub(crate) async fn acquire(&self) {
        match self {
            Limiter::Bucket(bucket) => bucket.acquire_now_or_wait().await,
            Limiter::Custom(limiter) => limiter.acquire().await,
        }
    }
}

/// Pauses every caller while the provider reports an exhausted window.
///
/// A pause is a provider-requested wait like `Retry-After`, so it has the same ceiling: a
/// call that would have to wait longer than its retry policy's `max_wait`, or past its
/// total timeout, fails at once with `Error::RateLimited` carrying the wait, instead of
/// hanging (with the default builder, which has no total timeout, for up to an hour).
#[derive(Debug, Default)]
pub(crate) struct AdaptivePause {
    paused_until: Mutex<Option<Instant>>,
}

/// The longest pause a reset header can set. A reset further away is most likely a
/// misread header or a skewed clock, and every call on the client fails fast while a
/// pause longer than its `max_wait` is in force, so a bad header should not stop the
/// client for longer than this.
const MAX_PAUSE: Duration = Duration::from_secs(3600);

impl AdaptivePause {
    /// Wait out any pause in force, or `Err(wait)` at once when it lasts longer than
    /// `max_wait` or beyond `deadline`.
    pub(crate) async fn wait(
        &self,
        max_wait: Duration,
        deadline: Option<Instant>,
    ) -> Result<(), Duration> {
        // Bounded: each turn sleeps until the pause in force ends; another turn happens
        // only if another caller extended it meanwhile, and the check above it fails fast
        // once the total wait would be too long.
        loop {
            let until = self.paused_until.lock().ok().and_then(|g| *g);
            let now = Instant::now();
            match until {
                Some(until) if until > now => {
                    let wait = until - now;
                    if wait > max_wait || deadline.is_some_and(|d| until > d) {
                        tracing::warn!(
                            wait_ms = wait.as_millis() as u64,
                            "rate limit exhausted for longer than the call may wait; failing fast"
                        );
                        return Err(wait);
                    }
                    tracing::info!(
                        wait_ms = wait.as_millis() as u64,
                        "rate limit exhausted: waiting for the window to reset"
                    );
                    tokio::time::sleep_until(until).await;
                }
                _ => return Ok(()),
            }
        }
    }

    /// Pause every caller for `wait` (extending, never shortening, a pause in force).
    pub(crate) fn pause_for(&self, wait: Duration) {
        let Some(until) = Instant::now().checked_add(wait.min(MAX_PAUSE)) else {
            return;
        };
        if let Ok(mut guard) = self.paused_until.lock() {
            if guard.is_none_or(|current| current < until) {
                *guard = Some(until);
            }
        }
    }

    /// Read the provider's rate-limit headers.
    pub(crate) fn observe(&self, config: &RateLimitHeaders, headers: &http::HeaderMap) {
        let text = |name: &str| {
            (!name.is_empty())
                .then(|| headers.get(name))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let Some(remaining) = text(config.remaining).and_then(|v| v.parse::<f64>().ok()) else {
            return;
        };
        if !crate::retry::is_spent(remaining) {
            return;
        }
        if let Some(wait) =
            text(config.reset).and_then(|v| crate::retry::parse_reset(v, config.reset_kind))
        {
            self.pause_for(wait);
        }
    }
}

/// A circuit breaker, off by default.
///
/// After `failure_threshold` consecutive failed attempts (transport errors, timeouts, 5xx)
/// the breaker *opens*: calls fail at once with `Error::CircuitOpen` for `cooldown`, so a
/// dead provider costs nothing and gets room to recover. After the cool-down it is
/// *half-open*: exactly one call is let through as a probe while every other caller keeps
/// failing fast. A successful probe closes the breaker; a failed one opens it for another
/// cool-down. A probe whose call is dropped before it finishes lets the next caller probe.
///
/// [`CircuitBreaker::default`] opens after 5 consecutive failures for a 30 s cool-down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitBreaker {
    failure_threshold: u32,
    cooldown: Duration,
}

impl Default for CircuitBreaker {
    /// 5 consecutive failures, 30 s cool-down.
    fn default() -> Self {
        CircuitBreaker::new(5, Duration::from_secs(30))
    }
}

impl CircuitBreaker {
    /// Open after `failure_threshold` (at least 1) consecutive failures, for `cooldown`.
    pub fn new(failure_threshold: u32, cooldown: Duration) -> Self {
        CircuitBreaker {
            failure_threshold: failure_threshold.max(1),
            cooldown,
        }
    }
}

#[derive(Debug, Default)]
struct BreakerState {
    consecutive_failures: u32,
    /// `Some` while open or half-open: the end of the cool-down.
    open_until: Option<Instant>,
    /// Half-open and the single probe is in flight.
    probing: bool,
}

#[derive(Debug)]
pub(crate) struct Breaker {
    config: CircuitBreaker,
    state: Mutex<BreakerState>,
}

/// Permission to send one attempt. Report its outcome with [`Admission::record`]; an
/// admission dropped unrecorded (a cancelled call) frees the probe slot.
pub(crate) struct Admission<'a> {
    breaker: &'a Breaker,
    probe: bool,
}

impl Admission<'_> {
    pub(crate) fn record(mut self, success: bool) {
        let probe = std::mem::replace(&mut self.probe, false);
        self.breaker.record(success, probe);
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        if self.probe {
            if let Ok(mut state) = self.breaker.state.lock() {
                state.probing = false;
            }
        }
    }
}

impl Breaker {
    pub(crate) fn new(config: CircuitBreaker) -> Self {
        Breaker {
            config,
            state: Mutex::new(BreakerState::default()),
        }
    }

    /// `Err(retry_in)` while open, or while half-open with the probe in flight (zero).
    pub(crate) fn check(&self) -> Result<Admission<'_>, Duration> {
        let now = Instant::now();
        let Ok(mut state) = self.state.lock() else {
            return Ok(Admission {
                breaker: self,
                probe: false,
            });
        };
        match state.open_until {
            None => Ok(Admission {
                breaker: self,
                probe: false,
            }),
            Some(until) if until > now => Err(until - now),
            Some(_) if state.probing => Err(Duration::ZERO),
            Some(_) => {
                tracing::info!("circuit breaker half-open: sending one probe");
                state.probing = true;
                Ok(Admission {
                    breaker: self,
                    probe: true,
                })
            }
        }
    }

    fn record(&self, success: bool, probe: bool) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if probe {
            state.probing = false;
        }
        if success {
            if state.open_until.is_some() {
                tracing::info!("circuit breaker closed");
            }
            state.consecutive_failures = 0;
            state.open_until = None;
            return;
        }
        state.consecutive_failures = state.consecutive_failures.saturating_add(1);
        let reopen = probe && state.open_until.is_some();
        if reopen || state.consecutive_failures >= self.config.failure_threshold {
            tracing::warn!(
                failures = state.consecutive_failures,
                cooldown_ms = self.config.cooldown.as_millis() as u64,
                "circuit breaker opened"
            );
            state.open_until = Some(Instant::now() + self.config.cooldown);
        }
    }
}
