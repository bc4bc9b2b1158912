//! Hostile and broken responses (issue 12): no panic, bounded time, bounded work.
//!
//! Each case points a client at a [`server::FaultServer`] that misbehaves in one way, and
//! runs the same call as a `GET`, as a `POST` without an idempotency key and as a `POST`
//! with one. Each checks:
//!
//! - the outcome: a typed error of the right kind, with status, request id and body
//!   excerpt where the server sent them;
//! - how many connections (attempts) the server saw: retries only when the call is safe to
//!   replay, so a `POST` without a key that may have been received is never sent twice,
//!   and the keyed `POST` carries the same key on every attempt;
//! - that the call returns: every call runs under a generous outer timeout, and the
//!   client's own timeouts are short, so a hang fails the test instead of stalling it;
//! - no panic (a panic fails the test);
//! - that the bearer token appears nowhere in the error's `Display`, `Debug` or sources.
//!
//! These run on real time with timeouts of a few hundred milliseconds. Paused time does
//! not fit a real socket: while a call waits on the network, tokio's paused clock jumps to
//! the next timer, which is the call's own timeout, so every timeout would fire at once.
//! No test asserts on measured time.
//!
//! Server-sent events cut mid-event, huge event lines and pagination cycles belong in their
//! own modules here, as scripts of [`server::Step`]s.

mod server;

use std::time::Duration;

use futures::StreamExt as _;
use sdkgen_runtime as rt;
use sdkgen_runtime::__private::{Request, decode_json};
use serde::Deserialize;

use server::{FaultServer, Step, head, response};

/// The credential every client sends; it must never surface in an error.
const SECRET: &str = "sk_test_SECRET123";

/// The key of the keyed `POST`.
const KEY: &str = "key-fault-1";

/// The outer bound on any one call: far beyond every timeout the clients have.
const CALL_BOUND: Duration = Duration::from_secs(30);

#[derive(Debug, Deserialize, PartialEq)]
struct Thing {
    id: u64,
    name: String,
}

/// The three ways each case is called.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Call {
    Get,
    Post,
    PostWithKey,
}

const CALLS: [Call; 3] = [Call::Get, Call::Post, Call::PostWithKey];

impl Call {
    fn request(self) -> Request {
        let (method, op) = match self {
            Call::Get => (rt::http::Method::GET, "getThing"),
            Call::Post | Call::PostWithKey => (rt::http::Method::POST, "createThing"),
        };
        let req = Request::new(method.clone(), op, "/things", "/things".to_owned());
        match self {
            Call::Get => req,
            Call::Post => req.body_json(&serde_json::json!({"name": "x"})),
            Call::PostWithKey => req
                .body_json(&serde_json::json!({"name": "x"}))
                .options(rt::RequestOptions::new().idempotency_key(KEY)),
        }
    }

    /// Whether the runtime may send it again after it may have been received.
    fn replayable(self) -> bool {
        self != Call::Post
    }
}

fn config() -> rt::ProviderConfig {
    rt::ProviderConfig::new("faults")
        .user_agent("faults-sdk", "0.0.1")
        .request_id_header("x-request-id")
}

/// A client with short timeouts and a fast, exact backoff (2 retries).
fn builder(server: &FaultServer) -> rt::ClientBuilder {
    rt::Client::builder(config())
        .base_url(server.url())
        .auth(rt::Auth::bearer(SECRET))
        .no_rate_limit()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(2))
        .total_timeout(Duration::from_secs(10))
        .retry(
            rt::RetryPolicy::new()
                .jitter(rt::Jitter::None)
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(20)),
        )
}

/// How many attempts a case may make.
#[derive(Clone, Copy, Debug)]
enum Attempts {
    /// Exactly one, whatever the call (a success, or a failure nobody retries).
    One,
    /// Three (the first and 2 retries) when the call may be replayed, else one.
    RetriedIfSafe,
    /// Exactly this many connections, whatever the call (redirects).
    Exactly(usize),
}

