use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sdkgen_runtime as rt;
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, client, config, get, hits};

#[tokio::test]
async fn a_base_url_with_a_path_is_joined_with_the_operation_path() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = rt::Client::builder(config())
        .base_url(format!("{}/v1/", server.uri()))
        .build()
        .unwrap();
    c.send(get("/chat/completions")).await.unwrap();
}

#[tokio::test]
async fn server_variables_fill_the_default_base_url() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2/x"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = config()
        .default_base_url("http://{host}/api/{version}")
        .server_variable("version", "v1")
        .server_variable("host", "invalid.example");
    let host = server.uri().trim_start_matches("http://").to_owned();
    let c = rt::Client::builder(cfg)
        .server_variable("host", host)
        .server_variable("version", "v2")
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
}

#[test]
fn invalid_settings_are_reported_at_build() {
    let build = |b: rt::ClientBuilder| b.build().unwrap_err().to_string();
    assert!(build(rt::Client::builder(config())).contains("no base URL"));
    assert!(
        build(rt::Client::builder(config()).base_url("not a url")).contains("invalid base URL")
    );
    assert!(build(rt::Client::builder(config()).base_url("ftp://x")).contains("not an http"));
    let b = rt::Client::builder(config()).base_url("http://x");
    assert!(build(b.header("bad header", "v")).contains("header name"));
    let b = rt::Client::builder(config()).base_url("http://x");
    assert!(build(b.header("x-ok", "line\nbreak")).contains("header"));
    let b = rt::Client::builder(config().default_base_url("https://{region}.example.com"));
    assert!(build(b).contains("region"));
    let b = rt::Client::builder(config()).base_url("http://x");
    assert!(build(b.rate_limit(rt::RateLimit::per_second(0.0))).contains("rate limit"));
    let b = rt::Client::builder(config()).base_url("http://x");
    assert!(build(b.timeout(Duration::ZERO)).contains("timeout"));
    let b = rt::Client::builder(config()).base_url("http://x");
    assert!(build(b.concurrency_limit(0)).contains("concurrency"));
    let b = rt::Client::builder(config()).base_url("http://x");
    let bad_retry = rt::RetryPolicy::new()
        .initial_backoff(Duration::from_secs(10))
        .max_backoff(Duration::from_secs(1));
    assert!(build(b.retry(bad_retry)).contains("backoff"));
}

