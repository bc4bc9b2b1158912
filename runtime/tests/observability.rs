//! Tracing output of a call. In its own test binary: tracing caches per-callsite interest
//! process-wide, so a subscriber installed by one test among many parallel tests could miss
//! callsites first registered on another thread.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sdkgen_runtime as rt;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A minimal subscriber that writes every span field and event to one string.
struct Capture {
    out: Arc<Mutex<String>>,
    next: AtomicU64,
}

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.out.lock().unwrap();
        let _ = write!(out, "\nspan {} ", span.metadata().name());
        span.record(&mut Writer(&mut out));
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut out = self.out.lock().unwrap();
        out.push_str("\nrecord ");
        values.record(&mut Writer(&mut out));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.out.lock().unwrap();
        out.push_str("\nevent ");
        event.record(&mut Writer(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test(start_paused = true)]
async fn the_call_span_has_operation_and_template_but_never_the_query_or_secrets() {
    let out = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(Capture {
        out: out.clone(),
        next: AtomicU64::new(0),
    });
    let server = MockServer::start().await;
    Mock::given(path("/things/cus_123"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/things/cus_123"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = rt::Client::builder(rt::ProviderConfig::new("test"))
        .base_url(server.uri())
        .reqwest_client(
            rt::reqwest::Client::builder()
                .pool_idle_timeout(None)
                .build()
                .unwrap(),
        )
        .no_timeouts()
        .auth(rt::Auth::api_key_query("key", "QSECRET"))
        .rate_limit(rt::RateLimit::per_second(1.0).burst(1))
        .build()
        .unwrap();
    let req = rt::__private::Request::new(
        rt::http::Method::GET,
        "getThing",
        "/things/{id}",
        "/things/cus_123".into(),
    );
    c.send(req.query_form("email", &"alice@example.com", true))
        .await
        .unwrap();
    let log = out.lock().unwrap().clone();
    for expected in [
        "span sdkgen.call",
        "provider=\"test\"",
        "operation=\"getThing\"",
        "method=GET",
        "path=\"/things/{id}\"",
        // Recorded on the call's span, not only on events.
        "record attempt=1",
        "record status=503",
        "record attempt=2",
        "record status=200",
        "record latency_ms=",
        "reason=\"server error\"",
        "retrying",
        "waiting for a token",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in {log}");
    }
    for secret in ["QSECRET", "alice", "cus_123"] {
        assert!(!log.contains(secret), "{secret:?} leaked into {log}");
    }
}

#[tokio::test(start_paused = true)]
async fn tokens_and_client_secrets_never_reach_tracing_debug_display_or_errors() {
    let out = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(Capture {
        out: out.clone(),
        next: AtomicU64::new(0),
    });
    let server = MockServer::start().await;
    let token_body = |token: &str| {
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({"access_token": token, "expires_in": 3600}))
    };
    Mock::given(path("/oauth/token"))
        .respond_with(token_body("ACCESS_TOKEN_1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/oauth/token"))
        .respond_with(token_body("ACCESS_TOKEN_2"))
        .with_priority(2)
        .mount(&server)
        .await;
    // A 401 (refresh and replay), a 503 (retry), then success with an exhausted rate
    // limit window (the next call waits), so every kind of event is emitted.
    Mock::given(path("/things/1"))
        .and(wiremock::matchers::bearer_token("ACCESS_TOKEN_1"))
        .respond_with(ResponseTemplate::new(401))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/things/1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/things/1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "2"),
        )
        .with_priority(3)
        .mount(&server)
        .await;
    Mock::given(path("/things/2"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(serde_json::json!({"message": "forbidden"})),
        )
        .mount(&server)
        .await;
    let flow = rt::OAuth2ClientCredentials::new(
        format!("{}/oauth/token", server.uri()),
        "client-id",
        "CLIENT_SECRET",
    );
    let cfg = rt::ProviderConfig::new("test").rate_limit_headers(rt::RateLimitHeaders {
        limit: "",
        remaining: "x-ratelimit-remaining",
        reset: "x-ratelimit-reset",
        reset_kind: rt::ResetKind::DelaySeconds,
    });
    let c = rt::Client::builder(cfg)
        .base_url(server.uri())
        .reqwest_client(
            rt::reqwest::Client::builder()
                .pool_idle_timeout(None)
                .build()
                .unwrap(),
        )
        .no_timeouts()
        .auth(rt::Auth::oauth2_client_credentials(flow.clone()))
        .build()
        .unwrap();
    let get = |id: &str| {
        rt::__private::Request::new(
            rt::http::Method::GET,
            "getThing",
            "/things/{id}",
            format!("/things/{id}"),
        )
    };
    c.send(get("1")).await.unwrap();
    c.send(get("1")).await.unwrap();
    let err = c.send(get("2")).await.unwrap_err();

    let bearer = rt::Client::builder(rt::ProviderConfig::new("test"))
        .base_url(server.uri())
        .auth(rt::Auth::bearer("BEARER_TOKEN"))
        .build()
        .unwrap();
    let basic = rt::Auth::basic("AC123", "TWILIO_AUTH_TOKEN");
    let refresh = rt::OAuth2RefreshToken::new("http://x/token", "id", "REFRESH_TOKEN")
        .client_secret("CLIENT_SECRET");

    let mut text = out.lock().unwrap().clone();
    for expected in [
        "401: replaying once",
        "retrying",
        "rate limit exhausted: waiting for the window to reset",
        "status=200",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    text.push_str(&format!(
        "{c:?} {bearer:?} {basic:?} {flow:?} {refresh:?} {err} {err:?}"
    ));
    for secret in [
        "ACCESS_TOKEN",
        "CLIENT_SECRET",
        "BEARER_TOKEN",
        "TWILIO_AUTH_TOKEN",
        "REFRESH_TOKEN",
        "Bearer",
        "Basic",
    ] {
        assert!(!text.contains(secret), "{secret:?} leaked into {text}");
    }
}
