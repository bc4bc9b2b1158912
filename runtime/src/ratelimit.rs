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
//!   every caller waits until the reset instead of spending requests on 429s.
//! - A concurrency limit (a semaphore held for each attempt).
//! - A [`CircuitBreaker`], off by default: after consecutive failures it rejects calls at
//!   once for a cool-down period, so a dead provider costs nothing.
//!
//! [`RateLimiter`] is the extension point for other algorithms (e.g. a limiter shared
//! across processes).

use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::Instant;

use crate::config::RateLimitHeaders;

/// A pluggable proactive limiter. `acquire` resolves when one request may be sent.
pub trait RateLimiter: Send + Sync + 'static {
    /// Wait until one request may be sent.
    fn acquire(&self) -> BoxFuture<'_, ()>;
}

impl<T: RateLimiter + ?Sized> RateLimiter for std::sync::Arc<T> {
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
        Box::pin(self.take())
    }
}

/// Pauses every caller while the provider reports an exhausted window.
#[derive(Debug, Default)]
pub(crate) struct AdaptivePause {
    paused_until: Mutex<Option<Instant>>,
}

impl AdaptivePause {
    /// Wait out any pause in force.
    pub(crate) async fn wait(&self) {
        loop {
            let until = self.paused_until.lock().ok().and_then(|g| *g);
            match until {
                Some(until) if until > Instant::now() => {
                    tracing::info!(
                        wait_ms =
                            until.saturating_duration_since(Instant::now()).as_millis() as u64,
                        "rate limit exhausted: waiting for the window to reset"
                    );
                    tokio::time::sleep_until(until).await;
                }
                _ => return,
            }
        }
    }

    /// Pause every caller for `wait` (extending, never shortening, a pause in force).
    pub(crate) fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
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
        if remaining > 0.0 {
            return;
        }
        if let Some(wait) =
            text(config.reset).and_then(|v| crate::retry::parse_reset(v, config.reset_kind))
        {
            // Never trust a reset absurdly far away (clock skew, misread header).
            self.pause_for(wait.min(Duration::from_secs(3600)));
        }
    }
}

/// A circuit breaker: after `failure_threshold` consecutive failed calls (transport errors,
/// timeouts, 5xx), calls fail at once with `Error::CircuitOpen` for `cooldown`; then trial
/// calls go through, and one success closes it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitBreaker {
    failure_threshold: u32,
    cooldown: Duration,
}

impl CircuitBreaker {
    /// Open after `failure_threshold` consecutive failures, for `cooldown`.
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
    open_until: Option<Instant>,
}

#[derive(Debug)]
pub(crate) struct Breaker {
    config: CircuitBreaker,
    state: Mutex<BreakerState>,
}

impl Breaker {
    pub(crate) fn new(config: CircuitBreaker) -> Self {
        Breaker {
            config,
            state: Mutex::new(BreakerState::default()),
        }
    }

    /// `Err(retry_in)` while open.
    pub(crate) fn check(&self) -> Result<(), Duration> {
        let now = Instant::now();
        match self.state.lock().ok().and_then(|s| s.open_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    pub(crate) fn record(&self, success: bool) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if success {
            state.consecutive_failures = 0;
            state.open_until = None;
        } else {
            state.consecutive_failures = state.consecutive_failures.saturating_add(1);
            if state.consecutive_failures >= self.config.failure_threshold {
                tracing::warn!(
                    failures = state.consecutive_failures,
                    cooldown_ms = self.config.cooldown.as_millis() as u64,
                    "circuit breaker opened"
                );
                state.open_until = Some(Instant::now() + self.config.cooldown);
            }
        }
    }
}