#[tokio::test]
async fn the_user_agent_names_the_crate_and_the_runtime() {
    let server = MockServer::start().await;
    let ua = format!(
        "test-sdk/1.2.3 sdkgen-runtime/{}",
        env!("CARGO_PKG_VERSION")
    );
    // The path too: wiremock servers are pooled, and every test client sends this agent.
    Mock::given(header("user-agent", ua.as_str()))
        .and(path("/user-agent"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).send(get("/user-agent")).await.unwrap();
}

#[tokio::test]
async fn default_and_version_headers_are_sent() {
    let server = MockServer::start().await;
    Mock::given(header("stripe-version", "2024-06-20"))
        .and(header("x-team", "blue"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(
        config().version_header("Stripe-Version", "2024-06-20"),
        &server,
    )
    .header("x-team", "blue")
    .build()
    .unwrap();
    c.send(get("/x")).await.unwrap();
}

#[tokio::test]
async fn an_existing_reqwest_client_is_used() {
    let server = MockServer::start().await;
    Mock::given(header("x-from-reqwest", "yes"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let mut headers = rt::http::HeaderMap::new();
    headers.insert("x-from-reqwest", "yes".parse().unwrap());
    let http = rt::reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let c = rt::Client::builder(config())
        .base_url(server.uri())
        .reqwest_client(http)
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
}

#[tokio::test]
async fn raw_access_exposes_status_headers_and_request_id() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("x-request-id", "req_1")
                .insert_header("x-extra", "e")
                .set_body_json(serde_json::json!({"id": 7})),
        )
        .mount(&server)
        .await;
    let raw = client(&server).send(get("/x")).await.unwrap();
    let body: serde_json::Value = rt::__private::decode_json(&raw).unwrap();
    let resp: rt::Response<serde_json::Value> = raw.into_response(body);
    assert_eq!(resp.status.as_u16(), 201);
    assert_eq!(resp.request_id.as_deref(), Some("req_1"));
    assert_eq!(resp.headers.get("x-extra").unwrap(), "e");
    assert_eq!(resp.body["id"], 7);
}

#[tokio::test(start_paused = true)]
async fn the_per_attempt_timeout_fails_a_slow_call() {
    let server = crate::common::private_server().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(60)))
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .timeout(Duration::from_secs(5))
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    match c.send(get("/x")).await.unwrap_err() {
        rt::Error::Timeout { kind, after } => {
            assert_eq!(kind, rt::error::TimeoutKind::Attempt);
            assert_eq!(after, Duration::from_secs(5));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn the_total_timeout_bounds_retries_and_waits() {
    let server = crate::common::private_server().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    // Backoff of 4 s, then 8 s: the second wait would end at 12 s.
    let c = builder(config(), &server)
        .total_timeout(Duration::from_secs(10))
        .retry(
            rt::RetryPolicy::new()
                .jitter(rt::Jitter::None)
                .initial_backoff(Duration::from_secs(4)),
        )
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    match c.send(get("/x")).await.unwrap_err() {
        rt::Error::Timeout { kind, .. } => assert_eq!(kind, rt::error::TimeoutKind::Total),
        other => panic!("expected a total timeout, got {other:?}"),
    }
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

/// A wait the provider asks for that would end after the call's deadline is not slept
/// through only to time out: the call fails at once, with the wait. Real time: paused time
/// would jump to the total timeout while the call waits on the network.
#[tokio::test]
async fn a_retry_after_beyond_the_total_timeout_fails_fast_with_the_wait() {
    let server = crate::common::private_server().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "30"))
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .total_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let result = tokio::time::timeout(Duration::from_secs(60), c.send(get("/x")))
        .await
        .expect("the call returns");
    match result.unwrap_err() {
        rt::Error::RateLimited { wait, api } => {
            assert_eq!(wait, Duration::from_secs(30));
            assert_eq!(api.map(|a| a.status.as_u16()), Some(503));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(hits(&server).await, 1);
}

#[derive(Default)]
struct Recorder {
    before: AtomicUsize,
    statuses: std::sync::Mutex<Vec<(u32, u16)>>,
}

impl rt::Interceptor for Recorder {
    fn before_send<'a>(
        &'a self,
        ctx: &'a rt::AttemptContext,
        request: &'a mut rt::reqwest::Request,
    ) -> futures::future::BoxFuture<'a, Result<(), rt::Error>> {
        self.before.fetch_add(1, Ordering::SeqCst);
        assert_eq!(ctx.path_template, "/things/{id}");
        let has_auth = request.headers().contains_key("authorization");
        request.headers_mut().insert(
            "x-intercepted",
            if has_auth { "after-auth" } else { "no-auth" }
                .parse()
                .unwrap(),
        );
        Box::pin(std::future::ready(Ok(())))
    }

    fn after_attempt(&self, ctx: &rt::AttemptContext, outcome: &rt::AttemptOutcome<'_>) {
        if let rt::AttemptOutcome::Response { status, .. } = outcome {
            self.statuses
                .lock()
                .unwrap()
                .push((ctx.attempt, status.as_u16()));
        }
    }
}

#[tokio::test(start_paused = true)]
async fn interceptors_run_after_auth_and_see_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(header("x-intercepted", "after-auth"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let recorder = Arc::new(Recorder::default());
    let c = builder(config(), &server)
        .auth(rt::Auth::bearer("t"))
        .interceptor(recorder.clone())
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    assert_eq!(recorder.before.load(Ordering::SeqCst), 2);
    assert_eq!(*recorder.statuses.lock().unwrap(), [(1, 503), (2, 200)]);
}

struct Veto;

impl rt::Interceptor for Veto {
    fn before_send<'a>(
        &'a self,
        _ctx: &'a rt::AttemptContext,
        _request: &'a mut rt::reqwest::Request,
    ) -> futures::future::BoxFuture<'a, Result<(), rt::Error>> {
        Box::pin(std::future::ready(Err(rt::Error::Auth {
            message: "vetoed".into(),
        })))
    }
}

#[tokio::test]
async fn an_interceptor_error_fails_the_call_without_sending() {
    let server = MockServer::start().await;
    let c = builder(config(), &server)
        .interceptor(Veto)
        .build()
        .unwrap();
    assert!(
        c.send(get("/x"))
            .await
            .unwrap_err()
            .to_string()
            .contains("vetoed")
    );
    assert_eq!(hits(&server).await, 0);
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_so_credentials_stay_home() {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let c = rt::Client::builder(config())
        .base_url(server.uri())
        .auth(rt::Auth::api_key_header("x-api-key", "KEY"))
        .build()
        .unwrap();
    let err = c.send(get("/x")).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status.as_u16(), 302);
    assert!(api.headers.get("location").is_some());
    assert_eq!(hits(&elsewhere).await, 0);
}

#[tokio::test]
async fn a_redirect_within_the_same_host_is_followed() {
    let server = MockServer::start().await;
    Mock::given(path("/old"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/new"))
        .mount(&server)
        .await;
    Mock::given(path("/new"))
        .and(header("x-api-key", "KEY"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = rt::Client::builder(config())
        .base_url(server.uri())
        .auth(rt::Auth::api_key_header("x-api-key", "KEY"))
        .build()
        .unwrap();
    c.send(get("/old")).await.unwrap();
}

#[derive(Debug)]
struct Generated(rt::Client);

impl From<rt::Client> for Generated {
    fn from(c: rt::Client) -> Self {
        Generated(c)
    }
}

#[test]
fn a_generated_client_type_can_be_built_directly() {
    let builder: rt::ClientBuilder<Generated> =
        rt::ClientBuilder::new(config().default_base_url("https://api.example.com/v1"));
    let generated = builder.build().unwrap();
    assert_eq!(generated.0.base_url(), "https://api.example.com/v1");
}

/// Counts attempts that ended without a response.
#[derive(Default)]
struct Counter {
    failed: AtomicUsize,
}

impl rt::Interceptor for Counter {
    fn after_attempt(&self, _ctx: &rt::AttemptContext, outcome: &rt::AttemptOutcome<'_>) {
        if let rt::AttemptOutcome::Failed(_) = outcome {
            self.failed.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// A listener whose accept queue is full, so that a new connection's SYN is dropped and
/// `connect` hangs (the kernel retransmits for minutes). The returned streams keep the
/// queue full and must live as long as the test.
fn unreachable_listener() -> (std::net::SocketAddr, impl Sized) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    // Connections that complete fill the queue; the first that times out proves it full.
    let fill: Vec<_> = (0..8)
        .map_while(|_| std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)).ok())
        .collect();
    (addr, (listener, fill))
}

#[tokio::test(start_paused = true)]
async fn a_connect_timeout_is_reported_and_even_a_post_is_retried_since_nothing_was_sent() {
    let (addr, _keep) = unreachable_listener();
    let attempts = Arc::new(Counter::default());
    let c = rt::Client::builder(config())
        .base_url(format!("http://{addr}"))
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(60))
        .retry(
            rt::RetryPolicy::new()
                .jitter(rt::Jitter::None)
                .initial_backoff(Duration::from_secs(1)),
        )
        .interceptor(attempts.clone())
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    match c.send(crate::common::post("/x")).await.unwrap_err() {
        rt::Error::Timeout { kind, after } => {
            assert_eq!(kind, rt::error::TimeoutKind::Connect);
            assert_eq!(after, Duration::from_secs(3));
        }
        other => panic!("expected a connect timeout, got {other:?}"),
    }
    assert_eq!(
        attempts.failed.load(Ordering::SeqCst),
        3,
        "a POST, retried twice"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(3 + 1 + 3 + 2 + 3));
}

#[tokio::test(start_paused = true)]
async fn the_attempt_timeout_bounds_each_attempt_and_the_total_timeout_the_whole_call() {
    let server = crate::common::private_server().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(600)))
        .mount(&server)
        .await;
    let attempts = Arc::new(Counter::default());
    let c = builder(config(), &server)
        .timeout(Duration::from_secs(5))
        .total_timeout(Duration::from_secs(12))
        .retry(
            rt::RetryPolicy::new()
                .jitter(rt::Jitter::None)
                .initial_backoff(Duration::from_secs(1)),
        )
        .interceptor(attempts.clone())
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    match c.send(get("/x")).await.unwrap_err() {
        rt::Error::Timeout { kind, after } => {
            assert_eq!(kind, rt::error::TimeoutKind::Total);
            assert_eq!(after, Duration::from_secs(12));
        }
        other => panic!("expected the total timeout, got {other:?}"),
    }
    // 0–5 s first attempt, 1 s backoff, 6–11 s second attempt, then the 2 s backoff is cut
    // short by the total timeout at 12 s.
    assert_eq!(attempts.failed.load(Ordering::SeqCst), 2);
    assert_eq!(start.elapsed(), Duration::from_secs(12));
}

#[tokio::test(start_paused = true)]
async fn a_per_request_timeout_overrides_the_client_timeout() {
    let server = crate::common::private_server().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(600)))
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .timeout(Duration::from_secs(60))
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let req = get("/x").options(rt::RequestOptions::new().timeout(Duration::from_secs(2)));
    match c.send(req).await.unwrap_err() {
        rt::Error::Timeout { kind, after } => {
            assert_eq!(kind, rt::error::TimeoutKind::Attempt);
            assert_eq!(after, Duration::from_secs(2));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

/// A server whose `/slow` never answers within a test. Calls with a timeout on paused time
/// go only there: while a call waits on the network, paused time jumps to the next timer.
async fn slow_server() -> MockServer {
    let server = crate::common::private_server().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(600)))
        .mount(&server)
        .await;
    server
}

fn with_timeout(path: &str, seconds: u64) -> rt::__private::Request {
    get(path).options(rt::RequestOptions::new().timeout(Duration::from_secs(seconds)))
}

#[tokio::test(start_paused = true)]
async fn concurrent_attempts_each_time_out_at_their_own_deadline() {
    let server = slow_server().await;
    let c = builder(config(), &server)
        .timeout(Duration::from_secs(60))
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let mut calls = Vec::new();
    // Started 100 ms apart, latest deadline first, so that each later call brings an
    // earlier deadline than the one the shared timer is already set for.
    for seconds in [3, 1, 2] {
        let c = c.clone();
        calls.push(tokio::spawn(async move {
            let err = c.send(with_timeout("/slow", seconds)).await.unwrap_err();
            assert!(matches!(err, rt::Error::Timeout { .. }), "{err:?}");
            start.elapsed()
        }));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut elapsed = Vec::new();
    for call in calls {
        elapsed.push(call.await.unwrap());
    }
    assert_eq!(elapsed, [3000, 1100, 2200].map(Duration::from_millis));
}

#[tokio::test(start_paused = true)]
async fn a_short_timeout_after_an_abandoned_call_fires_on_time() {
    let server = slow_server().await;
    let c = builder(config(), &server)
        .timeout(Duration::from_secs(60))
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    // The abandoned call leaves the shared timer set for its 60 s deadline.
    let abandoned = tokio::time::timeout(Duration::from_millis(100), c.send(get("/slow")));
    assert!(abandoned.await.is_err());
    let start = tokio::time::Instant::now();
    let err = c.send(with_timeout("/slow", 2)).await.unwrap_err();
    assert!(matches!(err, rt::Error::Timeout { .. }), "{err:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[test]
fn a_client_used_on_two_runtimes_times_out_on_each() {
    let paused = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
    };
    let first = paused();
    let (server, c) = first.block_on(async {
        let server = slow_server().await;
        let c = builder(config(), &server)
            .timeout(Duration::from_secs(5))
            .retry(rt::RetryPolicy::disabled())
            .build()
            .unwrap();
        (server, c)
    });
    let call = |runtime: &tokio::runtime::Runtime| {
        runtime.block_on(async {
            let start = tokio::time::Instant::now();
            let err = c.send(get("/slow")).await.unwrap_err();
            assert!(matches!(err, rt::Error::Timeout { .. }), "{err:?}");
            assert_eq!(start.elapsed(), Duration::from_secs(5));
        })
    };
    call(&first);
    // The first runtime, and the timer the client started on it, are gone.
    drop(first);
    let second = paused();
    call(&second);
    second.block_on(async move { drop(server) });
}

#[tokio::test]
async fn clones_share_the_oauth_token_cache() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "tok", "expires_in": 3600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(header("authorization", "Bearer tok"))
        .respond_with(ResponseTemplate::new(200))
        .expect(3)
        .mount(&server)
        .await;
    let flow = rt::OAuth2ClientCredentials::new(format!("{}/oauth/token", server.uri()), "id", "s");
    let a = builder(config(), &server)
        .auth(rt::Auth::oauth2_client_credentials(flow))
        .build()
        .unwrap();
    let (b, c) = (a.clone(), a.clone());
    a.send(get("/x")).await.unwrap();
    b.send(get("/x")).await.unwrap();
    c.send(get("/x")).await.unwrap();
}

#[tokio::test]
async fn a_users_client_with_the_same_origin_policy_keeps_credentials_home() {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let http = rt::reqwest::Client::builder()
        .redirect(rt::client::same_origin_redirects())
        .build()
        .unwrap();
    let c = rt::Client::builder(config())
        .base_url(server.uri())
        .reqwest_client(http)
        .auth(rt::Auth::bearer("SECRET"))
        .build()
        .unwrap();
    let err = c.send(get("/x")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307));
    assert_eq!(hits(&elsewhere).await, 0);
}

/// Issue 12: a same-origin redirect loop was retried as a transport error that "may have
/// been sent": 33 requests for one GET. It is deterministic, so it is reported once.
#[tokio::test]
async fn a_redirect_loop_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/loop"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/loop"))
        .mount(&server)
        .await;
    let c = rt::Client::builder(config())
        .base_url(server.uri())
        .build()
        .unwrap();
    let err = c.send(get("/loop")).await.unwrap_err();
    assert!(matches!(err, rt::Error::Redirect { .. }), "{err:?}");
    assert!(!err.is_retryable(), "{err:?}");
    assert!(err.to_string().contains("redirect"), "{err}");
    assert_eq!(
        hits(&server).await,
        11,
        "the first request and 10 redirects"
    );
}

