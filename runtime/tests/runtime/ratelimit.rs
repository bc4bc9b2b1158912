use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdkgen_runtime as rt;
use tokio::time::Instant;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, config, get, hits};

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    server
}

#[tokio::test(start_paused = true)]
async fn hundred_calls_through_a_ten_per_second_bucket_take_nine_to_ten_seconds() {
    let server = ok_server().await;
    let c = builder(config(), &server)
        .rate_limit(rt::RateLimit::per_second(10.0).burst(1))
        .build()
        .unwrap();
    let start = Instant::now();
    let calls = (0..100).map(|_| {
        let c = c.clone();
        async move { c.send(get("/x")).await.map(|_| ()) }
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(9) && took <= Duration::from_secs(10),
        "{took:?}"
    );
    assert_eq!(hits(&server).await, 100);
}

#[tokio::test(start_paused = true)]
async fn a_burst_is_sent_at_once_and_the_rest_at_the_rate() {
    let server = ok_server().await;
    let c = builder(config(), &server)
        .rate_limit(rt::RateLimit::per_second(5.0).burst(5))
        .build()
        .unwrap();
    let start = Instant::now();
    for _ in 0..5 {
        c.send(get("/x")).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    for _ in 0..5 {
        c.send(get("/x")).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn clones_share_one_bucket() {
    let server = ok_server().await;
    let a = builder(config(), &server)
        .rate_limit(rt::RateLimit::per_second(2.0).burst(1))
        .build()
        .unwrap();
    let b = a.clone();
    let start = Instant::now();
    for _ in 0..3 {
        a.send(get("/x")).await.unwrap();
        b.send(get("/x")).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::from_millis(2500));
}

#[tokio::test(start_paused = true)]
async fn the_provider_default_rate_limit_applies_unless_disabled() {
    let server = ok_server().await;
    let cfg = config().rate_limit(rt::RateLimit::per_second(1.0).burst(1));
    let limited = builder(cfg.clone(), &server).build().unwrap();
    let start = Instant::now();
    for _ in 0..3 {
        limited.send(get("/x")).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    let free = builder(cfg, &server).no_rate_limit().build().unwrap();
    let start = Instant::now();
    for _ in 0..3 {
        free.send(get("/x")).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn waiters_are_served_in_arrival_order() {
    let bucket = Arc::new(rt::ratelimit::TokenBucket::new(
        rt::RateLimit::per_second(1.0).burst(1),
    ));
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for i in 0..5 {
        let (bucket, order) = (bucket.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            bucket.take().await;
            order.lock().unwrap().push(i);
        }));
        // Let the task reach the queue before the next one starts.
        tokio::task::yield_now().await;
        tokio::task::yield_now().await;
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4]);
}

fn rate_headers(kind: rt::ResetKind) -> rt::ProviderConfig {
    config().rate_limit_headers(rt::RateLimitHeaders {
        limit: "x-ratelimit-limit",
        remaining: "x-ratelimit-remaining",
        reset: "x-ratelimit-reset",
        reset_kind: kind,
    })
}

#[tokio::test(start_paused = true)]
async fn remaining_zero_pauses_until_reset() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-limit", "60")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "5"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).insert_header("x-ratelimit-remaining", "59"))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = builder(rate_headers(rt::ResetKind::DelaySeconds), &server)
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    let start = Instant::now();
    // Every caller, on every clone, waits for the reset.
    let c2 = c.clone();
    let (a, b) = tokio::join!(c.send(get("/x")), c2.send(get("/x")));
    a.unwrap();
    b.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    let start = Instant::now();
    c.send(get("/x")).await.unwrap();
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "remaining > 0 does not pause"
    );
}

#[tokio::test(start_paused = true)]
async fn an_epoch_reset_header_pauses_until_that_time() {
    let server = MockServer::start().await;
    let reset = chrono::Utc::now().timestamp() + 10;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
        )
        .mount(&server)
        .await;
    let c = builder(rate_headers(rt::ResetKind::EpochSeconds), &server)
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    let start = Instant::now();
    c.send(get("/x")).await.unwrap();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(8) && waited <= Duration::from_secs(10),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_go_style_reset_duration_is_understood() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "1m30s"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    // 90 s is longer than the default `max_wait` (60 s), beyond which a call fails fast.
    let c = builder(rate_headers(rt::ResetKind::Duration), &server)
        .retry(rt::RetryPolicy::new().max_wait(Duration::from_secs(120)))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    let start = Instant::now();
    c.send(get("/x")).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(90));
}

struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl rt::Interceptor for InFlight {
    fn before_send<'a>(
        &'a self,
        _ctx: &'a rt::AttemptContext,
        _request: &'a mut rt::reqwest::Request,
    ) -> futures::future::BoxFuture<'a, Result<(), rt::Error>> {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
        Box::pin(std::future::ready(Ok(())))
    }

    fn after_attempt(&self, _ctx: &rt::AttemptContext, _outcome: &rt::AttemptOutcome<'_>) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

// Real time: in-flight overlap needs the server's (short) delay to elapse.
#[tokio::test]
async fn the_concurrency_limit_caps_attempts_in_flight() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(50)))
        .mount(&server)
        .await;
    let gauge = Arc::new(InFlight {
        now: AtomicUsize::new(0),
        max: AtomicUsize::new(0),
    });
    let c = builder(config(), &server)
        .concurrency_limit(2)
        .interceptor(gauge.clone())
        .build()
        .unwrap();
    let calls = (0..6).map(|_| c.send(get("/x")));
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    assert_eq!(gauge.max.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn the_circuit_breaker_opens_after_consecutive_failures_and_closes_after_a_success() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .retry(rt::RetryPolicy::disabled())
        .circuit_breaker(rt::CircuitBreaker::new(3, Duration::from_secs(30)))
        .build()
        .unwrap();
    for _ in 0..3 {
        assert!(c.send(get("/x")).await.unwrap_err().api().is_some());
    }
    match c.send(get("/x")).await.unwrap_err() {
        rt::Error::CircuitOpen { retry_in } => assert_eq!(retry_in, Duration::from_secs(30)),
        other => panic!("expected CircuitOpen, got {other:?}"),
    }
    assert_eq!(hits(&server).await, 3, "an open breaker sends nothing");
    tokio::time::sleep(Duration::from_secs(30)).await;
    c.send(get("/x")).await.unwrap();
    c.send(get("/x")).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn after_the_cooldown_one_half_open_probe_goes_through_and_its_failure_reopens() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .retry(rt::RetryPolicy::disabled())
        .circuit_breaker(rt::CircuitBreaker::new(2, Duration::from_secs(10)))
        .build()
        .unwrap();
    for _ in 0..2 {
        c.send(get("/x")).await.unwrap_err();
    }
    assert!(matches!(
        c.send(get("/x")).await.unwrap_err(),
        rt::Error::CircuitOpen { .. }
    ));
    tokio::time::sleep(Duration::from_secs(10)).await;

    // Half-open: the first caller probes; a caller arriving while it is in flight fails fast.
    let (probe, other) = tokio::join!(c.send(get("/x")), async {
        tokio::task::yield_now().await;
        c.send(get("/x")).await
    });
    assert_eq!(probe.unwrap_err().status().map(|s| s.as_u16()), Some(500));
    match other.unwrap_err() {
        rt::Error::CircuitOpen { retry_in } => assert_eq!(retry_in, Duration::ZERO),
        e => panic!("expected CircuitOpen while the probe is in flight, got {e:?}"),
    }
    assert_eq!(hits(&server).await, 3, "two failures and one probe");

    // The failed probe opened the breaker for another full cool-down.
    match c.send(get("/x")).await.unwrap_err() {
        rt::Error::CircuitOpen { retry_in } => assert_eq!(retry_in, Duration::from_secs(10)),
        e => panic!("expected CircuitOpen, got {e:?}"),
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    // This probe succeeds and closes the breaker: everyone goes through again.
    c.send(get("/x")).await.unwrap();
    let both = tokio::join!(c.send(get("/x")), c.send(get("/x")));
    both.0.unwrap();
    both.1.unwrap();
    assert_eq!(hits(&server).await, 6);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_probe_lets_the_next_caller_probe() {
    use futures::FutureExt as _;
    let server = crate::common::private_server().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .retry(rt::RetryPolicy::disabled())
        .circuit_breaker(rt::CircuitBreaker::new(1, Duration::from_secs(5)))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap_err();
    tokio::time::sleep(Duration::from_secs(5)).await;
    // Poll the probe once (it takes the probe slot) and drop it.
    assert!(c.send(get("/x")).now_or_never().is_none());
    c.send(get("/x")).await.unwrap();
}

#[test]
fn the_circuit_breaker_default_is_five_failures_and_thirty_seconds() {
    assert_eq!(
        rt::CircuitBreaker::default(),
        rt::CircuitBreaker::new(5, Duration::from_secs(30))
    );
}

#[tokio::test(start_paused = true)]
async fn the_circuit_breaker_is_off_by_default() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    for _ in 0..20 {
        assert!(c.send(get("/x")).await.unwrap_err().api().is_some());
    }
}

struct CountingLimiter(AtomicUsize);

impl rt::RateLimiter for CountingLimiter {
    fn acquire(&self) -> futures::future::BoxFuture<'_, ()> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(tokio::time::sleep(Duration::from_secs(1)))
    }
}

