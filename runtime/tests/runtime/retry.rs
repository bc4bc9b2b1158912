use std::time::Duration;

use sdkgen_runtime as rt;
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, client, config, get, hits, post};

fn exact() -> rt::RetryPolicy {
    rt::RetryPolicy::new()
        .jitter(rt::Jitter::None)
        .initial_backoff(Duration::from_secs(1))
}

async fn fail_then_succeed(
    server: &MockServer,
    status: u16,
    failures: u64,
    template: ResponseTemplate,
) {
    Mock::given(path("/x"))
        .respond_with(
            template
                .clone()
                .set_body_string("")
                .append_header("x-status", status.to_string()),
        )
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test(start_paused = true)]
async fn server_errors_are_retried_twice_by_default() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let err = client(&server).send(get("/x")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.api().unwrap().retryable);
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test(start_paused = true)]
async fn every_retryable_status_is_retried() {
    for status in [408u16, 409, 429, 500, 502, 503, 504] {
        let server = MockServer::start().await;
        fail_then_succeed(&server, status, 1, ResponseTemplate::new(status)).await;
        let resp = client(&server).send(get("/x")).await;
        assert!(resp.is_ok(), "status {status} should be retried");
        assert_eq!(hits(&server).await, 2, "status {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn other_client_errors_are_not_retried() {
    for status in [400u16, 401, 403, 404, 422] {
        let server = MockServer::start().await;
        Mock::given(path("/x"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let err = client(&server).send(get("/x")).await.unwrap_err();
        assert!(!err.is_retryable());
        assert_eq!(hits(&server).await, 1, "status {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_doubles_between_attempts() {
    let server = MockServer::start().await;
    fail_then_succeed(&server, 503, 2, ResponseTemplate::new(503)).await;
    let c = builder(config(), &server).retry(exact()).build().unwrap();
    let start = Instant::now();
    c.send(get("/x")).await.unwrap();
    assert_eq!(start.elapsed().as_secs(), 3, "1 s then 2 s");
}

#[tokio::test(start_paused = true)]
async fn full_jitter_never_waits_longer_than_the_backoff() {
    let server = MockServer::start().await;
    fail_then_succeed(&server, 503, 2, ResponseTemplate::new(503)).await;
    let c = builder(config(), &server)
        .retry(rt::RetryPolicy::new().initial_backoff(Duration::from_secs(1)))
        .build()
        .unwrap();
    let start = Instant::now();
    c.send(get("/x")).await.unwrap();
    assert!(start.elapsed() <= Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_honoured() {
    let server = MockServer::start().await;
    fail_then_succeed(
        &server,
        429,
        1,
        ResponseTemplate::new(429).insert_header("retry-after", "7"),
    )
    .await;
    let start = Instant::now();
    client(&server).send(get("/x")).await.unwrap();
    assert_eq!(start.elapsed().as_secs(), 7);
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start().await;
    let at = chrono::Utc::now() + chrono::Duration::seconds(5);
    let date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    fail_then_succeed(
        &server,
        503,
        1,
        ResponseTemplate::new(503).insert_header("retry-after", date.as_str()),
    )
    .await;
    let start = Instant::now();
    client(&server).send(get("/x")).await.unwrap();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited <= Duration::from_secs(5),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_ms_is_honoured() {
    let server = MockServer::start().await;
    fail_then_succeed(
        &server,
        429,
        1,
        ResponseTemplate::new(429).insert_header("retry-after-ms", "1500"),
    )
    .await;
    let start = Instant::now();
    client(&server).send(get("/x")).await.unwrap();
    assert_eq!(start.elapsed().as_millis(), 1500);
}

#[tokio::test(start_paused = true)]
async fn reset_header_is_the_hint_for_a_throttled_call() {
    let server = MockServer::start().await;
    let cfg = config().rate_limit_headers(rt::RateLimitHeaders {
        limit: "x-ratelimit-limit",
        remaining: "x-ratelimit-remaining",
        reset: "x-ratelimit-reset",
        reset_kind: rt::ResetKind::DelaySeconds,
    });
    fail_then_succeed(
        &server,
        429,
        1,
        ResponseTemplate::new(429)
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", "4"),
    )
    .await;
    let c = builder(cfg, &server).build().unwrap();
    let start = Instant::now();
    c.send(get("/x")).await.unwrap();
    assert_eq!(start.elapsed().as_secs(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_wait_longer_than_the_maximum_fails_fast_with_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .mount(&server)
        .await;
    let start = Instant::now();
    let err = client(&server).send(get("/x")).await.unwrap_err();
    match &err {
        rt::Error::RateLimited { wait, .. } => assert_eq!(*wait, Duration::from_secs(120)),
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(hits(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn post_without_idempotency_key_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = client(&server).send(post("/x")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(hits(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn the_same_idempotency_key_is_sent_on_every_attempt() {
    let server = MockServer::start().await;
    fail_then_succeed(&server, 503, 2, ResponseTemplate::new(503)).await;
    let c = builder(config().idempotency_header("Idempotency-Key"), &server)
        .build()
        .unwrap();
    c.send(post("/x")).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    let keys: Vec<_> = requests
        .iter()
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let key = uuid::Uuid::parse_str(&keys[0]).unwrap();
    assert_eq!(key.get_version_num(), 4, "a UUID v4");
    assert!(keys.iter().all(|k| *k == keys[0]));
}

#[tokio::test(start_paused = true)]
async fn each_call_gets_its_own_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = builder(config().idempotency_header("Idempotency-Key"), &server)
        .build()
        .unwrap();
    c.send(post("/x")).await.unwrap();
    c.send(post("/x")).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_ne!(
        requests[0].headers.get("idempotency-key"),
        requests[1].headers.get("idempotency-key")
    );
}

#[tokio::test(start_paused = true)]
async fn a_caller_supplied_idempotency_key_is_sent_unchanged() {
    let server = MockServer::start().await;
    fail_then_succeed(&server, 500, 1, ResponseTemplate::new(500)).await;
    let c = builder(config().idempotency_header("Idempotency-Key"), &server)
        .build()
        .unwrap();
    c.send(post("/x").options(rt::RequestOptions::new().idempotency_key("order-42")))
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("idempotency-key").unwrap() == "order-42")
    );
}

#[tokio::test(start_paused = true)]
async fn a_get_does_not_get_an_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = builder(config().idempotency_header("Idempotency-Key"), &server)
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    assert!(
        server.received_requests().await.unwrap()[0]
            .headers
            .get("idempotency-key")
            .is_none()
    );
}

#[tokio::test(start_paused = true)]
async fn provider_signal_true_retries_a_bad_request() {
    let server = MockServer::start().await;
    fail_then_succeed(
        &server,
        400,
        1,
        ResponseTemplate::new(400).insert_header("stripe-should-retry", "true"),
    )
    .await;
    let c = builder(config().retry_signal_header("Stripe-Should-Retry"), &server)
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn provider_signal_false_stops_retrying_a_server_error() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(500).insert_header("x-should-retry", "false"))
        .mount(&server)
        .await;
    let c = builder(config().retry_signal_header("x-should-retry"), &server)
        .build()
        .unwrap();
    let err = c.send(get("/x")).await.unwrap_err();
    assert!(!err.is_retryable());
    assert_eq!(hits(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn disabled_retries_send_exactly_once() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap_err();
    assert_eq!(hits(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn per_request_retry_policy_overrides_the_client() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let c = client(&server);
    c.send(get("/x").options(rt::RequestOptions::new().retry(exact().max_retries(4))))
        .await
        .unwrap_err();
    assert_eq!(hits(&server).await, 5);
}

#[tokio::test(start_paused = true)]
async fn the_attempt_header_counts_attempts() {
    let server = MockServer::start().await;
    fail_then_succeed(&server, 502, 2, ResponseTemplate::new(502)).await;
    let c = builder(config().attempt_header("x-attempt"), &server)
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    let attempts: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers
                .get("x-attempt")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(attempts, ["1", "2", "3"]);
}

#[tokio::test(start_paused = true)]
async fn the_retry_budget_caps_retries_across_calls_and_clones() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .retry(exact().max_retries(3))
        .retry_budget(rt::RetryBudget::new(0.0, 2))
        .build()
        .unwrap();
    let clone = c.clone();
    for _ in 0..3 {
        c.send(get("/x")).await.unwrap_err();
        clone.send(get("/x")).await.unwrap_err();
    }
    assert_eq!(
        hits(&server).await,
        6 + 2,
        "six calls, two retries from the reserve"
    );
}

#[tokio::test(start_paused = true)]
async fn a_connection_refused_post_is_retried_because_it_was_never_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = rt::Client::builder(config())
        .base_url(format!("http://{addr}"))
        .reqwest_client(crate::common::http())
        .no_timeouts()
        .retry(exact())
        .build()
        .unwrap();
    let start = Instant::now();
    let err = c.send(post("/x")).await.unwrap_err();
    match err {
        rt::Error::Transport {
            may_have_been_sent, ..
        } => assert!(!may_have_been_sent),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(
        start.elapsed().as_secs(),
        3,
        "two retries with backoff 1 s and 2 s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_streaming_body_is_never_replayed() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let req =
        sdkgen_runtime::__private::Request::new(rt::http::Method::PUT, "upload", "/u", "/u".into())
            .body_stream("application/octet-stream", rt::reqwest::Body::from("data"));
    client(&server).send(req).await.unwrap_err();
    assert_eq!(hits(&server).await, 1);
}

// Real time: a pending timeout and paused time would fire the timeout while the
// successful second attempt waits for the server. The 1 s timeout is generous for an
// immediate answer on a loaded machine, and two retries absorb one more slow attempt.
#[tokio::test]
async fn an_attempt_that_times_out_is_retried() {
    let server = crate::common::private_server().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
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
        .timeout(Duration::from_secs(1))
        .retry(exact().initial_backoff(Duration::from_millis(10)))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn a_post_with_a_callers_idempotency_key_is_retried_even_without_provider_config() {
    let server = MockServer::start().await;
    fail_then_succeed(&server, 503, 1, ResponseTemplate::new(503)).await;
    // `config()` names no idempotency header: the standard `Idempotency-Key` is used.
    let c = client(&server);
    c.send(post("/x").options(rt::RequestOptions::new().idempotency_key("op-7")))
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("idempotency-key").unwrap() == "op-7")
    );
}

#[tokio::test(start_paused = true)]
async fn the_default_policy_is_two_retries_backing_off_from_half_a_second_to_eight_with_full_jitter()
 {
    let p = rt::RetryPolicy::default();
    assert_eq!(p.retries(), 2);
    let backoffs: Vec<_> = (1..=6).map(|n| p.backoff(n).as_millis()).collect();
    assert_eq!(backoffs, [500, 1000, 2000, 4000, 8000, 8000]);
    // Full jitter: a uniform wait in [0, backoff), so some waits differ.
    let waits: std::collections::BTreeSet<_> = (0..50).map(|_| p.delay(3, None).unwrap()).collect();
    assert!(waits.iter().all(|w| *w < Duration::from_secs(2)));
    assert!(waits.len() > 1);
    // Through a client: two retries after 503s take at most 0.5 s + 1 s.
    let server = MockServer::start().await;
    fail_then_succeed(&server, 503, 2, ResponseTemplate::new(503)).await;
    let start = Instant::now();
    client(&server).send(get("/x")).await.unwrap();
    assert!(start.elapsed() <= Duration::from_millis(1500));
    assert_eq!(hits(&server).await, 3);
}

#[test]
fn classification_says_why_and_the_policy_says_how_long() {
    use rt::retry::{Outcome, RetryClass, classify};
    let cfg = config().retry_signal_header("x-should-retry");
    let mut headers = rt::http::HeaderMap::new();
    headers.insert("retry-after", "3".parse().unwrap());
    let throttled = classify(
        &cfg,
        Outcome::Response {
            status: rt::http::StatusCode::TOO_MANY_REQUESTS,
            headers: &headers,
        },
    );
    assert_eq!(throttled.class, RetryClass::Throttled);
    assert_eq!(throttled.hint, Some(Duration::from_secs(3)));
    let none = rt::http::HeaderMap::new();
    let status = |code: u16| {
        classify(
            &cfg,
            Outcome::Response {
                status: rt::http::StatusCode::from_u16(code).unwrap(),
                headers: &none,
            },
        )
        .class
    };
    assert_eq!(status(409), RetryClass::Transient);
    assert_eq!(status(502), RetryClass::ServerError);
    assert_eq!(status(404), RetryClass::DoNotRetry);
    assert_eq!(
        classify(&cfg, Outcome::Transport).class,
        RetryClass::Transient
    );
    assert_eq!(
        classify(&cfg, Outcome::Timeout).class,
        RetryClass::Transient
    );

    // The same classification, two policies: the hint wins over backoff, up to max_wait.
    let policy = rt::RetryPolicy::new();
    assert_eq!(policy.delay(1, throttled.hint), Ok(Duration::from_secs(3)));
    let impatient = policy.max_wait(Duration::from_secs(2));
    assert_eq!(
        impatient.delay(1, throttled.hint),
        Err(Duration::from_secs(3))
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_storm_adds_at_most_about_twenty_percent_load_with_the_default_budget() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let c = builder(config(), &server).retry(exact()).build().unwrap();
    for _ in 0..100 {
        c.send(get("/x")).await.unwrap_err();
    }
    // Without a budget: 300 requests. With it: 100 calls, the reserve of 10 and 20% of 100.
    let total = hits(&server).await;
    assert!((125..=130).contains(&total), "{total}");
}

#[tokio::test(start_paused = true)]
async fn a_hint_of_exactly_the_maximum_is_waited_out() {
    let server = MockServer::start().await;
    fail_then_succeed(
        &server,
        429,
        1,
        ResponseTemplate::new(429).insert_header("retry-after", "60"),
    )
    .await;
    let start = Instant::now();
    client(&server).send(get("/x")).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

/// Issue 12: `Retry-After: 1e20` panicked the caller's task ("cannot convert float seconds
/// to Duration"). It is a wait far beyond `max_wait`: fail fast, with the wait.
#[tokio::test(start_paused = true)]
async fn a_huge_retry_after_fails_fast_instead_of_panicking() {
    for (name, value) in [("retry-after", "1e20"), ("retry-after-ms", "1e30")] {
        let server = MockServer::start().await;
        Mock::given(path("/x"))
            .respond_with(ResponseTemplate::new(429).insert_header(name, value))
            .mount(&server)
            .await;
        let start = Instant::now();
        let err = client(&server).send(get("/x")).await.unwrap_err();
        match &err {
            rt::Error::RateLimited { wait, api } => {
                assert!(*wait >= Duration::from_secs(3600), "{name}: {wait:?}");
                assert_eq!(api.as_ref().map(|a| a.status.as_u16()), Some(429));
            }
            other => panic!("{name}: expected RateLimited, got {other:?}"),
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "{name}");
        assert_eq!(hits(&server).await, 1, "{name}");
    }
}

/// Issue 12: a `Retry-After` in the past, or `0`, removed the backoff (a 429 dated 1994
/// got 3 attempts in 6 ms). Such a hint, or one that is not a number, is no hint.
#[tokio::test(start_paused = true)]
async fn a_retry_after_in_the_past_zero_or_invalid_keeps_the_backoff() {
    for value in [
        "0",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "-3",
        "NaN",
        "inf",
        "soon",
    ] {
        let server = MockServer::start().await;
        fail_then_succeed(
            &server,
            429,
            2,
            ResponseTemplate::new(429).insert_header("retry-after", value),
        )
        .await;
        let c = builder(config(), &server).retry(exact()).build().unwrap();
        let start = Instant::now();
        c.send(get("/x")).await.unwrap();
        // 1 s then 2 s: the policy's own backoff.
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(3),
            "retry-after: {value}"
        );
        assert_eq!(hits(&server).await, 3, "retry-after: {value}");
    }
}

/// The `header_waits` fuzz target's check, over inputs built from the pieces hostile
/// headers are made of, so that every run of the tests fuzzes a little. Deterministic
/// (a fixed seed) and bounded (a fixed count of short inputs).
#[test]
fn header_wait_parsers_hold_their_promises_over_generated_inputs() {
    const PIECES: &[&str] = &[
        "0",
        "1",
        "9",
        "60",
        "-",
        "+",
        ".",
        "e",
        "E",
        "1e20",
        "1e30",
        "1e308",
        "1e400",
        "inf",
        "-inf",
        "NaN",
        "h",
        "m",
        "s",
        "ms",
        "us",
        "µs",
        "ns",
        "6m0s",
        "99999999999999999999",
        " ",
        "GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "\u{ff}",
        ",",
        "1.5",
        "0.000001",
        "4294967296",
        "18446744073709551616",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // xorshift64*: enough to mix the pieces; not for anything secret.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    for _ in 0..20_000 {
        let mut data = vec![(next() % 256) as u8];
        for _ in 0..(next() % 5) {
            let r = next();
            if r % 7 == 0 {
                data.push((r >> 8) as u8);
            } else {
                let piece = PIECES[(r >> 8) as usize % PIECES.len()];
                data.extend_from_slice(piece.as_bytes());
            }
        }
        if let Err(broken) = rt::__private::check_header_waits(&data) {
            panic!("{broken} (input {data:?})");
        }
    }
}