/// Issue 13: GitHub's downloads answer only `302` with the content's signed URL on another
/// host. Such a call's answer is the location, which the credentials never follow.
#[tokio::test]
async fn a_documented_redirect_is_the_answer_and_its_target_gets_no_request() {
    let storage = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&storage)
        .await;
    let server = MockServer::start().await;
    let target = format!("{}/legacy.tar.gz?token=SIGNED", storage.uri());
    Mock::given(path("/tarball"))
        .and(header("authorization", "Bearer SECRET"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
        .mount(&server)
        .await;
    // The built-in HTTP client, with its same-origin redirect policy.
    let c = rt::Client::builder(config())
        .base_url(server.uri())
        .auth(rt::Auth::bearer("SECRET"))
        .build()
        .unwrap();

    let raw = c.send(get("/tarball").redirect_is_answer()).await.unwrap();
    let redirect = rt::__private::decode_redirect(&raw).unwrap();
    assert_eq!(redirect.status().as_u16(), 302);
    assert_eq!(redirect.location().as_str(), target);
    assert_eq!(hits(&storage).await, 0);
    // The signature in the query is a credential for the archive.
    let debug = format!("{redirect:?}");
    assert!(!debug.contains("SIGNED"), "{debug}");
    assert!(debug.contains("/legacy.tar.gz?<redacted>"), "{debug}");

    // The same call without the flag: the redirect is an error status, as before.
    let err = c.send(get("/tarball")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
}

#[tokio::test]
async fn a_relative_location_is_resolved_and_a_missing_one_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(path("/relative"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "files/1?sig=x"))
        .mount(&server)
        .await;
    Mock::given(path("/nowhere"))
        .respond_with(ResponseTemplate::new(302).insert_header("x-request-id", "req_9"))
        .mount(&server)
        .await;
    Mock::given(path("/not-modified"))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    // A client that follows no redirect, so that a same-origin one is seen as it came.
    let http = rt::reqwest::Client::builder()
        .redirect(rt::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let c = builder(config(), &server)
        .reqwest_client(http)
        .build()
        .unwrap();
    let raw = c.send(get("/relative").redirect_is_answer()).await.unwrap();
    let redirect = rt::__private::decode_redirect(&raw).unwrap();
    assert_eq!(redirect.status().as_u16(), 307);
    assert_eq!(
        redirect.location().as_str(),
        format!("{}/files/1?sig=x", server.uri())
    );

    let raw = c.send(get("/nowhere").redirect_is_answer()).await.unwrap();
    let err = rt::__private::decode_redirect(&raw).unwrap_err();
    assert!(matches!(err, rt::Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("302 without a Location"), "{err}");
    assert_eq!(err.request_id(), Some("req_9"));

    // `304 Not Modified` sends nobody anywhere: still an error status.
    let err = c
        .send(get("/not-modified").redirect_is_answer())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(304));
}

/// A redirect within the API's own origin is followed (credentials stay home); the URL that
/// answered is then where the content is.
#[tokio::test]
async fn a_same_origin_redirect_followed_gives_the_final_url() {
    let server = MockServer::start().await;
    Mock::given(path("/download"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/blob/7"))
        .mount(&server)
        .await;
    Mock::given(path("/blob/7"))
        .respond_with(ResponseTemplate::new(200).set_body_string("content"))
        .mount(&server)
        .await;
    let c = rt::Client::builder(config())
        .base_url(server.uri())
        .build()
        .unwrap();
    let raw = c.send(get("/download").redirect_is_answer()).await.unwrap();
    let redirect = rt::__private::decode_redirect(&raw).unwrap();
    assert_eq!(redirect.status().as_u16(), 200);
    assert_eq!(
        redirect.location().as_str(),
        format!("{}/blob/7", server.uri())
    );
}