#[tokio::test(start_paused = true)]
async fn a_custom_limiter_is_consulted_before_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let limiter = Arc::new(CountingLimiter(AtomicUsize::new(0)));
    let c = builder(config(), &server)
        .rate_limiter(limiter.clone())
        .retry(rt::RetryPolicy::new().jitter(rt::Jitter::None))
        .build()
        .unwrap();
    let start = Instant::now();
    c.send(get("/x")).await.unwrap();
    assert_eq!(limiter.0.load(Ordering::SeqCst), 2);
    assert_eq!(start.elapsed(), Duration::from_millis(2500));
}

#[tokio::test(start_paused = true)]
async fn each_providers_rate_limit_header_names_are_read_from_the_config() {
    let now = chrono::Utc::now().timestamp();
    let providers = [
        // GitHub: X-RateLimit-*, reset as epoch seconds.
        (
            rt::RateLimitHeaders {
                limit: "X-RateLimit-Limit",
                remaining: "X-RateLimit-Remaining",
                reset: "X-RateLimit-Reset",
                reset_kind: rt::ResetKind::EpochSeconds,
            },
            (now + 30).to_string(),
            28..=30,
        ),
        // Twilio: X-Rate-Limit-*, reset as seconds.
        (
            rt::RateLimitHeaders {
                limit: "X-Rate-Limit-Limit",
                remaining: "X-Rate-Limit-Remaining",
                reset: "X-Rate-Limit-Reset",
                reset_kind: rt::ResetKind::DelaySeconds,
            },
            "7".to_owned(),
            7..=7,
        ),
        // OpenAI: x-ratelimit-*-requests, reset as a Go duration.
        (
            rt::RateLimitHeaders {
                limit: "x-ratelimit-limit-requests",
                remaining: "x-ratelimit-remaining-requests",
                reset: "x-ratelimit-reset-requests",
                reset_kind: rt::ResetKind::Duration,
            },
            "1m2s".to_owned(),
            62..=62,
        ),
    ];
    for (names, reset, expected) in providers {
        let server = MockServer::start().await;
        Mock::given(path("/x"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header(names.limit, "100")
                    .insert_header(names.remaining, "0")
                    .insert_header(names.reset, reset.as_str()),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/x"))
            .respond_with(ResponseTemplate::new(200))
            .with_priority(2)
            .mount(&server)
            .await;
        // OpenAI's 62 s is longer than the default `max_wait` (60 s).
        let c = builder(config().rate_limit_headers(names), &server)
            .retry(rt::RetryPolicy::new().max_wait(Duration::from_secs(120)))
            .build()
            .unwrap();
        c.send(get("/x")).await.unwrap();
        let start = Instant::now();
        c.send(get("/x")).await.unwrap();
        let waited = start.elapsed().as_secs();
        assert!(
            expected.contains(&waited),
            "{}: waited {waited} s",
            names.remaining
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_throttled_response_with_a_hint_pauses_the_other_callers_too() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "4"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = builder(config(), &server).build().unwrap();
    c.send(get("/x").options(rt::RequestOptions::new().retry(rt::RetryPolicy::disabled())))
        .await
        .unwrap_err();
    let start = Instant::now();
    c.clone().send(get("/x")).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(4));
    assert_eq!(
        hits(&server).await,
        2,
        "no request was spent on another 429"
    );
}

/// Issue 12: `remaining: 0` with `reset: 1e30` on a success panicked every call of every
/// provider that reads rate-limit headers.
#[tokio::test(start_paused = true)]
async fn a_huge_reset_on_a_success_does_not_panic_and_later_calls_fail_fast() {
    for (kind, reset) in [
        (rt::ResetKind::DelaySeconds, "1e30"),
        (rt::ResetKind::DelayMillis, "1e30"),
        (rt::ResetKind::EpochSeconds, "1e30"),
        (rt::ResetKind::Duration, "99999999999999999999h"),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/x"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-ratelimit-remaining", "0")
                    .insert_header("x-ratelimit-reset", reset),
            )
            .mount(&server)
            .await;
        let c = builder(rate_headers(kind), &server).build().unwrap();
        c.send(get("/x")).await.unwrap();
        let start = Instant::now();
        match c.send(get("/x")).await.unwrap_err() {
            rt::Error::RateLimited { wait, api } => {
                assert!(wait > Duration::from_secs(60), "{reset}: {wait:?}");
                assert!(api.is_none());
            }
            other => panic!("{reset}: expected RateLimited, got {other:?}"),
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "{reset}");
        assert_eq!(hits(&server).await, 1, "{reset}");
    }
}

/// Issue 12: a reset header asked every later call to wait up to an hour, although a
/// `Retry-After` above `max_wait` fails fast. Both ceilings now agree.
#[tokio::test(start_paused = true)]
async fn a_reset_longer_than_max_wait_fails_later_calls_fast_with_the_wait() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "600"),
        )
        .mount(&server)
        .await;
    let c = builder(rate_headers(rt::ResetKind::DelaySeconds), &server)
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    let start = Instant::now();
    match c.clone().send(get("/x")).await.unwrap_err() {
        rt::Error::RateLimited { wait, api: None } => {
            assert_eq!(wait, Duration::from_secs(600))
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(hits(&server).await, 1);
}

/// A pause that would outlast the call's total timeout fails at once with the wait,
/// rather than as a timeout after waiting. Real time: a total timeout is a timer pending
/// while the call waits on the network, which paused time would jump to.
#[tokio::test]
async fn a_pause_longer_than_the_total_timeout_fails_fast() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "40"),
        )
        .mount(&server)
        .await;
    let c = builder(rate_headers(rt::ResetKind::DelaySeconds), &server)
        .total_timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    let second = tokio::time::timeout(Duration::from_secs(20), c.send(get("/x")))
        .await
        .expect("the call returns");
    match second.unwrap_err() {
        rt::Error::RateLimited { wait, api: None } => {
            assert!(wait > Duration::from_secs(30), "{wait:?}")
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(hits(&server).await, 1);
}