impl Attempts {
    fn expected(self, call: Call) -> usize {
        match self {
            Attempts::One => 1,
            Attempts::RetriedIfSafe if call.replayable() => 3,
            Attempts::RetriedIfSafe => 1,
            Attempts::Exactly(n) => n,
        }
    }
}

/// Send `call` (decoding a success as a [`Thing`]) within [`CALL_BOUND`].
async fn send(client: &rt::Client, call: Call) -> Result<Thing, rt::Error> {
    let sent = async {
        let raw = client.send(call.request()).await?;
        decode_json::<Thing>(&raw)
    };
    tokio::time::timeout(CALL_BOUND, sent)
        .await
        .unwrap_or_else(|_| panic!("{call:?}: the call did not return within {CALL_BOUND:?}"))
}

/// Send `call` as a streaming call and read its body to the end, within [`CALL_BOUND`];
/// the body's chunks joined, or the first error.
async fn stream(client: &rt::Client, call: Call) -> Result<Vec<u8>, rt::Error> {
    let read = async {
        let mut resp = client.send_streaming(call.request()).await?;
        let mut body = Vec::new();
        // Bounded: the server sends a bounded body and the client's timeouts end a stall.
        while let Some(chunk) = resp.body.next().await {
            body.extend_from_slice(&chunk?);
        }
        Ok(body)
    };
    tokio::time::timeout(CALL_BOUND, read)
        .await
        .unwrap_or_else(|_| panic!("{call:?}: the stream did not end within {CALL_BOUND:?}"))
}

/// The checks every error passes: no secret anywhere in it.
fn check_no_secret(call: Call, err: &rt::Error) {
    let mut texts = vec![err.to_string(), format!("{err:?}")];
    let mut source = std::error::Error::source(err);
    // Bounded by the depth of the error chain.
    while let Some(cause) = source {
        texts.push(cause.to_string());
        texts.push(format!("{cause:?}"));
        source = cause.source();
    }
    for text in texts {
        assert!(
            !text.contains(SECRET),
            "{call:?}: the secret leaked: {text}"
        );
        assert!(
            !text.contains("Bearer"),
            "{call:?}: the scheme leaked: {text}"
        );
    }
}

/// What the server saw: the number of connections, an unkeyed `POST` received at most
/// once, and the same key on every attempt of the keyed one.
fn check_attempts(call: Call, server: &FaultServer, attempts: Attempts) {
    assert_eq!(
        server.connections(),
        attempts.expected(call),
        "{call:?}: connections"
    );
    let requests = server.requests();
    for seen in &requests {
        let key = seen.header("idempotency-key");
        match call {
            Call::PostWithKey => assert_eq!(key.as_deref(), Some(KEY), "{call:?}"),
            _ => assert_eq!(key, None, "{call:?}"),
        }
    }
    if call == Call::Post {
        // A redirect is followed as a `GET` (303, and 301/302 after a `POST`), so only the
        // `POST`s count.
        let posts = requests.iter().filter(|r| r.method == "POST").count();
        assert!(posts <= 1, "{call:?}: an unkeyed POST was replayed");
    }
}

/// Run one case for the three calls: start a server with `script`, build a client with
/// `tune`, send, and check the error with `check`, the attempts and the secret.
async fn case(
    script: fn(usize) -> Vec<Step>,
    tune: fn(rt::ClientBuilder) -> rt::ClientBuilder,
    attempts: Attempts,
    check: impl Fn(Call, &rt::Error),
) {
    for call in CALLS {
        let server = FaultServer::start(script).await;
        let client = tune(builder(&server)).build().unwrap();
        match send(&client, call).await {
            Ok(thing) => panic!("{call:?}: expected an error, got {thing:?}"),
            Err(err) => {
                check(call, &err);
                check_no_secret(call, &err);
            }
        }
        check_attempts(call, &server, attempts);
    }
}

fn same(builder: rt::ClientBuilder) -> rt::ClientBuilder {
    builder
}

/// A transport error after the request may have been received.
fn sent_transport_error(call: Call, err: &rt::Error) {
    match err {
        rt::Error::Transport {
            may_have_been_sent, ..
        } => assert!(*may_have_been_sent, "{call:?}: {err:?}"),
        other => panic!("{call:?}: expected a transport error, got {other:?}"),
    }
}

fn timeout_of(kind: rt::error::TimeoutKind) -> impl Fn(Call, &rt::Error) {
    move |call, err| match err {
        rt::Error::Timeout { kind: k, .. } => assert_eq!(*k, kind, "{call:?}"),
        other => panic!("{call:?}: expected a {kind} timeout, got {other:?}"),
    }
}

/// An API error with this status, the server's request id and a body containing `body`.
fn api_error(status: u16, body: &'static str) -> impl Fn(Call, &rt::Error) {
    move |call, err| {
        let api = err
            .api()
            .unwrap_or_else(|| panic!("{call:?}: expected an API error, got {err:?}"));
        assert_eq!(api.status.as_u16(), status, "{call:?}");
        assert_eq!(err.request_id(), Some("req_fault"), "{call:?}");
        assert!(
            api.body_text().contains(body),
            "{call:?}: {}",
            api.body_text()
        );
    }
}

/// A decode error of a 200 with the server's request id, whose message contains `what`.
fn decode_error(what: &'static str) -> impl Fn(Call, &rt::Error) {
    move |call, err| match err {
        rt::Error::Decode {
            status,
            message,
            excerpt,
            request_id,
            ..
        } => {
            assert_eq!(status.as_u16(), 200, "{call:?}");
            assert!(message.contains(what), "{call:?}: {message}");
            assert!(!excerpt.is_empty(), "{call:?}");
            assert!(excerpt.len() < 1024, "{call:?}: the excerpt is bounded");
            assert_eq!(request_id.as_deref(), Some("req_fault"), "{call:?}");
        }
        other => panic!("{call:?}: expected a decode error, got {other:?}"),
    }
}

fn ok_json(body: &[u8]) -> Vec<Step> {
    vec![
        Step::ReadRequest,
        Step::Write(response(
            "200 OK",
            &[("content-type", b"application/json")],
            body,
        )),
    ]
}

// ---------------------------------------------------------------------------------------
// The connection breaks.

#[tokio::test]
async fn a_connection_closed_before_reading_is_a_transport_error() {
    case(
        |_| vec![],
        same,
        Attempts::RetriedIfSafe,
        sent_transport_error,
    )
    .await;
}

#[tokio::test]
async fn a_connection_closed_after_reading_is_a_transport_error() {
    case(
        |_| vec![Step::ReadRequest],
        same,
        Attempts::RetriedIfSafe,
        sent_transport_error,
    )
    .await;
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_headers_is_a_transport_error() {
    case(
        |_| {
            vec![
                Step::ReadRequest,
                Step::Write(b"HTTP/1.1 200 OK\r\ncontent-ty".to_vec()),
                Step::Reset,
            ]
        },
        same,
        Attempts::RetriedIfSafe,
        sent_transport_error,
    )
    .await;
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_a_transport_error() {
    case(
        |_| {
            let mut bytes = head("200 OK", &[("content-length", b"100")]);
            bytes.extend_from_slice(b"{\"id\": 1,");
            vec![Step::ReadRequest, Step::Write(bytes)]
        },
        same,
        Attempts::RetriedIfSafe,
        sent_transport_error,
    )
    .await;
}

#[tokio::test]
async fn an_unterminated_chunked_body_is_a_transport_error() {
    case(
        |_| {
            let mut bytes = head("200 OK", &[("transfer-encoding", b"chunked")]);
            bytes.extend_from_slice(b"5\r\n{\"id\"\r\n");
            vec![Step::ReadRequest, Step::Write(bytes)]
        },
        same,
        Attempts::RetriedIfSafe,
        sent_transport_error,
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// Bodies that are not what they should be.

#[tokio::test]
async fn an_html_502_is_an_api_error_with_its_excerpt() {
    case(
        |_| {
            vec![
                Step::ReadRequest,
                Step::Write(response(
                    "502 Bad Gateway",
                    &[("content-type", b"text/html")],
                    b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                )),
            ]
        },
        same,
        Attempts::RetriedIfSafe,
        api_error(502, "<h1>502 Bad Gateway</h1>"),
    )
    .await;
}

#[tokio::test]
async fn invalid_json_is_a_decode_error_with_line_and_column() {
    case(
        |_| ok_json(b"{\"id\": 1,\n \"name\": ,}"),
        same,
        Attempts::One,
        decode_error("line 2, column 10"),
    )
    .await;
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    case(
        |_| ok_json(b"{\"id\": 1, \"na"),
        same,
        Attempts::One,
        decode_error("truncated"),
    )
    .await;
}

#[tokio::test]
async fn deeply_nested_json_is_a_decode_error_not_a_stack_overflow() {
    for call in CALLS {
        let server = FaultServer::start(|_| ok_json(&[b'['; 200_000])).await;
        let client = builder(&server).build().unwrap();
        let raw = tokio::time::timeout(CALL_BOUND, client.send(call.request()))
            .await
            .expect("the call returns")
            .unwrap();
        // Into a `Value`, which would follow the nesting as deep as it goes.
        let err = decode_json::<serde_json::Value>(&raw).unwrap_err();
        decode_error("recursion limit")(call, &err);
        check_attempts(call, &server, Attempts::One);
    }
}

#[tokio::test]
async fn a_deeply_nested_error_body_is_an_api_error() {
    case(
        |_| {
            vec![
                Step::ReadRequest,
                Step::Write(response(
                    "500 Internal Server Error",
                    &[("content-type", b"application/json")],
                    &[b'{'; 200_000],
                )),
            ]
        },
        same,
        Attempts::RetriedIfSafe,
        api_error(500, "{{{{"),
    )
    .await;
}

#[tokio::test]
async fn a_large_error_body_gives_a_bounded_message() {
    case(
        |_| {
            let mut body = b"<html>".to_vec();
            body.resize(4 * 1024 * 1024, b'x');
            vec![
                Step::ReadRequest,
                Step::Write(response(
                    "503 Service Unavailable",
                    &[("content-type", b"text/html")],
                    &body,
                )),
            ]
        },
        same,
        Attempts::RetriedIfSafe,
        |call, err| {
            api_error(503, "<html>xxx")(call, err);
            assert!(err.to_string().len() < 1024, "{call:?}: Display is bounded");
            assert!(
                format!("{err:?}").len() < 4096,
                "{call:?}: Debug is bounded"
            );
            let kept = err.api().map(|api| api.body.len());
            assert_eq!(kept, Some(1024 * 1024), "{call:?}: the first MiB is kept");
        },
    )
    .await;
}

/// An error body that never ends is read up to its first MiB, not until a timeout.
#[tokio::test]
async fn an_endless_error_body_is_cut_at_a_mib() {
    case(
        |_| {
            let mut bytes = head(
                "500 Internal Server Error",
                &[("transfer-encoding", b"chunked")],
            );
            let chunk = vec![b'x'; 64 * 1024];
            // 2 MiB, then silence: the body has no end.
            for _ in 0..32 {
                bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                bytes.extend_from_slice(&chunk);
                bytes.extend_from_slice(b"\r\n");
            }
            vec![
                Step::ReadRequest,
                Step::Write(bytes),
                Step::Hold(Duration::from_secs(20)),
            ]
        },
        same,
        Attempts::RetriedIfSafe,
        |call, err| {
            api_error(500, "xxxx")(call, err);
            let kept = err.api().map(|api| api.body.len());
            assert_eq!(kept, Some(1024 * 1024), "{call:?}");
        },
    )
    .await;
}

#[tokio::test]
async fn a_large_success_body_is_read_and_decoded() {
    for call in CALLS {
        let server = FaultServer::start(|_| {
            let name = "n".repeat(8 * 1024 * 1024);
            ok_json(format!("{{\"id\": 3, \"name\": \"{name}\"}}").as_bytes())
        })
        .await;
        let client = builder(&server).build().unwrap();
        let thing = send(&client, call).await.unwrap();
        assert_eq!(thing.name.len(), 8 * 1024 * 1024, "{call:?}");
        check_attempts(call, &server, Attempts::One);
    }
}

#[tokio::test]
async fn a_gzip_body_is_decoded() {
    // `{"id":7,"name":"gzipped"}`, gzipped.
    const GZIPPED: &[u8] = &[
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0xca, 0x4c, 0x51,
        0xb2, 0x32, 0xd7, 0x51, 0xca, 0x4b, 0xcc, 0x4d, 0x55, 0xb2, 0x52, 0x4a, 0xaf, 0xca, 0x2c,
        0x28, 0x48, 0x4d, 0x51, 0xaa, 0x05, 0x00, 0x87, 0xf3, 0x48, 0x80, 0x19, 0x00, 0x00, 0x00,
    ];
    for call in CALLS {
        let server = FaultServer::start(|_| {
            vec![
                Step::ReadRequest,
                Step::Write(response(
                    "200 OK",
                    &[
                        ("content-type", b"application/json"),
                        ("content-encoding", b"gzip"),
                    ],
                    GZIPPED,
                )),
            ]
        })
        .await;
        let client = builder(&server).build().unwrap();
        let thing = send(&client, call).await.unwrap();
        assert_eq!(
            thing,
            Thing {
                id: 7,
                name: "gzipped".to_owned()
            },
            "{call:?}"
        );
        let sent = server.requests();
        let accepted = sent[0].header("accept-encoding").unwrap_or_default();
        assert!(accepted.contains("gzip"), "{call:?}: {accepted}");
        check_attempts(call, &server, Attempts::One);
    }
}

// ---------------------------------------------------------------------------------------
// Headers that are hostile.

#[tokio::test]
async fn a_huge_header_is_a_transport_error() {
    case(
        |_| {
            let value = vec![b'a'; 1024 * 1024];
            vec![
                Step::ReadRequest,
                Step::Write(response("200 OK", &[("x-huge", &value)], b"{}")),
            ]
        },
        same,
        Attempts::RetriedIfSafe,
        sent_transport_error,
    )
    .await;
}

#[tokio::test]
async fn too_many_headers_is_a_transport_error() {
    case(
        |_| {
            let names: Vec<String> = (0..500).map(|i| format!("x-h{i}")).collect();
            let headers: Vec<(&str, &[u8])> =
                names.iter().map(|n| (n.as_str(), &b"1"[..])).collect();
            vec![
                Step::ReadRequest,
                Step::Write(response("200 OK", &headers, b"{}")),
            ]
        },
        same,
        Attempts::RetriedIfSafe,
        sent_transport_error,
    )
    .await;
}

#[tokio::test]
async fn a_request_id_that_is_not_utf8_is_kept_lossily() {
    case(
        |_| {
            let mut bytes = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n".to_vec();
            bytes.extend_from_slice(b"x-request-id: req-\xff\xfe\r\ncontent-length: 2\r\n\r\n{}");
            vec![Step::ReadRequest, Step::Write(bytes)]
        },
        same,
        Attempts::One,
        |call, err| {
            assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{call:?}");
            assert_eq!(err.request_id(), Some("req-\u{fffd}\u{fffd}"), "{call:?}");
        },
    )
    .await;
}

/// A `429` with this `Retry-After`-style header.
fn throttled(name: &'static str, value: &'static str) -> Vec<Step> {
    vec![
        Step::ReadRequest,
        Step::Write(response(
            "429 Too Many Requests",
            &[(name, value.as_bytes())],
            b"{\"error\": {\"message\": \"slow down\"}}",
        )),
    ]
}

fn rate_limited_for_a_long_time(call: Call, err: &rt::Error) {
    match err {
        rt::Error::RateLimited { wait, api } => {
            assert!(*wait >= Duration::from_secs(3600), "{call:?}: {wait:?}");
            let api = api.as_ref().expect("the 429 is kept");
            assert_eq!(api.status.as_u16(), 429, "{call:?}");
            assert_eq!(api.request_id.as_deref(), Some("req_fault"), "{call:?}");
        }
        other => panic!("{call:?}: expected RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn a_huge_retry_after_fails_fast_with_the_wait() {
    case(
        |_| throttled("retry-after", "1e20"),
        same,
        Attempts::One,
        rate_limited_for_a_long_time,
    )
    .await;
    case(
        |_| throttled("retry-after-ms", "1e30"),
        same,
        Attempts::One,
        rate_limited_for_a_long_time,
    )
    .await;
    case(
        |_| throttled("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"),
        same,
        Attempts::One,
        rate_limited_for_a_long_time,
    )
    .await;
}

#[tokio::test]
async fn a_retry_after_that_is_past_zero_or_not_a_number_is_retried_with_backoff() {
    let scripts: [fn(usize) -> Vec<Step>; 7] = [
        |_| throttled("retry-after", "0"),
        |_| throttled("retry-after", "-1"),
        |_| throttled("retry-after", "NaN"),
        |_| throttled("retry-after", "inf"),
        |_| throttled("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"),
        |_| throttled("retry-after", "soon"),
        |_| throttled("retry-after-ms", "-1e30"),
    ];
    for script in scripts {
        case(
            script,
            same,
            Attempts::RetriedIfSafe,
            api_error(429, "slow down"),
        )
        .await;
    }
}

/// A 200 saying the rate-limit window is spent until a hostile reset.
fn spent_until(reset: &'static str) -> Vec<Step> {
    vec![
        Step::ReadRequest,
        Step::Write(response(
            "200 OK",
            &[
                ("content-type", b"application/json"),
                ("x-ratelimit-remaining", b"0"),
                ("x-ratelimit-reset", reset.as_bytes()),
            ],
            b"{\"id\": 1, \"name\": \"a\"}",
        )),
    ]
}

#[tokio::test]
async fn a_hostile_reset_on_a_success_never_panics_and_later_calls_fail_fast() {
    let cases: [(rt::ResetKind, &'static str, bool); 6] = [
        (rt::ResetKind::DelaySeconds, "1e30", true),
        (rt::ResetKind::DelayMillis, "1e30", true),
        (rt::ResetKind::EpochSeconds, "1e30", true),
        (rt::ResetKind::Duration, "99999999999999999999h", true),
        (rt::ResetKind::EpochSeconds, "NaN", false),
        (rt::ResetKind::DelaySeconds, "-inf", false),
    ];
    for (kind, reset, pauses) in cases {
        for call in CALLS {
            let server = FaultServer::start(move |_| spent_until(reset)).await;
            let headers = rt::RateLimitHeaders {
                limit: "",
                remaining: "x-ratelimit-remaining",
                reset: "x-ratelimit-reset",
                reset_kind: kind,
            };
            let client = rt::Client::builder(config().rate_limit_headers(headers))
                .base_url(server.url())
                .auth(rt::Auth::bearer(SECRET))
                .no_rate_limit()
                .total_timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            assert_eq!(send(&client, call).await.unwrap().id, 1, "{call:?}");
            let second = send(&client, call).await;
            if pauses {
                match second {
                    Err(err @ rt::Error::RateLimited { api: None, .. }) => {
                        let rt::Error::RateLimited { wait, .. } = &err else {
                            unreachable!()
                        };
                        assert!(*wait > Duration::from_secs(60), "{reset}: {wait:?}");
                        check_no_secret(call, &err);
                    }
                    other => panic!("{reset} {call:?}: expected RateLimited, got {other:?}"),
                }
                assert_eq!(server.connections(), 1, "{reset} {call:?}: nothing sent");
            } else {
                assert!(second.is_ok(), "{reset} {call:?}: {second:?}");
                assert_eq!(server.connections(), 2, "{reset} {call:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_redirect_loop_is_one_redirect_error() {
    case(
        |_| {
            vec![
                Step::ReadRequest,
                Step::Write(response("302 Found", &[("location", b"/things")], b"")),
            ]
        },
        same,
        // The first request and 10 redirects, once: not 3 attempts of 11.
        Attempts::Exactly(11),
        |call, err| {
            assert!(
                matches!(err, rt::Error::Redirect { .. }),
                "{call:?}: {err:?}"
            );
            assert!(!err.is_retryable(), "{call:?}");
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// Slow and silent servers.

fn quick_attempts(builder: rt::ClientBuilder) -> rt::ClientBuilder {
    builder.timeout(Duration::from_millis(300))
}

fn quick_reads(builder: rt::ClientBuilder) -> rt::ClientBuilder {
    builder.read_timeout(Duration::from_millis(300))
}

#[tokio::test]
async fn no_answer_is_an_attempt_timeout() {
    case(
        |_| vec![Step::ReadRequest, Step::Hold(Duration::from_secs(20))],
        quick_attempts,
        Attempts::RetriedIfSafe,
        timeout_of(rt::error::TimeoutKind::Attempt),
    )
    .await;
}

#[tokio::test]
async fn headers_trickled_a_byte_at_a_time_hit_the_attempt_timeout() {
    case(
        |_| {
            let bytes = response("200 OK", &[], b"{\"id\": 1, \"name\": \"a\"}");
            vec![
                Step::ReadRequest,
                Step::Trickle(bytes, Duration::from_millis(30)),
            ]
        },
        quick_attempts,
        Attempts::RetriedIfSafe,
        timeout_of(rt::error::TimeoutKind::Attempt),
    )
    .await;
}

#[tokio::test]
async fn a_body_trickled_a_byte_at_a_time_hits_the_attempt_timeout_not_the_read_timeout() {
    case(
        |_| {
            let body = format!("{{\"id\": 1, \"name\": \"{}\"}}", "a".repeat(100));
            vec![
                Step::ReadRequest,
                Step::Write(head(
                    "200 OK",
                    &[("content-length", body.len().to_string().as_bytes())],
                )),
                Step::Trickle(body.into_bytes(), Duration::from_millis(20)),
            ]
        },
        quick_attempts,
        Attempts::RetriedIfSafe,
        timeout_of(rt::error::TimeoutKind::Attempt),
    )
    .await;
}

#[tokio::test]
async fn a_body_trickled_within_the_timeouts_is_read() {
    for call in CALLS {
        let server = FaultServer::start(|_| {
            let body = b"{\"id\": 5, \"name\": \"slow\"}".to_vec();
            vec![
                Step::ReadRequest,
                Step::Write(head(
                    "200 OK",
                    &[("content-length", body.len().to_string().as_bytes())],
                )),
                Step::Trickle(body, Duration::from_millis(5)),
            ]
        })
        .await;
        let client = builder(&server).build().unwrap();
        assert_eq!(send(&client, call).await.unwrap().id, 5, "{call:?}");
        check_attempts(call, &server, Attempts::One);
    }
}

/// Headers promising a body, then nothing.
fn silent_after_headers(_: usize) -> Vec<Step> {
    vec![
        Step::ReadRequest,
        Step::Write(head(
            "200 OK",
            &[
                ("content-type", b"text/event-stream"),
                ("content-length", b"50"),
            ],
        )),
        Step::Hold(Duration::from_secs(20)),
    ]
}

#[tokio::test]
async fn silence_after_the_headers_is_a_read_timeout() {
    case(
        silent_after_headers,
        quick_reads,
        Attempts::RetriedIfSafe,
        timeout_of(rt::error::TimeoutKind::Read),
    )
    .await;
}

/// Issue 12: a streamed body whose server went silent after the headers never ended.
#[tokio::test]
async fn silence_after_the_headers_ends_a_stream_with_a_read_timeout() {
    for call in CALLS {
        let server = FaultServer::start(silent_after_headers).await;
        let client = quick_reads(builder(&server)).build().unwrap();
        let err = stream(&client, call).await.unwrap_err();
        timeout_of(rt::error::TimeoutKind::Read)(call, &err);
        check_no_secret(call, &err);
        check_attempts(call, &server, Attempts::One);
    }
}

/// The read timeout of one call overrides the client's.
#[tokio::test]
async fn a_per_request_read_timeout_overrides_the_clients() {
    let server = FaultServer::start(silent_after_headers).await;
    let client = builder(&server)
        .read_timeout(Duration::from_secs(600))
        .total_timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let req = Call::Get
        .request()
        .options(rt::RequestOptions::new().read_timeout(Duration::from_millis(200)));
    let read = async {
        let mut resp = client.send_streaming(req).await?;
        // Bounded: the stream ends at its first error.
        while let Some(chunk) = resp.body.next().await {
            chunk?;
        }
        Ok::<_, rt::Error>(())
    };
    let err = tokio::time::timeout(CALL_BOUND, read)
        .await
        .expect("the stream ends")
        .unwrap_err();
    timeout_of(rt::error::TimeoutKind::Read)(Call::Get, &err);
}

/// Issue 12: the total timeout ended when the headers arrived; it now bounds a streamed
/// body too, even one whose chunks keep coming within the read timeout.
#[tokio::test]
async fn a_stream_that_trickles_forever_is_cut_by_the_total_timeout() {
    for call in CALLS {
        let server = FaultServer::start(|_| {
            vec![
                Step::ReadRequest,
                Step::Write(head("200 OK", &[("content-type", b"text/event-stream")])),
                // 20 s of one byte every 50 ms: well within the read timeout each time.
                Step::Trickle(vec![b':'; 400], Duration::from_millis(50)),
            ]
        })
        .await;
        let client = builder(&server)
            .total_timeout(Duration::from_millis(800))
            .build()
            .unwrap();
        let err = stream(&client, call).await.unwrap_err();
        timeout_of(rt::error::TimeoutKind::Total)(call, &err);
        check_no_secret(call, &err);
        check_attempts(call, &server, Attempts::One);
    }
}

/// A slow 503 and then a success: the retry happens only when the call is safe to replay,
/// and reaches the same path.
#[tokio::test]
async fn a_slow_failure_then_a_success_is_retried_only_when_safe() {
    for call in CALLS {
        let server = FaultServer::start(|n| match n {
            0 => vec![
                Step::ReadRequest,
                Step::Pause(Duration::from_millis(100)),
                Step::Write(response("503 Service Unavailable", &[], b"busy")),
            ],
            _ => ok_json(b"{\"id\": 2, \"name\": \"b\"}"),
        })
        .await;
        let client = builder(&server).build().unwrap();
        let result = send(&client, call).await;
        if call.replayable() {
            assert_eq!(result.unwrap().id, 2, "{call:?}");
            assert_eq!(server.connections(), 2, "{call:?}");
        } else {
            let err = result.unwrap_err();
            api_error(503, "busy")(call, &err);
            check_no_secret(call, &err);
            assert_eq!(server.connections(), 1, "{call:?}");
        }
        let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
        assert!(
            targets.iter().all(|t| t == "/things"),
            "{call:?}: {targets:?}"
        );
        check_attempts(
            call,
            &server,
            if call.replayable() {
                Attempts::Exactly(2)
            } else {
                Attempts::One
            },
        );
    }
}

/// Without a read timeout of its own, a client's read timeout is its attempt timeout: a
/// caller who allows slow calls also allows slow bodies.
#[tokio::test]
async fn the_read_timeout_follows_the_attempt_timeout_unless_set() {
    let server = FaultServer::start(silent_after_headers).await;
    let client = rt::Client::builder(config())
        .base_url(server.url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    assert!(
        format!("{client:?}").contains("read_timeout: Some(300ms)"),
        "{client:?}"
    );
    let err = stream(&client, Call::Get).await.unwrap_err();
    timeout_of(rt::error::TimeoutKind::Read)(Call::Get, &err);
}
